#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Upstream's suites side by side (tests/image/external.sh).

    external-report.py OUTDIR KERNEL...

Reads OUTDIR/KERNEL/blktests.log (blktests' ./check output: one
"TEST [(desc)] [=> dev] ... [passed|failed|not run]" line per test) and
OUTDIR/KERNEL/fstests-BS.log (fstests' ./check output: a line per test,
and its closing "Ran:", "Not run:" and "Failures:" lines), for each
KERNEL (stock, on, off), and writes OUTDIR/summary.md and
OUTDIR/summary.json: each suite's totals per kernel, every test whose
result differs between kernels, and the
regressions: passed on stock, failed on a patched kernel.  Exit 1 when
there is one, when a kernel's suite left no result at all, or when one
was cut off at its time bound (its .status file says 124 or 137: the
tests after that point did not run).
"""
import glob
import json
import os
import re
import sys

BLK_LINE = re.compile(r"^(\S+/\d+)\b(.*?)\s*\[(passed|failed|not run)\]\s*$")
BLK_DEV = re.compile(r"=> (\S+)")


def blktests(path):
    """{test: status} from blktests' output; a test run on a device is
    named TEST=>DEV, a variant keeps its condition ("(tr=loop)")."""
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = BLK_LINE.match(line.rstrip("\n"))
            if not m:
                continue
            name, rest, status = m.groups()
            # A condition (nvme's "tr=loop bd=device") names a variant.
            tr = re.search(r"\(([a-z_]+=[^)]*)\)", rest)
            dev = BLK_DEV.search(rest)
            if tr:
                name += f" ({tr.group(1)})"
            if dev:
                name += f"=>{dev.group(1)}"
            out[name] = status
    return out


FST_LINE = re.compile(r"^([a-z0-9]+/\d+)\s+(\S.*?)\s*$")
FST_PASSED = re.compile(r"^\d+s(\s+\.\.\.\s+\d+s)?$")


def fstests(path):
    """{test: status} from fstests' output: its per-test lines, so that a
    run stopped before its end still counts what it finished, then its
    closing "Ran:", "Not run:" and "Failures:" lines, which prevail."""
    out, ran, notrun, failed = {}, [], set(), set()
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("Ran:"):
                ran += line.split()[1:]
            elif line.startswith("Not run:"):
                notrun |= set(line.split()[2:])
            elif line.startswith("Failures:"):
                failed |= set(line.split()[1:])
            else:
                m = FST_LINE.match(line.rstrip("\n"))
                if not m:
                    continue
                name, rest = m.groups()
                if rest.startswith("[not run]"):
                    out[name] = "not run"
                elif ("output mismatch" in rest or rest.startswith("[failed")
                      or rest.startswith("_check_")):
                    out[name] = "failed"
                elif FST_PASSED.match(rest):
                    out[name] = "passed"
    for t in ran + sorted(notrun | failed):
        out[t] = "failed" if t in failed else "not run" if t in notrun else "passed"
    return out


def cut_off(log):
    """True when the suite behind LOG was stopped at its time bound."""
    p = log[:-len(".log")] + ".status"
    if not os.path.exists(p):
        return False
    with open(p) as f:
        return f.read().strip() in ("124", "137")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir, kernels = argv[0], argv[1:]
    suites = {}   # suite -> kernel -> {test: status}
    problems = []
    for k in kernels:
        kdir = os.path.join(outdir, k)
        p = os.path.join(kdir, "blktests.log")
        logs = [("blktests", blktests, p)] if os.path.exists(p) else []
        for p in sorted(glob.glob(os.path.join(kdir, "fstests-*.log"))):
            bs = os.path.basename(p)[len("fstests-"):-len(".log")]
            logs.append((f"fstests xfs bs={bs}", fstests, p))
        for suite, parse, p in logs:
            suites.setdefault(suite, {})[k] = parse(p)
            if cut_off(p):
                problems.append(f"{suite}: cut off on {k} at its time bound; the tests after it did not run")
    if not suites:
        problems.append("no suite left a log")
    for suite, by_k in suites.items():
        for k in kernels:
            if not by_k.get(k):
                problems.append(f"{suite}: no result on {k}")
    summary = {"kernels": kernels, "suites": {}, "problems": problems}
    md = ["# Upstream's suites on the packaged kernels", ""]
    info = os.path.join(outdir, "suites.txt")
    if os.path.exists(info):
        md += ["```", open(info).read().rstrip(), "```", ""]
    regressions = []
    for suite, by_k in suites.items():
        tests = sorted(set().union(*[set(v) for v in by_k.values()]))
        totals = {k: {s: sum(1 for t in tests if by_k.get(k, {}).get(t) == s)
                      for s in ("passed", "failed", "not run")} for k in kernels}
        differ = [t for t in tests if len({by_k.get(k, {}).get(t, "missing") for k in kernels}) > 1]
        regress = [t for t in tests for k in kernels if k != "stock"
                   and by_k.get("stock", {}).get(t) == "passed" and by_k.get(k, {}).get(t) != "passed"
                   and by_k.get(k, {}).get(t) is not None]
        regressions += [f"{suite}: {t}" for t in regress]
        summary["suites"][suite] = {"totals": totals, "differ": {t: {k: by_k.get(k, {}).get(t, "missing")
                                                                     for k in kernels} for t in differ},
                                    "regressions": regress,
                                    "failed": {k: [t for t in tests if by_k.get(k, {}).get(t) == "failed"]
                                               for k in kernels},
                                    "results": by_k}
        md += [f"## {suite}", "", "| kernel | passed | failed | not run |", "|---|--:|--:|--:|"]
        md += [f"| {k} | {totals[k]['passed']} | {totals[k]['failed']} | {totals[k]['not run']} |" for k in kernels]
        md += [""]
        if differ:
            md += ["Results that differ between the kernels:", "",
                   "| test | " + " | ".join(kernels) + " |", "|---|" + "---|" * len(kernels)]
            md += [f"| {t} | " + " | ".join(by_k.get(k, {}).get(t, "missing") for k in kernels) + " |"
                   for t in differ]
        else:
            md += ["Every test has the same result on every kernel."]
        for k in kernels:
            failed = summary["suites"][suite]["failed"][k]
            if failed:
                md += ["", f"Failed on {k}: " + ", ".join(failed)]
        md += [""]
    summary["regressions"] = regressions
    md += ["## Verdict", ""]
    if problems:
        md += [f"- PROBLEM: {p}" for p in problems]
    md += ["- Regressions (passed on stock, not on a patched kernel): "
           + (", ".join(regressions) if regressions else "none")]
    with open(os.path.join(outdir, "summary.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(outdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    sys.stdout.write("\n".join(md) + "\n")
    return 1 if regressions or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
