// SPDX-License-Identifier: GPL-2.0-or-later
/* The zero ABI through the shared library, as binaries see it:
 * pmdzero_zero_check@PMDZERO_0.1 takes the 0.1 struct (allocated to its
 * exact size, so that ASan catches a read of the 0.3 fields) and
 * @PMDZERO_0.3 the 0.3 one, whose flags are checked.  Each later node's
 * symbols are where it put them, and a probe the library allocates (0.6)
 * fails as the caller's did. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmdzero.h"
#include "test.h"

#ifndef PZ_SOLIB
#error "PZ_SOLIB: the built libpmdzero.so.0, from tests/unit/Makefile"
#endif

/* struct pmdzero_zero_opts as 0.1 and 0.2 defined it. */
struct opts_0_1 {
	uint64_t offset;
	uint64_t length;
	enum pmdzero_engine engine;
	unsigned int queue_depth;
	uint64_t block_size;
	void (*progress)(uint64_t done, uint64_t total, void *arg);
	void *progress_arg;
};

typedef int (*check_0_1_fn)(const struct pmdzero_probe *, const struct opts_0_1 *,
			    struct pmdzero_error *);
typedef int (*check_0_3_fn)(const struct pmdzero_probe *, const struct pmdzero_zero_opts *,
			    struct pmdzero_error *);

int main(void)
{
	struct pmdzero_probe p;
	struct pmdzero_zero_opts o;
	struct pmdzero_error err;
	struct opts_0_1 *old;
	check_0_1_fn check_0_1;
	check_0_3_fn check_0_3;
	void *h;
	int r;

	h = dlopen(PZ_SOLIB, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		printf("cannot load %s: %s\n", PZ_SOLIB, dlerror());
		return 77;
	}
	*(void **)&check_0_1 = dlvsym(h, "pmdzero_zero_check", "PMDZERO_0.1");
	*(void **)&check_0_3 = dlvsym(h, "pmdzero_zero_check", "PMDZERO_0.3");
	CHECK(check_0_1 && check_0_3, "pmdzero_zero_check@PMDZERO_0.1 or @PMDZERO_0.3 missing");
	CHECK(dlvsym(h, "pmdzero_zero", "PMDZERO_0.1") && dlvsym(h, "pmdzero_zero", "PMDZERO_0.3"),
	      "pmdzero_zero@PMDZERO_0.1 or @PMDZERO_0.3 missing");
	/* The later nodes, each under the version that brought it. */
	CHECK(dlvsym(h, "pmdzero_zero_interrupt", "PMDZERO_0.4"),
	      "pmdzero_zero_interrupt@PMDZERO_0.4 missing");
	CHECK(dlvsym(h, "pmdzero_verify_progress", "PMDZERO_0.5") &&
	      dlvsym(h, "pmdzero_engine_count", "PMDZERO_0.5"),
	      "pmdzero_verify_progress or pmdzero_engine_count @PMDZERO_0.5 missing");
	CHECK(dlvsym(h, "pmdzero_probe_new", "PMDZERO_0.6") &&
	      dlvsym(h, "pmdzero_probe_free", "PMDZERO_0.6") &&
	      dlvsym(h, "pmdzero_probe", "PMDZERO_0.1"),
	      "pmdzero_probe_new or _free @PMDZERO_0.6, or pmdzero_probe@PMDZERO_0.1, missing");
	if (!check_0_1 || !check_0_3)
		TEST_EXIT();

	memset(&p, 0, sizeof(p));
	p.size = 1ULL << 30;
	p.logical_block_size = p.physical_block_size = 512;

	old = malloc(sizeof(*old));
	CHECK(old, "malloc");
	if (!old)
		TEST_EXIT();
	memset(old, 0, sizeof(*old));
	old->length = 8 << 20;
	old->engine = PMDZERO_ENGINE_PSYNC;
	r = check_0_1(&p, old, &err);
	CHECK(r == 0, "0.1 psync: %d %s", r, err.msg);
	old->engine = PMDZERO_ENGINE_IOCTL;	/* no flags in 0.1: nothing to refuse */
	r = check_0_1(&p, old, &err);
	CHECK(r == 0, "0.1 ioctl: %d %s", r, err.msg);
	old->length = 1000;
	CHECK(check_0_1(&p, old, &err) == -EINVAL, "0.1 misaligned length accepted");
	free(old);

	memset(&o, 0, sizeof(o));
	o.length = (8 << 20) + 512;
	o.engine = PMDZERO_ENGINE_PSYNC;
	o.flags = PMDZERO_ZERO_VECTORED;
	r = check_0_3(&p, &o, &err);
	CHECK(r == 0, "0.3 vectored psync: %d %s", r, err.msg);
	o.engine = PMDZERO_ENGINE_IOCTL;
	r = check_0_3(&p, &o, &err);
	CHECK(r == -EINVAL && strstr(err.msg, "vectored"), "0.3 vectored ioctl: %d %s", r, err.msg);
	o.engine = PMDZERO_ENGINE_AUTO;
	CHECK(check_0_3(&p, &o, &err) == -EINVAL, "0.3 vectored auto accepted");
	o.engine = PMDZERO_ENGINE_PSYNC;
	o.flags = 1U << 7;
	CHECK(check_0_3(&p, &o, &err) == -EINVAL, "0.3 unknown flag accepted");
	/* The statically linked default version is the 0.3 one. */
	o.flags = PMDZERO_ZERO_VECTORED;
	o.engine = PMDZERO_ENGINE_FALLOCATE;
	CHECK(pmdzero_zero_check(&p, &o, &err) == -EINVAL, "static: vectored fallocate accepted");

	/* A library-allocated probe: NULL and the error as pmdzero_probe()
	 * gave them, for a path that is missing and one that is no block
	 * device; freeing NULL is allowed. */
	CHECK(!pmdzero_probe_new("/nonexistent/pmdzero", 0, &err) && err.code == -ENOENT,
	      "probe_new of a missing path: %d %s", err.code, err.msg);
	CHECK(!pmdzero_probe_new("/dev/null", 0, &err) && err.code == -ENOTBLK,
	      "probe_new of /dev/null: %d %s", err.code, err.msg);
	pmdzero_probe_free(NULL);
	dlclose(h);
	TEST_EXIT();
}
