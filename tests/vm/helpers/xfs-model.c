// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xfs-model [-s SEED] [-n OPS] [-a ALIGN] [-b FSBLOCK] [-m MAXSIZE]
 *           [-v EVERY] [-o DUMP] [-D] FILE
 *
 * A seeded random sequence of operations on FILE (created or truncated),
 * each mirrored in a model of the file in memory, every read compared byte
 * for byte with the model:
 *
 *   dwrite    O_DIRECT write: offset and length multiples of ALIGN (the
 *             device's logical block, default 512), mostly shorter than one
 *             file system block FSBLOCK (default 64 KiB) and anywhere in
 *             it, so that it lands in holes, in unwritten extents and past
 *             EOF partially inside a block: the kernel then zeroes the rest
 *             of the block on disk (iomap_dio_zero())
 *   bwrite    buffered write, any offset and length
 *   dread     O_DIRECT read (ALIGN multiples), bread: buffered read (bytes)
 *   truncate  ftruncate down or up, to a block, ALIGN or byte boundary
 *   zero      fallocate(FALLOC_FL_ZERO_RANGE), with or without KEEP_SIZE
 *   punch     fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
 *   fsync     fsync, or fdatasync
 *   drop      fsync, then POSIX_FADV_DONTNEED on the file, and every other
 *             time "3" into /proc/sys/vm/drop_caches (not with -D), so that
 *             the next reads come from the disk
 *
 * Every EVERY ops (default 250) and at the end the whole file is read back
 * after a drop (alternately O_DIRECT and buffered) and compared, and its
 * size checked with fstat.  The final read-back's checksum (FNV-1a 64 of
 * the size and the bytes, as read from the disk) is printed beside the
 * model's: with the same seed and op count they are the same on every
 * kernel that works.  -o writes the model to DUMP, for a comparison after a
 * remount.
 *
 * Mixing O_DIRECT and buffered I/O on one file, as xfstests' fsx -Z does
 * with its mapped I/O: fsx msyncs (MS_SYNC) each mapped write, so no dirty
 * page cache is left for a direct I/O to meet; here the buffered writes
 * since the last write-back are written back (fsync) before the next direct
 * I/O.  The other way round fsx relies on the kernel, which writes back and
 * invalidates the page cache over the range of each direct I/O before and
 * after it (the range rounded out to whole folios, at least one 64 KiB
 * block here), and so does this program: a buffered read after a direct
 * write must not return stale cached data.  Truncate and fallocate are left
 * to the kernel too, dirty pages or not; they flush and invalidate what
 * they change.
 *
 * The parameters of every op come from the seed alone, never from what the
 * kernel returned, so op counts are the same everywhere.  The first
 * mismatch stops the run (exit 1) with its op number, the first bad offset,
 * the op that last changed that offset in the model and the last ops; rerun
 * with the same -s and -n to reproduce.  Exit 2 on an unexpected error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

enum op { OP_DWRITE, OP_BWRITE, OP_DREAD, OP_BREAD, OP_TRUNCATE, OP_ZERO, OP_PUNCH,
	  OP_FSYNC, OP_DROP, OP_NR };

static const char *const op_name[OP_NR] = {
	"dwrite", "bwrite", "dread", "bread", "truncate", "zero", "punch", "fsync", "drop",
};

/* Relative frequencies. */
static const unsigned int op_weight[OP_NR] = { 28, 12, 12, 10, 7, 8, 8, 3, 3 };

#define LOG_LEN 48
#define SECTOR 512
#define IOBUF (4u << 20)

struct logent {
	uint64_t seq;
	enum op op;
	uint64_t off, len;
	unsigned int flag;
};

static struct {
	uint64_t seed, nops, maxsize, fsblock, align, every;
	const char *path, *dump;
	int no_global_drop;
} opt = { 1, 1000, 8u << 20, 65536, 512, 250, NULL, NULL, 0 };

static int fd_b = -1, fd_d = -1;
static unsigned char *model, *buf;
static uint64_t size;			/* the model's file size */
static uint32_t *last_change;		/* per SECTOR bytes: op seq */
static uint64_t seq;
static uint64_t counts[OP_NR], full_verifies, flushes, dio_zeroing;
static uint64_t bytes_verified, mismatch_bytes, drops;
static int dirty;			/* buffered writes not yet written back */
static struct logent ring[LOG_LEN];
static uint64_t disk_checksum;

