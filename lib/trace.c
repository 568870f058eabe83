// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * trace: count the block tracepoints of one disk with perf_event_open().
 *
 * Counts come from counting-mode events (one per tracepoint per online CPU,
 * pid -1, filtered in the kernel with "dev == N", and with
 * PMDZERO_TRACE_WRITES also on the op: rwbs W* or N* (Write Zeroes), with
 * or without a leading F for a preflush): the kernel increments them for
 * every hit and drops nothing.  These are the tracepoints blktrace itself
 * hooks, so the counts equal blkparse's:
 *   bios     = block_bio_queue                       (Q)
 *              - block_bio_complete with error -EAGAIN
 *              - block_rq_complete with error -EOPNOTSUPP
 *   splits   = block_split                           (X)
 *   merges   = block_bio_backmerge + block_rq_merge  (M; blktrace logs both
 *              as a back merge) + block_bio_frontmerge (F)
 *   requests = block_rq_issue                        (D)
 *
 * block_bio_queue fires once per bio a caller submits: a split remainder
 * goes back through submit_bio_noacct() already flagged BIO_TRACE_COMPLETION
 * and is not traced again (measured on 6.12 and 6.18).  A bio can still be
 * queued twice: io_uring and aio submit with REQ_NOWAIT, and the block
 * layer fails such a bio with BLK_STS_AGAIN when it would have to wait
 * (a bio that needs splitting, no free tag) before it was split or issued;
 * the submitter then sends the same I/O again from a context that may
 * block (io_uring's io-wq), and the second bio is queued, split and issued.
 * The failed one completes with error -EAGAIN (-11) and its size intact,
 * so block_bio_complete filtered on "error == -11" counts exactly the bios
 * to take out, and its nr_sector the bytes.  Without that a 64 MiB uring
 * run on a loop device with 1280 KiB max_sectors reported 128 MiB.
 * A device that advertises Write Zeroes and then rejects the command (a
 * loop device over tmpfs) completes that request with -EOPNOTSUPP (-95),
 * and blkdev_issue_zeroout() zeroes the range again with zero-page writes:
 * the rejected request's bio did nothing and is taken out the same way,
 * through block_rq_complete (a request's completion is traced there, not
 * as a bio's).  It made a 64 MiB BLKZEROOUT 65 bios and 128 MiB.
 *
 * Bio bytes need the nr_sector field of each block_bio_queue hit (and of
 * each -EAGAIN completion), so a sampling event (PERF_SAMPLE_RAW, period 1)
 * per tracepoint and CPU feeds a ring buffer that a reader thread drains.
 * Samples can be lost (full buffer) or throttled
 * (kernel.perf_event_max_sample_rate); the bytes are reported only when
 * every counted hit was sampled, otherwise they are marked invalid.
 *
 * The tracepoints record the whole disk's device number (a partition's bios
 * are remapped before block_bio_queue), so tracing a partition traces its
 * disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "internal.h"

enum {
	EV_BIO_QUEUE,
	EV_SPLIT,
	EV_BIO_BACKMERGE,
	EV_BIO_FRONTMERGE,
	EV_RQ_MERGE,
	EV_RQ_ISSUE,
	EV_BIO_AGAIN,		/* block_bio_complete, error -EAGAIN only */
	EV_RQ_REJECTED,		/* block_rq_complete, error -EOPNOTSUPP only */
	EV_COUNT
};

static const char *const ev_names[EV_COUNT] = {
	[EV_BIO_QUEUE] = "block_bio_queue",
	[EV_SPLIT] = "block_split",
	[EV_BIO_BACKMERGE] = "block_bio_backmerge",
	[EV_BIO_FRONTMERGE] = "block_bio_frontmerge",
	[EV_RQ_MERGE] = "block_rq_merge",
	[EV_RQ_ISSUE] = "block_rq_issue",
	[EV_BIO_AGAIN] = "block_bio_complete",
	[EV_RQ_REJECTED] = "block_rq_complete",
};

/* The sampled events: their nr_sector adds to (queue) or is taken from
 * (an -EAGAIN completion) the bio bytes. */
enum { RING_QUEUE, RING_AGAIN, RING_REJECTED, RING_KINDS };

static const int ring_event[RING_KINDS] = {
	[RING_QUEUE] = EV_BIO_QUEUE,
	[RING_AGAIN] = EV_BIO_AGAIN,
	[RING_REJECTED] = EV_RQ_REJECTED,
};

/* PMDZERO_TRACE_WRITES: writes and Write Zeroes ("N": blk_fill_rwbs() has
 * no letter of its own for it), each possibly after the F of a preflush.
 * Prefix globs only: "*W*" was seen counting XFS's reads (tests/vm). */
static const char writes_filter[] =
	" && (rwbs ~ \"W*\" || rwbs ~ \"FW*\" || rwbs ~ \"N*\" || rwbs ~ \"FN*\")";

#define PZ_RING_PAGES	128	/* data pages per CPU: 512 KiB with 4 KiB pages */

struct pz_ring {
	int fd;
	int kind;			/* RING_QUEUE or RING_AGAIN */
	void *base;
	size_t map_len;
};

struct pmdzero_trace {
	unsigned int flags;
	char name[64];
	unsigned int major, minor;
	char events[PATH_MAX];		/* .../events/block */
	int ncpus;
	int *cpus;
	int *fds;			/* ncpus * EV_COUNT counting events */
	struct pz_ring *rings;		/* nrings sampling events, or NULL */
	int nrings;			/* ncpus * RING_KINDS */
	unsigned int field_off[RING_KINDS], field_size[RING_KINDS];
					/* nr_sector in each raw record */
	int stopfd;
	pthread_t thread;
	int thread_running;
	int running;
	uint64_t t0;
	/* Written by the reader thread, read after it is joined. */
	uint64_t sectors[RING_KINDS], samples[RING_KINDS], lost, throttled, bad_records;
};

static int perf_open(struct perf_event_attr *attr, int cpu)
{
	return (int)syscall(__NR_perf_event_open, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static int find_events(struct pmdzero_trace *t, struct pmdzero_error *err)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events/block",
		"/sys/kernel/debug/tracing/events/block",
	};
	int tries, mret = 0, aerr = 0;
	size_t i;

	/* Mount tracefs (or debugfs, which exposes it in tracing/) if nobody
	 * has: the tracepoint ids and formats live there. */
	for (tries = 0; tries < 3; tries++) {
		for (i = 0; i < PZ_ARRAY_SIZE(dirs); i++) {
			if (access(dirs[i], R_OK | X_OK) == 0) {
				snprintf(t->events, sizeof(t->events), "%s", dirs[i]);
				return 0;
			}
			if (errno != ENOENT && !aerr)
				aerr = errno;
		}
		if (aerr)
			return pz_error(err, -aerr, "cannot read %s: %s (tracing needs root)",
					dirs[0], strerror(aerr));
		if (tries == 0 && mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL))
			mret = errno;
		if (tries == 1 && mount("nodev", "/sys/kernel/debug", "debugfs", 0, NULL))
			mret = errno;
	}
	return pz_error(err, -ENOENT,
			"block tracepoints not found: tracefs is not mounted and mounting it failed (%s)",
			strerror(mret ? mret : ENOENT));
}

