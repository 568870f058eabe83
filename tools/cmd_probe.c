// SPDX-License-Identifier: GPL-2.0-or-later
/* pmdzero probe: every probe field as NAME VALUE pairs or one JSON object. */
#include <stdio.h>

#include "cmd.h"

static void add_devno(struct pz_report *r, const char *key, unsigned int ma, unsigned int mi)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u:%u", ma, mi);
	pz_report_str(r, key, buf);
}

static void add_opt_str(struct pz_report *r, const char *key, const char *v)
{
	pz_report_add(r, key, PZ_STR, v[0] ? v : NULL, NULL);
}

static int run(const struct pz_args *a)
{
	struct pmdzero_error err;
	struct pmdzero_probe *p;
	struct pz_report *r;
	char buf[32];
	int ret;

	p = pmdzero_probe_new(a->device, a->no_signatures ? 0 : PMDZERO_PROBE_SIGNATURES, &err);
	if (!p)
		return pz_warnx_err(a->device, &err);
	r = pz_report_new("probe");
	pz_report_str(r, "device", p->path);
	pz_report_str(r, "name", p->name);
	add_devno(r, "dev", p->major, p->minor);
	pz_report_bool(r, "whole_disk", p->whole_disk);
	pz_report_str(r, "queue_name", p->queue_name);
	add_devno(r, "queue_dev", p->queue_major, p->queue_minor);
	pz_report_bytes(r, "partition_start", p->partition_start);
	pz_report_bytes(r, "size", p->size);
	pz_report_u64(r, "logical_block_size", p->logical_block_size);
	pz_report_u64(r, "physical_block_size", p->physical_block_size);
	pz_report_u64(r, "minimum_io_size", p->minimum_io_size);
	pz_report_u64(r, "optimal_io_size", p->optimal_io_size);
	snprintf(buf, sizeof(buf), "%lld", (long long)p->alignment_offset);
	pz_report_add(r, "alignment_offset", PZ_NUM, buf, NULL);
	pz_report_u64(r, "max_sectors_kb", p->max_sectors_kb);
	pz_report_u64(r, "max_hw_sectors_kb", p->max_hw_sectors_kb);
	pz_report_u64(r, "max_segments", p->max_segments);
	pz_report_u64(r, "max_segment_size", p->max_segment_size);
	pz_report_bytes(r, "write_zeroes_max_bytes", p->write_zeroes_max_bytes);
	pz_report_bytes(r, "discard_max_bytes", p->discard_max_bytes);
	pz_report_str(r, "zoned", p->zoned);
	pz_report_bool(r, "rotational", p->rotational);
	pz_report_bool(r, "read_only", p->read_only);
	pz_report_bool(r, "mounted", p->mounted);
	add_opt_str(r, "mountpoint", p->mountpoint);
	pz_report_u64(r, "holders", p->holders);
	pz_report_bool(r, "signatures_probed", p->signatures_probed);
	add_opt_str(r, "fs_type", p->fs_type);
	add_opt_str(r, "pt_type", p->pt_type);
	ret = pz_report_print(r, a->json, stdout);
	pz_report_free(r);
	pmdzero_probe_free(p);
	return ret ? PZ_EXIT_FAILURE : PZ_EXIT_OK;
}

static const struct pz_opt opts[] = {
	{ .name = "json", .val = 'J', .help = "use JSON output format" },
	{ .name = "no-signatures", .val = OPT_NO_SIGNATURES,
	  .help = "do not read the device: no signature probing" },
	{ .name = NULL }
};

const struct pz_cmd pz_cmd_probe = {
	.name = "probe",
	.synopsis = "probe <device>",
	.summary = "show identity, topology, queue limits and state",
	.operands = "<device>",
	.description = "Show a block device's size, topology (libblkid), the queue limits that\n"
		       "shape bios and requests (sysfs; a partition shows its disk's queue), whether\n"
		       "it is read-only, mounted or held, and any file system or partition table\n"
		       "signature (this reads the device).",
	.opts = opts,
	.operand = "device",
	.run = run,
};
