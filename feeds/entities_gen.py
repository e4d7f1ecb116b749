#!/usr/bin/python3
"""Write feeds/entities.c: HTML5's named character references, one code
point each, from Python's html.entities.html5.

    python3 feeds/entities_gen.py > feeds/entities.c
"""
import html.entities

HEAD = """/*
 * entities.c - HTML5's named character references (HTML 4's among them),
 * for feeds and pages that use them without a DTD: libxml2 2.9 knows only
 * HTML 4's.  Names that stand for two code points are left out (a
 * reference here is one code point).  Written by entities_gen.py
 * from Python's html.entities.html5; names without their ';', in strcmp
 * order.
 */
#include <stdlib.h>
#include <string.h>

#include "entities.h"

static const struct html5_entity {
\tconst char *name;
\tlong cp;
} html5[] = {
"""

TAIL = """};

static int
html5_cmp(const void *key, const void *elem)
{
\treturn strcmp(key, ((const struct html5_entity *)elem)->name);
}

long
entities_codepoint(const char *name)
{
\tconst struct html5_entity *e = bsearch(name, html5,
\t    sizeof(html5) / sizeof(html5[0]), sizeof(html5[0]), html5_cmp);

\treturn e != NULL ? e->cp : -1;
}
"""


def main():
    rows = sorted(((k[:-1], ord(v)) for k, v in html.entities.html5.items()
                   if k.endswith(";") and len(v) == 1),
                  key=lambda r: r[0].encode())
    lines, cur = [], "\t"
    for name, cp in rows:
        item = '{ "%s", %d }, ' % (name, cp)
        if len(cur.expandtabs(8)) + len(item.rstrip()) > 78:
            lines.append(cur.rstrip())
            cur = "\t"
        cur += item
    lines.append(cur.rstrip())
    print(HEAD + "\n".join(lines) + "\n" + TAIL, end="")


if __name__ == "__main__":
    main()
