// SPDX-License-Identifier: LGPL-2.1-or-later
/* aio engine: libaio O_DIRECT writes of one zero buffer, queue_depth in flight;
 * vectored, pwritev iocbs whose iovecs all point at one 2 MiB buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaio.h>

#include "internal.h"

static int aio_setup_error(int r, unsigned int qd, struct pmdzero_error *err)
{
	if (r == -ENOSYS)
		return pz_error(err, -EOPNOTSUPP, "aio: native AIO is not available: %s (CONFIG_AIO off)",
				strerror(-r));
	return pz_error(err, r, "aio: io_setup(%u) failed: %s%s", qd, strerror(-r),
			r == -EAGAIN ? " (fs.aio-max-nr reached)" : "");
}

static int aio_available(struct pmdzero_error *err)
{
	io_context_t ctx = 0;
	int r = io_setup(1, &ctx);

	if (r < 0)
		return aio_setup_error(r, 1, err);
	io_destroy(ctx);
	return 0;
}

/* The libaio side of the queued loop (queue.c): one iocb per slot. */
struct aio_backend {
	io_context_t ctx;
	struct iocb *iocbs;	/* qd, slot i's is iocbs[i] */
	struct iocb **pend;	/* prepared, not yet taken by io_submit() */
	unsigned int npend;
	struct io_event *ev;
	struct iovec *iov;	/* vectored: maxv per slot, in use until the event */
	unsigned int maxv;
	struct pz_zbuf zb;
};

/* A pwrite of the buffer, or with maxv a pwritev of the slot's iovecs. */
static void aio_prep(struct pz_queue *q, unsigned int idx)
{
	struct aio_backend *b = q->backend;
	struct iocb *cb = &b->iocbs[idx];
	const struct pz_queue_slot *s = &q->slots[idx];
	int fd = q->run->dev->fd;

	if (b->maxv) {
		struct iovec *v = &b->iov[(size_t)idx * b->maxv];

		io_prep_pwritev(cb, fd, v, (int)pz_iov_plan(s->len, b->zb.addr, b->zb.len, v,
							      b->maxv), (long long)s->off);
	} else {
		io_prep_pwrite(cb, fd, b->zb.addr, (size_t)s->len, (long long)s->off);
	}
	b->pend[b->npend++] = cb;
}

static int aio_submit(struct pz_queue *q)
{
	struct aio_backend *b = q->backend;
	int n = io_submit(b->ctx, (long)b->npend, b->pend);

	if (n > 0) {
		/* io_submit may take fewer than offered: keep the rest. */
		memmove(b->pend, b->pend + n, (b->npend - (unsigned int)n) * sizeof(*b->pend));
		b->npend -= (unsigned int)n;
	}
	return n;
}

static int aio_reap(struct pz_queue *q, struct pz_queue_cqe *cqe, unsigned int max)
{
	struct aio_backend *b = q->backend;
	int i, n = io_getevents(b->ctx, 1, (long)max, b->ev, NULL);

	for (i = 0; i < n; i++) {
		cqe[i].idx = (unsigned int)((struct iocb *)b->ev[i].obj - b->iocbs);
		cqe[i].res = (long)b->ev[i].res;
	}
	return n;
}

static const struct pz_queue_ops aio_ops = {
	.prep = aio_prep,
	.submit = aio_submit,
	.reap = aio_reap,
	/* No drain: io_destroy() waits for what is in flight. */
};

static int run_aio(struct pz_run *run, struct pmdzero_error *err)
{
	struct aio_backend b = { 0 };
	struct pz_queue q = { .run = run, .name = "aio", .what = "write", .ops = &aio_ops,
			      .backend = &b };
	uint64_t io;
	int ret, r;

	ret = pz_direct_begin(run, "aio", &b.zb, err);
	if (ret)
		return ret;
	io = run->res->io_size;
	q.qd = pz_queue_depth(run, io);
	run->res->queue_depth = q.qd;
	if (pz_vectored(run)) {
		b.maxv = pz_iov_count(io, b.zb.len);
		snprintf(run->res->detail, sizeof(run->res->detail),
			 "O_DIRECT libaio pwritev, up to %u iovecs of one %zu byte %s buffer", b.maxv,
			 b.zb.len, b.zb.kind);
	} else {
		snprintf(run->res->detail, sizeof(run->res->detail), "O_DIRECT libaio, %s buffer",
			 b.zb.kind);
	}

	r = io_setup((int)q.qd, &b.ctx);
	if (r < 0) {
		ret = aio_setup_error(r, q.qd, err);
		goto out_buf;
	}
	b.iocbs = calloc(q.qd, sizeof(*b.iocbs));
	b.pend = calloc(q.qd, sizeof(*b.pend));
	b.ev = calloc(q.qd, sizeof(*b.ev));
	if (b.maxv)
		b.iov = calloc((size_t)q.qd * b.maxv, sizeof(*b.iov));
	if (!b.iocbs || !b.pend || !b.ev || (b.maxv && !b.iov))
		ret = pz_error(err, -ENOMEM, "aio: out of memory");
	else
		ret = pz_queue_run(&q, io, err);
	/* io_destroy() waits for in-flight requests (all inside the range). */
	io_destroy(b.ctx);
	pz_queue_free(&q);
	free(b.iocbs);
	free(b.pend);
	free(b.ev);
	free(b.iov);
out_buf:
	pz_direct_end(run, &b.zb);
	return ret;
}

const struct pz_engine pz_engine_aio = {
	.name = "aio",
	.help = "libaio O_DIRECT writes of a zero buffer, queue_depth in flight",
	.flags = PMDZERO_ENGINE_WRITES | PMDZERO_ENGINE_QUEUED,
	.available = aio_available,
	.run = run_aio,
};
