// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zpattern: a position-dependent pattern that has no zero byte, written to
 * and checked against a block device (or file) with O_DIRECT, in one pass.
 *
 *   zpattern fill DEV SEED [OFFSET LENGTH]
 *       write the pattern over [OFFSET, OFFSET + LENGTH), by default the
 *       whole device
 *   zpattern check DEV SEED [-w OFFSET:LENGTH] [-z OFFSET:LENGTH]...
 *                            [-m OFFSET:LENGTH]... [-r]
 *       read the window (-w, default the whole device) and check every
 *       byte: zero inside a -z range, zero or the pattern inside a -m range
 *       (a zeroing that failed or was interrupted), the pattern everywhere
 *       else; with -r, then write the pattern back over the -z and -m
 *       ranges (one process for the check and the refill).  Prints one line,
 *         verified=N zeroed=N pattern=N corrupt=N
 *       plus "first_bad=OFFSET got=0xXX want=..." when something is wrong.
 *       Exit 0 if nothing is corrupt, 1 if something is, 2 on an error.
 *   zpattern gen FILE SEED LENGTH
 *       the pattern of [0, LENGTH) into a regular file (for zeroed-or-old)
 *
 * The pattern's 8-byte word at device offset 8*i is a hash of i and SEED
 * with the low bit of every byte set: never zero, different at every
 * position and for every seed, so a write that lands a block off, a stale
 * block from an earlier fill and a zeroed byte are all told apart from the
 * data that belongs there.  Offsets and lengths must be multiples of the
 * device's logical block size (O_DIRECT); numbers take a 0x prefix.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#define CHUNK (32u << 20)	/* one read or write: 32 MiB */
#define MAX_RANGES 64

struct range {
	uint64_t off, len;
};

static const char *prog = "zpattern";

static int usage(void)
{
	fprintf(stderr,
		"usage: zpattern fill DEV SEED [OFFSET LENGTH]\n"
		"       zpattern check DEV SEED [-w OFF:LEN] [-z OFF:LEN]... [-m OFF:LEN]... [-r]\n"
		"       zpattern gen FILE SEED LENGTH\n");
	return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s == '-' || !*s)
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int parse_range(const char *s, struct range *r)
{
	char buf[64], *colon;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (parse_u64(buf, &r->off) || parse_u64(colon + 1, &r->len))
		return -1;
	return r->off + r->len < r->off ? -1 : 0;
}

static uint64_t word_at(uint64_t index, uint64_t seed)
{
	/* splitmix64 of the word index, keyed by the seed. */
	uint64_t z = index + seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z | 0x0101010101010101ULL;
}

/* The pattern byte at device offset pos. */
static unsigned char byte_at(uint64_t pos, uint64_t seed)
{
	uint64_t w = word_at(pos / 8, seed);
	unsigned char b[8];

	memcpy(b, &w, 8);
	return b[pos % 8];
}

/* Fills buf with the pattern of [pos, pos + len); pos and len multiples of 8. */
static void gen(unsigned char *buf, uint64_t pos, size_t len, uint64_t seed)
{
	uint64_t *w = (uint64_t *)(void *)buf, i = pos / 8;
	size_t n;

	for (n = 0; n < len / 8; n++)
		w[n] = word_at(i + n, seed);
}

static int open_dev(const char *path, int flags, uint64_t *size, unsigned int *lbs)
{
	struct stat st;
	int fd = open(path, flags | O_DIRECT);
	int ssz = 512;

	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) || ioctl(fd, BLKSSZGET, &ssz)) {
			fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
			close(fd);
			return -1;
		}
	} else {
		*size = (uint64_t)st.st_size;
	}
	*lbs = (unsigned int)ssz;
	return fd;
}

static int check_aligned(const char *what, uint64_t off, uint64_t len, uint64_t size,
			 unsigned int lbs)
{
	if (off % lbs || len % lbs || off > size || len > size - off) {
		fprintf(stderr, "%s: %s %" PRIu64 ":%" PRIu64
			" is not inside the %" PRIu64 " byte device in %u byte blocks\n",
			prog, what, off, len, size, lbs);
		return -1;
	}
	return 0;
}

static void *alloc_buf(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	return p;
}

