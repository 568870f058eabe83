// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uring engines.
 *
 * uring: O_DIRECT writes of one zero buffer (2 MiB huge page backed when
 * possible), registered once as a fixed buffer so the kernel does not pin
 * and unpin pages per I/O, queue_depth writes in flight.  Vectored: each
 * write is an IORING_OP_WRITEV whose iovecs all point at one 2 MiB buffer.
 *
 * A plain ring and a plain fd, on purpose.  Set up as fio sets its own
 * (IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, the device a
 * registered file), 4 GiB of 2 MiB writes cost 0.4-0.8% fewer instructions
 * on null_blk at default limits and at 8 MiB requests, but 12% more at
 * 1280 KiB requests (31.9-34.1 M against 35.7-36.0 M on the patched
 * kernel under -icount), where every write fails -EAGAIN and is reissued
 * from io-wq; vectored writes gained nothing, and uring-fallocate's one
 * SQE cost 2.5% more at 8 MiB requests.
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

/* The io_uring side of the queued loop (queue.c): an SQE per slot, the
 * slot's index as its user data. */
struct uring_ctx {
	struct pz_run *run;
	struct io_uring ring;
	const char *name;
	int fallocate;		/* IORING_OP_FALLOCATE instead of writes */
	int fixed;		/* buffer registered */
	unsigned int maxv;	/* vectored: iovecs per write, else 0 */
	struct iovec *iov;	/* vectored: maxv per slot, in use until the CQE */
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

static void uring_prep(struct pz_queue *q, unsigned int idx)
{
	struct uring_ctx *c = q->backend;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	const struct pz_queue_slot *s = &q->slots[idx];
	int fd = c->run->dev->fd;

	/* The SQ ring holds queue_depth entries and at most queue_depth are
	 * queued or in flight, so an SQE is always free here. */
	if (c->fallocate) {
		io_uring_prep_fallocate(sqe, fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
					(off_t)s->off, (off_t)s->len);
	} else if (c->maxv) {
		struct iovec *v = &c->iov[(size_t)idx * c->maxv];

		io_uring_prep_writev(sqe, fd, v, pz_iov_plan(s->len, c->zb.addr, c->zb.len, v,
							     c->maxv), s->off);
	} else if (c->fixed) {
		io_uring_prep_write_fixed(sqe, fd, c->zb.addr, (unsigned int)s->len, s->off, 0);
	} else {
		io_uring_prep_write(sqe, fd, c->zb.addr, (unsigned int)s->len, s->off);
	}
	io_uring_sqe_set_data64(sqe, idx);
}

/* Whatever the kernel did not take stays queued in the SQ ring. */
static int uring_submit(struct pz_queue *q)
{
	struct uring_ctx *c = q->backend;

	return io_uring_submit(&c->ring);
}

static int uring_reap(struct pz_queue *q, struct pz_queue_cqe *out, unsigned int max)
{
	struct uring_ctx *c = q->backend;
	struct io_uring_cqe *cqe;
	unsigned int n = 0;
	int r = io_uring_wait_cqe(&c->ring, &cqe);

	if (r < 0)
		return r;
	do {
		out[n].idx = (unsigned int)io_uring_cqe_get_data64(cqe);
		out[n].res = cqe->res;
		io_uring_cqe_seen(&c->ring, cqe);
		n++;
	} while (n < max && !io_uring_peek_cqe(&c->ring, &cqe));
	return (int)n;
}

/*
 * Waits for the I/Os still in flight after an error: they write inside the
 * range, into our buffer, and must be done before the buffer is freed and
 * the caller reports (the aio engine's io_destroy() does the same).  Gives
 * up only if the ring itself fails.
 */
static void uring_drain(struct pz_queue *q)
{
	struct uring_ctx *c = q->backend;
	struct io_uring_cqe *cqe;
	int r;

	while (q->inflight) {
		r = io_uring_wait_cqe(&c->ring, &cqe);
		if (r == -EINTR)
			continue;
		if (r < 0)
			break;
		io_uring_cqe_seen(&c->ring, cqe);
		q->inflight--;
	}
}

/* IORING_OP_FALLOCATE refused before anything was zeroed: the kernel or
 * the device lacks it, which is -EOPNOTSUPP for the caller. */
static int uring_error(struct pz_queue *q, unsigned int idx, int res, struct pmdzero_error *err)
{
	struct uring_ctx *c = q->backend;

	if (c->fallocate && (res == -EOPNOTSUPP || res == -EINVAL) && !q->done)
		return pz_error(err, -EOPNOTSUPP,
				"%s: IORING_OP_FALLOCATE zero range is not supported here: %s",
				c->name, strerror(-res));
	return pz_error(err, res, "%s: %s at offset %llu failed: %s", c->name, q->what,
			(unsigned long long)q->slots[idx].off, strerror(-res));
}

static const struct pz_queue_ops uring_ops = {
	.prep = uring_prep,
	.submit = uring_submit,
	.reap = uring_reap,
	.drain = uring_drain,
	.error = uring_error,
};

/* The range through the shared loop, qd I/Os of io bytes in flight. */
static int uring_loop(struct uring_ctx *c, unsigned int qd, uint64_t io,
		      struct pmdzero_error *err)
{
	struct pz_queue q = { .run = c->run, .name = c->name, .ops = &uring_ops, .backend = c,
			      .qd = qd, .whole_slots = c->fallocate,
			      .what = c->fallocate ? "fallocate" : "write" };
	int ret;

	if (c->maxv) {
		c->iov = calloc((size_t)qd * c->maxv, sizeof(*c->iov));
		if (!c->iov)
			return pz_error(err, -ENOMEM, "%s: out of memory", c->name);
	}
	ret = pz_queue_run(&q, io, err);
	pz_queue_free(&q);
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
