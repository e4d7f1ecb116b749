/*
 * test_feed.c - feed_parse on each format, the real-world slips it must
 * survive, the inputs it must refuse, and the JSON it hands the spool.
 * Fixtures live in tests/data/feeds/ (see the README there).
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../feeds/feed.h"
#include "testdoc.h"

#define DATA "tests/data/feeds/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct feed *
parse_file(const char *name, const char *base_url, const char *content_type)
{
	char path[256], err[256] = "", *buf;
	struct feed *feed = NULL;
	size_t len;

	snprintf(path, sizeof(path), DATA "%s", name);
	buf = slurp(path, &len);
	if (feed_parse(buf, len, base_url, content_type, &feed, err,
	    sizeof(err)) != 0) {
		print_error("%s: %s\n", name, err);
		fail();
	}
	free(buf);
	return feed;
}

static void
test_rss20(void **state)
{
	struct feed *f = parse_file("rss20.xml", "https://example.org/feed.xml",
	    "application/rss+xml");
	struct feed_entry *e;

	(void)state;
	assert_string_equal(f->format, "rss20");
	assert_string_equal(f->title, "Example News & Views");
	assert_string_equal(f->link, "https://example.org/");
	assert_string_equal(f->description, "All the news");
	assert_int_equal(f->updated, 1641567600);
	assert_int_equal(f->nentries, 3);

	e = &f->entries[0];
	assert_string_equal(e->id, "post-1");
	assert_string_equal(e->title, "First & foremost");
	assert_string_equal(e->link, "https://example.org/posts/1");
	assert_int_equal(e->published, 1641561960);
	assert_true(e->updated == NW_TIME_UNSET);
	assert_int_equal(e->nauthors, 1);
	assert_string_equal(e->authors[0], "Joe Bloggs");
	assert_int_equal(e->ncategories, 2);
	assert_string_equal(e->categories[0], "news");
	assert_string_equal(e->categories[1], "tech");
	assert_string_equal(e->summary, "<p>Summary <b>one</b></p>");
	assert_string_equal(e->content, "<p>Full text of one.</p>");
	/* the thumbnail has no type: not an enclosure */
	assert_int_equal(e->nenclosures, 2);
	assert_string_equal(e->enclosures[0].url,
	    "https://example.org/audio/1.mp3");
	assert_string_equal(e->enclosures[0].type, "audio/mpeg");
	assert_int_equal(e->enclosures[0].length, 12345);
	assert_string_equal(e->enclosures[1].url, "https://cdn.example.org/1.jpg");
	assert_string_equal(e->enclosures[1].type, "image/jpeg");
	assert_int_equal(e->enclosures[1].length, 999);

	/* a permalink guid is the link */
	e = &f->entries[1];
	assert_string_equal(e->id, "https://example.org/posts/2");
	assert_string_equal(e->link, "https://example.org/posts/2");
	assert_int_equal(e->published, 1641463200);
	assert_string_equal(e->authors[0], "Ann Author");
	assert_string_equal(e->summary, "Plain <i>escaped</i> summary");
	assert_null(e->content);

	/* feedburner:origLink wins; atom:link rel=enclosure counts */
	e = &f->entries[2];
	assert_string_equal(e->link, "https://example.org/posts/3");
	assert_string_equal(e->id, "https://example.org/posts/3");
	assert_int_equal(e->nenclosures, 1);
	assert_string_equal(e->enclosures[0].url, "https://example.org/3.pdf");
	assert_int_equal(e->enclosures[0].length, -1);
	feed_free(f);
}

static void
test_rss091(void **state)
{
	struct feed *f = parse_file("rss091.xml", NULL, NULL);

	(void)state;
	assert_string_equal(f->format, "rss091");
	assert_string_equal(f->title, "Old School");
	assert_string_equal(f->link, "http://old.example.com/");
	assert_int_equal(f->nentries, 2);
	/* entities from the DTD we never fetch */
	assert_string_equal(f->entries[0].title, "Caf\xc3\xa9 opening");
	assert_string_equal(f->entries[0].summary, "Come\xc2\xa0" "by.");
	assert_string_equal(f->entries[0].id, "http://old.example.com/cafe.html");
	assert_string_equal(f->entries[1].link, "http://old.example.com/2.html");
	assert_true(f->entries[1].published == NW_TIME_UNSET);
	feed_free(f);
}

static void
test_rss10(void **state)
{
	struct feed *f = parse_file("rss10.xml", NULL, NULL);
	struct feed_entry *e;

	(void)state;
	assert_string_equal(f->format, "rss10");
	assert_string_equal(f->title, "RDF Site");
	assert_string_equal(f->link, "http://rdf.example.com/");
	assert_int_equal(f->updated, 1072894495);
	assert_int_equal(f->nentries, 2);
	e = &f->entries[0];
	assert_string_equal(e->title, "Item A");
	assert_string_equal(e->link, "http://rdf.example.com/a");
	assert_string_equal(e->id, "http://rdf.example.com/a");
	assert_int_equal(e->published, 1072865695);
	assert_string_equal(e->authors[0], "Dee Cee");
	assert_string_equal(e->categories[0], "rdf");
	assert_string_equal(e->summary, "About A");
	/* no link: the item's rdf:about names it */
	assert_string_equal(f->entries[1].id, "urn:example:b");
	assert_null(f->entries[1].link);
	feed_free(f);
}

static void
test_atom10(void **state)
{
	struct feed *f = parse_file("atom10.xml", "https://other.example/x", NULL);
	struct feed_entry *e;

	(void)state;
	assert_string_equal(f->format, "atom10");
	assert_string_equal(f->title, "Atom Blog & more");
	/* xml:base on the feed beats the document's URL */
	assert_string_equal(f->link, "https://atom.example.com/blog/");
	assert_string_equal(f->id, "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6");
	assert_string_equal(f->description, "Tests for everything");
	assert_int_equal(f->updated, 1641565560);
	assert_int_equal(f->nentries, 2);

	e = &f->entries[0];
	assert_string_equal(e->id, "tag:atom.example.com,2022:1");
	assert_string_equal(e->title, "Entry & One");
	/* entry xml:base relative to the feed's; first alternate wins */
	assert_string_equal(e->link, "https://atom.example.com/blog/2022/one.html");
	assert_int_equal(e->published, 1641561960);
	assert_int_equal(e->updated, 1641632400);
	assert_int_equal(e->nauthors, 1);
	assert_string_equal(e->authors[0], "Jane Doe");
	assert_int_equal(e->ncategories, 2);
	assert_string_equal(e->categories[0], "atom");
	assert_string_equal(e->categories[1], "xml");
	assert_string_equal(e->summary, "<p>Summary &amp; more</p>");
	assert_string_equal(e->content, "<p>Hello <b>world</b></p>");
	assert_int_equal(e->nenclosures, 1);
	assert_string_equal(e->enclosures[0].url,
	    "https://atom.example.com/blog/2022/one.ogg");
	assert_string_equal(e->enclosures[0].type, "audio/ogg");
	assert_int_equal(e->enclosures[0].length, 42);

	e = &f->entries[1];
	assert_string_equal(e->link, "https://atom.example.com/blog/two");
	assert_true(e->published == NW_TIME_UNSET);
	assert_int_equal(e->updated, 1641427200);
	assert_string_equal(e->content, "Just text & stuff");
	/* no author of its own: the feed's */
	assert_int_equal(e->nauthors, 1);
	assert_string_equal(e->authors[0], "Feed Author");
	feed_free(f);
}

