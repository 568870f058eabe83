// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero - probe, zero, trace and verify byte ranges of a block device.
 * Exit status: 0 success, 1 failure or bad input, 2 the engine or the
 * kernel lacks what was asked for; verify and trace have their own (see
 * their fail_status).  The subcommands are in commands.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

/* Like util-linux close_stdout(): a full disk or closed pipe on stdout is
 * a failure, not a silent truncation. */
static void close_stdout(void)
{
	if (fflush(stdout) || ferror(stdout) || close(STDOUT_FILENO)) {
		if (errno != EBADF) {
			fprintf(stderr, "pmdzero: write error: %s\n", strerror(errno));
			_exit(PZ_EXIT_FAILURE);
		}
	}
}

int main(int argc, char **argv)
{
	struct pz_args a;
	char msg[512];
	int ret, usage_error;

	atexit(close_stdout);
	ret = pz_parse_args(argc, argv, &a, msg, sizeof(msg), &usage_error);
	if (ret) {
		pz_warnx(NULL, "%s", msg);
		if (usage_error)
			fprintf(stderr, "Try 'pmdzero%s%s --help' for more information.\n",
				a.cmd ? " " : "", a.cmd ? a.cmd : "");
		/* verify and trace keep 1 for what they report on. */
		if (a.command && a.command->fail_status)
			return a.command->fail_status;
		return ret;
	}
	if (a.help) {
		pz_usage(a.cmd, stdout);
		return PZ_EXIT_OK;
	}
	if (a.version) {
		printf("pmdzero %s\n", pmdzero_version());
		return PZ_EXIT_OK;
	}
	return a.command->run(&a);
}
