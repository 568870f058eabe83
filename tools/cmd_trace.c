// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero trace: start the counters, run the command, stop the counters
 * when it exits, report, and exit with the command's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"

extern char **environ;

/* One perf event per tracepoint per CPU: big machines need more than the
 * usual 1024 descriptors. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Runs argv with SIGINT and SIGQUIT ignored here (as system() does), so a
 * ^C stops the command and we still report; returns the wait status or -1. */
static int run_child(char **argv, int *status)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	posix_spawnattr_t attr;
	sigset_t def;
	pid_t pid;
	int ret;

	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGQUIT);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	fflush(NULL);
	ret = posix_spawnp(&pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (ret == 0) {
		while (waitpid(pid, status, 0) < 0) {
			if (errno != EINTR) {
				ret = errno;
				break;
			}
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (ret) {
		errno = ret;
		return -1;
	}
	return 0;
}

/*
 * --output FILE: opened before anything runs, so that an unwritable path
 * is refused first, but emptied only when the report is written: a trace
 * that could not start, or a command that could not run, leaves an
 * existing file as it was and removes one it created.
 */
struct output {
	const char *path;	/* NULL: stdout */
	int fd;
	int created;
};

static int output_open(struct output *o, const char *path)
{
	o->path = path;
	o->fd = -1;
	o->created = 0;
	if (!path)
		return 0;
	o->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (o->fd >= 0)
		o->created = 1;
	else if (errno == EEXIST)
		o->fd = open(path, O_WRONLY | O_CLOEXEC);
	if (o->fd < 0) {
		pz_warnx(path, "cannot open: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* No report after all: leave the file as it was found. */
static void output_abandon(struct output *o)
{
	if (o->fd < 0)
		return;
	close(o->fd);
	if (o->created)
		unlink(o->path);
	o->fd = -1;
}

/* The stream the report goes to; NULL (with a message) on failure. */
static FILE *output_stream(struct output *o)
{
	FILE *f;

	if (!o->path)
		return stdout;
	/* A regular file is emptied; a pipe or a terminal cannot be. */
	if (ftruncate(o->fd, 0) && errno != EINVAL) {
		pz_warnx(o->path, "cannot truncate: %s", strerror(errno));
		output_abandon(o);
		return NULL;
	}
	f = fdopen(o->fd, "w");
	if (!f) {
		pz_warnx(o->path, "cannot open: %s", strerror(errno));
		output_abandon(o);
		return NULL;
	}
	o->fd = -1;
	return f;
}

/* The command line, space-separated, for the report; NULL if out of memory. */
static char *command_line(char **argv)
{
	char *cmdline = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&cmdline, &len);
	int i;

	if (!mem)
		return NULL;
	for (i = 0; argv[i]; i++)
		fprintf(mem, "%s%s", i ? " " : "", argv[i]);
	if (fclose(mem)) {
		free(cmdline);
		return NULL;
	}
	return cmdline;
}

/* Prints the report of a finished trace to out; returns 0 or -1. */
static int report(const struct pz_args *a, const struct pmdzero_probe *p,
		  struct pmdzero_trace *t, const struct pmdzero_trace_counts *c, int code,
		  FILE *out)
{
	char buf[128], *cmdline = command_line(a->child_argv);
	unsigned int ma, mi;
	struct pz_report *r;
	const char *name;
	int ret;

	pmdzero_trace_device(t, &name, &ma, &mi);
	r = pz_report_new("trace");
	pz_report_str(r, "device", a->device);
	snprintf(buf, sizeof(buf), "%s", name);
	pz_report_str(r, "traced_device", buf);
	snprintf(buf, sizeof(buf), "%u:%u", ma, mi);
	pz_report_str(r, "traced_dev", buf);
	pz_report_bool(r, "partition", !p->whole_disk);
	pz_report_str(r, "ops", a->writes ? "writes" : "all");
	pz_report_str(r, "command", cmdline ? cmdline : a->child_argv[0]);
	pz_report_u64(r, "exit_status", (uint64_t)code);
	pz_report_dbl(r, "elapsed_s", (double)c->elapsed_ns / 1e9, 6);
	pz_report_u64(r, "elapsed_ns", c->elapsed_ns);
	pz_report_u64(r, "bios", c->bios);
	if (a->no_bytes)
		pz_report_add(r, "bio_bytes", PZ_NUM, NULL, "not sampled (--no-bytes)");
	else if (c->bytes_valid)
		pz_report_bytes(r, "bio_bytes", c->bio_bytes);
	else
		pz_report_add(r, "bio_bytes", PZ_NUM, NULL, "unavailable (samples lost)");
	pz_report_u64(r, "splits", c->splits);
	pz_report_u64(r, "merges", c->merges);
	pz_report_u64(r, "requests", c->requests);
	pz_report_u64(r, "samples", c->samples);
	pz_report_u64(r, "lost_samples", c->lost_samples);
	if (!p->whole_disk && !a->json)
		pz_warnx(NULL, "note: %s is a partition; the counts are for all of %s", a->device,
			 name);
	ret = pz_report_print(r, a->json, out);
	pz_report_free(r);
	free(cmdline);
	return ret;
}

/* Traces the device of probe p while the command runs, then reports. */
static int trace(const struct pz_args *a, const struct pmdzero_probe *p)
{
	struct pmdzero_trace_counts c;
	struct pmdzero_error err;
	struct pmdzero_trace *t;
	struct output o;
	int status = 0, code, rc;
	FILE *out;

	raise_nofile();
	t = pmdzero_trace_new_probe(p, (a->no_bytes ? PMDZERO_TRACE_NO_BYTES : 0) |
					(a->writes ? PMDZERO_TRACE_WRITES : 0), &err);
	if (!t) {
		pz_warnx(a->device, "cannot trace: %s", err.msg);
		return PZ_EXIT_TRACE_FAILED;
	}
	if (output_open(&o, a->output)) {
		pmdzero_trace_free(t);
		return PZ_EXIT_TRACE_FAILED;
	}
	if (pmdzero_trace_start(t, &err)) {
		pz_warnx(a->device, "cannot trace: %s", err.msg);
		output_abandon(&o);
		pmdzero_trace_free(t);
		return PZ_EXIT_TRACE_FAILED;
	}
	if (run_child(a->child_argv, &status)) {
		int e = errno;

		pz_warnx(NULL, "cannot run '%s': %s", a->child_argv[0], strerror(e));
		output_abandon(&o);
		pmdzero_trace_free(t);
		/* As env(1) and the shell: 127 not found, 126 not runnable. */
		return e == ENOENT ? PZ_EXIT_NOT_FOUND : PZ_EXIT_CANNOT_RUN;
	}
	rc = pmdzero_trace_stop(t, &c, &err);
	if (rc)
		pz_warnx(a->device, "%s", err.msg);
	code = WIFEXITED(status) ? WEXITSTATUS(status) :
	       WIFSIGNALED(status) ? 128 + WTERMSIG(status) : PZ_EXIT_FAILURE;

	out = output_stream(&o);
	if (!out || report(a, p, t, &c, code, out))
		rc = -EIO;
	if (out && out != stdout && fclose(out)) {
		pz_warnx(a->output, "write error: %s", strerror(errno));
		rc = -EIO;
	}
	pmdzero_trace_free(t);
	/* The command succeeded but its report could not be written. */
	if (rc && !code)
		return PZ_EXIT_TRACE_FAILED;
	return code;
}

static int run(const struct pz_args *a)
{
	struct pmdzero_error err;
	struct pmdzero_probe *p;
	int code;

	p = pmdzero_probe_new(a->device, 0, &err);
	if (!p) {
		pz_warnx_err(a->device, &err);
		return PZ_EXIT_TRACE_FAILED;
	}
	code = trace(a, p);
	pmdzero_probe_free(p);
	return code;
}

static const struct pz_opt opts[] = {
	{ .name = "output", .val = OPT_OUTPUT, .arg = "<file>",
	  .help = "write the report to <file> instead of stdout" },
	{ .name = "no-bytes", .val = OPT_NO_BYTES, .help = "count only; do not sample bio sizes" },
	{ .name = "writes", .val = OPT_WRITES,
	  .help = "count only writes and Write Zeroes, not reads" },
	{ .name = "json", .val = 'J', .help = "use JSON output format" },
	{ .name = NULL }
};

static void help_after(FILE *out)
{
	fputs("\nCounts (exact; see pmdzero(8)):\n"
	      " bios       bios submitted by callers (block_bio_queue), each once: a split\n"
	      "              remainder is not queued again, and a bio failed with EAGAIN\n"
	      "              and sent again by its submitter (io_uring, aio) counts once\n"
	      " bio_bytes  bytes of those bios\n"
	      " splits     times a bio was cut to fit the queue limits (block_split); the\n"
	      "              pieces are not extra bios\n"
	      " merges     bios merged into a queued request (blkparse M and F)\n"
	      " requests   requests issued to the driver (block_rq_issue)\n", out);
}

const struct pz_cmd pz_cmd_trace = {
	.name = "trace",
	.synopsis = "trace <device> -- <cmd> [args]",
	.summary = "count the bios, splits, merges and requests\n"
		   "<device>'s disk sees while <cmd> runs",
	.operands = "<device> -- <command> [args...]",
	.description = "Run <command> and count, from the kernel's block tracepoints, the bios,\n"
		       "bio bytes, splits, merges and requests issued to <device> while it runs.\n"
		       "A partition is traced through its whole disk.  Exits with the command's\n"
		       "exit status (128 + signal number if it was killed); 125 if trace itself\n"
		       "fails, 126 if <command> cannot be run, 127 if it is not found.",
	.opts = opts,
	.help_after = help_after,
	.operand = "device",
	.takes_command = 1,
	.run = run,
	.fail_status = PZ_EXIT_TRACE_FAILED,
};