static int read_id(struct pmdzero_trace *t, const char *ev, uint64_t *id,
		   struct pmdzero_error *err)
{
	char dir[PATH_MAX + 64];
	int ret;

	snprintf(dir, sizeof(dir), "%s/%s", t->events, ev);
	ret = pz_read_u64(dir, "id", id);
	if (ret)
		return pz_error(err, ret == -ENOENT ? -EOPNOTSUPP : ret,
				"cannot read the id of tracepoint block:%s: %s", ev, strerror(-ret));
	return 0;
}

/* Finds nr_sector's offset and size in the raw record of ring kind k. */
static int read_format(struct pmdzero_trace *t, int k, struct pmdzero_error *err)
{
	const char *ev = ev_names[ring_event[k]];
	char path[PATH_MAX + 64], line[512], *f;
	unsigned int off, size;
	FILE *fp;
	int found = 0;

	snprintf(path, sizeof(path), "%s/%s/format", t->events, ev);
	fp = fopen(path, "re");
	if (!fp)
		return pz_error(err, -errno, "cannot read %s: %s", path, strerror(errno));
	while (!found && fgets(line, sizeof(line), fp)) {
		f = strstr(line, " nr_sector;");
		if (!f || !strstr(line, "field:"))
			continue;
		f = strstr(f, "offset:");
		if (f && sscanf(f, "offset:%u; size:%u;", &off, &size) == 2 &&
		    (size == 4 || size == 8)) {
			t->field_off[k] = off;
			t->field_size[k] = size;
			found = 1;
		}
	}
	fclose(fp);
	if (!found)
		return pz_error(err, -EOPNOTSUPP, "%s has no nr_sector field", ev);
	return 0;
}

