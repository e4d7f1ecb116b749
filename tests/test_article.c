/*
 * test_article.c - the article parser on small pages: metadata from each
 * kind of source and their precedence, body text with the boilerplate
 * around it, XPath rules, encodings, and input that is no page at all.
 * Run from the repository root (fixtures in tests/data/articles/).
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
#include "testdoc.h"

#define ANSA_URL "https://www.ansa.it/sito/notizie/mondo/2022/01/07/" \
	"kazakistan-putin_0b1c2d3e.html"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	long n;

	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct article *
parse_rules(const char *buf, size_t len, const char *url, const char *ct,
    const struct article_rule *rules, size_t nrules)
{
	struct article *a = NULL;
	char err[256] = "";

	if (article_parse(buf, len, url, ct, rules, nrules, 0, &a, err,
	    sizeof(err)) != 0)
		fail_msg("article_parse: %s", err);
	assert_non_null(a);
	return a;
}

static struct article *
parse_file(const char *name, const char *url, const char *ct)
{
	struct article *a;
	char path[256];
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "tests/data/articles/%s", name);
	buf = slurp(path, &len);
	a = parse_rules(buf, len, url, ct, NULL, 0);
	free(buf);
	return a;
}

static struct article *
parse_str(const char *html, const char *url)
{
	return parse_rules(html, strlen(html), url, NULL, NULL, 0);
}

static void
assert_time(int64_t t, const char *want)
{
	char buf[32];

	if (want == NULL) {
		assert_true(t == NW_TIME_UNSET);
		return;
	}
	assert_true(t != NW_TIME_UNSET);
	assert_string_equal(date_format_rfc3339(t, buf, sizeof(buf)), want);
}

/* The string field at offset off of html's article is want. */
static void
check_field(const char *html, size_t off, const char *want)
{
	struct article *a = parse_str(html, NULL);

	assert_string_equal(*(char **)((char *)a + off), want);
	article_free(a);
}

/* The body of html holds want and not unwanted. */
static void
check_body(const char *html, const char *want, const char *unwanted)
{
	struct article *a = parse_str(html, NULL);

	assert_non_null(a->text);
	assert_non_null(strstr(a->text, want));
	assert_null(strstr(a->text, unwanted));
	article_free(a);
}

/* list must be exactly the NULL-terminated want. */
static void
assert_list(char **list, size_t n, ...)
{
	const char *want;
	va_list ap;
	size_t i = 0;

	va_start(ap, n);
	while ((want = va_arg(ap, const char *)) != NULL) {
		assert_true(i < n);
		assert_string_equal(list[i], want);
		i++;
	}
	va_end(ap);
	assert_int_equal(i, n);
}

static const char *const ansa_text =
    "(ANSA) - MOSCA, 07 GEN - Il presidente russo Vladimir Putin ha difeso "
    "l'invio di truppe in Kazakistan da parte dell'alleanza militare guidata "
    "da Mosca, affermando che non permetterà \"rivoluzioni colorate\" nei "
    "Paesi dell'ex Unione Sovietica.\n\n"
    "Secondo il Cremlino, il contingente dell'Organizzazione del Trattato di "
    "Sicurezza Collettiva resterà nel Paese \"per un periodo limitato\", "
    "fino alla stabilizzazione della situazione.\n\n"
    "Il presidente kazako Kassym-Jomart Tokayev ha annunciato in un discorso "
    "televisivo che l'ordine costituzionale è stato \"in gran parte "
    "ristabilito\" in tutte le regioni.\n\n"
    "Tokayev ha autorizzato le forze di sicurezza a sparare \"senza "
    "preavviso\" contro i manifestanti che definisce \"banditi e "
    "terroristi\", respingendo ogni ipotesi di negoziato.\n\n"
    "Secondo il ministero dell'Interno, negli scontri sono morti 26 "
    "manifestanti e 18 agenti, mentre oltre 3.000 persone sono state "
    "arrestate.\n\n"
    "Le proteste erano iniziate domenica nell'ovest del Paese contro il "
    "raddoppio del prezzo del gas liquefatto, usato da molti automobilisti, "
    "e si sono poi estese ad Almaty.\n\n"
    "Il governo si è dimesso mercoledì e il prezzo del carburante è stato "
    "riportato al livello precedente, ma le manifestazioni non si sono "
    "fermate.\n\n"
    "Washington ha chiesto alle autorità kazake di rispettare il diritto di "
    "protesta pacifica, mentre l'Unione europea ha invitato tutte le parti "
    "alla moderazione.\n\n"
    "Il segretario di Stato americano Antony Blinken ha detto di aver "
    "parlato con il ministro degli Esteri kazako, chiedendo una soluzione "
    "\"pacifica e rispettosa dei diritti\".";

static void
check_ansa(const struct article *a)
{
	assert_string_equal(a->url, ANSA_URL "?ref=rss");
	assert_string_equal(a->canonical_url, ANSA_URL);
	assert_string_equal(a->title,
	    "Kazakistan, Putin: \"Non permetteremo rivoluzioni colorate\"");
	assert_string_equal(a->description,
	    "Il presidente russo difende l'intervento dell'alleanza guidata da "
	    "Mosca. Tokayev: \"Ordine ristabilito\"");
	/* 14:26 and 15:07 in Rome, in winter. */
	assert_time(a->published, "2022-01-07T13:26:00Z");
	assert_time(a->modified, "2022-01-07T14:07:00Z");
	assert_list(a->authors, a->nauthors, "Redazione ANSA", NULL);
	assert_string_equal(a->section, "mondo, russia");
	assert_list(a->tags, a->ntags, "Kazakistan", "Russia",
	    "Vladimir Putin", NULL);
	assert_string_equal(a->image,
	    "https://www.ansa.it/webimages/img_700/2022/1/7/putin.jpg");
	assert_string_equal(a->language, "it");
	assert_string_equal(a->site_name, "ANSA.it");
	assert_string_equal(a->publisher, "ANSA");
	assert_string_equal(a->text, ansa_text);
}

static void
test_ansa(void **state)
{
	struct article *a;

	(void)state;
	a = parse_file("ansa.html", ANSA_URL "?ref=rss", "text/html");
	check_ansa(a);
	article_free(a);
}

/* Without itemprop=articleBody the scoring must find the same nine
 * paragraphs and leave the "leggi anche" box, the ad and the tags out;
 * the page's one <article> is read whole, so the photo's caption comes
 * first. */
static void
test_ansa_scored(void **state)
{
	static const char caption[] = "Vladimir Putin (foto d'archivio)\n\n";
	struct article *a;
	size_t len;
	char *buf, *p;

	(void)state;
	buf = slurp("tests/data/articles/ansa.html", &len);
	p = strstr(buf, "itemprop=\"articleBody\"");
	assert_non_null(p);
	memset(p, ' ', strlen("itemprop=\"articleBody\""));
	a = parse_rules(buf, len, ANSA_URL "?ref=rss", NULL, NULL, 0);
	assert_int_equal(strncmp(a->text, caption, strlen(caption)), 0);
	assert_string_equal(a->text + strlen(caption), ansa_text);
	article_free(a);
	free(buf);
}

static void
test_meta_only(void **state)
{
	struct article *a;

	(void)state;
	a = parse_file("meta-only.html", "http://times.example/budget", NULL);
	assert_null(a->canonical_url);
	/* <title> less the " | Example Times" that names og:site_name. */
	assert_string_equal(a->title, "Budget vote delayed again");
	assert_string_equal(a->description, "The council postponed the vote "
	    "for the third time; a decision is now expected in March.");
	/* <meta name=pubdate> in the compact ISO 8601 form. */
	assert_time(a->published, "2022-01-07T13:26:00Z");
	assert_time(a->modified, NULL);
	assert_list(a->authors, a->nauthors, "Jane Roe", "John Doe", NULL);
	assert_string_equal(a->section, "Local");
	assert_list(a->tags, a->ntags, "budget", "council", "city hall", NULL);
	assert_null(a->image);
	assert_string_equal(a->language, "en-GB");
	assert_string_equal(a->site_name, "Example Times");
	assert_null(a->publisher);
	/* ISO-8859-1 by <meta http-equiv>, out in UTF-8. */
	assert_non_null(strstr(a->text, "\n\nCafé owners on the high street"));
	article_free(a);
}

static void
test_graph(void **state)
{
	struct article *a;

	(void)state;
	a = parse_file("graph.html", "https://eng.acme.example/blog/post.html",
	    "text/html; charset=utf-8");
	assert_string_equal(a->canonical_url,
	    "https://eng.acme.example/2023/05/rebuilt-search-index/");
	assert_string_equal(a->title, "How we rebuilt our search index");
	assert_null(a->description);
	/* The BlogPosting's date, not the WebPage's. */
	assert_time(a->published, "2023-05-02T08:30:00Z");
	assert_time(a->modified, "2023-05-04T07:00:00Z");
	/* An @id reference, a Person, a string; not the Facebook URL. */
	assert_list(a->authors, a->nauthors, "Alice Anders", "Bob Builder",
	    "Carol Coder", NULL);
	assert_string_equal(a->section, "Infrastructure");
	assert_list(a->tags, a->ntags, "search", "Elasticsearch", "indexing",
	    NULL);
	assert_string_equal(a->image,
	    "https://eng.acme.example/wp-content/uploads/2023/05/index-1200.png");
	assert_string_equal(a->language, "en-US");
	assert_string_equal(a->site_name, "Acme Engineering");
	assert_string_equal(a->publisher, "Acme Inc.");
	assert_string_equal(a->text, "Last spring our search index reached "
	    "two billion documents, and rebuilding it took almost a week. "
	    "This is how we brought that down to six hours.\n\n"
	    "The first step was to stop rebuilding from scratch: every "
	    "document now carries a version, and the indexer only touches "
	    "what changed since the last run.");
	article_free(a);
}

