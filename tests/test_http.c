/* test_http.c - the private-address guard, over every spelling of an
 * address that leads to a private host. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "../daemon/http.h"

static int
is_private(const char *addr)
{
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in v4 = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, addr, &v4.sin_addr) == 1)
		return http_addr_is_private((struct sockaddr *)&v4);
	if (inet_pton(AF_INET6, addr, &v6.sin6_addr) != 1)
		fail_msg("not an address: %s", addr);
	return http_addr_is_private((struct sockaddr *)&v6);
}

static void
check_all(const char *const *addrs, size_t n, int want)
{
	for (size_t i = 0; i < n; i++)
		if (is_private(addrs[i]) != want)
			fail_msg("%s: expected %s", addrs[i],
			    want ? "private" : "public");
}

static void
test_private(void **state)
{
	static const char *const addrs[] = {
		"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
		"169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
		"::1", "::", "fe80::1", "fec0::1", "fd00::1", "ff02::1",
		/* IPv4-mapped, -compatible, translated */
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1",
		"::169.254.169.254", "::ffff:0:127.0.0.1", "::ffff:0:a00:1",
		/* NAT64, its local-use prefix (any address) */
		"64:ff9b::127.0.0.1", "64:ff9b::c0a8:101",
		"64:ff9b:1::8.8.8.8", "64:ff9b:1:ffff::1",
		/* 6to4: 127.0.0.1, 10.0.0.1, 169.254.169.254 */
		"2002:7f00:1::", "2002:a00:1:1::1", "2002:a9fe:a9fe::",
		/* Teredo: server 10.0.0.1; client 127.0.0.1 (inverted) */
		"2001:0:a00:1::", "2001:0:808:808:0:0:80ff:fffe",
	};

	(void)state;
	check_all(addrs, sizeof(addrs) / sizeof(addrs[0]), 1);
}

static void
test_public(void **state)
{
	static const char *const addrs[] = {
		"8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1",
		"2606:4700::1111", "2a00:1450:4001::200e",
		"::ffff:8.8.8.8", "::8.8.8.8", "::ffff:0:8.8.8.8",
		"64:ff9b::8.8.8.8", "2002:808:808::1",
		/* Teredo: server 8.8.8.8, client 93.184.216.34 (inverted) */
		"2001:0:808:808::a247:27dd",
	};

	(void)state;
	check_all(addrs, sizeof(addrs) / sizeof(addrs[0]), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_public),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
