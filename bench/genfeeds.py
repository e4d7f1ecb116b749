#!/usr/bin/python3
"""Generate a deterministic set of realistic feeds for the benchmark.

    genfeeds.py --dir DIR --feeds N --entries M [--seed S] [--base URL]

writes DIR/fNNNN.rss (RSS 2.0, about 80% of the feeds) and DIR/fNNNN.atom
(Atom 1.0, the rest), each with M entries and, for M = 50, 20-120 KB:
titles, links to BASE/articles/fNNNN/NNN.html, guids, dates, authors,
categories, descriptions of a few hundred characters of varied text
(accents, entities), and on some entries HTML content (content:encoded in
RSS, <content type="html"> in Atom) that brings each feed to its size.

It also writes DIR/feeds.yaml.in, the benchmark's config with the
placeholders @SPOOL@ and @STATE@ (and @BASE@ wherever BASE was left at its
default "@BASE@").  The same seed always gives the same bytes.
"""
import argparse
import os
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

WORDS = """
government minister election parliament council budget reform economy market
inflation bank rates growth trade export import energy climate summit treaty
border security defence police court judge trial appeal ruling law rights
health hospital vaccine research university students schools teachers science
technology software security network data privacy platform startup investors
company shares profits workers strike union wages housing prices rent city
region village river coast storm flood drought heat wildfire harvest farmers
football league match season coach player transfer championship final record
film festival music album concert theatre museum exhibition author novel prize
railway airport flights traffic bridge tunnel port shipping fuel electricity
water supply waste recycling emissions solar wind nuclear grid battery
report survey study analysis official spokesperson statement interview agency
said announced warned confirmed denied proposed approved rejected delayed
new major local national international early late first final key senior
after before during despite amid following against between across within
Zürich café città São Paulo Kraków Malmö naïve résumé façade déjà jalapeño
""".split()
FIRST = "Anna Marco Sofia Luca Giulia John Mary Ahmed Yuki Olga Pierre Chen Fatima Diego".split()
LAST = "Rossi Smith Müller García Tanaka Ivanova Dubois Wang Haddad Silva Kowalski Novak".split()
SECTIONS = "world politics economy business technology science health sport culture local".split()
KB = 1024


def sentence(rng, lo=6, hi=18):
    """A capitalised sentence of random words, with the odd punctuation."""
    words = rng.choices(WORDS, k=rng.randint(lo, hi))
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), rng.choice(["R&D", "\u201cwe will\u201d",
                                                              "5 < 7", "\u2014", "Q&A"]))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng, chars):
    """Sentences until about `chars` characters."""
    out = []
    while sum(len(s) + 1 for s in out) < chars:
        out.append(sentence(rng))
    return " ".join(out)


def html_body(rng, link, paragraphs):
    """HTML content: paragraphs with links, emphasis, a list, an image."""
    parts = []
    for i in range(paragraphs):
        words = paragraph(rng, rng.randint(300, 700)).split(" ")
        k = rng.randrange(len(words))
        words[k] = f'<a href="{link}#p{i}">{escape(words[k])}</a>'
        words[-1] = f"<em>{escape(words[-1])}</em>"
        parts.append("<p>" + " ".join(w if w.startswith("<") else escape(w)
                                      for w in words) + "</p>")
        if i == 0:
            parts.append(f'<figure><img src="{link}.jpg" alt="photo" width="640"/>'
                         f"<figcaption>{escape(sentence(rng))}</figcaption></figure>")
    parts.append("<ul>" + "".join(f"<li>{escape(sentence(rng, 3, 8))}</li>"
                                  for _ in range(3)) + "</ul>")
    return "\n".join(parts)


