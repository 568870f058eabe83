// SPDX-License-Identifier: LGPL-2.1-or-later
/* zero: engine names, range checks, dispatch and the auto policy. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const engine_names[PMDZERO_ENGINE_COUNT] = {
	[PMDZERO_ENGINE_AUTO] = "auto",
	[PMDZERO_ENGINE_IOCTL] = "ioctl",
	[PMDZERO_ENGINE_FALLOCATE] = "fallocate",
	[PMDZERO_ENGINE_URING] = "uring",
	[PMDZERO_ENGINE_URING_FALLOCATE] = "uring-fallocate",
	[PMDZERO_ENGINE_AIO] = "aio",
	[PMDZERO_ENGINE_PSYNC] = "psync",
};

int pmdzero_engine_parse(const char *name)
{
	int i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < PMDZERO_ENGINE_COUNT; i++)
		if (!strcmp(name, engine_names[i]))
			return i;
	return -EINVAL;
}

const char *pmdzero_engine_name(enum pmdzero_engine e)
{
	if ((unsigned int)e >= PMDZERO_ENGINE_COUNT)
		return NULL;
	return engine_names[e];
}

int pmdzero_check_range(uint64_t size, unsigned int lbs, uint64_t offset,
			uint64_t length, struct pmdzero_error *err)
{
	pz_error_clear(err);
	if (!lbs || (lbs & (lbs - 1)))
		return pz_error(err, -EINVAL, "invalid logical block size %u", lbs);
	if (offset % lbs)
		return pz_error(err, -EINVAL, "offset %llu is not aligned to logical block size %u",
				(unsigned long long)offset, lbs);
	if (!length)
		return pz_error(err, -EINVAL, "length is zero");
	if (length % lbs)
		return pz_error(err, -EINVAL, "length %llu is not aligned to logical block size %u",
				(unsigned long long)length, lbs);
	/* Written as a subtraction so offset + length cannot wrap. */
	if (offset >= size)
		return pz_error(err, -ERANGE, "offset %llu is past the end of the device (size %llu)",
				(unsigned long long)offset, (unsigned long long)size);
	if (length > size - offset)
		return pz_error(err, -ERANGE, "range %llu + %llu is past the end of the device (size %llu)",
				(unsigned long long)offset, (unsigned long long)length,
				(unsigned long long)size);
	return 0;
}

/* Limits that keep one I/O within what the kernel takes in one call and
 * what io_uring can register as one fixed buffer. */
#define PZ_MAX_IO_SIZE		(1ULL << 30)
#define PZ_MAX_QUEUE_DEPTH	4096U

static int check_opts(const struct pmdzero_probe *p, const struct pmdzero_zero_opts *o,
		      struct pmdzero_error *err)
{
	unsigned int lbs = p->logical_block_size;
	int ret;

	ret = pmdzero_check_range(p->size, lbs, o->offset, o->length, err);
	if (ret)
		return ret;
	if (!pmdzero_engine_name(o->engine))
		return pz_error(err, -EINVAL, "unknown engine %d", (int)o->engine);
	if (o->block_size && (o->block_size % lbs))
		return pz_error(err, -EINVAL, "block size %llu is not aligned to logical block size %u",
				(unsigned long long)o->block_size, lbs);
	if (o->block_size > PZ_MAX_IO_SIZE)
		return pz_error(err, -EINVAL, "block size %llu is larger than 1 GiB",
				(unsigned long long)o->block_size);
	if (o->queue_depth > PZ_MAX_QUEUE_DEPTH)
		return pz_error(err, -EINVAL, "queue depth %u is larger than %u",
				o->queue_depth, PZ_MAX_QUEUE_DEPTH);
	return 0;
}

int pmdzero_zero_check(const struct pmdzero_probe *p, const struct pmdzero_zero_opts *opts,
		       struct pmdzero_error *err)
{
	int ret;

