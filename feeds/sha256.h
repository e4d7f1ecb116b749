/*
 * sha256.h - SHA-256 (FIPS 180-4), for content-derived entry ids.
 *
 * Promises: the standard digest, computed by libcrypto (already in the
 * process through libcurl and libpq), nothing more; no global state but
 * the algorithm, fetched from libcrypto once and kept.
 * sha256_init takes an OpenSSL context that sha256_final (or _final_hex)
 * gives back, so every init is followed by one final.  Out of memory
 * there aborts: a digest cannot be made up.  Not constant-time: ids, not
 * secrets.
 */
#ifndef NW_SHA256_H
#define NW_SHA256_H

#include <stddef.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN (SHA256_DIGEST_LEN * 2)

struct evp_md_ctx_st;

struct sha256 {
	struct evp_md_ctx_st *md;       /* OpenSSL's EVP_MD_CTX */
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);

/* Write the digest into out; ctx must be initialised again before reuse. */
void sha256_final(struct sha256 *ctx, unsigned char out[SHA256_DIGEST_LEN]);

/* The digest as lower-case hex into hex (SHA256_HEX_LEN + 1 bytes),
 * NUL-terminated. */
void sha256_final_hex(struct sha256 *ctx, char hex[SHA256_HEX_LEN + 1]);

#endif
