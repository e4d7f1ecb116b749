#!/usr/bin/python3
"""make extract-eval: newswatch's article parser against a peer, side by side.

Runs `newswatch extract` and the peer over the evaluation sets of
../shared/corpus/articles (trafilatura's annotated pages, Mozilla Readability's
test pages, and WCXB dev, whose pages are of seven types), scores both with
article_score.py and prints body F1, metadata accuracy per field and the
median time per page; for WCXB, with its own metric (word F1, the share of
"with" snippets kept and of "without" snippets wrongly kept, title, author
and date accuracy) per page type.  The peer is Mozilla's
Readability.js (@mozilla/readability on jsdom 27.0.0, which needs Node 20),
installed with npm into bench/peer/ on first use; without Node 20 or npm, it is
Debian's python3-readability.  Both run as one process per page, as the scorer
times them.

    extract_eval.py [--binary ./newswatch] [--corpus ../shared/corpus/articles]
                    [--jobs 2] [--peer auto|readability-js|readability-lxml|none]
                    [--save DIR] [--sets trafilatura,mozilla,wcxb]
                    [--wcxb-part all|tune|check] [--wcxb-types forum,...]
                    [--wcxb-limit N]

WCXB is tuned on two thirds of its pages and checked on the held third
(--wcxb-part; article_score.wcxb_part says which is which); --wcxb-limit
takes every k-th page for a quick run.
"""
import argparse, importlib.util, json, os, shutil, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_DIR = os.path.join(HERE, "peer")
NPM_PKGS = ["@mozilla/readability@0.6.0", "jsdom@27.0.0"]
FIELDS = ["title", "published", "authors", "description", "section", "tags", "site_name", "language"]

spec = importlib.util.spec_from_file_location("article_score", os.path.join(HERE, "article_score.py"))
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)


def node_major():
    try:
        out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.CalledProcessError):
        return 0


def readability_js():
    """The Readability.js command, installing it when needed; None when it cannot run here."""
    if node_major() < 20 or shutil.which("npm") is None:
        return None
    mods = os.path.join(PEER_DIR, "node_modules")
    if not (os.path.isdir(os.path.join(mods, "@mozilla", "readability")) and os.path.isdir(os.path.join(mods, "jsdom"))):
        os.makedirs(PEER_DIR, exist_ok=True)
        print("extract-eval: npm install %s into %s" % (" ".join(NPM_PKGS), PEER_DIR), file=sys.stderr)
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", PEER_DIR] + NPM_PKGS,
                           stdout=subprocess.DEVNULL)
        if r.returncode != 0:
            return None
    return ["node", os.path.join(HERE, "readability_peer.js")]


def readability_lxml():
    """Debian's python3-readability, installed when missing; None when that fails."""
    check = [sys.executable, "-c", "import readability"]
    if subprocess.run(check, capture_output=True).returncode != 0:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        print("extract-eval: apt-get install python3-readability", file=sys.stderr)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "python3-readability"], stdout=subprocess.DEVNULL)
        if subprocess.run(check, capture_output=True).returncode != 0:
            return None
    return [sys.executable, os.path.join(HERE, "readability_lxml_peer.py")]


def pick_peer(choice):
    if choice == "none":
        return None, None
    if choice in ("auto", "readability-js"):
        cmd = readability_js()
        if cmd is not None:
            return "Readability.js", cmd
        if choice == "readability-js":
            sys.exit("extract-eval: Readability.js needs Node 20 and npm")
    cmd = readability_lxml()
    if cmd is None:
        sys.exit("extract-eval: no peer could be installed (try --peer none)")
    return "readability-lxml", cmd


def run(name, cmd, dataset, root, jobs, save):
    pages = score.load(dataset, root)
    print("extract-eval: %s on %s (%d pages)" % (name, dataset, len(pages)), file=sys.stderr)
    outs = score.run_binary(cmd, root, pages, jobs)
    for o in outs:
        # A peer that gives its article as HTML is read with the scorer's own
        # HTML-to-text, as the gold expected.html is.
        if o.get("html") and not o.get("text"):
            o["text"] = score.html_text(o["html"])
    if save:
        with open(os.path.join(save, "%s-%s.jsonl" % (name.replace(".", "").lower(), dataset)), "w",
                  encoding="utf-8") as f:
            for o in outs:
                f.write(json.dumps(o, ensure_ascii=False) + "\n")
    res = score.score(pages, outs)
    res["times"] = [o["_s"] for o in outs if "_s" in o]
    return res


def wcxb_pages(a):
    pages = score.load("wcxb", os.path.join(a.corpus, "wcxb-dev"))
    want = set(filter(None, a.wcxb_types.split(",")))
    pages = [p for p in pages if (a.wcxb_part == "all" or score.wcxb_part(p) == a.wcxb_part)
             and (not want or p["type"] in want)]
    if a.wcxb_limit and len(pages) > a.wcxb_limit:
        step = len(pages) / a.wcxb_limit
        pages = [pages[int(i * step)] for i in range(a.wcxb_limit)]
    return pages