static int online_cpus(struct pmdzero_trace *t, struct pmdzero_error *err)
{
	char buf[4096], *p, *end;
	long a, b, i;
	int n = 0, cap = 64, ret;

	ret = pz_read_file("/sys/devices/system/cpu/online", buf, sizeof(buf));
	if (ret)
		return pz_error(err, ret, "cannot read the online CPU list: %s", strerror(-ret));
	t->cpus = malloc((size_t)cap * sizeof(int));
	if (!t->cpus)
		return pz_error(err, -ENOMEM, "out of memory");
	for (p = buf; *p; p = end + (*end == ',')) {
		a = strtol(p, &end, 10);
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (end == p || a < 0 || b < a || (*end && *end != ','))
			return pz_error(err, -EINVAL, "cannot parse the online CPU list \"%s\"", buf);
		for (i = a; i <= b; i++) {
			if (n == cap) {
				int *c = realloc(t->cpus, (size_t)(cap *= 2) * sizeof(int));

				if (!c)
					return pz_error(err, -ENOMEM, "out of memory");
				t->cpus = c;
			}
			t->cpus[n++] = (int)i;
		}
		if (!*end)
			break;
	}
	t->ncpus = n;
	return n ? 0 : pz_error(err, -EINVAL, "no online CPUs");
}

static int open_error(int e, const char *ev, struct pmdzero_error *err)
{
	char paranoid[16] = "?";

	if (e == EACCES || e == EPERM) {
		pz_read_file("/proc/sys/kernel/perf_event_paranoid", paranoid, sizeof(paranoid));
		return pz_error(err, -e,
				"perf_event_open(block:%s) is not permitted: needs root or CAP_PERFMON (kernel.perf_event_paranoid = %s)",
				ev, paranoid);
	}
	if (e == EMFILE || e == ENFILE)
		return pz_error(err, -e, "perf_event_open(block:%s): too many open files (raise ulimit -n)",
				ev);
	if (e == ENOENT || e == ENODEV || e == EOPNOTSUPP || e == ENOSYS)
		return pz_error(err, -EOPNOTSUPP, "perf_event_open(block:%s) is not supported: %s",
				ev, strerror(e));
	return pz_error(err, -e, "perf_event_open(block:%s) failed: %s", ev, strerror(e));
}

static int open_event(uint64_t id, int cpu, int sampling,
		      const char *filter, const char *ev, struct pmdzero_error *err)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = id;
	a.disabled = 1;
	if (sampling) {
		a.sample_period = 1;
		a.sample_type = PERF_SAMPLE_RAW;
		a.watermark = 1;
		a.wakeup_watermark = (uint32_t)(PZ_RING_PAGES * (uint64_t)sysconf(_SC_PAGESIZE) / 4);
	}
	fd = perf_open(&a, cpu);
	if (fd < 0)
		return open_error(errno, ev, err);
	if (ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter)) {
		int e = errno;

		close(fd);
		return pz_error(err, -e, "cannot set filter \"%s\" on block:%s: %s", filter, ev,
				strerror(e));
	}
	return fd;
}

/* The filter of event e: the -EAGAIN and -EOPNOTSUPP completions have
 * their own, on top of the device (and op) filter. */
static const char *event_filter(int e, const char *filter, const char *again,
				const char *rejected)
{
	return e == EV_BIO_AGAIN ? again : e == EV_RQ_REJECTED ? rejected : filter;
}

/* The trace of the disk disk_devno, named name; sets up everything. */
static struct pmdzero_trace *trace_new(dev_t disk_devno, const char *name, unsigned int flags,
				       struct pmdzero_error *err)
{
	uint64_t ids[EV_COUNT];
	struct pmdzero_trace *t;
	char filter[256], again_filter[300], rejected_filter[300];
	long page = sysconf(_SC_PAGESIZE);
	int c, e, i, k, fd;