static void
test_broken_jsonld(void **state)
{
	struct article *a;

	(void)state;
	a = parse_file("broken-jsonld.html", "https://zeitung.example/a/1",
	    NULL);
	/* Two blocks are skipped; the third, in a CDATA comment with a
	 * trailing ';', is read. */
	assert_string_equal(a->title,
	    "Hochwasser: Pegel in Passau steigt weiter");
	assert_time(a->published, "2024-06-03T04:15:00Z");
	assert_list(a->authors, a->nauthors, "Anna Berger", NULL);
	assert_string_equal(a->language, "de");
	assert_null(a->site_name);
	assert_string_equal(a->text, "Der Pegel der Donau in Passau ist in der "
	    "Nacht weiter gestiegen, die Stadt hat den Katastrophenfall "
	    "ausgerufen und die Altstadt gesperrt.");
	article_free(a);
}

static void
test_relative_urls(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><head>"
	    "<meta property='og:image' content='../img/a b.jpg'>"
	    "<meta property='og:url' content='/news/1'>"
	    "<link rel='canonical' href='javascript:alert(1)'>"
	    "</head><body><p>x</p></body></html>",
	    "https://news.example/section/page.html");
	assert_string_equal(a->image, "https://news.example/img/a%20b.jpg");
	/* A canonical link that is no http(s) URL gives way to og:url. */
	assert_string_equal(a->canonical_url, "https://news.example/news/1");
	article_free(a);
}

/* article.url, canonical_url and image are http(s) URLs or null: a
 * script or data URL (the page's own, one a relative link resolves to, a
 * JSON-LD one) is not handed to whatever renders the item. */
static void
test_script_urls_dropped(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><head>"
	    "<meta property='og:image' content='data:image/svg+xml,<svg "
	    "onload=alert(1)>'>"
	    "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
	    "\"url\": \"vbscript:msgbox(1)\", \"image\": "
	    "\"javascript:alert(2)\"}</script>"
	    "</head><body><p>x</p></body></html>",
	    "javascript:alert(3)");
	assert_null(a->image);
	assert_null(a->canonical_url);
	assert_null(a->url);
	article_free(a);
	a = parse_str("<html><head><meta property='og:image' content='x.png'>"
	    "<link rel='canonical' href='page'></head><body><p>x</p>"
	    "</body></html>", "javascript:alert(4)//");
	assert_null(a->image);
	assert_null(a->canonical_url);
	assert_null(a->url);
	article_free(a);
}

/* Microdata within the article's scope, <time> inside <article>, the
 * <h1> when nothing better names the story, and the comment's author
 * (another item) left out. */
static void
test_page_sources(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><head><title>Site Name</title></head><body>"
	    "<h1>Site Name</h1>"
	    "<article itemscope itemtype='https://schema.org/Article'>"
	    "<h1>Storm &amp; flood warnings</h1>"
	    "<time datetime='2021-03-04T05:06:07+01:00'>4 March</time>"
	    "<span itemprop='author' itemscope itemtype='https://schema.org/Person'>"
	    "By <span itemprop='name'>Mary  Major</span></span>"
	    "<p>Heavy rain is expected across the region tonight, with flooding "
	    "likely along the river valleys, forecasters said.</p>"
	    "<div itemprop='comment' itemscope itemtype='https://schema.org/Comment'>"
	    "<span itemprop='author'>troll99</span></div>"
	    "</article></body></html>", NULL);
	assert_string_equal(a->title, "Site Name");
	assert_time(a->published, "2021-03-04T04:06:07Z");
	assert_list(a->authors, a->nauthors, "Mary Major", NULL);
	assert_null(a->url);
	article_free(a);

	/* With no <title>, the article's <h1>. */
	a = parse_str("<html><body><h1>Menu</h1><article><h1>Storm warnings"
	    "</h1><p>Heavy rain.</p></article><time datetime='2020-01-01'>"
	    "</time></body></html>", NULL);
	assert_string_equal(a->title, "Storm warnings");
	/* That <time> is outside the article: no date. */
	assert_time(a->published, NULL);
	article_free(a);

	/* A <title> cut down to the <h1> it starts with; hAtom's published
	 * date before the one in the URL; <a rel=author> for want of
	 * better. */
	a = parse_str("<html><head><title>Storm warnings - Weather - Daily "
	    "Planet</title></head><body><h1>Storm warnings</h1>"
	    "<abbr class='published' title='2019-05-06T07:08:09Z'>May 6</abbr>"
	    "<a rel='author' href='/u/kent'>Clark Kent</a></body></html>",
	    "https://planet.example/2019/05/04/storm");
	assert_string_equal(a->title, "Storm warnings");
	assert_time(a->published, "2019-05-06T07:08:09Z");
	assert_list(a->authors, a->nauthors, "Clark Kent", NULL);
	article_free(a);
	a = parse_str("<title>T</title>",
	    "https://planet.example/2019/05/04/storm");
	assert_time(a->published, "2019-05-04T00:00:00Z");
	article_free(a);
}

/* A long dialog or box outside the page's one <article> that scores
 * better than the story does not win over it; the lead in a box beside
 * the body inside it is part of the story; a photo credit is not. */
static void
test_sole_article(void **state)
{
	struct article *a;
	char html[4096];
	const char *para = "<p>Anonyme Auswertung, Einbindung, Switch zum "
	    "Einwilligen, Ablehnen, Kategorie, Dienst, Anbieter, Zweck.</p>";

	(void)state;
	snprintf(html, sizeof(html), "<html><body><div><div class='sp-popup'>"
	    "<div>%s%s%s%s%s%s</div></div></div><div class='layout'><div>"
	    "<article><h1>LVMH</h1><div class='intro'><p>Lead: LVMH w\xc3\xa4"
	    "chst kr\xc3\xa4" "ftig, vor allem mit Mode und Schmuck.</p></div><div class='content'><p>Der Konzern meldet "
	    "f\xc3\xbcr 2021 einen Umsatz von 64,2 Mrd. Euro, ein Plus von 44 "
	    "Prozent gegen\xc3\xbc" "ber 2020 und von 20 Prozent gegen\xc3\xbc"
	    "ber 2019.</p><p>Das Wachstum ist vor allem auf die Modesparte "
	    "zur\xc3\xbc" "ckzuf\xc3\xbchren sowie auf die \xc3\x9c" "bernahme "
	    "des Juweliergesch\xc3\xa4" "fts, das im Januar abgeschlossen "
	    "wurde, wie der Konzern mitteilte.</p><p>Wein und Spirituosen "
	    "legten ebenfalls zu, vor allem Champagner und Cognac, deren "
	    "Absatz in Asien und den USA kr\xc3\xa4" "ftig stieg.</p><p>F\xc3\xbcr "
	    "2022 erwartet der Konzern weiteres Wachstum, auch wenn die "
	    "Lieferketten angespannt bleiben und die Preise steigen.</p></div>"
	    "<p class='photo-credit'>Foto: dpa/Picture Alliance</p>"
	    "</article></div></div></body></html>", para, para, para, para,
	    para, para);
	a = parse_str(html, NULL);
	assert_null(strstr(a->text, "Picture Alliance"));
	assert_non_null(strstr(a->text, "Lead: LVMH"));
	assert_non_null(strstr(a->text, "Der Konzern meldet"));
	assert_null(strstr(a->text, "Anonyme"));
	article_free(a);
}

/* A list of names set as one paragraph has commas by the dozen; they do
 * not make it the story. */
static void
test_comma_list(void **state)
{
	static const char para[] = "<p>Our cultural institutions are "
	    "facing a moment of trial, and the free exchange of ideas is "
	    "becoming more constricted, as writers we need room.</p>";
	struct { char b[1024]; size_t n; } l = { "", 0 };
	struct article *a;
	char html[8192];
	int i;

	(void)state;
	for (i = 0; i < 60; i++)
		l.n += (size_t)snprintf(l.b + l.n, sizeof(l.b) - l.n,
		    "Name %d, ", i);
	snprintf(html, sizeof(html), "<html><body><div><div class='letter'>"
	    "%s%s%s%s%s%s%s%s</div></div><section><div><div><p>%s</p></div>"
	    "</div></section></body></html>", para, para, para, para, para,
	    para, para, para, l.b);
	a = parse_str(html, NULL);
	assert_non_null(strstr(a->text, "moment of trial"));
	assert_null(strstr(a->text, "Name 30"));
	article_free(a);
}

/* "Read also" lines inside the story are links to other stories, in
 * any language the page speaks; a sentence that merely mentions reading
 * stays. */
static void
test_read_also(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><body><article><p>The council voted on Monday "
	    "to close the bridge, citing the latest safety report.</p>"
	    "<p><strong>Read more:</strong> <a href='/x'>Bridge report "
	    "published</a></p><p>Lea tambi\xc3\xa9n: <a href='/y'>Otro tema"
	    "</a></p><p><em>Read  more</em>: <a href='/z'>Looted art</a></p><p>Read more carefully and you will see the report "
	    "warned of cracks.</p></article></body></html>", NULL);
	assert_string_equal(a->text, "The council voted on Monday to close "
	    "the bridge, citing the latest safety report.\n\nRead more "
	    "carefully and you will see the report warned of cracks.");
	article_free(a);
}

/* Lists in the story (ingredients, steps) are text; a lone teaser card
 * does not take the place of the story beside it; a hidden cookie box
 * stays out even when a short page is read a second time. */
