// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero_shape(): bios and requests of a BLKZEROOUT, against numbers
 * measured on 6.12 (issue 2) and worked out by hand from the block layer's
 * rules (see lib/shape.c).
 */
#include <errno.h>
#include <stdint.h>

#include "pmdzero.h"
#include "test.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static struct pmdzero_shape_params base(uint64_t bytes, uint32_t bvec, uint32_t max_sectors)
{
	struct pmdzero_shape_params p = {
		.bytes = bytes,
		.bvec_bytes = bvec,
		.max_vecs = 256,			/* BIO_MAX_VECS */
		.max_sectors = max_sectors,
		.max_segments = 128,			/* BLK_MAX_SEGMENTS */
		.max_segment_size = 65536,		/* BLK_MAX_SEGMENT_SIZE */
		.logical_block_size = 512,
		.physical_block_size = 512,
	};
	return p;
}

static void expect(const char *what, struct pmdzero_shape_params p, uint64_t bios,
		   uint64_t requests, uint64_t splits, uint64_t bio_bytes)
{
	struct pmdzero_shape s;
	int ret = pmdzero_shape(&p, &s);

	CHECK(ret == 0, "%s: returned %d", what, ret);
	CHECK(s.bios == bios, "%s: bios %llu, expected %llu", what, (unsigned long long)s.bios,
	      (unsigned long long)bios);
	CHECK(s.requests == requests, "%s: requests %llu, expected %llu", what,
	      (unsigned long long)s.requests, (unsigned long long)requests);
	CHECK(s.splits == splits, "%s: splits %llu, expected %llu", what,
	      (unsigned long long)s.splits, (unsigned long long)splits);
	CHECK(s.bio_bytes == bio_bytes, "%s: bio_bytes %llu, expected %llu", what,
	      (unsigned long long)s.bio_bytes, (unsigned long long)bio_bytes);
}

