// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero zero: check everything, then zero a range with one engine,
 * optionally guarded (--verify) and traced (default when possible).
 * Order matters: every refusal happens before the first byte is read or
 * written, and the trace covers the zeroing only, not the guard I/O.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

/*
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT stop a run: the handler records the
 * first one and asks the library to stop, which it does after the I/O in
 * flight (a one-call engine after its call).  The guards are then restored
 * and one line says how much of the range holds zeroes.  Only a signal
 * that comes before the zeroing is over counts: one during the --verify
 * check, the report or the clean-up cannot turn the success the report
 * prints into a failure.
 */
static volatile sig_atomic_t stop_signal;
static struct pmdzero_dev *volatile stop_dev;

static void on_stop_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
	pmdzero_zero_interrupt(stop_dev);
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void catch_stop_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;	/* no SA_RESTART: waits return EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		struct sigaction old;

		/* A signal ignored on entry (nohup, a shell's background job)
		 * stays ignored, as in other tools. */
		if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(stop_signals[i], &sa, NULL);
	}
}

/* blkdiscard-style: name any signature, on a terminal or not; refuse to
 * zero over it on a terminal unless forced, and elsewhere say the data is
 * being destroyed (scripts that zero devices do not break, but they are
 * told, in their logs). */
static int check_signatures(const struct pz_args *a, struct pmdzero_dev *dev)
{
	const struct pmdzero_probe *p;
	struct pmdzero_error err;
	const char *sig, *what;
	int tty = isatty(STDIN_FILENO);

	if (pmdzero_dev_probe_signatures(dev, &err)) {
		pz_warnx(a->device, "%s", err.msg);
		return PZ_EXIT_FAILURE;
	}
	p = pmdzero_dev_probe(dev);
	sig = p->pt_type[0] ? p->pt_type : p->fs_type[0] ? p->fs_type : NULL;
	if (!sig)
		return 0;
	what = p->pt_type[0] ? "partition table" : "file system";
	if (!a->force && tty) {
		pz_warnx(a->device, "device contains a %s signature (%s); use --force to override",
			 what, sig);
		return PZ_EXIT_FAILURE;
	}
	/* Data loss is announced even with --quiet, as blkdiscard does. */
	pz_warnx(a->device, "device contains a %s signature (%s); zeroing anyway (%s)", what, sig,
		 a->force ? "--force" : "standard input is not a terminal");
	return 0;
}

/* One zeroing run, from the checks to the report; cleanup() undoes it all. */
struct zero_run {
	const struct pz_args *a;
	struct pmdzero_zero_opts o;
	struct pmdzero_zero_result res;
	struct pmdzero_dev *dev;
	struct pmdzero_guard *guard;
	struct pmdzero_guard_result gres;
	int checked;			/* gres holds a completed check */
	int guarded;			/* the guards were written */
	int restore_failed;		/* the guards still hold the pattern */
	struct pmdzero_trace *trace;
	struct pmdzero_trace_counts counts;
	int traced;			/* counts are valid */
	char traced_device[64];		/* the disk the counts are for */
	uint64_t trace_ns;		/* setting up and tearing down the
					   counters, outside elapsed_s */
};

static void report_trace(struct pz_report *r, const struct zero_run *z)
{
	const struct pmdzero_trace_counts *c = &z->counts;
	int traced = z->traced;

	pz_report_bool(r, "traced", traced);
	if (!traced) {
		pz_report_add(r, "traced_device", PZ_STR, NULL, NULL);
		pz_report_add(r, "bios", PZ_NUM, NULL, NULL);
		pz_report_add(r, "requests", PZ_NUM, NULL, NULL);
		pz_report_add(r, "splits", PZ_NUM, NULL, NULL);
		pz_report_add(r, "merges", PZ_NUM, NULL, NULL);
		pz_report_add(r, "bio_bytes", PZ_NUM, NULL, NULL);
		pz_report_add(r, "lost_samples", PZ_NUM, NULL, NULL);
		pz_report_add(r, "trace_overhead_s", PZ_NUM, NULL, NULL);
		return;
	}
	/* A name, as in pmdzero trace; for a partition, its disk's. */
	pz_report_str(r, "traced_device", z->traced_device);
	pz_report_u64(r, "bios", c->bios);
	pz_report_u64(r, "requests", c->requests);
	pz_report_u64(r, "splits", c->splits);
	pz_report_u64(r, "merges", c->merges);
	if (c->bytes_valid)
		pz_report_bytes(r, "bio_bytes", c->bio_bytes);
	else
		pz_report_add(r, "bio_bytes", PZ_NUM, NULL, "unavailable (samples lost)");
	pz_report_u64(r, "lost_samples", c->lost_samples);
	pz_report_dbl(r, "trace_overhead_s", (double)z->trace_ns / 1e9, 6);
}