static void
test_lists_cards_hidden(void **state)
{
	struct article *a;
	char html[4096];
	const char *para = "<p>Butter, Zucker und Eier schaumig r\xc3\xbchren, "
	    "dann das Mehl, den Saft und die Schale der Zitronen unterheben, "
	    "bis ein glatter Teig entsteht.</p>";

	(void)state;
	snprintf(html, sizeof(html), "<html><body><div class='recipe'>%s%s"
	    "<div class='box'><ul><li>6 mittelgro\xc3\x9f" "e Eier</li>"
	    "<li>300 g Zucker</li><li>300 g Mehl</li><li>2 Zitronen</li>"
	    "<li>250 g Butter</li></ul></div>%s%s%s%s%s</div><div><article>"
	    "<h2><a href='/x'>"
	    "Another story</a></h2><p>A teaser for another story that is long "
	    "enough to count, with a sentence, and another sentence, and one "
	    "more, to be sure that it passes the mark of four hundred "
	    "characters that makes an article hold text, which takes a while "
	    "to reach with teaser prose like this, so here is some more of it, "
	    "and then a little more, and some words, and yet more words, until "
	    "the end.</p></article></div></body></html>", para, para, para,
	    para, para, para, para);
	a = parse_str(html, NULL);
	assert_non_null(strstr(a->text, "6 mittelgro"));
	/* (The card still comes after it, as a sibling that scores well.) */
	assert_int_equal(strncmp(a->text, "Butter, Zucker", 14), 0);
	article_free(a);

	check_body("<html><body><div class='cookie-wrap' aria-hidden='true'>"
	    "<p>Diese Cookies sind unbedingt erforderlich, um Ihnen die "
	    "Dienste zur Verf\xc3\xbcgung zu stellen, sagt der Betreiber.</p>"
	    "</div><div class='header-wrap'><p>Die kurze Meldung des Tages, "
	    "die in einem Kasten mit falscher Klasse steht.</p></div>"
	    "</body></html>", "kurze Meldung", "Cookies");
}

/* A story a CMS cut into blocks, each nested deeper than scores reach:
 * the blocks built like the chosen one come with it. */
static void
test_blocks(void **state)
{
	static const char block[] = "<div><section class='content-section'>"
	    "<div class='wrap'><div class='row'><div class='col'><div "
	    "class='text'><p>%s, said the company, which builds parts for "
	    "aircraft, and expects more orders next year.</p></div></div>"
	    "</div></div></section></div>";
	char html[4096], one[512];
	size_t n;

	(void)state;
	n = (size_t)snprintf(html, sizeof(html), "<html><body><div>");
	snprintf(one, sizeof(one), block, "Aviation is taking off again");
	n += (size_t)snprintf(html + n, sizeof(html) - n, "%s", one);
	snprintf(one, sizeof(one), block, "Staff shortages are no issue here");
	n += (size_t)snprintf(html + n, sizeof(html) - n, "%s", one);
	snprintf(html + n, sizeof(html) - n, "</div></body></html>");
	check_body(html, "Aviation is taking off", "nothing like this");
	check_body(html, "Staff shortages", "nothing like this");
}

/* Broken markup put the whole page in a <noscript>, in <div>s without
 * a single <p>: a box that holds most of the page's text is kept. */
static void
test_noscript_page(void **state)
{
	(void)state;
	check_body("<html><body><noscript><div><div class='testo'>Il "
	    "risultato \xc3\xa8 molto positivo, dice il direttore del parco, "
	    "perch\xc3\xa9 i meccanismi naturali di regolazione numerica "
	    "funzionano.<br>Il censimento si ripeter\xc3\xa0 in autunno, come "
	    "ogni anno, con i volontari.</div><script>var tracking = 1;"
	    "</script></div></noscript></body></html>", "regolazione numerica",
	    "tracking");
}

/* A short story in a box whose class looks like boilerplate is read
 * again without the class rules rather than lost. */
static void
test_body_retry(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><body><nav><a href='/'>Home</a></nav>"
	    "<div class='header-wrap'><h1>Picard</h1><form><select><option>MP3"
	    "</option></select></form> Thema dieser Folge ist die neue Serie, "
	    "nach der f\xc3\xbcnften Episode der ersten Staffel.</div>"
	    "</body></html>", NULL);
	assert_non_null(a->text);
	assert_string_equal(a->text, "Thema dieser Folge ist die neue Serie, "
	    "nach der f\xc3\xbcnften Episode der ersten Staffel.");
	article_free(a);
}

/* WordPress's rel="category tag" and rel="tag" links name the post's
 * sections and tags, when nothing better does; a sidebar's are not the
 * post's. */
static void
test_rel_tags(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><body><article><p>Text.</p><footer class='meta'>"
	    "Abgelegt unter <a href='/c/a' rel='category tag'>Allgemein</a>, "
	    "<a href='/c/n' rel='category tag'>News</a>. Schlagworte: "
	    "<a href='/t/x' rel='tag'>Zeit</a></footer></article><aside>"
	    "<a href='/t/y' rel='tag'>Wolke</a></aside></body></html>", NULL);
	assert_string_equal(a->section, "Allgemein, News");
	assert_list(a->tags, a->ntags, "Zeit", NULL);
	article_free(a);
	check_field("<html><head><meta property='article:section' "
	    "content='Politik'></head><body><a rel='category tag'>Allgemein</a>"
	    "</body></html>", offsetof(struct article, section), "Politik");
}

/* When the headline says the same words as the chosen title, its
 * typography wins; other words do not. */
static void
test_title_typography(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><head><meta property='og:title' content="
	    "\"Editor's Letter - bye OC Baby\"></head><body><article><h1>"
	    "Editor\xe2\x80\x99s Letter \xe2\x80\x93 bye OC Baby</h1>"
	    "</article></body></html>", NULL);
	assert_string_equal(a->title,
	    "Editor\xe2\x80\x99s Letter \xe2\x80\x93 bye OC Baby");
	article_free(a);
	check_field("<html><head><meta property='og:title' content="
	    "'Storm warnings for the weekend'></head><body><article><h1>"
	    "Storm warnings</h1></article></body></html>",
	    offsetof(struct article, title), "Storm warnings for the weekend");
}

/* The <h1> a title starts with before a colon ("Hiking Boots: Shop
 * Boots for Hiking") names the page; a documentation heading's "\xc2\xb6"
 * permalink is no part of its name. */
static void
test_title_h1_colon_pilcrow(void **state)
{
	(void)state;
	check_field("<html><head><title>Hiking Boots: Shop Boots for Hiking "
	    "&amp; Backpacking | Outfitters</title></head><body><h1>Hiking Boots"
	    "</h1><p>Boots.</p></body></html>",
	    offsetof(struct article, title), "Hiking Boots");
	check_field("<html><head><title>Quickstart \xe2\x80\x94 Flask "
	    "Documentation (3.1.x)</title></head><body><h1>Quickstart<a "
	    "class='headerlink' href='#quickstart'>\xc2\xb6</a></h1><p>Install"
	    ".</p></body></html>",
	    offsetof(struct article, title), "Quickstart");
}

/* A company blog signed only by the company: the site's name is then the
 * page's author, not nothing. */
static void
test_site_as_author(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><head><meta name='author' content='Swoogo'>"
	    "<meta property='og:site_name' content='Swoogo'></head><body>"
	    "<article><h1>Event planning skills</h1><p>Plan.</p></article>"
	    "</body></html>", "https://swoogo.example/blog/skills/");
	assert_list(a->authors, a->nauthors, "Swoogo", NULL);
	article_free(a);
}

/* The date a page sets in a line of its own under the headline, with no
 * class that names a date, is its date; one further down the page, past
 * the lines just after the headline, is not. */
static void
test_headline_date(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><body><main><h1>Mini engine</h1><div><p class="
	    "'text-xl'>by: Ziyi Xu, Dec 17, 2025</p></div><hr><p>An engine.</p>"
	    "</main></body></html>", "https://lab.example/blog/mini");
	assert_time(a->published, "2025-12-17T00:00:00Z");
	article_free(a);
	a = parse_str("<html><body><h1>Mini engine</h1><p class='x'>An "
	    "engine.</p><script>var d = 'May 2, 2020';</script></body></html>",
	    "https://lab.example/blog/mini");
	assert_time(a->published, NULL);
	article_free(a);
}

/* A header's menu <button> whose end tag does not match stays open over
 * the page in libxml2's tree, <main> and all: the story is still read,
 * not "Skip to content". */
static void
test_open_button(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><body><a href='#main'>Skip to content</a><header>"
	    "<span>Southern Gardens</span><div class='menu-top'><button class='menu-button'><div class="
	    "'menu-button-container'></button></div><main id='main'><article>"
	    "<h1>Starting a garden</h1><p>Growing up on a farm, I thought "
	    "everyone had an acre or two set aside as a vegetable garden, with "
	    "rows of beans, squash and tomatoes, and time to tend them.</p><p>"
	    "It was not until I owned my first home that I was faced with "
	    "starting a garden from scratch in a different growing zone.</p>"
	    "</article></main></body></html>", NULL);
	assert_non_null(a->text);
	assert_non_null(strstr(a->text, "from scratch"));
	article_free(a);
}

/* Bylines as pages write them: the words around the name go, a name
 * that is the site's gives way to the next source, a person wins over an
 * organisation, and comment threads are not the article's. */
static void
test_bylines(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><head><meta property='og:site_name' "
	    "content='Finanztreff.de'><meta name='author' content='finanztreff.de'>"
	    "</head><body><div class='comment-author'>troll99</div>"
	    "<span class='author vcard'>Posted by <a class='url fn n' href='/u/a'>"
	    "Ann Smith</a> on May 5, 2020</span></body></html>",
	    "https://www.finanztreff.de/news/x");
	assert_list(a->authors, a->nauthors, "Ann Smith", NULL);
	article_free(a);
	/* A lone "By " (the squashed text is shorter than the lead it
	 * matched) names nobody and reads nothing past its end. */
	a = parse_str("<html><body><p>By </p><p>Some text of the story, "
	    "long enough to be read as a paragraph.</p></body></html>", NULL);
	assert_int_equal(a->nauthors, 0);
	article_free(a);
	a = parse_str("<html><body><a rel='author' href='/a/'>Zeige alle "
	    "Beitr\xc3\xa4ge von Petra Ruland \xe2\x86\x92</a>"
	    "<p class='byline'>Datum: 2021</p></body></html>", NULL);
	assert_list(a->authors, a->nauthors, "Petra Ruland", NULL);
	article_free(a);
	a = parse_str("<html><head><meta name='author' content='Bund der "
	    "Energieverbraucher e.V.'><meta name='twitter:label1' "
	    "content='Written by'><meta name='twitter:data1' content='Leonora "
	    "Holling'><meta name='twitter:label2' content='Reading time'>"
	    "<meta name='twitter:data2' content='5 minutes'></head></html>",
	    NULL);
	assert_list(a->authors, a->nauthors, "Leonora Holling", NULL);
	article_free(a);
	/* Credit lines in the text, when nothing else names anyone; a
	 * sentence that starts with "Von" is none. */
	a = parse_str("<html><body><p>Von der Leyen sagte am Montag, man "
	    "werde helfen.</p><p class='postmetadata'> Von R. R. am <a>07.08"
	    ".2013</a> um 09:07 Uhr gespeichert unter <a>Kinos</a></p>"
	    "</body></html>", NULL);
	assert_list(a->authors, a->nauthors, "R. R.", NULL);
	article_free(a);
	a = parse_str("<html><body><h2>Von Mob mit Macheten ermordet</h2>"
	    "<p><strong>Text:</strong> Jose de la Cruz</p></body></html>",
	    NULL);
	assert_list(a->authors, a->nauthors, "Jose de la Cruz", NULL);
	article_free(a);
	/* An organisation, when nobody else is named. */
	a = parse_str("<html><head><meta name='author' content='Bund der "
	    "Energieverbraucher e.V.'></head></html>", NULL);
	assert_list(a->authors, a->nauthors,
	    "Bund der Energieverbraucher e.V.", NULL);
	article_free(a);
}

