#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fuzz of pmdzero's option strings and sizes (host test 061-fuzz-options).

    fuzz-options.py DEV [DEV...]

Each DEV is a loop device filled with a pattern that holds no zero byte
(lib.sh's _fill_pattern); the current directory is a scratch directory.
The script runs fixed regression and boundary cases, then generated
invocations of $PMDZERO: zero mostly, and probe, verify, size, trace and
the bare command, with random and boundary sizes, suffixes, junk, engines,
flags, unknown, abbreviated, repeated and incomplete options.  Each one is
checked against a model of the command line (getopt_long() as glibc does
it, the size grammar of pmdzero(8), the checks pmdzero zero makes, in its
order):

- a zero that exits 0 zeroed exactly the requested range of the requested
  device and said so in --json; the range is then written back;
- anything refused exits with the documented status (1, 2 for an
  unsupported engine) and prints one "pmdzero: " line on stderr (a usage
  error adds the "Try 'pmdzero ... --help'" line), nothing on stdout;
- trace exits with its command's status, verify of non-zero data with 1;
- every byte of every device outside a zeroed range is unchanged, read
  back with O_DIRECT after every invocation and compared with the model;
- a signal, a sanitizer report or a hang is a failure.

A failure prints the command line that reproduces it; PMDZERO_FUZZ_CASE=N
reruns generated case N alone (the cases do not depend on each other).

Environment: PMDZERO, the binary; PMDZERO_FUZZ_SEED (default 14);
PMDZERO_FUZZ_COUNT, generated invocations (default 1000).  The last line is
"# fuzz: N invocations (S succeeded, R refused), B bytes checked, C corrupt,
seed X".  Exit status 0 if every invocation behaved, 1 if not, 2 if the
set-up failed.

The model mirrors tools/args.c and the checks in lib/zero.c, lib/verify.c
and tools/cmd_*.c.  The option tables themselves come from pmdzero
--dump-options; a new option needs its meaning in the model (VALUE_KEYS or
FLAG_KEYS and the code that uses it), which the script checks first.
"""

import fcntl
import json
import mmap
import os
import random
import re
import shlex
import stat
import struct
import subprocess
import sys
import time

U64_MAX = (1 << 64) - 1
KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
BLKSSZGET = 0x1268
BLKGETSIZE64 = 0x80081272
MSG_MAX = 511                   # tools/pmdzero.c: char msg[512] for parse errors
MAX_QUEUE_DEPTH = 4096          # PMDZERO_MAX_QUEUE_DEPTH
MAX_BLOCK_SIZE = 1 << 30        # PMDZERO_MAX_BLOCK_SIZE
MAX_GUARD = 1 << 30             # PMDZERO_MAX_GUARD_BYTES
DEFAULT_GUARD = 1 << 20         # PMDZERO_DEFAULT_GUARD_BYTES
TIMEOUT = 120                   # seconds for one invocation (ASan, tracing)
MAX_FAILURES = 10               # then stop: the rest would repeat them

# The subcommands' option tables, read from pmdzero --dump-options at start
# (load_cmds): name -> (short options in getopt syntax, long options sorted
# as tools/args.c sorts them (name: (takes an argument, key); the key is the
# short option or, without one, the long name), operand, "-- command").
# The model below decides what each key means; self_check() fails on an
# option or a command it does not know.
CMDS = {}
# The options whose argument the model parses, and the flags it knows.
VALUE_KEYS = {"o", "l", "b", "guard", "pages", "e", "q", "n", "output"}
FLAG_KEYS = {"h", "V", "J", "f", "v", "verify", "no-trace", "trace", "quiet", "vectored",
             "no-signatures", "no-bytes", "writes"}
# Commands not fuzzed, and why.
NOT_FUZZED = {"engines": "takes no operand and reads no device"}
GLOBAL = (":hV", {"help": (0, "h"), "version": (0, "V")})

# Strings that are sizes to no parser, or to a too lenient one.
JUNK_SIZES = [
    "", " ", " 512", "512 ", "\t512", "+512", "-512", "-0", "- 512", "1.5M", "1,5M", "0.5K",
    "1e3", "1E3", "1e", "0x", "0X", "0x200", "0X200", "0xg", "0x-1", "x200", "0b1000",
    "0o1000", "1_000", "1,024", "1 K", "1K ", "1KiBs", "1kib", "1KIB", "1Kb", "1kB", "1KB",
    "1iB", "1B", "1b", "K", "M", "KiB", "1Z", "1Y", "1ZiB", "1YB", "1z", "4K4", "12XB",
    "1MM", "1Mi", "1MiB ", "nan", "inf", "-inf", "0x1p9", "٥١٢", "５１２", "512\u200b",
    "512\n", "5\n12", "1\x1b[2J", "\x7f", "é", "１K", "512K\u0301", "--", "-", "=", "512=",
    "$((512))", "'512'", "\"512\"", "512;", "\\x200", "%s%s%n",
]
JUNK_COUNTS = ["", "0", "-1", " -1", "+4", " 4", "4 ", "4K", "0x10", "1e2", "99999999999999999999",
               "18446744073709551616", "18446744073709551615", "٣", "4\n", "--", "4097",
               "4096", "1", "000032", "-0"]
JUNK_ENGINES = ["", "IOCTL", "Auto", "io_uring", "libaio", "sync", "uring ", " uring", "ur",
                "uring-", "uring_fallocate", "auto,ioctl", "psync\n", "ﬀ", "a" * 300,
                "aio=1", "-e", "--engine", "pwrite", "blkzeroout", "0", "ioctl\t"]
JUNK_OPTIONS = ["--bogus", "--offset-x=1", "-x", "-Z", "-5", "-\n", "--verify=yes", "--json=1",
                "--quiet=", "--no-trace=0", "--force=no", "--help=1", "--vectored=", "-",
                "--=", "---", "---offset", "--ver", "--v", "--q", "--qu", "--no", "--no-",
                "-J5", "-fX", "-:", "-;", "--é", "--" + "x" * 600, "-W", "-Wfoo", "-?",
                "--json=", "--no-signatures", "--writes", "--output=x", "--count=1",
                "--pages=4K", "-n", "-é"]
BOUNDARY_SIZES = ["0", "1", "511", "512", "513", "4095", "4096", "{size-512}", "{size}",
                  "{size+512}", "{size-lbs}", "{size+lbs}", "9223372036854775807",
                  "9223372036854775808", "18446744073709551615", "18446744073709551616",
                  "18446744073709551617", "0x7fffffffffffffff", "0xffffffffffffffff",
                  "0xfffffffffffffe00", "0x10000000000000000", "16E", "15E", "16EiB", "8E",
                  "18446744073709551616K", "17179869184G", "16384P", "2147483648", "4294967296",
                  "4294967295", "1G", "1T", "1P", "1E", "1EB", "19EB", "18EB"]


class SetupError(Exception):
    pass


# ---------------------------------------------------------------- model ---

def ul_fraction(frac, zeros, unit):
    """util-linux's ul_parse_size() fraction: digit by digit, each rounded down."""
    div, poz, add = 10, 1, 0
    while div < frac:
        div *= 10
    div *= 10 ** zeros
    while True:
        seg, seg_div = frac % 10, div // poz
        frac //= 10
        poz *= 10
        if seg and seg_div // seg:
            add += unit // (seg_div // seg)
        if not frac:
            return add


def parse_size(b):
    """lib/size.c: returns the value, "invalid", "range" or "fraction" (a
    fraction util-linux rounds differently)."""
    base, p, v, any_digit = 10, 0, 0, False
    if b[:1] == b"0" and b[1:2] in (b"x", b"X"):
        base, p = 16, 2
    elif b[:1] == b"0" and b[1:2].isdigit():
        return "invalid"
    digits = b"0123456789abcdefABCDEF" if base == 16 else b"0123456789"
    while p < len(b) and b[p] in digits:
        d = int(b[p:p + 1], 16)
        if v > (U64_MAX - d) // base:
            return "range"
        v = v * base + d
        any_digit = True
        p += 1
    if not any_digit:
        return "invalid"
    fdigits = None
    if b[p:p + 1] == b".":
        p += 1
        q0 = p
        while p < len(b) and b[p] in b"0123456789":
            p += 1
        fdigits = b[q0:p]
        if len(fdigits) > 18 or p == len(b):
            return "invalid"
    mult = 1
    if p < len(b):
        unit = b[p:p + 1].upper() if b"a"[0] <= b[p] <= b"z"[0] else b[p:p + 1]
        if unit not in (b"K", b"M", b"G", b"T", b"P", b"E"):
            return "invalid"
        exp = b"KMGTPE".index(unit) + 1
        rest = b[p + 1:]
        if rest in (b"", b"iB", b"ib"):
            mult = 1024 ** exp
        elif rest in (b"B", b"b"):
            mult = 1000 ** exp
        else:
            return "invalid"
        if v > U64_MAX // mult:
            return "range"
        v *= mult
    if fdigits and int(fdigits):
        frac = int(fdigits)
        zeros = len(fdigits) - len(fdigits.lstrip(b"0"))
        exact = frac * mult // 10 ** len(fdigits)
        if exact != ul_fraction(frac, zeros, mult):
            return "fraction"
        if v + exact > U64_MAX:
            return "range"
        v += exact
    return v


def parse_count(b):
    """A plain decimal number (queue depth, size -n): the value or None."""
    if not re.fullmatch(rb"[0-9]+", b) or int(b) > U64_MAX:
        return None
    return int(b)


def getopt(args, shortopts, longopts):
    """getopt_long() over args (args[0] is the program) as glibc runs it with
    a leading ':' and argument permutation.  Returns (events, operands):
    the events up to and including the first error, the operands in order
    (None after an error)."""
    shortopts = shortopts.encode()
    events, operands, i = [], [], 1
    while i < len(args):
        a = args[i]
        if a == b"--":
            operands.extend(args[i + 1:])
            break
        if not a.startswith(b"-") or a == b"-":
            operands.append(a)
            i += 1
            continue
        i += 1
        if a.startswith(b"--"):
            name, eq, val = a[2:].partition(b"=")
            names = [n.encode() for n in longopts]
            cands = [n for n in names if n == name] or [n for n in names if n.startswith(name)]
            if len(cands) != 1:
                events.append(("bad-long", a, cands))
                return events, None
            has_arg, key = longopts[cands[0].decode()]
            if eq:
                if not has_arg:
                    events.append(("no-arg-allowed", a, cands[0]))
                    return events, None
                events.append(("opt", key, val))
            elif has_arg:
                if i == len(args):
                    events.append(("missing", a, None))
                    return events, None
                events.append(("opt", key, args[i]))
                i += 1
            else:
                events.append(("opt", key, None))
            continue
        j = 1
        while j < len(a):
            c = a[j:j + 1]
            j += 1
            pos = shortopts.find(c)
            if pos < 0 or c in (b":", b";"):
                events.append(("bad-short", a, c))
                return events, None
            if shortopts[pos + 1:pos + 2] != b":":
                events.append(("opt", c.decode(), None))
                continue
            if j < len(a):
                events.append(("opt", c.decode(), a[j:]))
            elif i < len(args):
                events.append(("opt", c.decode(), args[i]))
                i += 1
            else:
                events.append(("missing", a, c))
                return events, None
            break
    return events, operands


def escaped(b):
    """tools/msg.c: control characters are printed as \\xNN."""
    return b"".join(b"\\x%02x" % c if c < 0x20 or c == 0x7f else bytes([c]) for c in b)


def line(msg, path=None, limit=None):
    """The stderr line pz_warnx(path, "%s", msg) prints, msg cut at limit."""
    if limit is not None:
        msg = msg[:limit]
    return b"pmdzero: " + (escaped(path) + b": " if path else b"") + escaped(msg) + b"\n"


def q(b):
    return b"'" + b + b"'"


class Expect:
    """What one invocation must do."""

    def __init__(self, kind, rc=0, err=None, why="", **kw):
        self.kind = kind        # usage error refused ok help version zero verify child
        self.rc = rc            # an int, or a tuple of allowed ones
        self.err = err          # the exact stderr (bytes), or None: see check()
        self.why = why
        self.cmd = kw.get("cmd")
        self.zero = kw.get("zero")          # (device, offset, length)
        self.json = kw.get("json", False)
        self.quiet = kw.get("quiet", False)
        self.report = kw.get("report")      # expected --json fields
        self.stdout = kw.get("stdout")      # exact stdout, or None


def usage(cmd, msg):
    hint = b"Try 'pmdzero%s --help' for more information.\n" % (b" " + cmd.encode() if cmd else b"")
    return Expect("usage", 1, line(msg, limit=MSG_MAX) + hint, "usage error: " + msg.decode(errors="replace"))


# Exit status of a command's own failures where 1 means something else:
# verify 1 is "not zero" (2 trouble, as cmp), trace 1 its command's (125,
# as env and timeout).
FAIL_STATUS = {b"verify": 2, b"trace": 125}


def own_failure(argv, exp):
    """exp with a usage error's or a refusal's 1 made the command's own code."""
    cmd = argv[0] if argv else b""
    code = FAIL_STATUS.get(cmd)
    if code is None or exp.kind not in ("usage", "refused"):
        return exp
    rcs = exp.rc if isinstance(exp.rc, tuple) else (exp.rc,)
    if exp.kind == "refused" and cmd == b"trace" and rcs == (127,):
        return exp
    exp.rc = tuple(sorted({code if r in (1, 2) else r for r in rcs}))
    if len(exp.rc) == 1:
        exp.rc = exp.rc[0]
    return exp


def refused(msg, path=None, rc=1, limit=None):
    return Expect("refused", rc, line(msg, path, limit), "refused: " + msg.decode(errors="replace"))


class Model:
    def __init__(self, devices, engines, write_engines, engine_refusal, can_trace):
        self.devices = devices
        self.by_path = {d.path: d for d in devices}
        self.engines = engines
        self.write_engines = write_engines      # class "write": --vectored works
        self.write_list = (", ".join(write_engines[:-1]) + " or " + write_engines[-1]).encode()
        self.engine_refusal = engine_refusal     # engine -> (rc, message) if unsupported
        self.can_trace = can_trace
        self.engine_list = ", ".join(engines[:-1]).encode() + b" or " + engines[-1].encode()

    def resolve(self, path):
        """The device an operand names, or the Expect of its refusal."""
        if path in self.by_path:
            return self.by_path[path]
        if not path:
            return refused(b"empty device path")
        try:
            st = os.stat(path)
        except OSError as e:
            return refused(os.strerror(e.errno).encode(), path)
        if not stat.S_ISBLK(st.st_mode):
            return refused(b"not a block device", path)
        for d in self.devices:
            if st.st_rdev == d.rdev:
                return d
        # Never hand pmdzero a device that is not ours.
        raise SetupError("generated a command on block device %r, not one of the test's" % path)

    def parse(self, argv):
        """tools/args.c: the parsed arguments as a dict, or an Expect."""
        if not argv:
            return usage(None, b"no command specified")
        if argv[0].startswith(b"-"):
            events, _ = getopt([b"pmdzero"] + argv, *GLOBAL)
            first = events[0] if events else None
            if first == ("opt", "h", None):
                return Expect("help", why="global --help")
            if first == ("opt", "V", None):
                return Expect("version", why="--version")
            return usage(None, b"unrecognized option " + q(argv[0]))
        name = argv[0].decode(errors="replace")
        if argv[0] != name.encode() or name not in CMDS:
            return usage(None, b"unknown command " + q(argv[0]))
        shortopts, longopts, operand, takes_command = CMDS[name]
        sub, child = argv, None
        if takes_command:
            for i in range(1, len(sub)):
                if sub[i] == b"--":
                    sub, child = sub[:i], sub[i + 1:]
                    break
        a = {"cmd": name, "offset": 0, "length": None, "engine": "auto", "count": 1,
             "qd": 0, "bs": 0, "guard": 0, "page": 0, "output": None, "child": child}
        events, operands = getopt(sub, shortopts, longopts)
        for ev in events:
            kind = ev[0]
            if kind == "bad-long":
                arg, cands = ev[1], ev[2]
                nm = arg[2:].split(b"=")[0]
                if nm and len(cands) > 1:
                    return usage(name, b"option '--%s' is ambiguous; possibilities:%s" %
                                 (nm, b"".join(b" '--" + c + b"'" for c in cands)))
                return usage(name, b"unrecognized option " + q(arg))
            if kind == "no-arg-allowed":
                return usage(name, b"option '--%s' doesn't allow an argument" % ev[2])
            if kind == "bad-short":
                return usage(name, b"invalid option -- " + q(ev[2]))
            if kind == "missing":
                if ev[1].startswith(b"--"):
                    return usage(name, b"option " + q(ev[1]) + b" requires an argument")
                return usage(name, b"option requires an argument -- " + q(ev[2]))
            key, val = ev[1], ev[2]
            if key == "h":
                return Expect("help", why=name + " --help")
            if key == "V":
                return Expect("version", why=name + " --version")
            if key in ("o", "l", "b", "guard", "pages"):
                what = {"o": b"offset", "l": b"length", "b": b"block size",
                        "guard": b"guard size", "pages": b"page size"}[key]
                v = parse_size(val)
                if v == "range":
                    return refused(what + b" " + q(val) + b" is too large", limit=MSG_MAX)
                if v == "fraction":
                    return refused(b"invalid " + what + b" " + q(val) +
                                   b": util-linux rounds this fraction differently; give it in bytes",
                                   limit=MSG_MAX)
                if v == "invalid" or (v == 0 and key in ("b", "guard", "pages")):
                    return refused(b"invalid " + what + b" " + q(val), limit=MSG_MAX)
                a[{"o": "offset", "l": "length", "b": "bs", "guard": "guard", "pages": "page"}[key]] = v
                if key == "guard":
                    a["verify"] = True
            elif key == "e":
                if val not in [e.encode() for e in self.engines]:
                    return refused(b"unknown engine " + q(val) + b" (expected " +
                                   self.engine_list + b")", limit=MSG_MAX)
                a["engine"] = val.decode()
            elif key == "q":
                v = parse_count(val)
                if v is None or not 1 <= v <= MAX_QUEUE_DEPTH:
                    return refused(b"invalid queue depth " + q(val) +
                                   b" (expected 1 to %d)" % MAX_QUEUE_DEPTH, limit=MSG_MAX)
                a["qd"] = v
            elif key == "n":
                v = parse_count(val)
                if v is None:
                    return refused(b"invalid count " + q(val), limit=MSG_MAX)
                a["count"] = v
            elif key == "output":
                a["output"] = val
            else:
                a[key] = True
        if not operands:
            return usage(name, b"no %s specified" % operand.encode())
        if len(operands) > 1:
            return usage(name, b"unexpected argument " + q(operands[1]))
        a["operand"] = operands[0]
        if takes_command and not child:
            return usage(name, b"no command given after '--'")
        return a

    def expect(self, argv):
        a = self.parse(argv)
        if not isinstance(a, Expect):
            a = getattr(self, "run_" + a["cmd"])(a)
        return own_failure(argv, a)

    @staticmethod
    def check_range(d, off, length):
        """lib/zero.c pmdzero_check_range(): the message, or None."""
        if off % d.lbs:
            return b"offset %d is not aligned to logical block size %d" % (off, d.lbs)
        if not length:
            return b"length is zero"
        if length % d.lbs:
            return b"length %d is not aligned to logical block size %d" % (length, d.lbs)
        if off >= d.size:
            return b"offset %d is past the end of the device (size %d)" % (off, d.size)
        if length > d.size - off:
            return b"range %d + %d is past the end of the device (size %d)" % (off, length, d.size)
        return None

    @staticmethod
    def length(a, d):
        if a["length"] is not None:
            return a["length"]
        return d.size - a["offset"] if a["offset"] < d.size else d.lbs

    def run_zero(self, a):
        d = self.resolve(a["operand"])
        if isinstance(d, Expect):
            return d
        off, length, path = a["offset"], self.length(a, d), a["operand"]
        msg = self.check_range(d, off, length)
        if not msg and a["bs"] and a["bs"] % d.lbs:
            msg = b"block size %d is not aligned to logical block size %d" % (a["bs"], d.lbs)
        if not msg and a["bs"] > MAX_BLOCK_SIZE:
            msg = b"block size %d is larger than 1 GiB" % a["bs"]
        if not msg and a.get("vectored") and a["engine"] not in self.write_engines:
            msg = (b"vectored writes need a write engine (" + self.write_list + b"), not " +
                   a["engine"].encode())
        if msg:
            return refused(msg, path)
        if a["engine"] in self.engine_refusal:
            return Expect("refused", self.engine_refusal[a["engine"]], None,
                          "engine %s unsupported here" % a["engine"])
        g = a["guard"] or DEFAULT_GUARD
        if a.get("verify"):
            if g > MAX_GUARD:
                return refused(b"guard size %d is larger than 1 GiB" % g, path)
            g -= g % d.lbs
            if not g:
                return refused(b"guard size is smaller than the logical block size %d" % d.lbs, path)
        report = {"device": path.decode(errors="surrogateescape"), "offset": off, "length": length,
                  "bytes": length, "verified": bool(a.get("verify"))}
        if a.get("verify"):
            report.update(range_zero=True, guards_intact=True, guard_before=min(g, off),
                          guard_after=min(g, d.size - off - length))
        if a["engine"] != "auto":
            report["engine"] = a["engine"]
        return Expect("zero", 0, None, "zero %d + %d of %s" % (off, length, d.path.decode()),
                      zero=(d, off, length), json=a.get("J"), quiet=a.get("quiet"),
                      report=report, cmd="zero")

    def run_verify(self, a):
        d = self.resolve(a["operand"])
        if isinstance(d, Expect):
            return d
        off, length = a["offset"], self.length(a, d)
        msg = self.check_range(d, off, length)
        if msg:
            return refused(msg, a["operand"])
        # The pattern has no zero byte: the first one checked is not zero.
        return Expect("verify", 1, line(b"byte at offset %d is not zero" % off, a["operand"]),
                      "verify finds pattern at %d" % off, json=a.get("J"), cmd="verify",
                      report={"offset": off, "length": length, "all_zero": False,
                              "first_nonzero": off})

    def run_probe(self, a):
        d = self.resolve(a["operand"])
        if isinstance(d, Expect):
            return d
        return Expect("ok", 0, b"", "probe", json=a.get("J"), cmd="probe",
                      report={"size": d.size, "logical_block_size": d.lbs,
                              "signatures_probed": not a.get("no-signatures")})

    def run_size(self, a):
        s = a["operand"]
        v = parse_size(s)
        if not isinstance(v, int):
            return refused(b"invalid size " + q(s))
        total = v * a["count"]
        if total > U64_MAX:
            return refused(b"size " + q(s) + b" times %d is too large" % a["count"])
        if a["page"]:
            total = -(-total // a["page"])
        return Expect("ok", 0, b"", "size = %d" % total, stdout=b"%d\n" % total)

    def run_trace(self, a):
        d = self.resolve(a["operand"])
        if isinstance(d, Expect):
            return d
        if not self.can_trace:
            return Expect("refused", (1, 2), None, "tracing unavailable here")
        out = a["output"]
        if out is not None:
            err = None
            if not out:
                err = b"No such file or directory"
            elif os.path.isdir(out):
                err = b"Is a directory"
            elif not os.path.isdir(os.path.dirname(out) or b"."):
                err = b"No such file or directory"
            elif os.path.exists(out) and stat.S_ISBLK(os.stat(out).st_mode):
                raise SetupError("generated trace --output onto a block device: %r" % out)
            if err:
                return refused(b"cannot open: " + err, out)
        child = a["child"]
        if child == [b"true"]:
            rc = 0
        elif child == [b"false"]:
            rc = 1
        elif child == [b"sh", b"-c", b"exit 3"]:
            rc = 3
        else:
            return Expect("refused", 127, line(b"cannot run " + q(child[0]) + b": No such file or directory"),
                          "trace: no such command")
        return Expect("child", rc, b"", "trace: command exits %d" % rc, json=a.get("J") and out is None,
                      cmd="trace", stdout=b"" if out is not None else None,
                      report={"exit_status": rc, "device": a["operand"].decode(errors="surrogateescape")})


# -------------------------------------------------------------- devices ---

class Device:
    def __init__(self, path):
        self.path = os.fsencode(path)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            self.size = struct.unpack("Q", fcntl.ioctl(fd, BLKGETSIZE64, bytes(8)))[0]
            self.lbs = struct.unpack("i", fcntl.ioctl(fd, BLKSSZGET, bytes(4)))[0]
            self.rdev = os.fstat(fd).st_rdev
        finally:
            os.close(fd)
        self.buf = mmap.mmap(-1, self.size)     # page-aligned, for O_DIRECT
        # lib.sh's _fill_pattern: each 4 KiB block its offset in hex, repeated.
        self.model = b"".join(b"%016x" % o * 256 for o in range(0, self.size, 4096))[:self.size]
        if self.read() != self.model:
            raise SetupError("%s does not hold _fill_pattern's pattern" % path)

    def read(self, off=0, length=None):
        """[off, off + length) (default: all of it), read with O_DIRECT."""
        length = self.size - off if length is None else length
        fd = os.open(self.path, os.O_RDONLY | os.O_DIRECT)
        try:
            done = 0
            while done < length:
                n = os.preadv(fd, [memoryview(self.buf)[done:length]], off + done)
                if n <= 0:
                    raise OSError("short read of %s at %d" % (self.path, off + done))
                done += n
        finally:
            os.close(fd)
        return self.buf[:length]

    def write_model(self, off, length):
        """Writes the pattern back over [off, off + length) with O_DIRECT."""
        self.buf[:length] = self.model[off:off + length]
        fd = os.open(self.path, os.O_WRONLY | os.O_DIRECT)
        try:
            done = 0
            while done < length:
                done += os.pwrite(fd, memoryview(self.buf)[done:length], off + done)
        finally:
            os.close(fd)


def corrupt_bytes(cur, model, rng):
    """Bytes that differ from the model outside the range rng (off, len)."""
    n = 0
    for o in range(0, len(cur), 4096):
        if cur[o:o + 4096] != model[o:o + 4096]:
            n += sum(1 for i in range(o, min(o + 4096, len(cur)))
                     if cur[i] != model[i] and not (rng and rng[0] <= i < rng[0] + rng[1]))
    return n


def first_diff(a, b, start=0, end=None):
    """Offset of the first byte where a and b differ in [start, end), or None."""
    end = len(a) if end is None else end
    step = 1 << 16
    for o in range(start, end, step):
        e = min(o + step, end)
        if a[o:e] != b[o:e]:
            for k in range(o, e):
                if a[k] != b[k]:
                    return k
    return None


# --------------------------------------------------------------- runner ---

class Fuzz:
    def __init__(self, pmdzero, devices, seed):
        self.pmdzero = pmdzero
        self.devices = devices
        self.seed = seed
        self.env = {k: v for k, v in os.environ.items() if k != "POSIXLY_CORRECT"}
        self.env["LC_ALL"] = "C"
        self.tried = self.succeeded = self.refused = self.checked = self.corrupt = 0
        self.failures = 0
        self.kinds = {}                 # expected outcome -> invocations
        self.run_s = self.check_s = 0.0
        self.slowest = (0.0, None)

    def run(self, argv):
        t0 = time.monotonic()
        try:
            p = subprocess.run([self.pmdzero] + argv, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=self.env, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            return None, e.stdout or b"", e.stderr or b"", time.monotonic() - t0
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t0

    def repro(self, argv):
        return "\"$PMDZERO\" " + " ".join(shlex.quote(os.fsdecode(a)) for a in argv)

    def fail(self, label, argv, exp, rc, out, err, problems):
        self.failures += 1
        print("FAIL %s: %s" % (label, "; ".join(problems)))
        print("  expected: %s (exit %s)" % (exp.why, exp.rc))
        print("  got: exit %s" % rc)
        print("  reproduce: PMDZERO=%s %s" % (shlex.quote(self.pmdzero), self.repro(argv)))
        for name, data in (("stdout", out), ("stderr", err)):
            if data:
                text = data[:600].decode(errors="backslashreplace")
                print("  %s: %s" % (name, text.rstrip("\n").replace("\n", "\n  | ")))
        if exp.err is not None and exp.err != err:
            print("  expected stderr: %s" % exp.err.decode(errors="backslashreplace").rstrip("\n"))
        sys.stdout.flush()

    def check_devices(self, exp, problems):
        """Compares every device with its model (the expected range zero)."""
        for d in self.devices:
            cur = d.read()
            self.checked += d.size
            z = exp.zero if exp.zero and exp.zero[0] is d else None
            if z:
                _, off, length = z
                want = d.model[:off] + bytes(length) + d.model[off + length:]
            else:
                want = d.model
            if cur == want:
                if z:
                    # The rest was compared just now: reading back the
                    # range is enough.
                    d.write_model(z[1], z[2])
                    if d.read(z[1], z[2]) != d.model[z[1]:z[1] + z[2]]:
                        problems.append("%s: writing the pattern back failed" % d.path.decode())
                        self.restore(d)
                continue
            bad = sum(1 for o in range(0, d.size, 4096) if cur[o:o + 4096] != want[o:o + 4096])
            k = first_diff(cur, want)
            where = "inside" if z and z[1] <= k < z[1] + z[2] else "outside"
            self.corrupt += corrupt_bytes(cur, d.model, z[1:] if z else None)
            problems.append("%s: byte %d %s the range is %#04x, expected %#04x (%d differing 4 KiB blocks)"
                            % (d.path.decode(), k, where, cur[k], want[k], bad))
            self.restore(d)

    def restore(self, d):
        d.write_model(0, d.size)
        if d.read() != d.model:
            raise SetupError("cannot restore the pattern on %s" % d.path.decode())

    def one(self, label, argv, model):
        exp = model.expect(argv)
        rc, out, err, secs = self.run(argv)
        t0 = time.monotonic()
        self.tried += 1
        self.kinds[exp.kind] = self.kinds.get(exp.kind, 0) + 1
        self.run_s += secs
        self.slowest = max(self.slowest, (secs, self.repro(argv)))
        problems = []
        if rc is None:
            problems.append("no exit after %d s" % TIMEOUT)
        elif rc < 0:
            problems.append("killed by signal %d" % -rc)
        if re.search(rb"Sanitizer|runtime error:|==\d+==", err):
            problems.append("sanitizer report on stderr")
        if rc is not None:
            if rc == 0:
                self.succeeded += 1
            else:
                self.refused += 1
        allowed = exp.rc if isinstance(exp.rc, tuple) else (exp.rc,)
        if rc is not None and rc >= 0 and rc not in allowed:
            problems.append("exit %d, expected %s" % (rc, " or ".join(map(str, allowed))))
        if exp.err is not None:
            if err != exp.err:
                problems.append("stderr is not the expected %s" %
                                ("two lines" if exp.kind == "usage" else "line"))
        elif exp.kind == "zero":
            lines = err.split(b"\n")
            if exp.quiet and err:
                problems.append("--quiet, yet stderr is not empty")
            elif err and (lines[-1] or any(not l.startswith(b"pmdzero: ") for l in lines[:-1])):
                problems.append("stderr holds more than 'pmdzero: ' notes")
        elif exp.kind == "refused":
            if not re.fullmatch(rb"pmdzero: [^\n]*\n", err):
                problems.append("stderr is not one 'pmdzero: ' line")
        if exp.kind in ("usage", "refused") and out:
            problems.append("output on stdout")
        if exp.kind == "help" and (not out.startswith(b"Usage:\n") or err):
            problems.append("--help: no usage on stdout, or a message on stderr")
        if exp.kind == "version" and (not re.fullmatch(rb"pmdzero \d+\.\d+\.\d+\n", out) or err):
            problems.append("--version: not one version line")
        if exp.stdout is not None and out != exp.stdout:
            problems.append("stdout is %r, expected %r" % (out[:200], exp.stdout))
        if exp.kind in ("zero", "verify", "ok", "child") and rc == exp.rc and exp.stdout is None:
            self.check_report(exp, out, problems)
        self.check_devices(exp, problems)
        self.check_s += time.monotonic() - t0
        if problems:
            self.fail(label, argv, exp, rc, out, err, problems)
        return exp

    @staticmethod
    def check_report(exp, out, problems):
        if not out:
            problems.append("no report on stdout")
            return
        if not exp.json:
            return
        try:
            row = json.loads(out)[exp.cmd][0]
        except (ValueError, KeyError, IndexError, TypeError) as e:
            problems.append("stdout is not %s JSON: %s" % (exp.cmd, e))
            return
        for k, v in exp.report.items():
            if row.get(k) != v:
                problems.append("--json %s is %r, expected %r" % (k, row.get(k), v))


# ------------------------------------------------------------ generator ---

class Gen:
    """Builds one invocation from a random source (one per case)."""

    def __init__(self, r, devices, engines):
        self.r = r
        self.devices = devices
        self.engines = engines

    def pick(self, seq):
        return self.r.choice(seq)

    def spell(self, v):
        """A valid spelling of the number v."""
        r = self.r
        forms = [str(v), "%#x" % v, "0X%X" % v, "0" * r.randint(1, 30) + str(v)]
        for e, unit in enumerate("KMGTPE", 1):
            if v and v % 1024 ** e == 0:
                n = v // 1024 ** e
                forms += ["%d%s" % (n, unit), "%d%siB" % (n, unit), "%d%s" % (n, unit.lower()),
                          "%#x%siB" % (n, unit)]
            if v and v % 1000 ** e == 0:
                n = v // 1000 ** e
                forms += ["%d%sB" % (n, unit), "%d%sB" % (n, unit.lower())]
        return self.pick(forms)

    def mutate(self, s):
        r = self.r
        alphabet = "0123456789xXkKmMgGtTpPeEzZyYiIbB .-+_,\t\n=é٣\x1b"
        s = list(s)
        for _ in range(r.randint(1, 3)):
            op = r.randrange(3)
            k = r.randint(0, len(s))
            if op == 0 or not s:
                s.insert(k, self.pick(alphabet))
            elif op == 1:
                del s[min(k, len(s) - 1)]
            else:
                s[min(k, len(s) - 1)] = self.pick(alphabet)
        return "".join(s)

    def number(self, d, valid):
        """A size string: valid is a value to spell, or None for any."""
        r, x = self.r, self.r.random()
        if valid is not None and x < 0.82:
            return self.spell(valid)
        if x < 0.85:
            s = self.pick(BOUNDARY_SIZES)
            return s.format(**{"size-512": d.size - 512, "size": d.size, "size+512": d.size + 512,
                               "size-lbs": d.size - d.lbs, "size+lbs": d.size + d.lbs})
        if x < 0.92:
            return self.pick(JUNK_SIZES)
        if x < 0.96:
            return self.mutate(self.spell(r.randrange(0, d.size, d.lbs)))
        if x < 0.98:
            return "".join(self.pick("0123456789") for _ in range(r.randint(20, 400)))
        return "0" * r.randint(20, 400) + self.spell(d.lbs)

    def dev_for(self):
        r = self.r.random()
        if r < 0.8:
            return self.devices[0]
        return self.devices[-1]

    def operand(self, d):
        x = self.r.random()
        if x < 0.97:
            return d.path.decode()
        return self.pick(["", "/nonexistent/pmdzero-fuzz", "regular-file", ".", "/dev/null",
                          "/dev/zero", d.path.decode() + "\n", d.path.decode() + "/",
                          d.path.decode() + "x", "-"])

    def opt(self, short, long, val=None):
        """One option in a random spelling: a list of argv words."""
        r, x = self.r, self.r.random()
        if long and (not short or x < 0.5):
            y = r.random()
            name = long if y < 0.92 else long[:r.randint(1, len(long))]
            if val is None:
                return ["--" + name]
            return ["--%s=%s" % (name, val)] if r.random() < 0.4 else ["--" + name, val]
        if val is None:
            return ["-" + short]
        return ["-" + short + val] if val and r.random() < 0.3 else ["-" + short, val]

    def assemble(self, cmd, words, operands, tail=None):
        """Shuffles option groups, places the operands, adds the tail."""
        r = self.r
        groups = list(words)
        r.shuffle(groups)
        if len(groups) > 1 and r.random() < 0.05:
            # Cluster two short flags: "-f" "-J" -> "-fJ".
            a, b = groups[0], groups[1]
            if len(a) == 1 and len(b) <= 2 and re.fullmatch(r"-[a-zA-Z]", a[0]) and \
               re.fullmatch(r"-[a-zA-Z].*", b[0]):
                groups[0:2] = [[a[0] + b[0][1:]] + b[1:]]
        argv = []
        for g in groups:
            argv += g
        if r.random() < 0.1:
            argv += ["--"] + operands
        else:
            for o in operands:
                argv.insert(r.randint(0, len(argv)), o)
        if r.random() < 0.04:
            # An option that takes an argument, last and without it.
            argv.append(self.pick({"zero": ["-o", "-l", "-e", "-q", "-b", "--guard", "--offset",
                                            "--length", "--engine", "--block-size", "--queue-depth"],
                                   "verify": ["-o", "-l", "--offset", "--len"],
                                   "size": ["-n", "--count", "--pages"],
                                   "trace": ["--output"], "probe": ["--json"]}[cmd]))
        return [cmd] + argv + (tail or [])

    def common_junk(self, words):
        r = self.r
        if r.random() < 0.08:
            words.append([self.pick(JUNK_OPTIONS)])
        if r.random() < 0.01:
            words.append([self.pick(["-h", "--help", "-V", "--version", "--he", "--vers"])])

    def zero(self):
        r = self.r
        d = self.dev_for()
        words = []
        blocks = d.size // d.lbs
        off_v = self.pick([0, 0, d.size - d.lbs, r.randrange(blocks) * d.lbs,
                           r.randrange(blocks) * d.lbs, r.randrange(min(blocks, 64)) * d.lbs])
        room = (d.size - off_v) // d.lbs
        len_v = self.pick([d.lbs, (d.size - off_v), r.randint(1, room) * d.lbs,
                           r.randint(1, min(room, 128)) * d.lbs, r.randint(1, room) * d.lbs])
        if off_v == 0 and r.random() < 0.1:
            len_v = d.size                              # the whole device
        if r.random() < 0.8:
            words.append(self.opt("o", "offset", self.number(d, off_v)))
        if r.random() < 0.8:
            words.append(self.opt("l", "length", self.number(d, len_v)))
        if r.random() < 0.5:
            e = self.pick(self.engines) if r.random() < 0.85 else self.pick(JUNK_ENGINES)
            words.append(self.opt("e", "engine", e))
        if r.random() < 0.98:
            words.append(self.opt(None, "no-trace"))
        if r.random() < 0.7:
            words.append(self.opt(None, "quiet"))
        if r.random() < 0.6:
            words.append(self.opt("J", "json"))
        if r.random() < 0.15:
            words.append(self.opt(None, "verify"))
        if r.random() < 0.08:
            g = self.pick(["1M", "512", "4K", "100", "511", "1G", "1025M", "2G", "64M", "1",
                           "0", str(d.size)]) if r.random() < 0.7 else self.number(d, d.lbs)
            words.append(self.opt(None, "guard", g))
        if r.random() < 0.1:
            words.append(self.opt("f", "force"))
        if r.random() < 0.1:
            words.append(self.opt(None, "vectored"))
        if r.random() < 0.1:
            words.append(self.opt("q", "queue-depth", self.pick(JUNK_COUNTS)
                                  if r.random() < 0.5 else str(r.randint(1, 64))))
        if r.random() < 0.15:
            bs = self.pick([512, 4096, MiB, 2 * MiB, GiB, GiB + 512, 2 * GiB, 3 * 512])
            words.append(self.opt("b", "block-size", self.number(d, bs) if r.random() < 0.3
                                  else self.spell(bs)))
        if r.random() < 0.1 and words:
            # The same option again, with another value: the last one counts.
            w = self.pick(words)
            if len(w) == 2 or "=" in w[0]:
                words.append(self.opt("o", "offset", self.number(d, None)) if r.random() < 0.5
                             else self.opt("l", "length", self.number(d, None)))
            else:
                words.append(list(w))
        self.common_junk(words)
        operands = [self.operand(d)]
        x = r.random()
        if x < 0.015:
            operands = []
        elif x < 0.03:
            operands.append(self.pick([d.path.decode(), "extra", "512"]))
        return self.assemble("zero", words, operands)

    def verify(self):
        r = self.r
        d = self.dev_for()
        words = []
        off_v = r.randrange(d.size // d.lbs) * d.lbs
        if r.random() < 0.7:
            words.append(self.opt("o", "offset", self.number(d, off_v)))
        if r.random() < 0.7:
            words.append(self.opt("l", "length", self.number(d, d.lbs * r.randint(1, 64))))
        if r.random() < 0.5:
            words.append(self.opt("J", "json"))
        self.common_junk(words)
        return self.assemble("verify", words, [self.operand(d)])

    def probe(self):
        r = self.r
        d = self.dev_for()
        words = []
        if r.random() < 0.5:
            words.append(self.opt("J", "json"))
        if r.random() < 0.5:
            words.append(self.opt(None, "no-signatures"))
        self.common_junk(words)
        return self.assemble("probe", words, [self.operand(d)])

    def size(self):
        r = self.r
        d = self.devices[0]
        words = []
        if r.random() < 0.4:
            words.append(self.opt("n", "count", self.pick(JUNK_COUNTS) if r.random() < 0.5
                                  else str(r.randint(0, 1 << r.randint(1, 64)))))
        if r.random() < 0.3:
            words.append(self.opt(None, "pages", self.number(d, self.pick([4096, 2 * MiB, 512]))))
        self.common_junk(words)
        v = self.number(d, r.randrange(0, 1 << r.randint(1, 64)))
        operands = [v] if not v.startswith("-") or r.random() < 0.5 else []
        tail = ["--", v] if not operands else None
        return self.assemble("size", words, operands, tail)

    def trace(self):
        r = self.r
        d = self.dev_for()
        words = []
        if r.random() < 0.3:
            words.append(self.opt("J", "json"))
        if r.random() < 0.3:
            words.append(self.opt(None, "no-bytes"))
        if r.random() < 0.2:
            words.append(self.opt(None, "writes"))
        if r.random() < 0.3:
            words.append(self.opt(None, "output", self.pick(["trace.out", "", ".", "no/such/dir/x"])))
        # Most of them refused before tracing starts: a traced run costs
        # a few tenths of a second.
        if r.random() < 0.5:
            words.append([self.pick(JUNK_OPTIONS)])
        child = self.pick([["true"], ["false"], ["sh", "-c", "exit 3"], ["no-such-command-pmdzero"],
                           ["/nonexistent/cmd"], [""], []])
        tail = ["--"] + child if r.random() < 0.95 else []
        return self.assemble("trace", words, [self.operand(d)], tail)

    def bare(self):
        return self.pick([[], ["--help"], ["-h"], ["-V"], ["--version"], ["--bogus"], ["-"], ["--"],
                          ["-x", "zero"], ["frobnicate"], ["ZERO"], [""], ["zero"], ["--he"],
                          ["-hV"], ["--help=1"], ["zero\n"], ["-", "--help"], ["size"],
                          ["--", "zero"], ["--version", "zero", "--bogus"], ["-V5"]])

    def one(self, can_trace):
        x = self.r.random()
        if x < 0.70:
            argv = self.zero()
        elif x < 0.78:
            argv = self.verify()
        elif x < 0.83:
            argv = self.probe()
        elif x < 0.95:
            argv = self.size()
        elif x < (0.97 if can_trace else 0.98):
            argv = self.trace()
        else:
            argv = self.bare()
        return [os.fsencode(a) for a in argv]


def regressions(devices):
    """Fixed cases: bugs the fuzz found (fixed since), then the boundary
    values of the issue on every device."""
    d = devices[0].path.decode()
    cases = [
        # A long option given an argument it does not take was reported as
        # "invalid option -- '\x08'" (OPT_VERIFY as a char) or '-- 'J''.
        ["zero", "--verify=yes", d], ["zero", "--quiet=1", d], ["zero", "--json=1", d],
        ["zero", "--no-trace=", d], ["probe", "--no-signatures=0", d], ["trace", "--writes=1", d],
        # An ambiguous prefix was reported as unrecognized.
        ["zero", "--ver", d], ["zero", "--q", "1", d], ["zero", "--v", d],
        # Control characters in an echoed argument made the message two lines.
        ["zero", "-l", "1\n2", d], ["zero", "-e", "uring\n", d], ["zero", "-\n", d],
        ["zero", d + "\n"], ["size", "4K\r\n"], ["zero\n"], ["zero", "--bogus\n", d],
        # A count is a plain number: " -1" was 18446744073709551615.
        ["size", "-n", " -1", "1"], ["size", "-n", "+3", "1"], ["size", "-n", " 3", "1"],
        ["zero", "-q", " 4", "-e", "aio", "-l", "4K", "--no-trace", "--quiet", d],
        ["zero", "-q", "+4", "-e", "aio", "-l", "4K", "--no-trace", "--quiet", d],
        # An empty path was "pmdzero: : empty device path".
        ["zero", ""], ["trace", "--output", "", d, "--", "true"],
        # getopt_long() corners: clusters, attached and empty arguments,
        # "--", permutation, options that end the parsing early.
        ["zero", "-"], ["zero", "--", "-o", d], ["zero", "-fJ", "--no-trace", "-l4K", d],
        ["zero", "-Jfeioctl", "--no-trace", "-l", "4K", d], ["zero", "--offset=", d],
        ["zero", "--=x", d], ["zero", "---", d], ["zero", "--é", d], ["zero", "-é", d],
        ["zero", "-e", "auto", "--vectored", d], ["zero", "-l", "4K", "-l", "0", d],
        ["zero", d, "-e", ""], ["zero", "-h", "extra", "--bogus"], ["zero", "--bogus", "-h"],
        ["zero", "--guard", "1073742336", d], ["zero", "--guard", "100", d],
        ["zero", "-b", "1073742336", "-l", "4K", d], ["zero", "-b", "1536", "-l", "4K", d],
        ["size", "--", "-5"], ["size", "1E", "-n", "16"], ["size", "-n", "99999999999999999999", "0"],
        ["size", "--pages", "0", "1"], ["size", "--pages", "3", "-n", "0", "1E"], ["size", "-5"],
        ["trace", d, "--"], ["trace", d], ["trace", "--", d, "true"], ["verify", "-l", "0", d],
        ["probe", "--no", d], ["-", "--help"], ["-V5"], ["-x", "zero"], ["--", "zero"],
    ]
    for dev in devices:
        p, s, lbs = dev.path.decode(), dev.size, dev.lbs
        common = ["--no-trace", "--quiet", "--json", p]
        for v in ["0", "1", "511", "512", str(s - 512), str(s), str(s + 512), str(2 ** 63 - 1),
                  str(2 ** 64), str(2 ** 64 + 1), str(s - lbs), "-512", "+512", " 512", "512 ",
                  "", "1.5M", "0x200", "1e3", "9" * 40, "0" * 300 + str(lbs)]:
            cases.append(["zero", "-o", v, "-l", str(lbs)] + common)
            cases.append(["zero", "-l", v] + common)
        cases += [["zero", "-o", str(s - lbs), "-l", str(lbs)] + common,   # the last block
                  ["zero", "-l", str(s)] + common, ["zero"] + common,      # the whole device
                  ["zero", "--verify", "-o", str(s - lbs)] + common,
                  ["zero", "--verify", "--guard", str(s), "-o", str(lbs), "-l", str(lbs)] + common]
    return [[os.fsencode(a) for a in c] for c in cases]


# ---------------------------------------------------------------- setup ---

def load_cmds(pmdzero):
    """CMDS from pmdzero's own option tables (--dump-options)."""
    out = subprocess.run([pmdzero, "--dump-options"], capture_output=True)
    try:
        table = json.loads(out.stdout)["commands"]
    except (ValueError, KeyError) as e:
        raise SetupError("pmdzero --dump-options: %s (exit %d)" % (e, out.returncode))
    for c in table:
        if c["name"] in NOT_FUZZED:
            continue
        shorts = sorted((o for o in c["options"] if o["short"]),
                        key=lambda o: (o["short"].lower(), o["short"].isupper()))
        shortopts = ":" + "".join(o["short"] + (":" if o["arg"] else "") for o in shorts)
        longopts = {o["long"]: (1 if o["arg"] else 0, o["short"] or o["long"])
                    for o in sorted(c["options"], key=lambda o: o["long"].encode())}
        CMDS[c["name"]] = (shortopts, longopts, c["operand"], c["takes_command"])


def self_check():
    """The model knows every command and option the tables declare."""
    if not CMDS:
        raise SetupError("--dump-options declared no command to fuzz")
    for cmd, (_, longopts, operand, _) in CMDS.items():
        if not operand:
            raise SetupError("%s takes no operand: add it to NOT_FUZZED or to the model in %s" %
                             (cmd, __file__))
        for name, (has_arg, key) in longopts.items():
            if key not in (VALUE_KEYS if has_arg else FLAG_KEYS):
                raise SetupError("%s --%s (key %s) is not in the model: add it to %s" %
                                 (cmd, name, key, __file__))


def engines(pmdzero):
    """The engine names and those of class "write", from the library's
    table (pmdzero engines --json): the model keeps no list of its own."""
    out = subprocess.run([pmdzero, "engines", "--json"], capture_output=True,
                         env=dict(os.environ, LC_ALL="C"))
    try:
        table = json.loads(out.stdout)["engines"]
    except (ValueError, KeyError) as e:
        raise SetupError("pmdzero engines --json: %s (exit %d)" % (e, out.returncode))
    return [e["name"] for e in table], [e["name"] for e in table if e["class"] == "write"]


def main():
    pmdzero = os.environ.get("PMDZERO")
    if not pmdzero or len(sys.argv) < 2:
        print("usage: PMDZERO=... %s DEV [DEV...]" % sys.argv[0], file=sys.stderr)
        return 2
    seed = int(os.environ.get("PMDZERO_FUZZ_SEED", "14"))
    count = int(os.environ.get("PMDZERO_FUZZ_COUNT", "1000"))
    only = os.environ.get("PMDZERO_FUZZ_CASE")
    t0 = time.monotonic()
    try:
        load_cmds(pmdzero)
        self_check()
        devices = [Device(p) for p in sys.argv[1:]]
        names, write_names = engines(pmdzero)
        with open("regular-file", "wb") as f:
            f.write(b"x" * 4096)
        fz = Fuzz(pmdzero, devices, seed)
        # Which engines work here, once: a refusal then has its message.
        refusal = {}
        for e in names:
            argv = [b"zero", b"-e", e.encode(), b"-l", b"%d" % devices[0].lbs, b"--no-trace",
                    b"--quiet", devices[0].path]
            rc, _, err, _ = fz.run(argv)
            if rc != 0:
                refusal[e] = rc
                print("# engine %s unsupported here (exit %s): %s" % (e, rc, err.decode().strip()))
            fz.restore(devices[0])
        rc, _, _, _ = fz.run([b"trace", b"--no-bytes", devices[0].path, b"--", b"true"])
        can_trace = rc == 0
        model = Model(devices, names, write_names, refusal, can_trace)
    except (SetupError, OSError) as e:
        print("fuzz set-up: %s" % e)
        return 2
    print("# fuzz: seed %d, %d generated invocations (PMDZERO_FUZZ_SEED, PMDZERO_FUZZ_COUNT), "
          "devices %s, engines %s, tracing %s" %
          (seed, count, " ".join("%s (%d bytes, %d-byte blocks)" % (d.path.decode(), d.size, d.lbs)
                                 for d in devices), ", ".join(names),
           "works" if can_trace else "unavailable"))
    sys.stdout.flush()
    try:
        if only is None:
            for k, argv in enumerate(regressions(devices)):
                fz.one("regression case %d" % k, argv, model)
            todo = range(count)
        else:
            todo = [int(only)]
        for i in todo:
            if fz.failures >= MAX_FAILURES:
                print("# stopping after %d failures" % fz.failures)
                break
            r = random.Random("%d/%d" % (seed, i))
            gen = Gen(r, devices, names)
            while True:
                argv = gen.one(can_trace)
                try:
                    model.expect(argv)
                    break
                except SetupError:
                    continue        # a command on a device not ours: draw again
            fz.one("case %d (PMDZERO_FUZZ_SEED=%d PMDZERO_FUZZ_CASE=%d)" % (i, seed, i), argv, model)
    except SetupError as e:
        print("fuzz: %s" % e)
        return 2
    print("# fuzz: expected outcomes: %s; %.1f s in pmdzero (slowest %.2f s: %s), %.1f s checking" %
          (", ".join("%s %d" % kv for kv in sorted(fz.kinds.items())), fz.run_s, fz.slowest[0],
           fz.slowest[1], fz.check_s))
    print("# fuzz: %d invocations (%d succeeded, %d refused), %d bytes checked, %d corrupt, seed %d"
          " (%.0f s)" % (fz.tried, fz.succeeded, fz.refused, fz.checked, fz.corrupt, seed,
                         time.monotonic() - t0))
    return 1 if fz.failures else 0


if __name__ == "__main__":
    sys.exit(main())