/* Range, options and the engine's kernel interface are checked on a
 * read-only probe, before the device is opened for writing: closing a
 * descriptor opened for writing makes udev re-read the device. */
static int check_and_open(struct zero_run *z)
{
	const struct pz_args *a = z->a;
	const struct pmdzero_probe *p;
	struct pmdzero_probe *pre;
	struct pmdzero_error err;
	int rc;

	pre = pmdzero_probe_new(a->device, 0, &err);
	if (!pre)
		return pz_warnx_err(a->device, &err);
	z->o.offset = a->offset;
	z->o.length = pz_default_length(a, pre);
	z->o.engine = (enum pmdzero_engine)a->engine;
	z->o.queue_depth = a->queue_depth;
	z->o.block_size = a->block_size;
	z->o.flags = a->vectored ? PMDZERO_ZERO_VECTORED : 0;
	/* The device is resolved once: this probe is the one checked and
	 * opened, and the open device's probe the one traced. */
	if (pmdzero_zero_check(pre, &z->o, &err))
		z->dev = NULL;
	else
		z->dev = pmdzero_open_probe(pre, PMDZERO_OPEN_WRITE |
					    (a->force ? PMDZERO_OPEN_FORCE : 0), &err);
	pmdzero_probe_free(pre);
	if (!z->dev)
		return pz_warnx_err(a->device, &err);
	p = pmdzero_dev_probe(z->dev);
	/* The guard regions are saved, overwritten and restored: with others
	 * writing to the device meanwhile, the restore would undo their data. */
	if (a->verify && !pmdzero_dev_exclusive(z->dev)) {
		pz_warnx(a->device, "--verify needs the device to itself, but it is in use (%s)",
			 p->mounted ? "mounted" : "held by another opener");
		return PZ_EXIT_FAILURE;
	}
	rc = check_signatures(a, z->dev);
	if (rc)
		return rc;
	if (a->force && p->mounted && !a->quiet)
		pz_warnx(a->device, "device is mounted on %s; zeroing anyway (--force)", p->mountpoint);
	else if (a->force && !pmdzero_dev_exclusive(z->dev) && !a->quiet)
		pz_warnx(a->device, "device is in use (%s); zeroing anyway (--force)",
			 p->holders ? p->holder : "opened exclusively elsewhere");
	return PZ_EXIT_OK;
}

/* From here to guard_end() the guards hold our pattern, not the user's
 * data: a stop signal only stops the zeroing, and guard_end() puts the
 * data back. */
static int guard_begin(struct zero_run *z)
{
	struct pmdzero_error err;

	z->guard = pmdzero_guard_new(z->dev, z->o.offset, z->o.length, z->a->guard, &err);
	if (!z->guard)
		return pz_warnx_err(z->a->device, &err);
	z->guarded = 1;
	return PZ_EXIT_OK;
}

/* Checks the range and the guards if zeroing succeeded, then restores the
 * guards, loudly if that fails: they are the user's data. */
static int guard_end(struct zero_run *z, int zeroed)
{
	struct pmdzero_error err;
	int rc = PZ_EXIT_OK;

	if (zeroed) {
		if (pmdzero_guard_check(z->guard, &z->gres, &err)) {
			pz_warnx(z->a->device, "verify: %s", err.msg);
			rc = PZ_EXIT_FAILURE;
		} else {
			z->checked = 1;
		}
	}
	if (pmdzero_guard_restore(z->guard, &err)) {
		pz_warnx(z->a->device, "could not restore the data around the range: %s", err.msg);
		z->restore_failed = 1;
		rc = PZ_EXIT_FAILURE;
	}
	pmdzero_guard_free(z->guard);
	z->guard = NULL;
	return rc;
}

