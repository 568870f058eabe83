// SPDX-License-Identifier: GPL-2.0-or-later
/* pmdzero_parse_size(): util-linux's suffixes and fractions, hex, overflow,
 * negative and garbage input. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "pmdzero.h"
#include "test.h"

static const struct {
	const char *in;
	int ret;
	uint64_t val;
} cases[] = {
	{ "0", 0, 0 },
	{ "512", 0, 512 },
	{ "7", 0, 7 },
	{ "007", -EINVAL, 0 },			/* octal to util-linux: refused */
	{ "010K", -EINVAL, 0 },
	{ "0", 0, 0 },
	{ "0K", 0, 0 },
	/* util-linux strtosize: suffix in either case, iB/ib, B/b */
	{ "1mib", 0, 1ULL << 20 },
	{ "1gib", 0, 1ULL << 30 },
	{ "1Mib", 0, 1ULL << 20 },
	{ "1kb", 0, 1000 },
	{ "1kB", 0, 1000 },
	{ "1Kb", 0, 1000 },
	{ "1giB", 0, 1ULL << 30 },
	{ "1KIB", -EINVAL, 0 },
	/* fractions, as blkdiscard -l 1.5M reads them */
	{ "1.5M", 0, 3ULL << 19 },
	{ "1.5m", 0, 3ULL << 19 },
	{ "1.5KB", 0, 1500 },
	{ "1.5kib", 0, 1536 },
	{ "0.5K", 0, 512 },
	{ "1.05M", 0, 1101004 },		/* util-linux: the same */
	{ "1.M", 0, 1ULL << 20 },
	{ "1.0M", 0, 1ULL << 20 },
	{ "2.25G", -EDOM, 0 },			/* util-linux: one byte short */
	{ "2.5G", 0, 5ULL << 29 },
	{ "1.10M", -EDOM, 0 },			/* util-linux: 2097152 */
	{ "1.3K", -EDOM, 0 },			/* util-linux: 1365 */
	{ "1.5", -EINVAL, 0 },			/* a fraction needs a suffix */
	{ "1.0.5M", -EINVAL, 0 },
	{ ".5M", -EINVAL, 0 },
	{ "1.5E", 0, 3ULL << 59 },
	{ "15.5E", 0, 31ULL << 59 },
	{ "16.5E", -ERANGE, 0 },
	{ "1.0000000000000000001M", -EINVAL, 0 },	/* 19 digits */
	{ "1K", 0, 1024 },
	{ "1k", 0, 1024 },
	{ "1KiB", 0, 1024 },
	{ "1KB", 0, 1000 },
	{ "3M", 0, 3ULL << 20 },
	{ "3MiB", 0, 3ULL << 20 },
	{ "3MB", 0, 3000000 },
	{ "2G", 0, 2ULL << 30 },
	{ "2GiB", 0, 2ULL << 30 },
	{ "2GB", 0, 2000000000ULL },
	{ "1T", 0, 1ULL << 40 },
	{ "1TiB", 0, 1ULL << 40 },
	{ "1TB", 0, 1000000000000ULL },
	{ "1P", 0, 1ULL << 50 },
	{ "1E", 0, 1ULL << 60 },
	{ "15E", 0, 15ULL << 60 },
	{ "0x200", 0, 512 },
	{ "0X1f", 0, 31 },
	{ "0x10KiB", 0, 16384 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073709551616", -ERANGE, 0 },	/* 2^64 */
	{ "99999999999999999999999", -ERANGE, 0 },
	{ "0xffffffffffffffff", 0, UINT64_MAX },
	{ "0x10000000000000000", -ERANGE, 0 },
	{ "16E", -ERANGE, 0 },			/* 2^64 */
	{ "17179869184G", -ERANGE, 0 },		/* 2^34 GiB = 2^64 */
	{ "17179869183G", 0, 17179869183ULL << 30 },
	{ "", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "-0", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "K", -EINVAL, 0 },
	{ "0x", -EINVAL, 0 },
	{ "12XB", -EINVAL, 0 },
	{ "1Ki", -EINVAL, 0 },
	{ "1KiBs", -EINVAL, 0 },
	{ "1MiB2", -EINVAL, 0 },
	{ "1b", -EINVAL, 0 },
	{ "1Z", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },
};

int main(void)
{
	char buf[32];
	uint64_t v;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 12345;
		ret = pmdzero_parse_size(cases[i].in, &v);
		CHECK(ret == cases[i].ret, "\"%s\": returned %d, expected %d", cases[i].in, ret,
		      cases[i].ret);
		if (!ret && !cases[i].ret)
			CHECK(v == cases[i].val, "\"%s\": got %llu, expected %llu", cases[i].in,
			      (unsigned long long)v, (unsigned long long)cases[i].val);
		if (ret)
			CHECK(v == 12345, "\"%s\": output written on error", cases[i].in);
	}
	CHECK(pmdzero_parse_size(NULL, &v) == -EINVAL, "NULL string");

	CHECK(!strcmp(pmdzero_format_size(0, buf, sizeof(buf)), "0 B"), "%s", buf);
	CHECK(!strcmp(pmdzero_format_size(1023, buf, sizeof(buf)), "1023 B"), "%s", buf);
	CHECK(!strcmp(pmdzero_format_size(3 << 20, buf, sizeof(buf)), "3.0 MiB"), "%s", buf);
	CHECK(!strcmp(pmdzero_format_size(1536, buf, sizeof(buf)), "1.5 KiB"), "%s", buf);
	TEST_EXIT();
}
