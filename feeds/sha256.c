/* sha256.c - see sha256.h: libcrypto's EVP digest behind our names. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "sha256.h"

/* Only allocation can fail here (SHA-256 is always there in OpenSSL 3's
 * default provider), and an id must not be made from a wrong digest. */
static void
fail(const char *what)
{
	fprintf(stderr, "sha256: %s failed\n", what);
	abort();
}

static EVP_MD *sha256_md;

static void
fetch_once(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* The algorithm is fetched once: fetched on each init, with the engine
 * look-up EVP_sha256() brings, it was 8,000 instructions an entry id. */
void
sha256_init(struct sha256 *ctx)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (pthread_once(&once, fetch_once) != 0 || sha256_md == NULL)
		fail("EVP_MD_fetch");
	if ((ctx->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(ctx->md, sha256_md, NULL) != 1)
		fail("EVP_DigestInit_ex2");
}

void
sha256_update(struct sha256 *ctx, const void *data, size_t len)
{
	if (EVP_DigestUpdate(ctx->md, data, len) != 1)
		fail("EVP_DigestUpdate");
}

void
sha256_final(struct sha256 *ctx, unsigned char out[SHA256_DIGEST_LEN])
{
	if (EVP_DigestFinal_ex(ctx->md, out, NULL) != 1)
		fail("EVP_DigestFinal_ex");
	EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
}

void
sha256_final_hex(struct sha256 *ctx, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_LEN];

	sha256_final(ctx, d);
	for (int i = 0; i < SHA256_DIGEST_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}
