/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private declarations of the pmdzero command. */
#ifndef PMDZERO_CMD_H
#define PMDZERO_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "pmdzero.h"

#define PZ_EXIT_OK		0
#define PZ_EXIT_FAILURE		1
#define PZ_EXIT_UNSUPPORTED	2	/* engine or kernel lacks support */

/* Everything the command line can say, filled by pz_parse_args(). */
struct pz_args {
	const char *cmd;		/* "probe", "zero", "trace", "verify", or NULL */
	const char *device;
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
	int no_trace;
	int no_bytes;
	int no_signatures;		/* probe: do not read the device */
	const char *output;		/* trace --output FILE */
	char **child_argv;		/* trace: the command after "--" */
	int help;			/* print help for cmd (or global) */
	int version;
};

/* Parses argv; returns 0, or an exit code with a one-line message in msg
 * (and *usage_error set when "Try ... --help" should follow). */
int pz_parse_args(int argc, char **argv, struct pz_args *a, char *msg, size_t len,
		  int *usage_error);

/* Prints the help text for cmd (NULL: the global help) to out. */
void pz_usage(const char *cmd, FILE *out);

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

/* Subcommands: return the process exit code. */
int pz_cmd_probe(const struct pz_args *a);
int pz_cmd_zero(const struct pz_args *a);
int pz_cmd_trace(const struct pz_args *a);
int pz_cmd_verify(const struct pz_args *a);

/* The range length: -l if given, else to the end of the device. */
uint64_t pz_default_length(const struct pz_args *a, const struct pmdzero_probe *p);

/* Prints "pmdzero: [path: ]message" on stderr. */
void pz_errx(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Maps a library error to an exit code (-EOPNOTSUPP: 2). */
int pz_exit_code(int err);

#endif /* PMDZERO_CMD_H */