static void
test_atom03(void **state)
{
	struct feed *f = parse_file("atom03.xml", NULL, NULL);
	struct feed_entry *e;

	(void)state;
	assert_string_equal(f->format, "atom03");
	assert_string_equal(f->title, "Old Atom");
	assert_string_equal(f->link, "http://atom03.example.com/");
	assert_string_equal(f->description, "Atom before 1.0");
	assert_int_equal(f->updated, 1072915200);
	assert_int_equal(f->nentries, 1);
	e = &f->entries[0];
	assert_string_equal(e->id, "tag:atom03.example.com,2004:03");
	assert_string_equal(e->title, "Zero Three");
	assert_string_equal(e->link, "http://atom03.example.com/03.html");
	assert_int_equal(e->published, 1072894495);
	assert_int_equal(e->updated, 1072915200);
	assert_string_equal(e->authors[0], "Old Timer");
	assert_string_equal(e->content, "<p>escaped html</p>");
	feed_free(f);
}

static void
test_jsonfeed(void **state)
{
	struct feed *f = parse_file("jsonfeed11.json",
	    "https://json.example.org/feed.json", "application/feed+json");
	struct feed_entry *e;

	(void)state;
	assert_string_equal(f->format, "jsonfeed11");
	assert_string_equal(f->title, "JSON Feed");
	assert_string_equal(f->link, "https://json.example.org/");
	assert_string_equal(f->description, "A JSON Feed");
	assert_int_equal(f->nentries, 2);
	e = &f->entries[0];
	assert_string_equal(e->id, "1");
	assert_string_equal(e->title, "Hello JSON");
	assert_string_equal(e->link, "https://json.example.org/posts/1");
	assert_int_equal(e->published, 1641561960);
	assert_int_equal(e->updated, 1641600000);
	assert_int_equal(e->nauthors, 1);
	assert_string_equal(e->authors[0], "Jay Son");
	assert_int_equal(e->ncategories, 2);
	assert_string_equal(e->categories[1], "feeds");
	assert_string_equal(e->summary, "Hi there");
	assert_string_equal(e->content, "<p>Hi</p>");
	assert_int_equal(e->nenclosures, 1);
	assert_string_equal(e->enclosures[0].url, "https://json.example.org/1.mp3");
	assert_string_equal(e->enclosures[0].type, "audio/mpeg");
	assert_int_equal(e->enclosures[0].length, 1000);
	e = &f->entries[1];
	assert_string_equal(e->id, "2");
	assert_string_equal(e->content, "text only");
	assert_string_equal(e->authors[0], "Old Style");
	feed_free(f);
}

static struct feed *
parse_text(const char *doc)
{
	struct feed *feed = NULL;
	char err[256] = "";

	if (feed_parse(doc, strlen(doc), NULL, NULL, &feed, err,
	    sizeof(err)) != 0) {
		print_error("%s\n", err);
		fail();
	}
	return feed;
}

/* A NUL byte ended the document for libxml2, and with it every later
 * entry; it goes, with a warning, and UTF-16 keeps its zero bytes. */
static void
test_nul_bytes_removed(void **state)
{
	static const char doc[] = "<rss version='2.0'><channel><item><title>"
	    "be\0fore</title><guid>1</guid></item><item><title>second</title>"
	    "<guid>2</guid></item></channel>\0</rss>";
	static const char wide[] = "\xff\xfe<\0r\0s\0s\0>\0<\0i\0t\0e\0m\0"
	    ">\0<\0t\0i\0t\0l\0e\0>\0x\0<\0/\0t\0i\0t\0l\0e\0>\0<\0/\0"
	    "i\0t\0e\0m\0>\0<\0/\0r\0s\0s\0>\0";
	struct feed *f = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(feed_parse(doc, sizeof(doc) - 1, NULL, NULL, &f, err,
	    sizeof(err)), 0);
	assert_int_equal(f->nentries, 2);
	assert_string_equal(f->entries[0].title, "before");
	assert_string_equal(f->entries[1].title, "second");
	assert_int_equal(f->nwarnings, 1);
	assert_string_equal(f->warnings[0], "2 NUL bytes removed");
	feed_free(f);
	assert_int_equal(feed_parse(wide, sizeof(wide) - 1, NULL, NULL, &f, err,
	    sizeof(err)), 0);
	assert_int_equal(f->nentries, 1);
	assert_string_equal(f->entries[0].title, "x");
	assert_int_equal(f->nwarnings, 0);
	feed_free(f);
}

/* The polling hints a feed gives: <ttl> wins over the syndication module,
 * whose frequency divides its period; nonsense is no hint at all. */
