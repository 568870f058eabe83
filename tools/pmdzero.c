// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmdzero - probe, zero, trace and verify byte ranges of a block device.
 * Exit status: 0 success, 1 failure or bad input, 2 the engine or the
 * kernel lacks what was asked for; verify and trace have their own (see
 * their fail_status).  The subcommands are in commands.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

/* The exit status of a failed write to stdout or stderr: the command's
 * own failure status (verify: 2, "could not tell", never 1, "not zero"). */
static int close_fail_status = PZ_EXIT_FAILURE;

/* util-linux's close_stream(): a stream fails if it had an error, or if
 * closing it fails other than for a descriptor that was never open with
 * nothing left to write.  errno is kept only where it says why. */
static int close_stream(FILE *stream)
{
	const int some_pending = __fpending(stream) != 0;
	const int prev_fail = ferror(stream) != 0;
	const int fclose_fail = fclose(stream) != 0;

	if (prev_fail || (fclose_fail && (some_pending || errno != EBADF))) {
		if (!fclose_fail && errno != EPIPE)
			errno = 0;
		return EOF;
	}
	return 0;
}

/* util-linux's close_stdout(), at exit: output lost to a full disk or an
 * I/O error is a failure ("write error"), not a silent truncation; a
 * reader that went away (EPIPE, with SIGPIPE ignored) is not, as in
 * `pmdzero probe --json ... | head -n 3`. */
static void close_stdout(void)
{
	if (close_stream(stdout) != 0 && errno != EPIPE) {
		if (errno)
			fprintf(stderr, "pmdzero: write error: %s\n", strerror(errno));
		else
			fputs("pmdzero: write error\n", stderr);
		_exit(close_fail_status);
	}
	if (close_stream(stderr) != 0)
		_exit(close_fail_status);
}

int main(int argc, char **argv)
{
	struct pz_args a;
	char msg[512];
	int ret, usage_error;

	atexit(close_stdout);
	ret = pz_parse_args(argc, argv, &a, msg, sizeof(msg), &usage_error);
	if (a.command && a.command->fail_status)
		close_fail_status = a.command->fail_status;
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
	if (a.dump_options)
		return pz_dump_options(stdout) ? PZ_EXIT_FAILURE : PZ_EXIT_OK;
	return a.command->run(&a);
}
