// SPDX-License-Identifier: GPL-2.0-or-later
/* pz_iov_plan() and pz_iov_count(): the iovecs of a vectored write all
 * point at the one buffer, sum to the length, all full but the last. */
#include <limits.h>
#include <stdint.h>
#include <sys/uio.h>

#include "internal.h"
#include "test.h"

#define MiB (1ULL << 20)

static void plan(uint64_t len, size_t blen, unsigned int max, unsigned int want)
{
	static char buf[1];
	struct iovec iov[8];
	unsigned int n, i;
	uint64_t sum = 0;

	n = pz_iov_plan(len, buf, blen, iov, max);
	CHECK(n == want, "len %llu buf %zu max %u: %u iovecs, expected %u",
	      (unsigned long long)len, blen, max, n, want);
	for (i = 0; i < n; i++) {
		CHECK(iov[i].iov_base == buf, "iovec %u does not point at the buffer", i);
		CHECK(iov[i].iov_len == blen || i == n - 1, "iovec %u is short", i);
		CHECK(iov[i].iov_len > 0 && iov[i].iov_len <= blen, "iovec %u: %zu bytes",
		      i, iov[i].iov_len);
		sum += iov[i].iov_len;
	}
	CHECK(!n || sum == len, "len %llu: iovecs sum to %llu", (unsigned long long)len,
	      (unsigned long long)sum);
}

int main(void)
{
	plan(8 * MiB, 2 * MiB, 8, 4);
	plan(8 * MiB + 512, 2 * MiB, 8, 5);		/* a 512-byte tail */
	plan(3 * MiB + 4096, 2 * MiB, 8, 2);
	plan(512, 2 * MiB, 8, 1);			/* less than the buffer */
	plan(2 * MiB, 2 * MiB, 1, 1);
	plan(16 * MiB, 2 * MiB, 8, 8);			/* exactly max */
	plan(16 * MiB + 512, 2 * MiB, 8, 0);		/* one too many */
	plan(0, 2 * MiB, 8, 0);
	plan(4096, 0, 8, 0);
	CHECK(pz_iov_count(8 * MiB, 2 * MiB) == 4, "count 8M/2M");
	CHECK(pz_iov_count(1ULL << 30, 2 * MiB) == 512, "1 GiB takes 512 iovecs");
	CHECK(pz_iov_count(1ULL << 30, 2 * MiB) <= IOV_MAX, "1 GiB within IOV_MAX");
	CHECK(pz_iov_count(1, 2 * MiB) == 1, "count 1");
	CHECK(pz_iov_count(1, 0) == 0, "count with no buffer");
	TEST_EXIT();
}