/* Tracing is best effort: without it the run goes on, uncounted. */
static void trace_begin(struct zero_run *z)
{
	const struct pmdzero_probe *p = pmdzero_dev_probe(z->dev);
	const struct pz_args *a = z->a;
	struct pmdzero_error err;
	uint64_t t0 = pz_monotonic_ns();
	const char *name = NULL;

	/* Writes only: the zeroing's ops, never a read of the device by
	 * whoever else looks at it meanwhile (udev, blkid). */
	z->trace = pmdzero_trace_new_probe(p, PMDZERO_TRACE_WRITES, &err);
	if (z->trace && pmdzero_trace_start(z->trace, &err)) {
		pmdzero_trace_free(z->trace);
		z->trace = NULL;
	}
	if (z->trace) {
		pmdzero_trace_device(z->trace, &name, NULL, NULL);
		snprintf(z->traced_device, sizeof(z->traced_device), "%s", name ? name : "");
	}
	z->trace_ns += pz_monotonic_ns() - t0;
	/* Notes, not errors: they say "note:" and what goes on. */
	if (!z->trace && !a->quiet)
		pz_warnx(NULL, "note: tracing unavailable, zeroing without bio counts: %s", err.msg);
	if (z->trace && !p->whole_disk && !a->quiet)
		pz_warnx(NULL, "note: %s is a partition; the counts are for all of %s", a->device,
			 p->queue_name);
}

/* The zeroing itself, with progress and inside the trace window. */
static int zero_range(struct zero_run *z)
{
	unsigned int flags = pmdzero_engine_flags(z->o.engine);
	struct pz_progress pr = { 0 };
	struct pmdzero_error err, terr;
	int ret;

	/* uring-fallocate is one call unless -b cuts the range. */
	pz_progress_begin(&pr, !z->a->quiet && isatty(STDERR_FILENO), "zeroing", z->o.length,
			  pmdzero_engine_name(z->o.engine),
			  (flags & PMDZERO_ENGINE_ONE_CALL) &&
			  !((flags & PMDZERO_ENGINE_CHUNKS) && z->o.block_size));
	z->o.progress = pz_progress_cb;
	z->o.progress_arg = &pr;
	ret = pmdzero_zero(z->dev, &z->o, &z->res, &err);
	pz_progress_end(&pr);
	if (z->trace) {
		/* Closing the perf events takes a while (a quarter of a second
		 * on two CPUs): done here, it is measured and over before the
		 * report is printed. */
		uint64_t t0 = pz_monotonic_ns();

		z->traced = pmdzero_trace_stop(z->trace, &z->counts, &terr) == 0;
		pmdzero_trace_free(z->trace);
		z->trace = NULL;
		z->trace_ns += pz_monotonic_ns() - t0;
	}
	if (ret == -EINTR || (!ret && stop_signal))
		return 128 + (stop_signal ? stop_signal : SIGINT);
	if (ret)
		return pz_warnx_err(z->a->device, &err);
	return PZ_EXIT_OK;
}

/* The one line an interrupted run ends with; returns 128 + the signal. */
static int report_interrupted(struct zero_run *z)
{
	uint64_t off = z->o.offset, n = z->res.bytes;
	char guards[64] = "";

	if (z->guarded)
		snprintf(guards, sizeof(guards), "; %s",
			 z->restore_failed ? "guards NOT restored (see above)" : "guards restored");
	if (!n)
		pz_warnx(z->a->device, "interrupted before zeroing; nothing written%s", guards);
	else
		pz_warnx(z->a->device, "interrupted after %llu bytes; [%llu, %llu) holds zeroes%s",
			 (unsigned long long)n, (unsigned long long)off,
			 (unsigned long long)(off + n), guards);
	return 128 + (stop_signal ? stop_signal : SIGINT);
}

/* The default: one line, as blkdiscard -v says what it did. */
static void print_line(const struct zero_run *z, double secs)
{
	const struct pmdzero_zero_result *res = &z->res;
	char sz[32];

	printf("%s: zeroed %llu bytes (%s) from offset %llu in %.3f s, %.1f MiB/s, with %s (%s)",
	       z->a->device, (unsigned long long)res->bytes,
	       pmdzero_format_size(res->bytes, sz, sizeof(sz)), (unsigned long long)z->o.offset,
	       secs, secs > 0 ? (double)res->bytes / 1048576.0 / secs : 0.0,
	       pmdzero_engine_name(res->engine), res->detail);
	if (z->traced)
		printf("; %llu bios, %llu requests", (unsigned long long)z->counts.bios,
		       (unsigned long long)z->counts.requests);
	if (z->checked)
		printf("; range %s, guards %s", z->gres.range.all_zero ? "reads zero" : "NOT zero",
		       z->gres.guards_intact ? "intact" : "DAMAGED");
	putchar('\n');
}

