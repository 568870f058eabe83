// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zeroed-or-old DEV OLD OFFSET LENGTH
 *
 * After an interrupted zeroout: compare DEV with OLD, the content it had
 * before, over the whole of OLD.  Inside [OFFSET, OFFSET + LENGTH) every byte
 * must be zero or its old value; outside it every byte must be its old
 * value.  Prints the counts and exits 0 if that holds, 1 if not, 2 on a usage
 * or I/O error.  OLD must hold no zero byte inside the range, or a zeroed
 * byte could not be told from an untouched one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

static ssize_t read_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int main(int argc, char **argv)
{
	uint64_t off, len, pos = 0, zeroed = 0, kept = 0, bad_in = 0, bad_out = 0;
	uint64_t first_bad = UINT64_MAX;
	unsigned char *a, *b;
	int dev, old;

	if (argc != 5 || parse_u64(argv[3], &off) || parse_u64(argv[4], &len)) {
		fprintf(stderr, "usage: zeroed-or-old DEV OLD OFFSET LENGTH\n");
		return 2;
	}
	dev = open(argv[1], O_RDONLY);
	old = open(argv[2], O_RDONLY);
	a = malloc(CHUNK);
	b = malloc(CHUNK);
	if (dev < 0 || old < 0 || !a || !b) {
		fprintf(stderr, "zeroed-or-old: %s\n", strerror(errno));
		return 2;
	}
	for (;;) {
		ssize_t n = read_full(old, b, CHUNK);

		if (n < 0 || (n > 0 && read_full(dev, a, (size_t)n) != n)) {
			fprintf(stderr, "zeroed-or-old: read failed at %" PRIu64 "\n", pos);
			return 2;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++, pos++) {
			int inside = pos >= off && pos - off < len;

			if (a[i] == b[i]) {
				kept += inside;
				continue;
			}
			if (inside && a[i] == 0) {
				zeroed++;
				continue;
			}
			if (first_bad == UINT64_MAX)
				first_bad = pos;
			if (inside)
				bad_in++;
			else
				bad_out++;
		}
	}
	printf("zeroed=%" PRIu64 " old=%" PRIu64 " corrupt_inside=%" PRIu64
	       " changed_outside=%" PRIu64 "\n", zeroed, kept, bad_in, bad_out);
	if (off + len > pos) {
		fprintf(stderr, "zeroed-or-old: range ends past OLD (%" PRIu64 " bytes)\n", pos);
		return 2;
	}
	if (bad_in || bad_out) {
		printf("first bad byte at offset %" PRIu64 "\n", first_bad);
		return 1;
	}
	return 0;
}
