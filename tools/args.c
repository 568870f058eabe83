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

static const struct option global_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

const char pz_sizes_help[] =
	"\n<num> takes an optional suffix: K, M, G, T, P, E or KiB, MiB, GiB, TiB,\n"
	"PiB, EiB (powers of 1024), or KB, MB, GB, TB, PB, EB (powers of 1000), in\n"
	"either case, and a fraction with a suffix (1.5M); a 0x prefix means\n"
	"hexadecimal.  As util-linux reads sizes.";

const char pz_range_help[] =
	"  Offset and length must be multiples of the\n"
	"device's logical block size.\n";

static const char footer[] = "\nFor more details see pmdzero(8).\n";

static const struct pz_cmd *find_cmd(const char *name)
{
	size_t k;

	for (k = 0; name && pz_cmds[k]; k++)
		if (!strcmp(name, pz_cmds[k]->name))
			return pz_cmds[k];
	return NULL;
}

void pz_usage(const char *cmd, FILE *out)
{
	const struct pz_cmd *c = find_cmd(cmd);
	const char *nl;
	size_t k;

	if (c) {
		c->usage(out);
		fputs(footer, out);
		return;
	}
	fputs("Usage:\n"
	      " pmdzero <command> [options] <device>\n"
	      "\nProbe, zero, trace and verify byte ranges of a block device.\n"
	      "\nCommands:\n", out);
	for (k = 0; pz_cmds[k]; k++) {
		c = pz_cmds[k];
		/* A second summary line is indented under the first. */
		nl = strchr(c->summary, '\n');
		fprintf(out, " %-31s %.*s\n", c->synopsis,
			nl ? (int)(nl - c->summary) : (int)strlen(c->summary), c->summary);
		if (nl)
			fprintf(out, " %-31s   %s\n", "", nl + 1);
	}
	fputs("\nOptions:\n"
	      " -h, --help     display this help\n"
	      " -V, --version  display version\n"
	      "\nRun 'pmdzero <command> --help' for the options of a command.\n", out);
	fputs(footer, out);
}

char *pz_engine_list(char *buf, size_t len, unsigned int flags, const char *last_sep)
{
	const char *name, *sep = "";
	size_t n = 0;
	int e, last = -1;

	for (e = 0; pmdzero_engine_name((enum pmdzero_engine)e); e++)
		if (!flags || (pmdzero_engine_flags((enum pmdzero_engine)e) & flags))
			last = e;
	buf[0] = '\0';
	for (e = 0; (name = pmdzero_engine_name((enum pmdzero_engine)e)); e++) {
		if (flags && !(pmdzero_engine_flags((enum pmdzero_engine)e) & flags))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      e == last && *sep ? last_sep : sep, name);
		sep = ", ";
	}
	return buf;
}

uint64_t pz_default_length(const struct pz_args *a, const struct pmdzero_probe *p)
{
	if (a->have_length)
		return a->length;
	/* Past the end: any aligned length makes the range check name the
	 * real problem, the offset. */
	return a->offset < p->size ? p->size - a->offset : p->logical_block_size;
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
	if (ret == -EDOM)
		return fail(msg, len,
			    "invalid %s '%s': util-linux rounds this fraction differently; give it in bytes",
			    what, s);
	if (ret)
		return fail(msg, len, "invalid %s '%s'", what, s);
	return 0;
}

/* A size that must not be zero: block, guard and page sizes. */
static int parse_nonzero_size_arg(const char *what, const char *s, uint64_t *v, char *msg,
				  size_t len)
{
	int ret = parse_size_arg(what, s, v, msg, len);

	if (!ret && !*v)
		return fail(msg, len, "invalid %s '%s'", what, s);
	return ret;
}

/*
 * getopt_long() returned '?'.  optopt is 0 for an unknown or ambiguous long
 * option, the option's value for a long option given an argument it does
 * not take ("--verify=yes"; OPT_VERIFY is no character to print), and the
 * character for an unknown short option, which no long option has as its
 * value.  arg is the word getopt_long() consumed last: the long option in
 * the first two cases.
 */