static void
test_poll_hints(void **state)
{
	static const struct {
		const char *doc;
		int64_t ttl;
	} cases[] = {
		{ "<rss version='2.0'><channel><ttl>30</ttl></channel></rss>",
		  1800 },
		{ "<rss version='2.0' xmlns:sy='http://purl.org/rss/1.0/modules/"
		  "syndication/'><channel><sy:updatePeriod>daily"
		  "</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>"
		  "<ttl>60</ttl></channel></rss>", 3600 },
		{ "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:s='http://"
		  "purl.org/rss/1.0/modules/syndication/'><s:updatePeriod> hourly"
		  " </s:updatePeriod><s:updateFrequency>2</s:updateFrequency>"
		  "</feed>", 1800 },
		{ "<rss version='2.0'><channel><ttl>soon</ttl></channel></rss>",
		  -1 },
		{ "<rss version='2.0'><channel><ttl>-5</ttl></channel></rss>",
		  -1 },
		{ "<rss version='2.0'><channel></channel></rss>", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct feed *f = parse_text(cases[i].doc);

		assert_int_equal(f->ttl, cases[i].ttl);
		feed_free(f);
	}
}

/* Atom 0.3's base64 mode and 1.0's base64 for non-text types; a payload
 * that is no text is left out rather than emitted as bytes. */
static void
test_base64(void **state)
{
	struct feed *f;

	(void)state;
	f = parse_text("<feed xmlns='http://purl.org/atom/ns#' version='0.3'>"
	    "<title mode='base64' type='text/html'>RXhhbXBsZSA8Yj5BdG9tPC9iPg=="
	    "</title><entry><id>1</id><title type='application/octet-stream'>"
	    "RmVlZCBUaXRsZQ==</title></entry></feed>");
	assert_string_equal(f->title, "Example Atom");
	assert_string_equal(f->entries[0].title, "RmVlZCBUaXRsZQ==");
	feed_free(f);
	f = parse_text("<feed xmlns='http://www.w3.org/2005/Atom'><title type="
	    "'application/octet-stream'>\n  RmVlZCBU\naXRsZQ==\n</title><entry>"
	    "<id>1</id><content type='image/png'>iVBORw0KGgoAAAANSUhEUg=="
	    "</content></entry></feed>");
	assert_string_equal(f->title, "Feed Title");
	assert_null(f->entries[0].content);
	feed_free(f);
}

/* Namespaces are matched by URI, as readers write them: case and a
 * missing slash do not matter, the prefix never does. */
static void
test_namespace_spelling(void **state)
{
	struct feed *f;

	(void)state;
	f = parse_text("<rss xmlns:i='http://www.itunes.com/DTDs/PodCast-1.0.dtd'"
	    " xmlns:d='http://purl.org/dc/elements/1.1'><channel><item>"
	    "<i:author>Mark Pilgrim</i:author><d:title>Dublin</d:title>"
	    "</item></channel></rss>");
	assert_int_equal(f->entries[0].nauthors, 1);
	assert_string_equal(f->entries[0].authors[0], "Mark Pilgrim");
	assert_string_equal(f->entries[0].title, "Dublin");
	feed_free(f);
}

/* RSS people in every spelling feeds use; one name once. */
static void
test_rss_people(void **state)
{
	static const char *const cases[][2] = {
		{ "me@example.com (Example editor)", "Example editor" },
		{ "Example editor (me@example.com)", "Example editor" },
		{ "John Smith (mailto:jsmith@example.org)", "John Smith" },
		{ "Jane Doe &lt;jane@example.org&gt;", "Jane Doe" },
		{ "<![CDATA[<p>Item Author</p>]]>", "Item Author" },
		{ "just@example.org", "just@example.org" },
	};
	char doc[512];
	struct feed *f;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(doc, sizeof(doc), "<rss xmlns:dc='http://purl.org/dc/"
		    "elements/1.1/'><channel><item><author>%s</author><dc:creator>"
		    "%s</dc:creator></item></channel></rss>", cases[i][0],
		    cases[i][1]);
		f = parse_text(doc);
		assert_int_equal(f->entries[0].nauthors, 1);
		assert_string_equal(f->entries[0].authors[0], cases[i][1]);
		feed_free(f);
	}
}

/* Items straight under <rss>; an RSS 1.0 item is named by rdf:about even
 * when it has a link. */
static void
test_rss_loose(void **state)
{
	struct feed *f;

	(void)state;
	f = parse_text("<rss><item><title>Alone</title></item></rss>");
	assert_int_equal(f->nentries, 1);
	assert_string_equal(f->entries[0].title, "Alone");
	feed_free(f);
	f = parse_text("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-"
	    "syntax-ns#' xmlns='http://purl.org/rss/1.0/'><channel/><item "
	    "rdf:about='http://example.org/entry/1'><link>http://example.org"
	    "</link></item></rdf:RDF>");
	assert_string_equal(f->entries[0].id, "http://example.org/entry/1");
	assert_string_equal(f->entries[0].link, "http://example.org");
	feed_free(f);
}

static void
test_undeclared_entities(void **state)
{
	struct feed *f = parse_file("entities.xml", NULL, NULL);

	(void)state;
	assert_string_equal(f->title, "Entit\xc3\xa9s & co");
	/* a bare '&' in a URL survives */
	assert_string_equal(f->link, "http://ent.example.com/?a=1&b=2");
	assert_int_equal(f->nentries, 1);
	assert_string_equal(f->entries[0].title, "Caf\xc3\xa9 \xe2\x80\xa6 "
	    "AT&T\xe2\x80\x99s \xe2\x80\x99quote\xe2\x80\x99 <3");
	/* comments and CDATA are left alone */
	assert_string_equal(f->entries[0].summary,
	    "Na\xc3\xafve \xc2\xa9 text &nbsp; kept");
	feed_free(f);
}

static void
test_windows1252(void **state)
{
	struct feed *f = parse_file("cp1252.xml", NULL, NULL);

	(void)state;
	assert_string_equal(f->title, "Windows \xe2\x80\x9cQuotes\xe2\x80\x9d");
	assert_string_equal(f->entries[0].title,
	    "Caf\xc3\xa9 \xe2\x82\xac price \xe2\x80\x93 cheap");
	feed_free(f);
}

/* The HTTP charset of a text/ type wins; without it the bytes are not
 * UTF-8, and each one that is not is read as windows-1252, saying so. */
static void
test_http_charset(void **state)
{
	struct feed *f;

	(void)state;
	f = parse_file("latin1-nodecl.xml", NULL, "text/xml; charset=ISO-8859-1");
	assert_string_equal(f->title, "Gr\xc3\xbc\xc3\x9f" "e");
	assert_int_equal(f->nwarnings, 0);
	feed_free(f);
	f = parse_file("latin1-nodecl.xml", NULL, "application/xml; charset=x");
	assert_string_equal(f->title, "Gr\xc3\xbc\xc3\x9f" "e");
	assert_int_equal(f->nwarnings, 1);
	assert_string_equal(f->warnings[0], "bytes that are not UTF-8 read as "
	    "windows-1252");
	feed_free(f);
}

/* Declared UTF-8 with a stray windows-1252 byte among valid sequences:
 * both kinds come out right. */
static void
test_mixed_encoding(void **state)
{
	struct feed *f;

	(void)state;
	f = parse_text("<?xml version='1.0' encoding='utf-8'?><rss><channel>"
	    "<title>\xd1\xa8 Espa\xf1" "a \x93quoted\x94 \xe2\x82\xac</title>"
	    "</channel></rss>");
	assert_string_equal(f->title, "\xd1\xa8 Espa\xc3\xb1" "a \xe2\x80\x9c"
	    "quoted\xe2\x80\x9d \xe2\x82\xac");
	feed_free(f);
}

static void
test_hash_id(void **state)
{
	struct feed *a = parse_file("noid.xml", NULL, NULL);
	struct feed *b = parse_file("noid.xml", "http://elsewhere.example/", NULL);

	(void)state;
	assert_int_equal(a->nentries, 2);
	assert_string_equal(a->entries[0].id, "sha256:"
	    "a7fae2f1e77c693019e729124e4bb625dd6bcf64cf4b4e56cce2c2da711567d7");
	assert_string_equal(a->entries[1].id, "sha256:"
	    "237bfe37a54def64e5d434bd70607b6373ab74c9852ebbe790c4164c49a5f608");
	assert_null(a->entries[1].title);
	for (size_t i = 0; i < a->nentries; i++)
		assert_string_equal(a->entries[i].id, b->entries[i].id);
	feed_free(a);
	feed_free(b);
}

static void
expect_failure(const char *buf, size_t len, const char *want_err)
{
	struct feed *f = (struct feed *)buf;
	char err[256] = "";

	assert_int_equal(feed_parse(buf, len, NULL, NULL, &f, err,
	    sizeof(err)), -1);
	assert_null(f);
	if (strstr(err, want_err) == NULL) {
		print_error("err \"%s\" lacks \"%s\"\n", err, want_err);
		fail();
	}
}