/* With no machine-readable date, the one the page shows under a
 * date-named class, in any language; never a reader's in the comments. */
static void
test_date_line(void **state)
{
	struct article *a;

	(void)state;
	a = parse_str("<html><body><div class='comments'><span class='date'>"
	    "1. Mai 2020</span></div><h1>Leber</h1><p class='postmeta'>"
	    "Ver\xc3\xb6" "ffentlicht am 5. April 2017 &middot; Rezepte</p>"
	    "<span class='date'>9. Mai 2019</span></body></html>", NULL);
	assert_time(a->published, "2017-04-05T00:00:00Z");
	article_free(a);
	a = parse_str("<html><body><span class='post-date'>Posted on "
	    "September 21st, 2020</span></body></html>", NULL);
	assert_time(a->published, "2020-09-21T00:00:00Z");
	article_free(a);
	/* A title attribute says it more exactly than the text. */
	a = parse_str("<html><body><span class='updated' "
	    "title='2013-04-04T18:52:11+00:00'>April</span></body></html>", NULL);
	assert_time(a->published, "2013-04-04T18:52:11Z");
	article_free(a);
	/* A day/month order only a locale could settle is no date; nor is a
	 * long paragraph under a date-named class. */
	a = parse_str("<html><body><span class='date'>03/04/2021</span>"
	    "<div class='meta'>This article, first written on 5 April 2017 "
	    "and revised many times since then by several authors of this "
	    "site, sums up everything readers asked about the topic over the "
	    "years, which is a lot.</div></body></html>", NULL);
	assert_time(a->published, NULL);
	article_free(a);
}

/* A page whose <div> has 100,000 attributes costs a linear scan, not
 * minutes: the div keeps the first 256, the page reads as before. */
static void
test_many_attributes(void **state)
{
	static const struct article_rule rules[] = {
		{ "section", "string(count(//div[@id='big']/@*))" },
	};
	char *page = testdoc("<html><head><title>Attr page</title></head>"
	    "<body><div id='big'", " a%1$zu=v", 100000, "><p>Body of the "
	    "attribute page.</p></div></body></html>");
	struct article *a;

	(void)state;
	assert_non_null(page);
	a = parse_rules(page, strlen(page), "http://x.example/a", NULL,
	    rules, 1);
	assert_string_equal(a->title, "Attr page");
	assert_string_equal(a->section, "256");
	assert_non_null(a->text);
	assert_non_null(strstr(a->text, "Body of the attribute page."));
	article_free(a);
	free(page);
}

static void
test_rules(void **state)
{
	static const struct article_rule rules[] = {
		{ "title", "//div[@class='hl']" },
		{ "text", "//div[@id='story']/p[not(@class='ad')]" },
		{ "authors", "//span[@class='by']" },
		{ "published", "string(//span[@class='when']/@data-ts)" },
		{ "image", "//img[@class='lead']/@src" },
		{ "description", "//div[@class='nothing-here']" },
		{ "section", "//nav/a" },
	};
	static const char html[] = "<html><head>"
	    "<meta name='description' content='From the meta tag'>"
	    "<meta property='og:title' content='Automatic title'>"
	    "</head><body><div class='hl'> Rule  title </div>"
	    "<nav><a>World</a><a>Europe</a></nav>"
	    "<span class='by'>Ann</span><span class='by'>Ben</span>"
	    "<span class='when' data-ts='2020-02-03T04:05:06Z'></span>"
	    "<img class='lead' src='/lead.jpg'>"
	    "<div id='story'><p>One <b>bold</b> line.</p><p class='ad'>Buy!</p>"
	    "<p>Two<br>lines.</p></div></body></html>";
	struct article *a;

	(void)state;
	a = parse_rules(html, sizeof(html) - 1, "http://x.example/a/b", NULL,
	    rules, sizeof(rules) / sizeof(rules[0]));
	assert_string_equal(a->title, "Rule title");
	assert_string_equal(a->text, "One bold line.\n\nTwo lines.");
	assert_list(a->authors, a->nauthors, "Ann", "Ben", NULL);
	assert_time(a->published, "2020-02-03T04:05:06Z");
	assert_string_equal(a->image, "http://x.example/lead.jpg");
	/* A rule that yields nothing leaves the automatic value. */
	assert_string_equal(a->description, "From the meta tag");
	assert_string_equal(a->section, "World, Europe");
	article_free(a);
}

/* strip: rules remove nodes before any field is read, the automatic
 * rules included; nested selections and the root element are safe. */
static void
test_strip_rules(void **state)
{
	static const struct article_rule rules[] = {
		{ "strip", "//div[@class='promo'] | //div[@class='promo']/p" },
		{ "strip", "//h1[@class='kicker']" },
		{ "strip", "/html" },
		{ "strip", "//@class" },
	};
	static const char html[] = "<html><body><article>"
	    "<h1 class='kicker'>Breaking</h1><h1>Real headline</h1>"
	    "<p>The first paragraph of the story is long enough to count as "
	    "prose for the body extractor, with commas, clauses and all.</p>"
	    "<div class='promo'><p>Subscribe now for only one euro a month, "
	    "cancel any time, no questions asked.</p></div>"
	    "<p>The second paragraph closes the story with a quote from the "
	    "mayor, who said the work would be finished by spring.</p>"
	    "</article></body></html>";
	struct article *a;

	(void)state;
	a = parse_rules(html, sizeof(html) - 1, NULL, NULL, rules,
	    sizeof(rules) / sizeof(rules[0]));
	assert_string_equal(a->title, "Real headline");
	assert_null(strstr(a->text, "Subscribe"));
	assert_non_null(strstr(a->text, "mayor"));
	article_free(a);
}

static void
test_rule_check(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(article_rule_field_known("title"), 0);
	assert_int_equal(article_rule_field_known("canonical_url"), 0);
	assert_int_equal(article_rule_field_known("text"), 0);
	assert_int_equal(article_rule_field_known("body"), -1);
	assert_int_equal(article_rule_field_known(NULL), -1);

	assert_int_equal(article_rule_check("//h1[@class='x']", err,
	    sizeof(err)), 0);
	assert_int_equal(article_rule_check("string(//a/@href)", err,
	    sizeof(err)), 0);
	err[0] = '\0';
	assert_int_equal(article_rule_check("//h1[", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "//h1["));
	assert_true(strlen(err) > strlen("xpath '//h1[': "));
	assert_int_equal(article_rule_check("", err, sizeof(err)), -1);

	/* A rule that does not compile at parse time is ignored. */
	{
		static const struct article_rule bad[] = { { "title", "//[" } };
		struct article *a = parse_rules("<title>T</title>", 16, NULL,
		    NULL, bad, 1);

		assert_string_equal(a->title, "T");
		article_free(a);
	}
}