/* --- random numbers: splitmix64 seeding xoshiro256** --- */
static uint64_t s[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(void)
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Uniform in [0, n); 0 if n is 0. */
static uint64_t rnd(uint64_t n)
{
	return n ? next() % n : 0;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t rdown(uint64_t x, uint64_t a)
{
	return x - x % a;
}

static uint64_t rup(uint64_t x, uint64_t a)
{
	return rdown(x + a - 1, a);
}

/* --- reporting --- */
static void die(const char *what)
{
	fprintf(stderr, "xfs-model: op %" PRIu64 ": %s: %s\n", seq, what, strerror(errno));
	exit(2);
}

static void log_op(enum op op, uint64_t off, uint64_t len, unsigned int flag)
{
	struct logent *e = &ring[seq % LOG_LEN];

	e->seq = seq;
	e->op = op;
	e->off = off;
	e->len = len;
	e->flag = flag;
}

static void dump_log(void)
{
	uint64_t first = seq >= LOG_LEN ? seq - LOG_LEN + 1 : 1;

	printf("last ops (seq op offset length flag):\n");
	for (uint64_t q = first; q <= seq; q++) {
		const struct logent *e = &ring[q % LOG_LEN];

		if (e->seq != q)
			continue;
		printf("  #%" PRIu64 " %s %" PRIu64 " +%" PRIu64 " %u\n", e->seq, op_name[e->op],
		       e->off, e->len, e->flag);
	}
}

static void changed(uint64_t off, uint64_t len)
{
	if (!len)
		return;
	for (uint64_t sct = off / SECTOR; sct <= (off + len - 1) / SECTOR; sct++)
		last_change[sct] = (uint32_t)seq;
}

static void final_report(int failed);

/* Compare n bytes read at off with the model; stop the run on a mismatch. */
static void compare(const char *how, const unsigned char *got, uint64_t off, uint64_t n,
		    uint64_t want_n)
{
	uint64_t bad = 0, first = UINT64_MAX;

	for (uint64_t i = 0; i < min64(n, want_n); i++)
		if (got[i] != model[off + i]) {
			if (first == UINT64_MAX)
				first = off + i;
			bad++;
		}
	bytes_verified += min64(n, want_n);
	if (!bad && n == want_n)
		return;
	mismatch_bytes += bad + (n > want_n ? n - want_n : want_n - n);
	printf("MISMATCH at op #%" PRIu64 " (%s of %" PRIu64 " +%" PRIu64 "): ", seq, how, off,
	       want_n);
	if (n != want_n)
		printf("read returned %" PRIu64 " bytes, want %" PRIu64 " (file size %" PRIu64 "); ",
		       n, want_n, size);
	if (bad)
		printf("%" PRIu64 " bytes differ, first at offset %" PRIu64
		       ": 0x%02x, want 0x%02x, last changed by op #%" PRIu32,
		       bad, first, got[first - off], model[first], last_change[first / SECTOR]);
	printf("\n");
	dump_log();
	final_report(1);
	exit(1);
}

static void check_size(void)
{
	struct stat st;

	if (fstat(fd_b, &st))
		die("fstat");
	if ((uint64_t)st.st_size == size)
		return;
	printf("MISMATCH at op #%" PRIu64 ": file size %lld, want %" PRIu64 "\n", seq,
	       (long long)st.st_size, size);
	mismatch_bytes++;
	dump_log();
	final_report(1);
	exit(1);
}

/* --- coherence between the two kinds of I/O --- */
static void before_direct(void)
{
	if (!dirty)
		return;
	if (fsync(fd_b))
		die("fsync before direct I/O");
	dirty = 0;
	flushes++;
}

static void drop(int global)
{
	int fd;

	if (fsync(fd_b))
		die("fsync");
	dirty = 0;
	if (posix_fadvise(fd_b, 0, 0, POSIX_FADV_DONTNEED))
		die("posix_fadvise(DONTNEED)");
	if (global && !opt.no_global_drop) {
		fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "3", 1) != 1)
				die("drop_caches");
			close(fd);
			drops++;
		}
	}
}

/* --- data: never zero, a function of the op and position only --- */
static void gen_data(unsigned char *p, uint64_t off, uint64_t len)
{
	uint64_t word = UINT64_MAX, w = 0;

	for (uint64_t i = 0; i < len; i++) {
		if ((off + i) >> 3 != word) {
			uint64_t x = opt.seed * 0x9e3779b97f4a7c15ull ^ (seq << 24);

			word = (off + i) >> 3;
			x ^= word;
			w = splitmix64(&x) | 0x0101010101010101ull;
		}
		p[i] = (unsigned char)(w >> (8 * ((off + i) & 7)));
	}
}

