/*
 * cmd_tools.c - newswatch parse and extract: the feed and article
 * parsers on one document, from a file or a URL, printed as JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "../feeds/article.h"
#include "../feeds/feed.h"
#include "../feeds/url.h"

#include "cmd.h"
#include "http.h"

/* parse and extract read at most this much from a file or URL. */
#define TOOL_MAX_BYTES (64LL * 1024 * 1024)

static void
on_fetched(void *arg, const struct http_response *res)
{
	struct fetched *f = arg;

	f->done = 1;
	if (res->error)
		snprintf(f->error, sizeof(f->error), "%s: %s", res->url, res->error);
	else if (res->status < 200 || res->status > 299)
		snprintf(f->error, sizeof(f->error), "%s: HTTP %ld", res->url,
		    res->status);
	if (f->error[0])
		return;
	f->body = malloc(res->len + 1);
	f->url = strdup(res->url);
	f->content_type = res->content_type ? strdup(res->content_type) : NULL;
	if (f->body == NULL || f->url == NULL) {
		snprintf(f->error, sizeof(f->error), "out of memory");
		return;
	}
	memcpy(f->body, res->body, res->len + 1);
	f->len = res->len;
}

/* One GET through the same engine the daemon uses. */
static int
fetch_url(const char *url, struct fetched *f)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct http *http;
	struct http_request req = {
		.url = url, .user_agent = CONFIG_DEFAULT_USER_AGENT,
		.max_bytes = TOOL_MAX_BYTES, .timeout = CONFIG_DEFAULT_TIMEOUT,
		.allow_private = 1, .done = on_fetched, .arg = f,
	};
	struct http_limits lim = {
		.max_connections = 1, .per_host_connections = 1,
		.max_retry_after = CONFIG_DEFAULT_MAX_RETRY_AFTER,
	};

	if (loop == NULL ||
	    (http = http_new(loop, &lim, f->error, sizeof(f->error))) == NULL)
		return -1;
	if (http_get(http, &req, f->error, sizeof(f->error)) != NULL)
		while (!f->done && ev_run(loop, EVRUN_ONCE))
			;
	http_free(http);
	ev_loop_destroy(loop);
	return f->error[0] ? -1 : 0;
}

static int
read_file(const char *path, struct fetched *f)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536;

	if (fp == NULL) {
		snprintf(f->error, sizeof(f->error), "%s: %s", path, strerror(errno));
		return -1;
	}
	f->body = malloc(cap);
	while (f->body) {
		size_t n = fread(f->body + f->len, 1, cap - f->len - 1, fp);
		f->len += n;
		if (n == 0)
			break;
		if (f->len + 1 == cap) {
			char *p = (long long)cap * 2 > TOOL_MAX_BYTES ? NULL :
			    realloc(f->body, cap * 2);
			if (p == NULL) {
				snprintf(f->error, sizeof(f->error),
				    "%s: larger than %lld bytes", path,
				    TOOL_MAX_BYTES);
				break;
			}
			f->body = p;
			cap *= 2;
		}
	}
	if (f->body == NULL)
		snprintf(f->error, sizeof(f->error), "out of memory");
	else if (ferror(fp))
		snprintf(f->error, sizeof(f->error), "%s: %s", path, strerror(errno));
	else if (f->error[0] == '\0')
		f->body[f->len] = '\0';
	if (fp != stdin)
		fclose(fp);
	return f->error[0] ? -1 : 0;
}

/* A FILE or URL for parse and extract; the base URL is --url, else the
 * URL fetched. */
int
load_input(const struct options *opt, const char *input, struct fetched *f)
{
	int rc = url_is_http(input) ? fetch_url(input, f) : read_file(input, f);

	if (rc == -1)
		fprintf(stderr, "newswatch: %s\n", f->error);
	else if (opt->content_type != NULL) {
		free(f->content_type);
		if ((f->content_type = strdup(opt->content_type)) == NULL) {
			fprintf(stderr, "newswatch: out of memory\n");
			rc = -1;
		}
	}
	return rc;
}

void
fetched_free(struct fetched *f)
{
	free(f->body);
	free(f->url);
	free(f->content_type);
}

/* One input's feed and entries, or NULL with the reason in err. */
static json_t *
parse_one(const struct options *opt, const char *input, char *err,
    size_t errlen)
{
	struct fetched f = { 0 };
	struct feed *feed = NULL;
	json_t *entries, *obj = NULL;
	char why[1024];

	if (load_input(opt, input, &f) == -1) {
		snprintf(err, errlen, "%s", f.error);
		goto out;
	}
	if (feed_parse(f.body, f.len, opt->url ? opt->url : f.url,
	    f.content_type, &feed, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", input, why);
		fprintf(stderr, "newswatch: %s\n", err);
		goto out;
	}
	entries = json_array();
	for (size_t i = 0; i < feed->nentries; i++)
		json_array_append_new(entries, feed_entry_to_json(&feed->entries[i]));
	obj = json_pack("{s:o, s:o}", "feed", feed_meta_to_json(feed),
	    "entries", entries);
	if (obj == NULL)
		snprintf(err, errlen, "out of memory");
out:
	feed_free(feed);
	fetched_free(&f);
	return obj;
}

/* One input: its JSON object, indented.  Several: one line each, with
 * "file" and either the parse or "error" (JSON Lines, for tools). */
int
cmd_parse(const struct options *opt)
{
	char err[1280];
	json_t *obj;
	int rc = 0;

	for (int i = 0; i < opt->ninputs; i++) {
		obj = parse_one(opt, opt->inputs[i], err, sizeof(err));
		if (opt->ninputs == 1) {
			rc = obj == NULL ? 1 : print_json(obj, 0);
			break;
		}
		if (obj == NULL) {
			obj = json_pack("{s:s, s:s}", "file", opt->inputs[i],
			    "error", err);
			rc = 1;
		} else
			json_object_set_new(obj, "file",
			    json_string(opt->inputs[i]));
		if (print_json(obj, 1) != 0)
			rc = 1;
	}
	return rc;
}

int
cmd_extract(const struct options *opt)
{
	struct fetched f = { 0 };
	struct article *a = NULL;
	char err[1024];
	int rc = 1;

	if (load_input(opt, opt->inputs[0], &f) == -1)
		goto out;
	if (article_parse(f.body, f.len, opt->url ? opt->url : f.url,
	    f.content_type, NULL, 0, opt->html ? ARTICLE_HTML : 0, &a, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "newswatch: %s: %s\n", opt->inputs[0], err);
		goto out;
	}
	rc = print_json(article_to_json(a), 0);
out:
	article_free(a);
	fetched_free(&f);
	return rc;
}
