/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpmdzero - probe, zero, trace and verify block device ranges.
 *
 * Conventions: functions return 0 (or a count) on success and a negative
 * errno on failure; when a struct pmdzero_error is passed, it receives the
 * same code and a one-line, lowercase message without the device path.
 * The library never prints and never exits.  -EOPNOTSUPP always means "the
 * kernel or the device lacks what this engine needs"; the message says which
 * and why.
 */
#ifndef PMDZERO_H
#define PMDZERO_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error detail filled by every call that takes one; msg is "" on success. */
struct pmdzero_error {
	int code;		/* negative errno, same as the return value */
	char msg[256];		/* one line, no trailing newline, no path */
};

/* Returns the version of the library that is running (lib/VERSION, e.g.
 * "0.6.0"), which may be newer than the header a program was built with. */
const char *pmdzero_version(void);

/* Parses a size as util-linux's strtosize() does (suffixes K to E in either
 * case, alone, with iB for 1024 or B for 1000; fractions such as 1.5M; 0x
 * for hex) into *out; returns 0, -EINVAL, -ERANGE, or -EDOM for a fraction
 * util-linux would round differently (1.10M, 1.3K).  A leading 0 (octal to
 * util-linux), a sign or a space is -EINVAL. */
int pmdzero_parse_size(const char *str, uint64_t *out);

/* Formats bytes as a short human-readable size ("3.0 MiB"); returns buf. */
char *pmdzero_format_size(uint64_t bytes, char *buf, size_t len);

/* ---------------------------------------------------------------- probe */

/* Probe flag: also read the device to look for file system and partition
 * table signatures (libblkid superblock and partition probing). */
#define PMDZERO_PROBE_SIGNATURES	(1U << 0)

/* Everything pmdzero knows about a block device and the queue it feeds.
 *
 * Who allocates it: from 0.6 the library, which lets the struct grow at
 * its end in later versions without breaking programs built against this
 * header.  Get one from pmdzero_probe_new() (free it with
 * pmdzero_probe_free()) or read the one pmdzero_dev_probe() returns (the
 * device owns it); read the fields, do not copy the struct by value.  The
 * functions that take a const struct pmdzero_probe * read only what they
 * are given and keep no pointer to it; a version that adds a field will
 * give them new symbol versions (as 0.3 did for the zero options), so
 * that a probe a program built before it filled itself is read at its
 * old size. */
struct pmdzero_probe {
	char path[4096];		/* path as given */
	char name[64];			/* kernel name, e.g. "loop0p1" */
	char queue_name[64];		/* disk whose queue serves I/O ("loop0") */
	unsigned int major, minor;	/* device number */
	unsigned int queue_major, queue_minor; /* the whole disk's number */
	int whole_disk;			/* 1 if not a partition */
	uint64_t partition_start;	/* byte offset of a partition in its disk */
	uint64_t size;			/* bytes */
	unsigned int logical_block_size;	/* bytes */
	unsigned int physical_block_size;	/* bytes */
	uint64_t minimum_io_size;	/* bytes */
	uint64_t optimal_io_size;	/* bytes, 0 if not reported */
	int64_t alignment_offset;	/* bytes */
	uint64_t max_sectors_kb;	/* queue limit, KiB */
	uint64_t max_hw_sectors_kb;	/* queue limit, KiB */
	uint64_t max_segments;		/* queue limit */
	uint64_t max_segment_size;	/* queue limit, bytes */
	uint64_t write_zeroes_max_bytes; /* 0: no Write Zeroes offload */
	uint64_t discard_max_bytes;	/* 0: no discard */
	char zoned[32];			/* "none", "host-managed", ... */
	int rotational;			/* 1 rotational, 0 not */
	int read_only;			/* BLKROGET */
	int mounted;			/* the device or one of its partitions */
	char mountpoint[256];		/* first mount point found, or "" */
	unsigned int holders;		/* entries in sysfs holders/ */
	char holder[64];		/* first holder's name, or "" */
	int signatures_probed;		/* PMDZERO_PROBE_SIGNATURES was given */
	char fs_type[64];		/* file system signature, or "" */
	char pt_type[64];		/* partition table signature, or "" */
};

