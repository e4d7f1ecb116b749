/*
 * xml_fast.h - read a well-formed UTF-8 XML document into a libxml2 tree
 * in one forward scan of our own, handing it over an element at a time:
 * the fast way in for the documents libxml2 would read without a single
 * complaint, which most feeds are.
 *
 * Promises: the tree is the one libxml2's parser builds with the feed
 * parser's options (XML_PARSE_NOCDATA, blanks kept, no DTD): the same
 * elements, namespaces, attributes (values normalised as XML says), text
 * (references decoded, line ends made '\n', CDATA sections merged into
 * their text) and comments.  Whatever it is not sure libxml2 would read
 * the same way without an error, it refuses rather than guesses: a
 * DOCTYPE, a reference other than XML's five and numeric ones, a tag not
 * closed in order, an undeclared prefix, a duplicate attribute, a
 * control character, a processing instruction inside the root, text
 * outside it, names that are not ASCII, nesting past XML_FAST_MAX_DEPTH,
 * a text node past XML_FAST_MAX_TEXT.  Time linear in len; memory the
 * elements not yet handed over and freed; never the network or the disk.
 * Input must be valid UTF-8 (the caller checks).
 */
#ifndef NW_XML_FAST_H
#define NW_XML_FAST_H

#include <stddef.h>

#include <libxml/tree.h>

/* libxml2's own limits without XML_PARSE_HUGE. */
#define XML_FAST_MAX_DEPTH 256
#define XML_FAST_MAX_TEXT (10 * 1000 * 1000)

/* What start returns: go into the element (its children get their own
 * start and end), or build it whole and hand it to end at once. */
#define XML_FAST_DESCEND 0
#define XML_FAST_SUBTREE 1

struct xml_fast_handler {
	/* Element n starts at depth (the root's is 0), its attributes and
	 * namespace declarations read, no children yet; not called inside
	 * a subtree.  XML_FAST_DESCEND, XML_FAST_SUBTREE, or a negative
	 * value to stop reading (xml_fast_read then returns 1). */
	int (*start)(void *ctx, xmlNodePtr n, size_t depth);
	/* Element n ends, linked to its ancestors; read says how many
	 * bytes of the input were read.  A subtree (subtree set) is freed
	 * when end returns. */
	void (*end)(void *ctx, xmlNodePtr n, int subtree, size_t read);
};

/*
 * Read len bytes of buf into a document whose URL is base_url (may be
 * NULL), calling h with ctx as it goes; the document is freed before
 * returning.  0 when the whole document was read, 1 when it is not one
 * this reader takes (or start said stop): then the caller reads it some
 * other way and forgets what the handler was given; -1 when out of
 * memory.
 */
int xml_fast_read(const char *buf, size_t len, const char *base_url,
    const struct xml_fast_handler *h, void *ctx);

#endif
