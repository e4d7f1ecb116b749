/*
 * fuzz_config.c - config_load on arbitrary bytes.  config_load reads a
 * path, so the input goes into an anonymous memory file named through
 * /proc/self/fd: no disk, nothing left behind.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../daemon/config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct config *cfg;
	char path[64], err[1024];

	if (fd == -1 && (fd = memfd_create("feeds.yaml", MFD_CLOEXEC)) == -1)
		abort();
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (config_load(path, &cfg, err, sizeof(err)) == 0)
		config_free(cfg);
	return 0;
}
