// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Size parsing as util-linux's strtosize() (blkdiscard -l, fallocate -l)
 * reads a size: a decimal or 0x-hex number, an optional decimal fraction,
 * and an optional suffix K, M, G, T, P or E in either case, alone or
 * followed by "iB"/"ib" (powers of 1024) or "B"/"b" (powers of 1000).
 *
 * Every string accepted here means the bytes util-linux makes of it; what
 * util-linux would read differently from how it reads is refused instead
 * of guessed: a leading 0 (octal there, "010" is 8), a sign or a space,
 * and a fraction that util-linux's digit-by-digit arithmetic does not
 * turn into the exact value rounded down (it makes 1.10M 2 MiB and 1.3K
 * 1365 bytes; 1.5M is 1572864 for both).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define PZ_MAX_FRACTION_DIGITS	18	/* 10^18 < 2^64 */

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

/*
 * The fraction as util-linux adds it to the whole part: frac is the digits
 * after the leading zeros (zeros of them), each digit added on its own as
 * unit / (place / digit), both divisions rounded down.
 */
static uint64_t ul_fraction(uint64_t frac, unsigned int zeros, uint64_t unit)
{
	uint64_t div = 10, poz = 1, add = 0, seg, seg_div;
	unsigned int i;

	while (div < frac)
		div *= 10;
	for (i = 0; i < zeros; i++)
		div *= 10;
	do {
		seg = frac % 10;
		seg_div = div / poz;
		frac /= 10;
		poz *= 10;
		if (seg && seg_div / seg)
			add += unit / (seg_div / seg);
	} while (frac);
	return add;
}

int pmdzero_parse_size(const char *str, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	unsigned int base = 10, exp = 0, i, nfrac = 0, zeros = 0;
	uint64_t v = 0, unit = 1, mult = 1, frac = 0, pow10 = 1, exact, ul;
	const char *p = str, *u;
	int d, any = 0, has_frac = 0;

	if (!str || !out)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1] >= '0' && p[1] <= '9') {
		return -EINVAL;		/* octal to util-linux */
	}
	for (; (d = digit(*p, base)) >= 0; p++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
		any = 1;
	}
	if (!any)
		return -EINVAL;		/* also "-1", "+1", " 1", "" */
	if (*p == '.') {
		has_frac = 1;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++nfrac > PZ_MAX_FRACTION_DIGITS)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
			pow10 *= 10;
			if (!frac)
				zeros++;
		}
		if (!*p)
			return -EINVAL;	/* a fraction needs a suffix */
	}
	if (*p) {
		u = strchr(units, *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		if (!u || !*u)
			return -EINVAL;
		exp = (unsigned int)(u - units) + 1;
		p++;
		if (!strcmp(p, "") || !strcmp(p, "iB") || !strcmp(p, "ib"))
			unit = 1024;
		else if (!strcmp(p, "B") || !strcmp(p, "b"))
			unit = 1000;
		else
			return -EINVAL;
		for (i = 0; i < exp; i++)
			mult *= unit;		/* at most 1024^6, no overflow */
		if (v > UINT64_MAX / mult)
			return -ERANGE;
		v *= mult;
	}
	if (has_frac && frac) {
		/* frac / pow10 < 1 and mult <= 2^60: the product fits. */
		exact = (uint64_t)((unsigned __int128)frac * mult / pow10);
		ul = ul_fraction(frac, zeros, mult);
		if (exact != ul)
			return -EDOM;
		if (v > UINT64_MAX - exact)
			return -ERANGE;
		v += exact;
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
