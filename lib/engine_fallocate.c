// SPDX-License-Identifier: LGPL-2.1-or-later
/* fallocate engine: one fallocate(FALLOC_FL_ZERO_RANGE) on the block device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/falloc.h>

#include "internal.h"

static int run_fallocate(struct pz_run *run, struct pmdzero_error *err)
{
	/* KEEP_SIZE: a block device's size cannot change; the kernel's
	 * blkdev_fallocate() accepts the flag and turns the call into
	 * blkdev_issue_zeroout(), like BLKZEROOUT. */
	const int mode = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	int e;

	snprintf(run->res->detail, sizeof(run->res->detail), "FALLOC_FL_ZERO_RANGE");
	pz_progress(run, 0);
	if (pz_interrupted(run))
		return pz_interrupted_error(run, "fallocate", err);
	if (fallocate(run->dev->fd, mode, (off_t)run->opts->offset,
		      (off_t)run->opts->length) == 0) {
		pz_progress(run, run->opts->length);
		pz_zeroout_detail(run, "FALLOC_FL_ZERO_RANGE");
		return 0;
	}
	e = errno;
	if (e == EOPNOTSUPP || e == ENOSYS || e == ENODEV)
		return pz_error(err, -EOPNOTSUPP,
				"fallocate: FALLOC_FL_ZERO_RANGE is not supported here: %s",
				strerror(e));
	return pz_error(err, -e, "fallocate: FALLOC_FL_ZERO_RANGE failed: %s", strerror(e));
}

const struct pz_engine pz_engine_fallocate = {
	.name = "fallocate",
	.help = "one fallocate(FALLOC_FL_ZERO_RANGE) for the whole range",
	.flags = PMDZERO_ENGINE_ONE_CALL,
	.run = run_fallocate,
};
