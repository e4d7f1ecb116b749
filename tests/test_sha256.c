/*
 * test_sha256.c - the FIPS 180-2 appendix B test vectors, fed whole and
 * byte by byte, the padding boundaries, and a context used twice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../feeds/sha256.h"

static void
check(const char *msg, size_t len, size_t step, const char *want)
{
	struct sha256 ctx;
	char hex[SHA256_HEX_LEN + 1];

	sha256_init(&ctx);
	for (size_t i = 0; i < len; i += step)
		sha256_update(&ctx, msg + i, len - i < step ? len - i : step);
	sha256_final_hex(&ctx, hex);
	assert_string_equal(hex, want);
}

static void
test_fips(void **state)
{
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	for (size_t step = 1; step <= 64; step *= 4) {
		check("abc", 3, step, "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad");
		check(two, strlen(two), step, "248d6a61d20638b8e5c026930c3e6039"
		    "a33ce45964ff2167f6ecedd419db06c1");
		check("", 0, step, "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855");
	}
}

static void
test_million_a(void **state)
{
	static char a[1000000];

	(void)state;
	memset(a, 'a', sizeof(a));
	check(a, sizeof(a), 4096, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
}

/* 55, 56 and 64 bytes straddle the length field's place in the last block. */
static void
test_padding(void **state)
{
	char a[64];

	(void)state;
	memset(a, 'a', sizeof(a));
	check(a, 55, 55, "9f4390f8d30c2dd92ec9f095b65e2b9a"
	    "e9b0a925a5258e241c9f1e910f734318");
	check(a, 56, 7, "b35439a4ac6f0948b6d6f9e3c6af0f5f"
	    "590ce20f1bde7090ef7970686ec6738a");
	check(a, 63, 63, "7d3e74a05d7db15bce4ad9ec0658ea98"
	    "e3f06eeecf16b4c6fff2da457ddc2f34");
	check(a, 64, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209"
	    "f439851db43d0ba5997337df154668eb");
}

/* The raw digest is the hex one's bytes, and a context initialised again
 * after its final digests afresh (the promise of sha256.h). */
static void
test_raw_and_reuse(void **state)
{
	static const unsigned char abc[SHA256_DIGEST_LEN] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	unsigned char d[SHA256_DIGEST_LEN];
	struct sha256 ctx;

	(void)state;
	for (int round = 0; round < 2; round++) {
		sha256_init(&ctx);
		sha256_update(&ctx, "ab", 2);
		sha256_update(&ctx, "c", 1);
		sha256_final(&ctx, d);
		assert_memory_equal(d, abc, sizeof(abc));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_raw_and_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
