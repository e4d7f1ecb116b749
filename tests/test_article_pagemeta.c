/*
 * test_article_pagemeta.c - the article parser's title, author and date
 * on pages that are no news article: Q&A threads, product pages, pages
 * that show their date only in text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../feeds/article.h"
#include "../feeds/date.h"

static struct article *
page(const char *html)
{
	struct article *a = NULL;
	char err[256] = "";

	if (article_parse(html, strlen(html), "https://shop.example/p/1",
	    NULL, NULL, 0, 0, &a, err, sizeof(err)) != 0)
		fail_msg("article_parse: %s", err);
	assert_non_null(a);
	return a;
}

/* The day t falls on, "" when unset. */
static const char *
day_of(int64_t t, char *buf, size_t len)
{
	if (t == NW_TIME_UNSET)
		return "";
	date_format_rfc3339(t, buf, len);
	buf[len > 10 ? 10 : 0] = '\0';
	return buf;
}

#define assert_day(t, want) do {					\
	char day_[32];							\
	assert_string_equal(day_of((t), day_, sizeof(day_)), (want));	\
} while (0)

/* A Q&A page's microdata: the Question's author and date, not the
 * answer's. */
static void
test_question_microdata(void **state)
{
	struct article *a;

	(void)state;
	a = page("<html itemscope itemtype='https://schema.org/QAPage'><body>"
	    "<h1>Why is RAID not a backup?</h1>"
	    "<div itemprop='mainEntity' itemscope "
	    "itemtype='https://schema.org/Question'>"
	    "<time itemprop='dateCreated' datetime='2009-05-02T00:01:21'>"
	    "asked</time><p>Someone said RAID is no backup. Why?</p>"
	    "<div itemprop='author' itemscope "
	    "itemtype='http://schema.org/Person'><a href='/u/1'>jldugger</a>"
	    "<meta itemprop='name' content='jldugger'></div></div>"
	    "<div itemprop='suggestedAnswer' itemscope "
	    "itemtype='https://schema.org/Answer'>"
	    "<time itemprop='dateCreated' datetime='2011-01-01T00:00:00'>"
	    "answered</time><p>Because deleting a file deletes it on every "
	    "disk.</p><div itemprop='author' itemscope "
	    "itemtype='http://schema.org/Person'>"
	    "<meta itemprop='name' content='answerer'></div></div>"
	    "</body></html>");
	assert_int_equal(a->nauthors, 1);
	assert_string_equal(a->authors[0], "jldugger");
	assert_day(a->published, "2009-05-02");
	article_free(a);
}

/* A Product's reviews are Articles in JSON-LD; the page's title is the
 * product's, not the first review's. */
static void
test_product_reviews(void **state)
{
	struct article *a;

	(void)state;
	a = page("<html><head><title>Shure SM7dB Active Dynamic Microphone | "
	    "Music Shop</title><script type='application/ld+json'>"
	    "{\"@type\":\"Product\",\"name\":\"Shure SM7dB\","
	    "\"review\":[{\"@type\":\"Review\",\"name\":\"Great mic!\","
	    "\"author\":{\"@type\":\"Person\",\"name\":\"Pat\"},"
	    "\"datePublished\":\"2024-05-01\"}]}</script></head><body>"
	    "<h1>Shure SM7dB Active Dynamic Microphone</h1>"
	    "<p>A dynamic microphone with a built-in preamp.</p>"
	    "</body></html>");
	assert_string_equal(a->title, "Shure SM7dB Active Dynamic Microphone");
	assert_int_equal(a->nauthors, 0);
	assert_day(a->published, "");
	article_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_question_microdata),
		cmocka_unit_test(test_product_reviews),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
