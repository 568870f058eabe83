// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero engines: the library's engine table as a table or as JSON, so
 * that scripts, tests and the bench's report ask the library what the
 * engines are and which of them the kernel zeroes with, instead of keeping
 * lists of names of their own.
 */
#include <stdio.h>
#include <string.h>

#include <libsmartcols.h>

#include "cmd.h"

/* A flag's name in the output, and its PMDZERO_ENGINE_* bit. */
static const struct {
	unsigned int bit;
	const char *name;
} flag_names[] = {
	{ PMDZERO_ENGINE_ONE_CALL, "one-call" },
	{ PMDZERO_ENGINE_QUEUED, "queued" },
	{ PMDZERO_ENGINE_WRITES, "writes" },
	{ PMDZERO_ENGINE_CHUNKS, "chunks" },
};

/*
 * The class of an engine, from its flags: "write" when it writes zeroes
 * from a user buffer (O_DIRECT writes: not the path the kernel series
 * changes), "kernel" when the kernel zeroes the range (BLKZEROOUT,
 * fallocate, IORING_OP_FALLOCATE), "auto" for the one that picks.
 */
static const char *engine_class(enum pmdzero_engine e)
{
	if (e == PMDZERO_ENGINE_AUTO)
		return "auto";
	return pmdzero_engine_flags(e) & PMDZERO_ENGINE_WRITES ? "write" : "kernel";
}

/* The flag names of e, separated by sep, into buf. */
static char *flag_list(enum pmdzero_engine e, const char *sep, char *buf, size_t len)
{
	unsigned int flags = pmdzero_engine_flags(e);
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(flags & flag_names[i].bit))
			continue;
		if (buf[0])
			strncat(buf, sep, len - strlen(buf) - 1);
		strncat(buf, flag_names[i].name, len - strlen(buf) - 1);
	}
	return buf;
}

static int run(const struct pz_args *a)
{
	struct libscols_table *tb = scols_new_table();
	struct libscols_column *cl;
	struct libscols_line *ln;
	char flags[128];
	int e, ret = -1;

	if (!tb)
		goto out;
	scols_table_set_name(tb, "engines");
	scols_table_enable_json(tb, a->json);
	if (!scols_table_new_column(tb, "NAME", 0, 0) ||
	    !scols_table_new_column(tb, "CLASS", 0, 0))
		goto out;
	cl = scols_table_new_column(tb, "FLAGS", 0, 0);
	if (!cl)
		goto out;
	/* In JSON an array of names: libsmartcols splits the cell into its
	 * elements with the column's wrap functions, here on newlines (as
	 * lsblk's MOUNTPOINTS); in the table a comma-separated list. */
	scols_column_set_json_type(cl, SCOLS_JSON_ARRAY_STRING);
	if (a->json && (scols_column_set_flags(cl, SCOLS_FL_WRAP) ||
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize,
						  scols_wrapnl_nextchunk, NULL)))
		goto out;
	if (!scols_table_new_column(tb, "DESCRIPTION", 0, SCOLS_FL_NOEXTREMES))
		goto out;
	for (e = 0; e < pmdzero_engine_count(); e++) {
		ln = scols_table_new_line(tb, NULL);
		if (!ln || scols_line_set_data(ln, 0, pmdzero_engine_name(e)) ||
		    scols_line_set_data(ln, 1, engine_class(e)) ||
		    scols_line_set_data(ln, 2, flag_list(e, a->json ? "\n" : ",", flags,
							 sizeof(flags))) ||
		    scols_line_set_data(ln, 3, pmdzero_engine_help(e)))
			goto out;
	}
	ret = scols_print_table(tb);
out:
	scols_unref_table(tb);
	if (ret) {
		pz_warnx(NULL, "engines: cannot print the table");
		return PZ_EXIT_FAILURE;
	}
	return PZ_EXIT_OK;
}

static const struct pz_opt opts[] = {
	{ .name = "json", .val = 'J', .help = "use JSON output format" },
	{ .name = NULL }
};

const struct pz_cmd pz_cmd_engines = {
	.name = "engines",
	.synopsis = "engines",
	.summary = "list the zeroing engines and their classes",
	.operands = "",
	.description = "List the zeroing engines: name, class, flags and what each does.\n"
		       "Class: kernel (the kernel zeroes the range: the path the PMD zero folio\n"
		       "changes), write (zeroes written from a user buffer with O_DIRECT), or\n"
		       "auto (picks one).  Flags: one-call (one kernel call for the whole range),\n"
		       "queued (several I/Os in flight), writes (writes from a buffer), chunks\n"
		       "(-b cuts the range into calls).",
	.opts = opts,
	.operand = NULL,
	.run = run,
};