/* (0.6) Probes the block device at path; returns a probe the caller frees
 * with pmdzero_probe_free(), or NULL with err filled (-ENOMEM included). */
struct pmdzero_probe *pmdzero_probe_new(const char *path, unsigned int flags,
					struct pmdzero_error *err);

/* (0.6) Frees a probe of pmdzero_probe_new(); NULL is allowed. */
void pmdzero_probe_free(struct pmdzero_probe *p);

/* Fills a caller's *p for the block device at path; returns 0 or a
 * negative errno.  Kept for programs built against 0.1 to 0.5: a struct
 * the caller allocates has the size of the caller's header, so it cannot
 * grow.  New code: pmdzero_probe_new(). */
#ifndef PMDZERO_NO_DEPRECATED
__attribute__((deprecated("use pmdzero_probe_new(), whose struct the library sizes")))
#endif
int pmdzero_probe(const char *path, unsigned int flags,
		  struct pmdzero_probe *p, struct pmdzero_error *err);

/* ----------------------------------------------------------- open/close */

/* Open flag: open for writing; refuses read-only, mounted or busy devices. */
#define PMDZERO_OPEN_WRITE	(1U << 0)
/* Open flag: with PMDZERO_OPEN_WRITE, allow mounted or in-use devices. */
#define PMDZERO_OPEN_FORCE	(1U << 1)

/* An open, checked block device. */
struct pmdzero_dev;

/* Checks and opens path (O_EXCL when writing unless forced); returns the
 * device or NULL with err filled.  Issues no I/O to the device. */
struct pmdzero_dev *pmdzero_open(const char *path, unsigned int flags,
				 struct pmdzero_error *err);

/* Like pmdzero_open(), with the checks made on p, a probe of the device
 * the caller already has (p->path is opened; a device whose number is no
 * longer p's is refused with -ESTALE); returns the device or NULL. */
struct pmdzero_dev *pmdzero_open_probe(const struct pmdzero_probe *p, unsigned int flags,
				       struct pmdzero_error *err);

/* Closes the device and frees it; NULL is allowed. */
void pmdzero_close(struct pmdzero_dev *dev);

/* Returns the probe data gathered by pmdzero_open(). */
const struct pmdzero_probe *pmdzero_dev_probe(const struct pmdzero_dev *dev);

/* Returns the device's file descriptor, owned by dev: do not close it.
 * The library turns O_DIRECT on for its own reads and writes (verify, the
 * guards, the write engines) and off again when they end; a caller using
 * the descriptor meanwhile, from another thread, sees the flag change. */
int pmdzero_dev_fd(const struct pmdzero_dev *dev);

/* Returns 1 if dev is open for writing with O_EXCL (nobody else can mount
 * or claim it meanwhile), 0 otherwise: read-only, or forced onto a device
 * in use. */
int pmdzero_dev_exclusive(const struct pmdzero_dev *dev);

/* Reads signatures (file system, partition table) into the dev's probe data;
 * returns 0 or a negative errno.  This reads the device. */
int pmdzero_dev_probe_signatures(struct pmdzero_dev *dev,
				 struct pmdzero_error *err);

/* Checks [offset, offset + length) against a device of size bytes with the
 * given logical block size; returns 0, -EINVAL or -ERANGE. */
int pmdzero_check_range(uint64_t size, unsigned int logical_block_size,
			uint64_t offset, uint64_t length,
			struct pmdzero_error *err);

/* ---------------------------------------------------------------- zero */

