// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero zero: check everything, then zero a range with one engine,
 * optionally guarded (--verify) and traced (default when possible).
 * Order matters: every refusal happens before the first byte is read or
 * written, and the trace covers the zeroing only, not the guard I/O.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

uint64_t pz_default_length(const struct pz_args *a, const struct pmdzero_probe *p)
{
	if (a->have_length)
		return a->length;
	/* Past the end: any aligned length makes the range check name the
	 * real problem, the offset. */
	return a->offset < p->size ? p->size - a->offset : p->logical_block_size;
}

/*
 * Progress on a terminal.  The write engines report bytes as they complete;
 * BLKZEROOUT and fallocate are one kernel call that reports nothing until it
 * returns, so a ticker thread shows the time spent in it instead.  Both draw
 * under one lock, at most once a second.
 */
struct progress {
	int enabled;
	uint64_t t0, last;
	uint64_t total;
	const char *engine;
	int one_call;		/* BLKZEROOUT or fallocate: no progress until done */
	int incremental;	/* the engine reported bytes between start and end */
	int stop;
	pthread_t ticker;
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A one-line bar on stderr, redrawn at most once a second. */
static void progress_cb(uint64_t done, uint64_t total, void *arg)
{
	struct progress *pr = arg;
	char d[32], t[32], bar[33];
	uint64_t now = now_ns();
	double secs, pct;
	int i, fill;

	if (!pr->enabled || !done || done >= total)
		return;
	pthread_mutex_lock(&pr->lock);
	pr->incremental = 1;
	if (now - pr->last < 1000000000ULL) {
		pthread_mutex_unlock(&pr->lock);
		return;
	}
	pr->last = now;
	pct = total ? 100.0 * (double)done / (double)total : 100.0;
	fill = (int)(pct * 32 / 100);
	for (i = 0; i < 32; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[32] = '\0';
	secs = (double)(now - pr->t0) / 1e9;
	fprintf(stderr, "\r\033[Kzeroing [%s] %5.1f%% %s / %s  %.1f MiB/s", bar, pct,
		pmdzero_format_size(done, d, sizeof(d)), pmdzero_format_size(total, t, sizeof(t)),
		secs > 0 ? (double)done / 1048576.0 / secs : 0.0);
	fflush(stderr);
	pthread_mutex_unlock(&pr->lock);
}

static void *progress_ticker(void *arg)
{
	struct progress *pr = arg;
	struct timespec deadline;
	char t[32];

	pthread_mutex_lock(&pr->lock);
	while (!pr->stop) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 1;
		pthread_cond_timedwait(&pr->wake, &pr->lock, &deadline);
		if (pr->stop || pr->incremental)
			continue;
		pr->last = now_ns();
		fprintf(stderr, "\r\033[Kzeroing %s with %s: %s for %.0f s",
			pmdzero_format_size(pr->total, t, sizeof(t)), pr->engine,
			pr->one_call ? "in one kernel call" : "waiting for the first write",
			(double)(pr->last - pr->t0) / 1e9);
		fflush(stderr);
	}
	pthread_mutex_unlock(&pr->lock);
	return NULL;
}

static void progress_begin(struct progress *pr, int enabled, uint64_t total,
			   enum pmdzero_engine engine)
{
	pr->enabled = enabled;
	pr->t0 = pr->last = now_ns();
	pr->total = total;
	pr->engine = pmdzero_engine_name(engine);
	/* auto starts with BLKZEROOUT and only falls back when it is refused. */
	pr->one_call = engine == PMDZERO_ENGINE_IOCTL || engine == PMDZERO_ENGINE_FALLOCATE ||
		       engine == PMDZERO_ENGINE_AUTO;
	pthread_mutex_init(&pr->lock, NULL);
	pthread_cond_init(&pr->wake, NULL);
	/* Without the ticker the write engines' bar still works. */
	if (pr->enabled && pthread_create(&pr->ticker, NULL, progress_ticker, pr))
		pr->stop = 1;
}

static void progress_end(struct progress *pr)
{
	if (pr->enabled && !pr->stop) {
		pthread_mutex_lock(&pr->lock);
		pr->stop = 1;
		pthread_cond_signal(&pr->wake);
		pthread_mutex_unlock(&pr->lock);
		pthread_join(pr->ticker, NULL);
	}
	if (pr->enabled && pr->last != pr->t0) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pthread_cond_destroy(&pr->wake);
	pthread_mutex_destroy(&pr->lock);
}

/* On a terminal, blkdiscard-style: refuse to zero over a signature unless
 * forced; when forced, say what is being destroyed. */
static int check_signatures(const struct pz_args *a, struct pmdzero_dev *dev)
{
	const struct pmdzero_probe *p;
	struct pmdzero_error err;
	const char *sig;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (pmdzero_dev_probe_signatures(dev, &err)) {
		pz_errx(a->device, "%s", err.msg);
		return PZ_EXIT_FAILURE;
	}
	p = pmdzero_dev_probe(dev);
	sig = p->pt_type[0] ? p->pt_type : p->fs_type[0] ? p->fs_type : NULL;
	if (!sig)
		return 0;
	if (!a->force) {
		pz_errx(a->device, "device contains a %s signature (%s); use --force to override",
			p->pt_type[0] ? "partition table" : "file system", sig);
		return PZ_EXIT_FAILURE;
	}
	if (!a->quiet)
		pz_errx(a->device, "device contains a %s signature (%s); zeroing anyway (--force)",
			p->pt_type[0] ? "partition table" : "file system", sig);
	return 0;
}

static void report_trace(struct pz_report *r, struct pmdzero_trace *t,
			 const struct pmdzero_trace_counts *c, int traced)
{
	const char *name = NULL;
	unsigned int ma, mi;

	pz_report_bool(r, "traced", traced);
	if (!traced) {
		pz_report_add(r, "traced_device", PZ_STR, NULL, NULL);
		pz_report_add(r, "bios", PZ_NUM, NULL, NULL);
		pz_report_add(r, "requests", PZ_NUM, NULL, NULL);
		pz_report_add(r, "splits", PZ_NUM, NULL, NULL);
		pz_report_add(r, "merges", PZ_NUM, NULL, NULL);
		pz_report_add(r, "bio_bytes", PZ_NUM, NULL, NULL);
		pz_report_add(r, "lost_samples", PZ_NUM, NULL, NULL);
		return;
	}
	/* A name, as in pmdzero trace; for a partition, its disk's. */
	pmdzero_trace_device(t, &name, &ma, &mi);
	pz_report_str(r, "traced_device", name);
	pz_report_u64(r, "bios", c->bios);
	pz_report_u64(r, "requests", c->requests);
	pz_report_u64(r, "splits", c->splits);
	pz_report_u64(r, "merges", c->merges);
	if (c->bytes_valid)
		pz_report_bytes(r, "bio_bytes", c->bio_bytes);
	else
		pz_report_add(r, "bio_bytes", PZ_NUM, NULL, "unavailable (samples lost)");
	pz_report_u64(r, "lost_samples", c->lost_samples);
}

int pz_cmd_zero(const struct pz_args *a)
{
	struct pmdzero_zero_opts o = { 0 };
	struct pmdzero_zero_result res;
	struct pmdzero_trace_counts counts = { 0 };
	struct pmdzero_guard_result gres;
	struct pmdzero_guard *guard = NULL;
	struct pmdzero_probe pre;
	sigset_t stop_signals, old_mask;
	struct pmdzero_trace *trace = NULL;
	const struct pmdzero_probe *p;
	struct pmdzero_error err, terr, gerr;
	struct pmdzero_dev *dev;
	struct progress pr = { 0 };
	struct pz_report *r;
	int ret, rc = PZ_EXIT_OK, traced = 0, checked = 0;
	double secs;
	char buf[160];

	/* Range, options and the engine's kernel interface are checked on a
	 * read-only probe, before the device is opened for writing: closing a
	 * descriptor opened for writing makes udev re-read the device. */
	ret = pmdzero_probe(a->device, 0, &pre, &err);
	if (ret) {
		pz_errx(a->device, "%s", err.msg);
		return pz_exit_code(ret);
	}
	o.offset = a->offset;
	o.length = pz_default_length(a, &pre);
	o.engine = (enum pmdzero_engine)a->engine;
	o.queue_depth = a->queue_depth;
	o.block_size = a->block_size;
	ret = pmdzero_zero_check(&pre, &o, &err);
	if (ret) {
		pz_errx(a->device, "%s", err.msg);
		return pz_exit_code(ret);
	}

	dev = pmdzero_open(a->device, PMDZERO_OPEN_WRITE | (a->force ? PMDZERO_OPEN_FORCE : 0), &err);
	if (!dev) {
		pz_errx(a->device, "%s", err.msg);
		return pz_exit_code(err.code);
	}
	p = pmdzero_dev_probe(dev);
	/* The guard regions are saved, overwritten and restored: with others
	 * writing to the device meanwhile, the restore would undo their data. */
	if (a->verify && !pmdzero_dev_exclusive(dev)) {
		pz_errx(a->device, "--verify needs the device to itself, but it is in use (%s)",
			p->mounted ? "mounted" : "held by another opener");
		pmdzero_close(dev);
		return PZ_EXIT_FAILURE;
	}
	rc = check_signatures(a, dev);
	if (rc) {
		pmdzero_close(dev);
		return rc;
	}
	if (a->force && p->mounted && !a->quiet)
		pz_errx(a->device, "device is mounted on %s; zeroing anyway (--force)", p->mountpoint);

	if (a->verify) {
		/* From here to the restore the guards hold our pattern, not the
		 * user's data: a ^C, SIGTERM or hang-up waits until they are
		 * restored, then takes effect. */
		sigemptyset(&stop_signals);
		sigaddset(&stop_signals, SIGINT);
		sigaddset(&stop_signals, SIGTERM);
		sigaddset(&stop_signals, SIGHUP);
		sigaddset(&stop_signals, SIGQUIT);
		sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
		guard = pmdzero_guard_new(dev, o.offset, o.length, a->guard, &err);
		if (!guard) {
			sigprocmask(SIG_SETMASK, &old_mask, NULL);
			pz_errx(a->device, "%s", err.msg);
			pmdzero_close(dev);
			return pz_exit_code(err.code);
		}
	}
	if (!a->no_trace) {
		trace = pmdzero_trace_new(a->device, 0, &terr);
		if (trace && pmdzero_trace_start(trace, &terr)) {
			pmdzero_trace_free(trace);
			trace = NULL;
		}
		if (!trace && !a->quiet)
			pz_errx(NULL, "tracing unavailable, continuing without bio counts: %s", terr.msg);
		if (trace && !p->whole_disk && !a->quiet)
			pz_errx(a->device, "is a partition: counts are for all of %s", p->queue_name);
	}

	progress_begin(&pr, !a->quiet && isatty(STDERR_FILENO), o.length, o.engine);
	o.progress = progress_cb;
	o.progress_arg = &pr;
	ret = pmdzero_zero(dev, &o, &res, &err);
	progress_end(&pr);
	if (trace)
		traced = pmdzero_trace_stop(trace, &counts, &terr) == 0;

	if (ret) {
		pz_errx(a->device, "%s", err.msg);
		rc = pz_exit_code(ret);
	} else if (guard) {
		if (pmdzero_guard_check(guard, &gres, &gerr)) {
			pz_errx(a->device, "verify: %s", gerr.msg);
			rc = PZ_EXIT_FAILURE;
		} else {
			checked = 1;
		}
	}
	if (guard) {
		/* Restore before reporting, and loudly if it fails: the
		 * guard regions are the user's data. */
		if (pmdzero_guard_restore(guard, &gerr)) {
			pz_errx(a->device, "could not restore the data around the range: %s", gerr.msg);
			rc = PZ_EXIT_FAILURE;
		}
		pmdzero_guard_free(guard);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
	}
	if (ret) {
		pmdzero_trace_free(trace);
		pmdzero_close(dev);
		return rc;
	}

	secs = (double)res.elapsed_ns / 1e9;
	r = pz_report_new("zero");
	pz_report_str(r, "device", a->device);
	pz_report_str(r, "engine", pmdzero_engine_name(res.engine));
	pz_report_str(r, "engine_detail", res.detail);
	pz_report_bytes(r, "offset", o.offset);
	pz_report_bytes(r, "length", o.length);
	pz_report_bytes(r, "bytes", res.bytes);
	pz_report_u64(r, "io_size", res.io_size);
	pz_report_u64(r, "queue_depth", res.queue_depth);
	pz_report_dbl(r, "elapsed_s", secs, 6);
	pz_report_dbl(r, "mib_per_s", secs > 0 ? (double)res.bytes / 1048576.0 / secs : 0, 1);
	pz_report_dbl(r, "user_cpu_s", (double)res.user_ns / 1e9, 6);
	pz_report_dbl(r, "sys_cpu_s", (double)res.sys_ns / 1e9, 6);
	report_trace(r, trace, &counts, traced);
	pz_report_bool(r, "verified", checked);
	if (checked) {
		pz_report_bool(r, "range_zero", gres.range.all_zero);
		pz_report_bool(r, "guards_intact", gres.guards_intact);
		pz_report_bytes(r, "guard_before", gres.before_bytes);
		pz_report_bytes(r, "guard_after", gres.after_bytes);
	} else {
		pz_report_add(r, "range_zero", PZ_BOOL, NULL, NULL);
		pz_report_add(r, "guards_intact", PZ_BOOL, NULL, NULL);
		pz_report_add(r, "guard_before", PZ_NUM, NULL, NULL);
		pz_report_add(r, "guard_after", PZ_NUM, NULL, NULL);
	}
	if (pz_report_print(r, a->json, stdout))
		rc = PZ_EXIT_FAILURE;
	pz_report_free(r);

	if (checked && !gres.range.all_zero) {
		pz_errx(a->device, "verify: byte at offset %llu is not zero after zeroing",
			(unsigned long long)gres.range.first_nonzero);
		rc = PZ_EXIT_FAILURE;
	}
	if (checked && !gres.guards_intact) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)gres.first_guard_mismatch);
		pz_errx(a->device, "verify: guard pattern changed at offset %s (write outside the range)",
			buf);
		rc = PZ_EXIT_FAILURE;
	}
	pmdzero_trace_free(trace);
	pmdzero_close(dev);
	return rc;
}
