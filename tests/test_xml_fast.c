/*
 * test_xml_fast.c - our own strict scan builds the tree libxml2 builds
 * with the feed parser's options, hands subtrees over whole, and refuses
 * every document it is not sure libxml2 reads without a complaint.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../feeds/xml_fast.h"
#include "xml_fast_seen.h"

/* in read by libxml2 as the feed parser asks it, the root serialised. */
static char *
libxml2_reading(const char *in)
{
	xmlDocPtr doc = xmlReadMemory(in, (int)strlen(in), "http://x/",
	    NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	xmlBufferPtr b = xmlBufferCreate();
	char *out;

	assert_non_null(doc);
	xmlNodeDump(b, doc, xmlDocGetRootElement(doc), 0, 0);
	out = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	xmlFreeDoc(doc);
	return out;
}

static void
same_as_libxml2(const char *in)
{
	struct seen s = { .subtree_depth = -1 };
	char *want = libxml2_reading(in);

	assert_int_equal(xml_fast_read(in, strlen(in), "http://x/", &handler,
	    &s), 0);
	assert_non_null(s.root);
	assert_string_equal((const char *)xmlBufferContent(s.root), want);
	xmlBufferFree(s.root);
	free(want);
}

static void
test_same_tree_as_libxml2(void **state)
{
	static const char *const docs[] = {
		"<rss version=\"2.0\"><channel><title>A &amp; B &lt;i&gt;"
		"</title><item><title>x</title></item></channel></rss>",
		"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<?xml-stylesheet href=\"s.xsl\"?><!-- before -->\n"
		"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\" "
		"xml:base=\"http://a/b/\"><entry><title type='html'>"
		"caf\xc3\xa9 &#233;&#xE9;&#x1F600;</title></entry></feed>\n",
		"<r xmlns:a=\"urn:a\" xmlns:b='urn:b'><a:x b:y=\"1\" z=\"2\"/>"
		"<b:w xmlns:b=\"urn:c\"><b:v/></b:w><e></e></r>",
		"<r a=\"tab\there&#9;ref\r\nline\nend &quot;'\" "
		"b='say \"hi\" &apos;'>x</r>",
		"<r>one\r\ntwo\rthree<![CDATA[ <b>four</b> & ]]>five"
		"<!-- note\r\n -->six ]] > ]</r>",
		"<r>\n  <d><![CDATA[]]></d>\n  <e>&#10;&#13;</e>\n</r>\n"
		"<!-- after -->\n<?pi after?>\n",
		"<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/"
		"xhtml\"><p class=\"c\">a<br/>b</p></div></content>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		same_as_libxml2(docs[i]);
}

static void
refused(const char *in, size_t len)
{
	struct seen s = { .subtree_depth = -1 };

	assert_int_equal(xml_fast_read(in, len, NULL, &handler, &s), 1);
	if (s.root != NULL)
		xmlBufferFree(s.root);
}

static void
test_refuses_what_libxml2_complains_of(void **state)
{
	static const char *const docs[] = {
		"<!DOCTYPE rss [<!ENTITY e \"x\">]><rss>&e;</rss>",
		"<rss>&nbsp;</rss>",
		"<rss>a & b</rss>",
		"<rss><a></b></rss>",
		"<rss><a></rss>",
		"<rss><p:a/></rss>",
		"<rss><a p:b=\"1\"/></rss>",
		"<rss a=\"1\" a=\"2\"/>",
		"<rss a=\"1\"b=\"2\"/>",
		"<rss a=1/>",
		"<rss a=\"x<y\"/>",
		"<rss>\x01</rss>",
		"<rss>\xef\xbf\xbf</rss>",
		"<rss><!-- a -- b --></rss>",
		"<rss><!-- \x16 --></rss>",
		"<!-- \xef\xbf\xbe --><rss/>",
		"<?pi \x01?><rss/>",
		"<?1pi?><rss/>",
		"<?a:pi?><rss/>",
		"<rss xmlns:a=\"urn:x\" xmlns:b=\"urn:x\" a:c=\"1\" b:c=\"2\"/>",
		"<rss/>text",
		"<rss/><rss/>",
		"<rss>a ]]> b</rss>",
		"<rss>&#150;</rss>",
		"<rss>&#0;</rss>",
		"<rss>&#xD800;</rss>",
		"<rss><![CDATA[ a <![CDATA[ b ]]></rss>",
		"<rss><![CDATA[ never closed</rss>",
		" <?xml version=\"1.0\"?><rss/>",
		"<?xml versionW\"1.0\"?><rss/>",
		"<?xml version=\"1.0\" encoding=\"utf-8\" x=\"y\"?><rss/>",
		"<?xml encoding=\"utf-8\"?><rss/>",
		"<rss><?pi inside?></rss>",
		"<rss xmlns:a=\"\"/>",
		"<feed xmlns=\"http://>www.w3.org/2005/Atom\"/>",
		"<r\xc3\xa9/>",
		"<rss>cut short",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		refused(docs[i], strlen(docs[i]));
	refused("<rss>\0</rss>", 12);
}

/* Each byte that stops a run, or looks as if it might, at every offset
 * of an 8-byte word and at a run's end (the scan reads a word at a time
 * and looks for "]]>", "<![CDATA[", "-->" and "?>" by a byte they hold
 * that text seldom does): the tree libxml2 builds, or a refusal where
 * libxml2 complains. */
static void
test_stops_at_every_offset(void **state)
{
	static const struct {
		const char *open, *close, *snippet;
		int ok;
	} cases[] = {
		{ "<r>", "</r>", "&amp;", 1 }, { "<r>", "</r>", "\r\n", 1 },
		{ "<r>", "</r>", "\t\n", 1 }, { "<r>", "</r>", "]", 1 },
		{ "<r>", "</r>", "\"'", 1 }, { "<r>", "</r>", "\xc3\xa9", 1 },
		{ "<r>", "</r>", "\xef\xbc\x81", 1 },
		{ "<r>", "</r>", "\x01", 0 }, { "<r>", "</r>", "\xef\xbf\xbe", 0 },
		{ "<r>", "</r>", "]]>", 0 }, { "<r>", "</r>", "&", 0 },
		{ "<r>", "</r>", "&lt;&gt;&quot;&apos;&#233;&#x1F600;&#65;", 1 },
		{ "<r>", "</r>", "&lg;", 0 }, { "<r>", "</r>", "&quo;", 0 },
		{ "<r>", "</r>", "&ampx;", 0 }, { "<r>", "</r>", "&;", 0 },
		{ "<r>", "</r>", "&#;", 0 },
		{ "<r><![CDATA[", "]]></r>", "&<\r\n\t\"", 1 },
		{ "<r><![CDATA[", "]]></r>", "]]]", 1 },
		{ "<r><![CDATA[", "]]></r>", "] ]>[", 1 },
		{ "<r><![CDATA[", "]]></r>", "<![CDATA", 1 },
		{ "<r><![CDATA[", "]]></r>", "\xef\xbc\x81", 1 },
		{ "<r><![CDATA[", "]]></r>", "<![CDATA[", 0 },
		{ "<r><![CDATA[", "]]></r>", "\x1f", 0 },
		{ "<r><![CDATA[", "]]></r>", "\xef\xbf\xbf", 0 },
		{ "<r a='", "'/>", "&quot;\"\t\r\n]", 1 },
		{ "<r a='", "'/>", "\xef\xbc\x81", 1 },
		{ "<r a='", "'/>", "<", 0 }, { "<r a='", "'/>", "\x02", 0 },
		{ "<r><!-- ", " --></r>", "-", 1 },
		{ "<r><!-- ", " --></r>", "->\r\n", 1 },
		{ "<r><!-- ", " --></r>", "--", 0 },
		{ "<?pi ", "?><r/>", "?", 1 }, { "<?pi ", "?><r/>", "> ?", 1 },
	};
	char doc[128];

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (int before = 0; before < 18; before++)
			for (int after = 0; after < 10; after++) {
				int n = snprintf(doc, sizeof(doc), "%s%.*s%s%.*s%s",
				    cases[c].open, before, "abcdefghijklmnopqr",
				    cases[c].snippet, after, "stuvwxyzAB",
				    cases[c].close);

				assert_true(n > 0 && (size_t)n < sizeof(doc));
				if (cases[c].ok)
					same_as_libxml2(doc);
				else
					refused(doc, (size_t)n);
			}
}

/* Each subtree is handed over once, whole; its inside gets no calls. */
static void
test_subtrees_handed_over_whole(void **state)
{
	static const char doc[] = "<rss><channel><item><title>a</title>"
	    "<link>l</link></item><item><title>b<i/></title></item>"
	    "</channel></rss>";
	struct seen s = { .subtree_depth = 2 };

	(void)state;
	assert_int_equal(xml_fast_read(doc, strlen(doc), NULL, &handler, &s),
	    0);
	assert_int_equal(s.subtrees, 2);
	assert_int_equal(s.ends, 4);    /* two items, channel, root */
	assert_string_equal(s.last_subtree,
	    "<item><title>b<i/></title></item>");
	xmlBufferFree(s.root);
}

/* A start tag with 200,000 attributes: past markup_guard's cap, left to
 * the libxml2 path, which cuts it first. */
static void
test_attribute_flood_refused(void **state)
{
	size_t n = 200000, len = 0;
	char *doc = malloc(n * 12 + 32);

	(void)state;
	assert_non_null(doc);
	len += (size_t)sprintf(doc, "<rss");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(doc + len, " a%zu=\"\"", i);
	len += (size_t)sprintf(doc + len, "/>");
	refused(doc, len);
	free(doc);
}

/* A prefixed name whose local part starts with a digit, a dash or a dot
 * is libxml2's namespace error, and a PI target must be followed by a
 * blank or "?>": refused, not read (both found by fuzz_fast). */
static void
test_prefixed_name_local_part_refused(void **state)
{
	static const char *const docs[] = {
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:2base=\"http://a/\"/>",
	    "<rss a:-b=\"1\"/>", "<rss><a:.b/></rss>",
	    /* A PI target followed by a "?" that does not end it. */
	    "<?x?xml version=\"2.0\"?>\n<rss/>" };

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		refused(docs[i], strlen(docs[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_tree_as_libxml2),
		cmocka_unit_test(test_refuses_what_libxml2_complains_of),
		cmocka_unit_test(test_stops_at_every_offset),
		cmocka_unit_test(test_subtrees_handed_over_whole),
		cmocka_unit_test(test_attribute_flood_refused),
		cmocka_unit_test(test_prefixed_name_local_part_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