/* A numeric reference XML reads as HTML does (hex, leading zeros) needs
 * no repair and no warning, whichever reader takes the document (the
 * DOCTYPE sends it to libxml2); an HTML name still gets both. */
static void
test_numeric_references_are_no_repair(void **state)
{
	static const struct {
		const char *doc;
		const char *title;
		size_t warnings;
	} cases[] = {
		{ "<rss><channel><item><title>a &#x26;amp; &#038; b</title>"
		    "</item></channel></rss>", "a & & b", 0 },
		{ "<!DOCTYPE rss><rss><channel><item><title>a &#x26;amp; "
		    "&#038; b</title></item></channel></rss>", "a & & b", 0 },
		{ "<rss><channel><item><title>a&nbsp;&#038;</title></item>"
		    "</channel></rss>", "a &", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct feed *f = NULL;

		assert_int_equal(feed_parse(cases[i].doc, strlen(cases[i].doc),
		    NULL, NULL, &f, NULL, 0), 0);
		assert_int_equal(f->nentries, 1);
		assert_string_equal(f->entries[0].title, cases[i].title);
		assert_int_equal(f->nwarnings, cases[i].warnings);
		feed_free(f);
	}
}

/* A root that is no feed's is named alike whether our own scan reads
 * the document (well-formed UTF-8) or libxml2 does (a DOCTYPE); what is
 * wrong after the root's start tag (a bare '&') changes nothing. */
static void
test_not_a_feed_named_alike_by_both_readers(void **state)
{
	static const char *const docs[] = {
		"<a:foo xmlns:a=\"urn:x\"><b/></a:foo>",
		"<!DOCTYPE a:foo><a:foo xmlns:a=\"urn:x\"><b/></a:foo>",
		"<a:foo xmlns:a=\"urn:x\"><b>&</b></a:foo>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct feed *f = NULL;
		char err[256] = "";

		assert_int_equal(feed_parse(docs[i], strlen(docs[i]), NULL,
		    NULL, &f, err, sizeof(err)), -1);
		assert_null(f);
		assert_string_equal(err, "not a feed: root element <a:foo>");
	}
}

static void
test_broken(void **state)
{
	static const char *const files[][2] = {
		{ "html.html", "not a feed: root element <html>" },
	};
	char *buf;
	size_t len;

	(void)state;
	expect_failure("", 0, "empty document");
	expect_failure(NULL, 0, "empty document");
	expect_failure(" \n\t ", 4, "empty document");
	expect_failure("plain text", 10, "XML error at line 1");
	expect_failure("<?xml version=\"1.0\"?><foo/>", 27,
	    "not a feed: root element <foo>");
	expect_failure("{\"items\": []}", 13, "not a feed: JSON");
	expect_failure("{\"version\": ", 12, "JSON error");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256];

		snprintf(path, sizeof(path), DATA "%s", files[i][0]);
		buf = slurp(path, &len);
		expect_failure(buf, len, files[i][1]);
		/* every shorter prefix fails cleanly or parses, never crashes */
		for (size_t n = 0; n < len; n += 7) {
			struct feed *f = NULL;

			if (feed_parse(buf, n, NULL, NULL, &f, NULL, 0) == 0)
				feed_free(f);
		}
		free(buf);
	}
}

/* A document cut short keeps the entries it closed and leaves out the one
 * it ended in, saying so. */
static void
test_truncated(void **state)
{
	static const char doc[] = "<rss version='2.0'><channel><title>T"
	    "</title><item><guid>a</guid><title>Whole</title></item><item>"
	    "<guid>b</guid><title>Cut sh";
	char *buf;
	size_t len;
	struct feed *f;

	(void)state;
	f = parse_text(doc);
	assert_int_equal(f->nentries, 1);
	assert_string_equal(f->entries[0].title, "Whole");
	assert_int_equal(f->nwarnings, 1);
	assert_non_null(strstr(f->warnings[0], "truncated document: <"));
	assert_non_null(strstr(f->warnings[0], "last entry is left out"));
	feed_free(f);

	/* every prefix of a real feed parses or fails cleanly */
	buf = slurp(DATA "truncated.xml", &len);
	for (size_t n = 0; n < len; n += 7) {
		f = NULL;
		if (feed_parse(buf, n, NULL, NULL, &f, NULL, 0) == 0)
			feed_free(f);
	}
	f = parse_file("truncated.xml", NULL, NULL);
	assert_string_equal(f->title, "Example News & Views");
	assert_int_equal(f->nwarnings, 1);
	feed_free(f);
	free(buf);
}

/* A document cut short or not well-formed says so, so that entries it
 * seems not to list are not taken as gone; a whole one does not. */
static void
test_incomplete(void **state)
{
	static const char *const broken[] = {
		/* cut after a whole entry, and inside one */
		"<rss><channel><item><guid>a</guid></item>",
		"<rss><channel><item><guid>a</guid></item><item><guid>b</gu",
		/* cut before any entry */
		"<rss><channel><item><title>half",
		/* a stray end tag mid-document */
		"<rss><channel><item><guid>a</guid></p></item></channel></rss>",
	};
	struct feed *f;

	(void)state;
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		f = parse_text(broken[i]);
		assert_int_equal(f->incomplete, 1);
		feed_free(f);
	}
	f = parse_text("<rss><channel><item><guid>a</guid></item></channel>"
	    "</rss>");
	assert_int_equal(f->incomplete, 0);
	feed_free(f);
	f = parse_file("rss20.xml", NULL, NULL);
	assert_int_equal(f->incomplete, 0);
	feed_free(f);
}

/* Whether one of f's warnings holds want. */
static int
warned(const struct feed *f, const char *want)
{
	for (size_t i = 0; i < f->nwarnings; i++)
		if (strstr(f->warnings[i], want) != NULL)
			return 1;
	return 0;
}

/* HTML pasted unescaped into a description is its text, markup kept,
 * and the entries after it are read: libxml2's recovery lost them. */
static void
test_loose_html_in_description(void **state)
{
	struct feed *f = parse_text("<?xml version='1.0'?><rss version='2.0'>"
	    "<channel><title>T</title><item><title>One</title><link>"
	    "https://example.org/1</link><description><p>open<br>line <b>x</i>"
	    "</description></item><item><description><ul><li>a<li>b"
	    "</description><title>Two &amp; more</title><link>"
	    "https://example.org/2</link></item><item><title>Three</title>"
	    "</item></channel></rss>");

	(void)state;
	assert_int_equal(f->nentries, 3);
	assert_string_equal(f->entries[0].summary,
	    "<p>open<br>line <b>x</i>");
	assert_string_equal(f->entries[1].summary, "<ul><li>a<li>b");
	assert_string_equal(f->entries[1].title, "Two & more");
	assert_string_equal(f->entries[1].link, "https://example.org/2");
	assert_string_equal(f->entries[2].title, "Three");
	assert_true(warned(f, "read loosely"));
	assert_int_equal(f->incomplete, 1);
	feed_free(f);
}

