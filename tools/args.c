// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command line parsing and help texts, kept free of I/O so that the unit
 * tests can drive them.  Each subcommand declares its options once (struct
 * pz_opt, in help order); getopt_long()'s tables, with the long options
 * sorted, and the help's option list are built here from that.
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
	"\nOffset and length must be multiples of the device's logical block size.\n";

static const char footer[] = "\nFor more details see pmdzero(8).\n";

static const struct pz_cmd *find_cmd(const char *name)
{
	size_t k;

	for (k = 0; name && pz_cmds[k]; k++)
		if (!strcmp(name, pz_cmds[k]->name))
			return pz_cmds[k];
	return NULL;
}

/* Every command ends its options with these two. */
static const struct pz_opt common_opts[] = {
	{ .name = "help", .val = 'h', .help = "display this help" },
	{ .name = "version", .val = 'V', .help = "display version" },
	{ .name = NULL }
};

#define MAX_OPTS 32

/* The options of c in help order, the common ones last; returns how many. */
static size_t cmd_opts(const struct pz_cmd *c, const struct pz_opt **o)
{
	const struct pz_opt *lists[] = { c->opts, common_opts };
	size_t n = 0, k, j;

	for (k = 0; k < 2; k++)
		for (j = 0; lists[k] && lists[k][j].name && n < MAX_OPTS; j++)
			o[n++] = &lists[k][j];
	return n;
}

static int is_short(int val)
{
	return val > 0 && val < OPT_GUARD;
}

/* The option's help text, from its string or its function. */
static const char *opt_help(const struct pz_opt *o, char *buf, size_t len)
{
	if (!o->help_fn)
		return o->help;
	o->help_fn(buf, len);
	return buf;
}

/* " -o, --offset <num>" without the leading space. */
static void opt_label(const struct pz_opt *o, char *buf, size_t len)
{
	if (is_short(o->val))
		snprintf(buf, len, "-%c, --%s%s%s", o->val, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	else
		snprintf(buf, len, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* Prints the options, the text two columns after the longest label and
 * wrapped before column 80, continued two columns further in. */
static void print_opts(const struct pz_cmd *c, FILE *out)
{
	const struct pz_opt *o[MAX_OPTS];
	size_t n = cmd_opts(c, o), k;
	char label[96], buf[512], text[512], *w, *save;
	int width = 0, col, len;

	for (k = 0; k < n; k++) {
		opt_label(o[k], label, sizeof(label));
		len = (int)strlen(label);
		if (len > width)
			width = len;
	}
	width++;
	for (k = 0; k < n; k++) {
		opt_label(o[k], label, sizeof(label));
		snprintf(text, sizeof(text), "%s", opt_help(o[k], buf, sizeof(buf)));
		col = fprintf(out, " %-*s", width, label);
		save = NULL;
		for (w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			if (col > width + 1 && col + 1 + (int)strlen(w) > 79)
				col = fprintf(out, "\n%*s", width + 3, "") - 1;
			col += fprintf(out, " %s", w);
		}
		fputc('\n', out);
	}
}

static void cmd_usage(const struct pz_cmd *c, FILE *out)
{
	fprintf(out, "Usage:\n pmdzero %s [options]%s%s\n", c->name, *c->operands ? " " : "",
		c->operands);
	fprintf(out, "\n%s\n", c->description);
	fputs("\nOptions:\n", out);
	print_opts(c, out);
	if (c->help_after)
		c->help_after(out);
}

void pz_usage(const char *cmd, FILE *out)
{
	const struct pz_cmd *c = find_cmd(cmd);
	const char *nl;
	size_t k;

	if (c) {
		cmd_usage(c, out);
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

/* A JSON string, or null for NULL. */
static void json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

int pz_dump_options(FILE *out)
{
	const struct pz_opt *o[MAX_OPTS];
	char text[512], val[2] = "";
	size_t k, j, n;

	fputs("{\"commands\": [", out);
	for (k = 0; pz_cmds[k]; k++) {
		n = cmd_opts(pz_cmds[k], o);
		fprintf(out, "%s\n {\"name\": ", k ? "," : "");
		json_str(out, pz_cmds[k]->name);
		fputs(", \"operand\": ", out);
		json_str(out, pz_cmds[k]->operand);
		fprintf(out, ", \"takes_command\": %s, \"options\": [",
			pz_cmds[k]->takes_command ? "true" : "false");
		for (j = 0; j < n; j++) {
			fprintf(out, "%s\n  {\"long\": ", j ? "," : "");
			json_str(out, o[j]->name);
			fputs(", \"short\": ", out);
			val[0] = (char)o[j]->val;
			json_str(out, is_short(o[j]->val) ? val : NULL);
			fputs(", \"arg\": ", out);
			json_str(out, o[j]->arg);
			fputs(", \"help\": ", out);
			json_str(out, opt_help(o[j], text, sizeof(text)));
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("\n]}\n", out);
	return ferror(out) ? -1 : 0;
}

/* getopt_long()'s tables for c: long options sorted by name (the order the
 * ambiguity message lists them in), short ones after a leading ':'. */
struct getopt_tables {
	struct option longopts[MAX_OPTS + 1];
	char shortopts[2 * MAX_OPTS + 2];
};

static int cmp_option(const void *a, const void *b)
{
	return strcmp(((const struct option *)a)->name, ((const struct option *)b)->name);
}

static void build_tables(const struct pz_cmd *c, struct getopt_tables *t)
{
	const struct pz_opt *o[MAX_OPTS];
	size_t n = cmd_opts(c, o), k, s = 0;

	t->shortopts[s++] = ':';
	for (k = 0; k < n; k++) {
		t->longopts[k] = (struct option){ o[k]->name,
						  o[k]->arg ? required_argument : no_argument,
						  NULL, o[k]->val };
		if (is_short(o[k]->val)) {
			t->shortopts[s++] = (char)o[k]->val;
			if (o[k]->arg)
				t->shortopts[s++] = ':';
		}
	}
	t->shortopts[s] = '\0';
	qsort(t->longopts, n, sizeof(t->longopts[0]), cmp_option);
	t->longopts[n] = (struct option){ NULL, 0, NULL, 0 };
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
	struct getopt_tables tables;
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
	/* Hidden, for the tests: exactly this word, no abbreviation. */
	if (!strcmp(argv[1], "--dump-options")) {
		a->dump_options = 1;
		return 0;
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

	build_tables(cmd, &tables);
	optind = 0;
	while ((c = getopt_long(sub_argc, sub_argv, tables.shortopts, tables.longopts,
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
			return bad_option(tables.longopts, sub_argv[optind - 1], optopt, msg, len);
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
