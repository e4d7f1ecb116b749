#!/usr/bin/env python3
"""Precision and recall of the near-duplicate fingerprint (feeds/neardup.c) on pairs made from the
article corpora (standard library only).

    dup_eval.py --binary ./newswatch --fp build/tools/dup_fp --corpus ../shared/corpus/articles

Documents: each WCXB dev page (ground-truth main_content, and our extraction of its HTML), each
Readability test page (the text of expected.html, and our extraction of source.html), each
trafilatura page (our extraction only). Pairs, each labelled same story or not:
  boilerplate   same story: the ground-truth text against our extraction of the page, which keeps
                whatever boilerplate the extractor let through and loses what it missed
  syndicated    same story: an edited copy of the ground truth (headline changed, one paragraph
                dropped, a paragraph of credits added, a wrapper of other boilerplate) against our
                extraction of the original page
  template      different stories: our extractions of two pages of one domain (WCXB's domains with
                several pages): the site's template is all they share
  template==    such pairs whose two extractions are the same text (the extractor found only the
                template): no text fingerprint can tell them apart
  random        different stories: our extractions of two random pages
Texts too short for a fingerprint never match: a positive pair where one has none is a miss.
Documents are split in two halves by a hash of their name; the threshold is chosen on the tune half
(the best F1 there among those that match at most 1% of the template pairs, as a wrong
"duplicate" hides a story) and reported on the check half.
Extractions are cached in build/dup_eval_cache.json.
"""
import argparse, gzip, hashlib, json, os, random, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

SLOTS = 16
# The share of one template's different stories the threshold may match.
TEMPLATE_FP = 0.01


class Text(HTMLParser):
    """The text of expected.html, a paragraph per block element."""
    BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br"}

    def __init__(self):
        super().__init__()
        self.out = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCK:
            self.out.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.BLOCK:
            self.out.append("\n\n")

    def handle_data(self, data):
        self.out.append(data)

    def text(self):
        t = "".join(self.out)
        paras = [re.sub(r"\s+", " ", p).strip() for p in t.split("\n\n")]
        return "\n\n".join(p for p in paras if p)


def extract(binary, path, url):
    try:
        r = subprocess.run([binary, "extract", path, "--url", url], capture_output=True, timeout=60)
        return json.loads(r.stdout).get("text") or ""
    except (subprocess.SubprocessError, ValueError):
        return ""


def load_docs(corpus, binary, cache_path):
    """[{name, domain, gt or None, page (path), url}]; ext filled from the cache or by extraction."""
    docs = []
    wc = os.path.join(corpus, "wcxb-dev")
    meta = json.load(open(os.path.join(wc, "metadata.json")))["files"]
    for fid, m in sorted(meta.items()):
        gt_path = os.path.join(wc, "ground-truth", fid + ".json")
        page = os.path.join(wc, "html", fid + ".html.gz")
        if not os.path.exists(gt_path) or not os.path.exists(page):
            continue
        g = json.load(open(gt_path))
        docs.append({"name": "wcxb/" + fid, "domain": m["domain"], "url": g.get("url") or
                     "https://" + m["domain"] + "/", "page": page,
                     "gt": g["ground_truth"].get("main_content") or ""})
    moz = os.path.join(corpus, "mozilla")
    for d in sorted(os.listdir(moz)):
        exp = os.path.join(moz, d, "expected.html")
        if not os.path.exists(exp):
            continue
        t = Text()
        t.feed(open(exp, encoding="utf-8", errors="replace").read())
        docs.append({"name": "mozilla/" + d, "domain": "mozilla/" + d, "page":
                     os.path.join(moz, d, "source.html"), "url": "http://fakehost/test/page.html",
                     "gt": t.text()})
    tr = os.path.join(corpus, "trafilatura")
    for url, v in sorted(json.load(open(os.path.join(tr, "evaldata.json"))).items()):
        docs.append({"name": "trafilatura/" + v["file"], "domain": url.split("/")[2] if "//" in url
                     else v["file"], "page": os.path.join(tr, "pages", v["file"]), "url": url,
                     "gt": None})
    cache = {}
    if os.path.exists(cache_path):
        cache = json.load(open(cache_path))
    todo = [d for d in docs if d["name"] not in cache]

    def run(d):
        path = d["page"]
        if path.endswith(".gz"):
            tmp = os.path.join(os.path.dirname(cache_path), "dup_eval_page.%d.html" % os.getpid())
            tmp += "." + hashlib.md5(d["name"].encode()).hexdigest()
            with open(tmp, "wb") as f:
                f.write(gzip.open(path).read())
            try:
                return d["name"], extract(binary, tmp, d["url"])
            finally:
                os.unlink(tmp)
        return d["name"], extract(binary, path, d["url"])

    if todo:
        print("extracting %d pages ..." % len(todo), file=sys.stderr)
        with ThreadPoolExecutor(2) as ex:
            for name, text in ex.map(run, todo):
                cache[name] = text
        os.makedirs(os.path.dirname(cache_path) or ".", exist_ok=True)
        json.dump(cache, open(cache_path, "w"))
    for d in docs:
        d["ext"] = cache[d["name"]]
        # Many Readability test pages are one Lorem ipsum text: one "site".
        if d["name"].startswith("mozilla/") and "lorem ipsum" in d["ext"].lower():
            d["domain"] = "mozilla/lorem"
    return docs