/* How to zero a range. */
enum pmdzero_engine {
	PMDZERO_ENGINE_AUTO = 0,	/* cheapest path, see pmdzero(8) */
	PMDZERO_ENGINE_IOCTL,		/* BLKZEROOUT */
	PMDZERO_ENGINE_FALLOCATE,	/* fallocate(FALLOC_FL_ZERO_RANGE) */
	PMDZERO_ENGINE_URING,		/* io_uring O_DIRECT fixed-buffer writes */
	PMDZERO_ENGINE_URING_FALLOCATE,	/* io_uring IORING_OP_FALLOCATE: one for
					   the range, or block_size chunks */
	PMDZERO_ENGINE_AIO,		/* libaio O_DIRECT writes */
	PMDZERO_ENGINE_PSYNC,		/* pwrite() O_DIRECT loop */
	PMDZERO_ENGINE_COUNT		/* the engines this header knows, not
					   an engine: a newer library may
					   have more (pmdzero_engine_count()) */
};

/* Returns the engine named name, or -EINVAL if there is none. */
int pmdzero_engine_parse(const char *name);

/* Returns the name of engine e, or NULL if e is out of range.  Every e
 * from 0 up to the first NULL is an engine: that is the list to offer. */
const char *pmdzero_engine_name(enum pmdzero_engine e);

/* Returns a one-line description of engine e, or NULL if out of range. */
const char *pmdzero_engine_help(enum pmdzero_engine e);

/* Engine flag: one kernel call for the whole range, no progress until done
 * (with PMDZERO_ENGINE_CHUNKS: unless a block size is given). */
#define PMDZERO_ENGINE_ONE_CALL		(1U << 0)
/* Engine flag: keeps queue_depth I/Os in flight. */
#define PMDZERO_ENGINE_QUEUED		(1U << 1)
/* Engine flag: writes block_size bytes at a time from a zero buffer. */
#define PMDZERO_ENGINE_WRITES		(1U << 2)
/* Engine flag: zeroes block_size chunks without a buffer (uring-fallocate:
 * only when block_size is set; 0 means the whole range at once). */
#define PMDZERO_ENGINE_CHUNKS		(1U << 3)

/* Returns engine e's PMDZERO_ENGINE_* flags, or 0 if e is out of range. */
unsigned int pmdzero_engine_flags(enum pmdzero_engine e);

/* (0.5) The number of engines of the running library: engines are 0 to
 * pmdzero_engine_count() - 1, which may be more than PMDZERO_ENGINE_COUNT
 * of the header a program was built with. */
int pmdzero_engine_count(void);

/* Default queue depth for the uring and aio engines. */
#define PMDZERO_DEFAULT_QUEUE_DEPTH	32U
/* Largest queue depth pmdzero_zero() takes. */
#define PMDZERO_MAX_QUEUE_DEPTH		4096U
/* Default I/O size for the write engines. */
#define PMDZERO_DEFAULT_BLOCK_SIZE	(2U << 20)
/* Largest block size pmdzero_zero() takes: what the kernel does in one
 * call and io_uring registers as one fixed buffer. */
#define PMDZERO_MAX_BLOCK_SIZE		(1ULL << 30)
/* Default bytes per write with PMDZERO_ZERO_VECTORED. */
#define PMDZERO_DEFAULT_VECTORED_SIZE	(8U << 20)
/* Size of the one zero buffer of PMDZERO_ZERO_VECTORED: one PMD. */
#define PMDZERO_VECTORED_BUFFER		(2U << 20)

/* Zero flag (0.3): vectored writes for the write engines (uring, aio,
 * psync): each write of block_size bytes (default 8 MiB) is one
 * writev/pwritev whose iovecs all point at the same 2 MiB zero buffer (a
 * hugetlb page if one can be had, else THP-advised memory), the last one
 * shorter if the write is not a multiple of 2 MiB; the block layer builds
 * 2 MiB bio_vecs from it.  Other engines refuse it with -EINVAL. */
#define PMDZERO_ZERO_VECTORED		(1U << 0)

/* What to zero and how. */
struct pmdzero_zero_opts {
	uint64_t offset;		/* bytes, aligned to the logical block */
	uint64_t length;		/* bytes, aligned, > 0 */
	enum pmdzero_engine engine;
	unsigned int queue_depth;	/* 0: PMDZERO_DEFAULT_QUEUE_DEPTH */
	uint64_t block_size;		/* 0: PMDZERO_DEFAULT_BLOCK_SIZE for
					   the write engines, the whole
					   range for uring-fallocate */
	/* Called with bytes done out of total whenever progress advances,
	 * from the calling thread; may be NULL. */
	void (*progress)(uint64_t done, uint64_t total, void *arg);
	void *progress_arg;		/* passed to progress */
	unsigned int flags;		/* PMDZERO_ZERO_* (0.3) */
};

