// SPDX-License-Identifier: GPL-2.0-or-later
/* pmdzero_parse_size(): suffixes, hex, overflow, negative and garbage input. */
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
	{ "007", 0, 7 },			/* decimal, not octal */
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
	{ "1.5M", -EINVAL, 0 },
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
