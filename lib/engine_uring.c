// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uring engines.
 *
 * uring: O_DIRECT writes of one zero buffer (2 MiB huge page backed when
 * possible), registered once as a fixed buffer so the kernel does not pin
 * and unpin pages per I/O, queue_depth writes in flight.  Vectored: each
 * write is an IORING_OP_WRITEV whose iovecs all point at one 2 MiB buffer.
 *
 * uring-fallocate: IORING_OP_FALLOCATE(FALLOC_FL_ZERO_RANGE), by default
 * one SQE for the whole range: the op's length is 64 bits, and the kernel
 * turns it into one blkdev_issue_zeroout(), the bios BLKZEROOUT makes.
 * Chunks would buy nothing: io_uring runs the op in its io-wq workers and
 * the block device's invalidate lock serialises them, and each chunk ends
 * its last bio short (2 MiB chunks: 512 bios per GiB where one call makes
 * about 129 with the PMD zero folio).  An explicit block_size still cuts
 * the range into chunks of that size, queue_depth in flight.
 *
 * A SIGKILL ends the process while the SQE runs: the waiting thread sleeps
 * killably in io_uring_wait_cqe(), and on exit io_uring cancels what it can
 * and waits for the io-wq worker to finish the zeroing it started, as the
 * fallocate engine's caller would; nothing here holds the exit up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <linux/falloc.h>

#include <liburing.h>

#include "internal.h"

struct uring_slot {
	uint64_t off;
	uint64_t len;
	struct iovec *iov;	/* vectored: maxv entries, in use until the CQE */
};

struct uring_ctx {
	struct pz_run *run;
	struct io_uring ring;
	struct uring_slot *slots;
	unsigned int *free_slots, nfree;
	const char *name;
	int fallocate;		/* IORING_OP_FALLOCATE instead of writes */
	int fixed;		/* buffer registered */
	unsigned int maxv;	/* vectored: iovecs per write, else 0 */
	struct iovec *iov;	/* qd * maxv */
	struct pz_zbuf zb;
};

static int uring_init(struct uring_ctx *c, unsigned int qd, struct pmdzero_error *err)
{
	int ret = io_uring_queue_init(qd, &c->ring, 0);
	char knob[16] = "?";

	if (ret == -ENOSYS)
		return pz_error(err, -EOPNOTSUPP, "%s: this kernel has no io_uring: %s",
				c->name, strerror(-ret));
	if (ret == -EPERM) {
		pz_read_file("/proc/sys/kernel/io_uring_disabled", knob, sizeof(knob));
		return pz_error(err, -EOPNOTSUPP,
				"%s: io_uring is disabled for this process (kernel.io_uring_disabled = %s): %s",
				c->name, knob, strerror(-ret));
	}
	if (ret)
		return pz_error(err, ret, "%s: io_uring_queue_init failed: %s", c->name,
				strerror(-ret));
	return 0;
}

static void prep(struct uring_ctx *c, unsigned int idx)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	struct uring_slot *s = &c->slots[idx];
	int fd = c->run->dev->fd;

	/* The SQ ring holds queue_depth entries and at most queue_depth are
	 * in flight, so an SQE is always free here. */
	if (c->fallocate)
		io_uring_prep_fallocate(sqe, fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
					(off_t)s->off, (off_t)s->len);
	else if (c->maxv)
		io_uring_prep_writev(sqe, fd, s->iov,
				     pz_iov_plan(s->len, c->zb.addr, c->zb.len, s->iov, c->maxv),
				     s->off);
	else if (c->fixed)
		io_uring_prep_write_fixed(sqe, fd, c->zb.addr, (unsigned int)s->len, s->off, 0);
	else
		io_uring_prep_write(sqe, fd, c->zb.addr, (unsigned int)s->len, s->off);
	io_uring_sqe_set_data64(sqe, idx);
}

/*
 * Waits for the I/Os still in flight after an error: they write inside the
 * range, into our buffer, and must be done before the buffer is freed and
 * the caller reports (the aio engine's io_destroy() does the same).  Gives
 * up only if the ring itself fails.
 */
static void uring_drain(struct uring_ctx *c, unsigned int inflight)
{
	struct io_uring_cqe *cqe;
	int r;

	while (inflight) {
		r = io_uring_wait_cqe(&c->ring, &cqe);
		if (r == -EINTR)
			continue;
		if (r < 0)
			break;
		io_uring_cqe_seen(&c->ring, cqe);
		inflight--;
	}
}

static int uring_loop(struct uring_ctx *c, unsigned int qd, uint64_t io,
		      struct pmdzero_error *err)
{
	const struct pmdzero_zero_opts *o = c->run->opts;
	uint64_t next = o->offset, end = o->offset + o->length, done = 0;
	unsigned int inflight = 0, queued = 0, idx, i;
	struct io_uring_cqe *cqe;
	int ret = 0, r;

