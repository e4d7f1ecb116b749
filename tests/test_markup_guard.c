/*
 * test_markup_guard.c - the cap on attributes per start tag and on
 * namespace declarations in scope, read as libxml2 reads the markup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../feeds/markup_guard.h"
#include "testdoc.h"

/* in with caps attrs and ns: want is the result, NULL when in must come
 * back untouched (and not copied). */
static void
check(unsigned flags, size_t attrs, size_t ns, const char *in,
    const char *want)
{
	struct markup_guard_stats st;
	char *out;
	size_t outlen;

	assert_int_equal(markup_guard(in, strlen(in), flags, NULL, attrs, ns,
	    &out,
	    &outlen, &st), 0);
	if (want == NULL) {
		assert_null(out);
		assert_int_equal(outlen, strlen(in));
		assert_int_equal(st.attrs + st.ns + st.tags + st.entities +
		    st.attlists, 0);
		return;
	}
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(outlen, strlen(want));
	free(out);
}

static void
test_normal_documents_untouched(void **state)
{
	(void)state;
	check(0, 2, 2, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" "
	    "xmlns:dc=\"d\"><channel><item a=\"1\" b=\"2\"><title>x &amp; "
	    "y</title></item></channel></rss>", NULL);
	/* Quoted '>', comments, CDATA and PIs hold no attributes. */
	check(0, 2, 2, "<r><a x=\">\" y=\"1\"/><!-- <b c='' d='' e=''> -->"
	    "<![CDATA[<b c='' d='' e=''>]]><?pi <b c='' d='' e=''> ?></r>",
	    NULL);
	check(MARKUP_GUARD_HTML, 2, 0, "<!DOCTYPE html><p class=x id=y>a < b"
	    "</p><script>var s = '<p a b c d>';</script><!-- <p a b c> -->"
	    "<style>p[a b c d] {}</style><p a=\"<i x y z>\">", NULL);
	/* HTML has no namespaces: xmlns is one more attribute. */
	check(MARKUP_GUARD_HTML, 3, 0, "<p xmlns:a=1 xmlns:b=2 c=3>", NULL);
}

static void
test_xml_attributes_capped(void **state)
{
	char *doc = testdoc("<rss><channel><item", " a%1$zu=\"v\"", 200000,
	    "><title>T</title></item><item><title>U</title></item>"
	    "</channel></rss>");
	struct markup_guard_stats st;
	xmlDocPtr x;
	xmlNodePtr item;
	char *out;
	size_t len;

	(void)state;
	check(0, 2, 2, "<r a=\"1\" b='2' c=\"3\" d=\"4\"/>",
	    "<r a=\"1\" b='2' />");
	check(0, 1, 2, "<r a=\">\" b=\"2\">x</r>", "<r a=\">\" >x</r>");
	/* An attribute in a DOCTYPE entity value is parsed where the entity
	 * is used. */
	check(0, 1, 2, "<!DOCTYPE r [<!ENTITY e \"<z a='1' b='2'/>\">]><r/>",
	    "<!DOCTYPE r [<!ENTITY e \"<z a='1' />\">]><r/>");
	/* Markup spelt in character references cannot be counted here: the
	 * value goes.  A plain character reference stays. */
	check(0, 1, 2, "<!DOCTYPE r [<!ENTITY e \"&#x3C;z a='1'/>\">"
	    "<!ENTITY f '&#38;#60;z/>'><!ENTITY g \"<z&#32;a='1'/>\">"
	    "<!ENTITY nbsp '&#160;'>]><r/>", "<!DOCTYPE r [<!ENTITY e \"\">"
	    "<!ENTITY f ''><!ENTITY g \"\"><!ENTITY nbsp '&#160;'>]><r/>");
	check(0, 1, 2, "<!DOCTYPE r [<!ENTITY nbsp '&#160;'>]><r/>", NULL);
	/* Defaults from the DOCTYPE would be copied into every element. */
	check(0, 8, 8, "<!DOCTYPE r [<!ATTLIST r a CDATA '>' b CDATA \"1\">"
	    "<!ELEMENT r ANY>]><r/>", "<!DOCTYPE r [<!ELEMENT r ANY>]><r/>");

	assert_int_equal(markup_guard(doc, strlen(doc), 0, NULL,
	    MARKUP_GUARD_MAX_ATTRS, MARKUP_GUARD_MAX_NS, &out, &len, &st), 0);
	assert_non_null(out);
	assert_int_equal(st.attrs, 200000 - MARKUP_GUARD_MAX_ATTRS);
	x = xmlReadMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
	assert_non_null(x);
	item = xmlDocGetRootElement(x)->children->children;
	assert_string_equal((const char *)item->name, "item");
	assert_int_equal(testdoc_most_attrs(item), MARKUP_GUARD_MAX_ATTRS);
	assert_string_equal((const char *)item->next->name, "item");
	xmlFreeDoc(x);
	free(out);
	free(doc);
}