/* What a zeroing run did and cost. */
struct pmdzero_zero_result {
	enum pmdzero_engine engine;	/* engine used (auto resolved) */
	char detail[128];		/* e.g. why auto chose it, buffer kind */
	uint64_t bytes;			/* bytes zeroed */
	uint64_t elapsed_ns;		/* CLOCK_MONOTONIC */
	uint64_t user_ns;		/* getrusage(RUSAGE_SELF) delta */
	uint64_t sys_ns;		/* getrusage(RUSAGE_SELF) delta */
	uint64_t io_size;		/* bytes per write or SQE (the range
					   length for one uring-fallocate
					   SQE), 0 for ioctl and fallocate */
	unsigned int queue_depth;	/* 0 for synchronous engines */
	unsigned int flags;		/* PMDZERO_ZERO_* in effect (0.3) */
	char buffer[16];		/* zero buffer: "hugetlb", "thp",
					   "normal", or "" without one (0.3) */
};

/*
 * ABI: struct pmdzero_zero_opts and struct pmdzero_zero_result gained
 * their flags and buffer fields in 0.3.  pmdzero_zero() and
 * pmdzero_zero_check() are versioned: programs linked against PMDZERO_0.1
 * call the 0.1 versions, which read and write the structs without the 0.3
 * fields (flags taken as 0); programs built with this header get the
 * PMDZERO_0.3 versions and must set flags (zero-initialise the struct).
 */

/* Checks opts against the device p describes (range, alignment, block size,
 * queue depth, flags and engine) and whether the engine's kernel interface
 * works here, with no I/O to the device; returns 0 or a negative errno
 * (-EOPNOTSUPP: the engine is not supported here; -EINVAL: a bad option,
 * e.g. PMDZERO_ZERO_VECTORED with an engine that does not write).
 * pmdzero_zero() makes the same option checks. */
int pmdzero_zero_check(const struct pmdzero_probe *p, const struct pmdzero_zero_opts *opts,
		       struct pmdzero_error *err);

/* Zeroes the range in opts; returns 0 or a negative errno (-EOPNOTSUPP:
 * the engine is not supported here; -EINTR: stopped by
 * pmdzero_zero_interrupt(), res->bytes then says how much of the range,
 * from its start, holds zeroes).  Never writes outside the range. */
int pmdzero_zero(struct pmdzero_dev *dev, const struct pmdzero_zero_opts *opts,
		 struct pmdzero_zero_result *res, struct pmdzero_error *err);

/* (0.4) Asks a pmdzero_zero() on dev, running or still to come, to stop:
 * the write and chunked engines submit nothing more, wait for what is in
 * flight and return -EINTR with res->bytes the zeroed prefix of the range;
 * a one-call engine (BLKZEROOUT, fallocate, one IORING_OP_FALLOCATE)
 * finishes its call first.  Async-signal-safe: meant for a signal handler.
 * Stays in effect until dev is closed. */
void pmdzero_zero_interrupt(struct pmdzero_dev *dev);

/* -------------------------------------------------------------- verify */

/* Outcome of a read-back. */
struct pmdzero_verify_result {
	uint64_t bytes;			/* bytes read and checked */
	int all_zero;			/* 1 if every byte read was zero */
	uint64_t first_nonzero;		/* device offset of the first non-zero
					   byte, valid when all_zero == 0 */
	uint64_t elapsed_ns;		/* CLOCK_MONOTONIC */
};

/* Reads [offset, offset + length) with O_DIRECT and checks it is all zero;
 * returns 0 when the check ran (see res->all_zero) or a negative errno. */
int pmdzero_verify(struct pmdzero_dev *dev, uint64_t offset, uint64_t length,
		   struct pmdzero_verify_result *res, struct pmdzero_error *err);

