// SPDX-License-Identifier: LGPL-2.1-or-later
/* psync engine: the baseline, a pwrite() loop with O_DIRECT from one buffer;
 * vectored, a pwritev() loop whose iovecs all point at one 2 MiB buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

static int run_psync(struct pz_run *run, struct pmdzero_error *err)
{
	uint64_t off = run->opts->offset, end = off + run->opts->length, n;
	struct iovec *iov = NULL;
	unsigned int maxv = 0, nv;
	struct pz_zbuf zb;
	ssize_t r;
	int ret;

	ret = pz_direct_begin(run, "psync", &zb, err);
	if (ret)
		return ret;
	if (pz_vectored(run)) {
		maxv = pz_iov_count(run->res->io_size, zb.len);
		iov = calloc(maxv, sizeof(*iov));
		if (!iov) {
			pz_direct_end(run, &zb);
			return pz_error(err, -ENOMEM, "psync: out of memory");
		}
		snprintf(run->res->detail, sizeof(run->res->detail),
			 "O_DIRECT pwritev, up to %u iovecs of one %zu byte %s buffer", maxv, zb.len,
			 zb.kind);
	} else {
		snprintf(run->res->detail, sizeof(run->res->detail), "O_DIRECT pwrite, %s buffer",
			 zb.kind);
	}
	pz_progress(run, 0);
	while (off < end) {
		if (pz_interrupted(run)) {
			ret = pz_interrupted_error(run, "psync", err);
			break;
		}
		n = PZ_MIN(run->res->io_size, end - off);
		if (iov) {
			/* A short write's rest is planned afresh: every
			 * iovec is the same zero buffer. */
			nv = pz_iov_plan(n, zb.addr, zb.len, iov, maxv);
			r = pwritev(run->dev->fd, iov, (int)nv, (off_t)off);
		} else {
			r = pwrite(run->dev->fd, zb.addr, (size_t)n, (off_t)off);
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = pz_error(err, -errno, "psync: write at offset %llu failed: %s",
				       (unsigned long long)off, strerror(errno));
			break;
		}
		if (r == 0) {
			ret = pz_error(err, -EIO, "psync: write at offset %llu made no progress",
				       (unsigned long long)off);
			break;
		}
		off += (uint64_t)r;
		pz_progress(run, off - run->opts->offset);
		/* A short write continues where it stopped. */
		ret = pz_check_short(run, "psync", (uint64_t)r, err);
		if (ret)
			break;
	}
	free(iov);
	pz_direct_end(run, &zb);
	return ret;
}

const struct pz_engine pz_engine_psync = {
	.name = "psync",
	.help = "pwrite() loop with O_DIRECT from a zero buffer; the baseline",
	.flags = PMDZERO_ENGINE_WRITES,
	.run = run_psync,
};
