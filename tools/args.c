// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command line parsing and help texts, kept free of I/O so that the unit
 * tests can drive them.  One getopt_long() table per subcommand, long
 * options sorted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum {
	OPT_GUARD = 0x100,
	OPT_NO_BYTES,
	OPT_NO_SIGNATURES,
	OPT_NO_TRACE,
	OPT_OUTPUT,
	OPT_QUIET,
	OPT_VERIFY,
};

static const struct option probe_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'J' },
	{ "no-signatures", no_argument, NULL, OPT_NO_SIGNATURES },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct option zero_opts[] = {
	{ "block-size", required_argument, NULL, 'b' },
	{ "engine", required_argument, NULL, 'e' },
	{ "force", no_argument, NULL, 'f' },
	{ "guard", required_argument, NULL, OPT_GUARD },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'J' },
	{ "length", required_argument, NULL, 'l' },
	{ "no-trace", no_argument, NULL, OPT_NO_TRACE },
	{ "offset", required_argument, NULL, 'o' },
	{ "queue-depth", required_argument, NULL, 'q' },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct option trace_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'J' },
	{ "no-bytes", no_argument, NULL, OPT_NO_BYTES },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct option verify_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'J' },
	{ "length", required_argument, NULL, 'l' },
	{ "offset", required_argument, NULL, 'o' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct option global_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct {
	const char *name;
	const char *shortopts;	/* leading ':' to tell missing arguments apart */
	const struct option *longopts;
} commands[] = {
	{ "probe", ":hJV", probe_opts },
	{ "zero", ":b:e:fhJl:o:q:V", zero_opts },
	{ "trace", ":hJV", trace_opts },
	{ "verify", ":hJl:o:V", verify_opts },
};

static const char sizes_help[] =
	"\n<num> takes an optional suffix: K, M, G, T, P, E or KiB, MiB, GiB, TiB,\n"
	"PiB, EiB (powers of 1024), or KB, MB, GB, TB, PB, EB (powers of 1000);\n"
	"a 0x prefix means hexadecimal.  Offset and length must be multiples of the\n"
	"device's logical block size.\n";

static const char footer[] = "\nFor more details see pmdzero(8).\n";

void pz_usage(const char *cmd, FILE *out)
{
	if (!cmd) {
		fputs("Usage:\n"
		      " pmdzero <command> [options] <device>\n"
		      "\nProbe, zero, trace and verify byte ranges of a block device.\n"
		      "\nCommands:\n"
		      " probe <device>                  show identity, topology, queue limits and state\n"
		      " zero <device>                   zero a byte range (its data is lost)\n"
		      " trace <device> -- <cmd> [args]  count the bios, splits, merges and requests\n"
		      "                                   <device>'s disk sees while <cmd> runs\n"
		      " verify <device>                 check that a byte range reads back as zeroes\n"
		      "\nOptions:\n"
		      " -h, --help     display this help\n"
		      " -V, --version  display version\n"
		      "\nRun 'pmdzero <command> --help' for the options of a command.\n", out);
		fputs(footer, out);
		return;
	}
	if (!strcmp(cmd, "probe")) {
		fputs("Usage:\n"
		      " pmdzero probe [options] <device>\n"
		      "\nShow a block device's size, topology (libblkid), the queue limits that\n"
		      "shape bios and requests (sysfs; a partition shows its disk's queue), whether\n"
		      "it is read-only, mounted or held, and any file system or partition table\n"
		      "signature (this reads the device).\n"
		      "\nOptions:\n"
		      " -J, --json           use JSON output format\n"
		      "     --no-signatures  do not read the device: no signature probing\n"
		      " -h, --help           display this help\n"
		      " -V, --version        display version\n", out);
	} else if (!strcmp(cmd, "zero")) {
		fputs("Usage:\n"
		      " pmdzero zero [options] <device>\n"
		      "\nZero a byte range of a block device; all data in the range is lost.\n"
		      "Nothing is written unless every check passes: the range is aligned, non-empty\n"
		      "and inside the device, and the device is writable, not mounted and not in use.\n"
		      "\nOptions:\n"
		      " -o, --offset <num>       start of the range (default 0)\n"
		      " -l, --length <num>       length of the range (default: to the end of the device)\n"
		      " -e, --engine <name>      auto, ioctl, fallocate, uring, uring-fallocate, aio\n"
		      "                            or psync (default auto)\n"
		      " -q, --queue-depth <num>  I/Os in flight for uring, uring-fallocate and aio\n"
		      "                            (default 32)\n"
		      " -b, --block-size <num>   bytes per write (uring, aio, psync) or per chunk\n"
		      "                            (uring-fallocate); default 2MiB, at most 1GiB\n"
		      "     --verify             write a pattern around the range first, then check\n"
		      "                            the range reads as zeroes and the pattern is intact,\n"
		      "                            and put the original data back (refused on a device\n"
		      "                            in use)\n"
		      "     --guard <num>        bytes guarded on each side by --verify (default 1MiB)\n"
		      " -f, --force              zero a mounted or in-use device, or one that holds a\n"
		      "                            file system or partition table signature\n"
		      "     --no-trace           do not count bios, splits, merges and requests (CPU\n"
		      "                            figures then carry no tracing cost)\n"
		      "     --quiet              no progress and no notes on stderr\n"
		      " -J, --json               use JSON output format\n"
		      " -h, --help               display this help\n"
		      " -V, --version            display version\n", out);
		fputs(sizes_help, out);
	} else if (!strcmp(cmd, "trace")) {
		fputs("Usage:\n"
		      " pmdzero trace [options] <device> -- <command> [args...]\n"
		      "\nRun <command> and count, from the kernel's block tracepoints, the bios,\n"
		      "bio bytes, splits, merges and requests issued to <device> while it runs.\n"
		      "A partition is traced through its whole disk.  Exits with the command's\n"
		      "exit status (128 + signal number if it was killed).\n"
		      "\nOptions:\n"
		      "     --output <file>  write the report to <file> instead of stdout\n"
		      "     --no-bytes       count only; do not sample bio sizes\n"
		      " -J, --json           use JSON output format\n"
		      " -h, --help           display this help\n"
		      " -V, --version        display version\n", out);
	} else if (!strcmp(cmd, "verify")) {
		fputs("Usage:\n"
		      " pmdzero verify [options] <device>\n"
		      "\nRead a byte range back with O_DIRECT and report the first non-zero byte.\n"
		      "Exits 0 if the whole range is zero, 1 otherwise.\n"
		      "\nOptions:\n"
		      " -o, --offset <num>  start of the range (default 0)\n"
		      " -l, --length <num>  length of the range (default: to the end of the device)\n"
		      " -J, --json          use JSON output format\n"
		      " -h, --help          display this help\n"
		      " -V, --version       display version\n", out);
		fputs(sizes_help, out);
	}
	fputs(footer, out);
}

static int fail(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return PZ_EXIT_FAILURE;
}

static int parse_size_arg(const char *what, const char *s, uint64_t *v, char *msg, size_t len)
{
	int ret = pmdzero_parse_size(s, v);

	if (ret == -ERANGE)
		return fail(msg, len, "%s '%s' is too large", what, s);
	if (ret)
		return fail(msg, len, "invalid %s '%s'", what, s);
	return 0;
}

int pz_parse_args(int argc, char **argv, struct pz_args *a, char *msg, size_t len,
		  int *usage_error)
{
	int c, i, nargs, ret, sub_argc;
	char **sub_argv;
	size_t k;
	uint64_t v;

	memset(a, 0, sizeof(*a));
	msg[0] = '\0';
	*usage_error = 0;
	opterr = 0;

	if (argc < 2) {
		*usage_error = 1;
		return fail(msg, len, "no command specified");
	}
	if (argv[1][0] == '-') {
		optind = 0;	/* full reinitialisation, for the unit tests */
		c = getopt_long(argc, argv, ":hV", global_opts, NULL);
		if (c == 'h')
			a->help = 1;
		else if (c == 'V')
			a->version = 1;
		else {
			*usage_error = 1;
			return fail(msg, len, "unrecognized option '%s'", argv[1]);
		}
		return 0;
	}
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (!strcmp(argv[1], commands[k].name))
			break;
	if (k == sizeof(commands) / sizeof(commands[0])) {
		*usage_error = 1;
		return fail(msg, len, "unknown command '%s'", argv[1]);
	}
	a->cmd = commands[k].name;
	a->engine = PMDZERO_ENGINE_AUTO;

	sub_argv = argv + 1;
	sub_argc = argc - 1;
	if (!strcmp(a->cmd, "trace")) {
		/* Everything after the first "--" is the child's. */
		for (i = 1; i < sub_argc; i++) {
			if (!strcmp(sub_argv[i], "--")) {
				a->child_argv = &sub_argv[i + 1];
				sub_argc = i;
				break;
			}
		}
	}

	optind = 0;
	while ((c = getopt_long(sub_argc, sub_argv, commands[k].shortopts,
				commands[k].longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			a->help = 1;
			return 0;
		case 'V':
			a->version = 1;
			return 0;
		case 'J':
			a->json = 1;
			break;
		case 'f':
			a->force = 1;
			break;
		case 'o':
			ret = parse_size_arg("offset", optarg, &a->offset, msg, len);
			if (ret)
				return ret;
			break;
		case 'l':
			ret = parse_size_arg("length", optarg, &a->length, msg, len);
			if (ret)
				return ret;
			a->have_length = 1;
			break;
		case 'e':
			a->engine = pmdzero_engine_parse(optarg);
			if (a->engine < 0)
				return fail(msg, len,
					    "unknown engine '%s' (expected auto, ioctl, fallocate, uring, uring-fallocate, aio or psync)",
					    optarg);
			break;
		case 'q':
			ret = parse_size_arg("queue depth", optarg, &v, msg, len);
			if (ret || v < 1 || v > 4096)
				return fail(msg, len, "invalid queue depth '%s' (expected 1 to 4096)",
					    optarg);
			a->queue_depth = (unsigned int)v;
			break;
		case 'b':
			ret = parse_size_arg("block size", optarg, &a->block_size, msg, len);
			if (ret)
				return ret;
			if (!a->block_size)
				return fail(msg, len, "invalid block size '%s'", optarg);
			break;
		case OPT_GUARD:
			ret = parse_size_arg("guard size", optarg, &a->guard, msg, len);
			if (ret)
				return ret;
			if (!a->guard)
				return fail(msg, len, "invalid guard size '%s'", optarg);
			a->verify = 1;
			break;
		case OPT_VERIFY:
			a->verify = 1;
			break;
		case OPT_NO_TRACE:
			a->no_trace = 1;
			break;
		case OPT_NO_BYTES:
			a->no_bytes = 1;
			break;
		case OPT_NO_SIGNATURES:
			a->no_signatures = 1;
			break;
		case OPT_QUIET:
			a->quiet = 1;
			break;
		case OPT_OUTPUT:
			a->output = optarg;
			break;
		case ':':
			/* getopt_long() sets optopt for long options too; the
			 * argument itself tells which form was used. */
			*usage_error = 1;
			if (!strncmp(sub_argv[optind - 1], "--", 2))
				return fail(msg, len, "option '%s' requires an argument",
					    sub_argv[optind - 1]);
			return fail(msg, len, "option requires an argument -- '%c'", optopt);
		default:
			/* optopt is 0 for an unknown long option. */
			*usage_error = 1;
			if (!optopt)
				return fail(msg, len, "unrecognized option '%s'", sub_argv[optind - 1]);
			return fail(msg, len, "invalid option -- '%c'", optopt);
		}
	}

	nargs = sub_argc - optind;
	if (nargs < 1) {
		*usage_error = 1;
		return fail(msg, len, "no device specified");
	}
	if (nargs > 1) {
		*usage_error = 1;
		return fail(msg, len, "unexpected argument '%s'", sub_argv[optind + 1]);
	}
	a->device = sub_argv[optind];
	if (!strcmp(a->cmd, "trace") && (!a->child_argv || !a->child_argv[0])) {
		*usage_error = 1;
		return fail(msg, len, "no command given after '--'");
	}
	return 0;
}
