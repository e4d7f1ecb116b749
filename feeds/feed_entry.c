/*
 * feed_entry.c - the entry model every format shares (feed_int.h): result
 * strings, lists, warnings, the id an entry without one gets, the
 * http(s)-only rule for links, and the newest-kept cap past
 * FEED_MAX_ENTRIES.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "feed_int.h"
#include "sha256.h"
#include "text.h"
#include "url.h"

void
feed_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

char *
feed_str(const char *s, size_t len)
{
	size_t start = 0, end;

	if (s == NULL)
		return NULL;
	if (len > FEED_MAX_STRING) {
		len = FEED_MAX_STRING;
		/* Back up to the start of a character. */
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	while (start < len && text_is_space((unsigned char)s[start]))
		start++;
	end = len;
	while (end > start && text_is_space((unsigned char)s[end - 1]))
		end--;
	if (end == start)
		return NULL;
	return text_utf8_sanitize(s + start, end - start);
}

char *
feed_str_squashed(const char *s, size_t len)
{
	char *raw = feed_str(s, len), *out;

	if (raw == NULL)
		return NULL;
	out = text_squash_nonempty(raw);
	free(raw);
	return out;
}

void
feed_set(char **field, char *s)
{
	if (*field == NULL)
		*field = s;
	else
		free(s);
}

void
feed_set_time(int64_t *field, int64_t t)
{
	if (*field == NW_TIME_UNSET)
		*field = t;
}

