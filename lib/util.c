// SPDX-License-Identifier: LGPL-2.1-or-later
/* Helpers shared by the library: errors, clocks, sysfs, O_DIRECT and full I/O. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <blkid/blkid.h>

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

int pz_read_devno(const char *dir, dev_t *devno)
{
	char path[PATH_MAX], buf[64];
	unsigned int ma, mi;
	int ret;

	snprintf(path, sizeof(path), "%s/dev", dir);
	ret = pz_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	if (sscanf(buf, "%u:%u", &ma, &mi) != 2)
		return -EINVAL;
	*devno = makedev(ma, mi);
	return 0;
}

int pz_sysfs_resolve(dev_t rdev, struct pz_sysfs *s)
{
	char link[64], real[PATH_MAX], *base;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(rdev), minor(rdev));
	if (!realpath(link, real))
		return -errno;
	if (strlen(real) >= sizeof(s->dir))
		return -ENAMETOOLONG;
	strcpy(s->dir, real);
	base = strrchr(real, '/');
	snprintf(s->name, sizeof(s->name), "%s", base ? base + 1 : real);
	/* A partition's I/O goes through its whole disk's queue. */
	if (blkid_devno_to_wholedisk(rdev, s->disk_name, sizeof(s->disk_name), &s->disk_devno))
		return -ENODEV;
	s->is_partition = s->disk_devno != rdev;
	snprintf(s->disk, sizeof(s->disk), "/sys/dev/block/%u:%u", major(s->disk_devno),
		 minor(s->disk_devno));
	return 0;
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

int pz_direct_on(struct pmdzero_dev *dev, const char *what, struct pmdzero_error *err)
{
	int ret = pz_set_direct(dev->fd, 1);

	if (ret == -EINVAL)
		return pz_error(err, -EOPNOTSUPP, "%s: the device does not support O_DIRECT", what);
	if (ret)
		return pz_error(err, ret, "%s: cannot enable O_DIRECT: %s", what, strerror(-ret));
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
