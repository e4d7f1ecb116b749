/*
 * neardup.h - near-duplicate fingerprints of article text: the same story
 * under other boilerplate, or lightly edited, shares most of its
 * fingerprint; another story shares next to none of it.
 *
 * Promises: a MinHash (Broder) of NEARDUP_K slots over shingles of
 * NEARDUP_SHINGLE words, words being runs of letters and digits,
 * lower-cased (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic),
 * apostrophes inside a word dropped, every other mark a separator.  The
 * share of slots two fingerprints agree on estimates the Jaccard
 * similarity of their shingle sets.  A pure function of the text: the
 * same text gives the same fingerprint on every machine and run (the
 * state keeps them).  Text without spaces between words (Chinese,
 * Japanese) counts as few long words, so mostly as too short.  No
 * allocation, no I/O, thread-safe.
 */
#ifndef NW_NEARDUP_H
#define NW_NEARDUP_H

#include <stddef.h>
#include <stdint.h>

/* Words per shingle. */
#define NEARDUP_SHINGLE 3

/* A text of fewer words has no fingerprint: a teaser, a title, a page
 * the body extraction missed would match too much. */
#define NEARDUP_MIN_WORDS 50

/* Slots, and how many of them two fingerprints of one story agree on at
 * least (measured by tools/dup_eval.py on the article corpora; see the
 * README). */
#define NEARDUP_K 16
#define NEARDUP_MIN_AGREE 8

/* The slots are cut into bands of NEARDUP_ROWS: a lookup finds the
 * fingerprints that agree on a whole band with this one (a few index
 * probes), then counts their agreement. */
#define NEARDUP_ROWS 2
#define NEARDUP_BANDS (NEARDUP_K / NEARDUP_ROWS)

/* The fingerprint as text: 8 hex digits per slot. */
#define NEARDUP_HEX_LEN (NEARDUP_K * 8)

struct neardup {
	uint32_t min[NEARDUP_K];
};

/*
 * The fingerprint of len bytes of UTF-8 text (invalid bytes separate
 * words).  Returns 0 with *fp, or -1 when the text has fewer than
 * NEARDUP_MIN_WORDS words (*fp untouched).
 */
int neardup_fingerprint(const char *text, size_t len, struct neardup *fp);

/* The number of slots a and b agree on, 0 .. NEARDUP_K. */
int neardup_agree(const struct neardup *a, const struct neardup *b);

/* 1 when a and b are the same story by NEARDUP_MIN_AGREE, else 0. */
int neardup_same(const struct neardup *a, const struct neardup *b);

/* The key of band i (0 .. NEARDUP_BANDS - 1) of fp: equal for two
 * fingerprints that agree on all of the band's slots, and (but for a
 * 2^-64 chance) for no others; the band's number is in it. */
int64_t neardup_band(const struct neardup *fp, int i);

/* fp as NEARDUP_HEX_LEN lower-case hex digits and a NUL, and back:
 * neardup_from_hex returns 0, or -1 when hex is not such a text. */
void neardup_hex(const struct neardup *fp, char hex[NEARDUP_HEX_LEN + 1]);
int neardup_from_hex(const char *hex, struct neardup *fp);

#endif