/* (0.5) pmdzero_verify() that calls progress (if not NULL) with the bytes
 * read and found zero so far, out of length, after each read (8 MiB at
 * most), from the calling thread; not after the read that finds a
 * non-zero byte. */
int pmdzero_verify_progress(struct pmdzero_dev *dev, uint64_t offset, uint64_t length,
			    void (*progress)(uint64_t done, uint64_t total, void *arg),
			    void *progress_arg, struct pmdzero_verify_result *res,
			    struct pmdzero_error *err);

/* Default bytes guarded on each side of a range. */
#define PMDZERO_DEFAULT_GUARD_BYTES	(1U << 20)
/* The most pmdzero_guard_new() guards on each side (0.5). */
#define PMDZERO_MAX_GUARD_BYTES		(1ULL << 30)

/* Guard regions around a range being zeroed. */
struct pmdzero_guard;

/* Saves the up to guard_bytes before and after the range, then writes a
 * pattern there; returns the guard or NULL with err filled.  The guard
 * borrows dev: free the guard (which restores the data) before closing
 * dev.  If writing the pattern fails, the data is put back before NULL is
 * returned, and err says so if that failed too. */
struct pmdzero_guard *pmdzero_guard_new(struct pmdzero_dev *dev,
					uint64_t offset, uint64_t length,
					uint64_t guard_bytes,
					struct pmdzero_error *err);

/* Result of a guard check. */
struct pmdzero_guard_result {
	struct pmdzero_verify_result range;	/* the zeroed range */
	uint64_t before_bytes;		/* guarded bytes before the range */
	uint64_t after_bytes;		/* guarded bytes after the range */
	int guards_intact;		/* 1 if both patterns read back intact */
	uint64_t first_guard_mismatch;	/* device offset, if not intact */
};

/* Checks the range reads back zero and both guard patterns are intact;
 * returns 0 when the check ran or a negative errno. */
int pmdzero_guard_check(struct pmdzero_guard *g,
			struct pmdzero_guard_result *res,
			struct pmdzero_error *err);

/* Writes the saved original content back over the guard regions;
 * returns 0 or a negative errno.  Calling it twice is harmless. */
int pmdzero_guard_restore(struct pmdzero_guard *g, struct pmdzero_error *err);

/* Restores the guard regions if not yet restored (best effort) and frees. */
void pmdzero_guard_free(struct pmdzero_guard *g);

/* --------------------------------------------------------------- trace */

/* Trace flag: count only; skip the bio byte sampling. */
#define PMDZERO_TRACE_NO_BYTES	(1U << 0)
/* Trace flag (0.3): count only writes and Write Zeroes (tracepoint rwbs
 * W..., N..., after an F for a preflush): the ops that zero a range, not
 * the reads of a verify or of a signature probe.  Without it every op
 * counts.  Libraries before 0.3 ignore the flag. */
#define PMDZERO_TRACE_WRITES	(1U << 1)

/* Block tracepoint counters for one disk. */
struct pmdzero_trace;

/*
 * Counts gathered between pmdzero_trace_start() and pmdzero_trace_stop(),
 * for the traced disk, of every op or (PMDZERO_TRACE_WRITES) of writes and
 * Write Zeroes only.  Each is exact: counting events drop nothing.
 *
 * bios: bios submitted by callers, each counted once (block:block_bio_queue,
 *   blkparse Q).  A bio the queue limits split is one bio: its remainder
 *   is not queued again.  A bio failed with -EAGAIN before it was split or
 *   issued (a REQ_NOWAIT bio from io_uring or aio that would have had to
 *   wait) is not counted: its submitter sends the same I/O again as a new
 *   bio, which is (block:block_bio_complete with error -EAGAIN taken out).
 * splits: block:block_split (blkparse X): how many times a bio was cut to
 *   fit the queue limits; the pieces are not extra bios, and a bio cut
 *   into n requests counts n - 1.
 * merges: bios merged into a request already there (blkparse M + F).
 * requests: block:block_rq_issue (blkparse D): requests sent to the driver.
 * bio_bytes: bytes of the bios counted in bios (the -EAGAIN ones taken
 *   out), when bytes_valid.
 */
