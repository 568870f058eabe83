// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * verify: read a range back with O_DIRECT and find the first non-zero byte;
 * guard mode: stamp a pattern right before and after a range, zero, check
 * the range is zero and the stamps intact, then put the user's original
 * bytes back.  The guard regions are the only writes outside the range,
 * and they end with the content they started with.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define PZ_VERIFY_CHUNK		(8ULL << 20)	/* large reads, few syscalls */
#define PZ_GUARD_TAG		0x504d445a00000000ULL	/* "PMDZ" */

int pmdzero_verify(struct pmdzero_dev *dev, uint64_t offset, uint64_t length,
		   struct pmdzero_verify_result *res, struct pmdzero_error *err)
{
	return pmdzero_verify_progress(dev, offset, length, NULL, NULL, res, err);
}

int pmdzero_verify_progress(struct pmdzero_dev *dev, uint64_t offset, uint64_t length,
			    void (*progress)(uint64_t done, uint64_t total, void *arg),
			    void *progress_arg, struct pmdzero_verify_result *res,
			    struct pmdzero_error *err)
{
	uint64_t pos, n, t0 = pz_now_ns();
	size_t bad, blen;
	void *buf;
	int ret;

	pz_error_clear(err);
	memset(res, 0, sizeof(*res));
	res->all_zero = 1;
	ret = pmdzero_check_range(dev->probe.size, dev->probe.logical_block_size,
				  offset, length, err);
	if (ret)
		return ret;
	blen = (size_t)PZ_MIN(length, PZ_VERIFY_CHUNK);
	buf = pz_alloc_aligned(blen);
	if (!buf)
		return pz_error(err, -ENOMEM, "verify: out of memory");
	ret = pz_direct_on(dev, "verify", err);
	if (ret) {
		free(buf);
		return ret;
	}
	for (pos = offset; pos < offset + length; pos += n) {
		n = PZ_MIN(blen, offset + length - pos);
		ret = pz_pread_full(dev->fd, buf, (size_t)n, pos);
		if (ret) {
			pz_error(err, ret, "verify: read at offset %llu failed: %s",
				 (unsigned long long)pos, strerror(-ret));
			break;
		}
		res->bytes += n;
		bad = pz_first_nonzero(buf, (size_t)n);
		if (bad < n) {
			res->all_zero = 0;
			res->first_nonzero = pos + bad;
			break;
		}
		if (progress)
			progress(res->bytes, length, progress_arg);
	}
	pz_set_direct(dev->fd, 0);
	free(buf);
	res->elapsed_ns = pz_now_ns() - t0;
	return ret;
}

struct pmdzero_guard {
	struct pmdzero_dev *dev;
	uint64_t offset, length;
	struct {
		uint64_t off, len;
		void *save;		/* original content */
		void *pattern;		/* what we wrote */
	} side[2];			/* 0 before the range, 1 after */
	int written;			/* the pattern may be on the device */
	int restored;
};

static void fill_pattern(void *buf, uint64_t len, uint64_t dev_off)
{
	uint64_t i, w;

	/* Each word carries its own device offset, so a block written to the
	 * wrong place is caught too. */
	for (i = 0; i + 8 <= len; i += 8) {
		w = PZ_GUARD_TAG ^ (dev_off + i);
		memcpy((char *)buf + i, &w, 8);
	}
}

static int guard_write(struct pmdzero_guard *g, int which, struct pmdzero_error *err,
		       const char *what)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		if (!g->side[i].len)
			continue;
		ret = pz_pwrite_full(g->dev->fd, which ? g->side[i].save : g->side[i].pattern,
				     (size_t)g->side[i].len, g->side[i].off);
		if (ret)
			return pz_error(err, ret, "guard: %s at offset %llu failed: %s", what,
					(unsigned long long)g->side[i].off, strerror(-ret));
	}
	if (fdatasync(g->dev->fd))
		return pz_error(err, -errno, "guard: flush after %s failed: %s", what,
				strerror(errno));
	return 0;
}

struct pmdzero_guard *pmdzero_guard_new(struct pmdzero_dev *dev, uint64_t offset,
					uint64_t length, uint64_t guard_bytes,
					struct pmdzero_error *err)
{
	unsigned int lbs = dev->probe.logical_block_size;
	struct pmdzero_guard *g;
	int i, ret;

