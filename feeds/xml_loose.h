/*
 * xml_loose.h - read a document that is not well-formed XML into a
 * libxml2 tree anyway, the way a careful human would read it: feedparser's
 * "loose" pass, for the documents libxml2's recovery gives up on.
 *
 * Promises: never stops on an error; time linear in len (every search
 * resumes where the last one ended), memory bounded by the tree it
 * builds; never the network or the disk.  Input is UTF-8 (the caller
 * converts).  What it does with what is wrong:
 *   - anything before the first element (blank lines before "<?xml",
 *     junk, a BOM) is skipped, processing instructions and comments are
 *     dropped, a DOCTYPE is skipped (its entities are not read);
 *   - '<' that starts no tag and '&' that starts no reference it knows
 *     are text; references are XML's five, numeric ones and HTML's
 *     named ones (text_entity_codepoint);
 *   - an end tag closes the nearest open element of its name, and every
 *     element opened inside it; an end tag no open element matches is
 *     dropped; the end of the input closes everything;
 *   - a CDATA section without its "]]>" ends at the end tag of its
 *     element, or where the next CDATA section starts, or at the end;
 *   - attributes past MARKUP_GUARD_MAX_ATTRS on one tag and namespace
 *     declarations past MARKUP_GUARD_MAX_NS in scope are dropped,
 *     elements deeper than XML_LOOSE_MAX_DEPTH are left out (their text
 *     goes to the deepest one kept).
 * The caller's rules (struct xml_loose_rules) say which elements hold
 * HTML as text, which are written empty by habit and which are entries.
 * Namespaces are resolved by scope as XML says; xml:base is kept as an
 * attribute, so libxml2's xmlNodeGetBase() reads it.
 */
#ifndef NW_XML_LOOSE_H
#define NW_XML_LOOSE_H

#include <stddef.h>

#include <libxml/tree.h>

#define XML_LOOSE_MAX_DEPTH 256

struct xml_loose_rules {
	/* Its content is text, markup included (HTML pasted unescaped into
	 * an RSS description): read to its end tag as it is, CDATA sections
	 * unwrapped; references decoded only where there is no markup. */
	int (*raw_text)(xmlNodePtr n);
	/* Written without content by habit and often left open
	 * (<itunes:image href="...">): the next start tag closes it. */
	int (*leaf)(xmlNodePtr n);
	/* An entry: its start tag closes an entry left open. */
	int (*entry)(xmlNodePtr n);
};

/* What was wrong, for the caller's warnings. */
struct xml_loose_report {
	size_t skipped;         /* bytes before the first element, blanks
	                         * aside */
	size_t implied_ends;    /* elements closed by an outer end tag or a
	                         * later start tag, not their own end tag */
	size_t stray_ends;      /* end tags no open element matched */
	size_t open_cdata;      /* CDATA sections without "]]>" */
	size_t dropped;         /* attributes, declarations and elements
	                         * past the caps */
	int ended_open;         /* the input ended inside the root */
	xmlNodePtr unfinished;  /* ...inside this entry (then left out) */
};

/*
 * Read len bytes of buf (UTF-8) into a new document whose URL is base_url
 * (may be NULL).  Returns the document (caller frees with xmlFreeDoc),
 * NULL when the input holds no element or on allocation failure; *rep says
 * what was repaired.
 */
xmlDocPtr xml_loose_read(const char *buf, size_t len, const char *base_url,
    const struct xml_loose_rules *rules, struct xml_loose_report *rep);

#endif
