/* fuzz_article.c - article_parse on arbitrary bytes as an HTML page, with
 * one XPath override so the rules path runs too, and the article's JSON. */
#include "../../feeds/article.h"
#include "fuzz.h"

static const struct article_rule rules[] = {
	{ "section", "//nav[@class='breadcrumb']//a" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct article *a;
	char err[512];
	size_t nrules = size > 0 && (data[0] & 1);

	if (article_parse((const char *)data, size,
	    "http://news.example/2026/story.html", "text/html", rules, nrules,
	    ARTICLE_HTML, &a, err, sizeof(err)) == -1)
		return 0;
	json_decref(article_to_json(a));
	article_free(a);
	return 0;
}
