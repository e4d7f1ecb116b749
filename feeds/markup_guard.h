/*
 * markup_guard.h - bound what one start tag may cost libxml2, before
 * libxml2 sees the document.
 *
 * libxml2 2.9.14 compares each attribute of a start tag with every
 * earlier one (xmlParseStartTag2, htmlParseStartTag), and looks each
 * prefixed name up by a linear scan of the namespace declarations in
 * scope, so one tag with 200,000 attributes costs minutes.  This module
 * reads the bytes once, as libxml2's tokenizer would (quoted values,
 * comments, CDATA sections, processing instructions, the DOCTYPE and its
 * entity values, HTML's <script> and <style>), and drops the attributes
 * past a cap, so that the parse that follows is linear in the size of
 * the document.
 *
 * Promises: linear time in len, no allocation unless something is dropped
 * (a normal document is neither changed nor copied).  What is dropped is
 * whole attributes (name, value and the blanks before them but one), and
 * in HTML the end tags at the start of <script> or <style> text that
 * would end it or not depending on which elements libxml2 has implied
 * (</p> in "<script></p>"); XML entity values that spell markup in
 * character references ("&#60;z a='1'>") and the DOCTYPE's <!ATTLIST>
 * declarations (each default is copied into every element it names);
 * never text.
 * Documents in UTF-16 or UTF-32 (a charset that says so, or without one
 * their BOM or the way they begin with "<?" or "<", as libxml2 tells
 * them) are read in their code units.
 * Does not promise well-formed output: it removes from what libxml2
 * reads, it does not repair.
 */
#ifndef NW_MARKUP_GUARD_H
#define NW_MARKUP_GUARD_H

#include <stddef.h>

/* Attributes one start tag may keep; more is no page's or feed's need. */
#define MARKUP_GUARD_MAX_ATTRS 256
/* Namespace declarations in scope at once (XML only): a feed declares a
 * few dozen on its root at most. */
#define MARKUP_GUARD_MAX_NS 128

/* markup_guard flags */
#define MARKUP_GUARD_HTML 0x1 /* read as libxml2's HTML parser reads:
			       * no CDATA or namespaces, <script> and
			       * <style> raw, unquoted values */

/* What a call dropped. */
struct markup_guard_stats {
	size_t attrs;   /* attributes past max_attrs on their tag */
	size_t ns;      /* namespace declarations past max_ns in scope */
	size_t tags;    /* HTML end tags left out of <script> or <style> */
	size_t entities; /* XML entity values emptied: markup in character
			  * references */
	size_t attlists; /* XML <!ATTLIST> declarations dropped */
};

/*
 * Read len bytes of buf as an XML document (flags 0) or an HTML page
 * (MARKUP_GUARD_HTML) in charset (the one the parser is told; NULL when
 * it is to find out), keeping at most max_attrs attributes per start tag
 * and, for XML, at most max_ns namespace declarations in scope (callers
 * pass MARKUP_GUARD_MAX_ATTRS and MARKUP_GUARD_MAX_NS; tests pass small
 * ones).  Returns 0 with *out NULL and *outlen len when nothing needs
 * dropping, 0 with *out the shortened copy (caller frees; NUL-terminated,
 * its length in *outlen) when something was dropped, -1 on allocation
 * failure.  stats (may be NULL) says what was dropped.  outlen may
 * point at the variable the caller passed len from.
 */
int markup_guard(const char *buf, size_t len, unsigned flags,
    const char *charset, size_t max_attrs, size_t max_ns, char **out,
    size_t *outlen, struct markup_guard_stats *stats);

/*
 * markup_guard with the default caps, for callers that parse whatever
 * comes back: returns buf itself, or the shortened copy (then also left
 * in *copy for the caller to free; else *copy is NULL), its length in
 * *len.  NULL on allocation failure.
 */
const char *markup_guarded(const char *buf, size_t *len, unsigned flags,
    const char *charset, char **copy);

#endif
