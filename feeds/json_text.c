/* json_text.c - see json_text.h */
#include <stdint.h>
#include <string.h>

#include "json_text.h"

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
/* Input bytes escaped at a time: room for six times as many at most. */
#define CHUNK 4096

/* The index of the first 8-byte word from i that may hold a byte to
 * escape (a control character, '"' or '\\'), or of the tail shorter
 * than a word: item texts are long and mostly need no escape. */
static size_t
skip_plain(const char *s, size_t i, size_t len)
{
	while (len - i >= 8) {
		uint64_t w;

		memcpy(&w, s + i, sizeof(w));
		/* A byte's high bit: below 0x20, or '"' or '\\' (xor made it
		 * 0), or a borrow from a lower byte that was; the three tests
		 * share ~w, which xor with ASCII leaves as it was. */
		if (((w - ONES * 0x20) | ((w ^ (ONES * '"')) - ONES) |
		    ((w ^ (ONES * '\\')) - ONES)) & ~w & HIGHS)
			break;
		i += 8;
	}
	return i;
}

/* jansson's escapes, non-ASCII as is (its strings are valid UTF-8),
 * written a chunk at a time straight into b's room for the worst case:
 * HTML content has a quote or a line end every few words. */
void
json_text_string(struct strbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;

	strbuf_add(b, "\"", 1);
	while (i < len) {
		size_t end = len - i > CHUNK ? i + CHUNK : len, plain;
		char *o = strbuf_room(b, (end - i) * 6), *start = o;

		if (o == NULL)
			return;
		while (i < end) {
			plain = skip_plain(s, i, end);
			memcpy(o, s + i, plain - i);
			o += plain - i;
			for (i = plain; i < end && i < plain + 8; i++) {
				unsigned char c = (unsigned char)s[i];
				char e;

				if (c >= 0x20 && c != '"' && c != '\\') {
					*o++ = (char)c;
					continue;
				}
				e = c == '"' || c == '\\' ? (char)c :
				    c == '\b' ? 'b' : c == '\f' ? 'f' :
				    c == '\n' ? 'n' : c == '\r' ? 'r' :
				    c == '\t' ? 't' : 0;
				if (e != 0) {
					*o++ = '\\';
					*o++ = e;
				} else {
					memcpy(o, "\\u00", 4);
					o[4] = hex[c >> 4];
					o[5] = hex[c & 15];
					o += 6;
				}
			}
		}
		b->len += (size_t)(o - start);
		b->p[b->len] = '\0';
	}
	strbuf_add(b, "\"", 1);
}

void
json_text_line(struct strbuf *b, int depth)
{
	static const char spaces[] = "                                ";
	size_t n;

	if (depth < 0)
		return;
	strbuf_add(b, "\n", 1);
	/* Two spaces a level, a run of them at a time. */
	for (n = (size_t)depth * 2; n > sizeof(spaces) - 1;
	    n -= sizeof(spaces) - 1)
		strbuf_add(b, spaces, sizeof(spaces) - 1);
	strbuf_add(b, spaces, n);
}