static void
test_not_a_page(void **state)
{
	struct article *a = (struct article *)1;
	char err[128];

	(void)state;
	err[0] = '\0';
	assert_int_equal(article_parse("", 0, NULL, NULL, NULL, 0, 0, &a, err,
	    sizeof(err)), -1);
	assert_null(a);
	assert_true(err[0] != '\0');
	assert_int_equal(article_parse(NULL, 0, NULL, NULL, NULL, 0, 0, &a, err,
	    sizeof(err)), -1);
	err[0] = '\0';
	assert_int_equal(article_parse("just some words", 15, NULL, NULL, NULL,
	    0, 0, &a, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_int_equal(article_parse("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16,
	    NULL, NULL, NULL, 0, 0, &a, err, sizeof(err)), -1);

	assert_int_equal(article_parse("<", 1, NULL, NULL, NULL, 0, 0, &a, err,
	    sizeof(err)), -1);

	/* Markup with nothing in it is a page without fields. */
	a = parse_str("<html></html>", NULL);
	assert_null(a->title);
	assert_null(a->text);
	assert_int_equal(a->nauthors, 0);
	article_free(a);
}

static void
test_charset(void **state)
{
	/* "é" in Latin-1; the header's charset wins over none at all. */
	static const char latin1[] =
	    "<html><head><title>Caf\xe9</title></head></html>";
	/* UTF-8 bytes under a wrong <meta charset>: the header wins. */
	static const char utf8[] = "<html><head><meta charset='iso-8859-1'>"
	    "<title>Caf\xc3\xa9</title></head></html>";
	static const char latin1_meta[] = "<html><head><meta "
	    "charset='iso-8859-1'><title>Caf\xe9</title></head></html>";
	/* Bytes no charset explains still come out as valid UTF-8. */
	static const char junk[] = "<html><head><meta charset='utf-8'>"
	    "<title>a\xff\xfe b</title></head></html>";
	struct article *a;
	const unsigned char *p;

	(void)state;
	a = parse_rules(latin1, sizeof(latin1) - 1, NULL,
	    "text/html; charset=\"ISO-8859-1\"", NULL, 0);
	assert_string_equal(a->title, "Caf\xc3\xa9");
	article_free(a);
	a = parse_rules(utf8, sizeof(utf8) - 1, NULL,
	    "text/html;charset=UTF-8", NULL, 0);
	assert_string_equal(a->title, "Caf\xc3\xa9");
	article_free(a);
	/* Without a header, bytes that are valid UTF-8 are read as UTF-8
	 * whatever <meta> says (a page re-served as UTF-8 keeps its old
	 * declaration); Latin-1 bytes still follow their <meta>. */
	a = parse_rules(utf8, sizeof(utf8) - 1, NULL, NULL, NULL, 0);
	assert_string_equal(a->title, "Caf\xc3\xa9");
	article_free(a);
	a = parse_rules(latin1_meta, sizeof(latin1_meta) - 1, NULL, NULL, NULL,
	    0);
	assert_string_equal(a->title, "Caf\xc3\xa9");
	article_free(a);
	a = parse_rules(junk, sizeof(junk) - 1, NULL, NULL, NULL, 0);
	assert_non_null(a->title);
	for (p = (const unsigned char *)a->title; *p != '\0'; p++)
		assert_true(*p != 0xff && *p != 0xfe);
	article_free(a);
}

/* What the network may send: deep nesting, huge or endless JSON-LD, many
 * tags.  None of it may crash or grow without bound. */
static void
test_bounds(void **state)
{
	const size_t depth = 100000;
	struct article *a;
	size_t i, len;
	char *buf, *p;

	(void)state;
	buf = malloc(depth * 11 + 64);
	assert_non_null(buf);
	p = buf;
	for (i = 0; i < depth; i++)
		p += sprintf(p, "<div>");
	p += sprintf(p, "<p>deep</p>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "</div>");
	a = parse_rules(buf, (size_t)(p - buf), NULL, NULL, NULL, 0);
	article_free(a);
	free(buf);

	/* A JSON-LD block over 1 MiB is not read. */
	len = 2 * 1024 * 1024;
	buf = malloc(len + 256);
	assert_non_null(buf);
	p = buf + sprintf(buf, "<script type='application/ld+json'>"
	    "{\"@type\":\"Article\",\"headline\":\"Big\",\"x\":\"");
	memset(p, 'a', len);
	p += len;
	p += sprintf(p, "\"}</script><title>Small</title>");
	a = parse_rules(buf, (size_t)(p - buf), NULL, NULL, NULL, 0);
	assert_string_equal(a->title, "Small");
	article_free(a);

	/* JSON-LD nested past any sense. */
	p = buf + sprintf(buf, "<script type='application/ld+json'>");
	for (i = 0; i < 5000; i++)
		*p++ = '[';
	for (i = 0; i < 5000; i++)
		*p++ = ']';
	p += sprintf(p, "</script>");
	a = parse_rules(buf, (size_t)(p - buf), NULL, NULL, NULL, 0);
	article_free(a);

	/* At most 64 tags. */
	p = buf + sprintf(buf, "<meta name='keywords' content='");
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "tag%zu,", i);
	p += sprintf(p, "'>");
	a = parse_rules(buf, (size_t)(p - buf), NULL, NULL, NULL, 0);
	assert_int_equal(a->ntags, 64);
	assert_string_equal(a->tags[63], "tag63");
	article_free(a);
	free(buf);
}

static void
test_json(void **state)
{
	static const char *const keys[] = {
		"url", "canonical_url", "title", "description", "published",
		"modified", "authors", "section", "tags", "image", "language",
		"site_name", "publisher", "text", "source",
	};
	struct article *a;
	json_t *j;
	size_t i;

	(void)state;
	a = parse_file("ansa.html", ANSA_URL, NULL);
	j = article_to_json(a);
	assert_non_null(j);
	/* No "html" unless asked for. */
	assert_int_equal(json_object_size(j), 15);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(json_object_get(j, keys[i]));
	assert_string_equal(json_string_value(json_object_get(j, "published")),
	    "2022-01-07T13:26:00Z");
	assert_string_equal(json_string_value(json_object_get(j, "modified")),
	    "2022-01-07T14:07:00Z");
	assert_int_equal(json_array_size(json_object_get(j, "tags")), 3);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(j, "authors"), 0)), "Redazione ANSA");
	json_decref(j);
	article_free(a);

	a = parse_str("<p>x</p>", NULL);
	j = article_to_json(a);
	assert_true(json_is_null(json_object_get(j, "url")));
	assert_true(json_is_null(json_object_get(j, "title")));
	assert_true(json_is_null(json_object_get(j, "published")));
	assert_true(json_is_array(json_object_get(j, "authors")));
	assert_int_equal(json_array_size(json_object_get(j, "authors")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "tags")), 0);
	assert_string_equal(json_string_value(json_object_get(j, "text")), "x");
	assert_string_equal(json_string_value(json_object_get(j, "source")),
	    "page");
	json_decref(j);
	article_free(a);
}

/* <meta http-equiv=refresh> that sends the reader on at once is
 * reported resolved; a slow self-reload, the page itself, or no URL is
 * none. */
static void
test_refresh(void **state)
{
	static const struct {
		const char *content;
		const char *want;
	} cases[] = {
		{ "0; URL='/moved/1.html'", "http://x.example/moved/1.html" },
		{ "1;url=https://y.example/a", "https://y.example/a" },
		{ "0, url = 'b.html'", "http://x.example/a/b.html" },
		{ "300; url=/other", NULL },
		{ "0", NULL },
		{ "0; url=http://x.example/a/page", NULL },
		{ "0; url=javascript:go()", NULL },
		{ "soon; url=/x", NULL },
	};
	char html[256];
	struct article *a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(html, sizeof(html), "<html><head><meta "
		    "http-equiv='Refresh' content=\"%s\"></head></html>",
		    cases[i].content);
		a = parse_str(html, "http://x.example/a/page");
		if (cases[i].want == NULL)
			assert_null(a->refresh);
		else
			assert_string_equal(a->refresh, cases[i].want);
		article_free(a);
	}
}

/* ARTICLE_HTML keeps the chosen body as HTML, with what a reader sees
 * or follows and nothing else (no class, style or event handlers). */
static void
test_html(void **state)
{
	static const char html[] = "<html><body><nav><a href='/'>Home</a>"
	    "</nav><article class='story' onclick='x()'><h1>Title</h1>"
	    "<p style='color:red'>The first paragraph of the story, long "
	    "enough, with a <a href='/more' class='l' title='More'>link</a>."
	    "</p><script>evil()</script><p>Second paragraph, with "
	    "<img src='/a.jpg' alt='A' width='9'> an image.</p></article>"
	    "</body></html>";
	struct article *a = NULL;
	char err[256];
	json_t *j;

	(void)state;
	assert_int_equal(article_parse(html, sizeof(html) - 1,
	    "http://x.example/a", NULL, NULL, 0, ARTICLE_HTML, &a, err,
	    sizeof(err)), 0);
	assert_string_equal(a->html, "<article><p>The first paragraph of the "
	    "story, long enough, with a <a href=\"/more\" title=\"More\">"
	    "link</a>.</p>\n<p>Second paragraph, with <img src=\"/a.jpg\" "
	    "alt=\"A\"> an image.</p></article>");
	j = article_to_json(a);
	assert_string_equal(json_string_value(json_object_get(j, "html")),
	    a->html);
	json_decref(j);
	article_free(a);
}

/* A page that gives less text than the feed's own content (a teaser, a
 * paywall) yields to it, and says so; a fuller page does not. */
static void
test_feed_fallback(void **state)
{
	static const char feed[] = "<p>The whole story, as the feed "
	    "carries it: two paragraphs &amp; more.</p><p>The second one.</p>";
	struct article *a;

	(void)state;
	a = parse_str("<html><body><p>Subscribe to read.</p></body></html>",
	    NULL);
	assert_int_equal(article_prefer_feed_content(a, feed, ARTICLE_HTML),
	    0);
	assert_string_equal(a->source, "feed");
	assert_string_equal(a->text, "The whole story, as the feed carries "
	    "it: two paragraphs & more.\n\nThe second one.");
	assert_string_equal(a->html, feed);
	article_free(a);

	a = parse_str("<html><body><article><p>A page with much more text "
	    "than the feed gives, as full pages have: paragraphs, quotes and "
	    "all the rest of the story that the feed leaves out.</p>"
	    "</article></body></html>", NULL);
	assert_int_equal(article_prefer_feed_content(a, feed, 0), 0);
	assert_string_equal(a->source, "page");
	assert_null(a->html);
	assert_int_equal(article_prefer_feed_content(a, NULL, 0), 0);
	assert_string_equal(a->source, "page");
	article_free(a);
}

/* A lead set apart above the body (itemprop="description", a "teaser"
 * or "excerpt" class) is the story's first paragraph; a short kicker is
 * not. */
static void
test_lead(void **state)
{
	static const char page[] =
	    "<html><body><div class='news'>"
	    "<div class='kicker intro'>Winter walks</div>"
	    "<div class='teaser-text' itemprop='description'><p>The first "
	    "snow fell this week, and dogs love it as much as we do.</p>"
	    "</div><div class='media'><img src='a.jpg'></div>"
	    "<div itemprop='articleBody'><p>Snow changes every smell, so "
	    "dogs keep their noses deep in it, following new tracks and "
	    "traces that wild animals leave behind overnight.</p>"
	    "<p>Paws need care too: ice and salt hurt them, and a short "
	    "rinse after the walk keeps them healthy through the winter.</p>"
	    "</div></div></body></html>";
	struct article *a;
	const char *lead, *body;

	(void)state;
	check_body(page, "The first snow fell", "Winter walks");
	a = parse_str(page, NULL);
	lead = strstr(a->text, "The first snow");
	body = strstr(a->text, "Snow changes");
	assert_non_null(body);
	assert_true(lead != NULL && lead < body);
	article_free(a);
	/* Another story's card is no lead, whatever its excerpt's class. */
	check_body("<html><body><article class='card'><div class='excerpt'>"
	    "<p>Earrings for every day, and a sale that ends this Sunday at "
	    "midnight.</p></div></article><div itemprop='articleBody'><p>"
	    "Snow changes every smell, so dogs keep their noses deep in it, "
	    "following new tracks and traces that wild animals leave behind "
	    "overnight.</p></div></body></html>", "Snow changes",
	    "Earrings for every day");
}

