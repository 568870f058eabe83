// SPDX-License-Identifier: GPL-2.0-or-later
/* pmdzero verify: read a range back and report the first non-zero byte.
 * Exit status as cmp(1): 0 all zero, 1 not zero, 2 trouble. */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"

static int run(const struct pz_args *a)
{
	const struct pmdzero_probe *p;
	struct pmdzero_verify_result res;
	struct pz_progress pr = { 0 };
	struct pmdzero_error err;
	struct pmdzero_dev *dev;
	struct pz_report *r;
	uint64_t length;
	char buf[32];
	double secs;
	int ret;

	dev = pmdzero_open(a->device, 0, &err);
	if (!dev) {
		pz_warnx_err(a->device, &err);
		return PZ_EXIT_TROUBLE;
	}
	p = pmdzero_dev_probe(dev);
	length = pz_default_length(a, p);
	pz_progress_begin(&pr, !a->quiet && isatty(STDERR_FILENO), "verifying", length, NULL, 0);
	ret = pmdzero_verify_progress(dev, a->offset, length, pz_progress_cb, &pr, &res, &err);
	pz_progress_end(&pr);
	pmdzero_close(dev);
	if (ret) {
		pz_warnx_err(a->device, &err);
		return PZ_EXIT_TROUBLE;
	}
	secs = (double)res.elapsed_ns / 1e9;
	r = pz_report_new("verify");
	pz_report_str(r, "device", a->device);
	pz_report_bytes(r, "offset", a->offset);
	pz_report_bytes(r, "length", length);
	pz_report_bytes(r, "bytes", res.bytes);
	pz_report_bool(r, "all_zero", res.all_zero);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)res.first_nonzero);
	pz_report_add(r, "first_nonzero", PZ_NUM, res.all_zero ? NULL : buf, NULL);
	pz_report_dbl(r, "elapsed_s", secs, 6);
	pz_report_u64(r, "elapsed_ns", res.elapsed_ns);
	pz_report_dbl(r, "mib_per_s", secs > 0 ? (double)res.bytes / 1048576.0 / secs : 0, 1);
	ret = pz_report_print(r, a->json, stdout);
	pz_report_free(r);
	if (ret)
		return PZ_EXIT_TROUBLE;
	if (!res.all_zero) {
		pz_warnx(a->device, "byte at offset %llu is not zero",
			(unsigned long long)res.first_nonzero);
		return PZ_EXIT_FAILURE;
	}
	return PZ_EXIT_OK;
}

static const struct pz_opt opts[] = {
	{ .name = "offset", .val = 'o', .arg = "<num>", .help = "start of the range (default 0)" },
	{ .name = "length", .val = 'l', .arg = "<num>",
	  .help = "length of the range (default: to the end of the device)" },
	{ .name = "json", .val = 'J', .help = "use JSON output format" },
	{ .name = "quiet", .val = OPT_QUIET, .help = "no progress line on stderr" },
	{ .name = NULL }
};

static void help_after(FILE *out)
{
	fputs(pz_sizes_help, out);
	fputs(pz_range_help, out);
}

const struct pz_cmd pz_cmd_verify = {
	.name = "verify",
	.synopsis = "verify <device>",
	.summary = "check that a byte range reads back as zeroes",
	.operands = "<device>",
	.description = "Read a byte range back with O_DIRECT and report the first non-zero byte;\n"
		       "on a terminal, a progress line on stderr while it reads.\n"
		       "Exits 0 if the whole range is zero, 1 if it is not, 2 if it could not check.",
	.opts = opts,
	.help_after = help_after,
	.operand = "device",
	.run = run,
	.fail_status = PZ_EXIT_TROUBLE,
};
