// SPDX-License-Identifier: GPL-2.0-or-later
/* The verify scanner (lib/util.c pz_first_nonzero): every position, any size. */
#include <string.h>

#include "internal.h"
#include "test.h"

int main(void)
{
	static unsigned char buf[4096 + 64];
	size_t len, pos, got;

	for (len = 0; len <= 70; len++) {
		memset(buf, 0, sizeof(buf));
		CHECK(pz_first_nonzero(buf, len) == len, "all zero, len %zu", len);
		for (pos = 0; pos < len; pos++) {
			memset(buf, 0, sizeof(buf));
			buf[pos] = 0x80;
			buf[len] = 1;	/* past the end: must be ignored */
			got = pz_first_nonzero(buf, len);
			CHECK(got == pos, "len %zu, byte %zu: got %zu", len, pos, got);
		}
	}
	/* Unaligned start, two non-zero bytes: the first one wins. */
	memset(buf, 0, sizeof(buf));
	buf[3 + 1000] = 1;
	buf[3 + 2000] = 1;
	CHECK(pz_first_nonzero(buf + 3, 4000) == 1000, "unaligned start");
	TEST_EXIT();
}
