// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Size parsing as blkdiscard(8) takes it: a decimal or 0x-hex number with an
 * optional K, M, G, T, P or E suffix (either case).  "K" and "KiB" are powers
 * of 1024, "KB" powers of 1000.  Unlike util-linux, a leading 0 does not mean
 * octal and fractions are not accepted: a zeroing tool should not guess.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int digit(char c, unsigned int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pmdzero_parse_size(const char *str, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	unsigned int base = 10, exp, i;
	uint64_t v = 0, mult, unit;
	const char *p = str, *u;
	int d, any = 0;

	if (!str || !out)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; (d = digit(*p, base)) >= 0; p++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
		any = 1;
	}
	if (!any)
		return -EINVAL;		/* also "-1", "+1", " 1", "" */
	if (*p) {
		u = strchr(units, *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		if (!u || !*u)
			return -EINVAL;
		exp = (unsigned int)(u - units) + 1;
		p++;
		if (!strcmp(p, "") || !strcmp(p, "iB"))
			unit = 1024;
		else if (!strcmp(p, "B"))
			unit = 1000;
		else
			return -EINVAL;
		for (mult = 1, i = 0; i < exp; i++)
			mult *= unit;		/* at most 1024^6, no overflow */
		if (v > UINT64_MAX / mult)
			return -ERANGE;
		v *= mult;
	}
	*out = v;
	return 0;
}

char *pmdzero_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int i = 0;
	double v = (double)bytes;

	while (v >= 1024.0 && i + 1 < PZ_ARRAY_SIZE(units)) {
		v /= 1024.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[i]);
	return buf;
}
