// SPDX-License-Identifier: GPL-2.0-or-later
/* pmdzero_check_range(): alignment, zero length, past the end, overflow. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "pmdzero.h"
#include "test.h"

#define MiB (1ULL << 20)

static const struct {
	uint64_t size;
	unsigned int lbs;
	uint64_t off, len;
	int ret;
	const char *msg;	/* expected message, "" for success */
} cases[] = {
	{ 64 * MiB, 512, 0, 64 * MiB, 0, "" },
	{ 64 * MiB, 512, MiB + 4096, 3 * MiB + 8192, 0, "" },
	{ 64 * MiB, 512, 64 * MiB - 512, 512, 0, "" },		/* last block */
	{ 64 * MiB, 512, 1000, 512, -EINVAL,
	  "offset 1000 is not aligned to logical block size 512" },
	{ 64 * MiB, 512, 0, 1000, -EINVAL,
	  "length 1000 is not aligned to logical block size 512" },
	{ 64 * MiB, 4096, 512, 4096, -EINVAL,
	  "offset 512 is not aligned to logical block size 4096" },
	{ 64 * MiB, 4096, 4096, 512, -EINVAL,
	  "length 512 is not aligned to logical block size 4096" },
	{ 64 * MiB, 512, 0, 0, -EINVAL, "length is zero" },
	{ 64 * MiB, 512, 64 * MiB, 512, -ERANGE,
	  "offset 67108864 is past the end of the device (size 67108864)" },
	{ 64 * MiB, 512, 60 * MiB, 8 * MiB, -ERANGE,
	  "range 62914560 + 8388608 is past the end of the device (size 67108864)" },
	{ 64 * MiB, 512, 512, 64 * MiB, -ERANGE,
	  "range 512 + 67108864 is past the end of the device (size 67108864)" },
	/* offset + length wraps to a small number: must still be refused */
	{ 64 * MiB, 512, 512, UINT64_MAX - 511, -ERANGE,
	  "range 512 + 18446744073709551104 is past the end of the device (size 67108864)" },
	{ 64 * MiB, 512, UINT64_MAX - 511, 1024, -ERANGE,
	  "offset 18446744073709551104 is past the end of the device (size 67108864)" },
	{ 64 * MiB, 0, 0, 512, -EINVAL, "invalid logical block size 0" },
	{ 64 * MiB, 1000, 0, 1000, -EINVAL, "invalid logical block size 1000" },
	{ 0, 512, 0, 512, -ERANGE, "offset 0 is past the end of the device (size 0)" },
};

int main(void)
{
	struct pmdzero_error err;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = pmdzero_check_range(cases[i].size, cases[i].lbs, cases[i].off, cases[i].len,
					  &err);
		CHECK(ret == cases[i].ret, "case %zu: returned %d, expected %d (%s)", i, ret,
		      cases[i].ret, err.msg);
		CHECK(err.code == ret, "case %zu: err.code %d != %d", i, err.code, ret);
		CHECK(!strcmp(err.msg, cases[i].msg), "case %zu: message \"%s\", expected \"%s\"",
		      i, err.msg, cases[i].msg);
	}
	/* A NULL error pointer is allowed. */
	CHECK(pmdzero_check_range(4096, 512, 0, 0, NULL) == -EINVAL, "NULL err");
	TEST_EXIT();
}