def run_wcxb(name, cmd, pages, a):
    root = os.path.join(a.corpus, "wcxb-dev")
    print("extract-eval: %s on wcxb (%d pages, %s)" % (name, len(pages), a.wcxb_part), file=sys.stderr)
    outs = score.run_binary(cmd, root, pages, a.jobs)
    for o in outs:
        if o.get("html") and not o.get("text"):
            o["text"] = score.html_text(o["html"])
    if a.save:
        with open(os.path.join(a.save, "%s-wcxb.jsonl" % name.replace(".", "").lower()), "w", encoding="utf-8") as f:
            for o in outs:
                f.write(json.dumps(o, ensure_ascii=False) + "\n")
    res = score.wcxb_scores(pages, outs, wcxb_metric(a.wcxb_scorer))
    res["times"] = [o["_s"] for o in outs if "_s" in o]
    return res


def wcxb_metric(path):
    spec = importlib.util.spec_from_file_location("wcxb_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def print_wcxb(res, names, w):
    print("%-34s" % ("wcxb dev (%d pages)" % res[names[0]]["all"]["pages"]) + "".join("%*s" % (w, n) for n in names))
    groups = [("all", res[names[0]]["all"])] + sorted(res[names[0]]["types"].items())
    for g, r in groups:
        cells = [(res[n]["all"] if g == "all" else res[n]["types"][g]) for n in names]
        print("%-34s" % ("wcxb %s (%d) F1" % (g, r["pages"])) + "".join("%*s" % (w, fmt(c["f1"])) for c in cells))
    for k, label in (("p", "precision"), ("r", "recall"), ("with", "with snippets kept"),
                     ("without", "without snippets kept"), ("title", "title"), ("author", "author"),
                     ("date", "date")):
        print("%-34s" % ("wcxb all %s" % label) + "".join("%*s" % (w, fmt(res[n]["all"][k])) for n in names))


def fmt(v, digits=3):
    return "-" if v is None else "%.*f" % (digits, v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "newswatch"))
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "corpus", "articles"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--peer", default="auto", choices=["auto", "readability-js", "readability-lxml", "none"])
    ap.add_argument("--save", help="keep every output as JSONL in this folder")
    ap.add_argument("--sets", default="trafilatura,mozilla,wcxb")
    ap.add_argument("--wcxb-part", default="all", choices=["all", "tune", "check"])
    ap.add_argument("--wcxb-types", default="", help="only these page types (comma-separated)")
    ap.add_argument("--wcxb-limit", type=int, default=0, help="every k-th page, this many in all")
    ap.add_argument("--wcxb-scorer", default=os.path.join(HERE, "..", "..", "shared", "tools", "wcxb_score.py"))
    a = ap.parse_args()
    sets = [s for s in a.sets.split(",") if s]
    if a.save:
        os.makedirs(a.save, exist_ok=True)
    peer, peer_cmd = pick_peer(a.peer)
    tools = [("newswatch", [os.path.abspath(a.binary)])] + ([(peer, peer_cmd)] if peer else [])
    res = {}
    article_sets = [ds for ds in ("trafilatura", "mozilla") if ds in sets]
    for ds in article_sets:
        root = os.path.join(a.corpus, ds)
        for name, cmd in tools:
            res[name, ds] = run(name, cmd, ds, root, a.jobs, a.save)
    wcxb = {}
    if "wcxb" in sets:
        pages = wcxb_pages(a)
        for name, cmd in tools:
            wcxb[name] = run_wcxb(name, cmd, pages, a)

    names = [t[0] for t in tools]
    w = max(len(n) for n in names) + 2
    if article_sets:
        print("%-34s" % "" + "".join("%*s" % (w, n) for n in names))
    rows = []
    for ds in article_sets:
        rows.append(("%s body F1" % ds, [res[n, ds]["body"]["f1"] for n in names]))
        rows.append(("%s body precision / recall" % ds, None))
        for f in FIELDS:
            vals = [res[n, ds]["fields"].get(f) for n in names]
            if vals[0] is not None:
                rows.append(("%s %s" % (ds, f), vals))
    for label, vals in rows:
        if vals is None:
            ds = label.split()[0]
            cells = ["%.2f/%.2f" % (res[n, ds]["body"]["precision"], res[n, ds]["body"]["recall"]) for n in names]
            print("%-34s" % label + "".join("%*s" % (w, c) for c in cells))
            continue
        print("%-34s" % label + "".join("%*s" % (w, fmt(v)) for v in vals))
    if wcxb:
        print_wcxb(wcxb, names, w)
    times = {n: sum((res[n, ds]["times"] for ds in article_sets), []) + (wcxb[n]["times"] if wcxb else [])
             for n in names}
    ms = {n: 1000 * statistics.median(times[n]) for n in names}
    print("%-34s" % "median ms/page (all sets)" + "".join("%*s" % (w, fmt(ms[n], 1)) for n in names))
    if peer:
        print("newswatch takes %.3f of %s's time per page (%.0fx faster)" % (ms["newswatch"] / ms[peer], peer,
                                                                               ms[peer] / ms["newswatch"]))


if __name__ == "__main__":
    main()
