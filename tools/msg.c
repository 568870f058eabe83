// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Messages and exit status, named after <err.h>: pz_warnx() prints and
 * returns, pz_warnx_err() prints a library error and returns the exit
 * status that goes with it.  Nothing here exits; main() does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

/* Control characters are written as \xNN: whatever a path or an argument
 * holds (a newline, an escape sequence), a message stays one line. */
static void put_escaped(FILE *f, const char *s)
{
	unsigned char c;

	for (; (c = (unsigned char)*s); s++) {
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void put_line(FILE *f, const char *path, const char *text)
{
	fputs("pmdzero: ", f);
	if (path && *path) {
		put_escaped(f, path);
		fputs(": ", f);
	}
	put_escaped(f, text);
	fputc('\n', f);
}

void pz_warnx(const char *path, const char *fmt, ...)
{
	char *msg = NULL, *line = NULL;
	const char *text;
	size_t len = 0;
	va_list ap;
	FILE *f;

	fflush(stdout);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	text = msg ? msg : fmt;
	/* Built whole and written with one call; piecemeal without memory. */
	f = open_memstream(&line, &len);
	if (f) {
		put_line(f, path, text);
		if (fclose(f)) {
			free(line);
			line = NULL;
		}
	}
	if (line)
		fputs(line, stderr);
	else
		put_line(stderr, path, text);
	free(line);
	free(msg);
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
