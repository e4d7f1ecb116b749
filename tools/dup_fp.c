/*
 * dup_fp.c - the near-duplicate fingerprint of texts, for tools/dup_eval.py:
 * reads texts separated by NUL bytes on stdin and writes one line per
 * text, its fingerprint in hex (neardup_hex) followed by its band keys in
 * hex, or "-" when it is too short for one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../feeds/neardup.h"

int
main(void)
{
	char *text = NULL, hex[NEARDUP_HEX_LEN + 1];
	size_t cap = 0;
	ssize_t len;
	struct neardup fp;

	while ((len = getdelim(&text, &cap, '\0', stdin)) > 0) {
		size_t n = (size_t)len - (text[len - 1] == '\0');

		if (neardup_fingerprint(text, n, &fp) == -1) {
			puts("-");
			continue;
		}
		neardup_hex(&fp, hex);
		fputs(hex, stdout);
		for (int i = 0; i < NEARDUP_BANDS; i++)
			printf(" %016" PRIx64, (uint64_t)neardup_band(&fp, i));
		putchar('\n');
	}
	free(text);
	return ferror(stdin) || fflush(stdout) != 0;
}