static ssize_t pread_full(int fd, unsigned char *p, uint64_t len, uint64_t off)
{
	uint64_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, p + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (uint64_t)n;
		/* O_DIRECT: one read returns all there is up to EOF. */
		if (fd == fd_d)
			break;
	}
	return (ssize_t)got;
}

/*
 * Would the kernel zero part of a block around this direct write?  The head
 * block if the write starts inside it, the tail block if it ends inside it,
 * when that block is a hole or unwritten (FIEMAP, before the write), or
 * the write starts at or past EOF.  A figure only: never compared.
 */
static int zeroing_write(uint64_t off, uint64_t len)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[32];
	} f;
	uint64_t bs = opt.fsblock, edges[2] = { off, off + len };
	int zeroing = 0;

	if (off % bs == 0 && (off + len) % bs == 0)
		return 0;
	if (off >= size)
		return 1;
	memset(&f, 0, sizeof(f));
	f.fm.fm_start = rdown(off, bs);
	f.fm.fm_length = rup(off + len, bs) - f.fm.fm_start;
	f.fm.fm_extent_count = 32;
	if (ioctl(fd_b, FS_IOC_FIEMAP, &f.fm))
		return 0;
	for (int e = 0; e < 2; e++) {
		uint64_t blk, covered = 0;

		if (edges[e] % bs == 0)
			continue;
		blk = rdown(e ? edges[e] - 1 : edges[e], bs);
		for (unsigned int i = 0; i < f.fm.fm_mapped_extents; i++) {
			const struct fiemap_extent *x = &f.ext[i];

			if (x->fe_logical <= blk && blk < x->fe_logical + x->fe_length &&
			    !(x->fe_flags & FIEMAP_EXTENT_UNWRITTEN))
				covered = 1;
		}
		if (!covered)
			zeroing = 1;
	}
	return zeroing;
}

/* --- the ops --- */
/* Write the generated data for [off, off + len) through fd, and the same
 * into the model. */
static void write_modelled(int fd, uint64_t off, uint64_t len, const char *what)
{
	gen_data(buf, off, len);
	if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
		die(what);
	memcpy(model + off, buf, len);
	changed(off, len);
	if (off + len > size)
		size = off + len;
}

static void op_dwrite(void)
{
	uint64_t bs = opt.fsblock, a = opt.align, nblk = opt.maxsize / bs, off, len;
	uint64_t r = rnd(10);

	if (r < 7) {			/* under one block, anywhere in one */
		off = rnd(nblk) * bs + rnd(bs / a) * a;
		len = a * (1 + rnd(bs / a - 1));
	} else if (r < 9) {		/* up to three blocks, unaligned */
		off = rnd(nblk) * bs + rnd(bs / a) * a;
		len = a * (1 + rnd(3 * bs / a));
	} else {			/* at or just past EOF */
		off = rup(size, a) + a * rnd(2 * bs / a);
		len = a * (1 + rnd(bs / a - 1));
	}
	if (off >= opt.maxsize)
		off = rdown(off % opt.maxsize, a);
	len = min64(len, opt.maxsize - off);
	log_op(OP_DWRITE, off, len, 0);
	before_direct();
	dio_zeroing += zeroing_write(off, len);
	write_modelled(fd_d, off, len, "O_DIRECT pwrite");
}

static void op_bwrite(void)
{
	uint64_t off, len;

	if (rnd(4) == 0)
		off = min64(size + rnd(opt.fsblock), opt.maxsize - 1);
	else
		off = rnd(opt.maxsize - 1);
	len = 1 + rnd(min64(128u << 10, opt.maxsize - off));
	log_op(OP_BWRITE, off, len, 0);
	write_modelled(fd_b, off, len, "pwrite");
	dirty = 1;
}

static void op_read(int direct)
{
	uint64_t a = direct ? opt.align : 1, off, len, want;
	ssize_t n;

	off = a * rnd((size + opt.fsblock) / a + 1);
	len = a * (1 + rnd((256u << 10) / a));
	off = min64(off, rdown(opt.maxsize, a));
	len = min64(len, opt.maxsize + 3 * opt.fsblock - off);
	log_op(direct ? OP_DREAD : OP_BREAD, off, len, 0);
	if (direct)
		before_direct();
	n = pread_full(direct ? fd_d : fd_b, buf, len, off);
	if (n < 0)
		die(direct ? "O_DIRECT pread" : "pread");
	want = off >= size ? 0 : min64(len, size - off);
	compare(direct ? "O_DIRECT read" : "buffered read", buf, off, (uint64_t)n, want);
}

