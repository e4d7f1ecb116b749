/*
 * replay.c - run a harness on saved inputs without libFuzzer: every file
 * named, and every file in every directory named.  Linked with each
 * harness by any compiler, so the crash inputs fuzzing found stay tested
 * in the plain and the sanitizer builds.  Prints one line per input and
 * "N passed, 0 failed" at the end; a regression crashes or trips a
 * sanitizer before that.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int
replay_file(const char *path)
{
	FILE *fp;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				exit(1);
			}
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	fclose(fp);
	printf("replay %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int count = 0;

	for (int i = 1; i < argc; i++) {
		struct dirent **names;
		char path[4096];
		int n;

		if ((n = scandir(argv[i], &names, NULL, alphasort)) == -1) {
			if (errno != ENOTDIR || replay_file(argv[i]) == -1)
				return 1;
			count++;
			continue;
		}
		for (int j = 0; j < n; j++) {
			struct stat sb;

			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    names[j]->d_name);
			if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
				if (replay_file(path) == -1)
					return 1;
				count++;
			}
			free(names[j]);
		}
		free(names);
	}
	printf("%d passed, 0 failed\n", count);
	return 0;
}
