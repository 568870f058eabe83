// SPDX-License-Identifier: LGPL-2.1-or-later
/* ioctl engine: one BLKZEROOUT for the whole range, as blkdiscard -z does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#include "internal.h"

static int run_ioctl(struct pz_run *run, struct pmdzero_error *err)
{
	/* The kernel builds and splits the bios itself; one call keeps the
	 * bio and request counts what the kernel alone decides. */
	uint64_t range[2] = { run->opts->offset, run->opts->length };
	int e;

	snprintf(run->res->detail, sizeof(run->res->detail), "BLKZEROOUT");
	pz_progress(run, 0);
	if (pz_interrupted(run))
		return pz_interrupted_error(run, "ioctl", err);
	if (ioctl(run->dev->fd, BLKZEROOUT, range) == 0) {
		pz_progress(run, run->opts->length);
		pz_zeroout_detail(run, "BLKZEROOUT");
		return 0;
	}
	e = errno;
	if (e == EOPNOTSUPP || e == ENOTTY)
		return pz_error(err, -EOPNOTSUPP, "ioctl: BLKZEROOUT is not supported here: %s",
				strerror(e));
	return pz_error(err, -e, "ioctl: BLKZEROOUT failed: %s", strerror(e));
}

const struct pz_engine pz_engine_ioctl = {
	.name = "ioctl",
	.help = "one BLKZEROOUT for the whole range",
	.flags = PMDZERO_ENGINE_ONE_CALL,
	.run = run_ioctl,
};
