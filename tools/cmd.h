/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private declarations of the pmdzero command. */
#ifndef PMDZERO_CMD_H
#define PMDZERO_CMD_H

#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "pmdzero.h"

#define PZ_EXIT_OK		0
#define PZ_EXIT_FAILURE		1
#define PZ_EXIT_UNSUPPORTED	2	/* engine or kernel lacks support */
#define PZ_EXIT_TROUBLE		2	/* verify: could not check (as cmp) */
#define PZ_EXIT_TRACE_FAILED	125	/* trace itself failed (as env, timeout) */
#define PZ_EXIT_CANNOT_RUN	126	/* trace: command found, not runnable */
#define PZ_EXIT_NOT_FOUND	127	/* trace: command not found */

/* Long options without a short form (getopt_long() values). */
enum {
	OPT_GUARD = 0x100,
	OPT_NO_BYTES,
	OPT_NO_SIGNATURES,
	OPT_NO_TRACE,
	OPT_OUTPUT,
	OPT_PAGES,
	OPT_QUIET,
	OPT_TRACE,
	OPT_VECTORED,
	OPT_VERIFY,
	OPT_WRITES,
};

struct pz_args;

/*
 * One option of a command.  A command's options, in help order, are the one
 * place an option is declared: tools/args.c builds getopt_long()'s tables
 * and the help's option list from them, and `pmdzero --dump-options` prints
 * them for the tests and the man-page check.
 */
struct pz_opt {
	const char *name;		/* long name, without "--" */
	int val;			/* short option character, or an OPT_ value */
	const char *arg;		/* its argument as the help shows it
					   ("<num>"); NULL: takes none */
	const char *help;		/* one paragraph, wrapped by the help */
	void (*help_fn)(char *buf, size_t len);	/* instead of help: text
					   from the library's tables and limits */
};

/* One subcommand: everything the parser, the help texts and main() need. */
struct pz_cmd {
	const char *name;
	const char *synopsis;		/* global help column 1: "probe <device>" */
	const char *summary;		/* global help column 2: one line (a
					   second one may follow after "\n") */
	const char *operands;		/* usage line after "[options]": "<device>" */
	const char *description;	/* help paragraph under the usage line */
	const struct pz_opt *opts;	/* help order, name NULL at the end;
					   --help and --version follow in every
					   command */
	void (*help_after)(FILE *out);	/* help text after the options, or NULL */
	const char *operand;		/* the one operand: "device", "size";
					   NULL: the command takes none */
	int takes_command;		/* "<operand> -- <command> [args...]" */
	int (*run)(const struct pz_args *a);	/* returns the exit status */
	int fail_status;		/* exit status of its own failures,
					   usage errors included (0: 1) */
};

/* The subcommands in help order, NULL-terminated (tools/commands.c). */
extern const struct pz_cmd *const pz_cmds[];

/* Everything the command line can say, filled by pz_parse_args(). */
struct pz_args {
	const struct pz_cmd *command;	/* NULL: global --help/--version */
	const char *cmd;		/* command->name, or NULL */
	const char *device;		/* the operand of a device command */
	const char *operand;		/* the operand, whatever it is */
	uint64_t offset;
	uint64_t length;
	int have_length;
	int engine;			/* enum pmdzero_engine */
	unsigned int queue_depth;	/* 0: library default */
	uint64_t block_size;		/* 0: library default */
	uint64_t guard;			/* guard bytes per side */
	int verify;
	int json;
	int force;
	int quiet;
	int verbose;			/* zero -v: the full record */
	int no_trace;
	int trace;			/* zero --trace: count bios (off by default) */
	int no_bytes;
	int writes;			/* trace --writes */
	int vectored;			/* zero --vectored */
	int no_signatures;		/* probe: do not read the device */
	const char *output;		/* trace --output FILE */
	char **child_argv;		/* trace: the command after "--" */
	int help;			/* print help for cmd (or global) */
	int version;
	int dump_options;		/* pmdzero --dump-options (hidden) */
	uint64_t count;			/* size -n (default 1) */
	uint64_t page_size;		/* size --pages (0: bytes) */
};

