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

/* Bytes a vectored iocb writes. */
static uint64_t iov_bytes(const struct iocb *cb)
{
	/* io_prep_pwritev() keeps the array in buf and its length in nbytes. */
	const struct iovec *v = cb->u.c.buf;
	uint64_t n = 0;
	unsigned long i;

	for (i = 0; i < cb->u.c.nbytes; i++)
		n += v[i].iov_len;
	return n;
}

/* Prepares cb to write len bytes at off: a pwrite of the buffer, or with
 * maxv a pwritev of cb's own maxv iovecs, which cb->data points at (set
 * once, kept across the preps, which clear the iocb). */
static void prep_write(struct pz_run *run, struct iocb *cb, const struct pz_zbuf *zb,
		       unsigned int maxv, uint64_t len, uint64_t off)
{
	struct iovec *v = cb->data;
	unsigned int nv;

	if (!maxv) {
		io_prep_pwrite(cb, run->dev->fd, zb->addr, (size_t)len, (long long)off);
		return;
	}
	nv = pz_iov_plan(len, zb->addr, zb->len, v, maxv);
	io_prep_pwritev(cb, run->dev->fd, v, (int)nv, (long long)off);
	cb->data = v;
}

static int run_aio(struct pz_run *run, struct pmdzero_error *err)
{
	const struct pmdzero_zero_opts *o = run->opts;
	uint64_t next = o->offset, end = o->offset + o->length, done = 0, io;
	unsigned int qd, i, nfree, npend = 0, inflight = 0;
	struct iocb *iocbs = NULL, **pend = NULL, **freel = NULL;
	struct io_event *ev = NULL;
	struct iovec *iov = NULL;
	unsigned int maxv = 0;
	io_context_t ctx = 0;
	struct pz_zbuf zb;
	int ret, r, n;

	ret = pz_direct_begin(run, "aio", &zb, err);
	if (ret)
		return ret;
	io = run->res->io_size;
	qd = pz_queue_depth(run, io);
	run->res->queue_depth = qd;
	if (pz_vectored(run)) {
		maxv = pz_iov_count(io, zb.len);
		snprintf(run->res->detail, sizeof(run->res->detail),
			 "O_DIRECT libaio pwritev, up to %u iovecs of one %zu byte %s buffer", maxv,
			 zb.len, zb.kind);
	} else {
		snprintf(run->res->detail, sizeof(run->res->detail), "O_DIRECT libaio, %s buffer",
			 zb.kind);
	}

	r = io_setup((int)qd, &ctx);
	if (r < 0) {
		ret = aio_setup_error(r, qd, err);
		goto out_buf;
	}
	iocbs = calloc(qd, sizeof(*iocbs));
	pend = calloc(qd, sizeof(*pend));
	freel = calloc(qd, sizeof(*freel));
	ev = calloc(qd, sizeof(*ev));
	/* Each iocb owns maxv iovecs, in use until its completion. */
	if (maxv)
		iov = calloc((size_t)qd * maxv, sizeof(*iov));
	if (!iocbs || !pend || !freel || !ev || (maxv && !iov)) {
		ret = pz_error(err, -ENOMEM, "aio: out of memory");
		goto out;
	}
	for (i = 0; i < qd; i++) {
		freel[i] = &iocbs[i];
		if (maxv)
			iocbs[i].data = &iov[(size_t)i * maxv];
	}
	nfree = qd;

	pz_progress(run, 0);
	while ((next < end && !ret && !pz_interrupted(run)) || inflight || npend) {
		/* Interrupted: nothing new, only what is in flight and the
		 * rest of its short writes, so what is done is a prefix. */
		while (!ret && next < end && nfree && !pz_interrupted(run)) {
			struct iocb *cb = freel[--nfree];
			uint64_t len = PZ_MIN(io, end - next);

			prep_write(run, cb, &zb, maxv, len, next);
			pend[npend++] = cb;
			next += len;
		}
		if (npend) {
			n = io_submit(ctx, (long)npend, pend);
			/* -EAGAIN with nothing in flight would spin forever. */
			if (n < 0 && ((n != -EAGAIN && n != -EINTR) || (n == -EAGAIN && !inflight))) {
				ret = pz_error(err, n, "aio: io_submit failed: %s", strerror(-n));
				npend = 0;	/* never submitted: nothing to wait for */
				if (!inflight)
					break;
			} else if (n > 0) {
				/* io_submit may take fewer than offered: keep the rest. */
				memmove(pend, pend + n, (npend - (unsigned int)n) * sizeof(*pend));
				npend -= (unsigned int)n;
				inflight += (unsigned int)n;
			}
		}
		if (!inflight)
			continue;
		n = io_getevents(ctx, 1, (long)inflight, ev, NULL);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			ret = pz_error(err, n, "aio: io_getevents failed: %s", strerror(-n));
			break;	/* io_destroy() below waits for what is in flight */
		}
		for (i = 0; i < (unsigned int)n; i++) {
			struct iocb *cb = ev[i].obj;
			long res = (long)ev[i].res;
			uint64_t len = maxv ? iov_bytes(cb) : cb->u.c.nbytes;
			uint64_t off = (uint64_t)cb->u.c.offset;

			inflight--;
			if (res == -EAGAIN || res == -EINTR) {
				pend[npend++] = cb;	/* same I/O again */
				continue;
			}
			if (res <= 0) {
				freel[nfree++] = cb;
				if (!ret)
					ret = res ? pz_error(err, (int)res, "aio: write at offset %llu failed: %s",
							     (unsigned long long)off, strerror((int)-res))
						  : pz_error(err, -EIO, "aio: write at offset %llu made no progress",
							     (unsigned long long)off);
				continue;
			}
			done += (uint64_t)res;
			if ((uint64_t)res < len && !ret) {
				ret = pz_check_short(run, "aio", (uint64_t)res, err);
				if (!ret) {
					prep_write(run, cb, &zb, maxv, len - (uint64_t)res,
						   off + (uint64_t)res);
					pend[npend++] = cb;
					continue;
				}
			}
			freel[nfree++] = cb;
		}
		if (ret)
			npend = 0;
		pz_progress(run, done);
	}
	if (!ret && next < end && pz_interrupted(run)) {
		/* Everything submitted completed: [offset, next) is zero. */
		run->done = next - o->offset;
		ret = pz_interrupted_error(run, "aio", err);
	}
out:
	/* io_destroy() waits for in-flight requests (all inside the range). */
	io_destroy(ctx);
	free(iocbs);
	free(pend);
	free(freel);
	free(ev);
	free(iov);
out_buf:
	pz_direct_end(run, &zb);
	return ret;
}

const struct pz_engine pz_engine_aio = {
	.name = "aio",
	.help = "libaio O_DIRECT writes of a zero buffer, queue_depth in flight",
	.flags = PMDZERO_ENGINE_WRITES | PMDZERO_ENGINE_QUEUED,
	.available = aio_available,
	.run = run_aio,
};