static void op_truncate(void)
{
	uint64_t r = rnd(3), newsize;

	if (rnd(2))
		newsize = rnd(size + 1);
	else
		newsize = size + rnd(opt.maxsize - size + 1);
	if (r == 0)
		newsize = rdown(newsize, opt.fsblock);
	else if (r == 1)
		newsize = rdown(newsize, opt.align);
	log_op(OP_TRUNCATE, newsize, 0, 0);
	if (ftruncate(fd_b, (off_t)newsize))
		die("ftruncate");
	if (newsize < size) {
		memset(model + newsize, 0, size - newsize);
		changed(newsize, size - newsize);
	}
	size = newsize;
	check_size();
}

static void pick_range(uint64_t *off, uint64_t *len)
{
	uint64_t bs = opt.fsblock, a = opt.align, r = rnd(3);

	if (r == 0) {			/* whole blocks */
		*off = rnd(opt.maxsize / bs) * bs;
		*len = bs * (1 + rnd(4));
	} else if (r == 1) {		/* logical blocks */
		*off = a * rnd(opt.maxsize / a);
		*len = a * (1 + rnd(2 * bs / a));
	} else {			/* bytes */
		*off = rnd(opt.maxsize);
		*len = 1 + rnd(2 * bs);
	}
	*len = min64(*len, opt.maxsize - *off);
	if (!*len) {
		*off = 0;
		*len = 1;
	}
}

static void op_fallocate(int punch)
{
	uint64_t off, len, end;
	int keep = punch || rnd(2);
	int mode = punch ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
		   FALLOC_FL_ZERO_RANGE | (keep ? FALLOC_FL_KEEP_SIZE : 0);

	pick_range(&off, &len);
	log_op(punch ? OP_PUNCH : OP_ZERO, off, len, (unsigned int)keep);
	if (fallocate(fd_b, mode, (off_t)off, (off_t)len))
		die(punch ? "fallocate(PUNCH_HOLE)" : "fallocate(ZERO_RANGE)");
	end = off + len;
	if (!keep && end > size)
		size = end;
	/* Past EOF the model is zero already. */
	if (off < size) {
		memset(model + off, 0, min64(end, size) - off);
		changed(off, min64(end, size) - off);
	}
	check_size();
}