void
feed_warn(struct feed *feed, const char *fmt, ...)
{
	static const char more[] = "(more warnings not shown)";
	char line[512];
	va_list ap;

	if (feed->nwarnings == FEED_MAX_WARNINGS) {
		if (strcmp(feed->warnings[feed->nwarnings - 1], more) != 0) {
			free(feed->warnings[feed->nwarnings - 1]);
			feed->warnings[feed->nwarnings - 1] = strdup(more);
		}
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	feed_push_str(&feed->warnings, &feed->nwarnings, strdup(line));
}

void
feed_push_str(char ***v, size_t *n, char *s)
{
	char **nv;

	if (s == NULL)
		return;
	if (*n == FEED_MAX_LIST ||
	    (nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL) {
		free(s);
		return;
	}
	nv[(*n)++] = s;
	*v = nv;
}

void
feed_push_enclosure(struct feed_entry *e, char *url, char *type,
    int64_t length)
{
	struct feed_enclosure *ne;

	if (url == NULL || e->nenclosures == FEED_MAX_LIST)
		goto drop;
	for (size_t i = 0; i < e->nenclosures; i++) {
		struct feed_enclosure *x = &e->enclosures[i];

		if (strcmp(x->url, url) == 0) {
			/* media:content often repeats the enclosure with more */
			if (x->type == NULL) {
				x->type = type;
				type = NULL;
			}
			if (x->length < 0)
				x->length = length;
			goto drop;
		}
	}
	ne = reallocarray(e->enclosures, e->nenclosures + 1, sizeof(*ne));
	if (ne == NULL)
		goto drop;
	e->enclosures = ne;
	ne[e->nenclosures].url = url;
	ne[e->nenclosures].type = type;
	ne[e->nenclosures].length = length;
	e->nenclosures++;
	return;
drop:
	free(url);
	free(type);
}

void
feed_entry_init(struct feed_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->published = NW_TIME_UNSET;
	e->updated = NW_TIME_UNSET;
}

void
feed_entry_clear(struct feed_entry *e)
{
	free(e->id);
	free(e->title);
	free(e->link);
	for (size_t i = 0; i < e->nauthors; i++)
		free(e->authors[i]);
	free(e->authors);
	for (size_t i = 0; i < e->ncategories; i++)
		free(e->categories[i]);
	free(e->categories);
	free(e->summary);
	free(e->content);
	for (size_t i = 0; i < e->nenclosures; i++) {
		free(e->enclosures[i].url);
		free(e->enclosures[i].type);
	}
	free(e->enclosures);
	feed_entry_init(e);
}

/*
 * "sha256:" and the digest of what identifies an entry that has neither
 * id nor link: its title and date, which survive edits of its text; the
 * text only when there is neither title nor date to tell entries apart.
 * NUL bytes separate the fields so that moving text from one field to the
 * next changes the id.
 */
static char *
content_id(const struct feed_entry *e)
{
	char hex[SHA256_HEX_LEN + 1], date[32], *id;
	const char *parts[4] = { e->title, NULL, NULL, NULL };
	int64_t when = e->published != NW_TIME_UNSET ? e->published :
	    e->updated;
	struct sha256 ctx;

	if (when != NW_TIME_UNSET)
		parts[1] = date_format_rfc3339(when, date, sizeof(date));
	if (e->title == NULL && parts[1] == NULL) {
		parts[2] = e->summary;
		parts[3] = e->content;
	}
	sha256_init(&ctx);
	for (int i = 0; i < 4; i++) {
		if (parts[i] != NULL)
			sha256_update(&ctx, parts[i], strlen(parts[i]));
		sha256_update(&ctx, "", 1);
	}
	sha256_final_hex(&ctx, hex);
	if (asprintf(&id, "sha256:%s", hex) == -1)
		return NULL;
	return id;
}

/*
 * Past FEED_MAX_ENTRIES a document keeps its newest entries: by date (the
 * later of published and updated), and among entries dated alike or not
 * at all, the first FEED_MAX_ENTRIES / 2 of the document and then the
 * last ones, because new entries come at the top of a feed or at its
 * bottom, and the old ones sit in the middle either way.  Made when the
 * first entry past the cap comes: a heap with the oldest kept on top.
 */
struct feed_cap {
	size_t *seq;    /* seq[i]: entries[i]'s place in the document */
	size_t *heap;   /* indices into entries */
};

static int64_t
entry_date(const struct feed_entry *e)
{
	return e->updated > e->published ? e->updated : e->published;
}

/* Whether entry a, the document's seq a'th, is older than b. */
static int
older(const struct feed_entry *a, size_t sa, const struct feed_entry *b,
    size_t sb)
{
	int64_t da = entry_date(a), db = entry_date(b);
	size_t ta = sa < FEED_MAX_ENTRIES / 2 ? SIZE_MAX : sa;
	size_t tb = sb < FEED_MAX_ENTRIES / 2 ? SIZE_MAX : sb;

	if (da != db)
		return da < db;
	if (ta != tb)
		return ta < tb;
	return sa > sb;         /* both near the top: the later is older */
}

static int
heap_older(const struct feed *feed, size_t x, size_t y)
{
	const struct feed_cap *c = feed->cap;

	return older(&feed->entries[c->heap[x]], c->seq[c->heap[x]],
	    &feed->entries[c->heap[y]], c->seq[c->heap[y]]);
}

static void
heap_down(struct feed *feed, size_t i)
{
	size_t n = feed->nentries, l, m, t;

	for (;;) {
		m = i;
		l = 2 * i + 1;
		if (l < n && heap_older(feed, l, m))
			m = l;
		if (l + 1 < n && heap_older(feed, l + 1, m))
			m = l + 1;
		if (m == i)
			return;
		t = feed->cap->heap[i];
		feed->cap->heap[i] = feed->cap->heap[m];
		feed->cap->heap[m] = t;
		i = m;
	}
}

static int
cap_start(struct feed *feed)
{
	struct feed_cap *c;
	size_t n = feed->nentries;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->seq = reallocarray(NULL, n, sizeof(*c->seq))) == NULL ||
	    (c->heap = reallocarray(NULL, n, sizeof(*c->heap))) == NULL) {
		if (c != NULL)
			free(c->seq);
		free(c);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		c->seq[i] = c->heap[i] = i;
	feed->cap = c;
	for (size_t i = n / 2; i-- > 0; )
		heap_down(feed, i);
	return 0;
}

static void
cap_free(struct feed *feed)
{
	if (feed->cap == NULL)
		return;
	free(feed->cap->seq);
	free(feed->cap->heap);
	free(feed->cap);
	feed->cap = NULL;
}

/* Take the entry the document gave seq'th in place of the oldest kept,
 * unless it is older still. */
static int
cap_offer(struct feed *feed, struct feed_entry *e, size_t seq)
{
	size_t top;

	if (feed->cap == NULL && cap_start(feed) == -1)
		return -1;
	top = feed->cap->heap[0];
	feed->ndropped++;
	if (older(e, seq, &feed->entries[top], feed->cap->seq[top])) {
		feed_entry_clear(e);
		return 0;
	}
	feed_entry_clear(&feed->entries[top]);
	feed->entries[top] = *e;
	feed->cap->seq[top] = seq;
	feed_entry_init(e);
	heap_down(feed, 0);
	return 0;
}

static int
by_seq(const void *a, const void *b, void *seq)
{
	size_t x = ((const size_t *)seq)[*(const size_t *)a];
	size_t y = ((const size_t *)seq)[*(const size_t *)b];

	return (x > y) - (x < y);
}

void
feed_finish(struct feed *feed)
{
	struct feed_entry *sorted;
	size_t n = feed->nentries, *order;

	if (feed->cap == NULL)
		return;
	feed_warn(feed, "%zu entries, more than %d: the %zu oldest left out",
	    n + feed->ndropped, FEED_MAX_ENTRIES, feed->ndropped);
	/* The heap is done with: it becomes the document order. */
	order = feed->cap->heap;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), by_seq, feed->cap->seq);
	if ((sorted = reallocarray(NULL, n, sizeof(*sorted))) != NULL) {
		for (size_t i = 0; i < n; i++)
			sorted[i] = feed->entries[order[i]];
		free(feed->entries);
		feed->entries = sorted;
	}
	cap_free(feed);
}