/* Prints the report, then what --verify found wrong; returns rc or 1. */
static int report(struct zero_run *z, int rc)
{
	const struct pmdzero_zero_result *res = &z->res;
	const struct pmdzero_guard_result *g = &z->gres;
	double secs = (double)res->elapsed_ns / 1e9;
	const char *device = z->a->device;
	struct pz_report *r;

	r = pz_report_new("zero");
	pz_report_str(r, "device", device);
	pz_report_str(r, "engine", pmdzero_engine_name(res->engine));
	pz_report_str(r, "engine_detail", res->detail);
	pz_report_bytes(r, "offset", z->o.offset);
	pz_report_bytes(r, "length", z->o.length);
	pz_report_bytes(r, "bytes", res->bytes);
	pz_report_bool(r, "vectored", !!(res->flags & PMDZERO_ZERO_VECTORED));
	if (res->buffer[0])
		pz_report_str(r, "buffer", res->buffer);
	else
		pz_report_add(r, "buffer", PZ_STR, NULL, NULL);
	/* Not applicable: one kernel call has no I/O size, a synchronous
	 * engine no queue. */
	if (res->io_size)
		pz_report_u64(r, "io_size", res->io_size);
	else
		pz_report_add(r, "io_size", PZ_NUM, NULL, NULL);
	if (res->queue_depth)
		pz_report_u64(r, "queue_depth", res->queue_depth);
	else
		pz_report_add(r, "queue_depth", PZ_NUM, NULL, NULL);
	pz_report_dbl(r, "elapsed_s", secs, 6);
	pz_report_dbl(r, "mib_per_s", secs > 0 ? (double)res->bytes / 1048576.0 / secs : 0, 1);
	pz_report_dbl(r, "user_cpu_s", (double)res->user_ns / 1e9, 6);
	pz_report_dbl(r, "sys_cpu_s", (double)res->sys_ns / 1e9, 6);
	/* The same three exactly, for scripts that add them up (the bench). */
	pz_report_u64(r, "elapsed_ns", res->elapsed_ns);
	pz_report_u64(r, "user_cpu_ns", res->user_ns);
	pz_report_u64(r, "sys_cpu_ns", res->sys_ns);
	report_trace(r, z);
	pz_report_bool(r, "verified", z->checked);
	if (z->checked) {
		pz_report_bool(r, "range_zero", g->range.all_zero);
		pz_report_bool(r, "guards_intact", g->guards_intact);
		pz_report_bytes(r, "guard_before", g->before_bytes);
		pz_report_bytes(r, "guard_after", g->after_bytes);
	} else {
		pz_report_add(r, "range_zero", PZ_BOOL, NULL, NULL);
		pz_report_add(r, "guards_intact", PZ_BOOL, NULL, NULL);
		pz_report_add(r, "guard_before", PZ_NUM, NULL, NULL);
		pz_report_add(r, "guard_after", PZ_NUM, NULL, NULL);
	}
	if (z->a->json || z->a->verbose) {
		if (pz_report_print(r, z->a->json, stdout))
			rc = PZ_EXIT_FAILURE;
	} else {
		print_line(z, secs);
	}
	pz_report_free(r);

	if (z->checked && !g->range.all_zero) {
		pz_warnx(device, "verify: byte at offset %llu is not zero after zeroing",
			 (unsigned long long)g->range.first_nonzero);
		rc = PZ_EXIT_FAILURE;
	}
	if (z->checked && !g->guards_intact) {
		pz_warnx(device, "verify: guard pattern changed at offset %llu (write outside the range)",
			 (unsigned long long)g->first_guard_mismatch);
		rc = PZ_EXIT_FAILURE;
	}
	return rc;
}

static int run(const struct pz_args *a)
{
	struct zero_run z = { .a = a };
	int rc, zrc;

	catch_stop_signals();
	rc = check_and_open(&z);
	stop_dev = z.dev;
	if (!rc && stop_signal)
		pmdzero_zero_interrupt(z.dev);	/* came before stop_dev was set */
	if (!rc && !stop_signal && a->verify)
		rc = guard_begin(&z);
	if (!rc && stop_signal)
		rc = report_interrupted(&z);
	else if (!rc) {
		if (a->trace)
			trace_begin(&z);
		zrc = zero_range(&z);
		if (z.guard)
			rc = guard_end(&z, zrc == PZ_EXIT_OK);
		if (zrc > 128) {
			rc = report_interrupted(&z);
		} else {
			/* A failed check or restore outranks the zeroing's
			 * status; the report follows a successful zeroing
			 * only.  From here on a signal changes nothing. */
			rc = rc ? rc : zrc;
			if (zrc == PZ_EXIT_OK)
				rc = report(&z, rc);
		}
	}
	stop_dev = NULL;
	pmdzero_trace_free(z.trace);
	pmdzero_close(z.dev);
	return rc;
}

