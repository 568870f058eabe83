// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero size: the size parser and page arithmetic for scripts, so that
 * fio-jobs/run-fio.sh and the guest suite need no parser of their own.
 */
#include <stdio.h>

#include "cmd.h"

static int run(const struct pz_args *a)
{
	uint64_t v, total;

	if (pmdzero_parse_size(a->operand, &v)) {
		pz_warnx(NULL, "invalid size '%s'", a->operand);
		return PZ_EXIT_FAILURE;
	}
	total = v * a->count;
	if (a->count && total / a->count != v) {
		pz_warnx(NULL, "size '%s' times %llu is too large", a->operand,
			 (unsigned long long)a->count);
		return PZ_EXIT_FAILURE;
	}
	if (a->page_size)	/* pages that hold total bytes, rounded up */
		total = total / a->page_size + !!(total % a->page_size);
	printf("%llu\n", (unsigned long long)total);
	return PZ_EXIT_OK;
}

static const struct pz_opt opts[] = {
	{ .name = "count", .val = 'n', .arg = "<n>",
	  .help = "multiply by <n> (a plain number; default 1)" },
	{ .name = "pages", .val = OPT_PAGES, .arg = "<num>",
	  .help = "print instead how many pages of <num> bytes hold the result, rounded up" },
	{ .name = NULL }
};

static void help_after(FILE *out)
{
	fputs(pz_sizes_help, out);
	fputc('\n', out);
}

const struct pz_cmd pz_cmd_size = {
	.name = "size",
	.synopsis = "size <num>",
	.summary = "print a size in bytes, or in pages (for scripts)",
	.operands = "<num>",
	.description = "Print <num> in bytes, as every pmdzero option reads sizes, for scripts.",
	.opts = opts,
	.help_after = help_after,
	.operand = "size",
	.run = run,
};