/* Atom content of type html the same; escaped HTML decoded once, xhtml
 * content still elements, namespaces by URI and xml:base in scope. */
static void
test_loose_atom(void **state)
{
	struct feed *f = NULL;
	static const char doc[] = "<feed xmlns='http://www.w3.org/2005/Atom' "
	    "xmlns:x='http://www.w3.org/2005/Atom' "
	    "xml:base='https://example.org/blog/'>"
	    "<entry><title>A</title><id>a</id><link href='a.html'/>"
	    "<content type='html'><p>raw<br></content></entry>"
	    "<x:entry xml:base='/other/'><x:title>B</x:title><x:id>b</x:id>"
	    "<x:link href='b.html'/><x:summary type='html'>&lt;b&gt;esc"
	    "&lt;/b&gt;</x:summary></x:entry>"
	    "<entry><title>C</title><id>c</id><content type='xhtml'><div "
	    "xmlns='http://www.w3.org/1999/xhtml'><p>x</p></div></content>"
	    "</entry></feed>";
	char err[256] = "";

	(void)state;
	assert_int_equal(feed_parse(doc, sizeof(doc) - 1,
	    "https://example.org/feed", NULL, &f, err, sizeof(err)), 0);
	assert_int_equal(f->nentries, 3);
	assert_string_equal(f->entries[0].link,
	    "https://example.org/blog/a.html");
	assert_string_equal(f->entries[0].content, "<p>raw<br>");
	assert_string_equal(f->entries[1].title, "B");
	assert_string_equal(f->entries[1].link, "https://example.org/other/b.html");
	assert_string_equal(f->entries[1].summary, "<b>esc</b>");
	assert_string_equal(f->entries[2].content, "<p>x</p>");
	feed_free(f);
}

/* An unclosed CDATA section ends at its element's end tag, whether or
 * not a later section's "]]>" makes the document well-formed. */
static void
test_loose_unclosed_cdata(void **state)
{
	static const char *const docs[] = {
		"<rss><channel><item><title>1</title><description><![CDATA[one"
		"</description></item><item><title>2</title><description>"
		"<![CDATA[two]]></description></item></channel></rss>",
		"<rss><channel><item><title>1</title><description><![CDATA[one"
		"</description></item><item><title>2</title></item></channel>"
		"</rss>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct feed *f = parse_text(docs[i]);

		assert_int_equal(f->nentries, 2);
		assert_string_equal(f->entries[0].summary, "one");
		assert_string_equal(f->entries[1].title, "2");
		assert_true(warned(f, "CDATA sections without"));
		feed_free(f);
	}
}

/* iTunes elements, enclosures and items left open are closed where the
 * next one starts; an end tag closes the nearest open element of its
 * name. */
static void
test_loose_unclosed_elements(void **state)
{
	struct feed *f = parse_text("<rss xmlns:itunes='http://www.itunes.com/"
	    "dtds/podcast-1.0.dtd'><channel><itunes:image href='c.jpg'>"
	    "<itunes:category text='T'><item><title>1</title><itunes:image "
	    "href='i.jpg'><enclosure url='https://example.org/1.mp3' "
	    "type='audio/mpeg'><link>https://example.org/1</link><item>"
	    "<title>2</title><link>https://example.org/2</link></item>"
	    "</channel></rss>");

	(void)state;
	assert_int_equal(f->nentries, 2);
	assert_string_equal(f->entries[0].title, "1");
	assert_string_equal(f->entries[0].link, "https://example.org/1");
	assert_int_equal(f->entries[0].nenclosures, 1);
	assert_string_equal(f->entries[1].link, "https://example.org/2");
	assert_true(warned(f, "closed by an outer end tag"));
	feed_free(f);
}

/* Junk before the root (text, blank lines before the declaration) is
 * skipped; HTML5's entities are read where HTML 4's were. */
static void
test_loose_leading_junk_and_entities(void **state)
{
	struct feed *f = parse_text("Warning: headers already sent\n\n"
	    "<?xml version='1.0'?><rss><channel><item><title>Done &check; "
	    "&hellip;&nbsp;&bigstar; &NotAnEntity; a & b</title></item>"
	    "</channel></rss>");

	(void)state;
	assert_int_equal(f->nentries, 1);
	assert_string_equal(f->entries[0].title,
	    "Done \u2713 \u2026 \u2605 &NotAnEntity; a & b");
	assert_true(warned(f, "before the root element skipped"));
	feed_free(f);
}

/* A document in a declared 8-bit encoding is read in it by the loose
 * pass too. */
static void
test_loose_encoding(void **state)
{
	struct feed *f = parse_text("<?xml version='1.0' encoding='iso-8859-1'?>"
	    "<rss><channel><item><title>caf\xe9</title><description><p>"
	    "na\xefve</description></item><item><title>two</title></item>"
	    "</channel></rss>");

	(void)state;
	assert_int_equal(f->nentries, 2);
	assert_string_equal(f->entries[0].title, "caf\u00e9");
	assert_string_equal(f->entries[0].summary, "<p>na\u00efve");
	feed_free(f);
}

/* Cut short, the loose pass keeps the entries it closed and leaves out
 * the one it ended in. */
static void
test_loose_truncated(void **state)
{
	struct feed *f = parse_text("<rss><channel><item><title>1</title>"
	    "<description><p>a<br></description></item><item><title>2</title>"
	    "</item><item><title>3</title><description>cut");

	(void)state;
	assert_int_equal(f->nentries, 2);
	assert_string_equal(f->entries[1].title, "2");
	assert_true(warned(f, "its last entry is left out"));
	assert_int_equal(f->incomplete, 1);
	feed_free(f);
}

/* Hostile shapes that would cost the loose pass time quadratic in their
 * number, were any search to start over: they parse, and the entries
 * around them are read. */
static void
test_loose_hostile(void **state)
{
	static const char *const fmts[] = {
		"<![CDATA[%1$zu",       /* sections never closed */
		"<a%1$zu x='",          /* quotes never closed */
		"<!-- %1$zu",           /* comments never closed */
		"</b%1$zu>",            /* end tags that close nothing */
		"<p>%1$zu",             /* elements never closed */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *doc = testdoc("<rss><channel><item><title>1</title></item>"
		    "<item><title>2</title><description><x>", fmts[i], 20000,
		    "</description></item></channel></rss>");
		struct feed *f;

		assert_non_null(doc);
		f = parse_text(doc);
		assert_true(f->nentries >= 1);
		assert_string_equal(f->entries[0].title, "1");
		feed_free(f);
		free(doc);
	}
}

/* An attribute value without its closing quote ends where the next tag
 * starts, and the elements after it are read; an empty root element is
 * the whole document (a second root left no node behind, fuzz). */