/* The engines and limits in the help come from the library's table and header. */
static void help_engine(char *buf, size_t len)
{
	char a[256];

	snprintf(buf, len, "%s (default %s)", pz_engine_list(a, sizeof(a), 0, " or "),
		 pmdzero_engine_name(PMDZERO_ENGINE_AUTO));
}

static void help_queue_depth(char *buf, size_t len)
{
	char a[256];

	snprintf(buf, len, "I/Os in flight for %s (default %u)",
		 pz_engine_list(a, sizeof(a), PMDZERO_ENGINE_QUEUED, " and "),
		 PMDZERO_DEFAULT_QUEUE_DEPTH);
}

static void help_block_size(char *buf, size_t len)
{
	char a[256], b[256];

	snprintf(buf, len, "bytes per write (%s; default %uMiB) or per request (%s; default the "
		 "whole range in one); at most %lluGiB",
		 pz_engine_list(a, sizeof(a), PMDZERO_ENGINE_WRITES, ", "),
		 PMDZERO_DEFAULT_BLOCK_SIZE >> 20,
		 pz_engine_list(b, sizeof(b), PMDZERO_ENGINE_CHUNKS, ", "),
		 PMDZERO_MAX_BLOCK_SIZE >> 30);
}

static void help_vectored(char *buf, size_t len)
{
	char a[256];

	snprintf(buf, len, "%s: each write is a writev whose iovecs all point at one "
		 "%uMiB zero buffer (a huge page when possible); -b default %uMiB",
		 pz_engine_list(a, sizeof(a), PMDZERO_ENGINE_WRITES, ", "),
		 PMDZERO_VECTORED_BUFFER >> 20, PMDZERO_DEFAULT_VECTORED_SIZE >> 20);
}

static void help_guard(char *buf, size_t len)
{
	snprintf(buf, len, "bytes guarded on each side by --verify (default %uMiB, at most %lluGiB)",
		 PMDZERO_DEFAULT_GUARD_BYTES >> 20, PMDZERO_MAX_GUARD_BYTES >> 30);
}

static const struct pz_opt opts[] = {
	{ .name = "offset", .val = 'o', .arg = "<num>", .help = "start of the range (default 0)" },
	{ .name = "length", .val = 'l', .arg = "<num>",
	  .help = "length of the range (default: to the end of the device)" },
	{ .name = "engine", .val = 'e', .arg = "<name>", .help_fn = help_engine },
	{ .name = "queue-depth", .val = 'q', .arg = "<num>", .help_fn = help_queue_depth },
	{ .name = "block-size", .val = 'b', .arg = "<num>", .help_fn = help_block_size },
	{ .name = "vectored", .val = OPT_VECTORED, .help_fn = help_vectored },
	{ .name = "verify", .val = OPT_VERIFY,
	  .help = "write a pattern around the range first, then check the range reads as zeroes "
		  "and the pattern is intact, and put the original data back (refused on a "
		  "device in use)" },
	{ .name = "guard", .val = OPT_GUARD, .arg = "<num>", .help_fn = help_guard },
	{ .name = "force", .val = 'f',
	  .help = "zero a mounted or in-use device, or one that holds a file system or partition "
		  "table signature" },
	{ .name = "trace", .val = OPT_TRACE,
	  .help = "count the bios, splits, merges and requests of the zeroing (root; costs "
		  "~0.25 s outside elapsed_s)" },
	{ .name = "no-trace", .val = OPT_NO_TRACE, .help = "do not count them (the default)" },
	{ .name = "quiet", .val = OPT_QUIET, .help = "no progress and no notes on stderr" },
	{ .name = "verbose", .val = 'v',
	  .help = "print the full record, one field a line (default: one line)" },
	{ .name = "json", .val = 'J', .help = "use JSON output format (the full record)" },
	{ .name = NULL }
};

static void help_after(FILE *out)
{
	fputs(pz_sizes_help, out);
	fputs(pz_range_help, out);
}

const struct pz_cmd pz_cmd_zero = {
	.name = "zero",
	.synopsis = "zero <device>",
	.summary = "zero a byte range (its data is lost)",
	.operands = "<device>",
	.description = "Zero a byte range of a block device; all data in the range is lost.\n"
		       "Nothing is written unless every check passes: the range is aligned, non-empty\n"
		       "and inside the device, and the device is writable, not mounted and not in use.",
	.opts = opts,
	.help_after = help_after,
	.operand = "device",
	.run = run,
};