	c->slots = calloc(qd, sizeof(*c->slots));
	c->free_slots = calloc(qd, sizeof(*c->free_slots));
	if (c->maxv)
		c->iov = calloc((size_t)qd * c->maxv, sizeof(*c->iov));
	if (!c->slots || !c->free_slots || (c->maxv && !c->iov))
		return pz_error(err, -ENOMEM, "%s: out of memory", c->name);
	for (i = 0; i < qd; i++) {
		c->free_slots[i] = qd - 1 - i;
		if (c->maxv)
			c->slots[i].iov = &c->iov[(size_t)i * c->maxv];
	}
	c->nfree = qd;

	pz_progress(c->run, 0);
	while ((next < end && !ret && !pz_interrupted(c->run)) || inflight || queued) {
		/* Interrupted: nothing new, only what is in flight and the
		 * rest of its short writes, so what is done is a prefix. */
		while (!ret && next < end && c->nfree && !pz_interrupted(c->run)) {
			idx = c->free_slots[--c->nfree];
			c->slots[idx].off = next;
			c->slots[idx].len = PZ_MIN(io, end - next);
			next += c->slots[idx].len;
			prep(c, idx);
			queued++;
		}
		if (queued) {
			r = io_uring_submit(&c->ring);
			if (r < 0) {
				/* What is still queued was never submitted;
				 * what is in flight is waited for below. */
				ret = pz_error(err, r, "%s: io_uring_submit failed: %s",
					       c->name, strerror(-r));
				break;
			}
			/* Whatever the kernel did not take stays queued in the
			 * SQ ring for the next submit. */
			if (r == 0 && !inflight) {
				ret = pz_error(err, -EIO, "%s: io_uring_submit made no progress", c->name);
				break;
			}
			inflight += (unsigned int)r;
			queued -= (unsigned int)r;
		}
		if (!inflight)
			break;
		r = io_uring_wait_cqe(&c->ring, &cqe);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			ret = pz_error(err, r, "%s: io_uring_wait_cqe failed: %s", c->name,
				       strerror(-r));
			break;
		}
		do {
			struct uring_slot *s;
			uint64_t got;

			idx = (unsigned int)io_uring_cqe_get_data64(cqe);
			r = cqe->res;
			io_uring_cqe_seen(&c->ring, cqe);
			s = &c->slots[idx];
			if (r == -EAGAIN || r == -EINTR) {
				prep(c, idx);		/* same I/O again */
				queued++;
				inflight--;
				continue;
			}
			if (r < 0) {
				inflight--;
				c->free_slots[c->nfree++] = idx;
				if (ret)
					continue;	/* keep the first error */
				if (c->fallocate && (r == -EOPNOTSUPP || r == -EINVAL) && !done)
					ret = pz_error(err, -EOPNOTSUPP,
						       "%s: IORING_OP_FALLOCATE zero range is not supported here: %s",
						       c->name, strerror(-r));
				else
					ret = pz_error(err, r, "%s: %s at offset %llu failed: %s",
						       c->name, c->fallocate ? "fallocate" : "write",
						       (unsigned long long)s->off, strerror(-r));
				continue;
			}
			/* A fallocate's success covers its whole chunk, which
			 * may be past INT_MAX bytes: count in 64 bits. */
			got = c->fallocate ? s->len : (uint64_t)r;
			if (got == 0) {
				inflight--;
				c->free_slots[c->nfree++] = idx;
				if (!ret)
					ret = pz_error(err, -EIO, "%s: write at offset %llu made no progress",
						       c->name, (unsigned long long)s->off);
				continue;
			}
			done += got;
			if (got < s->len && !ret) {
				/* Short write: resubmit the rest from the same slot. */
				ret = pz_check_short(c->run, c->name, got, err);
				if (!ret) {
					s->off += got;
					s->len -= got;
					prep(c, idx);
					queued++;
					inflight--;
					continue;
				}
			}
			inflight--;
			c->free_slots[c->nfree++] = idx;
		} while (!io_uring_peek_cqe(&c->ring, &cqe));
		/* Resubmitted slots count as in flight again at submit time. */
		pz_progress(c->run, done);
	}
	uring_drain(c, inflight);
	if (!ret && next < end && pz_interrupted(c->run)) {
		/* Everything submitted completed: [offset, next) is zero. */
		c->run->done = next - o->offset;
		ret = pz_interrupted_error(c->run, c->name, err);
	}
	return ret;
}

