// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * shape: how many bios and requests one BLKZEROOUT turns into.
 *
 * The model follows the block layer, kept small enough to check by hand:
 *
 * 1. With a Write Zeroes offload (write_zeroes_max_bytes > 0), the kernel
 *    sends data-less bios of at most write_zeroes_max_bytes (and less than
 *    4 GiB, bi_size is 32 bits), rounded down to the logical block; they
 *    are never split and never merged, so requests == bios.
 * 2. Otherwise __blkdev_issue_zero_pages() fills each bio with bvecs of
 *    the zero source (bvec_bytes: 4 KiB ZERO_PAGE on a stock kernel, 2 MiB
 *    with a PMD-sized zero folio), at most max_vecs of them, and, as the
 *    series' patch 0005 does, at most 8 MiB rounded down to whole
 *    requests (never less than one request).  Repeated bvecs of the same
 *    page never merge (they are not physically contiguous).  The cap only
 *    binds with the folio: 256 ZERO_PAGE bvecs are 1 MiB.  Every bio but
 *    the last is that size.
 * 3. Each bio is cut into requests as bio_split_rw_at() does: walk the
 *    bvecs, each contributing segments of at most max_segment_size;
 *    a request ends when it has max_segments segments or reaches
 *    max_sectors (rounded down to the physical block), and a bvec that
 *    does not fit is cut there.  Every cut is one block:block_split.
 *
 * Assumed: bios start aligned to the physical block, no chunk_sectors, no
 * virt_boundary_mask, and no merging between bios (true when requests are
 * built full, which is what the split does).  The trace counts merges, so
 * a wrong assumption shows up there.
 */
#include <errno.h>

#include "internal.h"

#define PZ_BIO_MAX_BYTES	0xffffffffULL	/* bi_size is unsigned int */
#define PZ_ZERO_BIO_CAP		(8ULL << 20)	/* 0005's BLKDEV_ZERO_BIO_MAX_BYTES */

struct shape_limits {
	uint64_t max_bytes;
	uint64_t max_segments;
	uint64_t max_segment_size;
	uint64_t bvec;
};

/* Requests one bio of bio_bytes becomes; each bvec starts at a multiple of
 * bvec bytes from the bio's start. */
static uint64_t bio_requests(uint64_t bio_bytes, const struct shape_limits *l)
{
	uint64_t pos = 0, reqs = 0, bytes, segs, seg;

	while (pos < bio_bytes) {
		for (bytes = 0, segs = 0;
		     pos < bio_bytes && segs < l->max_segments && bytes < l->max_bytes;
		     segs++, bytes += seg, pos += seg) {
			seg = l->bvec - pos % l->bvec;		/* rest of this bvec */
			seg = PZ_MIN(seg, bio_bytes - pos);
			seg = PZ_MIN(seg, l->max_segment_size);
			seg = PZ_MIN(seg, l->max_bytes - bytes);
		}
		reqs++;
	}
	return reqs;
}

static int pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int pmdzero_shape(const struct pmdzero_shape_params *p, struct pmdzero_shape *s)
{
	struct shape_limits l;
	uint64_t bio_max, full, tail, per_full;

	s->bios = s->requests = s->splits = s->bio_bytes = 0;
	if (!pow2(p->logical_block_size) || p->logical_block_size < 512 ||
	    !pow2(p->physical_block_size) || p->physical_block_size < p->logical_block_size ||
	    p->bytes % p->logical_block_size)
		return -EINVAL;
	if (!p->bytes)
		return 0;

	if (p->write_zeroes_max_bytes) {
		bio_max = PZ_MIN(p->write_zeroes_max_bytes, PZ_BIO_MAX_BYTES);
		bio_max -= bio_max % p->logical_block_size;
		if (!bio_max)
			return -EINVAL;
		s->bios = s->requests = (p->bytes + bio_max - 1) / bio_max;
		s->bio_bytes = PZ_MIN(bio_max, p->bytes);
		return 0;
	}

	if (!p->bvec_bytes || p->bvec_bytes % 512 || !p->max_vecs || !p->max_sectors ||
	    !p->max_segments || p->max_segment_size < 512)
		return -EINVAL;
	l.bvec = p->bvec_bytes;
	l.max_segments = p->max_segments;
	l.max_segment_size = p->max_segment_size;
	l.max_bytes = (uint64_t)p->max_sectors * 512;
	l.max_bytes -= l.max_bytes % p->physical_block_size;
	if (!l.max_bytes)
		l.max_bytes = p->logical_block_size;

	bio_max = (uint64_t)p->max_vecs * p->bvec_bytes;
	if (bio_max > PZ_BIO_MAX_BYTES)
		bio_max = PZ_BIO_MAX_BYTES - PZ_BIO_MAX_BYTES % p->bvec_bytes;
	/* 0005's blkdev_zero_bio_sectors(): whole requests up to 8 MiB. */
	bio_max = PZ_MIN(bio_max, PZ_MAX(l.max_bytes, PZ_ZERO_BIO_CAP -
					  PZ_ZERO_BIO_CAP % l.max_bytes));
	full = p->bytes / bio_max;
	tail = p->bytes % bio_max;
	per_full = full ? bio_requests(bio_max, &l) : 0;
	s->bios = full + (tail ? 1 : 0);
	s->requests = full * per_full + (tail ? bio_requests(tail, &l) : 0);
	s->splits = s->requests - s->bios;
	s->bio_bytes = full ? bio_max : tail;
	return 0;
}
