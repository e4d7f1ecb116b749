/* revision.c - see revision.h */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "../feeds/strbuf.h"
#include "../feeds/text.h"
#include "../store/spool.h"
#include "revision.h"

/* Unchanged words shown either side of a change. */
#define CONTEXT_WORDS 5

/* Above this many cells the changed middle of two texts is shown as one
 * replacement rather than aligned word by word: the alignment is
 * quadratic, and texts this different are rewritten anyway. */
#define LCS_MAX_CELLS (1u << 20)

/* A paragraph of the body text shorter than this, without a sentence's end,
 * is a heading or a link (a "most read" box, a "related" list), not
 * prose: rotating boxes the extraction lets through change only such
 * lines (bench/revisions_measure.py). */
#define PROSE_MIN_WORDS 8

/* A decoded version larger than this is not one revision_encode made. */
#define VERSION_MAX_BYTES (16u << 20)

#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * FNV_PRIME;
	return h;
}

/* s with each whitespace run as one space, trimmed, into h: fnv's step
 * inline, byte by byte, since every entry of every 200 goes through it. */
static uint64_t
fnv_squashed(uint64_t h, const char *s)
{
	int space = 0, any = 0;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || (c >= '\t' && c <= '\r')) {
			space = any;
			continue;
		}
		if (space)
			h = (h ^ ' ') * FNV_PRIME;
		h = (h ^ c) * FNV_PRIME;
		space = 0;
		any = 1;
	}
	/* A field's end, so that text cannot move from one to the next. */
	return h * FNV_PRIME;
}

int64_t
revision_fingerprint(const struct feed_entry *e)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = fnv_squashed(h, e->title);
	h = fnv_squashed(h, e->summary);
	h = fnv_squashed(h, e->content);
	h = fnv(h, &e->updated, sizeof(e->updated));
	/* 0 is the state's "none kept". */
	return h == 0 ? 1 : (int64_t)h;
}

void
revision_texts_of(const struct feed_entry *e, const struct article *a,
    struct revision_texts *out)
{
	out->title = a ? a->title : e->title;
	out->description = a ? a->description : e->summary;
	out->text = a ? a->text : e->content;
}

int
revision_texts_plain(const struct revision_texts *in,
    struct revision_texts *out, char **owned)
{
	char *desc = NULL, *text = NULL;
	size_t dl, tl;

	*owned = NULL;
	if ((in->description && (desc = text_from_html(in->description)) ==
	    NULL) || (in->text && (text = text_from_html(in->text)) == NULL)) {
		free(desc);
		return -1;
	}
	/* One allocation for the caller to free. */
	dl = desc ? strlen(desc) + 1 : 0;
	tl = text ? strlen(text) + 1 : 0;
	if ((*owned = malloc(dl + tl + 1)) != NULL) {
		if (desc)
			memcpy(*owned, desc, dl);
		if (text)
			memcpy(*owned + dl, text, tl);
		out->title = in->title;
		out->description = desc ? *owned : NULL;
		out->text = text ? *owned + dl : NULL;
	}
	free(desc);
	free(text);
	return *owned ? 0 : -1;
}

/*
 * Compression contexts, kept for the next version: making one for each
 * cost a quarter of the compression of a 5 KB text, a third of a 1.6 KB
 * one.  A pool, not one per thread, so that every context is freed at
 * exit, the loop's thread's too.
 */
#define CCTX_POOL 8

static pthread_mutex_t cctx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cctx_once = PTHREAD_ONCE_INIT;
static ZSTD_CCtx *cctx_pool[CCTX_POOL];
static size_t cctx_kept;

static void
cctx_free_all(void)
{
	pthread_mutex_lock(&cctx_lock);
	while (cctx_kept > 0)
		ZSTD_freeCCtx(cctx_pool[--cctx_kept]);
	pthread_mutex_unlock(&cctx_lock);
}

static void
cctx_at_exit(void)
{
	atexit(cctx_free_all);
}