def make_entries(rng, name, base, count, now, summary_chars):
    """The feed's entries as dicts, newest first."""
    entries = []
    when = now
    for n in range(count, 0, -1):
        when -= timedelta(minutes=rng.randint(3, 240))
        link = f"{base}/articles/{name}/{n:03d}.html"
        entries.append({
            "title": sentence(rng, 5, 12).rstrip(".?!"),
            "link": link,
            "guid": f"urn:newswatch-bench:{name}:{n}",
            "date": when,
            "author": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "categories": rng.sample(SECTIONS, rng.randint(1, 3)),
            "summary": paragraph(rng, rng.randint(summary_chars // 2, summary_chars)),
            "content": None,
        })
    return entries


def rss_entry(e):
    cats = "".join(f"<category>{escape(c)}</category>" for c in e["categories"])
    content = (f"\n<content:encoded><![CDATA[{e['content']}]]></content:encoded>"
               if e["content"] else "")
    return (f"<item>\n<title>{escape(e['title'])}</title>\n<link>{escape(e['link'])}</link>\n"
            f"<guid isPermaLink=\"false\">{escape(e['guid'])}</guid>\n"
            f"<pubDate>{format_datetime(e['date'], usegmt=True)}</pubDate>\n"
            f"<dc:creator>{escape(e['author'])}</dc:creator>\n{cats}\n"
            f"<description>{escape(e['summary'])}</description>{content}\n</item>\n")


def rss_feed(name, base, entries):
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
            f"<title>Bench wire {name}</title>\n<link>{escape(base)}/{name}/</link>\n"
            f'<atom:link href={quoteattr(f"{base}/{name}.rss")} rel="self" '
            'type="application/rss+xml"/>\n'
            f"<description>Generated feed {name}</description>\n<language>en</language>\n"
            f"<lastBuildDate>{format_datetime(entries[0]['date'], usegmt=True)}"
            "</lastBuildDate>\n")
    return head + "".join(rss_entry(e) for e in entries) + "</channel>\n</rss>\n"


def atom_entry(e):
    stamp = e["date"].strftime("%Y-%m-%dT%H:%M:%SZ")
    cats = "".join(f"<category term={quoteattr(c)}/>" for c in e["categories"])
    content = (f'\n<content type="html">{escape(e["content"])}</content>'
               if e["content"] else "")
    return (f"<entry>\n<title>{escape(e['title'])}</title>\n"
            f'<link rel="alternate" type="text/html" href={quoteattr(e["link"])}/>\n'
            f"<id>{escape(e['guid'])}</id>\n<published>{stamp}</published>\n"
            f"<updated>{stamp}</updated>\n<author><name>{escape(e['author'])}</name></author>\n"
            f"{cats}\n<summary>{escape(e['summary'])}</summary>{content}\n</entry>\n")


def atom_feed(name, base, entries):
    stamp = entries[0]["date"].strftime("%Y-%m-%dT%H:%M:%SZ")
    head = ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
            f"<title>Bench wire {name}</title>\n<id>urn:newswatch-bench:{name}</id>\n"
            f'<link rel="alternate" href={quoteattr(f"{base}/{name}/")}/>\n'
            f'<link rel="self" href={quoteattr(f"{base}/{name}.atom")}/>\n'
            f"<updated>{stamp}</updated>\n")
    return head + "".join(atom_entry(e) for e in entries) + "</feed>\n"


def generate_feed(rng, name, base, count, now, atom):
    """One feed's text, filled with HTML content up to a random target size."""
    render = atom_feed if atom else rss_feed
    target = rng.randint(20 * KB, 120 * KB) * count // 50
    # Small feeds get short summaries: an entry without them is ~420 bytes.
    summary_chars = max(80, min(500, target // count - 300))
    entries = make_entries(rng, name, base, count, now, summary_chars)
    size = len(render(name, base, entries).encode())
    for e in entries:
        if size >= target:
            break
        e["content"] = html_body(rng, e["link"], rng.randint(2, 5))
        size += len(e["content"].encode()) + 40
    return render(name, base, entries)


def config_template(names, base, args):
    lines = [f"# bench/genfeeds.py --feeds {args.feeds} --entries {args.entries} "
             f"--seed {args.seed}",
             "spool: @SPOOL@", "state: @STATE@", "interval: 1h", "article: false",
             "first_poll: emit", "max_connections: 64", "per_host_connections: 64",
             "allow_private_addresses: true", "log_level: warning", "feeds:"]
    for name in names:
        lines += [f"  - url: {base}/{name}", f"    name: {name.split('.')[0]}"]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description="Generate benchmark feeds.")
    ap.add_argument("--dir", required=True, help="output directory (the served root)")
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--base", default="@BASE@",
                    help="URL the files are served under (default: the @BASE@ placeholder)")
    args = ap.parse_args()
    if args.feeds < 1 or args.entries < 1:
        ap.error("--feeds and --entries must be at least 1")
    base = args.base.rstrip("/")
    os.makedirs(args.dir, exist_ok=True)
    now = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    names = []
    for i in range(args.feeds):
        rng = random.Random(f"{args.seed}:{i}")
        atom = rng.random() < 0.2
        name = f"f{i:04d}.{'atom' if atom else 'rss'}"
        text = generate_feed(rng, name.split(".")[0], base, args.entries, now, atom)
        with open(os.path.join(args.dir, name), "w", encoding="utf-8") as f:
            f.write(text)
        names.append(name)
    with open(os.path.join(args.dir, "feeds.yaml.in"), "w", encoding="utf-8") as f:
        f.write(config_template(names, base, args))


if __name__ == "__main__":
    main()