	pz_error_clear(err);
	t = calloc(1, sizeof(*t));
	if (!t) {
		pz_error(err, -ENOMEM, "out of memory");
		return NULL;
	}
	t->flags = flags;
	t->stopfd = -1;
	t->major = major(disk_devno);
	t->minor = minor(disk_devno);
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (find_events(t, err) || online_cpus(t, err))
		goto fail;
	for (e = 0; e < EV_COUNT; e++)
		if (read_id(t, ev_names[e], &ids[e], err))
			goto fail;
	/* The kernel's dev_t: 12 bits of major above 20 bits of minor. */
	snprintf(filter, sizeof(filter), "dev == %u%s", (t->major << 20) | t->minor,
		 flags & PMDZERO_TRACE_WRITES ? writes_filter : "");
	snprintf(again_filter, sizeof(again_filter), "%s && error == %d", filter, -EAGAIN);
	snprintf(rejected_filter, sizeof(rejected_filter), "%s && error == %d", filter,
		 -EOPNOTSUPP);

	t->fds = malloc((size_t)t->ncpus * EV_COUNT * sizeof(int));
	if (!t->fds) {
		pz_error(err, -ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < t->ncpus * EV_COUNT; i++)
		t->fds[i] = -1;
	for (c = 0; c < t->ncpus; c++) {
		for (e = 0; e < EV_COUNT; e++) {
			fd = open_event(ids[e], t->cpus[c], 0, event_filter(e, filter, again_filter,
									    rejected_filter),
					ev_names[e], err);
			if (fd < 0)
				goto fail;
			t->fds[c * EV_COUNT + e] = fd;
		}
	}
	if (flags & PMDZERO_TRACE_NO_BYTES)
		return t;

	for (k = 0; k < RING_KINDS; k++)
		if (read_format(t, k, err))
			goto fail;
	t->rings = calloc((size_t)t->ncpus * RING_KINDS, sizeof(*t->rings));
	if (!t->rings) {
		pz_error(err, -ENOMEM, "out of memory");
		goto fail;
	}
	t->nrings = t->ncpus * RING_KINDS;
	for (i = 0; i < t->nrings; i++)
		t->rings[i].fd = -1;
	for (i = 0; i < t->nrings; i++) {
		struct pz_ring *r = &t->rings[i];

		c = i / RING_KINDS;
		r->kind = i % RING_KINDS;
		e = ring_event[r->kind];
		r->fd = open_event(ids[e], t->cpus[c], 1,
				   event_filter(e, filter, again_filter, rejected_filter), ev_names[e],
				   err);
		if (r->fd < 0)
			goto fail;
		r->map_len = (size_t)(PZ_RING_PAGES + 1) * (size_t)page;
		r->base = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
		if (r->base == MAP_FAILED) {
			r->base = NULL;
			pz_error(err, -errno, "cannot map the perf ring buffer: %s%s", strerror(errno),
				 errno == EPERM ? " (kernel.perf_event_mlock_kb too small?)" : "");
			goto fail;
		}
	}
	t->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->stopfd < 0) {
		pz_error(err, -errno, "eventfd failed: %s", strerror(errno));
		goto fail;
	}
	return t;
fail:
	pmdzero_trace_free(t);
	return NULL;
}

struct pmdzero_trace *pmdzero_trace_new(const char *path, unsigned int flags,
					struct pmdzero_error *err)
{
	struct pz_sysfs s;
	struct stat st;
	int ret;

	pz_error_clear(err);
	if (pz_stat_blockdev(path, &st, err))
		return NULL;
	ret = pz_sysfs_resolve(st.st_rdev, &s);
	if (ret) {
		pz_error(err, ret, "cannot find the device in sysfs: %s", strerror(-ret));
		return NULL;
	}
	return trace_new(s.disk_devno, s.disk_name, flags, err);
}

struct pmdzero_trace *pmdzero_trace_new_probe(const struct pmdzero_probe *p, unsigned int flags,
					      struct pmdzero_error *err)
{
	pz_error_clear(err);
	return trace_new(makedev(p->queue_major, p->queue_minor), p->queue_name, flags, err);
}

void pmdzero_trace_device(const struct pmdzero_trace *t, const char **name,
			  unsigned int *major, unsigned int *minor)
{
	if (name)
		*name = t->name;
	if (major)
		*major = t->major;
	if (minor)
		*minor = t->minor;
}

/* Copies len bytes at ring position pos, wrapping at the end of the ring. */
static void ring_copy(const char *data, uint64_t size, uint64_t pos, void *dst, size_t len)
{
	size_t at = (size_t)(pos % size), first = PZ_MIN(len, (size_t)(size - at));

	memcpy(dst, data + at, first);
	if (first < len)
		memcpy((char *)dst + first, data, len - first);
}