static void
test_loose_open_quote(void **state)
{
	struct feed *f = parse_text("<rss xmlns:a=\"urn:x\n<channel><item>"
	    "<title>1</title><enclosure url=\"https://example.org/1.mp3 "
	    "type='audio/mpeg'></item><item><title>2</title><guid a:b=\"x\"/>"
	    "</item></channel></rss>");

	(void)state;
	assert_int_equal(f->nentries, 2);
	assert_string_equal(f->entries[0].title, "1");
	assert_string_equal(f->entries[1].title, "2");
	feed_free(f);
	f = parse_text("<rss/><rss><channel><item><title>x</title></item>"
	    "</channel></rss>");
	assert_int_equal(f->nentries, 0);
	feed_free(f);
}

/* An entry kept as its JSON comes back whole: the same JSON again. */
static void
test_entry_from_json(void **state)
{
	struct feed *f = parse_file("rss20.xml", "https://example.org/", NULL);
	struct feed *g = parse_text("<rss><channel></channel></rss>");
	char err[128];

	(void)state;
	for (size_t i = 0; i < f->nentries; i++) {
		json_t *j = feed_entry_to_json(&f->entries[i]), *k;
		char *text = json_dumps(j, JSON_COMPACT);

		assert_int_equal(feed_add_entry_json(g, text, err,
		    sizeof(err)), 0);
		assert_int_equal(g->nentries, i + 1);
		k = feed_entry_to_json(&g->entries[i]);
		assert_true(json_equal(j, k));
		json_decref(j);
		json_decref(k);
		free(text);
	}
	assert_int_equal(feed_add_entry_json(g, "[1]", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an entry"));
	assert_int_equal(feed_add_entry_json(g, "{\"title\":\"x\"}", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "no id"));
	assert_int_equal(feed_add_entry_json(g, "{\"id\":", err,
	    sizeof(err)), -1);
	assert_int_equal(g->nentries, f->nentries);
	feed_free(f);
	feed_free(g);
}

/* Without id or link an entry is named by its title and date, which
 * survive edits of its text. */
static void
test_hash_id_stable(void **state)
{
	static const char *const docs[] = {
		"<rss><channel><item><title>T</title><pubDate>Fri, 07 Jan 2022 "
		"13:26:00 GMT</pubDate><description>one</description></item>"
		"</channel></rss>",
		"<rss><channel><item><title>T</title><pubDate>Fri, 07 Jan 2022 "
		"13:26:00 GMT</pubDate><description>two</description></item>"
		"</channel></rss>",
		"<rss><channel><item><title>T</title><pubDate>Fri, 07 Jan 2022 "
		"13:27:00 GMT</pubDate><description>one</description></item>"
		"</channel></rss>",
	};
	struct feed *f[3];

	(void)state;
	for (int i = 0; i < 3; i++)
		f[i] = parse_text(docs[i]);
	assert_string_equal(f[0]->entries[0].id, f[1]->entries[0].id);
	assert_string_not_equal(f[0]->entries[0].id, f[2]->entries[0].id);
	for (int i = 0; i < 3; i++)
		feed_free(f[i]);
}

static void
test_entry_cap(void **state)
{
	const char *head = "<rss version=\"2.0\"><channel>";
	const char *item = "<item><title>t</title></item>";
	const char *tail = "</channel></rss>";
	size_t n = FEED_MAX_ENTRIES + 5, len = 0;
	char *buf = malloc(strlen(head) + n * strlen(item) + strlen(tail) + 1);
	struct feed *f = NULL;
	char err[256];

	(void)state;
	assert_non_null(buf);
	len += (size_t)sprintf(buf + len, "%s", head);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%s", item);
	len += (size_t)sprintf(buf + len, "%s", tail);
	assert_int_equal(feed_parse(buf, len, NULL, NULL, &f, err,
	    sizeof(err)), 0);
	assert_int_equal(f->nentries, FEED_MAX_ENTRIES);
	feed_free(f);
	free(buf);
}

/* An RSS feed of n items, g0 first; dated ones a minute apart, oldest
 * first. */
static char *
rss_items(size_t n, int dated)
{
	size_t len = 0, cap = 64 + n * 128;
	char *buf = malloc(cap), date[64];
	time_t t;

	assert_non_null(buf);
	len += (size_t)snprintf(buf, cap, "<rss version=\"2.0\"><channel>");
	for (size_t i = 0; i < n; i++) {
		t = 1700000000 + (time_t)i * 60;
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000",
		    gmtime(&t));
		len += (size_t)snprintf(buf + len, cap - len, "<item><guid>g%zu"
		    "</guid>%s%s%s</item>", i, dated ? "<pubDate>" : "",
		    dated ? date : "", dated ? "</pubDate>" : "");
	}
	snprintf(buf + len, cap - len, "</channel></rss>");
	return buf;
}

static int
has_id(const struct feed *f, const char *id)
{
	for (size_t i = 0; i < f->nentries; i++)
		if (strcmp(f->entries[i].id, id) == 0)
			return 1;
	return 0;
}

/* A feed ordered oldest first with more than FEED_MAX_ENTRIES entries
 * keeps its newest, in document order, and says how many went. */
static void
test_entry_cap_keeps_newest(void **state)
{
	char *doc = rss_items(FEED_MAX_ENTRIES + 7, 1), want[128];
	struct feed *f = parse_text(doc);

	(void)state;
	assert_int_equal(f->nentries, FEED_MAX_ENTRIES);
	assert_int_equal(f->ndropped, 7);
	assert_string_equal(f->entries[0].id, "g7");
	assert_string_equal(f->entries[FEED_MAX_ENTRIES - 1].id, "g10006");
	for (size_t i = 1; i < f->nentries; i++)
		assert_true(f->entries[i - 1].published <
		    f->entries[i].published);
	snprintf(want, sizeof(want), "%d entries, more than %d: the 7 oldest "
	    "left out", FEED_MAX_ENTRIES + 7, FEED_MAX_ENTRIES);
	assert_int_equal(f->nwarnings, 1);
	assert_string_equal(f->warnings[0], want);
	feed_free(f);
	free(doc);

	/* Undated: new entries come first or last, the old ones sit in the
	 * middle. */
	doc = rss_items(FEED_MAX_ENTRIES + 2000, 0);
	f = parse_text(doc);
	assert_int_equal(f->nentries, FEED_MAX_ENTRIES);
	assert_string_equal(f->entries[0].id, "g0");
	assert_string_equal(f->entries[FEED_MAX_ENTRIES / 2 - 1].id, "g4999");
	assert_string_equal(f->entries[FEED_MAX_ENTRIES / 2].id, "g7000");
	assert_string_equal(f->entries[FEED_MAX_ENTRIES - 1].id, "g11999");
	assert_false(has_id(f, "g5000"));
	assert_false(has_id(f, "g6999"));
	feed_free(f);
	free(doc);
}

/* Each author and enclosure was compared with all before it: 60,000 in
 * one entry held the loop for seconds.  An entry keeps FEED_MAX_LIST. */
static void
test_list_cap(void **state)
{
	char *doc = testdoc("<rss version=\"2.0\" xmlns:dc=\"http://purl.org/"
	    "dc/elements/1.1/\"><channel><item><guid>1</guid>", "<enclosure "
	    "url=\"http://x.example/%1$zu\" type=\"a/b\"/><dc:creator>a%1$zu"
	    "</dc:creator><category>c%1$zu</category>", 60000,
	    "</item></channel></rss>");
	struct feed *f;

	(void)state;
	assert_non_null(doc);
	f = parse_text(doc);
	assert_int_equal(f->nentries, 1);
	assert_int_equal(f->entries[0].nenclosures, FEED_MAX_LIST);
	assert_int_equal(f->entries[0].nauthors, FEED_MAX_LIST);
	assert_int_equal(f->entries[0].ncategories, FEED_MAX_LIST);
	assert_string_equal(f->entries[0].enclosures[0].url,
	    "http://x.example/0");
	assert_string_equal(f->entries[0].authors[FEED_MAX_LIST - 1], "a255");
	feed_free(f);
	free(doc);
}

/* One tag with 200,000 attributes costs a linear scan, not minutes: the
 * excess goes, with a warning; namespace declarations in scope too. */
static void
test_many_attributes(void **state)
{
	char *head = testdoc("<rss version=\"2.0\"><channel><item",
	    " a%1$zu=\"v\"", 200000, "><title>Hostile</title><guid>h1</guid>"
	    "</item><item");
	char *doc = testdoc(head, " xmlns:p%1$zu=\"urn:%1$zu\"", 200,
	    "><title>Second</title><guid>h2</guid></item></channel></rss>");
	char want[128];
	struct feed *f;

	(void)state;
	assert_non_null(doc);
	f = parse_text(doc);
	assert_int_equal(f->nentries, 2);
	assert_string_equal(f->entries[0].title, "Hostile");
	assert_string_equal(f->entries[1].title, "Second");
	assert_int_equal(f->nwarnings, 2);
	snprintf(want, sizeof(want), "%d attributes past %d on one element "
	    "dropped", 200000 - 256, 256);
	assert_string_equal(f->warnings[0], want);
	assert_string_equal(f->warnings[1], "72 namespace declarations past "
	    "128 in scope dropped");
	feed_free(f);
	free(head);
	free(doc);
}

/* A title escaped once more than it should be is read as HTML, on the
 * loop: a tag with 100,000 attributes in it cost minutes. */
static void
test_escaped_markup_attributes(void **state)
{
	char *doc = testdoc("<rss version=\"2.0\"><channel><item><guid>1</guid>"
	    "<title>&lt;b", " a%1$zu=v", 100000, "&gt;Escaped&lt;/b&gt;</title>"
	    "</item></channel></rss>");
	struct feed *f;

	(void)state;
	assert_non_null(doc);
	f = parse_text(doc);
	assert_int_equal(f->nentries, 1);
	assert_string_equal(f->entries[0].title, "Escaped");
	feed_free(f);
	free(doc);
}

static void
test_json_out(void **state)
{
	struct feed *f = parse_file("rss20.xml", "https://example.org/", NULL);
	json_t *j, *x;
	char *s;

	(void)state;
	j = feed_entry_to_json(&f->entries[0]);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 10);
	assert_string_equal(json_string_value(json_object_get(j, "id")),
	    "post-1");
	assert_string_equal(json_string_value(json_object_get(j, "published")),
	    "2022-01-07T13:26:00Z");
	assert_true(json_is_null(json_object_get(j, "updated")));
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(j, "authors"), 0)), "Joe Bloggs");
	assert_int_equal(json_array_size(json_object_get(j, "categories")), 2);
	x = json_array_get(json_object_get(j, "enclosures"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "url")),
	    "https://example.org/audio/1.mp3");
	assert_string_equal(json_string_value(json_object_get(x, "type")),
	    "audio/mpeg");
	assert_int_equal(json_integer_value(json_object_get(x, "length")),
	    12345);
	json_decref(j);

	/* absent values: null, and [] for lists */
	j = feed_entry_to_json(&f->entries[2]);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s, "{\"authors\":[],\"categories\":[],\"content\":"
	    "null,\"enclosures\":[{\"length\":null,\"type\":\"application/pdf\","
	    "\"url\":\"https://example.org/3.pdf\"}],\"id\":"
	    "\"https://example.org/posts/3\",\"link\":"
	    "\"https://example.org/posts/3\",\"published\":null,\"summary\":null,"
	    "\"title\":\"Third\",\"updated\":null}");
	free(s);
	json_decref(j);

	j = feed_meta_to_json(f);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s, "{\"authors\":[\"Ed Itor\"],\"description\":\"All the "
	    "news\",\"format\":\"rss20\",\"id\":null,\"language\":\"en-gb\","
	    "\"link\":\"https://example.org/\",\"title\":\"Example News & "
	    "Views\",\"ttl\":null,\"updated\":\"2022-01-07T15:00:00Z\","
	    "\"warnings\":[]}");
	free(s);
	json_decref(j);
	feed_free(f);
}

