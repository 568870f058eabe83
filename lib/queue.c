// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * queue: the in-flight loop the queued engines (aio, uring, uring-fallocate)
 * share.  A range is cut into I/Os of io bytes, each in one of qd slots; a
 * backend prepares, submits and reaps them (libaio or io_uring), and the
 * loop here decides everything else the same way for both:
 *
 *  - a completion with -EAGAIN or -EINTR is the same I/O again;
 *  - a short write resubmits the rest from the same slot;
 *  - the first error wins: nothing new is queued, nothing requeued, and
 *    what is in flight is waited for (it writes inside the range, from
 *    buffers the caller frees next);
 *  - after pmdzero_zero_interrupt() nothing new is queued and what is in
 *    flight, short-write remainders included, completes, so that what is
 *    done is the prefix [offset, next) the error then reports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Queues slot idx for the next submit. */
static void queue(struct pz_queue *q, unsigned int idx)
{
	q->ops->prep(q, idx);
	q->queued++;
}

/* Handles one completion of slot idx with result res (bytes, or -errno);
 * returns the first error so far. */
static int complete(struct pz_queue *q, unsigned int idx, long res, int ret,
		    struct pmdzero_error *err)
{
	struct pz_queue_slot *s = &q->slots[idx];
	uint64_t got;

	q->inflight--;
	if ((res == -EAGAIN || res == -EINTR) && !ret) {
		queue(q, idx);			/* the same I/O again */
		return ret;
	}
	if (res < 0 || (res == 0 && !q->whole_slots)) {
		q->free_slots[q->nfree++] = idx;
		if (ret)
			return ret;		/* keep the first error */
		if (res == 0)
			return pz_error(err, -EIO, "%s: %s at offset %llu made no progress", q->name,
					q->what, (unsigned long long)s->off);
		if (q->ops->error)
			return q->ops->error(q, idx, (int)res, err);
		return pz_error(err, (int)res, "%s: %s at offset %llu failed: %s", q->name,
				q->what, (unsigned long long)s->off, strerror((int)-res));
	}
	/* A fallocate's success covers its whole slot, which may be past
	 * INT_MAX bytes: count in 64 bits. */
	got = q->whole_slots ? s->len : (uint64_t)res;
	q->done += got;
	if (got < s->len && !ret) {
		ret = pz_check_short(q->run, q->name, got, err);
		if (!ret) {
			s->off += got;		/* the rest from the same slot */
			s->len -= got;
			queue(q, idx);
			return ret;
		}
	}
	q->free_slots[q->nfree++] = idx;
	return ret;
}

int pz_queue_run(struct pz_queue *q, uint64_t io, struct pmdzero_error *err)
{
	const struct pmdzero_zero_opts *o = q->run->opts;
	uint64_t next = o->offset, end = o->offset + o->length;
	struct pz_queue_cqe *cqes;
	unsigned int i, idx;
	int ret = 0, r;

	q->slots = calloc(q->qd, sizeof(*q->slots));
	q->free_slots = calloc(q->qd, sizeof(*q->free_slots));
	cqes = calloc(q->qd, sizeof(*cqes));
	if (!q->slots || !q->free_slots || !cqes) {
		free(cqes);
		return pz_error(err, -ENOMEM, "%s: out of memory", q->name);
	}
	for (i = 0; i < q->qd; i++)
		q->free_slots[i] = q->qd - 1 - i;
	q->nfree = q->qd;
	q->queued = q->inflight = 0;
	q->done = 0;

	pz_progress(q->run, 0);
	while ((next < end && !ret && !pz_interrupted(q->run)) || q->inflight ||
	       (q->queued && !ret)) {
		/* Interrupted: nothing new, only what is in flight and the
		 * rest of its short writes, so what is done is a prefix. */
		while (!ret && next < end && q->nfree && !pz_interrupted(q->run)) {
			idx = q->free_slots[--q->nfree];
			q->slots[idx].off = next;
			q->slots[idx].len = PZ_MIN(io, end - next);
			next += q->slots[idx].len;
			queue(q, idx);
		}
		if (q->queued && !ret) {
			r = q->ops->submit(q);
			if (r == -EINTR)
				continue;	/* a signal: again (stop signals
						   are seen above) */
			if (r == -EAGAIN)
				r = 0;		/* try again after a completion */
			if (r < 0) {
				/* What is still queued was never submitted;
				 * what is in flight is waited for. */
				ret = pz_error(err, r, "%s: submit failed: %s", q->name, strerror(-r));
			} else if (r == 0 && !q->inflight) {
				/* Nothing in flight to wait for: it would spin. */
				ret = pz_error(err, -EIO, "%s: submit made no progress", q->name);
			} else {
				q->inflight += (unsigned int)r;
				q->queued -= (unsigned int)r;
			}
		}
		if (!q->inflight) {
			if (ret)
				break;
			continue;
		}
		r = q->ops->reap(q, cqes, q->inflight);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			if (!ret)
				ret = pz_error(err, r, "%s: waiting for completions failed: %s", q->name,
					       strerror(-r));
			break;
		}
		for (i = 0; i < (unsigned int)r; i++)
			ret = complete(q, cqes[i].idx, cqes[i].res, ret, err);
		pz_progress(q->run, q->done);
	}
	if (q->inflight && q->ops->drain)
		q->ops->drain(q);
	free(cqes);
	if (!ret && next < end && pz_interrupted(q->run)) {
		/* Everything submitted completed: [offset, next) is zero. */
		q->run->done = next - o->offset;
		ret = pz_interrupted_error(q->run, q->name, err);
	}
	return ret;
}

void pz_queue_free(struct pz_queue *q)
{
	free(q->slots);
	free(q->free_slots);
	q->slots = NULL;
	q->free_slots = NULL;
}
