// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers shared by the library: errors, clocks, sysfs, buffers, full I/O. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int pz_error(struct pmdzero_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

void pz_error_clear(struct pmdzero_error *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

uint64_t pz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000ULL;
}

void pz_usage_begin(struct pz_usage *u)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	u->user_ns = tv_ns(&ru.ru_utime);
	u->sys_ns = tv_ns(&ru.ru_stime);
	u->wall_ns = pz_now_ns();
}

void pz_usage_end(struct pz_usage *u)
{
	struct rusage ru;
	uint64_t now = pz_now_ns();

	getrusage(RUSAGE_SELF, &ru);
	u->wall_ns = now - u->wall_ns;
	u->user_ns = tv_ns(&ru.ru_utime) - u->user_ns;
	u->sys_ns = tv_ns(&ru.ru_stime) - u->sys_ns;
}

int pz_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int pz_read_u64(const char *dir, const char *name, uint64_t *val)
{
	char path[PATH_MAX], buf[64], *end;
	unsigned long long v;
	int ret;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = pz_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

int pz_sysfs_dev(dev_t rdev, char *dir, size_t dlen, char *disk, size_t klen,
		 int *is_partition)
{
	char link[PATH_MAX], real[PATH_MAX], part[PATH_MAX];
	char *slash;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(rdev), minor(rdev));
	if (!realpath(link, real))
		return -errno;
	if (strlen(real) >= dlen)
		return -ENAMETOOLONG;
	strcpy(dir, real);
	/* A partition's sysfs directory has a "partition" file and sits in
	 * its disk's directory, whose queue/ serves the partition's I/O. */
	snprintf(part, sizeof(part), "%s/partition", real);
	*is_partition = access(part, F_OK) == 0;
	if (*is_partition) {
		slash = strrchr(real, '/');
		if (!slash)
			return -EINVAL;
		*slash = '\0';
	}
	if (strlen(real) >= klen)
		return -ENAMETOOLONG;
	strcpy(disk, real);
	return 0;
}

/* Whether the mapping at addr is backed by THP, from /proc/self/smaps. */
static int smaps_huge(const void *addr)
{
	unsigned long start, end, kb;
	char line[256];
	int in = 0, huge = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = (uintptr_t)addr >= start && (uintptr_t)addr < end;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1) {
			huge = kb > 0;
			break;
		}
	}
	fclose(f);
	return huge;
}

int pz_zbuf_alloc(struct pz_zbuf *zb, size_t len)
{
	size_t hlen = (len + PZ_HUGE_SIZE - 1) & ~(PZ_HUGE_SIZE - 1);
	uintptr_t aligned;
	void *p;

	memset(zb, 0, sizeof(*zb));
	/* 1: hugetlb, only if the administrator reserved 2 MiB pages. */
#ifdef MAP_HUGETLB
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif
	p = mmap(NULL, hlen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	if (p != MAP_FAILED) {
		/* Fault it in now: a failure here would be SIGBUS later. */
		if (mlock(p, hlen) == 0 || errno != ENOMEM) {
			memset(p, 0, hlen);
			zb->addr = p;
			zb->len = len;
			zb->map_len = hlen;
			zb->kind = "hugetlb";
			return 0;
		}
		munmap(p, hlen);
	}
#endif
	/* 2: a 2 MiB aligned anonymous mapping advised for THP.  Writing the
	 * zeroes allocates real pages, so the device reads from our memory
	 * and not from the shared zero page. */
	p = mmap(NULL, hlen + PZ_HUGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	aligned = ((uintptr_t)p + PZ_HUGE_SIZE - 1) & ~(PZ_HUGE_SIZE - 1);
	/* Trim the unaligned head and tail so munmap needs one range. */
	if (aligned > (uintptr_t)p)
		munmap(p, aligned - (uintptr_t)p);
	if ((uintptr_t)p + hlen + PZ_HUGE_SIZE > aligned + hlen)
		munmap((void *)(aligned + hlen),
		       (uintptr_t)p + hlen + PZ_HUGE_SIZE - (aligned + hlen));
	p = (void *)aligned;
	madvise(p, hlen, MADV_HUGEPAGE);	/* advice only; failure is fine */
	memset(p, 0, hlen);
	if (smaps_huge(p))
		zb->kind = "thp";
	else
		zb->kind = "normal";
	zb->addr = p;
	zb->len = len;
	zb->map_len = hlen;
	return 0;
}

void pz_zbuf_free(struct pz_zbuf *zb)
{
	if (zb->addr)
		munmap(zb->addr, zb->map_len);
	zb->addr = NULL;
}

int pz_set_direct(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? (fl | O_DIRECT) : (fl & ~O_DIRECT);
	if (fcntl(fd, F_SETFL, fl) < 0)
		return -errno;
	return 0;
}

int pz_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int pz_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

void *pz_alloc_aligned(size_t len)
{
	void *p;

	/* 64 KiB alignment satisfies O_DIRECT for every logical block size
	 * Linux supports (up to the 64 KiB page size). */
	if (posix_memalign(&p, 65536, len ? len : 1))
		return NULL;
	return p;
}

size_t pz_first_nonzero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0;
	uint64_t w;

	/* Word-at-a-time scan, then find the byte inside the word. */
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		if (w)
			break;
	}
	for (; i < len; i++)
		if (p[i])
			return i;
	return len;
}

void pz_progress(struct pz_run *run, uint64_t done)
{
	run->done = done;
	if (run->opts->progress)
		run->opts->progress(done, run->opts->length, run->opts->progress_arg);
}

uint64_t pz_io_size(const struct pz_run *run)
{
	uint64_t lbs = run->dev->probe.logical_block_size;
	uint64_t bs = run->opts->block_size ? run->opts->block_size
					     : PMDZERO_DEFAULT_BLOCK_SIZE;

	bs = PZ_MIN(bs, run->opts->length);
	bs -= bs % lbs;
	return bs ? bs : lbs;
}

int pz_direct_begin(struct pz_run *run, const char *engine, struct pz_zbuf *zb,
		    struct pmdzero_error *err)
{
	uint64_t io = pz_io_size(run);
	int ret;

	ret = pz_set_direct(run->dev->fd, 1);
	if (ret == -EINVAL)
		return pz_error(err, -EOPNOTSUPP, "%s: the device does not support O_DIRECT",
				engine);
	if (ret)
		return pz_error(err, ret, "%s: cannot enable O_DIRECT: %s", engine, strerror(-ret));
	ret = pz_zbuf_alloc(zb, (size_t)io);
	if (ret) {
		pz_set_direct(run->dev->fd, 0);
		return pz_error(err, ret, "%s: cannot allocate a %llu byte zero buffer: %s",
				engine, (unsigned long long)io, strerror(-ret));
	}
	run->res->io_size = io;
	return 0;
}

void pz_direct_end(struct pz_run *run, struct pz_zbuf *zb)
{
	pz_set_direct(run->dev->fd, 0);
	pz_zbuf_free(zb);
}

int pz_check_short(struct pz_run *run, const char *engine, uint64_t done,
		   struct pmdzero_error *err)
{
	/* The block layer completes direct I/O in whole logical blocks; a
	 * remainder that is not aligned cannot be resubmitted with O_DIRECT. */
	if (done % run->dev->probe.logical_block_size)
		return pz_error(err, -EIO, "%s: short write of %llu bytes is not aligned to the logical block size",
				engine, (unsigned long long)done);
	return 0;
}