static int do_io(int fd, int write_it, unsigned char *buf, size_t len, uint64_t pos)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write_it ? pwrite(fd, buf + done, len - done, (off_t)(pos + done))
				     : pread(fd, buf + done, len - done, (off_t)(pos + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "%s: %s at offset %" PRIu64 " failed: %s\n", prog,
				write_it ? "write" : "read", pos + done,
				n < 0 ? strerror(errno) : "end of device");
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Writes the pattern over [off, off + len) through buf (CHUNK bytes). */
static int fill_range(int fd, unsigned char *buf, uint64_t seed, uint64_t off, uint64_t len)
{
	uint64_t pos;
	int ret = 0;

	for (pos = off; pos < off + len && !ret; pos += CHUNK) {
		size_t n = (size_t)(off + len - pos < CHUNK ? off + len - pos : CHUNK);

		gen(buf, pos, n, seed);
		ret = do_io(fd, 1, buf, n, pos);
	}
	if (!ret && fsync(fd)) {
		fprintf(stderr, "%s: fsync: %s\n", prog, strerror(errno));
		ret = -1;
	}
	return ret;
}

static int cmd_fill(int argc, char **argv)
{
	uint64_t seed, off = 0, len, size;
	unsigned char *buf;
	unsigned int lbs;
	int fd, ret;

	if ((argc != 2 && argc != 4) || parse_u64(argv[1], &seed))
		return usage();
	fd = open_dev(argv[0], O_WRONLY, &size, &lbs);
	if (fd < 0)
		return 2;
	len = size;
	if (argc == 4 && (parse_u64(argv[2], &off) || parse_u64(argv[3], &len)))
		return usage();
	if (check_aligned("range", off, len, size, lbs))
		return 2;
	buf = alloc_buf(CHUNK);
	if (!buf)
		return 2;
	ret = fill_range(fd, buf, seed, off, len);
	free(buf);
	close(fd);
	return ret ? 2 : 0;
}

static int cmd_gen(int argc, char **argv)
{
	uint64_t seed, len, pos;
	unsigned char *buf;
	FILE *f;

	if (argc != 3 || parse_u64(argv[1], &seed) || parse_u64(argv[2], &len) || len % 8)
		return usage();
	f = fopen(argv[0], "w");
	buf = alloc_buf(CHUNK);
	if (!f || !buf) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[0], strerror(errno));
		return 2;
	}
	for (pos = 0; pos < len; pos += CHUNK) {
		size_t n = (size_t)(len - pos < CHUNK ? len - pos : CHUNK);

		gen(buf, pos, n, seed);
		if (fwrite(buf, 1, n, f) != n) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[0], strerror(errno));
			return 2;
		}
	}
	free(buf);
	if (fclose(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[0], strerror(errno));
		return 2;
	}
	return 0;
}

enum expect { PATTERN, ZERO, MAYBE };

struct check {
	uint64_t seed;
	struct range z[MAX_RANGES], m[MAX_RANGES];
	unsigned int nz, nm;
	uint64_t verified, zeroed, pattern, corrupt, first_bad;
	unsigned char got, want;	/* at first_bad */
	int want_zero;			/* at first_bad: zero was allowed too */
};

static int inside(const struct range *r, unsigned int n, uint64_t pos)
{
	for (unsigned int i = 0; i < n; i++)
		if (pos >= r[i].off && pos - r[i].off < r[i].len)
			return 1;
	return 0;
}

static enum expect expect_at(const struct check *c, uint64_t pos)
{
	if (inside(c->z, c->nz, pos))
		return ZERO;
	if (inside(c->m, c->nm, pos))
		return MAYBE;
	return PATTERN;
}

/* The first offset after pos where expect_at() may change, or end. */
static uint64_t next_edge(const struct check *c, uint64_t pos, uint64_t end)
{
	uint64_t e = end;
	unsigned int i;

	for (i = 0; i < c->nz; i++) {
		if (c->z[i].off > pos && c->z[i].off < e)
			e = c->z[i].off;
		if (c->z[i].off + c->z[i].len > pos && c->z[i].off + c->z[i].len < e)
			e = c->z[i].off + c->z[i].len;
	}
	for (i = 0; i < c->nm; i++) {
		if (c->m[i].off > pos && c->m[i].off < e)
			e = c->m[i].off;
		if (c->m[i].off + c->m[i].len > pos && c->m[i].off + c->m[i].len < e)
			e = c->m[i].off + c->m[i].len;
	}
	return e;
}

static void bad(struct check *c, uint64_t pos, unsigned char got, unsigned char want,
		int zero_ok)
{
	if (!c->corrupt) {
		c->first_bad = pos;
		c->got = got;
		c->want = want;
		c->want_zero = zero_ok;
	}
	c->corrupt++;
}