static int run_uring(struct pz_run *run, struct pmdzero_error *err)
{
	struct uring_ctx c = { .run = run, .name = "uring" };
	struct iovec iov;
	unsigned int qd;
	int ret;

	ret = pz_direct_begin(run, c.name, &c.zb, err);
	if (ret)
		return ret;
	qd = pz_queue_depth(run, run->res->io_size);
	run->res->queue_depth = qd;
	ret = uring_init(&c, qd, err);
	if (ret) {
		pz_direct_end(run, &c.zb);
		return ret;
	}
	if (pz_vectored(run)) {
		c.maxv = pz_iov_count(run->res->io_size, c.zb.len);
		snprintf(run->res->detail, sizeof(run->res->detail),
			 "O_DIRECT writev, up to %u iovecs of one %zu byte %s buffer", c.maxv,
			 c.zb.len, c.zb.kind);
	} else {
		iov.iov_base = c.zb.addr;
		iov.iov_len = (size_t)run->res->io_size;
		/* Registration can fail on RLIMIT_MEMLOCK; plain writes still work. */
		c.fixed = io_uring_register_buffers(&c.ring, &iov, 1) == 0;
		snprintf(run->res->detail, sizeof(run->res->detail), "O_DIRECT %s, %s buffer",
			 c.fixed ? "write_fixed" : "write (buffer registration failed)", c.zb.kind);
	}
	ret = uring_loop(&c, qd, run->res->io_size, err);
	io_uring_queue_exit(&c.ring);
	free(c.slots);
	free(c.free_slots);
	free(c.iov);
	pz_direct_end(run, &c.zb);
	return ret;
}

static int check_fallocate_op(struct uring_ctx *c, struct pmdzero_error *err)
{
	struct io_uring_probe *probe = io_uring_get_probe_ring(&c->ring);
	int ok = probe && io_uring_opcode_supported(probe, IORING_OP_FALLOCATE);

	if (probe)
		io_uring_free_probe(probe);
	if (!ok)
		return pz_error(err, -EOPNOTSUPP,
				"uring-fallocate: this kernel's io_uring lacks IORING_OP_FALLOCATE");
	return 0;
}

static int uring_available(int fallocate, struct pmdzero_error *err)
{
	struct uring_ctx c = { .name = fallocate ? "uring-fallocate" : "uring" };
	int ret = uring_init(&c, 1, err);

	if (ret)
		return ret;
	if (fallocate)
		ret = check_fallocate_op(&c, err);
	io_uring_queue_exit(&c.ring);
	return ret;
}

static int uring_writes_available(struct pmdzero_error *err)
{
	return uring_available(0, err);
}

static int uring_fallocate_available(struct pmdzero_error *err)
{
	return uring_available(1, err);
}

static int run_uring_fallocate(struct pz_run *run, struct pmdzero_error *err)
{
	struct uring_ctx c = { .run = run, .name = "uring-fallocate", .fallocate = 1 };
	uint64_t sqes;
	unsigned int qd;
	int ret;

	/* No block size: the whole range in one SQE. */
	run->res->io_size = run->opts->block_size ? pz_io_size(run) : run->opts->length;
	sqes = (run->opts->length + run->res->io_size - 1) / run->res->io_size;
	qd = pz_queue_depth(run, run->res->io_size);
	run->res->queue_depth = qd;
	ret = uring_init(&c, qd, err);
	if (ret)
		return ret;
	ret = check_fallocate_op(&c, err);
	if (ret) {
		io_uring_queue_exit(&c.ring);
		return ret;
	}
	snprintf(run->res->detail, sizeof(run->res->detail),
		 "IORING_OP_FALLOCATE zero range, %llu SQE%s", (unsigned long long)sqes,
		 sqes == 1 ? " for the whole range" : "s");
	ret = uring_loop(&c, qd, run->res->io_size, err);
	io_uring_queue_exit(&c.ring);
	free(c.slots);
	free(c.free_slots);
	return ret;
}

const struct pz_engine pz_engine_uring = {
	.name = "uring",
	.help = "io_uring O_DIRECT writes of a registered zero buffer",
	.flags = PMDZERO_ENGINE_WRITES | PMDZERO_ENGINE_QUEUED,
	.available = uring_writes_available,
	.run = run_uring,
};

const struct pz_engine pz_engine_uring_fallocate = {
	.name = "uring-fallocate",
	.help = "one io_uring IORING_OP_FALLOCATE zero range (chunks with -b)",
	/* One call unless a block size asks for chunks. */
	.flags = PMDZERO_ENGINE_ONE_CALL | PMDZERO_ENGINE_CHUNKS | PMDZERO_ENGINE_QUEUED,
	.available = uring_fallocate_available,
	.run = run_uring_fallocate,
};
