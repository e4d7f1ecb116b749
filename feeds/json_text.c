/* json_text.c - see json_text.h */
#include <stdint.h>
#include <string.h>

#include "json_text.h"

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The index of the first 8-byte word from i that may hold a byte to
 * escape (a control character, '"' or '\\'), or of the tail shorter
 * than a word: item texts are long and mostly need no escape. */
static size_t
skip_plain(const char *s, size_t i, size_t len)
{
	while (len - i >= 8) {
		uint64_t w, q, bs;

		memcpy(&w, s + i, sizeof(w));
		q = w ^ (ONES * '"');
		bs = w ^ (ONES * '\\');
		if (((w - ONES * 0x20) & ~w & HIGHS) |
		    ((q - ONES) & ~q & HIGHS) | ((bs - ONES) & ~bs & HIGHS))
			break;
		i += 8;
	}
	return i;
}

/* jansson's escapes, non-ASCII as is (its strings are valid UTF-8). */
void
json_text_string(struct strbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;

	strbuf_add(b, "\"", 1);
	for (size_t i = 0; (i = skip_plain(s, i, len)) < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = "\\u00";
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		strbuf_add(b, esc, n);
	}
	strbuf_add(b, s + run, len - run);
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