/* A context to compress with (NULL when out of memory). */
static ZSTD_CCtx *
cctx_take(void)
{
	ZSTD_CCtx *c = NULL;

	pthread_once(&cctx_once, cctx_at_exit);
	pthread_mutex_lock(&cctx_lock);
	if (cctx_kept > 0)
		c = cctx_pool[--cctx_kept];
	pthread_mutex_unlock(&cctx_lock);
	return c ? c : ZSTD_createCCtx();
}

static void
cctx_give(ZSTD_CCtx *c)
{
	pthread_mutex_lock(&cctx_lock);
	if (cctx_kept < CCTX_POOL) {
		cctx_pool[cctx_kept++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&cctx_lock);
	ZSTD_freeCCtx(c);
}

/* Compress len bytes of raw into *z (malloc'd), *zlen bytes after a head
 * of 8 left for the caller: zstd at its fastest level, which on article
 * texts both packs tighter than zlib's fastest and runs several times
 * faster (every item of a first poll pays for it). */
static int
compress_version(const unsigned char *raw, size_t len, unsigned char **z,
    size_t *zlen)
{
	size_t bound = ZSTD_compressBound(len);
	ZSTD_CCtx *cctx;

	if ((*z = malloc(8 + bound)) == NULL)
		return -1;
	if ((cctx = cctx_take()) != NULL) {
		*zlen = ZSTD_compressCCtx(cctx, *z + 8, bound, raw, len, 1);
		cctx_give(cctx);
	} else
		*zlen = ZSTD_compress(*z + 8, bound, raw, len, 1);
	if (ZSTD_isError(*zlen)) {
		free(*z);
		*z = NULL;
		return -1;
	}
	return 0;
}

/* Decompress the zlen bytes at z into out, exactly want bytes long: a zstd
 * frame, or a zlib stream as versions were kept before zstd (rows still in
 * their window when the state was upgraded). */
static int
decompress_version(const unsigned char *z, size_t zlen, char *out,
    size_t want)
{
	uLongf len = want;

	if (ZSTD_getFrameContentSize(z, zlen) != ZSTD_CONTENTSIZE_ERROR) {
		size_t n = ZSTD_decompress(out, want, z, zlen);

		return !ZSTD_isError(n) && n == want ? 0 : -1;
	}
	return uncompress((unsigned char *)out, &len, z, zlen) == Z_OK &&
	    len == want ? 0 : -1;
}

/*
 * The encoding: the nf texts (NULL as empty), each ended by a NUL,
 * compressed (compress_version), after their length as 8 hex digits, all
 * in base64 (the state keeps text in both backends alike).
 */
static char *
encode_fields(const char *const *f, size_t nf)
{
	size_t len = 0, at = 0, zlen;
	unsigned char *raw = NULL, *z = NULL;
	char *out = NULL, head[9];

	for (size_t i = 0; i < nf; i++)
		len += (f[i] ? strlen(f[i]) : 0) + 1;
	if (len > VERSION_MAX_BYTES || (raw = malloc(len)) == NULL)
		return NULL;
	for (size_t i = 0; i < nf; i++) {
		size_t n = f[i] ? strlen(f[i]) : 0;

		memcpy(raw + at, f[i] ? f[i] : "", n + 1);
		at += n + 1;
	}
	if (compress_version(raw, len, &z, &zlen) == -1)
		goto done;
	snprintf(head, sizeof(head), "%08zx", len);
	memcpy(z, head, 8);
	zlen += 8;
	if ((out = malloc(4 * ((zlen + 2) / 3) + 1)) != NULL)
		EVP_EncodeBlock((unsigned char *)out, z, (int)zlen);
done:
	free(raw);
	free(z);
	return out;
}

char *
revision_encode(const struct revision_texts *t)
{
	const char *f[] = { t->title, t->description, t->text };

	return encode_fields(f, 3);
}

char *
revision_pack(const char *text)
{
	return encode_fields(&text, 1);
}

/* The nf texts encode_fields encoded in s, into f[], pointing into
 * *owned (caller frees).  Returns 0, or -1 when s is not such a text. */
static int
decode_fields(const char *s, const char **f, size_t nf, char **owned)
{
	size_t slen = strlen(s), zlen, at = 0;
	unsigned char *z;
	unsigned long want;
	size_t len;
	char hex[9], *end;
	int n;

	*owned = NULL;
	if (slen % 4 != 0 || slen / 4 * 3 > VERSION_MAX_BYTES ||
	    (z = malloc(slen / 4 * 3 + 1)) == NULL)
		return -1;
	if ((n = EVP_DecodeBlock(z, (const unsigned char *)s, (int)slen)) < 8)
		goto fail;
	/* EVP_DecodeBlock counts the padding as bytes. */
	zlen = (size_t)n - (slen >= 1 && s[slen - 1] == '=') -
	    (slen >= 2 && s[slen - 2] == '=');
	memcpy(hex, z, 8);
	hex[8] = '\0';
	want = strtoul(hex, &end, 16);
	if (*end != '\0' || want == 0 || want > VERSION_MAX_BYTES ||
	    (*owned = malloc(want)) == NULL)
		goto fail;
	len = want;
	if (decompress_version(z + 8, zlen - 8, *owned, want) == -1 ||
	    (*owned)[len - 1] != '\0')
		goto fail;
	for (size_t i = 0; i < nf; i++) {
		if (at >= len)
			goto fail;
		f[i] = *owned + at;
		at += strlen(f[i]) + 1;
	}
	free(z);
	return 0;
fail:
	free(z);
	free(*owned);
	*owned = NULL;
	return -1;
}

int
revision_decode(const char *s, struct revision_texts *out, char **owned)
{
	const char *f[3];

	if (decode_fields(s, f, 3, owned) == -1)
		return -1;
	out->title = f[0];
	out->description = f[1];
	out->text = f[2];
	return 0;
}

char *
revision_unpack(const char *s)
{
	const char *text;
	char *owned;

	/* The one text starts its buffer. */
	return decode_fields(s, &text, 1, &owned) == -1 ? NULL : owned;
}

/* A text as words, normalised, pointing into buf (owned). */
struct words {
	char *buf;
	const char **w;
	size_t n;
};

static int
is_unit(const char *w)
{
	static const char *const units[] = {
		"second", "seconds", "sec", "secs", "minute", "minutes", "min",
		"mins", "hour", "hours", "hr", "hrs", "day", "days",
		"secondo", "secondi", "minuto", "minuti", "ora", "ore",
		"giorno", "giorni",
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(w, units[i]) == 0)
			return 1;
	return 0;
}

/* "ago" or Italian "fa", with what punctuation may follow. */
static int
is_ago(const char *w)
{
	size_t n = strlen(w);

	while (n > 0 && strchr(".,;:)", w[n - 1]))
		n--;
	return (n == 3 && strncasecmp(w, "ago", 3) == 0) ||
	    (n == 2 && strncasecmp(w, "fa", 2) == 0);
}

static int
is_count(const char *w)
{
	if (strcasecmp(w, "a") == 0 || strcasecmp(w, "an") == 0)
		return 1;
	for (; *w; w++)
		if (!isdigit((unsigned char)*w))
			return 0;
	return 1;
}

/* Parameters that say who sent the reader, not what the page is. */
static int
is_tracking(const char *p, size_t n)
{
	static const char *const names[] = {
		"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid",
		"igshid", "yclid", "_ga", "ocid", "cmpid", "ref",
	};

	if (n >= 4 && strncmp(p, "utm_", 4) == 0)
		return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(p, names[i], n) == 0)
			return 1;
	return 0;
}

