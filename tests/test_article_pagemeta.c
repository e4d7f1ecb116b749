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
page_at(const char *html, const char *url)
{
	struct article *a = NULL;
	char err[256] = "";

	if (article_parse(html, strlen(html), url, NULL, NULL, 0, 0, &a, err,
	    sizeof(err)) != 0)
		fail_msg("article_parse: %s", err);
	assert_non_null(a);
	return a;
}

static struct article *
page(const char *html)
{
	return page_at(html, "https://shop.example/p/1");
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

/* html's one author is want; NULL: it has none. */
static void
check_author(const char *html, const char *want)
{
	struct article *a = page(html);

	assert_int_equal(a->nauthors, want != NULL);
	if (want != NULL)
		assert_string_equal(a->authors[0], want);
	article_free(a);
}

/* html's one author is author, and it was published on day. */
static void
check_author_day(const char *html, const char *author, const char *day)
{
	struct article *a = page(html);

	assert_int_equal(a->nauthors, 1);
	assert_string_equal(a->authors[0], author);
	assert_day(a->published, day);
	article_free(a);
}

/* The title of html at url is want. */
static void
check_title(const char *html, const char *url, const char *want)
{
	struct article *a = page_at(html, url);

	assert_string_equal(a->title, want);
	article_free(a);
}

/* A Q&A page's microdata: the Question's author and date, not the
 * answer's. */
static void
test_question_microdata(void **state)
{
	(void)state;
	check_author_day("<html itemscope "
	    "itemtype='https://schema.org/QAPage'><body>"
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
	    "</body></html>",
	    "jldugger", "2009-05-02");
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

/* A page that says only when it was changed was published then. */
static void
test_modified_only(void **state)
{
	struct article *a;

	(void)state;
	a = page("<html><head><title>Security consulting</title>"
	    "<meta property='article:modified_time' "
	    "content='2023-03-22T17:52:04+00:00'></head><body>"
	    "<h1>Security consulting</h1><p>We audit your network.</p>"
	    "</body></html>");
	assert_day(a->published, "2023-03-22");
	assert_day(a->modified, "2023-03-22");
	article_free(a);
}

/* A forum thread with no <article> dates its first post with a bare
 * <time>; the site's menu and the comments' times do not count, nor
 * does a <time> beside a page's <article>. */
static void
test_loose_time(void **state)
{
	struct article *a;

	(void)state;
	a = page("<html><body><nav><time datetime='2026-12-03'>today</time>"
	    "</nav><div class='post'><h2>Discuss the 7.1.0 release here</h2>"
	    "<p>by galitsyn &raquo; <time datetime='2024-09-11T16:36:25+00:00'>"
	    "11 Sep</time></p><p>The new release is out; post your findings "
	    "here.</p></div><div class='post'><time "
	    "datetime='2024-09-12T10:00:00+00:00'>12 Sep</time></div>"
	    "</body></html>");
	assert_day(a->published, "2024-09-11");
	article_free(a);
	a = page("<html><body><div class='comments'><time "
	    "datetime='2024-09-12'>12 Sep</time></div></body></html>");
	assert_day(a->published, "");
	article_free(a);
	a = page("<html><body><article><h1>Storm warnings</h1><p>Heavy "
	    "rain.</p></article><time datetime='2020-01-01'></time>"
	    "</body></html>");
	assert_day(a->published, "");
	article_free(a);
}

/* A title's leading part is cut as the site's name only when it is that
 * name alone: a product named after its brand keeps it.  An <h1> that
 * is the site's banner is not the headline the title is cut to. */
static void
test_site_in_title(void **state)
{
	const char *gym = "https://www.gymshark.com/products/arrival";

	(void)state;
	check_title("<html><head><title>Gymshark Arrival T-Shirt</title>"
	    "</head><body><p>A light tee.</p></body></html>", gym,
	    "Gymshark Arrival T-Shirt");
	check_title("<html><head><title>Gymshark - Arrival T-Shirt</title>"
	    "</head><body><p>A light tee.</p></body></html>", gym,
	    "Arrival T-Shirt");
	check_title("<html><head><title>NationStates \xe2\x80\xa2 View topic - "
	    "MLS is Back!</title></head><body><p>Football.</p></body></html>",
	    "https://forum.nationstates.net/viewtopic.php?t=1", "MLS is Back!");
	check_title("<html><head><title>Discuss the 7.1.0 release here - "
	    "virtualbox.org</title></head><body><h1>virtualbox.org</h1>"
	    "<p>The new release is out.</p></body></html>",
	    "https://forums.virtualbox.org/viewtopic.php?t=112320",
	    "Discuss the 7.1.0 release here");
}

/* The name in the element after its label; a label over a bio is no
 * byline. */
static void
test_label_author(void **state)
{
	(void)state;
	check_author("<html><body><h1>10 catering trends</h1><div><p>"
	    "Written by</p><p>Edzel Tabing</p></div><p>Catering in 2025 is "
	    "about local food.</p></body></html>",
	    "Edzel Tabing");
	check_author("<html><body><h1>AI for clinicians</h1><div>"
	    "<h3>Author:</h3><p> Lisa D. Ellis</p></div></body></html>",
	    "Lisa D. Ellis");
	/* A forum's thread starter, named by a link after the label. */
	check_author("<html><body><h1>GPU guide</h1><ul><li><span>Thread "
	    "starter</span> <a href='/members/3009205/' class='username'>"
	    "SamuelMIz</a></li></ul><p>Cards compared.</p></body></html>",
	    "SamuelMIz");
	check_author("<html><body><h2>AI in forums?</h2><p>Started by Biology "
	    "Forums, June 04, 2024, 11:23:55 AM</p><p>How?</p></body></html>",
	    "Biology Forums");
	check_author("<html><body><h1>AI for clinicians</h1><h3>Author</h3>"
	    "<p>She has written about medicine for twenty years and lives in "
	    "Boston.</p></body></html>",
	    NULL);
}

/* A credit line that says "by:" or sets the date after a middle dot. */
static void
test_credit_line_forms(void **state)
{
	(void)state;
	check_author("<html><body><h1>Mini-SGLang in a nutshell</h1><p>by: "
	    "Ziyi Xu, Dec 17, 2025</p><p>An inference engine.</p>"
	    "</body></html>",
	    "Ziyi Xu");
	check_author("<html><body><h1>Book Beat</h1><p>by <a "
	    "href='/author/amanda'>Amanda</a> \xc2\xb7 Dec 20, 2025 at "
	    "3:00 am</p><p>Gothic romance.</p></body></html>",
	    "Amanda");
	check_author("<html><body><nav><h4>By Event Type</h4><a href='/c'>"
	    "Conferences</a></nav><h1>Event skills</h1><p>Plan well.</p>"
	    "</body></html>", NULL);
	check_author("<html><body><h1>Personal finance habits</h1><h3>"
	    "Written by Cassidy Horton</h3><p>Millennials save.</p>"
	    "</body></html>",
	    "Cassidy Horton");
}

/* A byline element that holds the date first: the name is the part
 * with no date; a reading time is no name. */
static void
test_byline_date_first(void **state)
{
	(void)state;
	check_author("<html><body><h1>What people love about Rust</h1><div "
	    "class='publish-date-author'>Dec. 19, 2025 &middot; Niko Matsakis "
	    "on behalf of the team</div><p>Rust is loved.</p></body></html>",
	    "Niko Matsakis");
	check_author("<html><body><h1>SEO tips</h1><div class='post-author'>"
	    "August 28, 2025 \xe2\x80\xa2 5 min read</div><p>Search engines "
	    "read your site.</p></body></html>", NULL);
	check_author("<html><body><h1>Movers</h1><div class='author'>10 mins "
	    "read</div><p>Moving is hard.</p></body></html>", NULL);
	check_author("<html><body><h1>Evergreens</h1><div class='byline'>Sat, "
	    "20 Dec, 2025 - 06:36</div><p>Plant them.</p></body></html>",
	    NULL);
	/* No part without a date: the first part, as before. */
	check_author("<html><body><h1>Spice Cayenne</h1><div class='author'>"
	    "Luke Kim December 17, 2025 \xc2\xb7 5 min read</div><p>Fast.</p>"
	    "</body></html>", "Luke Kim December 17");
}

/* A forum post's author line: "by Name \xc2\xbb date" names the author
 * and dates the page. */
static void
test_author_line_date(void **state)
{
	(void)state;
	check_author_day("<html><body><h2>MLS is back!</h2><div "
	    "class='post'><p class='author'>by <strong><a href='/u/1654883'>"
	    "Outer Armatonisdaristan</a></strong> \xc2\xbb Tue Aug 27, 2019 "
	    "1:47 am</p><div class='content'>The season starts.</div></div>"
	    "</body></html>", "Outer Armatonisdaristan", "2019-08-27");
}

/* A title still split by " | " once the site is cut keeps its longest
 * part; a title escaped twice is read as meant; a bullet sets a site's
 * name apart too. */
static void
test_title_main_part(void **state)
{
	(void)state;
	check_title("<html><head><title>Best Residential Movers in NYC 2025 | "
	    "Top 19 Companies | Supermove</title></head><body><p>Moving "
	    "is hard.</p></body></html>", "https://www.supermove.com/m",
	    "Best Residential Movers in NYC 2025");
	/* The <h1> is weighed against the whole title first. */
	check_title("<html><head><title>Best Mobile Company | Build Apps | "
	    "Mobile App Development NYC</title></head><body><h1>Best Mobile "
	    "Apps Company &amp; Developers</h1><p>Apps.</p></body></html>",
	    "https://apps.example/", "Best Mobile Apps Company & Developers");
	check_title("<html><head><title>Opinion | The long road home</title>"
	    "</head><body><p>Roads.</p></body></html>",
	    "https://news.example/o", "The long road home");
	check_title("<html><head><meta property='og:title' content='And "
	    "finally&amp;#8230; trouble brewing'></head><body><p>Tea.</p>"
	    "</body></html>", "https://news.example/t",
	    "And finally\xe2\x80\xa6 trouble brewing");
	check_title("<html><head><title>A brief intro to git \xe2\x80\xa2 "
	    "Cory Dransfeldt</title></head><body><p>Git.</p></body></html>",
	    "https://coryd.dev/posts/git", "A brief intro to git");
}

/* The <title> and the <h1> agree against JSON-LD's headline. */
static void
test_title_backs_h1(void **state)
{
	const char *wiki = "https://en.wikipedia.org/wiki/Nobel";

	(void)state;
	check_title("<html><head><title>List of Nobel laureates - Wikipedia"
	    "</title><script type='application/ld+json'>{\"@type\":"
	    "\"Article\",\"name\":\"List of Nobel laureates\",\"headline\":"
	    "\"Wikimedia list article\"}</script></head><body><h1>List of "
	    "Nobel laureates</h1><p>The Nobel Prizes are awarded yearly.</p>"
	    "</body></html>", wiki, "List of Nobel laureates");
	check_title("<html><head><title>Air Fryer Recipes Archives - "
	    "Confessions</title><meta property='og:title' content='Air "
	    "Fryer Recipes Archives'></head><body><h1>Air Fryer Recipes</h1>"
	    "<p>Fries.</p></body></html>", "https://confessions.example/c/air",
	    "Air Fryer Recipes");
	/* A blog's name as <h1> and as the start of the <title>. */
	check_title("<html><head><title>Silicon Exposed: Open Verilog flow "
	    "for GreenPak4</title><meta property='og:title' content='Open "
	    "Verilog flow for GreenPak4'></head><body><h1>Silicon Exposed</h1>"
	    "<p>Verilog.</p></body></html>", "https://blog.example/2016/08",
	    "Open Verilog flow for GreenPak4");
	/* Without the <title>'s word the publisher's ranking stands. */
	check_title("<html><head><title>Nobel Prizes - Wikipedia</title>"
	    "<script type='application/ld+json'>{\"@type\":\"Article\","
	    "\"headline\":\"Wikimedia list article\"}</script></head><body>"
	    "<h1>List of Nobel laureates</h1><p>The Nobel Prizes are awarded "
	    "yearly.</p></body></html>", wiki, "Wikimedia list article");
}

/* A forum thread's author is the user name over its first post, a
 * handle with digits too; a login box's or a reply's name is not. */
static void
test_forum_poster(void **state)
{
	(void)state;
	check_author("<html><body><form><label class='username'>Username"
	    "</label><input class='username' name='u'></form><h1>Wifi drops "
	    "at night</h1><div class='post'><a class='username' href='/u/7'>"
	    "net_fan42</a><p>My router drops every night.</p></div>"
	    "<div class='post'><a class='username' href='/u/8'>Helper</a>"
	    "<p>Try a new channel.</p></div></body></html>", "net_fan42");
	check_author("<html><body><h1>Sort a list by two keys</h1>"
	    "<div class='question' data-author-username='user3080392'>"
	    "<p>How do I sort by two keys?</p></div><div class='answer' "
	    "data-author-username='Ann Swer'><p>Use a tuple.</p></div>"
	    "</body></html>", "user3080392");
	/* A date is still no name. */
	check_author("<html><body><h1>Wifi drops at night</h1><span "
	    "class='username'>12.03.2021</span><p>Drops.</p></body></html>",
	    NULL);
}

/* An <h1> that carries the title on with a clause is the headline the
 * search title was cut from; a site's name after a separator is no
 * clause. */
static void
test_h1_continues_title(void **state)
{
	const char *url = "https://blog.example/renovation-costs";

	(void)state;
	check_title("<html><head><title>Renovation Costs in Ohio | Example"
	    " Blog</title></head><body><h1>Renovation Costs in Ohio: Room by "
	    "Room</h1><p>Kitchens cost most.</p></body></html>", url,
	    "Renovation Costs in Ohio: Room by Room");
	check_title("<html><head><meta property='og:title' content="
	    "'Renovation Costs in Ohio'></head><body><h1>Renovation Costs in "
	    "Ohio - Acme Builders</h1><p>Kitchens.</p></body></html>", url,
	    "Renovation Costs in Ohio");
}

/* A <title> that is the site's name and slogan, the same on every page,
 * gives way to an <h1> it shares no word with; the site's name as <h1>
 * or a one-word section heading does not name the page. */
static void
test_title_template(void **state)
{
	const char *url = "https://www.threads.example/r/cooking/7";

	(void)state;
	check_title("<html><head><title>Threads - Where people talk</title>"
	    "</head><body><h1>Enamel pan and metal spoons</h1><p>Is it safe?"
	    "</p></body></html>", url, "Enamel pan and metal spoons");
	check_title("<html><head><title>Threads - Where people talk</title>"
	    "</head><body><h1>Threads</h1><p>Is it safe?</p></body></html>",
	    url, "Where people talk");
	check_title("<html><head><title>The best pans, ranked - Kitchen Notes"
	    "</title></head><body><h1>Pulse!</h1><p>Pans.</p></body></html>",
	    "https://kitchen.example/pulse/1", "The best pans, ranked");
}

/* A title encoded as UTF-8 twice is read as meant; Latin-1 letters in
 * it are no such thing. */
static void
test_title_double_utf8(void **state)
{
	const char *url = "https://money.example/guide";

	(void)state;
	check_title("<html><head><meta charset='utf-8'><title>A Saver\xc3\xa2"
	    "\xc2\x80\xc2\x99s Guide</title></head><body><p>Save.</p>"
	    "</body></html>", url, "A Saver\xe2\x80\x99s Guide");
	check_title("<html><head><meta charset='utf-8'><title>Caf\xc3\xa9 "
	    "\xc3\x80 Paris</title></head><body><p>Coffee.</p></body></html>",
	    url, "Caf\xc3\xa9 \xc3\x80 Paris");
	/* The <h1> too, before its pilcrow goes. */
	check_title("<html><head><meta charset='utf-8'></head><body><h1>"
	    "itertools \xc3\xa2\xc2\x80\xc2\x94 "
	    "Iterators\xc3\x82\xc2\xb6</h1><p>Loops.</p></body></html>",
	    "https://docs.example/itertools",
	    "itertools \xe2\x80\x94 Iterators");
}

/* A byline that carries its update line, or says only when it was
 * updated or that it was written by: the name, or none. */
static void
test_byline_updated(void **state)
{
	(void)state;
	check_author("<html><body><h1>Car rentals</h1><div class='author-box'>"
	    "Written By: Jane Doe Last Updated: August 1, 2025</div><p>Rent."
	    "</p></body></html>", "Jane Doe");
	check_author("<html><body><h1>Laptops</h1><div class='byline'>Updated "
	    "March 13</div><p>Laptops.</p></body></html>", NULL);
	check_author("<html><body><h1>Zero waste</h1><span class='author'>"
	    "Written By</span><p>less is more.</p></body></html>", NULL);
}

/* A category page's " Archives" goes when the <h1> names the category
 * without it; without an <h1> it may be the name's own word. */
static void
test_title_archives(void **state)
{
	const char *url = "https://soup.example/category/soups";

	(void)state;
	check_title("<html><head><title>Best Soups Ever (Reader Favourites) - "
	    "Soup Example</title><meta property='og:title' content='Soup "
	    "Recipes Archives'></head><body><h1>Soup Recipes</h1><p>Soups.</p>"
	    "</body></html>", url, "Soup Recipes");
	check_title("<html><head><meta property='og:title' content='The "
	    "National Archives'></head><body><p>Records.</p></body></html>",
	    url, "The National Archives");
}

/* The published day of html, "" when it has none. */
static void
check_day(const char *html, const char *want)
{
	struct article *a = page(html);

	assert_day(a->published, want);
	article_free(a);
}

/* A line that says it holds the date, in no date-classed element; a
 * post's meta block too long to be a date line, read line by line. */
static void
test_date_lines(void **state)
{
	(void)state;
	check_day("<html><body><h2>Release notes</h2><p>Posted on April 13, "
	    "2023</p><p>Two fixes.</p></body></html>", "2023-04-13");
	check_day("<html><body><p>Park hours change with the seasons.</p>"
	    "<p>Last updated: November 13, 2025</p></body></html>",
	    "2025-11-13");
	/* A paragraph that mentions a date in passing is no date line. */
	check_day("<html><body><p>Published reports from March 3, 2020 "
	    "showed the trend.</p></body></html>", "");
	check_day("<html><body><h2>Top 10 companies</h2><div><div>Published"
	    "</div><div>October 14, 2025</div></div><p>Ten.</p></body></html>",
	    "2025-10-14");
	check_day("<html><head><meta name='published-date' content="
	    "'2021-02-16'></head><body><p>Climate tech.</p></body></html>",
	    "2021-02-16");
	check_day("<html><body><h2>Indexing</h2><div class='meta'><span>"
	    "On April 14, 2023</span><div class='tags'><a href='/t/1'>"
	    "academic journals</a> <a href='/t/2'>open access publishing</a> "
	    "<a href='/t/3'>peer review workflows</a> <a href='/t/4'>"
	    "journal indexing services</a> <a href='/t/5'>scholarly "
	    "communication</a></div></div><p>Indexes.</p></body></html>",
	    "2023-04-14");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_question_microdata),
		cmocka_unit_test(test_product_reviews),
		cmocka_unit_test(test_modified_only),
		cmocka_unit_test(test_loose_time),
		cmocka_unit_test(test_site_in_title),
		cmocka_unit_test(test_label_author),
		cmocka_unit_test(test_credit_line_forms),
		cmocka_unit_test(test_title_backs_h1),
		cmocka_unit_test(test_byline_date_first),
		cmocka_unit_test(test_title_main_part),
		cmocka_unit_test(test_author_line_date),
		cmocka_unit_test(test_forum_poster),
		cmocka_unit_test(test_h1_continues_title),
		cmocka_unit_test(test_date_lines),
		cmocka_unit_test(test_title_template),
		cmocka_unit_test(test_title_double_utf8),
		cmocka_unit_test(test_byline_updated),
		cmocka_unit_test(test_title_archives),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
