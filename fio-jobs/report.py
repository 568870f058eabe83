#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The stock-versus-patched report of the guest benchmark (fio-jobs/bench.sh).

    report.py [--allow-partial] RAW_DIR OUT_DIR

Reads RAW_DIR/all.data (JSON lines), RAW_DIR/boots.json and RAW_DIR/host
("key: value" lines) and writes OUT_DIR/summary.md, OUT_DIR/summary.json,
OUT_DIR/cost.{svg,png}, OUT_DIR/wall.{svg,png} and OUT_DIR/latency.{svg,png}
(with the gnuplot data and scripts that draw them: NAME.dat, NAME.gp; gnuplot
runs them from OUT_DIR).  Prints summary.md on stdout at the end.
Python 3 standard library and gnuplot only; without gnuplot the figures
are left out, with a message, and the rest is written.  The steps are in
benchreport/ (load, analyse, render, plot); the boot counts and limits
they judge by in fio-jobs/policy.

Boots of mode "host" are runs of fio-jobs/bench-host.sh on running kernels,
one per kernel (--compare): they carry cost (method perf) and wall records
both, one run of each kernel is enough, and the wall range is over the
runs of the one pair.

Inconsistent data (a row measured on one kernel only, a cost row with
fewer than cost_boots boots of a kernel, a wall row with fewer than
wall_boots (fio-jobs/policy), a wall boot
pair that is not one stock and one patched boot, a record from a boot
boots.json does not list, ...) exits 1 with one line per problem on
stderr and writes nothing.  --allow-partial (development) reports what it
can, lists the problems in summary.md under "Missing or inconsistent data"
and in summary.json under "problems", and exits 0.

Input: one JSON object per line in all.data, "kernel" stock|patched and
"boot" naming a boot of boots.json:
  cost     ROW zeroing bytes ns method   (guest ns under
           -icount shift=0,sleep=off: the guest instruction count)
  counts   ROW zeroing bytes bios requests splits merges bio_bytes
  wall     ROW zeroing bytes runs:[{wall_ns, cpu_ns}, ...]
  (zeroing: "kernel" when the kernel zeroes the range, "write" for zeroes
  written from a user buffer; rows carry it into summary.json)
  kill     ROW latency_s:[seconds, ...]
  latency  ROW zeroing bytes ios clat_ns:{p50, p99, p99_9}   (fio's
           completion latency of each call, fio-jobs/zero-kernel.fio)
  ROW, what the guest side says of the row (fio-jobs/scenarios/lib.sh,
  row_fields): scenario, headline (true for the scenario the verdict and
  the cost figure lead with), device, device_label (shown), device_kind
  (null_blk or qemu); the records of a row must agree on them.
  meminfo  mem_total_kib mem_available_kib
boots.json: [{boot, kernel, mode: cost|wall, order, seconds,
loadavg_before: [1, 5, 15 min], loadavg_after}, ...].  cost records must
come from cost boots and wall records from wall boots.  Wall boots are
paired in run order ("order"): 1st with 2nd, 3rd with 4th, ...