/* Drop the tracking parameters of a URL word, in place. */
static void
strip_tracking(char *w)
{
	char *q = strchr(w, '?'), *out, *p;

	if (q == NULL || (strncmp(w, "http://", 7) != 0 &&
	    strncmp(w, "https://", 8) != 0))
		return;
	out = q;
	for (p = q + 1; *p && *p != '#';) {
		size_t len = strcspn(p, "&#"), name = strcspn(p, "=&#");

		if (!is_tracking(p, name < len ? name : len)) {
			char sep = out == q ? '?' : '&';

			*out++ = sep;
			memmove(out, p, len);
			out += len;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	memmove(out, p, strlen(p) + 1);
}

/* Whether [s, e) ends as a sentence does. */
static int
sentence_end(const char *s, const char *e)
{
	static const char *const ends[] = { ".", "!", "?", ";", ":", "\"",
	    "'", ")", "\xe2\x80\x9d", "\xe2\x80\x99", "\xc2\xbb",
	    "\xe2\x80\xa6" };

	while (e > s && text_is_space((unsigned char)e[-1]))
		e--;
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t n = strlen(ends[i]);

		if ((size_t)(e - s) >= n && memcmp(e - n, ends[i], n) == 0)
			return 1;
	}
	return 0;
}

/* The end of the block (paragraph) starting at s: a blank line or the
 * end of the text. */
static char *
block_end(char *s)
{
	for (char *p = s; (p = strchr(p, '\n')) != NULL; p++) {
		char *q = p + 1;

		while (*q == ' ' || *q == '\t' || *q == '\r')
			q++;
		if (*q == '\n' || *q == '\0')
			return p;
	}
	return s + strlen(s);
}

/* Blank the paragraphs of buf that are not prose (PROSE_MIN_WORDS). */
static void
keep_prose(char *buf)
{
	for (char *s = buf, *e; *s; s = *e ? e + 1 : e) {
		size_t n = 0;

		e = block_end(s);
		for (char *p = s; p < e; p++)
			n += !text_is_space((unsigned char)*p) &&
			    (p == s || text_is_space((unsigned char)p[-1]));
		if (n < PROSE_MIN_WORDS && !sentence_end(s, e))
			memset(s, ' ', (size_t)(e - s));
	}
}

static void
words_free(struct words *w)
{
	free(w->buf);
	free(w->w);
}

/* s as words; with prose, only its lines of prose (keep_prose). */
static int
words_split(const char *s, int prose, struct words *out)
{
	size_t cap = 0, n = 0;
	char *p, *save;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return 0;
	if ((out->buf = strdup(s)) == NULL)
		return -1;
	if (prose)
		keep_prose(out->buf);
	for (p = out->buf; *p; p++)
		cap += !text_is_space((unsigned char)*p) &&
		    (p == out->buf || text_is_space((unsigned char)p[-1]));
	if ((out->w = malloc((cap + 1) * sizeof(*out->w))) == NULL) {
		words_free(out);
		return -1;
	}
	/* On a worker thread: strtok_r. */
	for (p = strtok_r(out->buf, " \t\r\n\f\v", &save); p;
	    p = strtok_r(NULL, " \t\r\n\f\v", &save)) {
		strip_tracking(p);
		out->w[n++] = p;
	}
	/* "5 minutes ago" changes by itself: not a change of the story. */
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 2 < n && is_count(out->w[i]) && is_unit(out->w[i + 1]) &&
		    is_ago(out->w[i + 2])) {
			i += 2;
			continue;
		}
		out->w[out->n++] = out->w[i];
	}
	return 0;
}