CREDITS = ["Reporting by the news desk; editing by the wire service.",
           "This story has been corrected to show the right date of the meeting.",
           "Copyright the agency. All rights reserved. This material may not be published, "
           "broadcast, rewritten or redistributed."]
WRAPPER_TOP = "Home | World | Politics | Business | Sport\nShare on Facebook Share on X Email"
WRAPPER_END = "Most read\nRelated stories\nSign up for our newsletter\nAdvertisement"


def syndicate(text, rng):
    """An edited copy: new headline, one paragraph dropped, credits added, other boilerplate."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    if len(paras) >= 4:
        del paras[rng.randrange(1, len(paras))]
    paras.insert(rng.randrange(0, len(paras) + 1), rng.choice(CREDITS))
    return "\n\n".join([WRAPPER_TOP, "Breaking: a new headline for the story"] + paras +
                       [WRAPPER_END])


def half(name):
    return "tune" if hashlib.md5(name.encode()).digest()[0] & 1 else "check"


def pairs(docs, seed=20):
    """(kind, half, text a, text b, same) for every pair we build."""
    rng = random.Random(seed)
    out = []
    for d in docs:
        h = half(d["name"])
        if d["gt"] is not None:
            out.append(("boilerplate", h, d["gt"], d["ext"], True))
            out.append(("syndicated", h, syndicate(d["gt"], rng), d["ext"], True))
    by_domain = {}
    for d in docs:
        if d["name"].startswith("wcxb/"):
            by_domain.setdefault(d["domain"], []).append(d)
    for dom, ds in sorted(by_domain.items()):
        for i in range(len(ds)):
            for j in range(i + 1, len(ds)):
                # A pair's half is its first document's: both halves get templates.
                # Two pages whose extractions are the same text (only the
                # template came out) match at any threshold: counted apart.
                kind = "template" if ds[i]["ext"] != ds[j]["ext"] else "template=="
                out.append((kind, half(ds[i]["name"]), ds[i]["ext"], ds[j]["ext"], False))
    for _ in range(20000):
        a, b = rng.sample(docs, 2)
        if a["domain"] != b["domain"]:
            out.append(("random", half(a["name"]), a["ext"], b["ext"], False))
    return out


def fingerprints(fp_bin, texts):
    data = b"".join(t.encode("utf-8", "replace") + b"\0" for t in texts)
    r = subprocess.run([fp_bin], input=data, capture_output=True, check=True)
    out = []
    for line in r.stdout.decode().split("\n")[:len(texts)]:
        if line == "-":
            out.append(None)
            continue
        hexfp, *bands = line.split()
        out.append(([hexfp[i:i + 8] for i in range(0, len(hexfp), 8)], set(bands)))
    return out


def agreement(fx, fy):
    """Slots two fingerprints agree on, or None when a lookup by band would not find them."""
    if fx is None or fy is None or not fx[1] & fy[1]:
        return None
    return sum(a == b for a, b in zip(fx[0], fy[0]))


def score(rows, t):
    """precision, recall, F1, counts per kind at threshold t."""
    tp = fp = fn = 0
    per = {}
    for kind, _, d, same in rows:
        hit = d is not None and d >= t
        k = per.setdefault(kind, [0, 0])
        k[0] += hit
        k[1] += 1
        if same and hit:
            tp += 1
        elif same:
            fn += 1
        elif hit:
            fp += 1
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="./newswatch")
    ap.add_argument("--fp", default="build/tools/dup_fp")
    ap.add_argument("--corpus", default="../shared/corpus/articles")
    ap.add_argument("--cache", default="build/dup_eval_cache.json")
    a = ap.parse_args()
    docs = load_docs(a.corpus, a.binary, a.cache)
    ps = pairs(docs)
    texts = sorted({t for p in ps for t in (p[2], p[3])})
    fps = dict(zip(texts, fingerprints(a.fp, texts)))
    rows = {"tune": [], "check": []}
    for kind, h, x, y, same in ps:
        rows[h].append((kind, h, agreement(fps[x], fps[y]), same))
    print("documents %d, pairs %d (tune %d, check %d)" % (len(docs), len(ps), len(rows["tune"]),
                                                          len(rows["check"])))
    kinds = ["boilerplate", "syndicated", "template", "template==", "random"]
    for h in ("tune", "check"):
        n = {k: sum(1 for r in rows[h] if r[0] == k) for k in kinds}
        print("%s half: %s" % (h, ", ".join("%s %d" % (k, n[k]) for k in kinds)))
    print("\nthreshold sweep, tune half: pairs sharing a band and agreeing on at least t of %d slots\n(share of pairs matched per kind)" % SLOTS)
    print("%3s %9s %7s %6s  %s" % ("agree", "precision", "recall", "F1", "  ".join("%11s" % k for k in kinds)))
    best, best_f1 = SLOTS, -1.0
    for t in range(SLOTS, 0, -1):
        p, r, f, per = score(rows["tune"], t)
        tpl = per.get("template", [0, 1])
        if tpl[0] <= TEMPLATE_FP * tpl[1] and f > best_f1:
            best, best_f1 = t, f
        print("%3d %9.4f %7.4f %6.4f  %s" % (t, p, r, f, "  ".join(
            "%11.4f" % (per[k][0] / per[k][1]) if k in per else "%11s" % "-" for k in kinds)))
    p, r, f, per = score(rows["check"], best)
    print("\nchosen threshold %d of %d slots (the best F1 on the tune half that matches at most"
          " %g%% of template pairs)" % (best, SLOTS, TEMPLATE_FP * 100))
    print("check half at %d: precision %.4f recall %.4f F1 %.4f" % (best, p, r, f))
    for k in kinds:
        if k in per:
            print("  %-12s matched %d of %d (%.4f)" % (k, per[k][0], per[k][1], per[k][0] / per[k][1]))
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "feeds", "neardup.h")
    used = re.search(r"#define NEARDUP_MIN_AGREE (\d+)", open(header).read()).group(1)
    print("newswatch uses %s (NEARDUP_MIN_AGREE, feeds/neardup.h)" % used)
    short = sum(1 for d in docs if fps.get(d["ext"]) is None)
    print("pages whose extraction is too short for a fingerprint: %d of %d" % (short, len(docs)))


if __name__ == "__main__":
    main()
