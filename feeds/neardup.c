/* neardup.c - see neardup.h: MinHash over word shingles. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neardup.h"

/* splitmix64's finaliser: the bits of a shingle's hash must be
 * independent for MinHash's slots, which FNV alone does not give. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The code point at *p (advancing it), or -1 for a byte that starts no
 * valid sequence (one byte consumed). */
static long
next_cp(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	long cp;
	int n;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 1, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 2, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 3, cp = s[0] & 0x07;
	else {
		*p = s + 1;
		return -1;
	}
	if (end - s <= n) {
		*p = s + 1;
		return -1;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + 1;
			return -1;
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*p = s + n + 1;
	return cp;
}

/* Lower case for the scripts news is mostly written in; others as they
 * are (a fingerprint needs consistency, not linguistics). */
static long
lower(long c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7) ||
	    (c >= 0x391 && c <= 0x3ab) || (c >= 0x410 && c <= 0x42f))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x138 &&
	    c != 0x149 && c != 0x17f) {
		/* Latin Extended-A pairs upper and lower, but the run from
		 * U+0139 to U+0148 and from U+0179 is shifted by one. */
		int odd_upper = (c >= 0x139 && c <= 0x148) || c >= 0x179;

		if ((c & 1) == odd_upper)
			return c + 1;
	}
	return c;
}

/* Apostrophes join: "don't" and "don’t" are one word, "dont". */
static int
is_apostrophe(long c)
{
	return c == '\'' || c == 0x2019;
}

/* Letters and digits, roughly: ASCII ones, and every code point past
 * Latin-1's symbols but the punctuation, symbol and replacement blocks
 * that news text carries (dashes, quotes, bullets, arrows, CJK marks). */
static int
is_word(long c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z');
	if (c < 0xc0 || c == 0xd7 || c == 0xf7)
		return 0;
	if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff0f) ||
	    (c >= 0xfff0 && c <= 0xffff) || c >= 0x1f000)
		return 0;
	return 1;
}

/* What the fingerprint has read so far. */
struct shingler {
	uint64_t ring[NEARDUP_SHINGLE];  /* the last words' hashes */
	size_t words;
	struct neardup *fp;              /* the minima so far */
};

/* A word ends, and with it a shingle when there are enough words. */
static void
end_word(struct shingler *s, uint64_t word)
{
	uint64_t h = 0;

	s->ring[s->words % NEARDUP_SHINGLE] = word;
	if (++s->words < NEARDUP_SHINGLE)
		return;
	/* Chained, so in the shingle's order: "a b c" is not "c b a". */
	for (size_t i = s->words - NEARDUP_SHINGLE; i < s->words; i++)
		h = mix(h ^ s->ring[i % NEARDUP_SHINGLE]);
	/* One hash function per slot: the shingle's hash remixed with the
	 * slot's seed, a fixed odd constant times its number. */
	for (int k = 0; k < NEARDUP_K; k++) {
		uint32_t v = (uint32_t)mix(h + (uint64_t)(k + 1) *
		    0x9e3779b97f4a7c15ULL);

		if (v < s->fp->min[k])
			s->fp->min[k] = v;
	}
}

int
neardup_fingerprint(const char *text, size_t len, struct neardup *fp)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	struct neardup got;
	struct shingler s = { .fp = &got };
	uint64_t word = 0;
	int in_word = 0;

	memset(got.min, 0xff, sizeof(got.min));
	while (p < end) {
		long c = next_cp(&p, end);

		if (c >= 0 && is_word(c)) {
			if (!in_word)
				word = 0xcbf29ce484222325ULL;  /* FNV-1a */
			word = (word ^ (uint64_t)lower(c)) * 0x100000001b3ULL;
			in_word = 1;
		} else if (in_word && !(c >= 0 && is_apostrophe(c))) {
			end_word(&s, word);
			in_word = 0;
		}
	}
	if (in_word)
		end_word(&s, word);
	if (s.words < NEARDUP_MIN_WORDS)
		return -1;
	*fp = got;
	return 0;
}

int
neardup_agree(const struct neardup *a, const struct neardup *b)
{
	int n = 0;

	for (int k = 0; k < NEARDUP_K; k++)
		n += a->min[k] == b->min[k];
	return n;
}

int
neardup_same(const struct neardup *a, const struct neardup *b)
{
	return neardup_agree(a, b) >= NEARDUP_MIN_AGREE;
}

int64_t
neardup_band(const struct neardup *fp, int i)
{
	uint64_t h = (uint64_t)(i + 1);

	for (int k = i * NEARDUP_ROWS; k < (i + 1) * NEARDUP_ROWS; k++)
		h = mix(h ^ (h << 32) ^ fp->min[k]);
	/* Signed, as both SQL dialects keep 64-bit integers. */
	return (int64_t)h;
}

void
neardup_hex(const struct neardup *fp, char hex[NEARDUP_HEX_LEN + 1])
{
	for (int k = 0; k < NEARDUP_K; k++)
		snprintf(hex + 8 * k, 9, "%08" PRIx32, fp->min[k]);
}

int
neardup_from_hex(const char *hex, struct neardup *fp)
{
	if (hex == NULL || strlen(hex) != NEARDUP_HEX_LEN ||
	    strspn(hex, "0123456789abcdef") != NEARDUP_HEX_LEN)
		return -1;
	for (int k = 0; k < NEARDUP_K; k++) {
		char word[9];

		memcpy(word, hex + 8 * k, 8);
		word[8] = '\0';
		fp->min[k] = (uint32_t)strtoul(word, NULL, 16);
	}
	return 0;
}
