/*
 * sha256.h - SHA-256 (FIPS 180-4), for content-derived entry ids.
 *
 * Promises: the standard digest, nothing more; no allocation, no global
 * state.  Not constant-time: ids, not secrets.
 */
#ifndef NW_SHA256_H
#define NW_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN (SHA256_DIGEST_LEN * 2)

struct sha256 {
	uint32_t h[8];
	uint64_t nbytes;        /* message length so far */
	unsigned char block[64];
	size_t used;            /* bytes waiting in block */
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);

/* Write the digest into out; ctx must be initialised again before reuse. */
void sha256_final(struct sha256 *ctx, unsigned char out[SHA256_DIGEST_LEN]);

/* The digest as lower-case hex into hex (SHA256_HEX_LEN + 1 bytes),
 * NUL-terminated. */
void sha256_final_hex(struct sha256 *ctx, char hex[SHA256_HEX_LEN + 1]);

#endif