/* Append words a[from..to) with spaces before each. */
static void
add_words(struct strbuf *b, const char *const *w, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (b->len > 0)
			strbuf_add(b, " ", 1);
		strbuf_add(b, w[i], strlen(w[i]));
	}
}

/* One op of the word diff: 0 same, 1 deleted, 2 inserted. */
struct op {
	int kind;
	size_t at;   /* index into the old (same, deleted) or new words */
};

/* The shortest script from a[0..n) to b[0..m) by their longest common
 * subsequence, into ops (n + m long); returns how many. */
static size_t
lcs_script(const char *const *a, size_t n, const char *const *b, size_t m,
    struct op *ops, int *ok)
{
	unsigned short *L;
	size_t k = 0, i = 0, j = 0;

	*ok = 1;
	if ((n + 1) * (m + 1) > LCS_MAX_CELLS ||
	    (L = calloc((n + 1) * (m + 1), sizeof(*L))) == NULL) {
		/* Too far apart to align: all of a out, all of b in. */
		*ok = (n + 1) * (m + 1) > LCS_MAX_CELLS;
		for (i = 0; i < n; i++)
			ops[k++] = (struct op){ 1, i };
		for (j = 0; j < m; j++)
			ops[k++] = (struct op){ 2, j };
		return k;
	}
#define AT(x, y) L[(x) * (m + 1) + (y)]
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			AT(i, j) = strcmp(a[i], b[j]) == 0 ?
			    (unsigned short)(AT(i + 1, j + 1) + 1) :
			    AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j) :
			    AT(i, j + 1);
	for (i = 0, j = 0; i < n || j < m;) {
		if (i < n && j < m && strcmp(a[i], b[j]) == 0) {
			ops[k++] = (struct op){ 0, i };
			i++, j++;
		} else if (i < n && (j == m || AT(i + 1, j) >= AT(i, j + 1)))
			ops[k++] = (struct op){ 1, i++ };  /* deletions first */
		else
			ops[k++] = (struct op){ 2, j++ };
	}
