// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zerotime.so - time a tool's zeroing system calls from inside the tool.
 *
 *   ZEROTIME_OUT=FILE LD_PRELOAD=/usr/lib/pmdzero/zerotime.so blkdiscard -z DEV
 *
 * Wraps ioctl(BLKZEROOUT) and fallocate(FALLOC_FL_ZERO_RANGE): whatever the
 * tool does around them (exec, library loading, probing the device) stays
 * out of the figure, so blkdiscard, fallocate(1), mkfs.xfs and pmdzero are
 * measured on the same operation.  At exit appends one line to FILE:
 *
 *   calls=N bytes=B wall_ns=W cpu_ns=C
 *
 * wall_ns: CLOCK_MONOTONIC across the calls (under QEMU -icount
 * shift=0,sleep=off one guest nanosecond is one guest instruction, and
 * the interrupts and kernel threads that complete the I/O run inside that
 * window on the one vCPU); cpu_ns: the calling thread's CPU clock, the
 * scheduler's nanosecond runtime, across the same calls.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>

static atomic_uint_fast64_t calls, bytes, wall_ns, cpu_ns;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct span {
	uint64_t wall, cpu;
};

static struct span span_begin(void)
{
	return (struct span){ clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_THREAD_CPUTIME_ID) };
}

static void span_end(struct span s, uint64_t len)
{
	uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);

	atomic_fetch_add(&wall_ns, wall - s.wall);
	atomic_fetch_add(&cpu_ns, cpu - s.cpu);
	atomic_fetch_add(&bytes, len);
	atomic_fetch_add(&calls, 1);
}

static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "zerotime: no %s to wrap\n", name);
		abort();
	}
	return f;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, void *);
	struct span s;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = (int (*)(int, unsigned long, void *))next("ioctl");
	if (req != BLKZEROOUT)
		return real(fd, req, arg);
	s = span_begin();
	ret = real(fd, req, arg);
	if (ret == 0)
		span_end(s, ((uint64_t *)arg)[1]);
	return ret;
}

static int timed_fallocate(int (*real)(int, int, off_t, off_t), int fd, int mode,
			   off_t off, off_t len)
{
	struct span s;
	int ret;

	if (!(mode & FALLOC_FL_ZERO_RANGE))
		return real(fd, mode, off, len);
	s = span_begin();
	ret = real(fd, mode, off, len);
	if (ret == 0)
		span_end(s, (uint64_t)len);
	return ret;
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
	static int (*real)(int, int, off_t, off_t);

	if (!real)
		real = (int (*)(int, int, off_t, off_t))next("fallocate");
	return timed_fallocate(real, fd, mode, off, len);
}

int fallocate64(int fd, int mode, off_t off, off_t len)
{
	static int (*real)(int, int, off_t, off_t);

	if (!real)
		real = (int (*)(int, int, off_t, off_t))next("fallocate64");
	return timed_fallocate(real, fd, mode, off, len);
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("ZEROTIME_OUT");
	FILE *f;

	if (!path || !atomic_load(&calls))
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "calls=%llu bytes=%llu wall_ns=%llu cpu_ns=%llu\n",
		(unsigned long long)atomic_load(&calls), (unsigned long long)atomic_load(&bytes),
		(unsigned long long)atomic_load(&wall_ns), (unsigned long long)atomic_load(&cpu_ns));
	fclose(f);
}