/* A link a reader would follow is http(s) or nothing, xml:base included;
 * the entry stays, under the id it had. */
static void
test_script_links_dropped(void **state)
{
	struct feed *f = parse_file("script-links.xml",
	    "https://example.org/feed.xml", NULL);
	struct feed *j = parse_file("script-links.json",
	    "https://json.example.org/feed.json", NULL);

	(void)state;
	assert_int_equal(f->nentries, 5);
	for (size_t i = 0; i < 4; i++) {
		assert_null(f->entries[i].link);
		assert_int_equal(f->entries[i].nenclosures, 0);
	}
	assert_string_equal(f->entries[0].id, "urn:e1");
	assert_string_equal(f->entries[1].id, "urn:e2");
	assert_string_equal(f->entries[2].id, "urn:e3");
	/* The link was its id before, and stays its id. */
	assert_string_equal(f->entries[3].id, "data:text/html;base64,"
	    "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==");
	assert_string_equal(f->entries[4].link, "https://safe.example/a/b");
	assert_int_equal(f->entries[4].nenclosures, 1);
	assert_string_equal(f->entries[4].enclosures[0].url,
	    "https://safe.example/a/ep.mp3");
	assert_true(f->nwarnings > 0);
	assert_non_null(strstr(f->warnings[0], "not http(s)"));

	assert_int_equal(j->nentries, 1);
	assert_null(j->entries[0].link);
	assert_int_equal(j->entries[0].nenclosures, 1);
	assert_string_equal(j->entries[0].enclosures[0].url,
	    "https://json.example.org/ok.mp3");
	feed_free(j);
	feed_free(f);
}

/* Read entry by entry (the stream), a document still reads as a whole:
 * channel metadata after the items, xml:base and namespaces declared on
 * ancestors, items straight under <rss>, Atom's xml:lang and feed
 * authors given to entries without their own, and line ends inside
 * CDATA made '\n' as the tree makes them. */