#undef AT
	free(L);
	return k;
}

/* Render ops as text: runs of deleted and inserted words marked, the
 * unchanged ones cut to CONTEXT_WORDS either side of a change. */
static char *
render(const struct words *a, const struct words *b, const struct op *ops,
    size_t nops)
{
	struct strbuf out = { 0 };
	size_t k = 0;

	while (k < nops) {
		size_t end = k;

		while (end < nops && ops[end].kind == ops[k].kind)
			end++;
		if (ops[k].kind == 0) {
			size_t run = end - k, first = ops[k].at;
			int lead = k == 0, tail = end == nops;
			size_t head = lead ? 0 : CONTEXT_WORDS;
			size_t back = tail ? 0 : CONTEXT_WORDS;

			if (head + back >= run) {
				add_words(&out, a->w, first, first + run);
			} else {
				add_words(&out, a->w, first, first + head);
				if (out.len > 0)
					strbuf_add(&out, " ", 1);
				strbuf_add(&out, "…", strlen("…"));
				add_words(&out, a->w, first + run - back,
				    first + run);
			}
		} else {
			const struct words *w = ops[k].kind == 1 ? a : b;

			if (out.len > 0)
				strbuf_add(&out, " ", 1);
			strbuf_add(&out, ops[k].kind == 1 ? "[-" : "{+", 2);
			for (size_t i = k; i < end; i++) {
				if (i > k)
					strbuf_add(&out, " ", 1);
				strbuf_add(&out, w->w[ops[i].at],
				    strlen(w->w[ops[i].at]));
			}
			strbuf_add(&out, ops[k].kind == 1 ? "-]" : "+}", 2);
		}
		k = end;
	}
	return strbuf_finish(&out);
}

/* The diff of old and cur (with prose, their prose: words_split) as text (NULL when they are the same words or
 * when out of memory: *oom says which); *changed counts the words. */
static char *
diff_field(const char *old, const char *cur, int prose, size_t *changed,
    int *oom)
{
	struct words a, b;
	struct op *ops = NULL;
	size_t pre = 0, suf = 0, nops = 0;
	char *text = NULL;
	int ok = 1;

	*changed = 0;
	if (words_split(old, prose, &a) == -1) {
		*oom = 1;
		return NULL;
	}
	if (words_split(cur, prose, &b) == -1) {
		words_free(&a);
		*oom = 1;
		return NULL;
	}
	while (pre < a.n && pre < b.n && strcmp(a.w[pre], b.w[pre]) == 0)
		pre++;
	/* The common end is cut only when the alignment would be too
	 * large: cut greedily it shows an added paragraph's last word as
	 * the old text's ("{+meeting. More+} meeting."). */
	while ((a.n - pre - suf + 1) * (b.n - pre - suf + 1) > LCS_MAX_CELLS &&
	    suf < a.n - pre && suf < b.n - pre &&
	    strcmp(a.w[a.n - 1 - suf], b.w[b.n - 1 - suf]) == 0)
		suf++;
	if (pre == a.n && a.n == b.n)
		goto done;
	if ((ops = malloc((a.n + b.n) * sizeof(*ops))) == NULL) {
		*oom = 1;
		goto done;
	}
	for (size_t i = 0; i < pre; i++)
		ops[nops++] = (struct op){ 0, i };
	{
		size_t first = nops;

		nops += lcs_script(a.w + pre, a.n - pre - suf, b.w + pre,
		    b.n - pre - suf, ops + nops, &ok);
		for (size_t i = first; i < nops; i++) {
			ops[i].at += pre;
			*changed += ops[i].kind != 0;
		}
	}
	for (size_t i = a.n - suf; i < a.n; i++)
		ops[nops++] = (struct op){ 0, i };
	if (!ok || (text = render(&a, &b, ops, nops)) == NULL)
		*oom = 1;
done:
	free(ops);
	words_free(&a);
	words_free(&b);
	return text;
}

