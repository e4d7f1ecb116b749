/*
 * json_text.h - JSON text written straight into a strbuf, byte for byte
 * as jansson's json_dumps writes it (compact, or JSON_INDENT(2)), for the
 * places that would otherwise build a jansson tree only to print it.
 */
#ifndef NW_JSON_TEXT_H
#define NW_JSON_TEXT_H

#include <stddef.h>

#include "strbuf.h"

/* The n bytes of s (valid UTF-8) as a JSON string, quoted and escaped. */
void json_text_string(struct strbuf *b, const char *s, size_t n);

/* A line end and the indentation of depth; nothing when compact
 * (depth < 0). */
void json_text_line(struct strbuf *b, int depth);

#endif
