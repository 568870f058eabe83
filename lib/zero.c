// SPDX-License-Identifier: LGPL-2.1-or-later
/* zero: the engine table, range checks, dispatch and the auto policy. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int run_auto(struct pz_run *run, struct pmdzero_error *err);

static const struct pz_engine engine_auto = {
	.name = "auto",
	.help = "BLKZEROOUT, falling back to uring, then psync, if it is refused",
	/* It starts with BLKZEROOUT and only falls back when refused. */
	.flags = PMDZERO_ENGINE_ONE_CALL,
	.run = run_auto,
};

/* Defined each in its engine_NAME.c. */
extern const struct pz_engine pz_engine_ioctl, pz_engine_fallocate, pz_engine_uring,
	pz_engine_uring_fallocate, pz_engine_aio, pz_engine_psync;

/* The engines: the only list.  The command's -e, its help and the tests
 * read it through pmdzero_engine_name(), _help() and _flags(). */
static const struct pz_engine *const engines[PMDZERO_ENGINE_COUNT] = {
	[PMDZERO_ENGINE_AUTO] = &engine_auto,
	[PMDZERO_ENGINE_IOCTL] = &pz_engine_ioctl,
	[PMDZERO_ENGINE_FALLOCATE] = &pz_engine_fallocate,
	[PMDZERO_ENGINE_URING] = &pz_engine_uring,
	[PMDZERO_ENGINE_URING_FALLOCATE] = &pz_engine_uring_fallocate,
	[PMDZERO_ENGINE_AIO] = &pz_engine_aio,
	[PMDZERO_ENGINE_PSYNC] = &pz_engine_psync,
};

static const struct pz_engine *engine(enum pmdzero_engine e)
{
	return (unsigned int)e < PMDZERO_ENGINE_COUNT ? engines[e] : NULL;
}

int pmdzero_engine_parse(const char *name)
{
	int i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < PMDZERO_ENGINE_COUNT; i++)
		if (!strcmp(name, engines[i]->name))
			return i;
	return -EINVAL;
}

const char *pmdzero_engine_name(enum pmdzero_engine e)
{
	return engine(e) ? engine(e)->name : NULL;
}

const char *pmdzero_engine_help(enum pmdzero_engine e)
{
	return engine(e) ? engine(e)->help : NULL;
}

unsigned int pmdzero_engine_flags(enum pmdzero_engine e)
{
	return engine(e) ? engine(e)->flags : 0;
}

int pmdzero_engine_count(void)
{
	return PMDZERO_ENGINE_COUNT;
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
	if (o->block_size > PMDZERO_MAX_BLOCK_SIZE)
		return pz_error(err, -EINVAL, "block size %llu is larger than 1 GiB",
				(unsigned long long)o->block_size);
	if (o->queue_depth > PMDZERO_MAX_QUEUE_DEPTH)
		return pz_error(err, -EINVAL, "queue depth %u is larger than %u",
				o->queue_depth, PMDZERO_MAX_QUEUE_DEPTH);
	if (o->flags & ~PMDZERO_ZERO_VECTORED)
		return pz_error(err, -EINVAL, "unknown flags %#x",
				o->flags & ~PMDZERO_ZERO_VECTORED);
	if ((o->flags & PMDZERO_ZERO_VECTORED) &&
	    !(engine(o->engine)->flags & PMDZERO_ENGINE_WRITES))
		return pz_error(err, -EINVAL,
				"vectored writes need a write engine (uring, aio or psync), not %s",
				engine(o->engine)->name);
	return 0;
}

/*
 * Versions.  0.3 appended flags to struct pmdzero_zero_opts and flags and
 * buffer to struct pmdzero_zero_result; both are caller-allocated, so a
 * program built against 0.1 passes the shorter layouts.  Its references
 * are bound to pmdzero_zero@PMDZERO_0.1 and pmdzero_zero_check@PMDZERO_0.1,
 * which copy in (flags 0) and out and call the 0.3 code.
 */
struct pz_zero_opts_0_1 {
	uint64_t offset;
	uint64_t length;
	enum pmdzero_engine engine;
	unsigned int queue_depth;
	uint64_t block_size;
	void (*progress)(uint64_t done, uint64_t total, void *arg);
	void *progress_arg;
};

struct pz_zero_result_0_1 {
	enum pmdzero_engine engine;
	char detail[128];
	uint64_t bytes;
	uint64_t elapsed_ns;
	uint64_t user_ns;
	uint64_t sys_ns;
	uint64_t io_size;
	unsigned int queue_depth;
};

int pz_zero_check_0_3(const struct pmdzero_probe *p, const struct pmdzero_zero_opts *opts,
		      struct pmdzero_error *err);
void pmdzero_zero_interrupt(struct pmdzero_dev *dev)
{
	if (dev)
		dev->interrupted = 1;
}