/* A story of five paragraphs with box set after its first one, into buf:
 * long enough that the boilerplate rules are not relaxed for it. */
static const char *
story_with(const char *box, char *buf, size_t size)
{
	snprintf(buf, size, "<html><body><article><p>The council voted on "
	    "Monday to close the old bridge for repairs, which will take a "
	    "whole year.</p>%s<p>Drivers will have to use the ring road, the "
	    "mayor said, and buses will run every ten minutes while the "
	    "works go on.</p><p>Shops on the bridge street fear a quiet "
	    "year: most of their customers cross on foot from the station, "
	    "and the detour adds twenty minutes to the walk, one owner said."
	    "</p><p>The council will hear them at its next meeting, in "
	    "March, before the contract for the works is signed.</p><p>Until "
	    "then the old bridge stays open to walkers and cyclists, with a "
	    "speed limit for bicycles on its narrow western side.</p>"
	    "</article></body></html>", box);
	return buf;
}

/* Boxes set in a story that are no part of it: a caption ("wp-caption-
 * text"), the writer's biography and a fact box (though their classes
 * say "content"), comments in German ("kommentar") and Spanish
 * ("comentario") and what a page keeps off paper ("noprint"). */
static void
test_boxes_in_story(void **state)
{
	static const char *const box[][2] = {
		{ "<div class='wp-caption'><img src='b.jpg'><p class='wp-"
		    "caption-text'>The old bridge at dawn. Photo: J. Smith</p>"
		    "</div>", "Photo: J. Smith" },
		{ "<div class='factbox-content'><p>The bridge was built in "
		    "1887 and last repaired in 1954.</p></div>",
		    "built in 1887" },
		{ "<div class='author-box-content'><p>Jane Doe writes about "
		    "the city and its people since 2004.</p></div>",
		    "Jane Doe writes" },
		{ "<div class='kommentarModul'><p>Sie sind aktuell nicht "
		    "eingeloggt.</p></div>", "nicht eingeloggt" },
		{ "<div class='comentarios'><p>Muy buen texto, "
		    "gracias.</p></div>", "Muy buen" },
		{ "<div class='noprint'>Print this story</div>",
		    "Print this story" },
	};
	char buf[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(box) / sizeof(box[0]); i++)
		check_body(story_with(box[i][0], buf, sizeof(buf)),
		    "Drivers will have to use", box[i][1]);
}

/* A box whose class says "main" but holds one caption does not outscore
 * a story of several plain paragraphs. */
static void
test_class_bonus(void **state)
{
	(void)state;
	check_body("<html><body><div class='slideshow_main'><div>"
	    "<div>Two people were killed in a crash in Osborne Store, the "
	    "police said on Tuesday evening.</div></div></div><div><div>"
	    "<p>The police have released the names of the two people killed "
	    "in a crash in Osborne Store on Tuesday, and of the driver.</p>"
	    "<p>Her husband, a police corporal, was badly injured and is in "
	    "hospital in a serious condition, the police said.</p>"
	    "<p>The crash happened at about one in the afternoon, when the "
	    "car collided with a bus carrying twelve passengers.</p>"
	    "</div></div></body></html>", "was badly injured",
	    "police said on Tuesday evening");
}

/* A slider of teasers, however much excerpt text it holds, does not
 * outscore the story. */
static void
test_slider(void **state)
{
	static const char teaser[] =
	    "<div class='slide-entry'><h3><a href='/x'>Other story</a></h3>"
	    "<p>An excerpt of another story, long enough to be scored as a "
	    "paragraph, with a comma, and another, and more, and more.</p>"
	    "</div>";
	char page[4096];

	(void)state;
	snprintf(page, sizeof(page), "<html><body><div><section><p>The plant "
	    "will employ 1,300 people, the company said, and open in 2024, "
	    "a year later than planned.</p><p>It is the third such plant in "
	    "the country, after two in Ohio and Tennessee, and the largest "
	    "of them.</p><p>Cells made there will go into trucks, vans and "
	    "the company's electric pick-up, which sells from next spring."
	    "</p><p>The state gave the company land, tax breaks and a grant "
	    "for training, a spokesman said, and the city paid for a road."
	    "</p><p>Building starts in May, once the last permits are in, "
	    "and the first cells should leave the plant a year later.</p>"
	    "</section></div><div class='more'><div class='content-slider'>"
	    "%s%s%s%s</div>"
	    "</div></body></html>", teaser, teaser, teaser, teaser);
	check_body(page, "third such plant", "An excerpt of another");
}

/* A story cut into like boxes (same element, same class), each with a
 * heading and a part of the text, is read whole, not only its best
 * box. */
static void
test_story_blocks(void **state)
{
	static const char page[] =
	    "<html><body><div class='page'>"
	    "<section class='block'><h2>The record</h2><div class='text'>"
	    "<p>She cleared 6.02 metres at her first try, the best height "
	    "of the year, and then asked for the bar to go up again.</p>"
	    "<p>Three attempts at a new record failed, narrowly, and the "
	    "crowd, which had stayed to the end, cheered all the same.</p>"
	    "<p>It was her first meeting since the summer, when an injury "
	    "kept her out of the last two championships.</p></div>"
	    "</section><section class='block'><h2>The hurdles</h2>"
	    "<div class='text'><p>The world champion over the hurdles began "
	    "his season with a bang as well: 7.56 seconds in his heat, the "
	    "best time in the world this year, and 7.54 in the final, ahead "
	    "of the Spanish and the Polish champions.</p></div></section>"
	    "</div></body></html>";

	(void)state;
	check_body(page, "She cleared 6.02", "no such text");
	check_body(page, "The world champion over the hurdles", "no such");
}

/* Ruby annotations (furigana) are left out and the annotated words read
 * in line: "子どもを守る", not one character per paragraph with its
 * reading. */
static void
test_ruby(void **state)
{
	static const char page[] =
	    "<html><body><article><p><ruby>\xe5\xad\x90<rp>(</rp><rt>"
	    "\xe3\x81\x93</rt><rp>)</rp></ruby>\xe3\x81\xa9\xe3\x82"
	    "\x82</p></article></body></html>";
	struct article *a;

	(void)state;
	a = parse_str(page, NULL);
	assert_non_null(a->text);
	/* 子ども, without the reading こ */
	assert_string_equal(a->text,
	    "\xe5\xad\x90\xe3\x81\xa9\xe3\x82\x82");
	article_free(a);
}

/* A thread is all of its posts: the replies, each a box with the writer's
 * avatar and a smiley or two beside text without <p>s, are no galleries
 * to clean away. */
static void
test_forum_thread(void **state)
{
	struct article *a;

	(void)state;
	a = parse_file("forum-thread.html", "https://stars.example/t/1", NULL);
	assert_non_null(a->text);
	assert_non_null(strstr(a->text, "Budget is around four hundred"));
	assert_non_null(strstr(a->text, "A six inch dobsonian"));
	assert_non_null(strstr(a->text, "Ten by fifty binoculars"));
	assert_non_null(strstr(a->text, "Join a local club"));
	assert_null(strstr(a->text, "Privacy"));
	article_free(a);
}

/* A listing is its items: when the best node holds under half of the
 * page's text and paragraphs (one card of a grid), the whole cleaned page
 * is read. */
static void
test_listing_items(void **state)
{
	static const char *const items[] = {
		"beech woods", "three old mills", "Boardwalks across the marsh",
		"flooded quarry", "former railway", "summit cairn",
	};
	struct article *a;
	size_t i;

	(void)state;
	a = parse_file("listing.html", "https://hike.example/lakeside", NULL);
	assert_non_null(a->text);
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		assert_non_null(strstr(a->text, items[i]));
	article_free(a);
}

/* A story keeps most of the page's <p>s: a sidebar with more text (but
 * no paragraphs) beside it does not make the page a spread of content. */
static void
test_story_beside_sidebar(void **state)
{
	static const char page[] =
	    "<html><body><div class='story'>"
	    "<p>The council voted on Tuesday to close the old swimming pool "
	    "at the end of the summer, after a survey found its roof unsafe.</p>"
	    "<p>Swimmers will use the school pool on weekday evenings until a "
	    "new building opens, which the council hopes to do in two years.</p>"
	    "<p>The decision was taken by nine votes to four, with two members "
	    "absent; the opposition called it a false economy.</p>"
	    "<p>A petition against the closure has gathered more than three "
	    "thousand names since it was started in the spring.</p></div>"
	    "<div class='widget-area'><div>Weather: sunny spells, highs of "
	    "twenty-two degrees, light winds from the west, rain later in the "
	    "week with a chance of thunder on Friday evening.</div>"
	    "<div>Markets: shares rose in early trading as oil fell, the pound "
	    "held steady against the euro and gold was unchanged.</div>"
	    "<div>Traffic: roadworks on the ring road until the end of the "
	    "month, with the northern exit closed at night and delays at the "
	    "bridge in both directions at peak hours.</div>"
	    "<div>Events: the summer fair opens on Saturday in the park, with "
	    "music from noon, a craft market and a dog show on Sunday.</div>"
	    "<div>Letters: readers write about parking, the bus timetable, the "
	    "new cycle lanes and the noise from the building site by the "
	    "station, which goes on until late at night.</div>"
	    "</div></body></html>";

	(void)state;
	check_body(page, "The council voted on Tuesday", "sunny spells");
	check_body(page, "A petition against the closure", "ring road");
}

/* The page's <h1> over a meta title that names the page another way; a
 * meta title that shares a word or two with the <h1> is kept. */
