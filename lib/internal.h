/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private declarations shared by the libpmdzero sources. */
#ifndef PMDZERO_INTERNAL_H
#define PMDZERO_INTERNAL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "pmdzero.h"

#define PZ_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PZ_MIN(a, b)		((a) < (b) ? (a) : (b))
#define PZ_MAX(a, b)	((a) > (b) ? (a) : (b))
#define PZ_HUGE_SIZE		(2UL << 20)	/* x86_64/arm64-4K PMD size */

struct pmdzero_dev {
	int fd;
	unsigned int flags;	/* PMDZERO_OPEN_* */
	int exclusive;		/* opened with O_EXCL */
	volatile sig_atomic_t interrupted;	/* pmdzero_zero_interrupt() */
	struct pmdzero_probe probe;
};

/* Fills err (if any) with code and a formatted message; returns code. */
int pz_error(struct pmdzero_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Clears err (if any). */
void pz_error_clear(struct pmdzero_error *err);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t pz_now_ns(void);

/* Wall clock and CPU usage of a run. */
struct pz_usage {
	uint64_t wall_ns, user_ns, sys_ns;
};
/* Records the starting point of a measurement. */
void pz_usage_begin(struct pz_usage *u);
/* Turns u into the delta since pz_usage_begin(). */
void pz_usage_end(struct pz_usage *u);

/* Reads a sysfs file into buf (trailing newline stripped); 0 or -errno. */
int pz_read_file(const char *path, char *buf, size_t len);
/* Reads an unsigned decimal number from dir/name; 0 or -errno. */
int pz_read_u64(const char *dir, const char *name, uint64_t *val);

/* The zero buffer shared by the write engines (run.c). */
struct pz_zbuf {
	void *addr;
	size_t len;		/* usable length */
	size_t map_len;		/* mapping length (munmap) */
	const char *kind;	/* "hugetlb", "thp" or "normal" */
};
/* Allocates len zeroed bytes, 2 MiB huge pages if possible; 0 or -errno. */
int pz_zbuf_alloc(struct pz_zbuf *zb, size_t len);
/* Frees a zero buffer. */
void pz_zbuf_free(struct pz_zbuf *zb);

/* Sets or clears O_DIRECT on fd; 0 or -errno. */
int pz_set_direct(int fd, int on);
/* Sets O_DIRECT on dev for what ("verify", an engine's name); 0 or -errno
 * with the message in err (-EOPNOTSUPP: the device has no O_DIRECT). */
int pz_direct_on(struct pmdzero_dev *dev, const char *what, struct pmdzero_error *err);
/* Full-length pread/pwrite (retries EINTR and short transfers); 0 or -errno
 * (-EIO on an unexpected end of device). */
int pz_pread_full(int fd, void *buf, size_t len, uint64_t off);
int pz_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

/* Aligned allocation for O_DIRECT buffers; NULL on failure. */
void *pz_alloc_aligned(size_t len);

/* Offset of the first non-zero byte in buf, or len if all zero. */
size_t pz_first_nonzero(const void *buf, size_t len);

/* Where a block device and the whole disk whose queue serves it are. */
struct pz_sysfs {
	char dir[4096];		/* the device's sysfs directory */
	char name[64];		/* its kernel name, "loop0p1" */
	char disk[64];		/* the whole disk's /sys/dev/block/MAJ:MIN */
	char disk_name[64];	/* "loop0" */
	dev_t disk_devno;
	int is_partition;
};
/* Resolves a device number through sysfs and libblkid's
 * blkid_devno_to_wholedisk(); 0 or -errno. */
int pz_sysfs_resolve(dev_t rdev, struct pz_sysfs *s);
/* Reads the "MAJ:MIN" in dir/dev; 0 or -errno. */
int pz_read_devno(const char *dir, dev_t *devno);

/* stat()s path and checks it is a block device; 0 or -errno (message set). */
int pz_stat_blockdev(const char *path, struct stat *st, struct pmdzero_error *err);
/* Probes the open device fd whose number is rdev into *p; 0 or -errno. */
/* pmdzero_probe() for the library's own callers (it is deprecated in the
 * header). */
int pz_probe_path(const char *path, unsigned int flags, struct pmdzero_probe *p,
		  struct pmdzero_error *err);
int pz_probe_fd(int fd, dev_t rdev, unsigned int flags, struct pmdzero_probe *p,
		struct pmdzero_error *err);
/* Fills fs_type/pt_type from libblkid signature probing (reads); 0 or -errno. */
int pz_probe_signatures(struct pmdzero_probe *p, int fd, struct pmdzero_error *err);

/* Engine entry points, all with the range already checked; what they
 * share is in run.c. */
struct pz_run {
	struct pmdzero_dev *dev;
	const struct pmdzero_zero_opts *opts;
	struct pmdzero_zero_result *res;
	uint64_t done;		/* bytes completed so far */
};
/* Reports progress through the callback in opts. */
void pz_progress(struct pz_run *run, uint64_t done);
/* After a successful BLKZEROOUT or fallocate zero range (call names it):
 * sets res->detail to the path the kernel took, the Write Zeroes offload
 * or zero-page writes, including an offload the device advertised and
 * then rejected (the kernel then fell back to zero pages). */
void pz_zeroout_detail(struct pz_run *run, const char *call);
/* Whether pmdzero_zero_interrupt() asked the run to stop: an engine then
 * submits nothing new, waits for what is in flight, sets run->done to the
 * zeroed prefix and returns pz_interrupted_error(). */
int pz_interrupted(const struct pz_run *run);
/* Fills err for a run stopped after run->done bytes; returns -EINTR. */
int pz_interrupted_error(struct pz_run *run, const char *engine, struct pmdzero_error *err);

/* An engine: one engine_NAME.c defines it, the table in zero.c lists it. */
struct pz_engine {
	const char *name;		/* what -e takes */
	const char *help;		/* one line, lowercase */
	unsigned int flags;		/* PMDZERO_ENGINE_ONE_CALL, ... */
	/* Whether the kernel interface works here, without any I/O: 0, or
	 * -EOPNOTSUPP (or another -errno) with the reason in err; NULL when
	 * only a write can tell. */
	int (*available)(struct pmdzero_error *err);
	/* Zeroes run->opts' range, already checked; 0 or -errno. */
	int (*run)(struct pz_run *run, struct pmdzero_error *err);
};

/* Write engines: enables O_DIRECT and allocates the zero buffer of
 * pz_io_size() bytes (vectored: of at most PMDZERO_VECTORED_BUFFER); sets
 * res->io_size and res->buffer; 0 or -errno (-EOPNOTSUPP without
 * O_DIRECT, -EINVAL if a vectored write would exceed IOV_MAX). */
int pz_direct_begin(struct pz_run *run, const char *engine, struct pz_zbuf *zb,
		    struct pmdzero_error *err);
/* Undoes pz_direct_begin(). */
void pz_direct_end(struct pz_run *run, struct pz_zbuf *zb);
/* Checks a short write's byte count can be resubmitted; 0 or -EIO. */
int pz_check_short(struct pz_run *run, const char *engine, uint64_t done,
		   struct pmdzero_error *err);

/* The I/O size an engine uses: the requested block size (default 2 MiB,
 * 8 MiB when vectored), at most the range length, a multiple of the
 * logical block size. */
uint64_t pz_io_size(const struct pz_run *run);
/* Whether run's writes are vectored (PMDZERO_ZERO_VECTORED). */
int pz_vectored(const struct pz_run *run);
/* Most iovecs a vectored write of io bytes takes from a buffer of buf_len. */
unsigned int pz_iov_count(uint64_t io, size_t buf_len);
/* Fills iov (room for max) with len bytes from buf: every entry points at
 * buf, buf_len bytes each, the last the rest; returns the number of
 * entries, or 0 if len is 0, buf_len is 0 or they do not fit in max. */
unsigned int pz_iov_plan(uint64_t len, void *buf, size_t buf_len, struct iovec *iov,
			 unsigned int max);
/* The queue depth an engine uses for I/Os of io bytes: the requested one
 * (default 32), never more than the number of I/Os. */
unsigned int pz_queue_depth(const struct pz_run *run, uint64_t io);

/* The queued engines' loop (queue.c): up to qd I/Os in flight over the
 * run's range, in pieces of io bytes, each in a slot; a backend (aio,
 * io_uring) prepares, submits and reaps them. */
struct pz_queue;

struct pz_queue_slot {
	uint64_t off, len;	/* what the slot's I/O writes or zeroes */
};

struct pz_queue_cqe {
	unsigned int idx;	/* the slot */
	long res;		/* bytes done, or -errno */
};

struct pz_queue_ops {
	/* Queues slot idx's I/O (q->slots[idx]) for the next submit. */
	void (*prep)(struct pz_queue *q, unsigned int idx);
	/* Submits what is queued (q->queued I/Os); returns how many the
	 * kernel took, or -errno (-EAGAIN, -EINTR: none, try again). */
	int (*submit)(struct pz_queue *q);
	/* Waits for at least one completion and stores up to max; returns
	 * how many, or -errno (-EINTR: again). */
	int (*reap)(struct pz_queue *q, struct pz_queue_cqe *cqe, unsigned int max);
	/* Waits for the q->inflight I/Os still in flight after an error;
	 * NULL if the backend's teardown does (io_destroy()). */
	void (*drain)(struct pz_queue *q);
	/* The message of a failed completion; NULL: "NAME: WHAT at offset
	 * OFF failed: ...".  Returns res's error. */
	int (*error)(struct pz_queue *q, unsigned int idx, int res, struct pmdzero_error *err);
};

struct pz_queue {
	struct pz_run *run;
	const char *name;		/* the engine's, for messages */
	const char *what;		/* "write", "fallocate" */
	const struct pz_queue_ops *ops;
	void *backend;
	unsigned int qd;
	int whole_slots;		/* a success covers the whole slot */
	/* The loop's state, for the backend to read. */
	struct pz_queue_slot *slots;
	unsigned int *free_slots, nfree;
	unsigned int queued, inflight;
	uint64_t done;			/* bytes completed */
};

/* Runs q over q->run's range in I/Os of io bytes; 0 or -errno (-EINTR:
 * interrupted, run->done the zeroed prefix).  Every I/O submitted has
 * completed when it returns, unless waiting itself failed. */
int pz_queue_run(struct pz_queue *q, uint64_t io, struct pmdzero_error *err);
/* Frees what pz_queue_run() allocated. */
void pz_queue_free(struct pz_queue *q);

#endif /* PMDZERO_INTERNAL_H */