/* Read the whole file back after a drop, compare it, checksum what was read. */
static void full_verify(int final)
{
	int direct = full_verifies % 2 == 0;
	uint64_t pos = 0, h = 0xcbf29ce484222325ull;

	drop(final || full_verifies % 4 == 1);
	full_verifies++;
	check_size();
	for (int i = 0; i < 8; i++) {
		h ^= (size >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	while (pos < size) {
		uint64_t want = min64(IOBUF, size - pos);
		ssize_t n = pread_full(direct ? fd_d : fd_b, buf,
				       direct ? rup(want, opt.align) : want, pos);

		if (n < 0)
			die(direct ? "O_DIRECT pread (full)" : "pread (full)");
		compare(direct ? "full O_DIRECT read-back" : "full buffered read-back", buf, pos,
			(uint64_t)n, want);
		for (uint64_t i = 0; i < want; i++) {
			h ^= buf[i];
			h *= 0x100000001b3ull;
		}
		pos += want;
	}
	disk_checksum = h;
}

static uint64_t model_checksum(void)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 0; i < 8; i++) {
		h ^= (size >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	for (uint64_t i = 0; i < size; i++) {
		h ^= model[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void final_report(int failed)
{
	printf("xfs-model: seed=%" PRIu64 " ops=%" PRIu64, opt.seed, failed ? seq : opt.nops);
	for (int o = 0; o < OP_NR; o++)
		printf(" %s=%" PRIu64, op_name[o], counts[o]);
	printf(" full_verifies=%" PRIu64 " flushes=%" PRIu64 " drop_caches=%" PRIu64 " dio_zeroing=%" PRIu64 " size=%" PRIu64
	       " bytes_verified=%" PRIu64 " mismatch_bytes=%" PRIu64
	       " model_checksum=%016" PRIx64 " checksum=%016" PRIx64 "\n",
	       full_verifies, flushes, drops, dio_zeroing, size, bytes_verified,
	       mismatch_bytes, model_checksum(), failed ? 0 : disk_checksum);
	if (failed)
		printf("reproduce: xfs-model -s %" PRIu64 " -n %" PRIu64 " -a %" PRIu64
		       " -b %" PRIu64 " -m %" PRIu64 " -v %" PRIu64 " FILE\n", opt.seed, seq,
		       opt.align, opt.fsblock, opt.maxsize, opt.every);
	fflush(stdout);
}

static int parse_u64(const char *str, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(str, &end, 0);
	if (errno || end == str || *str == '-')
		return -1;
	if (*end == 'k' || *end == 'K')
		*v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		*v <<= 20, end++;
	return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t total = 0, x;
	int c;

	while ((c = getopt(argc, argv, "s:n:a:b:m:v:o:D")) != -1) {
		uint64_t *dst = NULL;

		switch (c) {
		case 's': dst = &opt.seed; break;
		case 'n': dst = &opt.nops; break;
		case 'a': dst = &opt.align; break;
		case 'b': dst = &opt.fsblock; break;
		case 'm': dst = &opt.maxsize; break;
		case 'v': dst = &opt.every; break;
		case 'o': opt.dump = optarg; break;
		case 'D': opt.no_global_drop = 1; break;
		default: goto usage;
		}
		if (dst && parse_u64(optarg, dst))
			goto usage;
	}
	if (optind != argc - 1 || !opt.align || opt.align % SECTOR || opt.align > opt.fsblock ||
	    opt.fsblock % opt.align || (opt.fsblock & (opt.fsblock - 1)) ||
	    opt.maxsize < 4 * opt.fsblock || opt.maxsize % opt.fsblock ||
	    opt.maxsize > (1ull << 30) || !opt.nops)
		goto usage;
	opt.path = argv[optind];

	x = opt.seed;
	for (int i = 0; i < 4; i++)
		s[i] = splitmix64(&x);
	for (int o = 0; o < OP_NR; o++)
		total += op_weight[o];

	/* The model reaches a little past maxsize for reads near the end. */
	model = calloc(opt.maxsize + 4 * opt.fsblock, 1);
	last_change = calloc(opt.maxsize / SECTOR + 1, sizeof(*last_change));
	if (!model || !last_change || posix_memalign((void **)&buf, 4096, IOBUF)) {
		fprintf(stderr, "xfs-model: out of memory\n");
		return 2;
	}
	fd_b = open(opt.path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd_b < 0)
		die(opt.path);
	fd_d = open(opt.path, O_RDWR | O_DIRECT);
	if (fd_d < 0)
		die("O_DIRECT open");

	for (seq = 1; seq <= opt.nops; seq++) {
		uint64_t r = rnd(total);
		enum op op = 0;

		while (r >= op_weight[op])
			r -= op_weight[op++];
		counts[op]++;
		switch (op) {
		case OP_DWRITE: op_dwrite(); break;
		case OP_BWRITE: op_bwrite(); break;
		case OP_DREAD: op_read(1); break;
		case OP_BREAD: op_read(0); break;
		case OP_TRUNCATE: op_truncate(); break;
		case OP_ZERO: op_fallocate(0); break;
		case OP_PUNCH: op_fallocate(1); break;
		case OP_FSYNC:
			log_op(OP_FSYNC, 0, 0, 0);
			if (seq % 2 ? fsync(fd_b) : fdatasync(fd_b))
				die("fsync");
			dirty = 0;
			break;
		case OP_DROP:
			log_op(OP_DROP, 0, 0, 0);
			drop(counts[OP_DROP] % 2 == 0);
			break;
		default:
			break;
		}
		if (opt.every && seq % opt.every == 0 && seq < opt.nops)
			full_verify(0);
	}
	seq = opt.nops;
	full_verify(1);
	if (disk_checksum != model_checksum()) {
		/* compare() would have stopped first; belt and braces. */
		printf("MISMATCH: checksum of the file read back differs from the model's\n");
		final_report(1);
		return 1;
	}
	if (opt.dump) {
		FILE *f = fopen(opt.dump, "w");

		if (!f || fwrite(model, 1, size, f) != size || fclose(f))
			die(opt.dump);
	}
	close(fd_d);
	close(fd_b);
	final_report(0);
	return 0;

usage:
	fprintf(stderr, "usage: xfs-model [-s SEED] [-n OPS] [-a ALIGN] [-b FSBLOCK] [-m MAXSIZE] "
			"[-v EVERY] [-o DUMP] [-D] FILE\n");
	return 2;
}