static void
test_title_h1(void **state)
{
	(void)state;
	check_field("<html><head><meta property='og:title' content='Best Apps "
	    "to Learn a Language in 2025 - Top 10 Picks'></head><body><h1>"
	    "Top 10: Best Language Learning App</h1><p>Text.</p></body></html>",
	    offsetof(struct article, title),
	    "Top 10: Best Language Learning App");
	check_field("<html><head><meta property='og:title' content='Dublin "
	    "Core property title'></head><body><h1>Test document title</h1>"
	    "<p>Text.</p></body></html>",
	    offsetof(struct article, title), "Dublin Core property title");
}

/* The <h1> rule yields where the page's sources disagree and one of them
 * is the <h1> (the publisher ranked the two names), where a bare <title>
 * is all it has, and to a two-word <h1>. */
static void
test_title_h1_yields(void **state)
{
	(void)state;
	/* JSON-LD and <title> against og:title and the <h1>. */
	check_field("<html><head><title>How to watch the 21 best films of "
	    "2017 - Vox</title><meta property='og:title' content='The 21 "
	    "best movies of 2017'><script type='application/ld+json'>"
	    "{\"@type\":\"NewsArticle\",\"headline\":\"How to watch the "
	    "21 best films of 2017\"}</script></head><body><article><h1>The "
	    "21 best movies of 2017</h1><p>Text.</p></article></body></html>",
	    offsetof(struct article, title),
	    "How to watch the 21 best films of 2017");
	/* Sources that disagree, none of them the <h1>: the <h1>. */
	check_field("<html><head><title>20 Clever Ideas for your Small "
	    "Nursery - The Postpartum Party</title><meta property='og:title' "
	    "content=\"Clever Ideas to Set Up Baby's Nursery in A Small "
	    "Space\"></head><body><article><h1>20 Clever Small Nursery Ideas "
	    "When Space Is Tight</h1><p>Text.</p></article></body></html>",
	    offsetof(struct article, title),
	    "20 Clever Small Nursery Ideas When Space Is Tight");
	/* A bare <title>, no site or section in it. */
	check_field("<html><head><title>MathJax v3 with MathML input and HTML "
	    "output</title></head><body><h1>MathJax v3 beta: MathML input, "
	    "HTML output test</h1><p>Text.</p></body></html>",
	    offsetof(struct article, title),
	    "MathJax v3 with MathML input and HTML output");
	/* A <title> with the site's name in it still gives way. */
	check_field("<html><head><title>Leasing oder Finanzierung? Rechner, "
	    "Vor- und Nachteile | VERIVOX</title></head><body><h1>Leasing "
	    "oder Finanzierung? Jetzt Angebote berechnen!</h1><p>Text.</p>"
	    "</body></html>", offsetof(struct article, title),
	    "Leasing oder Finanzierung? Jetzt Angebote berechnen!");
	/* A two-word <h1> is a section's name. */
	check_field("<html><head><meta property='og:title' content='Minecraft "
	    "1.8 - The Bountiful Update'></head><body><h1>Minecraft News</h1>"
	    "<p>Text.</p></body></html>", offsetof(struct article, title),
	    "Minecraft 1.8 - The Bountiful Update");
}

/* The article of html, whose body holds each of the n strings of want
 * (caller frees). */
static struct article *
parse_holding(const char *html, const char *const *want, size_t n)
{
	struct article *a = parse_str(html, NULL);
	size_t i;

	assert_non_null(a->text);
	for (i = 0; i < n; i++)
		assert_non_null(strstr(a->text, want[i]));
	return a;
}

/* html (n bytes of size used) with one card per item appended, card a
 * format of the card's number and its item twice; the new length. */
static size_t
add_cards(char *html, size_t size, size_t n, const char *card,
    const char *const *items, size_t nitems)
{
	size_t i;

	for (i = 0; i < nitems && n < size; i++)
		n += (size_t)snprintf(html + n, size - n, card, i, items[i],
		    items[i]);
	return n;
}

/* A listing whose cards are links, title and description alike, in a
 * column beside a featured story that holds under half of the page's
 * text: the page is spread over its cards, and each card's text is the
 * page's, though Readability's link rules would drop every card as a
 * list of links. */
static void
test_linked_cards(void **state)
{
	static const char *const items[] = {
		"Renting a car could lead", "the app both trucks used",
		"Hertz chief executive out", "Airport counters close",
		"Electric rentals cost more", "Insurance at the counter",
	};
	char html[8192];
	struct article *a;
	size_t n;

	(void)state;
	n = (size_t)snprintf(html, sizeof(html), "<html><body><main><div "
	    "class='col-wide'><div><section class='featured'><p>Stay up to date with our vehicle rental news "
	    "and reporting coverage, from the counters at the airport to the "
	    "apps on your phone, the insurance you are sold at the desk, the "
	    "fees you did not expect on your bill, and the cars that are "
	    "reported stolen when they are not, which has led to drivers "
	    "being stopped by the police on the highway. Our reporters have "
	    "spoken to renters, lawyers and the companies themselves, in three "
	    "cities and over several months, and this page gathers all of "
	    "their stories for you.</p></section></div></div><div "
	    "class='col-narrow'><div class='feed'>");
	n = add_cards(html, sizeof(html), n, "<section class='card'><a "
	    "href='/s/%zu'><h3>%s</h3><p>%s: what our reporters found when "
	    "they asked drivers and rental companies.</p></a><div>Published "
	    "by the consumer desk of our newsroom, in the series on travel "
	    "costs and the fees that come with them, updated weekly.</div>"
	    "</section>", items, sizeof(items) / sizeof(items[0]));
	snprintf(html + n, sizeof(html) - n, "</div></div></main></body></html>");
	a = parse_holding(html, items, sizeof(items) / sizeof(items[0]));
	assert_non_null(strstr(a->text, "Stay up to date"));
	article_free(a);
}

/* A listing whose cards are links from title to description, under a
 * line of text of its own: the line holds all the text outside links but
 * a sliver of the page's text, and the page is its cards. */
static void
test_all_linked_grid(void **state)
{
	static const char *const items[] = {
		"Renting a car could lead to your arrest",
		"What to know about the rental app",
		"Hertz chief executive out after the year",
		"Airport counters close at night",
		"Electric rentals cost more to insure",
		"Insurance at the counter is optional",
	};
	char html[8192];
	size_t n;

	(void)state;
	n = (size_t)snprintf(html, sizeof(html), "<html><body><main><section>"
	    "<div><p>Stay up to date with our vehicle rental news and "
	    "reporting coverage.</p></div></section><div class='grid'>");
	n = add_cards(html, sizeof(html), n, "<div class='card'><a "
	    "href='/s/%zu'><h3>%s</h3><p>%s, as our reporters found when they "
	    "asked drivers, lawyers and rental companies in three cities.</p>"
	    "</a></div>", items, sizeof(items) / sizeof(items[0]));
	snprintf(html + n, sizeof(html) - n, "</div></main></body></html>");
	article_free(parse_holding(html, items, sizeof(items) /
	    sizeof(items[0])));
}

/* A forum post's few lines beside its avatar, flag and smileys are no
 * gallery: the short posts of a thread keep their text beside the long
 * ones. */
static void
test_post_pictures(void **state)
{
	static const char *const posts[] = {
		"Do you plan on a budget", "I will spend a lot less",
		"No special budget here", "Samples and decants only",
	};
	static const char para[] = "<p>We set a monthly limit last year and "
	    "kept to it, which was easier than expected, since most of what we "
	    "wanted came in samples first.</p>";
	char html[16384];
	size_t i, j, n;

	(void)state;
	n = (size_t)snprintf(html, sizeof(html), "<html><body><div "
	    "class='thread'>");
	for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		n += (size_t)snprintf(html + n, sizeof(html) - n,
		    "<article class='message'><div class='message-inner'><div "
		    "class='user'><img src='/a%zu.jpg'><img src='/flag.svg'>"
		    "<a href='/u/%zu'>member%zu</a></div><div class='main'><div "
		    "class='bb'>", i, i, i);
		if (i % 2 == 0) {
			n += (size_t)snprintf(html + n, sizeof(html) - n,
			    "<p>%s this year?</p>", posts[i]);
			for (j = 0; j < 8; j++)
				n += (size_t)snprintf(html + n,
				    sizeof(html) - n, "%s", para);
		} else
			n += (size_t)snprintf(html + n, sizeof(html) - n,
			    "%s this year, with a few bottles bought while "
			    "away and a gift or two here and there.<br>Just no "
			    "impulse buys, and no more than last year, we shall "
			    "see how it goes by the summer, with a sale or two."
			    "<img src='/smile.png'><img src='/wink.png'>",
			    posts[i]);
		n += (size_t)snprintf(html + n, sizeof(html) - n,
		    "</div></div></div></article>");
	}
	snprintf(html + n, sizeof(html) - n, "</div></body></html>");
	article_free(parse_holding(html, posts, sizeof(posts) / sizeof(posts[0])));
}

/* A thread whose posts no score joins is spread over them, and each
 * post's member box and reaction bar are still no text: the cleaning that
 * takes those (less than half of the page) stays. */
static void
test_thread_chrome(void **state)
{
	static const char *const posts[] = {
		"The pump stopped after the second winter",
		"Mine did the same and the seal was gone",
		"Check the capacitor before the seal",
		"A new capacitor fixed mine for ten euros",
		"Thanks, the capacitor it was",
	};
	char html[16384];
	struct article *a;
	size_t i, n;

	(void)state;
	n = (size_t)snprintf(html, sizeof(html), "<html><body><main>");
	for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++)
		n += (size_t)snprintf(html + n, sizeof(html) - n,
		    "<div class='w%zu'><div class='post'><div class='who'><a "
		    "href='/u/%zu'><img src='/av.png'>member%zu</a> <a "
		    "href='/u/%zu/posts'>1,234 posts</a> <a href='/u/%zu/since'>"
		    "joined in March 2019</a> <a href='/u/%zu/pm'>send a private "
		    "message</a></div><div class='said'>%s, and the water stood "
		    "in the basement for a day before anyone noticed it, so we "
		    "called the plumber, who came the next morning and had a look "
		    "at it.</div><div class='bar'><a href='/like'>Like</a> <a "
		    "href='/quote'>Quote</a> <a href='/reply'>Reply</a> <a "
		    "href='/report'>Report</a></div></div></div>", i, i, i, i,
		    i, i, posts[i]);
	snprintf(html + n, sizeof(html) - n, "</main></body></html>");
	a = parse_holding(html, posts, sizeof(posts) / sizeof(posts[0]));
	assert_null(strstr(a->text, "joined in March"));
	assert_null(strstr(a->text, "Quote"));
	article_free(a);
}