	pz_error_clear(err);
	ret = check_opts(p, opts, err);
	if (ret)
		return ret;
	switch (opts->engine) {
	case PMDZERO_ENGINE_URING:
		return pz_uring_available(0, err);
	case PMDZERO_ENGINE_URING_FALLOCATE:
		return pz_uring_available(1, err);
	case PMDZERO_ENGINE_AIO:
		return pz_aio_available(err);
	default:
		/* BLKZEROOUT and fallocate cannot be tried without writing;
		 * auto falls back by itself. */
		return 0;
	}
}

static int run_engine(struct pz_run *run, enum pmdzero_engine e, struct pmdzero_error *err)
{
	static int (*const fns[PMDZERO_ENGINE_COUNT])(struct pz_run *,
						      struct pmdzero_error *) = {
		[PMDZERO_ENGINE_IOCTL] = pz_engine_ioctl,
		[PMDZERO_ENGINE_FALLOCATE] = pz_engine_fallocate,
		[PMDZERO_ENGINE_URING] = pz_engine_uring,
		[PMDZERO_ENGINE_URING_FALLOCATE] = pz_engine_uring_fallocate,
		[PMDZERO_ENGINE_AIO] = pz_engine_aio,
		[PMDZERO_ENGINE_PSYNC] = pz_engine_psync,
	};

	run->res->engine = e;
	return fns[e](run, err);
}

/*
 * auto: BLKZEROOUT is the cheapest correct path whether or not the device
 * has a Write Zeroes offload: with one, the kernel sends Write Zeroes
 * commands; without, it writes from its zero page (or, with the kernel
 * series this project carries, a PMD-sized zero folio), with no user
 * buffer and no copy.  Writes are only the fallback for a device that
 * rejects BLKZEROOUT outright.
 */
static int run_auto(struct pz_run *run, struct pmdzero_error *err)
{
	struct pmdzero_zero_result *res = run->res;
	char why[sizeof(res->detail)];
	int ret;

	if (run->dev->probe.write_zeroes_max_bytes)
		snprintf(why, sizeof(why), "auto: write zeroes offload (write_zeroes_max_bytes %llu)",
			 (unsigned long long)run->dev->probe.write_zeroes_max_bytes);
	else
		snprintf(why, sizeof(why), "auto: no write zeroes offload, kernel zero-page writes");
	ret = run_engine(run, PMDZERO_ENGINE_IOCTL, err);
	if (ret != -EOPNOTSUPP || run->done) {
		snprintf(res->detail, sizeof(res->detail), "%s", why);
		return ret;
	}
	ret = run_engine(run, PMDZERO_ENGINE_URING, err);
	if (ret != -EOPNOTSUPP || run->done) {
		snprintf(why, sizeof(why), "auto: BLKZEROOUT unsupported, %s", res->detail);
		snprintf(res->detail, sizeof(res->detail), "%s", why);
		return ret;
	}
	ret = run_engine(run, PMDZERO_ENGINE_PSYNC, err);
	snprintf(why, sizeof(why), "auto: BLKZEROOUT and io_uring unsupported, %s", res->detail);
	snprintf(res->detail, sizeof(res->detail), "%s", why);
	return ret;
}

int pmdzero_zero(struct pmdzero_dev *dev, const struct pmdzero_zero_opts *opts,
		 struct pmdzero_zero_result *res, struct pmdzero_error *err)
{
	struct pz_run run = { .dev = dev, .opts = opts, .res = res };
	struct pz_usage u;
	int ret;

	pz_error_clear(err);
	memset(res, 0, sizeof(*res));
	if (dev->fd < 0 || !(dev->flags & PMDZERO_OPEN_WRITE))
		return pz_error(err, -EBADF, "device is not open for writing");
	ret = check_opts(&dev->probe, opts, err);
	if (ret)
		return ret;

	pz_usage_begin(&u);
	if (opts->engine == PMDZERO_ENGINE_AUTO)
		ret = run_auto(&run, err);
	else
		ret = run_engine(&run, opts->engine, err);
	pz_usage_end(&u);

	res->bytes = ret ? run.done : opts->length;
	res->elapsed_ns = u.wall_ns;
	res->user_ns = u.user_ns;
	res->sys_ns = u.sys_ns;
	return ret;
}