/*
 * A reader follows an entry's links, so they are http(s) URLs or nothing:
 * a javascript:, vbscript: or data: link (an xml:base of that kind
 * included, resolution came first) would run in whatever renders it.  The
 * entry keeps the id its link gave it.  A relative link is left as written
 * only where no base resolved it (`parse FILE`): it has no scheme to run.
 */
static int
link_is_safe(const char *url)
{
	return url_is_http(url) || url_is_relative_ref(url);
}

static void
drop_unsafe_links(struct feed *feed, struct feed_entry *e)
{
	size_t n = 0;

	if (e->link != NULL && !link_is_safe(e->link)) {
		feed_warn(feed, "entry %.80s: link dropped, not http(s)",
		    e->id);
		free(e->link);
		e->link = NULL;
	}
	for (size_t i = 0; i < e->nenclosures; i++) {
		struct feed_enclosure *x = &e->enclosures[i];

		if (link_is_safe(x->url)) {
			e->enclosures[n++] = *x;
			continue;
		}
		feed_warn(feed, "entry %.80s: enclosure dropped, not http(s)",
		    e->id);
		free(x->url);
		free(x->type);
	}
	e->nenclosures = n;
}

int
feed_add_entry(struct feed *feed, struct feed_entry *e)
{
	struct feed_entry *ne;

	if (e->id == NULL && e->link != NULL)
		e->id = strdup(e->link);
	if (e->id == NULL && (e->id = content_id(e)) == NULL)
		goto fail;
	drop_unsafe_links(feed, e);
	if (feed->nentries == FEED_MAX_ENTRIES)
		return cap_offer(feed, e, feed->nentries + feed->ndropped);
	/* Room doubles when the count reaches a power of two (the room it
	 * had): growing by one copied the array at every entry, quadratic
	 * in a large document.  Only this function grows the array, and
	 * feed_finish, which may shrink it, comes after the last call. */
	if ((feed->nentries & (feed->nentries - 1)) == 0) {
		ne = reallocarray(feed->entries, feed->nentries > 0 ?
		    2 * feed->nentries : 1, sizeof(*ne));
		if (ne == NULL)
			goto fail;
		feed->entries = ne;
	}
	feed->entries[feed->nentries++] = *e;
	feed_entry_init(e);
	return 0;
fail:
	feed_entry_clear(e);
	return -1;
}

struct feed *
feed_new(const char *format)
{
	struct feed *feed;

	if ((feed = calloc(1, sizeof(*feed))) == NULL)
		return NULL;
	if ((feed->format = strdup(format)) == NULL) {
		free(feed);
		return NULL;
	}
	feed->updated = NW_TIME_UNSET;
	feed->ttl = -1;
	return feed;
}

void
feed_free(struct feed *feed)
{
	if (feed == NULL)
		return;
	for (size_t i = 0; i < feed->nentries; i++)
		feed_entry_clear(&feed->entries[i]);
	free(feed->entries);
	cap_free(feed);
	free(feed->format);
	free(feed->title);
	free(feed->link);
	free(feed->id);
	free(feed->description);
	free(feed->language);
	for (size_t i = 0; i < feed->nauthors; i++)
		free(feed->authors[i]);
	free(feed->authors);
	for (size_t i = 0; i < feed->nwarnings; i++)
		free(feed->warnings[i]);
	free(feed->warnings);
	free(feed);
}