int main(void)
{
	struct pmdzero_shape_params p;
	struct pmdzero_shape s;

	/* Stock: 4 KiB ZERO_PAGE bvecs, 256 per bio = 1 MiB bios.
	 * null_blk defaults, max_sectors 255 (BLK_SAFE_MAX_SECTORS): each
	 * 2048-sector bio is cut into 8 x 255 + 8 = 9 requests.  Measured on
	 * 6.12: 1024 bios, 9216 requests per GiB. */
	expect("stock, default limits", base(GiB, 4096, 255), 1024, 9216, 8192, MiB);
	/* max_sectors 16384 (8 MiB): now max_segments binds, 128 x 4 KiB =
	 * 512 KiB per request.  Measured on 6.12: 2048 requests per GiB. */
	expect("stock, max_sectors 16384", base(GiB, 4096, 16384), 1024, 2048, 1024, MiB);
	/* Patched (the series as shipped, 0005): 2 MiB bvecs, bios of at most
	 * 8 MiB in whole requests.  64 KiB segments, 128 of them = 8 MiB =
	 * max_sectors: one request per bio, 128 bios and 128 requests per GiB.
	 * Measured on 6.12.118 (guest 020, max_sectors_kb 8192): 128 / 128. */
	expect("folio, max_sectors 16384", base(GiB, 2 * MiB, 16384), 128, 128, 0, 8 * MiB);
	/* Patched at default limits: requests of 255 sectors (130560 bytes),
	 * 64 of them = 8355840 bytes a bio; 128 such bios and a 4 MiB one (33
	 * requests).  Measured (guest 010): 129 bios, 8225 requests. */
	expect("folio, default limits", base(GiB, 2 * MiB, 255), 129, 8225, 8096, 8355840);
	/* 1280 KiB requests (max_sectors_kb's default cap): 6 a bio, 7.5 MiB;
	 * 136 of them and a 4 MiB bio (4 requests).  Measured (guest 020 before
	 * max_sectors_kb is raised): 137 bios, 820 requests. */
	expect("folio, 1280 KiB requests", base(GiB, 2 * MiB, 2560), 137, 820, 683, 7864320);
	/* Loop device limits (max_sectors_kb 1280), a range not aligned to
	 * 2 MiB: 3 MiB + 8 KiB in one bio; 20 x 64 KiB segments = 1280 KiB per
	 * request, the second one straddling the folio boundary: 3 requests. */
	expect("folio, unaligned, loop limits", base(3 * MiB + 8 * KiB, 2 * MiB, 2560), 1, 3, 2,
	       3 * MiB + 8 * KiB);
	/* A tail bio: 1 MiB + 4 KiB = one full stock bio and a one-page bio. */
	expect("stock, tail", base(MiB + 4 * KiB, 4096, 16384), 2, 3, 1, MiB);
	/* max_sectors is rounded down to the physical block: 255 sectors with
	 * 4 KiB physical blocks is 31 pages, 126976 bytes per request:
	 * stock 256 / 31 -> 9 requests per bio; folio bios of 66 requests
	 * (8380416 bytes), 128 of them and a 1 MiB bio of 9 requests.
	 * Measured (guest 010, 4 KiB blocks): 129 bios, 8457 requests. */
	p = base(GiB, 4096, 255);
	p.physical_block_size = 4096;
	expect("stock, 4k physical", p, 1024, 9216, 8192, MiB);
	p.bvec_bytes = 2 * MiB;
	expect("folio, 4k physical", p, 129, 8457, 8328, 8380416);
	/* A one-bvec-per-bio queue (max_vecs 1) with the folio: 512 bios. */
	p = base(GiB, 2 * MiB, 16384);
	p.max_vecs = 1;
	expect("folio, one vec per bio", p, 512, 512, 0, 2 * MiB);

	/* Write Zeroes offload: data-less bios up to the limit, no splits.
	 * Loop devices report 4294966784 (UINT_MAX rounded to 512). */
	p = base(GiB, 4096, 255);
	p.write_zeroes_max_bytes = 4294966784ULL;
	expect("write zeroes, loop", p, 1, 1, 0, GiB);
	p.bytes = 8 * GiB;	/* 2 x 4294966784 < 8 GiB: 3 bios */
	expect("write zeroes, 8 GiB", p, 3, 3, 0, 4294966784ULL);
	p.bytes = 16 * MiB;
	expect("write zeroes, 16 MiB", p, 1, 1, 0, 16 * MiB);
	p.bytes = GiB;
	p.write_zeroes_max_bytes = MiB;
	expect("write zeroes, 1 MiB limit", p, 1024, 1024, 0, MiB);
	p.write_zeroes_max_bytes = 16ULL << 40;	/* capped by the 32-bit bi_size */
	p.bytes = 8 * GiB;
	expect("write zeroes, huge limit", p, 3, 3, 0, 4294966784ULL);

	p = base(0, 4096, 255);
	expect("zero bytes", p, 0, 0, 0, 0);

	/* Invalid parameters. */
	p = base(GiB, 4096, 255);
	p.logical_block_size = 0;
	CHECK(pmdzero_shape(&p, &s) == -EINVAL, "lbs 0");
	p = base(GiB + 100, 4096, 255);
	CHECK(pmdzero_shape(&p, &s) == -EINVAL, "bytes not a multiple of 512");
	p = base(GiB, 0, 255);
	CHECK(pmdzero_shape(&p, &s) == -EINVAL, "bvec 0");
	p = base(GiB, 4096, 0);
	CHECK(pmdzero_shape(&p, &s) == -EINVAL, "max_sectors 0");
	p = base(GiB, 4096, 255);
	p.max_segments = 0;
	CHECK(pmdzero_shape(&p, &s) == -EINVAL, "max_segments 0");
	p = base(GiB, 4096, 255);
	p.physical_block_size = 256;
	CHECK(pmdzero_shape(&p, &s) == -EINVAL, "physical < logical");
	TEST_EXIT();
}