json_t *
revision_compare(const struct revision_texts *old,
    const struct revision_texts *cur, size_t *words)
{
	static const char *const names[] = { "title", "description", "text" };
	const char *o[] = { old->title, old->description, old->text };
	const char *c[] = { cur->title, cur->description, cur->text };
	json_t *changed = json_array(), *diff = json_object(), *obj = NULL;
	size_t total = 0;
	int oom = 0;

	for (size_t i = 0; i < 3 && changed && diff && !oom; i++) {
		size_t n;
		/* The body text alone is cut to its prose. */
		char *d = diff_field(o[i], c[i], i == 2, &n, &oom);

		if (d == NULL)
			continue;
		total += n;
		json_array_append_new(changed, json_string(names[i]));
		json_object_set_new(diff, names[i], json_string(d));
		free(d);
	}
	if (words)
		*words = total;
	if (!oom && changed && diff && json_array_size(changed) > 0)
		obj = json_pack("{s:O, s:O}", "changed", changed, "diff", diff);
	json_decref(changed);
	json_decref(diff);
	return obj;
}

char *
revision_item_name(char *buf, size_t len, int64_t us, const char *feed,
    const char *id, int number)
{
	char *dot;
	int n;

	if (spool_item_name(buf, len, us, feed, id) == NULL)
		return NULL;
	if (number <= 1)
		return buf;
	dot = buf + strlen(buf) - strlen(".json");
	n = snprintf(dot, len - (size_t)(dot - buf), ".r%d.json", number);
	if (n < 0 || (size_t)n >= len - (size_t)(dot - buf))
		return NULL;
	return buf;
}

int
revision_name_number(const char *name)
{
	size_t len = strlen(name);
	const char *end, *digits;
	long number;

	if (len < strlen("x.r2.json") ||
	    strcmp(name + len - strlen(".json"), ".json") != 0)
		return 1;
	end = name + len - strlen(".json");
	digits = end;
	while (digits > name && digits[-1] >= '0' && digits[-1] <= '9')
		digits--;
	if (digits == end || end - digits > 9 || digits - name < 3 ||
	    digits[-1] != 'r' || digits[-2] != '.' || digits[0] == '0')
		return 1;
	number = strtol(digits, NULL, 10);
	return number >= 2 ? (int)number : 1;
}

int64_t
revision_next_check(const struct revision_checks *checks,
    int64_t discovered_us, int64_t after_us)
{
	for (int i = 0; i < checks->n; i++) {
		int64_t at = discovered_us + (int64_t)(checks->after[i] * 1e6);

		if (at > after_us)
			return at;
	}
	return 0;
}

void
revision_budget_init(struct revision_budget *b, long per_minute,
    int64_t now_us)
{
	b->per_minute = (double)per_minute;
	b->tokens = b->per_minute;
	b->at_us = now_us;
}

size_t
revision_budget_left(struct revision_budget *b, int64_t now_us)
{
	/* A clock stepped back gives nothing, and takes nothing away. */
	if (now_us > b->at_us) {
		b->tokens += b->per_minute * (double)(now_us - b->at_us) / 60e6;
		if (b->tokens > b->per_minute)
			b->tokens = b->per_minute;
	}
	b->at_us = now_us;
	return b->tokens < 1 ? 0 : (size_t)b->tokens;
}

void
revision_budget_spend(struct revision_budget *b, size_t n)
{
	b->tokens -= (double)n;
}