struct pmdzero_trace_counts {
	uint64_t bios;		/* bios submitted, see above */
	uint64_t splits;	/* block:block_split (blkparse X) */
	uint64_t merges;	/* bio back/front merges + request merges
				   (blkparse M + F) */
	uint64_t requests;	/* block:block_rq_issue (blkparse D) */
	uint64_t bio_bytes;	/* bytes of those bios, if bytes_valid */
	int bytes_valid;	/* 1 if every counted bio was sampled */
	uint64_t samples;	/* bio samples read */
	uint64_t lost_samples;	/* samples the kernel dropped or throttled */
	uint64_t elapsed_ns;	/* CLOCK_MONOTONIC, start to stop */
};

/* Prepares counters for the disk holding path (a partition traces its
 * whole disk); returns the trace or NULL with err filled.  Reads the
 * tracepoint ids from tracefs, mounting it on /sys/kernel/tracing (or
 * debugfs on /sys/kernel/debug) if neither is mounted, and leaves it
 * mounted, as perf does. */
struct pmdzero_trace *pmdzero_trace_new(const char *path, unsigned int flags,
					struct pmdzero_error *err);

/* Like pmdzero_trace_new(), for the disk p names as its queue
 * (p->queue_major:p->queue_minor); returns the trace or NULL. */
struct pmdzero_trace *pmdzero_trace_new_probe(const struct pmdzero_probe *p, unsigned int flags,
					      struct pmdzero_error *err);

/* Returns the traced disk's name and number through the out pointers
 * (each may be NULL). */
void pmdzero_trace_device(const struct pmdzero_trace *t, const char **name,
			  unsigned int *major, unsigned int *minor);

/* Zeroes and enables all counters; returns 0 or a negative errno. */
int pmdzero_trace_start(struct pmdzero_trace *t, struct pmdzero_error *err);

/* Disables counters and fills *c; returns 0 or a negative errno. */
int pmdzero_trace_stop(struct pmdzero_trace *t, struct pmdzero_trace_counts *c,
		       struct pmdzero_error *err);

/* Stops the trace if running and frees it; NULL is allowed. */
void pmdzero_trace_free(struct pmdzero_trace *t);

/* ---------------------------------------------------- shape arithmetic */

/* Queue and zero-source parameters of a BLKZEROOUT, for pmdzero_shape(). */
struct pmdzero_shape_params {
	uint64_t bytes;			/* range length, multiple of 512 */
	uint64_t write_zeroes_max_bytes; /* > 0: Write Zeroes offload used */
	uint32_t bvec_bytes;		/* zero source: 4096 page, 2 MiB folio */
	uint32_t max_vecs;		/* bvecs per bio (BIO_MAX_VECS, 256) */
	uint32_t max_sectors;		/* queue max_sectors, 512 B sectors
					   (sysfs max_sectors_kb * 2, which
					   loses an odd last sector) */
	uint32_t max_segments;		/* queue max_segments */
	uint32_t max_segment_size;	/* queue max_segment_size */
	uint32_t logical_block_size;	/* bytes */
	uint32_t physical_block_size;	/* bytes */
};

/* Predicted block layer work for one BLKZEROOUT. */
struct pmdzero_shape {
	uint64_t bios;			/* bios submitted (blkparse Q) */
	uint64_t requests;		/* requests issued (blkparse D) */
	uint64_t splits;		/* bio splits (blkparse X) */
	uint64_t bio_bytes;		/* size of the largest bio */
};

/* Predicts the bios and requests of a BLKZEROOUT on Linux 6.12, stock
 * (bvec_bytes 4096) or with this project's series (bvec_bytes 2 MiB: bios
 * of at most 8 MiB in whole requests, patch 0005), as lib/shape.c
 * explains; returns 0 or -EINVAL. */
int pmdzero_shape(const struct pmdzero_shape_params *p, struct pmdzero_shape *s);

#ifdef __cplusplus
}
#endif

#endif /* PMDZERO_H */
