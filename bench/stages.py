#!/usr/bin/python3
"""Where a newswatch run spends its CPU, by stage, from a perf profile.

    stages.py -- COMMAND...        (run COMMAND under perf, print the shares)

perf samples the command's stacks (DWARF unwinding, so that samples inside
libxml2, libcurl or SQLite are charged to the newswatch function that
called them).  Each sample goes to the innermost stage on its stack:

  fetch       libcurl and the sockets (curl_multi_socket_action, ...)
  feed parse  feed_parse: libxml2 and our reading of the feed
  diff        diff_new_entries (its SQLite lookups included)
  HTML parse  libxml2's HTML parser under article_parse
  extraction  the rest of article_parse: metadata, readable text, JSON-LD
  state       the other SQLite work (transactions, marks, feed rows)
  spool       the item's JSON text and its file (spool_put, spool_sync)
  other       the loop, start-up, config, logging
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

STAGES = [
    ("spool", r"(spool_put|spool_sync|item_json)"),
    ("HTML parse", r"(htmlReadMemory|htmlCtxtReadMemory|htmlParseDocument|htmlCtxtUseOptions)"),
    ("extraction", r"article_parse"),
    ("feed parse", r"feed_parse"),
    ("diff", r"diff_new_entries"),
    ("state", r"(state_\w+|sqlite3_\w+)"),
    ("fetch", r"(curl_multi_\w+|curl_easy_\w+|on_body|on_header|http_get)"),
]
RULES = [(name, re.compile(rf"^{rx}$")) for name, rx in STAGES]


def classify(script_lines):
    """Counter of stage -> samples from `perf script -F comm,ip,sym` text."""
    counts = collections.Counter()
    stack = None

    def close():
        if stack is None:
            return
        for sym in stack:              # innermost first
            for name, rx in RULES:
                if rx.match(sym):
                    counts[name] += 1
                    return
        counts["other"] += 1

    for line in script_lines:
        if not line.startswith("\t"):
            if line.strip():
                close()
                stack = []
            continue
        parts = line.split(None, 1)
        if stack is not None and len(parts) > 1:
            stack.append(parts[1].strip().removesuffix(" (inlined)"))
    close()
    return counts


def profile(cmd, out_path):
    """Run cmd under perf record; return {stage: share} or None when perf
    is missing or fails (the reason goes to out_path)."""
    if shutil.which("perf") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="nw-perf-") as tmp:
        data = os.path.join(tmp, "perf.data")
        with open(out_path, "w") as out:
            rec = subprocess.run(["perf", "record", "-q", "-F", "499",
                                  "--call-graph", "dwarf,16384", "-o", data, "--"] + cmd,
                                 stdout=out, stderr=subprocess.STDOUT, check=False)
        if rec.returncode != 0:
            return None
        script = subprocess.run(["perf", "script", "-i", data, "-F", "comm,ip,sym"],
                                capture_output=True, text=True, check=False)
    counts = classify(script.stdout.splitlines())
    total = sum(counts.values())
    return {k: v / total for k, v in counts.most_common()} if total else None


def shares_text(shares):
    return ", ".join(f"{k} {v:.0%}" for k, v in shares.items())


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "--":
        sys.exit(__doc__)
    result = profile(sys.argv[2:], "/dev/stderr")
    print(shares_text(result) if result else "stages: perf failed")
