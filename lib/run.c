// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What every zeroing run shares (struct pz_run), whichever engine runs it:
 * progress, I/O size and queue depth, the huge page backed zero buffer and
 * O_DIRECT set-up of the write engines, and the short-write rule.  The
 * engines themselves are engine_NAME.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

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

void pz_progress(struct pz_run *run, uint64_t done)
{
	run->done = done;
	if (run->opts->progress)
		run->opts->progress(done, run->opts->length, run->opts->progress_arg);
}

void pz_zeroout_detail(struct pz_run *run, const char *call)
{
	const struct pmdzero_probe *p = &run->dev->probe;
	char q[64];
	uint64_t now = 0;

	if (!p->write_zeroes_max_bytes) {
		snprintf(run->res->detail, sizeof(run->res->detail),
			 "%s, no write zeroes offload: kernel zero-page writes", call);
		return;
	}
	/* A driver that fails Write Zeroes with -EOPNOTSUPP (loop over
	 * tmpfs) turns the offload off, and blkdev_issue_zeroout() writes
	 * zero pages instead: the limit then reads 0. */
	snprintf(q, sizeof(q), "/sys/dev/block/%u:%u/queue", p->queue_major, p->queue_minor);
	if (pz_read_u64(q, "write_zeroes_max_bytes", &now) == 0 && now == 0)
		snprintf(run->res->detail, sizeof(run->res->detail),
			 "%s, write zeroes offload rejected by the device: kernel zero-page writes",
			 call);
	else
		snprintf(run->res->detail, sizeof(run->res->detail),
			 "%s, write zeroes offload (write_zeroes_max_bytes %llu)", call,
			 (unsigned long long)p->write_zeroes_max_bytes);
}

int pz_interrupted(const struct pz_run *run)
{
	return run->dev->interrupted != 0;
}

int pz_interrupted_error(struct pz_run *run, const char *engine, struct pmdzero_error *err)
{
	return pz_error(err, -EINTR, "%s: interrupted after %llu bytes", engine,
			(unsigned long long)run->done);
}

int pz_vectored(const struct pz_run *run)
{
	return (run->opts->flags & PMDZERO_ZERO_VECTORED) != 0;
}

unsigned int pz_iov_count(uint64_t io, size_t buf_len)
{
	uint64_t n = buf_len ? (io + buf_len - 1) / buf_len : 0;

	return n > UINT_MAX ? UINT_MAX : (unsigned int)n;
}

unsigned int pz_iov_plan(uint64_t len, void *buf, size_t buf_len, struct iovec *iov,
			 unsigned int max)
{
	unsigned int n = pz_iov_count(len, buf_len), i;

	if (!len || !buf_len || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = (size_t)PZ_MIN((uint64_t)buf_len, len);
		len -= iov[i].iov_len;
	}
	return n;
}

uint64_t pz_io_size(const struct pz_run *run)
{
	uint64_t lbs = run->dev->probe.logical_block_size;
	uint64_t bs = run->opts->block_size ? run->opts->block_size :
		      pz_vectored(run) ? PMDZERO_DEFAULT_VECTORED_SIZE :
		      PMDZERO_DEFAULT_BLOCK_SIZE;

	bs = PZ_MIN(bs, run->opts->length);
	bs -= bs % lbs;
	return bs ? bs : lbs;
}

unsigned int pz_queue_depth(const struct pz_run *run, uint64_t io)
{
	unsigned int qd = run->opts->queue_depth ? run->opts->queue_depth
						 : PMDZERO_DEFAULT_QUEUE_DEPTH;
	uint64_t ios = (run->opts->length + io - 1) / io;

	/* No point in more slots than I/Os. */
	return ios < qd ? (unsigned int)ios : qd;
}

int pz_direct_begin(struct pz_run *run, const char *engine, struct pz_zbuf *zb,
		    struct pmdzero_error *err)
{
	uint64_t io = pz_io_size(run), blen = io;
	int ret;

	/* Vectored: one PMD-sized buffer, repeated in every iovec. */
	if (pz_vectored(run)) {
		blen = PZ_MIN(io, (uint64_t)PMDZERO_VECTORED_BUFFER);
		if (pz_iov_count(io, (size_t)blen) > IOV_MAX)
			return pz_error(err, -EINVAL, "%s: a %llu byte write takes more than %d iovecs",
					engine, (unsigned long long)io, IOV_MAX);
	}
	ret = pz_direct_on(run->dev, engine, err);
	if (ret)
		return ret;
	ret = pz_zbuf_alloc(zb, (size_t)blen);
	if (ret) {
		pz_set_direct(run->dev->fd, 0);
		return pz_error(err, ret, "%s: cannot allocate a %llu byte zero buffer: %s",
				engine, (unsigned long long)blen, strerror(-ret));
	}
	run->res->io_size = io;
	snprintf(run->res->buffer, sizeof(run->res->buffer), "%s", zb->kind);
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
