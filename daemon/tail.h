/*
 * tail.h - `newswatch tail`: the newest items of the spool as a person
 * reads them, and with follow each new one as it lands.
 *
 * Promises: items are taken from new/ and cur/ (where Maildir consumers
 * move what they have taken), newest last, ordered by name (names start
 * with the discovery time).  A file that is not a complete item is
 * skipped with a warning on stderr, never fatal.  Follow watches new/ with
 * inotify and prints each item renamed into it, once; it returns only on
 * an error (the user stops it with a signal).
 */
#ifndef NW_TAIL_H
#define NW_TAIL_H

#include <stdio.h>

#define TAIL_JSON   1   /* each item as one line of JSON (JSON Lines) */
#define TAIL_FOLLOW 2   /* then wait for new items */

/* Print the newest n items of the spool at dir to out.  Returns 0, or -1
 * with the reason in err. */
int tail_spool(const char *dir, long n, int flags, FILE *out, char *err,
    size_t errlen);

#endif