static void
test_namespaces_in_scope_capped(void **state)
{
	(void)state;
	/* Declarations leave scope with their element. */
	check(0, 8, 2, "<r><x xmlns:a=\"1\" xmlns:b=\"2\"></x>"
	    "<y xmlns:c=\"3\" xmlns=\"4\"/><z xmlns:d=\"5\"/></r>", NULL);
	check(0, 8, 2, "<r xmlns:a=\"1\"><x xmlns:b=\"2\"><y xmlns:c=\"3\" "
	    "k=\"v\"/></x><y xmlns:d=\"4\"/></r>",
	    "<r xmlns:a=\"1\"><x xmlns:b=\"2\"><y  k=\"v\"/></x>"
	    "<y xmlns:d=\"4\"/></r>");
}

static void
test_html_attributes_capped(void **state)
{
	char *page = testdoc("<html><head><title>T</title></head><body>"
	    "<div id=big", " a%1$zu=\"v\"", 100000, "><p>Body text.</p></div>"
	    "</body></html>");
	char in[160], want[160];
	htmlDocPtr h;
	char *out;
	size_t len;

	(void)state;
	check(MARKUP_GUARD_HTML, 2, 0, "<div a b=1 c='x' d=\"y\">t</div>",
	    "<div a b=1 >t</div>");
	/* Past the cap the whole rest of the tag goes, lest what stays
	 * read differently ("c =\"\"" would give c a value). */
	check(MARKUP_GUARD_HTML, 2, 0, "<a m n p=\"\"-=''s>",
	    "<a m n >");
	check(MARKUP_GUARD_HTML, 2, 0, "<a : c q=\"\"=\"\"x>", "<a : c >");
	/* Bogus names are skipped to a blank, quotes and all, as
	 * htmlParseStartTag does: no attributes, and d is one. */
	check(MARKUP_GUARD_HTML, 1, 0, "<p a !b=\"c d\" e>",
	    "<p a !b=\"c >");
	/* A name is cut after 100 bytes and goes on as the next one. */
	memcpy(in, "<p ", 3);
	memset(in + 3, 'a', 130);
	memcpy(want, in, 133);
	memcpy(in + 133, " x>", 4);
	memcpy(want + 133, " >", 3);
	check(MARKUP_GUARD_HTML, 2, 0, in, want);
	/* Past </script> the markup counts again.  An end tag where the
	 * text starts or resumes would end it if libxml2 holds (or implied)
	 * that element open: it goes. */
	check(MARKUP_GUARD_HTML, 1, 0, "<script>x</scripty></SCRIPT><b c d>",
	    "<script>x</SCRIPT><b c >");
	check(MARKUP_GUARD_HTML, 1, 0, "t<script></p>\"<b c d></script>",
	    "t<script>\"<b c d></script>");
	/* A literal after SYSTEM is quoted; elsewhere a DOCTYPE ends at '>'. */
	check(MARKUP_GUARD_HTML, 1, 0, "<!DOCTYPE html SYSTEM \"a>\"><b c d>",
	    "<!DOCTYPE html SYSTEM \"a>\"><b c >");
	check(MARKUP_GUARD_HTML, 1, 0, "<!DOCTYPE html \"a><b c d>\">",
	    "<!DOCTYPE html \"a><b c >\">");
	/* libxml2 ends a comment at "--!>" too. */
	check(MARKUP_GUARD_HTML, 1, 0, "<!-- x --!><b c d>-->",
	    "<!-- x --!><b c >-->");

	assert_int_equal(markup_guard(page, strlen(page), MARKUP_GUARD_HTML, NULL,
	    MARKUP_GUARD_MAX_ATTRS, 0, &out, &len, NULL), 0);
	assert_non_null(out);
	h = htmlReadMemory(out, (int)len, NULL, "UTF-8", HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
	assert_non_null(h);
	assert_int_equal(testdoc_most_attrs(xmlDocGetRootElement(h)),
	    MARKUP_GUARD_MAX_ATTRS);
	xmlFreeDoc(h);
	free(out);
	free(page);
}

/* A PI whose target starts with a non-ASCII byte is a PI to libxml2 when
 * that is a letter (in UTF-8, or in the Latin-1 libxml2 falls back to
 * after a bad byte): a comment opener in it used to hide the rest of the
 * document from the guard, found by fuzz_markup. */
static void
test_pi_with_non_ascii_target(void **state)
{
	(void)state;
	check(MARKUP_GUARD_HTML, 2, 0, "<?\xff<!--><a x y z>",
	    "<?\xff<!--><a x y >");
	check(0, 2, 2, "<?\xc3\xa9 <!-- ?><a b=\"1\" c=\"2\" d=\"3\"/>",
	    "<?\xc3\xa9 <!-- ?><a b=\"1\" c=\"2\" />");
	/* Nor does a <script> in it hide them as script text. */
	check(MARKUP_GUARD_HTML, 2, 0, "<?\xff%<script><a b M :*>",
	    "<?\xff%<script><a b M >");
	/* Read as text instead, its tags are capped all the same. */
	check(MARKUP_GUARD_HTML, 1, 0, "<?\x80<b c d>", "<?\x80<b c >");
}

static void
test_utf16(void **state)
{
	/* "\xff\xfe" then "<r a='' b='' c=''/>" in UTF-16LE. */
	static const char ascii[] = "<r a='' b='' c=''/>";
	char in[2 + 2 * sizeof(ascii)], *out;
	size_t len, i;
	xmlDocPtr x;

	(void)state;
	in[0] = '\xff';
	in[1] = '\xfe';
	for (i = 0; i < sizeof(ascii) - 1; i++) {
		in[2 + 2 * i] = ascii[i];
		in[3 + 2 * i] = '\0';
	}
	assert_int_equal(markup_guard(in, 2 + 2 * i, 0, NULL, 1, 1, &out, &len,
	    NULL), 0);
	assert_non_null(out);
	assert_int_equal(len, 2 + 2 * i - 2 * strlen("b='' c=''"));
	x = xmlReadMemory(out, (int)len, NULL, NULL, XML_PARSE_NONET);
	assert_non_null(x);
	assert_int_equal(testdoc_most_attrs(xmlDocGetRootElement(x)), 1);
	xmlFreeDoc(x);
	free(out);
}

static void
silent(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/*
 * Random markup from the characters that decide how libxml2 reads a tag:
 * whatever the guard lets through, no element libxml2 builds from it has
 * more attributes than the cap.  A guard that read a quote, comment or
 * name differently from the parser would let one through.
 */
static void
test_random_markup_never_passes_cap(void **state)
{
	static const char *const bits[] = { "<", ">", "\"", "'", "=", " ",
	    "/", "a", "b", "c", "d", "<a", "</a>", "<!--", "-->", "--!>",
	    "<?", "?>", "<![CDATA[", "]]>", "<!DOCTYPE ", " SYSTEM ", "[",
	    "]", "<script>", "</script>", "<style>", "&", ":", "xmlns:p=\"u\"",
	    "p:q=\"1\"", "\n", "x=\"1\"", "y='2'", "z=3", "-", "!", "_", "/>",
	    "<p", "</p>", "<br", "</style>", "<!doctype ", " PUBLIC ", "\t",
	    "<B", "</b>", "." };
	unsigned seed = 1;
	char doc[512], *out;
	size_t len, max;

	(void)state;
	xmlSetGenericErrorFunc(NULL, silent);
	for (int round = 0; round < 50000; round++) {
		int html = round & 1;
		size_t n = 0;
		xmlDocPtr d;

		while (n < 400) {
			const char *b;

			seed = seed * 1103515245 + 12345;
			b = bits[(seed >> 16) % (sizeof(bits) / sizeof(bits[0]))];
			memcpy(doc + n, b, strlen(b));
			n += strlen(b);
		}
		doc[n] = '\0';
		assert_int_equal(markup_guard(doc, n, html ? MARKUP_GUARD_HTML :
		    0, html ? "UTF-8" : NULL, 2, 2, &out, &len, NULL), 0);
		d = html ? htmlReadMemory(out ? out : doc, (int)len, NULL,
		    "UTF-8", HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		    HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER) :
		    xmlReadMemory(out ? out : doc, (int)len, NULL, NULL,
		    XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
		    XML_PARSE_NOWARNING);
		max = d != NULL ? testdoc_most_attrs(xmlDocGetRootElement(d)) : 0;
		if (max > 2)
			fail_msg("%s round %d: %zu attributes from:\n%s",
			    html ? "HTML" : "XML", round, max, out ? out : doc);
		xmlFreeDoc(d);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_documents_untouched),
		cmocka_unit_test(test_xml_attributes_capped),
		cmocka_unit_test(test_namespaces_in_scope_capped),
		cmocka_unit_test(test_html_attributes_capped),
		cmocka_unit_test(test_pi_with_non_ascii_target),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_random_markup_never_passes_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
