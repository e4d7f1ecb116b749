/*
 * feed_xml.h - what the XML feed readers share: feed.c (the tree helpers
 * and the way in), feed_rss.c (RSS) and feed_atom.c (Atom).  The fx_
 * functions read libxml2 trees, the strict pass's or the loose pass's
 * alike.  Not for use outside feeds/feed*.c.
 */
#ifndef NW_FEED_XML_H
#define NW_FEED_XML_H

#include <stdint.h>

#include <libxml/tree.h>

#include "feed.h"

#define NS_ATOM10       "http://www.w3.org/2005/Atom"
#define NS_ATOM03       "http://purl.org/atom/ns#"
#define NS_RDF          "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RSS10        "http://purl.org/rss/1.0/"
#define NS_RSS090       "http://my.netscape.com/rdf/simple/0.9/"
#define NS_CONTENT      "http://purl.org/rss/1.0/modules/content/"
#define NS_DC           "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS      "http://purl.org/dc/terms/"
#define NS_MEDIA        "http://search.yahoo.com/mrss/"
#define NS_FEEDBURNER   "http://rssnamespace.org/feedburner/ext/1.0"
#define NS_XHTML        "http://www.w3.org/1999/xhtml"
#define NS_ITUNES       "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_SY           "http://purl.org/rss/1.0/modules/syndication/"

/* One reading of one document's tree. */
struct parse {
	struct feed *feed;
	xmlDocPtr doc;
	const char *core_ns;    /* the format's own namespace; NULL for RSS */
	int atom03;
	xmlNodePtr unfinished;  /* the entry a truncated document cut short */
	char version[8];        /* room for a format name made from the root */
};

/* The feed's polling hints: RSS <ttl> in minutes, else the syndication
 * module's period divided by its frequency (default 1). */
struct poll_hint {
	int64_t ttl_minutes, sy_period, sy_frequency;
};

/* Whether a document's namespace URI href means want: in any case, with
 * stray blanks, without the final slash, as every reader accepts it. */
int fx_ns_means(const char *href, const char *want);

/* n is the element name in namespace ns (NULL: none), the namespace
 * compared as readers do (any case, stray blanks, final slash). */
int fx_is_el(xmlNodePtr n, const char *ns, const char *name);

/* n is the format's own element name: RSS 2.0 elements carry no
 * namespace, RSS 1.0's and Atom's carry the format's (or none). */
int fx_is_core(const struct parse *p, xmlNodePtr n, const char *name);

/* Attribute name (no namespace), text content, and content with
 * whitespace squashed, as result strings (feed_str); NULL when absent.
 * Caller frees. */
char *fx_attr(xmlNodePtr n, const char *name);
char *fx_text(xmlNodePtr n);
char *fx_name_of(xmlNodePtr n);

int fx_has_element_child(xmlNodePtr n);

/* The markup inside n, serialised.  Caller frees. */
char *fx_inner_xml(xmlDocPtr doc, xmlNodePtr n);

/* n's text as a date, NW_TIME_UNSET when none can be read. */
int64_t fx_date_of(xmlNodePtr n);

/* Text that may hold entities or markup, as plain text.  Caller frees. */
char *fx_plain_title(const char *s);

/* Each author once, names before bare addresses. */
void fx_tidy_authors(char **v, size_t *n);

/* An Atom link: the alternate one into *alt (first wins), enclosures
 * into e (may be NULL). */
void fx_atom_link(struct parse *p, struct feed_entry *e, xmlNodePtr n,
    char **alt);

/* Elements of the namespaces RSS and Atom entries both borrow (Dublin
 * Core, content:, Media RSS, iTunes, feedburner's origLink into
 * *origlink). */
void fx_extension(struct parse *p, struct feed_entry *e, xmlNodePtr n,
    char **origlink);

/* Make origlink (taken; may be NULL) e's link. */
void fx_choose_link(struct feed_entry *e, char *origlink);

/* Note a polling hint c may give into h; the seconds they add up to, -1
 * when none. */
void fx_poll_hint(struct parse *p, xmlNodePtr c, struct poll_hint *h);
int64_t fx_poll_hint_seconds(const struct poll_hint *h);

/* Text, or markup when the feed put elements there unescaped. */
char *fx_html_of(xmlDocPtr doc, xmlNodePtr n);
/* ref made absolute against the xml:base in force at n.  Takes ref. */
char *fx_resolve(xmlDocPtr doc, xmlNodePtr n, char *ref);
int fx_attr_is(xmlNodePtr n, const char *name, const char *value);
/* Attribute name of n as a length in bytes, -1 when absent or no number. */
int64_t fx_length_of(xmlNodePtr n, const char *name);
/* An RSS person's name ("email (Name)", "Name <email>", ...).  Takes s. */
char *fx_rss_author(char *s);

/* feed_rss.c: an RSS item, a channel at once (fx_rss_channel) or one
 * child at a time from fx_channel_start to fx_rss_channel_end (what its
 * children add up to is kept in a struct channel_state until then), and
 * an RSS 1.0 or 0.90 root. */
struct channel_state {
	struct poll_hint hint;
	char *alt;
	int64_t built, pub;
};
extern const struct channel_state fx_channel_start;
void fx_rss_item(struct parse *p, xmlNodePtr item);
void fx_rss_channel(struct parse *p, xmlNodePtr channel);
void fx_rss_channel_child(struct parse *p, xmlNodePtr c,
    struct channel_state *st);
void fx_rss_channel_end(struct parse *p, struct channel_state *st);
void fx_rdf(struct parse *p, xmlNodePtr root);

/* feed_atom.c: an Atom person's name (caller frees), and an Atom
 * document's feed and entries into p->feed: at once from the tree
 * (fx_atom_feed), or one child of the root at a time as the streaming
 * reader hands them over, then the root's end (its children may be gone
 * by then; its attributes and ancestors are not). */
char *fx_atom_person(struct parse *p, xmlNodePtr n);
void fx_atom_feed(struct parse *p, xmlNodePtr root);
void fx_atom_feed_child(struct parse *p, xmlNodePtr c, struct poll_hint *hint);
void fx_atom_feed_end(struct parse *p, xmlNodePtr root,
    const struct poll_hint *hint);

#endif