static void ring_drain(struct pmdzero_trace *t, struct pz_ring *r)
{
	struct perf_event_mmap_page *meta = r->base;
	const char *data = (const char *)r->base + meta->data_offset;
	uint64_t size = meta->data_size, head, tail, v;
	struct perf_event_header hdr;
	unsigned char rec[65536];
	uint32_t raw_size, v32;
	int k = r->kind;

	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	tail = meta->data_tail;
	while (tail < head) {
		ring_copy(data, size, tail, &hdr, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || hdr.size > head - tail) {
			t->bad_records++;	/* cannot happen; never loop on it */
			tail = head;
			break;
		}
		ring_copy(data, size, tail, rec, hdr.size);
		switch (hdr.type) {
		case PERF_RECORD_SAMPLE:
			/* header, u32 raw size, raw bytes (PERF_SAMPLE_RAW only) */
			memcpy(&raw_size, rec + sizeof(hdr), 4);
			if (sizeof(hdr) + 4 + (size_t)raw_size > hdr.size ||
			    t->field_off[k] + t->field_size[k] > raw_size) {
				t->bad_records++;
				break;
			}
			if (t->field_size[k] == 4) {
				memcpy(&v32, rec + sizeof(hdr) + 4 + t->field_off[k], 4);
				v = v32;
			} else {
				memcpy(&v, rec + sizeof(hdr) + 4 + t->field_off[k], 8);
			}
			t->sectors[k] += v;
			t->samples[k]++;
			break;
		case PERF_RECORD_LOST:
			/* header, u64 id, u64 lost */
			if (hdr.size >= sizeof(hdr) + 16) {
				memcpy(&v, rec + sizeof(hdr) + 8, 8);
				t->lost += v;
			}
			break;
		case PERF_RECORD_THROTTLE:
			t->throttled++;
			break;
		default:
			break;
		}
		tail += hdr.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

static void *reader(void *arg)
{
	struct pmdzero_trace *t = arg;
	struct pollfd *pfd;
	int c, stop = 0;

	pfd = calloc((size_t)t->nrings + 1, sizeof(*pfd));
	if (!pfd) {
		/* Without poll, drain on a timer. */
		while (!stop) {
			uint64_t v;

			usleep(10000);
			stop = read(t->stopfd, &v, sizeof(v)) == sizeof(v);
			for (c = 0; c < t->nrings; c++)
				ring_drain(t, &t->rings[c]);
		}
		return NULL;
	}
	for (c = 0; c < t->nrings; c++) {
		pfd[c].fd = t->rings[c].fd;
		pfd[c].events = POLLIN;
	}
	pfd[t->nrings].fd = t->stopfd;
	pfd[t->nrings].events = POLLIN;
	while (!stop) {
		/* The timeout bounds how long samples below the watermark wait. */
		poll(pfd, (nfds_t)t->nrings + 1, 100);
		stop = (pfd[t->nrings].revents & POLLIN) != 0;
		/* After stop the events are already disabled: this last drain
		 * sees every sample. */
		for (c = 0; c < t->nrings; c++)
			ring_drain(t, &t->rings[c]);
	}
	free(pfd);
	return NULL;
}

static void set_all(struct pmdzero_trace *t, unsigned long req)
{
	int i;

	for (i = 0; i < t->ncpus * EV_COUNT; i++)
		ioctl(t->fds[i], req, 0);
	for (i = 0; t->rings && i < t->nrings; i++)
		ioctl(t->rings[i].fd, req, 0);
}

int pmdzero_trace_start(struct pmdzero_trace *t, struct pmdzero_error *err)
{
	int ret, c;

	pz_error_clear(err);
	if (t->running)
		return pz_error(err, -EBUSY, "trace is already running");
	set_all(t, PERF_EVENT_IOC_RESET);
	if (t->rings) {
		for (c = 0; c < t->nrings; c++)
			ring_drain(t, &t->rings[c]);	/* leftovers of a previous run */
		memset(t->sectors, 0, sizeof(t->sectors));
		memset(t->samples, 0, sizeof(t->samples));
		t->lost = t->throttled = t->bad_records = 0;
		ret = pthread_create(&t->thread, NULL, reader, t);
		if (ret)
			return pz_error(err, -ret, "cannot start the trace reader thread: %s",
					strerror(ret));
		t->thread_running = 1;
	}
	t->t0 = pz_now_ns();
	set_all(t, PERF_EVENT_IOC_ENABLE);
	t->running = 1;
	return 0;
}

static int read_count(int fd, uint64_t *v)
{
	return read(fd, v, sizeof(*v)) == (ssize_t)sizeof(*v) ? 0 : -EIO;
}

int pmdzero_trace_stop(struct pmdzero_trace *t, struct pmdzero_trace_counts *cnt,
		       struct pmdzero_error *err)
{
	uint64_t sum[EV_COUNT] = { 0 }, v, one = 1;
	int c, e, ret = 0;

	pz_error_clear(err);
	memset(cnt, 0, sizeof(*cnt));
	if (!t->running)
		return pz_error(err, -EINVAL, "trace is not running");
	set_all(t, PERF_EVENT_IOC_DISABLE);
	cnt->elapsed_ns = pz_now_ns() - t->t0;
	t->running = 0;
	for (c = 0; c < t->ncpus; c++) {
		for (e = 0; e < EV_COUNT; e++) {
			v = 0;
			if (read_count(t->fds[c * EV_COUNT + e], &v) && !ret)
				ret = pz_error(err, -EIO, "cannot read the block:%s counter",
					       ev_names[e]);
			sum[e] += v;
		}
	}
	if (t->thread_running) {
		if (write(t->stopfd, &one, sizeof(one)) != sizeof(one))
			ret = ret ? ret : pz_error(err, -errno, "cannot stop the reader thread");
		pthread_join(t->thread, NULL);
		t->thread_running = 0;
		while (read(t->stopfd, &v, sizeof(v)) == sizeof(v))
			;	/* drain the eventfd for a later start */
	}
	/* Every -EAGAIN completion was queued first (its BIO_TRACE_COMPLETION
	 * flag is set by block_bio_queue), so the difference cannot wrap;
	 * the guard is for a completion of a bio queued before the start. */
	cnt->bios = sum[EV_BIO_QUEUE] - PZ_MIN(sum[EV_BIO_AGAIN] + sum[EV_RQ_REJECTED],
					       sum[EV_BIO_QUEUE]);
	cnt->splits = sum[EV_SPLIT];
	cnt->merges = sum[EV_BIO_BACKMERGE] + sum[EV_BIO_FRONTMERGE] + sum[EV_RQ_MERGE];
	cnt->requests = sum[EV_RQ_ISSUE];
	if (t->rings) {
		uint64_t hits = sum[EV_BIO_QUEUE] + sum[EV_BIO_AGAIN] + sum[EV_RQ_REJECTED];
		uint64_t got = t->samples[RING_QUEUE] + t->samples[RING_AGAIN] +
			       t->samples[RING_REJECTED];
		uint64_t gone = t->sectors[RING_AGAIN] + t->sectors[RING_REJECTED];

		cnt->samples = got;
		/* A throttled event neither samples nor says how many it
		 * missed; the count comparison catches that and any loss. */
		cnt->lost_samples = hits > got ? hits - got : t->lost;
		cnt->bytes_valid = !t->lost && !t->throttled && !t->bad_records &&
				   t->samples[RING_QUEUE] == sum[EV_BIO_QUEUE] &&
				   t->samples[RING_AGAIN] == sum[EV_BIO_AGAIN] &&
				   t->samples[RING_REJECTED] == sum[EV_RQ_REJECTED] &&
				   t->sectors[RING_QUEUE] >= gone;
		cnt->bio_bytes = cnt->bytes_valid ?
			(t->sectors[RING_QUEUE] - gone) * 512 : 0;
	}
	return ret;
}

void pmdzero_trace_free(struct pmdzero_trace *t)
{
	struct pmdzero_trace_counts c;
	int i;

	if (!t)
		return;
	if (t->running)
		pmdzero_trace_stop(t, &c, NULL);
	if (t->fds)
		for (i = 0; i < t->ncpus * EV_COUNT; i++)
			if (t->fds[i] >= 0)
				close(t->fds[i]);
	if (t->rings) {
		for (i = 0; i < t->nrings; i++) {
			if (t->rings[i].base)
				munmap(t->rings[i].base, t->rings[i].map_len);
			if (t->rings[i].fd >= 0)
				close(t->rings[i].fd);
		}
	}
	if (t->stopfd >= 0)
		close(t->stopfd);
	free(t->rings);
	free(t->fds);
	free(t->cpus);
	free(t);
}