int pz_zero_0_3(struct pmdzero_dev *dev, const struct pmdzero_zero_opts *opts,
		struct pmdzero_zero_result *res, struct pmdzero_error *err);
int pz_zero_check_0_1(const struct pmdzero_probe *p, const struct pz_zero_opts_0_1 *opts,
		      struct pmdzero_error *err);
int pz_zero_0_1(struct pmdzero_dev *dev, const struct pz_zero_opts_0_1 *opts,
		struct pz_zero_result_0_1 *res, struct pmdzero_error *err);

__asm__(".symver pz_zero_check_0_1, pmdzero_zero_check@PMDZERO_0.1");
__asm__(".symver pz_zero_0_1, pmdzero_zero@PMDZERO_0.1");
__asm__(".symver pz_zero_check_0_3, pmdzero_zero_check@@PMDZERO_0.3");
__asm__(".symver pz_zero_0_3, pmdzero_zero@@PMDZERO_0.3");

/* The 0.3 layout with the old fields copied in and the new ones zero. */
static void opts_from_0_1(struct pmdzero_zero_opts *o, const struct pz_zero_opts_0_1 *old)
{
	memset(o, 0, sizeof(*o));
	o->offset = old->offset;
	o->length = old->length;
	o->engine = old->engine;
	o->queue_depth = old->queue_depth;
	o->block_size = old->block_size;
	o->progress = old->progress;
	o->progress_arg = old->progress_arg;
}

int pz_zero_check_0_1(const struct pmdzero_probe *p, const struct pz_zero_opts_0_1 *opts,
		      struct pmdzero_error *err)
{
	struct pmdzero_zero_opts o;

	opts_from_0_1(&o, opts);
	return pz_zero_check_0_3(p, &o, err);
}

int pz_zero_0_1(struct pmdzero_dev *dev, const struct pz_zero_opts_0_1 *opts,
		struct pz_zero_result_0_1 *res, struct pmdzero_error *err)
{
	struct pmdzero_zero_opts o;
	struct pmdzero_zero_result r;
	int ret;

	opts_from_0_1(&o, opts);
	ret = pz_zero_0_3(dev, &o, &r, err);
	memset(res, 0, sizeof(*res));
	res->engine = r.engine;
	memcpy(res->detail, r.detail, sizeof(res->detail));
	res->bytes = r.bytes;
	res->elapsed_ns = r.elapsed_ns;
	res->user_ns = r.user_ns;
	res->sys_ns = r.sys_ns;
	res->io_size = r.io_size;
	res->queue_depth = r.queue_depth;
	return ret;
}

int pz_zero_check_0_3(const struct pmdzero_probe *p, const struct pmdzero_zero_opts *opts,
		      struct pmdzero_error *err)
{
	int ret;

	pz_error_clear(err);
	ret = check_opts(p, opts, err);
	if (ret)
		return ret;
	/* BLKZEROOUT and fallocate cannot be tried without writing; auto
	 * falls back by itself. */
	if (engine(opts->engine)->available)
		return engine(opts->engine)->available(err);
	return 0;
}

static int run_engine(struct pz_run *run, enum pmdzero_engine e, struct pmdzero_error *err)
{
	run->res->engine = e;
	return engine(e)->run(run, err);
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

	/* The ioctl engine's detail says which path the kernel took. */
	ret = run_engine(run, PMDZERO_ENGINE_IOCTL, err);
	if (ret != -EOPNOTSUPP || run->done || pz_interrupted(run)) {
		snprintf(why, sizeof(why), "auto: %s", res->detail);
		snprintf(res->detail, sizeof(res->detail), "%s", why);
		return ret;
	}
	ret = run_engine(run, PMDZERO_ENGINE_URING, err);
	if (ret != -EOPNOTSUPP || run->done || pz_interrupted(run)) {
		snprintf(why, sizeof(why), "auto: BLKZEROOUT unsupported, %s", res->detail);
		snprintf(res->detail, sizeof(res->detail), "%s", why);
		return ret;
	}
	ret = run_engine(run, PMDZERO_ENGINE_PSYNC, err);
	snprintf(why, sizeof(why), "auto: BLKZEROOUT and io_uring unsupported, %s", res->detail);
	snprintf(res->detail, sizeof(res->detail), "%s", why);
	return ret;
}

int pz_zero_0_3(struct pmdzero_dev *dev, const struct pmdzero_zero_opts *opts,
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

	res->flags = opts->flags;
	pz_usage_begin(&u);
	ret = run_engine(&run, opts->engine, err);
	pz_usage_end(&u);

	res->bytes = ret ? run.done : opts->length;
	res->elapsed_ns = u.wall_ns;
	res->user_ns = u.user_ns;
	res->sys_ns = u.sys_ns;
	return ret;
}
