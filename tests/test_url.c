/*
 * test_url.c - url_resolve (RFC 3986 examples and what feeds really put in
 * links), url_is_http, url_without_password and url_same_origin.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../feeds/url.h"

/* got is want, NULL included. */
static void
assert_str(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void
check(const char *base, const char *ref, const char *want)
{
	char *got = url_resolve(base, ref);

	assert_str(got, want);
	free(got);
}

static void
test_rfc3986(void **state)
{
	const char *b = "http://a/b/c/d;p?q";

	(void)state;
	check(b, "g:h", "g:h");
	check(b, "g", "http://a/b/c/g");
	check(b, "./g", "http://a/b/c/g");
	check(b, "g/", "http://a/b/c/g/");
	check(b, "/g", "http://a/g");
	check(b, "//g", "http://g");
	check(b, "?y", "http://a/b/c/d;p?y");
	check(b, "g?y", "http://a/b/c/g?y");
	check(b, "#s", "http://a/b/c/d;p?q#s");
	check(b, "..", "http://a/b/");
	check(b, "../g", "http://a/b/g");
	check(b, "../../g", "http://a/g");
	check(b, "../../../g", "http://a/g");
}

static void
test_feed_links(void **state)
{
	(void)state;
	check("https://example.org/blog/feed.xml", "  /post/1\n",
	    "https://example.org/post/1");
	check("https://example.org/blog/", "//cdn.example.net/a.png",
	    "https://cdn.example.net/a.png");
	check("https://example.org/blog/", "http://other.example/x",
	    "http://other.example/x");
	check("http://example.org/", "a b.html", "http://example.org/a%20b.html");
	check("http://example.org/", "caf\xc3\xa9", "http://example.org/caf%C3%A9");
	check("http://example.org/", "100%", "http://example.org/100%25");
	check("http://example.org/", "x%20y", "http://example.org/x%20y");
	check("http://example.org", "p", "http://example.org/p");
	check(" http://example.org/d/ ", "p", "http://example.org/d/p");
}

static void
test_edges(void **state)
{
	(void)state;
	check(NULL, "  relative/path ", "relative/path");
	check(NULL, "//host/p", "//host/p");
	check("", "x", "x");
	check("http://example.org/", "", NULL);
	check("http://example.org/", " \t\n", NULL);
	check("http://example.org/", NULL, NULL);
}

static void
test_is_http(void **state)
{
	(void)state;
	assert_true(url_is_http("http://example.org/"));
	assert_true(url_is_http("HTTPS://example.org"));
	assert_false(url_is_http("ftp://example.org/"));
	assert_false(url_is_http("http:///path"));
	assert_false(url_is_http("http://"));
	assert_false(url_is_http("/relative"));
	assert_false(url_is_http("mailto:a@b"));
	assert_false(url_is_http(NULL));
}

/* Only a reference with no scheme, hidden or not, may stay relative. */
static void
test_is_relative_ref(void **state)
{
	(void)state;
	assert_true(url_is_relative_ref("/relative/link"));
	assert_true(url_is_relative_ref("item.html?a=b:c"));
	assert_true(url_is_relative_ref("//example.org/x"));
	assert_true(url_is_relative_ref("#frag:x"));
	assert_false(url_is_relative_ref("javascript:alert(1)"));
	assert_false(url_is_relative_ref("java\tscript:alert(1)"));
	assert_false(url_is_relative_ref("java\nscript:alert(1)"));
	assert_false(url_is_relative_ref(" /x"));
	assert_false(url_is_relative_ref("urn:uuid:1"));
	assert_false(url_is_relative_ref("data:text/html,x"));
	assert_false(url_is_relative_ref(""));
	assert_false(url_is_relative_ref(NULL));
}

static void
check_password(const char *url, const char *shown, const char *password)
{
	char *pw, *got = url_without_password(url, &pw);

	assert_str(got, shown);
	assert_str(pw, password);
	free(pw);
	free(got);
}

static void
test_without_password(void **state)
{
	(void)state;
	check_password("http://user:s3cret@host/feed", "http://user@host/feed",
	    "s3cret");
	check_password("https://u:p%40ss%3Aw@host:8080/f?x=a:b@c#y",
	    "https://u@host:8080/f?x=a:b@c#y", "p@ss:w");
	/* The last '@' of the authority ends the user info. */
	check_password("http://u:a@b@host/", "http://u@host/", "a@b");
	check_password("http://u:@host/", "http://u@host/", "");
	check_password("http://user@host/f", "http://user@host/f", NULL);
	check_password("http://host/f?u:p@x", "http://host/f?u:p@x", NULL);
	check_password("http://host:80/", "http://host:80/", NULL);
	check_password("redis://:pw@127.0.0.1:6379/s",
	    "redis://@127.0.0.1:6379/s", "pw");
}

static void
test_same_origin(void **state)
{
	(void)state;
	assert_true(url_same_origin("http://u@Host:81/a", "HTTP://u@host:81/b?c"));
	assert_true(url_same_origin("https://h", "https://h/x"));
	assert_false(url_same_origin("http://h/a", "https://h/a"));
	assert_false(url_same_origin("http://h/a", "http://h:81/a"));
	assert_false(url_same_origin("http://u@h/a", "http://h/a"));
	assert_false(url_same_origin("http://h.evil/a", "http://h/a"));
	assert_false(url_same_origin("http://h/a", "/a"));
}

static void
check_canonical(const char *url, const char *want)
{
	char *got = url_canonical(url);

	assert_str(got, want);
	free(got);
}

/* Two links to one page give one story address. */
static void
test_canonical(void **state)
{
	(void)state;
	check_canonical("HTTPS://WWW.Example.ORG/News/A?id=3#top",
	    "https://www.example.org/News/A?id=3");
	check_canonical("http://example.org:80/a", "http://example.org/a");
	check_canonical("https://example.org:443/a", "https://example.org/a");
	check_canonical("https://example.org:8443/a",
	    "https://example.org:8443/a");
	check_canonical("http://example.org:443/a", "http://example.org:443/a");
	check_canonical("https://example.org", "https://example.org/");
	check_canonical("https://example.org?x=1", "https://example.org/?x=1");
	check_canonical("https://example.org/a?utm_source=rss&id=7"
	    "&utm_medium=feed&fbclid=XY&gclid=1&b=2#c",
	    "https://example.org/a?id=7&b=2");
	check_canonical("https://example.org/a?UTM_Campaign=x",
	    "https://example.org/a");
	check_canonical("https://example.org/a?&&id=1&",
	    "https://example.org/a?id=1");
	/* A name that only starts like one is kept. */
	check_canonical("https://example.org/a?fbclidx=1&ocid",
	    "https://example.org/a?fbclidx=1");
	check_canonical("ftp://example.org/a", NULL);
	check_canonical("/a/b", NULL);
	check_canonical(NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_rfc3986),
		cmocka_unit_test(test_feed_links),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_is_http),
		cmocka_unit_test(test_is_relative_ref),
		cmocka_unit_test(test_without_password),
		cmocka_unit_test(test_same_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