	pz_error_clear(err);
	if (pmdzero_check_range(dev->probe.size, lbs, offset, length, err))
		return NULL;
	if (!(dev->flags & PMDZERO_OPEN_WRITE)) {
		pz_error(err, -EBADF, "guard: device is not open for writing");
		return NULL;
	}
	if (!guard_bytes)
		guard_bytes = PMDZERO_DEFAULT_GUARD_BYTES;
	if (guard_bytes > PMDZERO_MAX_GUARD_BYTES) {
		pz_error(err, -EINVAL, "guard size %llu is larger than %llu GiB",
			 (unsigned long long)guard_bytes, PMDZERO_MAX_GUARD_BYTES >> 30);
		return NULL;
	}
	guard_bytes -= guard_bytes % lbs;
	if (!guard_bytes) {
		pz_error(err, -EINVAL, "guard size is smaller than the logical block size %u", lbs);
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		pz_error(err, -ENOMEM, "guard: out of memory");
		return NULL;
	}
	g->dev = dev;
	g->offset = offset;
	g->length = length;
	g->side[0].len = PZ_MIN(guard_bytes, offset);
	g->side[0].off = offset - g->side[0].len;
	g->side[1].off = offset + length;
	g->side[1].len = PZ_MIN(guard_bytes, dev->probe.size - g->side[1].off);
	for (i = 0; i < 2; i++) {
		if (!g->side[i].len)
			continue;
		g->side[i].save = pz_alloc_aligned((size_t)g->side[i].len);
		g->side[i].pattern = pz_alloc_aligned((size_t)g->side[i].len);
		if (!g->side[i].save || !g->side[i].pattern) {
			pz_error(err, -ENOMEM, "guard: out of memory");
			goto fail;
		}
		fill_pattern(g->side[i].pattern, g->side[i].len, g->side[i].off);
	}
	if (pz_direct_on(dev, "guard", err))
		goto fail;
	for (i = 0; i < 2; i++) {
		if (!g->side[i].len)
			continue;
		ret = pz_pread_full(dev->fd, g->side[i].save, (size_t)g->side[i].len,
				    g->side[i].off);
		if (ret) {
			pz_error(err, ret, "guard: saving offset %llu failed: %s",
				 (unsigned long long)g->side[i].off, strerror(-ret));
			goto fail_direct;
		}
	}
	g->written = 1;		/* from here on, a failure must restore */
	if (guard_write(g, 0, err, "writing the pattern")) {
		struct pmdzero_error e2;
		size_t n = strlen(err->msg);

		/* The pattern may be on the device in place of the user's
		 * data: a restore that fails too must be said, with where. */
		if (pmdzero_guard_restore(g, &e2))
			snprintf(err->msg + n, sizeof(err->msg) - n, "; %s: the data there may be lost",
				 e2.msg);
		goto fail_direct;
	}
	pz_set_direct(dev->fd, 0);
	return g;
fail_direct:
	pz_set_direct(dev->fd, 0);
fail:
	for (i = 0; i < 2; i++) {
		free(g->side[i].save);
		free(g->side[i].pattern);
	}
	free(g);
	return NULL;
}

int pmdzero_guard_check(struct pmdzero_guard *g, struct pmdzero_guard_result *res,
			struct pmdzero_error *err)
{
	uint64_t bad;
	void *buf;
	int i, ret;

	memset(res, 0, sizeof(*res));
	ret = pmdzero_verify(g->dev, g->offset, g->length, &res->range, err);
	if (ret)
		return ret;
	res->before_bytes = g->side[0].len;
	res->after_bytes = g->side[1].len;
	res->guards_intact = 1;
	ret = pz_direct_on(g->dev, "guard", err);
	if (ret)
		return ret;
	for (i = 0; i < 2 && res->guards_intact; i++) {
		if (!g->side[i].len)
			continue;
		buf = pz_alloc_aligned((size_t)g->side[i].len);
		if (!buf) {
			ret = pz_error(err, -ENOMEM, "guard: out of memory");
			break;
		}
		ret = pz_pread_full(g->dev->fd, buf, (size_t)g->side[i].len, g->side[i].off);
		if (ret) {
			pz_error(err, ret, "guard: reading offset %llu failed: %s",
				 (unsigned long long)g->side[i].off, strerror(-ret));
			free(buf);
			break;
		}
		if (memcmp(buf, g->side[i].pattern, (size_t)g->side[i].len)) {
			for (bad = 0; bad < g->side[i].len; bad++)
				if (((char *)buf)[bad] != ((char *)g->side[i].pattern)[bad])
					break;
			res->guards_intact = 0;
			res->first_guard_mismatch = g->side[i].off + bad;
		}
		free(buf);
	}
	pz_set_direct(g->dev->fd, 0);
	return ret;
}

int pmdzero_guard_restore(struct pmdzero_guard *g, struct pmdzero_error *err)
{
	int ret;

	pz_error_clear(err);
	if (!g->written || g->restored)
		return 0;
	ret = pz_direct_on(g->dev, "guard", err);
	if (ret)
		return ret;
	ret = guard_write(g, 1, err, "restoring the original data");
	pz_set_direct(g->dev->fd, 0);
	if (!ret)
		g->restored = 1;
	return ret;
}

void pmdzero_guard_free(struct pmdzero_guard *g)
{
	struct pmdzero_error e;
	int i;

	if (!g)
		return;
	pmdzero_guard_restore(g, &e);
	for (i = 0; i < 2; i++) {
		free(g->side[i].save);
		free(g->side[i].pattern);
	}
	free(g);
}
