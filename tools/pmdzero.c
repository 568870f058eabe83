// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero - probe, zero, trace and verify byte ranges of a block device.
 * Exit status: 0 success, 1 failure or bad input, 2 the engine or the
 * kernel lacks what was asked for.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

void pz_errx(const char *path, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("pmdzero: ", stderr);
	if (path)
		fprintf(stderr, "%s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int pz_exit_code(int err)
{
	return err == -EOPNOTSUPP ? PZ_EXIT_UNSUPPORTED : PZ_EXIT_FAILURE;
}

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
		pz_errx(NULL, "%s", msg);
		if (usage_error)
			fprintf(stderr, "Try 'pmdzero%s%s --help' for more information.\n",
				a.cmd ? " " : "", a.cmd ? a.cmd : "");
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
	if (!strcmp(a.cmd, "probe"))
		return pz_cmd_probe(&a);
	if (!strcmp(a.cmd, "zero"))
		return pz_cmd_zero(&a);
	if (!strcmp(a.cmd, "trace"))
		return pz_cmd_trace(&a);
	return pz_cmd_verify(&a);
}