summary.json (key names are stable; the cover letter reads verdict, cost,
counts, wall and kill):
  verdict   [5 strings], the lines that open summary.md
  cost      [{device, device_label, device_kind, scenario, headline, method, bytes,
              stock: {boots: {boot: instr_per_gib}, mean, agreement_pct,
                      agrees},
              patched: {same}, ratio, deterministic}]
            instr_per_gib and mean in guest instructions per GiB (not
            millions); agreement_pct = (max - min) / mean * 100 over the
            kernel's boots; agrees = agreement_pct <= agreement_limit_pct
            (fio-jobs/policy); ratio = stock mean
            / patched mean; deterministic = both kernels agree.
  counts    [{device, device_label, device_kind, scenario, headline, bytes,
              stock: {boots: {boot: {bios, requests, splits, merges,
                                     bio_bytes}},
                      per_gib: {field: median over boots, per GiB},
                      per_gib_min: {...}, per_gib_max: {...},
                      differs: [fields whose boots disagree]},
              patched: {same}, deterministic}]
            per GiB = value * 2^30 / bytes, an integer when integral,
            else rounded to one decimal.
  wall      [{device, device_label, device_kind, scenario, headline, bytes,
              pairs: [{stock_boot, patched_boot, stock_wall_ns,
                       patched_wall_ns, ratio, stock_cpu_ns,
                       patched_cpu_ns, cpu_ratio}],
              ratio_median, ratio_min, ratio_max,
              cpu_ratio_median, cpu_ratio_min, cpu_ratio_max,
              stock_mib_s, stock_mib_s_min, stock_mib_s_max,
              patched_mib_s, patched_mib_s_min, patched_mib_s_max,
              clear,
              stock: {boots: {boot: {runs, wall_ns, cpu_ns, mib_s}}},
              patched: {same}}]
            wall_ns, cpu_ns: median of the boot's runs; ratio = stock
            wall / patched wall of one pair (> 1: patched faster);
            *_mib_s: median (min, max) over the kernel's boots of
            bytes / 2^20 / wall seconds; clear = false when the ratio
            range includes 1.0 ("no clear difference").
  kill      [{device, device_label, device_kind, scenario, headline,
              stock: {boots: [boot, ...], tries, median_s, max_s},
              patched: {same}}]
  latency   [{device, device_label, device_kind, scenario, headline, zeroing,
              bytes, stock: {boots: [boot, ...], ios, p50, p99, p99_9},
              patched: {same}, ratio: {p50, p99, p99_9}}]
            (ns, medians over the kernel's boots; ratio stock/patched)
  meminfo   {stock: {boots: {boot: {mem_total_kib, mem_available_kib}},
                     mem_total_kib, mem_available_kib},   (medians)
             patched: {same},
             difference_kib: {mem_total_kib, mem_available_kib}}
             (patched - stock; {} when there is no meminfo record)
  boots     boots.json, sorted by order
  host      RAW_DIR/host as a dict
  problems  [strings]: empty unless --allow-partial let some through
  figures   {cost: bool, wall: bool, latency: bool}: whether each figure was drawn
"""
import json
import os
import sys

from benchreport.analyse import (analyse_cost, analyse_counts, analyse_kill, analyse_latency,
                                 analyse_meminfo, analyse_wall, same_operation, verdict)
from benchreport.common import POLICY, Problems, host_runs
from benchreport.load import read_input
from benchreport.plot import figure_cost, figure_latency, figure_wall
from benchreport.render import markdown


def main(argv):
    args = [a for a in argv if a != "--allow-partial"]
    partial = len(args) != len(argv)
    if len(args) != 2 or args[0].startswith("-"):
        print("usage: report.py [--allow-partial] RAW_DIR OUT_DIR", file=sys.stderr)
        return 2
    raw, outdir = args
    problems = Problems()
    records, boots, host = read_input(raw, problems)
    cost = analyse_cost(records, boots, problems)
    counts = analyse_counts(records, boots, problems)
    wall = analyse_wall(records, boots, problems)
    kill = analyse_kill(records, boots, problems)
    latency = analyse_latency(records, boots, problems)
    mem = analyse_meminfo(records, boots)
    if problems and not partial:
        for p in problems:
            print(f"report: {p}", file=sys.stderr)
        print(f"report: {len(problems)} problem(s) in {raw}: no report written"
              " (--allow-partial reports what is there)", file=sys.stderr)
        return 1
    host_run = host_runs(boots)
    summary = {"verdict": verdict(cost, counts, wall, kill, host_run), "cost": cost,
               "same_operation": same_operation(cost), "counts": counts,
               "wall": wall, "kill": kill, "latency": latency, "meminfo": mem, "boots": boots, "host": host,
               "problems": list(problems), "figures": {},
               # Two runs on running kernels (fio-jobs/bench-host.sh
               # --compare), not guest boots.
               "host_runs": host_run,
               # The policy (fio-jobs/policy) the verdict and the flags
               # above were judged by.
               "thresholds": {"agreement_limit_pct": POLICY["agreement_limit_pct"],
                              "same_operation_limit_pct": POLICY["same_operation_limit_pct"],
                              "cost_boots_min": POLICY["cost_boots"],
                              "wall_boots_min": POLICY["wall_boots"]}}
    os.makedirs(outdir, exist_ok=True)
    summary["figures"] = {"cost": figure_cost(cost, outdir), "wall": figure_wall(wall, outdir),
                          "latency": figure_latency(latency, outdir)}
    text = markdown(summary)
    with open(os.path.join(outdir, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(outdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    sys.stdout.write(text)
    for p in problems:
        print(f"report: (partial) {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