/* Checks buf, the bytes of [pos, pos + len), all with the same expectation. */
static void check_span(struct check *c, const unsigned char *buf, uint64_t pos, size_t len,
		       enum expect e)
{
	size_t i = 0;

	c->verified += len;
	/* Whole aligned words first, bytes only where a word differs. */
	while (i < len) {
		uint64_t p = pos + i, w, want;

		if (p % 8 == 0 && len - i >= 8) {
			memcpy(&w, buf + i, 8);
			want = word_at(p / 8, c->seed);
			if ((e != ZERO && w == want) || (e != PATTERN && w == 0)) {
				if (w)
					c->pattern += 8;
				else
					c->zeroed += 8;
				i += 8;
				continue;
			}
		}
		for (size_t end = i + 8 - p % 8; i < end && i < len; i++, p++) {
			unsigned char b = buf[i], pb = byte_at(p, c->seed);

			if (e != PATTERN && b == 0)
				c->zeroed++;
			else if (e != ZERO && b == pb)
				c->pattern++;
			else
				bad(c, p, b, e == ZERO ? 0 : pb, e == MAYBE);
		}
	}
}

static int cmd_check(int argc, char **argv)
{
	struct check c = { 0 };
	struct range w = { 0, UINT64_MAX };
	uint64_t size, pos;
	unsigned char *buf;
	unsigned int lbs, i;
	int fd, opt, ret = 0, refill = 0;

	if (argc < 2 || parse_u64(argv[1], &c.seed))
		return usage();
	for (opt = 2; opt < argc; opt += 2) {
		struct range r;

		if (!strcmp(argv[opt], "-r")) {
			refill = 1;
			opt--;
			continue;
		}
		if (opt + 1 >= argc || parse_range(argv[opt + 1], &r))
			return usage();
		if (!strcmp(argv[opt], "-w"))
			w = r;
		else if (!strcmp(argv[opt], "-z") && c.nz < MAX_RANGES)
			c.z[c.nz++] = r;
		else if (!strcmp(argv[opt], "-m") && c.nm < MAX_RANGES)
			c.m[c.nm++] = r;
		else
			return usage();
	}
	fd = open_dev(argv[0], refill ? O_RDWR : O_RDONLY, &size, &lbs);
	if (fd < 0)
		return 2;
	if (w.len == UINT64_MAX)
		w.len = size;
	if (check_aligned("window", w.off, w.len, size, lbs))
		return 2;
	for (i = 0; i < c.nz; i++)
		if (check_aligned("-z range", c.z[i].off, c.z[i].len, size, lbs))
			return 2;
	for (i = 0; i < c.nm; i++)
		if (check_aligned("-m range", c.m[i].off, c.m[i].len, size, lbs))
			return 2;
	buf = alloc_buf(CHUNK);
	if (!buf)
		return 2;
	for (pos = w.off; pos < w.off + w.len; pos += CHUNK) {
		size_t n = (size_t)(w.off + w.len - pos < CHUNK ? w.off + w.len - pos : CHUNK);
		uint64_t p = pos;

		ret = do_io(fd, 0, buf, n, pos);
		if (ret)
			break;
		while (p < pos + n) {
			uint64_t e = next_edge(&c, p, pos + n);

			check_span(&c, buf + (p - pos), p, (size_t)(e - p), expect_at(&c, p));
			p = e;
		}
	}
	for (i = 0; refill && !ret && i < c.nz; i++)
		ret = fill_range(fd, buf, c.seed, c.z[i].off, c.z[i].len);
	for (i = 0; refill && !ret && i < c.nm; i++)
		ret = fill_range(fd, buf, c.seed, c.m[i].off, c.m[i].len);
	free(buf);
	close(fd);
	if (ret)
		return 2;
	printf("verified=%" PRIu64 " zeroed=%" PRIu64 " pattern=%" PRIu64 " corrupt=%" PRIu64 "\n",
	       c.verified, c.zeroed, c.pattern, c.corrupt);
	if (c.corrupt) {
		printf("first_bad=%" PRIu64 " got=0x%02x want=%s0x%02x\n", c.first_bad, c.got,
		       c.want_zero ? "0x00 or " : "", c.want);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "fill"))
		return cmd_fill(argc - 2, argv + 2);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "gen"))
		return cmd_gen(argc - 2, argv + 2);
	return usage();
}
