// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The subcommands, in the order the global help lists them.  Each lives in
 * its own cmd_NAME.c, which defines its struct pz_cmd: a new subcommand is
 * that file plus one line here.
 */
#include <stddef.h>

#include "cmd.h"

extern const struct pz_cmd pz_cmd_probe, pz_cmd_zero, pz_cmd_trace, pz_cmd_verify, pz_cmd_size,
	pz_cmd_engines;

const struct pz_cmd *const pz_cmds[] = {
	&pz_cmd_probe,
	&pz_cmd_zero,
	&pz_cmd_trace,
	&pz_cmd_verify,
	&pz_cmd_size,
	&pz_cmd_engines,
	NULL
};
