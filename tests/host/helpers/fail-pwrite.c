// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD: pwrite() and pwrite64() fail with EIO for a write that
 * starts at the byte offset in $FAIL_PWRITE_OFFSET, every time; the rest
 * go through.  For host tests of what pmdzero does when a write fails in
 * a place no loop device can be made to fail.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int failing(off_t off)
{
	const char *s = getenv("FAIL_PWRITE_OFFSET");

	return s && *s && strtoll(s, NULL, 0) == (long long)off;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);

	if (failing(off)) {
		errno = EIO;
		return -1;
	}
	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	return real(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return pwrite(fd, buf, len, off);
}