static void
test_streamed_context(void **state)
{
	static const char rss[] =
	    "<?xml version=\"1.0\"?>\r\n"
	    "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
	    " xml:base=\"http://example.com/blog/\">\r\n"
	    "<channel xml:base=\"sub/\">\r\n"
	    "<item><title>One</title><link>one.html</link>"
	    "<dc:creator>Ann</dc:creator>"
	    "<description><![CDATA[a\r\nb\rc]]></description></item>\r\n"
	    "<title>Late title</title><ttl>30</ttl></channel>\r\n"
	    "<item><title>Two</title><link>two.html</link></item>\r\n"
	    "</rss>\r\n";
	static const char atom[] =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">"
	    "<entry><id>urn:a</id><title>A</title></entry>"
	    "<author><name>Feed Author</name></author><title>T</title></feed>";
	char err[256];
	struct feed *f;

	(void)state;
	assert_int_equal(feed_parse(rss, sizeof(rss) - 1, NULL, NULL, &f, err,
	    sizeof(err)), 0);
	assert_string_equal(f->title, "Late title");
	assert_int_equal(f->ttl, 30 * 60);
	assert_int_equal(f->nentries, 2);
	assert_int_equal(f->nwarnings, 0);
	assert_string_equal(f->entries[0].title, "One");
	assert_string_equal(f->entries[0].link,
	    "http://example.com/blog/sub/one.html");
	assert_string_equal(f->entries[0].summary, "a\nb\nc");
	assert_int_equal(f->entries[0].nauthors, 1);
	assert_string_equal(f->entries[0].authors[0], "Ann");
	assert_string_equal(f->entries[1].link,
	    "http://example.com/blog/two.html");
	feed_free(f);
	assert_int_equal(feed_parse(atom, sizeof(atom) - 1, NULL, NULL, &f, err,
	    sizeof(err)), 0);
	assert_string_equal(f->title, "T");
	assert_string_equal(f->language, "fr");
	assert_int_equal(f->nentries, 1);
	assert_int_equal(f->entries[0].nauthors, 1);
	assert_string_equal(f->entries[0].authors[0], "Feed Author");
	feed_free(f);
}

/* The references libxml2 would drop, rewritten as the stream reads
 * (feed_refs) rather than in a copy of the document, read as the copy
 * reads them: across the reader's chunks, beside line ends made '\n'
 * across them too, in a document the stream reads whole, in one it
 * gives up on (then the tree reads a copy), and from a mapped file whose
 * pages are given back as they are read (feed_parse_mapped). */
static void
test_streamed_references(void **state)
{
	static const char want[] = "a\xc2\xa0" "b\xe2\x80\x94" "c & d\ne";
	char *doc = testdoc("<rss><channel><title>T &amp; &hellip;</title>",
	    "<item><title>%1$zu&nbsp;&#x41;</title><guid>g%1$zu</guid>"
	    "<description>a&nbsp;b&mdash;c & d\r\ne</description></item>\r\n",
	    9000, "</channel></rss>");
	char *bad = testdoc("<rss><channel>", "<item><title>%1$zu&nbsp;</title>"
	    "<description>a&nbsp;b&mdash;c & d\r\ne</description></item>",
	    3, "<item><title>x</titel></item></channel></rss>");
	char path[64], err[256], title[32];
	struct feed *f, *m;
	struct stat st;
	void *map;
	int fd;

	(void)state;
	assert_int_equal(feed_parse(doc, strlen(doc), NULL, NULL, &f, err,
	    sizeof(err)), 0);
	assert_string_equal(f->title, "T & \xe2\x80\xa6");
	assert_int_equal(f->nentries, 9000);
	assert_int_equal(f->nwarnings, 1);
	for (size_t i = 0; i < f->nentries; i++) {
		/* A title's spaces, U+00A0 among them, are squashed. */
		snprintf(title, sizeof(title), "%zu A", i);
		assert_string_equal(f->entries[i].title, title);
		assert_string_equal(f->entries[i].summary, want);
	}
	snprintf(path, sizeof(path), "/tmp/nw-test-feed-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	assert_int_equal(fstat(fd, &st), 0);
	assert_true((map = mmap(NULL, (size_t)st.st_size, PROT_READ,
	    MAP_PRIVATE, fd, 0)) != MAP_FAILED);
	assert_int_equal(feed_parse_mapped(map, (size_t)st.st_size, NULL, NULL,
	    &m, err, sizeof(err)), 0);
	assert_int_equal(m->nentries, f->nentries);
	for (size_t i = 0; i < m->nentries; i++) {
		assert_string_equal(m->entries[i].title, f->entries[i].title);
		assert_string_equal(m->entries[i].summary, want);
	}
	/* Given back, the pages still read as the file. */
	assert_memory_equal(map, doc, strlen(doc));
	munmap(map, (size_t)st.st_size);
	close(fd);
	unlink(path);
	feed_free(m);
	feed_free(f);
	assert_int_equal(feed_parse(bad, strlen(bad), NULL, NULL, &f, err,
	    sizeof(err)), 0);
	assert_true(f->nentries >= 3);
	assert_string_equal(f->entries[2].title, "2");
	assert_string_equal(f->entries[2].summary, want);
	feed_free(f);
	free(bad);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss20),
		cmocka_unit_test(test_rss091),
		cmocka_unit_test(test_rss10),
		cmocka_unit_test(test_atom10),
		cmocka_unit_test(test_atom03),
		cmocka_unit_test(test_jsonfeed),
		cmocka_unit_test(test_poll_hints),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_namespace_spelling),
		cmocka_unit_test(test_rss_people),
		cmocka_unit_test(test_rss_loose),
		cmocka_unit_test(test_undeclared_entities),
		cmocka_unit_test(test_windows1252),
		cmocka_unit_test(test_http_charset),
		cmocka_unit_test(test_mixed_encoding),
		cmocka_unit_test(test_hash_id),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_not_a_feed_named_alike_by_both_readers),
		cmocka_unit_test(test_numeric_references_are_no_repair),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_loose_html_in_description),
		cmocka_unit_test(test_loose_atom),
		cmocka_unit_test(test_loose_unclosed_cdata),
		cmocka_unit_test(test_loose_unclosed_elements),
		cmocka_unit_test(test_loose_leading_junk_and_entities),
		cmocka_unit_test(test_loose_encoding),
		cmocka_unit_test(test_loose_truncated),
		cmocka_unit_test(test_loose_hostile),
		cmocka_unit_test(test_loose_open_quote),
		cmocka_unit_test(test_entry_from_json),
		cmocka_unit_test(test_hash_id_stable),
		cmocka_unit_test(test_entry_cap),
		cmocka_unit_test(test_entry_cap_keeps_newest),
		cmocka_unit_test(test_many_attributes),
		cmocka_unit_test(test_list_cap),
		cmocka_unit_test(test_escaped_markup_attributes),
		cmocka_unit_test(test_json_out),
		cmocka_unit_test(test_nul_bytes_removed),
		cmocka_unit_test(test_script_links_dropped),
		cmocka_unit_test(test_streamed_context),
		cmocka_unit_test(test_streamed_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