/* A page spread over several nodes is read from its <main> when that
 * holds them: what sits around it is the site's, not the page's. */
static void
test_spread_in_main(void **state)
{
	static const char page[] =
	    "<html><body><div class='strip'>Free delivery on every order "
	    "over fifty pounds, and returns are free within thirty days of "
	    "purchase.</div><main><div class='row'><div class='col'><div "
	    "class='card'><h2><a href='/p'>Oak desk, handmade in our "
	    "workshop in Wales</a></h2><p>A solid oak desk with two "
	    "drawers, oiled by hand and delivered "
	    "assembled.</p></div></div><div class='col'><div "
	    "class='card'><h2><a href='/p'>Pine shelf, handmade in our "
	    "workshop in Wales</a></h2><p>A pine wall shelf, eighty "
	    "centimetres long, with hidden brackets "
	    "included.</p></div></div><div class='col'><div "
	    "class='card'><h2><a href='/p'>Ash stool, handmade in our "
	    "workshop in Wales</a></h2><p>A three-legged ash stool for the "
	    "kitchen, finished with a clear matt "
	    "lacquer.</p></div></div><div class='col'><div "
	    "class='card'><h2><a href='/p'>Elm table, handmade in our "
	    "workshop in Wales</a></h2><p>An elm dining table for six, its "
	    "top cut from a single board of reclaimed "
	    "wood.</p></div></div></div></main></body></html>";

	(void)state;
	check_body(page, "An elm dining table", "Free delivery");
	check_body(page, "A solid oak desk", "Free delivery");
}

/* A shop's carousel of other products is no part of the page's own. */
static void
test_recommended_carousel(void **state)
{
	(void)state;
	check_body("<html><body><main><div class='product'><h1>Oak "
	    "desk</h1><p>A solid oak desk with two drawers, oiled by hand in "
	    "our workshop and delivered assembled to your door.</p><p>Its top "
	    "is cut from a single board, and each one has its own grain, so "
	    "no two desks look alike.</p><p>Width 120 cm, depth 60 cm, height "
	    "75 cm, and it weighs thirty kilograms.</p><p>The drawers run on "
	    "wooden runners, waxed so that they slide without a sound, and "
	    "each has a brass handle.</p><p>We oil the desk again before it "
	    "leaves, and a tin of the same oil comes with it for the years "
	    "ahead.</p><p>Every desk is made to order, so allow six weeks "
	    "from the day you order it to the day it reaches you.</p><div "
	    "class='recommended-products'><div><p>Pine shelf, a wall shelf "
	    "eighty centimetres long, with its brackets.</p></div><div><p>Ash "
	    "stool, a three-legged stool for the kitchen, lacquered.</p>"
	    "</div></div></div></main></body></html>", "Its top is cut",
	    "Pine shelf");
}

/* A script app keeps its whole page invisible until it has run: that
 * hidden wrapper is the page, not a panel to drop. */
static void
test_hidden_page(void **state)
{
	(void)state;
	check_body("<html><body><div style='visibility:hidden'><div "
	    "class='top'><a href='/'>Home</a></div><div class='body'><p>Machine "
	    "learning lets computers learn from data, without a rule written "
	    "for every case, and it has three kinds.</p><p>Supervised learning "
	    "trains a model on labelled data, to classify what it has not "
	    "seen.</p><p>Unsupervised learning finds groups in data that has "
	    "no labels, such as clusters of customers.</p></div></div>"
	    "</body></html>", "Supervised learning trains", "zzz");
	check_body("<html><body><div hidden><p>A hidden panel of text that the "
	    "reader never sees until a tab is opened, with more words in "
	    "it.</p></div><div><p>The story a reader sees on the page is "
	    "here, with its many words, and it says what happened.</p><p>It "
	    "goes on for a second paragraph of text that says more about "
	    "it.</p><p>And a third one, with yet more, that ends the "
	    "story.</p></div></body></html>", "The story a reader sees",
	    "hidden panel");
}

/* A manual's reference table, with a <p> in each cell, holds most of the
 * page's <p>s and little of its text: the page is read whole. */
static void
test_manual_table(void **state)
{
	char html[32768];
	size_t n, i;

	(void)state;
	n = (size_t)snprintf(html, sizeof(html), "<html><body><div "
	    "role='main'><section><h1>itertools</h1><div><p>This module "
	    "implements a number of iterator building blocks, inspired by "
	    "constructs from older languages, each recast in a form suitable "
	    "for the language at hand.</p></div><table>");
	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(html + n, sizeof(html) - n, "<tr><td><p>"
		    "tool%zu()</p></td><td><p>p, q</p></td><td><p>p0, p1, p2, "
		    "q0, q1, q2, r0, r1, r2</p></td></tr>", i);
	n += (size_t)snprintf(html + n, sizeof(html) - n, "</table>");
	for (i = 0; i < 30; i++)
		n += (size_t)snprintf(html + n, sizeof(html) - n, "<section>"
		    "<section><h2>tool%zu</h2><dl><dt>tool%zu(iterable)</dt><dd>"
		    "<div><p>Make an iterator that returns elements from the "
		    "iterable, one after another, until it is exhausted, then "
		    "stop; roughly equivalent to the loop shown in the recipes "
		    "below.  It is used for treating consecutive sequences as a "
		    "single sequence, and it never holds more than one element "
		    "in memory at a time.</p></div></dd></dl></section>"
		    "</section>", i, i);
	snprintf(html + n, sizeof(html) - n, "</section></div></body></html>");
	check_body(html, "building blocks", "zzz");
	check_body(html, "Make an iterator", "zzz");
}

/* A shop renders the description from script: the JSON-LD Product's
 * leads the body, once, and not when the page shows it already or when
 * several products say different things. */
static void
test_product_description(void **state)
{
	struct article *a;
	char html[4096];
	const char *ld = "<script type='application/ld+json'>{\"@type\": "
	    "\"Product\", \"name\": \"Oak desk\", \"description\": \"A solid "
	    "oak desk with two drawers, &lt;b&gt;oiled&lt;/b&gt; by hand "
	    "and delivered assembled.\"}</script>";
	const char *other = "<script type='application/ld+json'>{\"@type\": "
	    "\"Product\", \"description\": \"A pine shelf with hidden "
	    "brackets.\"}</script>";
	const char *body = "<div class='reviews'><p>Bought it for my study "
	    "last spring and it still looks new, sturdy and quiet.</p></div>";
	const char *shown = "<div class='reviews'><p>A solid oak desk with "
	    "two drawers, oiled by hand and delivered assembled.</p></div>";

	(void)state;
	snprintf(html, sizeof(html), "<html><head>%s</head><body>%s"
	    "</body></html>", ld, body);
	a = parse_str(html, NULL);
	assert_int_equal(strncmp(a->text, "A solid oak desk with two drawers, "
	    "oiled by hand", 48), 0);
	assert_non_null(strstr(a->text, "Bought it for my study"));
	article_free(a);

	snprintf(html, sizeof(html), "<html><head>%s</head><body>%s"
	    "</body></html>", ld, shown);
	a = parse_str(html, NULL);
	assert_string_equal(a->text, "A solid oak desk with two drawers, "
	    "oiled by hand and delivered assembled.");
	article_free(a);

	snprintf(html, sizeof(html), "<html><head>%s%s</head><body>%s"
	    "</body></html>", ld, other, body);
	a = parse_str(html, NULL);
	assert_null(strstr(a->text, "oak desk"));
	article_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ansa),
		cmocka_unit_test(test_ansa_scored),
		cmocka_unit_test(test_meta_only),
		cmocka_unit_test(test_graph),
		cmocka_unit_test(test_broken_jsonld),
		cmocka_unit_test(test_relative_urls),
		cmocka_unit_test(test_script_urls_dropped),
		cmocka_unit_test(test_page_sources),
		cmocka_unit_test(test_comma_list),
		cmocka_unit_test(test_sole_article),
		cmocka_unit_test(test_read_also),
		cmocka_unit_test(test_body_retry),
		cmocka_unit_test(test_noscript_page),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_lists_cards_hidden),
		cmocka_unit_test(test_rel_tags),
		cmocka_unit_test(test_title_typography),
		cmocka_unit_test(test_title_h1_colon_pilcrow),
		cmocka_unit_test(test_bylines),
		cmocka_unit_test(test_site_as_author),
		cmocka_unit_test(test_headline_date),
		cmocka_unit_test(test_open_button),
		cmocka_unit_test(test_date_line),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_strip_rules),
		cmocka_unit_test(test_rule_check),
		cmocka_unit_test(test_not_a_page),
		cmocka_unit_test(test_charset),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_feed_fallback),
		cmocka_unit_test(test_lead),
		cmocka_unit_test(test_boxes_in_story),
		cmocka_unit_test(test_class_bonus),
		cmocka_unit_test(test_slider),
		cmocka_unit_test(test_story_blocks),
		cmocka_unit_test(test_ruby),
		cmocka_unit_test(test_many_attributes),
		cmocka_unit_test(test_forum_thread),
		cmocka_unit_test(test_listing_items),
		cmocka_unit_test(test_story_beside_sidebar),
		cmocka_unit_test(test_title_h1),
		cmocka_unit_test(test_title_h1_yields),
		cmocka_unit_test(test_spread_in_main),
		cmocka_unit_test(test_linked_cards),
		cmocka_unit_test(test_all_linked_grid),
		cmocka_unit_test(test_post_pictures),
		cmocka_unit_test(test_thread_chrome),
		cmocka_unit_test(test_product_description),
		cmocka_unit_test(test_hidden_page),
		cmocka_unit_test(test_manual_table),
		cmocka_unit_test(test_recommended_carousel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