static int bad_option(const struct option *opts, const char *arg, int opt, char *msg,
		      size_t len)
{
	char names[256];
	size_t k, n, used = 0;
	int matches = 0;

	for (k = 0; opt && opts[k].name; k++)
		if (opts[k].val == opt && opts[k].has_arg == no_argument)
			return fail(msg, len, "option '--%s' doesn't allow an argument", opts[k].name);
	if (opt)
		return fail(msg, len, "invalid option -- '%c'", opt);
	/* A prefix of several long options, as glibc would print it. */
	n = strcspn(arg + 2, "=");
	names[0] = '\0';
	for (k = 0; n && opts[k].name; k++) {
		if (strncmp(opts[k].name, arg + 2, n))
			continue;
		matches++;
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, " '--%s'",
						 opts[k].name);
	}
	if (matches > 1)
		return fail(msg, len, "option '%.*s' is ambiguous; possibilities:%s", (int)(n + 2),
			    arg, names);
	return fail(msg, len, "unrecognized option '%s'", arg);
}

/* A count is a plain decimal number: no sign, no space, no suffix
 * (strtoull() alone would take " -1" as 18446744073709551615). */
static int parse_count(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int pz_parse_args(int argc, char **argv, struct pz_args *a, char *msg, size_t len,
		  int *usage_error)
{
	const struct pz_cmd *cmd;
	int c, i, nargs, ret, sub_argc;
	char **sub_argv, names[256];
	unsigned long long v;

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
	cmd = find_cmd(argv[1]);
	if (!cmd) {
		*usage_error = 1;
		return fail(msg, len, "unknown command '%s'", argv[1]);
	}
	a->command = cmd;
	a->cmd = cmd->name;
	a->engine = PMDZERO_ENGINE_AUTO;
	a->count = 1;

	sub_argv = argv + 1;
	sub_argc = argc - 1;
	if (cmd->takes_command) {
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
	while ((c = getopt_long(sub_argc, sub_argv, cmd->shortopts, cmd->longopts,
				NULL)) != -1) {
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
			if (a->engine < 0) {
				pz_engine_list(names, sizeof(names), 0, " or ");
				return fail(msg, len, "unknown engine '%s' (expected %s)", optarg, names);
			}
			break;
		case 'q':
			/* A count, not a size: "4K" is refused. */
			if (parse_count(optarg, &v) || v < 1 || v > PMDZERO_MAX_QUEUE_DEPTH)
				return fail(msg, len, "invalid queue depth '%s' (expected 1 to %u)",
					    optarg, PMDZERO_MAX_QUEUE_DEPTH);
			a->queue_depth = (unsigned int)v;
			break;
		case 'b':
			ret = parse_nonzero_size_arg("block size", optarg, &a->block_size, msg, len);
			if (ret)
				return ret;
			break;
		case OPT_GUARD:
			ret = parse_nonzero_size_arg("guard size", optarg, &a->guard, msg, len);
			if (ret)
				return ret;
			a->verify = 1;
			break;
		case OPT_VERIFY:
			a->verify = 1;
			break;
		case OPT_NO_TRACE:	/* the last of --trace and --no-trace wins */
			a->no_trace = 1;
			a->trace = 0;
			break;
		case OPT_TRACE:
			a->trace = 1;
			a->no_trace = 0;
			break;
		case OPT_NO_BYTES:
			a->no_bytes = 1;
			break;
		case OPT_WRITES:
			a->writes = 1;
			break;
		case OPT_VECTORED:
			a->vectored = 1;
			break;
		case OPT_NO_SIGNATURES:
			a->no_signatures = 1;
			break;
		case OPT_QUIET:
			a->quiet = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'n':
			if (parse_count(optarg, &v))
				return fail(msg, len, "invalid count '%s'", optarg);
			a->count = v;
			break;
		case OPT_PAGES:
			ret = parse_nonzero_size_arg("page size", optarg, &a->page_size, msg, len);
			if (ret)
				return ret;
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
			*usage_error = 1;
			return bad_option(cmd->longopts, sub_argv[optind - 1], optopt, msg, len);
		}
	}

	nargs = sub_argc - optind;
	if (!cmd->operand) {	/* a command without operands (engines) */
		if (nargs > 0) {
			*usage_error = 1;
			return fail(msg, len, "unexpected argument '%s'", sub_argv[optind]);
		}
		return 0;
	}
	if (nargs < 1) {
		*usage_error = 1;
		return fail(msg, len, "no %s specified", cmd->operand);
	}
	if (nargs > 1) {
		*usage_error = 1;
		return fail(msg, len, "unexpected argument '%s'", sub_argv[optind + 1]);
	}
	a->operand = sub_argv[optind];
	if (!strcmp(cmd->operand, "device"))
		a->device = a->operand;
	if (cmd->takes_command && (!a->child_argv || !a->child_argv[0])) {
		*usage_error = 1;
		return fail(msg, len, "no command given after '--'");
	}
	return 0;
}
