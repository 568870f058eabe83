// SPDX-License-Identifier: GPL-2.0-or-later
/* pmdzero verify: read a range back and report the first non-zero byte. */
#include <stdio.h>

#include "cmd.h"

int pz_cmd_verify(const struct pz_args *a)
{
	const struct pmdzero_probe *p;
	struct pmdzero_verify_result res;
	struct pmdzero_error err;
	struct pmdzero_dev *dev;
	struct pz_report *r;
	uint64_t length;
	char buf[32];
	double secs;
	int ret;

	dev = pmdzero_open(a->device, 0, &err);
	if (!dev) {
		pz_errx(a->device, "%s", err.msg);
		return pz_exit_code(err.code);
	}
	p = pmdzero_dev_probe(dev);
	length = pz_default_length(a, p);
	ret = pmdzero_verify(dev, a->offset, length, &res, &err);
	pmdzero_close(dev);
	if (ret) {
		pz_errx(a->device, "%s", err.msg);
		return pz_exit_code(ret);
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
	pz_report_dbl(r, "mib_per_s", secs > 0 ? (double)res.bytes / 1048576.0 / secs : 0, 1);
	ret = pz_report_print(r, a->json, stdout);
	pz_report_free(r);
	if (ret)
		return PZ_EXIT_FAILURE;
	if (!res.all_zero) {
		pz_errx(a->device, "byte at offset %llu is not zero",
			(unsigned long long)res.first_nonzero);
		return PZ_EXIT_FAILURE;
	}
	return PZ_EXIT_OK;
}
