/*
 * article_internal.h - what the article_*.c files share and nobody else
 * sees: a DOM walker that never recurses, string helpers, and the two
 * halves of the parser (metadata in article_meta.c, body text in
 * article_body.c).  article.c drives them and owns the public API.
 */
#ifndef NW_ARTICLE_INTERNAL_H
#define NW_ARTICLE_INTERNAL_H

#include <stddef.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "article.h"
#include "strbuf.h"

/* How deep any walk goes into the DOM; deeper nodes are treated as leaves
 * (a hostile page must not cost more than this per node). */
#define ART_MAX_DEPTH	200

/* At most this many authors, tags or sections per article. */
#define ART_MAX_LIST	64

/* A body shorter than this (in bytes) may be what an overeager
 * boilerplate rule left of the article: Readability's "char threshold".
 * article.c reads such a page again without the class rules; the body
 * extractor keeps a spread page's cleaning only when it leaves this much,
 * so that the retry still runs where it finds the story. */
#define ART_BODY_RETRY_LEN	500

/* The NUL-terminated string (caller frees), or NULL after a failure. */

/* What an art_walk() enter callback tells the walker. */
#define ART_WALK_STOP	-1	/* end the walk now (no more callbacks) */
#define ART_WALK_SKIP	0	/* do not go below this node */
#define ART_WALK_INTO	1	/* visit the children */

/*
 * Visit root and its descendants in document order without recursion.
 * enter(n, depth, arg) runs on the way down, leave(n, arg) (may be NULL)
 * once the node and whatever was visited below it are done.  Children past
 * ART_MAX_DEPTH are not visited.  Callbacks must not unlink nodes.
 * Returns -1 when a callback stopped the walk, else 0.
 */
int	 art_walk(xmlNode *root, int (*enter)(xmlNode *, int, void *),
	    void (*leave)(xmlNode *, void *), void *arg);

/* 1 when n is an element called name (ASCII, case-insensitive). */
int	 art_is(const xmlNode *n, const char *name);
/* The value of attribute name of element n, borrowed; NULL when absent. */
const char *art_attr(const xmlNode *n, const char *name);
/* 1 when the nearest ancestor of n (not n) that is an element named
 * tag exists within ART_MAX_DEPTH levels. */
int	 art_inside(const xmlNode *n, const char *tag);

/* s with entities decoded, UTF-8 repaired and whitespace squashed; NULL
 * when nothing is left.  Caller frees. */
char	*art_clean(const char *s);

/* The text of n and its descendants as one squashed line; NULL when
 * empty.  Caller frees. */
char	*art_node_text(xmlNode *n);

/* The text of n as paragraphs (each block element starts one) separated
 * by "\n\n", whitespace squashed within each; NULL when empty.  Script,
 * style and other never-visible elements are left out.  Caller frees. */
char	*art_paragraphs(xmlNode *n);

/* The first size-1 bytes or so of n's visible text, whitespace squashed,
 * into buf (which it returns; "" when n has none).  Reads no further
 * than that: cheap on any node. */
const char *art_lead(xmlNode *n, char *buf, size_t size);

/* Add a copy of s to the list unless an equal string (case-insensitive)
 * is there or the list holds ART_MAX_LIST.  Returns -1 on allocation
 * failure only. */
int	 art_list_add(char ***v, size_t *n, const char *s);
void	 art_list_free(char **v, size_t n);

/*
 * Evaluate xpath on doc and give each value it yields to each(value, arg)
 * in document order: a string result is one value, a node set one value
 * per node (elements give their text, as paragraphs when paragraphs is
 * set).  Values are cleaned and never empty.  Returns -1 when each() does,
 * else 0 (also for a bad expression: the rule just yields nothing).
 */
int	 art_xpath(htmlDocPtr doc, const char *xpath, int paragraphs,
	    int (*each)(const char *, void *), void *arg);

/* Fill the metadata fields of a (everything but url and text) from doc,
 * the feed's rules first; *product gets the description of the product
 * the page is about (JSON-LD), for the body, or NULL (caller frees).
 * Returns -1 on allocation failure. */
int	 art_meta(htmlDocPtr doc, const char *url,
	    const struct article_rule *rules, size_t nrules, struct article *a,
	    char **product);

/* The main body text of doc, paragraphs separated by "\n\n", or NULL when
 * the page has none; relaxed leaves the class and id rules out and skips
 * conditional cleaning (hidden elements still go).  When html is not NULL, *html gets the
 * chosen elements as cleaned HTML (caller frees; NULL when none).
 * Rewrites the tree (boilerplate is unlinked): call it last. */
char	*art_body(htmlDocPtr doc, int relaxed, char **html);

#endif
