// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fio-kernel-zero.so - let fio drive the kernel's own zeroing of a block
 * device, so that fio's bandwidth, latency percentiles and CPU figures
 * cover the path the series changes.
 *
 *   PMDZERO_FIO_ZERO=ioctl LD_PRELOAD=.../fio-kernel-zero.so \
 *       fio --ioengine=falloc --rw=write --filename=/dev/nullb0 ...
 *
 * fio's falloc engine (every fio since 2.0.10, Debian 12's 3.33 included)
 * turns each write into fallocate(fd, 0, offset, length).  On a block
 * device the kernel refuses that mode, always (EOPNOTSUPP), so this library
 * takes exactly that call and makes it the kernel's zeroing instead, one
 * call per fio write:
 *
 *   ioctl      ioctl(BLKZEROOUT), as blkdiscard -z
 *   fallocate  fallocate(FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE), as
 *              fallocate --zero-range
 *
 * the two kernel-zeroing engines of pmdzero, by the same names.  Every
 * other call, and every call on a file that is not a block device, passes
 * through unchanged.  A preload rather than an external ioengine: an
 * external engine is built against one fio's private headers and struct
 * layouts (FIO_IOOPS_VERSION), this depends only on what the falloc engine
 * sends, and fio-jobs/run-fio.sh checks after every run that each write
 * was turned (calls x block size = bytes zeroed).
 *
 * PMDZERO_FIO_ZERO is required; PMDZERO_FIO_ZERO_OUT=FILE makes each
 * process append "engine=E calls=N bytes=B" to FILE at exit.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

enum route { ROUTE_IOCTL, ROUTE_FALLOCATE };

static enum route route;
static const char *route_name;
static atomic_uint_fast64_t calls, bytes;

typedef int (*fallocate_fn)(int, int, off_t, off_t);

__attribute__((constructor)) static void kernel_zero_init(void)
{
	const char *v = getenv("PMDZERO_FIO_ZERO");

	if (v && !strcmp(v, "ioctl")) {
		route = ROUTE_IOCTL;
	} else if (v && !strcmp(v, "fallocate")) {
		route = ROUTE_FALLOCATE;
	} else {
		fprintf(stderr, "fio-kernel-zero: PMDZERO_FIO_ZERO=%s: expected ioctl or fallocate\n",
			v ? v : "(unset)");
		_exit(2);
	}
	route_name = v;
}

__attribute__((destructor)) static void kernel_zero_report(void)
{
	const char *out = getenv("PMDZERO_FIO_ZERO_OUT");
	FILE *f;

	if (!out || !*out)
		return;
	f = fopen(out, "a");
	if (!f)
		return;
	fprintf(f, "engine=%s calls=%llu bytes=%llu\n", route_name,
		(unsigned long long)atomic_load(&calls), (unsigned long long)atomic_load(&bytes));
	fclose(f);
}

static int zero_range(int fd, off_t offset, off_t len, fallocate_fn real)
{
	int ret;

	if (route == ROUTE_IOCTL) {
		uint64_t range[2] = { (uint64_t)offset, (uint64_t)len };

		ret = ioctl(fd, BLKZEROOUT, range);
	} else {
		ret = real(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, offset, len);
	}
	if (ret == 0) {
		atomic_fetch_add(&calls, 1);
		atomic_fetch_add(&bytes, (uint64_t)len);
	}
	return ret;
}

/* The next definition of SYM (libc's, or another preload's), looked up once. */
static fallocate_fn next_fallocate(_Atomic(fallocate_fn) *cache, const char *sym)
{
	fallocate_fn f = atomic_load(cache);

	if (!f) {
		f = (fallocate_fn)dlsym(RTLD_NEXT, sym);
		atomic_store(cache, f);
	}
	return f;
}

static int kernel_zero_fallocate(fallocate_fn real, int fd, int mode, off_t offset, off_t len)
{
	struct stat st;

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	/* Mode 0 is what the falloc engine sends for a write; on a block
	 * device the kernel refuses it, so taking it changes nothing else. */
	if (mode == 0 && fstat(fd, &st) == 0 && S_ISBLK(st.st_mode))
		return zero_range(fd, offset, len, real);
	return real(fd, mode, offset, len);
}

/* A program built with _FILE_OFFSET_BITS=64, as fio is, calls fallocate64. */
int fallocate64(int fd, int mode, off_t offset, off_t len)
{
	static _Atomic(fallocate_fn) real;

	return kernel_zero_fallocate(next_fallocate(&real, "fallocate64"), fd, mode, offset, len);
}

int fallocate(int fd, int mode, off_t offset, off_t len)
{
	static _Atomic(fallocate_fn) real;

	return kernel_zero_fallocate(next_fallocate(&real, "fallocate"), fd, mode, offset, len);
}
