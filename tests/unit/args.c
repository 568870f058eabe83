// SPDX-License-Identifier: GPL-2.0-or-later
/* pz_parse_args(): the command line of every subcommand (tools/args.c). */
#include <string.h>

#include "cmd.h"
#include "test.h"

#define MAXARGS 32

struct parsed {
	struct pz_args a;
	int ret, usage;
	char msg[256];
	char *argv[MAXARGS];
	char store[MAXARGS][64];
};

/* Parses a NULL-terminated list of arguments (argv[0] added). */
static struct parsed *parse(struct parsed *p, const char *const *args)
{
	int n = 0;

	memset(p, 0, sizeof(*p));
	strcpy(p->store[n], "pmdzero");
	p->argv[n] = p->store[n];
	for (n = 1; args[n - 1]; n++) {
		strcpy(p->store[n], args[n - 1]);
		p->argv[n] = p->store[n];
	}
	p->argv[n] = NULL;
	p->ret = pz_parse_args(n, p->argv, &p->a, p->msg, sizeof(p->msg), &p->usage);
	return p;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void bad(const char *const *args, int usage, const char *msg)
{
	struct parsed p;

	parse(&p, args);
	CHECK(p.ret == PZ_EXIT_FAILURE, "\"%s\": exit %d, expected 1", msg, p.ret);
	CHECK(p.usage == usage, "\"%s\": usage_error %d, expected %d", msg, p.usage, usage);
	CHECK(!strcmp(p.msg, msg), "message \"%s\", expected \"%s\"", p.msg, msg);
}

int main(void)
{
	static const char *const none[] = { NULL };
	struct parsed p;

	bad(none, 1, "no command specified");
	bad(ARGS("--bogus"), 1, "unrecognized option '--bogus'");
	bad(ARGS("frob", "/dev/x"), 1, "unknown command 'frob'");

	parse(&p, ARGS("--help"));
	CHECK(!p.ret && p.a.help && !p.a.cmd, "global --help");
	parse(&p, ARGS("-V"));
	CHECK(!p.ret && p.a.version, "global -V");
	/* engines takes no operand, and -J. */
	parse(&p, ARGS("engines"));
	CHECK(!p.ret && !strcmp(p.a.cmd, "engines") && !p.a.operand && !p.a.device, "engines");
	parse(&p, ARGS("engines", "-J"));
	CHECK(!p.ret && p.a.json, "engines -J");
	bad(ARGS("engines", "/dev/x"), 1, "unexpected argument '/dev/x'");
	bad(ARGS("engines", "-l", "1M"), 1, "invalid option -- 'l'");
	parse(&p, ARGS("zero", "--help"));
	CHECK(!p.ret && p.a.help && !strcmp(p.a.cmd, "zero"), "zero --help");
	parse(&p, ARGS("trace", "-V"));
	CHECK(!p.ret && p.a.version && !strcmp(p.a.cmd, "trace"), "trace -V");

	parse(&p, ARGS("zero", "-o", "1M", "-l", "3MiB", "-e", "uring", "-q", "8", "-b", "1M",
		       "--verify", "-J", "-f", "--no-trace", "--quiet", "/dev/x"));
	CHECK(p.ret == 0, "full zero: %s", p.msg);
	CHECK(p.a.offset == 1048576 && p.a.length == 3145728 && p.a.have_length, "range");
	CHECK(p.a.engine == PMDZERO_ENGINE_URING, "engine %d", p.a.engine);
	CHECK(p.a.queue_depth == 8 && p.a.block_size == 1048576, "qd/bs");
	CHECK(p.a.verify && p.a.json && p.a.force && p.a.no_trace && p.a.quiet, "flags");
	CHECK(p.a.device && !strcmp(p.a.device, "/dev/x"), "device");

	parse(&p, ARGS("zero", "/dev/x", "--offset", "0x1000", "--engine=psync"));
	CHECK(p.ret == 0 && p.a.offset == 4096 && p.a.engine == PMDZERO_ENGINE_PSYNC &&
	      !p.a.have_length && !strcmp(p.a.device, "/dev/x"), "options after the device");
	parse(&p, ARGS("zero", "/dev/x"));
	CHECK(p.ret == 0 && p.a.engine == PMDZERO_ENGINE_AUTO && !p.a.verify && !p.a.force &&
	      !p.a.json && p.a.offset == 0 && !p.a.queue_depth && !p.a.block_size, "defaults");
	parse(&p, ARGS("zero", "--guard", "64K", "/dev/x"));
	CHECK(p.ret == 0 && p.a.verify && p.a.guard == 65536, "--guard implies --verify");

	bad(ARGS("zero", "-e", "bogus", "/dev/x"), 0,
	    "unknown engine 'bogus' (expected auto, ioctl, fallocate, uring, uring-fallocate, aio or psync)");
	bad(ARGS("zero", "-q", "0", "/dev/x"), 0, "invalid queue depth '0' (expected 1 to 4096)");
	bad(ARGS("zero", "-q", "4097", "/dev/x"), 0, "invalid queue depth '4097' (expected 1 to 4096)");
	bad(ARGS("zero", "-q", "x", "/dev/x"), 0, "invalid queue depth 'x' (expected 1 to 4096)");
	/* A count, not a size. */
	bad(ARGS("zero", "-q", "4K", "/dev/x"), 0, "invalid queue depth '4K' (expected 1 to 4096)");
	bad(ARGS("zero", "-q", "0x10", "/dev/x"), 0, "invalid queue depth '0x10' (expected 1 to 4096)");
	bad(ARGS("zero", "-q", "-1", "/dev/x"), 0, "invalid queue depth '-1' (expected 1 to 4096)");
	bad(ARGS("zero", "-b", "0", "/dev/x"), 0, "invalid block size '0'");
	bad(ARGS("zero", "-l", "12XB", "/dev/x"), 0, "invalid length '12XB'");
	bad(ARGS("zero", "-l", "-1", "/dev/x"), 0, "invalid length '-1'");
	bad(ARGS("zero", "-o", "99999999999999999999", "/dev/x"), 0,
	    "offset '99999999999999999999' is too large");
	bad(ARGS("zero", "--guard", "0", "/dev/x"), 0, "invalid guard size '0'");
	bad(ARGS("zero"), 1, "no device specified");
	bad(ARGS("zero", "/dev/x", "/dev/y"), 1, "unexpected argument '/dev/y'");
	bad(ARGS("zero", "/dev/x", "-o"), 1, "option requires an argument -- 'o'");
	bad(ARGS("zero", "/dev/x", "--offset"), 1, "option '--offset' requires an argument");
	bad(ARGS("zero", "-x", "/dev/x"), 1, "invalid option -- 'x'");
	bad(ARGS("zero", "--frobnicate", "/dev/x"), 1, "unrecognized option '--frobnicate'");
	bad(ARGS("probe", "-o", "1M", "/dev/x"), 1, "invalid option -- 'o'");
	bad(ARGS("verify", "-e", "ioctl", "/dev/x"), 1, "invalid option -- 'e'");
	bad(ARGS("trace", "--verify", "/dev/x", "--", "true"), 1, "unrecognized option '--verify'");
	/* Found by tests/host/fuzz-options.py: the option's own name, not its
	 * internal value; every possibility of an ambiguous prefix; a count
	 * with a sign or a space is no count. */
	bad(ARGS("zero", "--verify=yes", "/dev/x"), 1, "option '--verify' doesn't allow an argument");
	bad(ARGS("zero", "--json=1", "/dev/x"), 1, "option '--json' doesn't allow an argument");
	bad(ARGS("zero", "--ve", "/dev/x"), 1,
	    "option '--ve' is ambiguous; possibilities: '--vectored' '--verbose' '--verify' '--version'");
	bad(ARGS("zero", "-q", " 4", "/dev/x"), 0, "invalid queue depth ' 4' (expected 1 to 4096)");
	bad(ARGS("zero", "-q", "+4", "/dev/x"), 0, "invalid queue depth '+4' (expected 1 to 4096)");

	parse(&p, ARGS("trace", "--json", "/dev/x", "--", "dd", "--json", "-o", "x"));
	CHECK(p.ret == 0 && p.a.json && !strcmp(p.a.device, "/dev/x"), "trace: %s", p.msg);
	CHECK(p.a.child_argv && !strcmp(p.a.child_argv[0], "dd") &&
	      !strcmp(p.a.child_argv[1], "--json") && !strcmp(p.a.child_argv[2], "-o") &&
	      !strcmp(p.a.child_argv[3], "x") && !p.a.child_argv[4], "child argv untouched");
	parse(&p, ARGS("trace", "/dev/x", "--output", "r.json", "--no-bytes", "--", "true"));
	CHECK(p.ret == 0 && p.a.output && !strcmp(p.a.output, "r.json") && p.a.no_bytes,
	      "trace options");
	bad(ARGS("trace", "/dev/x"), 1, "no command given after '--'");
	bad(ARGS("trace", "/dev/x", "--"), 1, "no command given after '--'");
	bad(ARGS("trace", "--", "true"), 1, "no device specified");

	parse(&p, ARGS("verify", "-o", "1M", "-l", "2M", "--json", "/dev/x"));
	CHECK(p.ret == 0 && p.a.offset == 1048576 && p.a.length == 2097152 && p.a.json,
	      "verify options");
	parse(&p, ARGS("probe", "-J", "/dev/x"));
	CHECK(p.ret == 0 && p.a.json, "probe -J");
	TEST_EXIT();
}
