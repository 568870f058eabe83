// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Messages and exit status, named after <err.h>: pz_warnx() prints and
 * returns, pz_warnx_err() prints a library error and returns the exit
 * status that goes with it.  Nothing here exits; main() does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"

void pz_warnx(const char *path, const char *fmt, ...)
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

int pz_exit_status(int err)
{
	return err == -EOPNOTSUPP ? PZ_EXIT_UNSUPPORTED : PZ_EXIT_FAILURE;
}

int pz_warnx_err(const char *path, const struct pmdzero_error *err)
{
	pz_warnx(path, "%s", err->msg);
	return pz_exit_status(err->code);
}