/* Parses argv; returns 0, or an exit code with a one-line message in msg
 * (and *usage_error set when "Try ... --help" should follow). */
int pz_parse_args(int argc, char **argv, struct pz_args *a, char *msg, size_t len,
		  int *usage_error);

/* Prints the help text for cmd (NULL: the global help) to out. */
void pz_usage(const char *cmd, FILE *out);

/* Prints every command's options as JSON (pmdzero --dump-options), from the
 * tables the parser and the help use; returns 0 or -1. */
int pz_dump_options(FILE *out);

/* A list of named, typed values printed as a NAME VALUE table or as JSON
 * from the same data (libsmartcols). */
struct pz_report;

enum pz_type { PZ_STR, PZ_NUM, PZ_BOOL };

/* Returns a new report whose JSON top-level array is called name. */
struct pz_report *pz_report_new(const char *name);
/* Adds a field; json is the JSON value (NULL: null), text what the table
 * shows (NULL: same as json, or "-" when json is NULL). */
void pz_report_add(struct pz_report *r, const char *key, enum pz_type type,
		   const char *json, const char *text);
/* Adds an unsigned number. */
void pz_report_u64(struct pz_report *r, const char *key, uint64_t v);
/* Adds a byte count, shown with a human-readable size in the table. */
void pz_report_bytes(struct pz_report *r, const char *key, uint64_t v);
/* Adds a number with a fixed number of decimals. */
void pz_report_dbl(struct pz_report *r, const char *key, double v, int decimals);
/* Adds a string. */
void pz_report_str(struct pz_report *r, const char *key, const char *v);
/* Adds a boolean. */
void pz_report_bool(struct pz_report *r, const char *key, int v);
/* Prints the report to out; returns 0 or -1. */
int pz_report_print(struct pz_report *r, int json, FILE *out);
/* Frees the report. */
void pz_report_free(struct pz_report *r);

/* The range length: -l if given, else to the end of the device. */
uint64_t pz_default_length(const struct pz_args *a, const struct pmdzero_probe *p);

/* Writes the names of the engines with any of flags (0: all) into buf as
 * "a, b, c<last_sep>d", from the library's table; returns buf. */
char *pz_engine_list(char *buf, size_t len, unsigned int flags, const char *last_sep);

/* Help text shared by the commands that take sizes. */
extern const char pz_sizes_help[];
/* The alignment rule that follows it in zero and verify help. */
extern const char pz_range_help[];

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t pz_monotonic_ns(void);

/* A progress line on stderr (tools/progress.c): "VERB [####....] 12.5%
 * DONE / TOTAL  N MiB/s", redrawn at most once a second and erased at the
 * end.  With an engine, a ticker thread says how long a one-kernel-call
 * engine (or the wait for the first write) has taken meanwhile. */
struct pz_progress {
	int enabled;
	const char *verb;		/* "zeroing", "verifying" */
	uint64_t t0, last;
	uint64_t total;
	const char *engine;		/* NULL: no ticker */
	int one_call;			/* one kernel call: no progress until done */
	int incremental;		/* bytes were reported between start and end */
	int stop;
	pthread_t ticker;
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

/* Starts a progress line (nothing is drawn unless enabled). */
void pz_progress_begin(struct pz_progress *pr, int enabled, const char *verb, uint64_t total,
		       const char *engine, int one_call);
/* The library's progress callback; arg is the struct pz_progress. */
void pz_progress_cb(uint64_t done, uint64_t total, void *arg);
/* Stops the ticker and erases the line if one was drawn. */
void pz_progress_end(struct pz_progress *pr);

/* Messages (tools/msg.c), <err.h> style; none of them exits. */
/* Prints "pmdzero: [path: ]message" on stderr, like warnx(3). */
void pz_warnx(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the exit status for a library error (-EOPNOTSUPP: 2, else 1). */
int pz_exit_status(int err);
/* Prints err's message with pz_warnx(); returns pz_exit_status(err->code). */
int pz_warnx_err(const char *path, const struct pmdzero_error *err);

#endif /* PMDZERO_CMD_H */
