#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The stock-versus-patched report of the guest benchmark (fio-jobs/bench.sh).

    report.py [--allow-partial] RAW_DIR OUT_DIR

Reads RAW_DIR/all.data (JSON lines), RAW_DIR/boots.json and RAW_DIR/host
("key: value" lines) and writes OUT_DIR/summary.md, OUT_DIR/summary.json,
OUT_DIR/cost.{svg,png} and OUT_DIR/wall.{svg,png} (with the gnuplot data
and scripts that draw them: cost.dat, cost.gp, wall.dat, wall.gp; gnuplot
runs them from OUT_DIR).  Prints summary.md on stdout at the end.
Python 3 standard library and gnuplot only; without gnuplot the figures
are left out, with a message, and the rest is written.

Inconsistent data (a row measured on one kernel only, a cost row with
fewer than 2 boots of a kernel, a wall row with fewer than 3, a wall boot
pair that is not one stock and one patched boot, a record from a boot
boots.json does not list, ...) exits 1 with one line per problem on
stderr and writes nothing.  --allow-partial (development) reports what it
can, lists the problems in summary.md under "Missing or inconsistent data"
and in summary.json under "problems", and exits 0.

Input: one JSON object per line in all.data, "kernel" stock|patched and
"boot" naming a boot of boots.json:
  cost     device scenario zeroing bytes ns method   (guest ns under
           -icount shift=0,sleep=off: the guest instruction count)
  counts   device scenario zeroing bytes bios requests splits merges bio_bytes
  wall     device scenario zeroing bytes runs:[{wall_ns, cpu_ns}, ...]
  (zeroing: "kernel" when the kernel zeroes the range, "write" for zeroes
  written from a user buffer; rows carry it into summary.json)
  kill     device scenario latency_s:[seconds, ...]
  meminfo  mem_total_kib mem_available_kib
boots.json: [{boot, kernel, mode: cost|wall, order, seconds,
loadavg_before: [1, 5, 15 min], loadavg_after}, ...].  cost records must
come from cost boots and wall records from wall boots.  Wall boots are
paired in run order ("order"): 1st with 2nd, 3rd with 4th, ...

summary.json (key names are stable; the cover letter reads verdict, cost,
counts, wall and kill):
  verdict   [5 strings], the lines that open summary.md
  cost      [{device, device_label, scenario, method, bytes,
              stock: {boots: {boot: instr_per_gib}, mean, agreement_pct,
                      agrees},
              patched: {same}, ratio, deterministic}]
            instr_per_gib and mean in guest instructions per GiB (not
            millions); agreement_pct = (max - min) / mean * 100 over the
            kernel's boots; agrees = agreement_pct <= 1; ratio = stock mean
            / patched mean; deterministic = both kernels agree.
  counts    [{device, device_label, scenario, bytes,
              stock: {boots: {boot: {bios, requests, splits, merges,
                                     bio_bytes}},
                      per_gib: {field: median over boots, per GiB},
                      per_gib_min: {...}, per_gib_max: {...},
                      differs: [fields whose boots disagree]},
              patched: {same}, deterministic}]
            per GiB = value * 2^30 / bytes, an integer when integral,
            else rounded to one decimal.
  wall      [{device, device_label, scenario, bytes,
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
  kill      [{device, device_label, scenario,
              stock: {boots: [boot, ...], tries, median_s, max_s},
              patched: {same}}]
  meminfo   {stock: {boots: {boot: {mem_total_kib, mem_available_kib}},
                     mem_total_kib, mem_available_kib},   (medians)
             patched: {same},
             difference_kib: {mem_total_kib, mem_available_kib}}
             (patched - stock; {} when there is no meminfo record)
  boots     boots.json, sorted by order
  host      RAW_DIR/host as a dict
  problems  [strings]: empty unless --allow-partial let some through
  figures   {cost: bool, wall: bool}: whether each figure was drawn
"""
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

GIB = 1 << 30
MIB = 1 << 20
KERNELS = ("stock", "patched")
# Who zeroes, as each cost, counts and wall record says ("zeroing"): the
# kernel (the path the series changes) or writes from a user buffer.
ZEROING = ("kernel", "write")
AGREEMENT_LIMIT_PCT = 1.0
COUNT_FIELDS = ("bios", "requests", "splits", "merges", "bio_bytes")
DEVICE_LABELS = {
    "nullb-default": "null_blk default",
    "nullb-max16384": "null_blk 1280K req",
    "nullb-max16384-8m": "null_blk 8M req",
    "nullb-virt-boundary": "null_blk virt_boundary",
    "nvme": "QEMU NVMe",
    "nvme-offload": "NVMe offload (control)",
    "virtio-blk": "virtio-blk",
}
METHODS = {
    "syscall": "time inside the tool around its BLKZEROOUT/fallocate calls only",
    "engine": "pmdzero's own timing around the zeroing operation",
    "process": "the whole command (mkfs, a fio run)",
    "fio": "fio's own bandwidth and its usr + sys CPU",
}
# The scenario that is the headline of the cost verdict and figure.
HEADLINE = "blkdiscard-z"


class Problems(list):
    def add(self, msg):
        if msg not in self:
            self.append(msg)


def label(device):
    return DEVICE_LABELS.get(device, device)


def is_nullb(device):
    return device.startswith("nullb")


def is_user_write(row):
    """Writes of a user buffer (the fio jobs, pmdzero's write engines), as
    the records say; everything else is zeroing done by the kernel."""
    return row.get("zeroing") == "write"


def per_gib(value, nbytes):
    v = value * GIB / nbytes
    return int(v) if float(v).is_integer() else round(v, 1)


def fnum(v, digits=1):
    if v is None:
        return "-"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.{digits}f}"


def fm(v):
    """Instructions per GiB in millions, three significant digits below 100."""
    if v is None:
        return "-"
    m = v / 1e6
    return f"{m:.2f}" if m < 10 else f"{m:.1f}"


def short_scenario(name):
    """A figure label short enough to sit under one bar pair."""
    name = name.replace("pmdzero-", "").replace("-vectored", " vec")
    if name.startswith("fio-"):
        # fio-uring-huge-fixed-8m: "fio huge-fixed 8m"
        body, _, bs = name[4:].rpartition("-")
        return f"fio {body.replace('uring-', '')} {bs}"
    return name.replace("blkdiscard-z", "blkdiscard -z")


def fx(r):
    if r is None:
        return "-"
    return f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def fs(v):
    return "-" if v is None else f"{v:.2f}"


def span(values, fmt):
    """'a' or 'a–b' over the values, formatted."""
    lo, hi = fmt(min(values)), fmt(max(values))
    return lo if lo == hi else f"{lo}–{hi}"


# ---------------------------------------------------------------- input

def read_input(raw, problems):
    host = {}
    hostfile = os.path.join(raw, "host")
    if os.path.exists(hostfile):
        with open(hostfile) as f:
            for line in f:
                k, sep, v = line.partition(":")
                if sep and k.strip():
                    host[k.strip()] = v.strip()
    else:
        problems.add(f"{hostfile} is missing")

    boots = []
    bootsfile = os.path.join(raw, "boots.json")
    try:
        with open(bootsfile) as f:
            boots = json.load(f)
        if not isinstance(boots, list):
            raise ValueError("not a list")
    except (OSError, ValueError) as e:
        problems.add(f"{bootsfile}: {e}")
        boots = []
    by_boot = {}
    for b in boots:
        name = b.get("boot")
        if name in by_boot:
            problems.add(f"boots.json lists boot {name} twice")
        if b.get("kernel") not in KERNELS:
            problems.add(f"boots.json: boot {name} has kernel {b.get('kernel')!r}")
        if b.get("mode") not in ("cost", "wall"):
            problems.add(f"boots.json: boot {name} has mode {b.get('mode')!r}")
        if not isinstance(b.get("order"), int):
            problems.add(f"boots.json: boot {name} has no integer order")
        by_boot[name] = b
    boots = sorted(by_boot.values(), key=lambda b: b.get("order") if isinstance(b.get("order"), int) else 1 << 30)

    records = []
    datafile = os.path.join(raw, "all.data")
    try:
        with open(datafile) as f:
            lines = f.readlines()
    except OSError as e:
        problems.add(f"{datafile}: {e}")
        lines = []
    seen = set()
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        where = f"all.data line {n}"
        try:
            rec = json.loads(line)
        except ValueError as e:
            problems.add(f"{where}: not JSON ({e})")
            continue
        kind, boot, kernel = rec.get("kind"), rec.get("boot"), rec.get("kernel")
        need = {"cost": ("device", "scenario", "zeroing", "bytes", "ns", "method"),
                "counts": ("device", "scenario", "zeroing", "bytes") + COUNT_FIELDS,
                "wall": ("device", "scenario", "zeroing", "bytes", "runs"),
                "kill": ("device", "scenario", "latency_s"),
                "meminfo": ("mem_total_kib", "mem_available_kib")}.get(kind)
        if need is None:
            problems.add(f"{where}: unknown kind {kind!r}")
            continue
        missing = [k for k in need if k not in rec]
        if missing:
            problems.add(f"{where}: {kind} record without {', '.join(missing)}")
            continue
        if "zeroing" in need and rec["zeroing"] not in ZEROING:
            problems.add(f"{where}: zeroing {rec['zeroing']!r} is neither {' nor '.join(ZEROING)}")
            continue
        if kernel not in KERNELS:
            problems.add(f"{where}: kernel {kernel!r} is neither stock nor patched")
            continue
        b = by_boot.get(boot)
        if b is None:
            problems.add(f"{where}: boot {boot!r} is not in boots.json")
            continue
        if b.get("kernel") != kernel:
            problems.add(f"{where}: kernel {kernel} but boots.json says boot {boot} ran {b.get('kernel')}")
            continue
        if kind in ("cost", "wall") and b.get("mode") != kind:
            problems.add(f"{where}: a {kind} record from {b.get('mode')} boot {boot}")
            continue
        if "bytes" in need and not (isinstance(rec["bytes"], int) and rec["bytes"] > 0):
            problems.add(f"{where}: bytes must be a positive integer")
            continue
        if kind == "wall":
            runs = rec["runs"]
            if not runs or any("wall_ns" not in r or "cpu_ns" not in r or r["wall_ns"] <= 0 for r in runs):
                problems.add(f"{where}: wall record needs runs with wall_ns > 0 and cpu_ns")
                continue
        if kind == "kill" and not rec["latency_s"]:
            problems.add(f"{where}: kill record with no tries")
            continue
        if kind == "cost" and rec["method"] not in METHODS:
            problems.add(f"{where}: unknown method {rec['method']!r}")
            continue
        key = (kind, rec.get("device"), rec.get("scenario"), boot)
        if key in seen:
            problems.add(f"{where}: a second {kind} record of {rowname(rec.get('device'), rec.get('scenario'))} from boot {boot}")
            continue
        seen.add(key)
        records.append(rec)
    with_data = {r["boot"] for r in records}
    for b in boots:
        if b.get("boot") not in with_data:
            problems.add(f"boot {b.get('boot')} ({b.get('kernel')}, {b.get('mode')}) left no record in all.data")
    return records, boots, host


def rowname(device, scenario):
    return f"{scenario} on {device}"


def rows_of(records, kind):
    """{(device, scenario): {kernel: {boot: record}}}, devices then
    scenarios in the order they first appear in all.data."""
    dev_order, scen_order = {}, {}
    for r in records:
        if "device" in r:
            dev_order.setdefault(r["device"], len(dev_order))
            scen_order.setdefault(r["scenario"], len(scen_order))
    rows = {}
    for r in records:
        if r["kind"] == kind:
            rows.setdefault((r["device"], r["scenario"]), {k: {} for k in KERNELS})[r["kernel"]][r["boot"]] = r
    keys = sorted(rows, key=lambda k: (dev_order[k[0]], scen_order[k[1]]))
    return [(k, rows[k]) for k in keys]


def boot_order(boots):
    return {b["boot"]: i for i, b in enumerate(boots)}


def sorted_boots(d, order):
    return sorted(d, key=lambda b: order.get(b, 1 << 30))


def new_row(kind, key, by_kernel, problems):
    """The head every analysed row starts with (device, label, scenario,
    and bytes when the records have them), after checking that both
    kernels measured it."""
    for k in KERNELS:
        if not by_kernel[k]:
            problems.add(f"{kind} row {rowname(*key)}: no {k} record (measured on one kernel only)")
    row = {"device": key[0], "device_label": label(key[0]), "scenario": key[1]}
    first = next(r for k in KERNELS for r in by_kernel[k].values())
    if "bytes" in first:
        row["bytes"] = first["bytes"]
    if "zeroing" in first:
        who = {r["zeroing"] for k in KERNELS for r in by_kernel[k].values()}
        if len(who) > 1:
            problems.add(f"{kind} row {rowname(*key)}: records disagree on who zeroes ({', '.join(sorted(who))})")
        row["zeroing"] = first["zeroing"]
    return row


# ---------------------------------------------------------------- analysis

def analyse_cost(records, boots, problems):
    order = boot_order(boots)
    out = []
    for key, by_kernel in rows_of(records, "cost"):
        row = new_row("cost", key, by_kernel, problems)
        methods = {r["method"] for k in KERNELS for r in by_kernel[k].values()}
        if len(methods) > 1:
            problems.add(f"cost row {rowname(*key)}: methods differ ({', '.join(sorted(methods))})")
        row["method"] = sorted(methods)[0]
        for k in KERNELS:
            recs = by_kernel[k]
            if 0 < len(recs) < 2:
                problems.add(f"cost row {rowname(*key)}: {len(recs)} {k} boot, fewer than 2")
            vals = {b: recs[b]["ns"] * GIB / recs[b]["bytes"] for b in sorted_boots(recs, order)}
            mean = statistics.mean(vals.values()) if vals else None
            agreement = (max(vals.values()) - min(vals.values())) / mean * 100 if mean else None
            row[k] = {"boots": vals, "mean": mean, "agreement_pct": agreement,
                      "agrees": agreement is not None and agreement <= AGREEMENT_LIMIT_PCT}
        s, p = row["stock"]["mean"], row["patched"]["mean"]
        row["ratio"] = s / p if s and p else None
        row["deterministic"] = row["stock"]["agrees"] and row["patched"]["agrees"]
        out.append(row)
    return out


def analyse_counts(records, boots, problems):
    order = boot_order(boots)
    out = []
    for key, by_kernel in rows_of(records, "counts"):
        row = new_row("counts", key, by_kernel, problems)
        for k in KERNELS:
            recs = by_kernel[k]
            bootvals = {b: {f: recs[b][f] for f in COUNT_FIELDS} for b in sorted_boots(recs, order)}
            med, lo, hi, differs = {}, {}, {}, []
            for f in COUNT_FIELDS:
                v = [recs[b][f] * GIB / recs[b]["bytes"] for b in bootvals]
                if not v:
                    continue
                med[f] = per_gib(statistics.median(v), GIB)
                lo[f], hi[f] = per_gib(min(v), GIB), per_gib(max(v), GIB)
                if min(v) != max(v):
                    differs.append(f)
            row[k] = {"boots": bootvals, "per_gib": med, "per_gib_min": lo,
                      "per_gib_max": hi, "differs": differs}
        row["deterministic"] = not row["stock"]["differs"] and not row["patched"]["differs"]
        out.append(row)
    return out


def wall_pairs(boots, problems):
    """Consecutive wall boots in run order, each one stock and one patched."""
    wall = [b for b in boots if b.get("mode") == "wall"]
    if len(wall) % 2:
        problems.add(f"{len(wall)} wall boots: an odd number, the last one ({wall[-1]['boot']}) has no partner")
    pairs = []
    for a, b in zip(wall[0::2], wall[1::2]):
        kinds = {a["kernel"]: a["boot"], b["kernel"]: b["boot"]}
        if set(kinds) != set(KERNELS):
            problems.add(f"wall boots {a['boot']} and {b['boot']} are consecutive in run order"
                         f" but both {a['kernel']}: each pair needs one stock and one patched boot")
            continue
        pairs.append(kinds)
    return pairs


def analyse_wall(records, boots, problems):
    pairs = wall_pairs(boots, problems)
    order = boot_order(boots)
    out = []
    for key, by_kernel in rows_of(records, "wall"):
        row = new_row("wall", key, by_kernel, problems)
        for k in KERNELS:
            recs = by_kernel[k]
            if 0 < len(recs) < 3:
                problems.add(f"wall row {rowname(*key)}: {len(recs)} {k} boot(s), fewer than 3")
            per = {}
            for b in sorted_boots(recs, order):
                runs = recs[b]["runs"]
                w = statistics.median(r["wall_ns"] for r in runs)
                c = statistics.median(r["cpu_ns"] for r in runs)
                per[b] = {"runs": len(runs), "wall_ns": w, "cpu_ns": c,
                          "mib_s": recs[b]["bytes"] / MIB / (w / 1e9)}
            row[k] = {"boots": per}
            mibs = [v["mib_s"] for v in per.values()]
            row[f"{k}_mib_s"] = statistics.median(mibs) if mibs else None
            row[f"{k}_mib_s_min"] = min(mibs) if mibs else None
            row[f"{k}_mib_s_max"] = max(mibs) if mibs else None
        row["pairs"] = []
        for pair in pairs:
            s = row["stock"]["boots"].get(pair["stock"])
            p = row["patched"]["boots"].get(pair["patched"])
            if s is None and p is None:
                continue
            if s is None or p is None:
                have, miss = (pair["patched"], pair["stock"]) if s is None else (pair["stock"], pair["patched"])
                problems.add(f"wall row {rowname(*key)}: in boot {have} but not in {miss}, its pair")
                continue
            row["pairs"].append({
                "stock_boot": pair["stock"], "patched_boot": pair["patched"],
                "stock_wall_ns": s["wall_ns"], "patched_wall_ns": p["wall_ns"],
                "ratio": s["wall_ns"] / p["wall_ns"],
                "stock_cpu_ns": s["cpu_ns"], "patched_cpu_ns": p["cpu_ns"],
                "cpu_ratio": s["cpu_ns"] / p["cpu_ns"] if p["cpu_ns"] else None})
        for name, field in (("ratio", "ratio"), ("cpu_ratio", "cpu_ratio")):
            v = [x[field] for x in row["pairs"] if x[field] is not None]
            row[f"{name}_median"] = statistics.median(v) if v else None
            row[f"{name}_min"] = min(v) if v else None
            row[f"{name}_max"] = max(v) if v else None
        row["clear"] = bool(row["pairs"]) and not (row["ratio_min"] <= 1.0 <= row["ratio_max"])
        out.append(row)
    return out


def analyse_kill(records, boots, problems):
    order = boot_order(boots)
    out = []
    for key, by_kernel in rows_of(records, "kill"):
        row = new_row("kill", key, by_kernel, problems)
        for k in KERNELS:
            recs = by_kernel[k]
            names = sorted_boots(recs, order)
            tries = [t for b in names for t in recs[b]["latency_s"]]
            row[k] = {"boots": names, "tries": len(tries),
                      "median_s": statistics.median(tries) if tries else None,
                      "max_s": max(tries) if tries else None}
        out.append(row)
    return out


def analyse_meminfo(records, boots):
    order = boot_order(boots)
    out = {}
    for k in KERNELS:
        recs = {r["boot"]: r for r in records if r["kind"] == "meminfo" and r["kernel"] == k}
        if not recs:
            continue
        per = {b: {"mem_total_kib": recs[b]["mem_total_kib"],
                   "mem_available_kib": recs[b]["mem_available_kib"]} for b in sorted_boots(recs, order)}
        out[k] = {"boots": per}
        for f in ("mem_total_kib", "mem_available_kib"):
            m = statistics.median(v[f] for v in per.values())
            out[k][f] = int(m) if float(m).is_integer() else m
    if all(k in out for k in KERNELS):
        out["difference_kib"] = {f: out["patched"][f] - out["stock"][f]
                                 for f in ("mem_total_kib", "mem_available_kib")}
    return out


# ---------------------------------------------------------------- verdict

def headline_cost_rows(cost):
    rows = [r for r in cost if r["scenario"] == HEADLINE and r["ratio"]]
    nullb = [r for r in rows if is_nullb(r["device"])]
    return nullb or rows, bool(nullb)


def verdict_cost(cost):
    rows, nullb = headline_cost_rows(cost)
    if rows:
        where = f"{len(rows)} null_blk set-up{'s' if len(rows) > 1 else ''}" if nullb else \
            ", ".join(r["device_label"] for r in rows)
        line = (f"Kernel zeroing cost (blkdiscard -z, {where}): stock/patched guest instruction"
                f" ratio {span([r['ratio'] for r in rows], fx)}, stock"
                f" {span([r['stock']['mean'] for r in rows], fm)} M instructions/GiB against patched"
                f" {span([r['patched']['mean'] for r in rows], fm)} M")
    else:
        line = "Kernel zeroing cost: no blkdiscard -z cost rows on both kernels in this run"
    if not cost:
        return line + "."
    off = [(r, k) for r in cost for k in KERNELS
           if r[k]["agreement_pct"] is not None and not r[k]["agrees"]]
    nboots = sum(len(r[k]["boots"]) for r in cost for k in KERNELS)
    if not off:
        return line + f"; every boot agreed within {AGREEMENT_LIMIT_PCT:g}% (all {len(cost)} cost rows, {nboots} measurements)."
    named = [f"{r['scenario']} on {r['device_label']}, {k}, {r[k]['agreement_pct']:.2f}%" for r, k in off]
    more = f" and {len(named) - 3} more" if len(named) > 3 else ""
    return (line + f"; WARNING: boots disagree by more than {AGREEMENT_LIMIT_PCT:g}% in {len(off)} of"
            f" {2 * len(cost)} row/kernel cells ({'; '.join(named[:3])}{more}).")


def verdict_counts(counts):
    rows = [r for r in counts if r["scenario"] == HEADLINE
            and r["stock"]["per_gib"] and r["patched"]["per_gib"]]
    nullb = [r for r in rows if is_nullb(r["device"])]
    rows = nullb or rows
    if not rows:
        return "Counts: no blkdiscard -z counts on both kernels in this run."
    where = f"{len(rows)} null_blk set-up{'s' if len(rows) > 1 else ''}" if nullb else \
        ", ".join(r["device_label"] for r in rows)
    g = lambda k, f: span([r[k]["per_gib"][f] for r in rows], fnum)
    flag = "" if all(r["deterministic"] for r in rows) else " (WARNING: the boots of one kernel disagree)"
    return (f"Per GiB of blkdiscard -z ({where}): stock issues {g('stock', 'bios')} bios and"
            f" {g('stock', 'requests')} requests, patched {g('patched', 'bios')} bios and"
            f" {g('patched', 'requests')} requests{flag}.")


def wall_phrase(r):
    rng = f"{fx(r['ratio_median'])} [{fx(r['ratio_min'])}–{fx(r['ratio_max'])}]"
    if not r["clear"]:
        return f"{r['device_label']} no clear difference ({rng})"
    return f"{r['device_label']} {rng} (CPU {fx(r['cpu_ratio_median'])})"


def verdict_rows_wall(wall):
    rows = [r for r in wall if r["pairs"]]
    pick = [r for r in rows if r["scenario"] == HEADLINE and not is_nullb(r["device"])]
    return pick or [r for r in rows if not is_user_write(r)][:4]


def verdict_wall(wall):
    rows = verdict_rows_wall(wall)
    if not rows:
        return "Wall clock: no stock-versus-patched wall-clock rows in this run."
    npairs = span([len(r["pairs"]) for r in rows], str)
    scen = {r["scenario"] for r in rows}
    what = "blkdiscard -z" if scen == {HEADLINE} else ", ".join(sorted(scen))
    return (f"Wall clock of {what} under plain TCG (stock time / patched time, median"
            f" [min–max] over {npairs} ABBA boot pairs): "
            + "; ".join(wall_phrase(r) if scen == {HEADLINE} else f"{r['scenario']} on {wall_phrase(r)}"
                        for r in rows) + ".")


def verdict_kill(kill):
    rows = [r for r in kill if r["stock"]["tries"] and r["patched"]["tries"]]
    if not rows:
        return "Kill latency: not measured in this run."
    parts = [f"{r['scenario']} on {r['device_label']}: stock median {fs(r['stock']['median_s'])} s,"
             f" max {fs(r['stock']['max_s'])} s; patched median {fs(r['patched']['median_s'])} s,"
             f" max {fs(r['patched']['max_s'])} s ({r['stock']['tries']}/{r['patched']['tries']} tries)"
             for r in rows]
    return "Kill latency (SIGKILL during zeroing), " + "; ".join(parts) + "."


def blkzeroout_reference(cost, device, method):
    cands = [r for r in cost if r["device"] == device and r["scenario"] in ("pmdzero-ioctl", HEADLINE)
             and r["patched"]["mean"]]
    same = [r for r in cands if r["method"] == method]
    return (same or cands or [None])[0]


def verdict_user(cost, wall):
    rows = [r for r in cost if is_user_write(r) and r["ratio"]]
    wrows = [r for r in wall if is_user_write(r) and r["pairs"]]
    if not rows and not wrows:
        return "User-space writes: no vectored-engine or fio rows in this run."
    parts = []
    if rows:
        ratios = [r["ratio"] for r in rows]
        if all(abs(x - 1) <= AGREEMENT_LIMIT_PCT / 100 for x in ratios):
            parts.append(f"the {len(rows)} user-space write rows (pmdzero write engines, fio) cost"
                         f" the same on both kernels within {AGREEMENT_LIMIT_PCT:g}% (stock/patched {span(ratios, fx)})")
        else:
            parts.append(f"the {len(rows)} user-space write rows (pmdzero write engines, fio) have"
                         f" stock/patched cost ratios of {span(ratios, fx)}")
        best = None
        for r in sorted(rows, key=lambda r: r["patched"]["mean"]):
            ref = blkzeroout_reference(cost, r["device"], r["method"])
            if ref:
                best = (r, ref)
                break
        if best:
            r, ref = best
            parts.append(f"the closest user-space path, {r['scenario']} on {r['device_label']}, costs"
                         f" {fm(r['patched']['mean'])} M instructions/GiB on the patched kernel,"
                         f" {fx(r['patched']['mean'] / ref['patched']['mean'])} BLKZEROOUT there"
                         f" ({ref['scenario']}, {fm(ref['patched']['mean'])} M)")
        else:
            parts.append("no BLKZEROOUT cost row on the same device to compare them with")
    if wrows:
        parts.append(f"wall clock over {len(wrows)} user-space row{'s' if len(wrows) > 1 else ''}:"
                     f" stock/patched time median{'s' if len(wrows) > 1 else ''}"
                     f" {span([r['ratio_median'] for r in wrows], fx)},"
                     f" {sum(1 for r in wrows if not r['clear'])} with no clear difference")
    else:
        parts.append("no user-space wall-clock rows")
    text = "; ".join(parts)
    return "User-space writes: " + text + "."


def verdict(cost, counts, wall, kill):
    return [verdict_cost(cost), verdict_counts(counts), verdict_wall(wall),
            verdict_kill(kill), verdict_user(cost, wall)]


# ---------------------------------------------------------------- markdown

def table(head, align, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


SAME_OP_LIMIT_PCT = 10


def same_operation(cost):
    """pmdzero zero -e ioctl against blkdiscard -z: the same BLKZEROOUT
    issued by two tools must cost the same (within SAME_OP_LIMIT_PCT)."""
    rows = {(r["device"], r["scenario"]): r for r in cost}
    out = []
    for r in cost:
        if r["scenario"] != HEADLINE or (r["device"], "pmdzero-ioctl") not in rows:
            continue
        other = rows[(r["device"], "pmdzero-ioctl")]
        for k in KERNELS:
            a, b = r[k]["mean"], other[k]["mean"]
            if a and b:
                pct = (b - a) / a * 100
                out.append({"device": r["device"], "device_label": r["device_label"], "kernel": k,
                            "blkdiscard_z": a, "pmdzero_ioctl": b, "difference_pct": pct,
                            "within_limit": abs(pct) <= SAME_OP_LIMIT_PCT})
    return out


def md_cost(cost):
    if not cost:
        return ["No cost rows."]
    nb = max(1, max(len(r[k]["boots"]) for r in cost for k in KERNELS))
    head = ["device", "scenario", "method"]
    for k in KERNELS:
        head += [f"{k} boot {i + 1}" for i in range(nb)]
    head += ["stock/patched", "agreement stock / patched"]
    rows = []
    for r in cost:
        cells = [r["device_label"], r["scenario"], r["method"]]
        for k in KERNELS:
            vals = list(r[k]["boots"].values())
            cells += [fm(v) for v in vals] + ["-"] * (nb - len(vals))

        def agr(k):
            a = r[k]["agreement_pct"]
            if a is None:
                return "-"
            return f"{a:.2f}%" if r[k]["agrees"] else f"**{a:.2f}% > {AGREEMENT_LIMIT_PCT:g}%**"
        cells += [fx(r["ratio"]), f"{agr('stock')} / {agr('patched')}"]
        rows.append(cells)
    out = table(head, ["---"] * 3 + ["--:"] * (2 * nb + 1) + ["---"], rows)
    bad = [r for r in cost if not r["deterministic"]]
    out += ["", "M guest instructions per GiB (guest ns × 2^30 / bytes / 10^6), each boot"
            " in run order; agreement = (max − min) / mean over the kernel's boots."]
    if bad:
        out += ["", f"**WARNING: {len(bad)} cost row(s) whose boots disagree by more than {AGREEMENT_LIMIT_PCT:g}%:"
                " " + ", ".join(f"{r['scenario']} on {r['device_label']}" for r in bad)
                + ". Their figures are not repeatable; do not quote them.**"]
    methods = sorted({r["method"] for r in cost})
    out += ["", "Method: " + "; ".join(f"*{m}*: {METHODS[m]}" for m in methods) + "."]
    same = same_operation(cost)
    if same:
        worst = max(same, key=lambda x: abs(x["difference_pct"]))
        bad = [x for x in same if not x["within_limit"]]
        line = (f"Same BLKZEROOUT, two tools: pmdzero-ioctl (engine timing) and blkdiscard-z"
                f" (syscall timing) differ by at most {abs(worst['difference_pct']):.1f}% over"
                f" {len(same)} device/kernel cells (limit {SAME_OP_LIMIT_PCT}%).")
        if bad:
            line = ("**WARNING: " + line + " Over the limit: "
                    + ", ".join(f"{x['device_label']} {x['kernel']} {x['difference_pct']:+.1f}%"
                                for x in bad) + ".**")
        out += ["", line]
    return out


def md_counts(counts):
    if not counts:
        return ["No counts rows."]
    head = ["device", "scenario"]
    for f in ("bios", "requests", "splits", "merges"):
        head += [f"{f} stock", f"{f} patched"]
    head += ["bio bytes / bytes stock", "bio bytes / bytes patched", "note"]
    rows = []
    for r in counts:
        cells = [r["device_label"], r["scenario"]]

        def cell(k, f):
            d = r[k]
            if f not in d["per_gib"]:
                return "-"
            if f in d["differs"]:
                return f"{fnum(d['per_gib_min'][f])}–{fnum(d['per_gib_max'][f])}"
            return fnum(d["per_gib"][f])
        for f in ("bios", "requests", "splits", "merges"):
            cells += [cell(k, f) for k in KERNELS]
        for k in KERNELS:
            v = r[k]["per_gib"].get("bio_bytes")
            cells.append("-" if v is None else f"{v / GIB:.2f}")
        notes = [f"{k} boots differ: {', '.join(r[k]['differs'])}" for k in KERNELS if r[k]["differs"]]
        cells.append("**" + "; ".join(notes) + "**" if notes else "")
        rows.append(cells)
    return table(head, ["---"] * 2 + ["--:"] * 10 + ["---"], rows) + [
        "", "Per GiB of the operation, from the traced run of each boot (tracing stays out"
        " of the timings); a range where the boots of one kernel disagree."]


def md_wall(wall):
    if not wall:
        return ["No wall-clock rows."]
    rows = []
    for r in wall:
        rng = lambda n: (f"{fx(r[n + '_median'])} [{fx(r[n + '_min'])}–{fx(r[n + '_max'])}]"
                         if r[n + "_median"] is not None else "-")
        rows.append([r["device_label"], r["scenario"], fnum(r["stock_mib_s"]), fnum(r["patched_mib_s"]),
                     rng("ratio"), len(r["pairs"]), rng("cpu_ratio"),
                     "" if r["clear"] else "no clear difference"])
    return table(["device", "scenario", "stock MiB/s", "patched MiB/s",
                  "time stock/patched, median [min–max]", "pairs",
                  "CPU stock/patched, median [min–max]", "note"],
                 ["---", "---", "--:", "--:", "--:", "--:", "--:", "---"], rows) + [
        "", "MiB/s: median over the kernel's boots of each boot's median run.  Ratios:"
        " one per ABBA pair of consecutive boots, stock median over patched median"
        " (> 1: patched faster); CPU = the zeroing task's own CPU time."
        "  \"No clear difference\": the pairs' range includes 1."]


def md_kill(kill):
    if not kill:
        return ["Not measured in this run."]
    rows = [[r["device_label"], r["scenario"], fs(r["stock"]["median_s"]), fs(r["stock"]["max_s"]),
             fs(r["patched"]["median_s"]), fs(r["patched"]["max_s"]),
             f"{r['stock']['tries']} / {r['patched']['tries']}"] for r in kill]
    return table(["device", "scenario", "stock median s", "stock max s", "patched median s",
                  "patched max s", "tries stock / patched"],
                 ["---", "---", "--:", "--:", "--:", "--:", "--:"], rows) + [
        "", "Seconds from SIGKILL to the process's exit, every try of every wall boot."]


def md_meminfo(mem):
    if not any(k in mem for k in KERNELS):
        return ["No meminfo records."]
    rows = [[k, len(mem[k]["boots"]), fnum(mem[k]["mem_total_kib"]), fnum(mem[k]["mem_available_kib"])]
            for k in KERNELS if k in mem]
    if "difference_kib" in mem:
        d = mem["difference_kib"]
        rows.append(["patched − stock", "", f"{d['mem_total_kib']:+g}", f"{d['mem_available_kib']:+g}"])
    return table(["kernel", "boots", "MemTotal KiB", "MemAvailable KiB after boot"],
                 ["---", "--:", "--:", "--:"], rows) + ["", "Medians over the kernel's boots."]


def md_boots(boots):
    if not boots:
        return ["No boots.json."]
    la = lambda v: " / ".join(f"{x:.2f}" for x in v) if isinstance(v, list) else "-"
    rows = [[b.get("order", "-"), b["boot"], b.get("kernel", "-"), b.get("mode", "-"),
             b.get("seconds", "-"), la(b.get("loadavg_before")), la(b.get("loadavg_after"))]
            for b in boots]
    return table(["order", "boot", "kernel", "mode", "seconds", "host loadavg before (1/5/15 min)",
                  "after"], ["--:", "---", "---", "---", "--:", "--:", "--:"], rows) + [
        "", "Cost figures do not depend on host load; wall-clock figures do: a pair with"
        " a loaded boot is the first suspect of an outlying ratio."]


def md_how(host, boots):
    nb = lambda mode, k: sum(1 for b in boots if b.get("mode") == mode and b.get("kernel") == k)
    facts = ", ".join(f"{k} {host[k]}" for k in ("base", "cost_accel", "wall_accel", "accel", "qemu", "host_cpu", "host_cpus", "commit", "mode")
                      if k in host)
    return [
        f"- **Cost** ({nb('cost', 'stock')} stock and {nb('cost', 'patched')} patched boots, ABBA"
        " order): QEMU TCG with `-smp 1 -icount shift=0,sleep=off`.  Guest time advances one"
        " nanosecond per guest instruction and idle time is skipped, so a guest-side duration"
        " in ns is the guest instruction count, repeatable to under 1% whatever the host"
        " does.  Instructions per GiB = ns × 2^30 / bytes, from the least of a boot's runs"
        " (raw/*.data keep them all: work the kernel does meanwhile, a timer or a kworker,"
        f" only ever adds); each boot is shown, and boots of one kernel more than {AGREEMENT_LIMIT_PCT:g}% apart"
        " are flagged.",
        "- **Counts** come from a separate traced run in each cost boot, so tracing stays out"
        " of the timings; they are deterministic, and boots that disagree are flagged.",
        f"- **Wall clock** ({nb('wall', 'stock')} stock and {nb('wall', 'patched')} patched"
        " boots): plain TCG with 2 vCPUs, for what only wall time shows (devices on the zero"
        " page path, fio jobs, kill latency).  Boots run in ABBA order (S P P S S P) and"
        " consecutive boots pair up; per boot and row the median of its runs; per pair the"
        " ratio stock/patched; reported as the median and range over pairs, so a slow"
        " stretch of the host lands on both kernels of a pair.",
        f"- **Host**: {facts or 'not recorded'}.",
    ]


COUNT_DEFINITIONS = [
    "- **bios**: bios submitted by the caller, counted once at `block_bio_queue`; the"
    " remainder of a split is not counted again, and the split pieces are not extra bios.",
    "- **splits**: `block_split` events.",
    "- **requests**: `block_rq_issue` events.",
    "- **merges**: bios merged into an existing request, and requests into another"
    " (`block_bio_backmerge`, `block_bio_frontmerge`, `block_rq_merge`).",
    "- **bio_bytes**: bytes of the submitted bios (shown as a multiple of the operation's"
    " bytes: 2.00 when every byte went down twice, as io_uring's -EAGAIN reissue does).",
    "- **per GiB**: value × 2^30 / bytes of the operation.",
]


def markdown(summary):
    md = ["# pmdzero: stock versus patched Linux 6.12", ""]
    md += [f"{i}. {line}" for i, line in enumerate(summary["verdict"], 1)]
    if summary["problems"]:
        md += ["", "## Missing or inconsistent data (--allow-partial)", ""]
        md += [f"- {p}" for p in summary["problems"]]
    sections = [
        ("Cost: M guest instructions per GiB", md_cost(summary["cost"])),
        ("Counts per GiB", md_counts(summary["counts"])),
        ("Wall clock", md_wall(summary["wall"])),
        ("Kill latency", md_kill(summary["kill"])),
        ("Memory", md_meminfo(summary["meminfo"])),
        ("Host load per boot", md_boots(summary["boots"])),
        ("How this was measured", md_how(summary["host"], summary["boots"])),
        ("Count definitions", COUNT_DEFINITIONS),
    ]
    for title, body in sections:
        md += ["", f"## {title}", ""] + body
    figs = [f"`{n}.svg`" for n in ("cost", "wall") if summary["figures"].get(n)]
    if figs:
        md += ["", "Figures: " + ", ".join(figs) + " (and .png; regenerate with `gnuplot NAME.gp` here)."]
    elif not shutil.which("gnuplot"):
        md += ["", "Figures: not drawn, gnuplot is not installed (`gnuplot cost.gp wall.gp` here draws them)."]
    return "\n".join(md) + "\n"


# ---------------------------------------------------------------- figures

def gp_str(s):
    """A gnuplot double-quoted string (a newline in s becomes a line break)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


TERMINALS = """\
set terminal svg size 1200,700 dynamic font 'sans,14' background '#ffffff'
set output '{name}.svg'
{plot}
set terminal pngcairo size 1200,700 font 'sans,12' background '#ffffff'
set output '{name}.png'
replot
unset output
"""


def run_gnuplot(outdir, name, script):
    with open(os.path.join(outdir, name + ".gp"), "w") as f:
        f.write(script)
    if not shutil.which("gnuplot"):
        print(f"report: gnuplot is not installed: no {name}.svg/{name}.png"
              f" ({name}.gp and {name}.dat are written)", file=sys.stderr)
        return False
    r = subprocess.run(["gnuplot", name + ".gp"], cwd=outdir, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"report: gnuplot failed on {name}.gp: {r.stderr.strip()}", file=sys.stderr)
        return False
    return True


def cost_figure_rows(cost):
    rows = [r for r in cost if r["scenario"] == HEADLINE and r["ratio"]]
    if not rows:
        rows = [r for r in cost if r["ratio"] and not is_user_write(r)]
    return rows[:8]


def figure_cost(cost, outdir):
    rows = cost_figure_rows(cost)
    if not rows:
        return False
    one_scen = len({r["scenario"] for r in rows}) == 1
    vals = [r[k]["mean"] / 1e6 for r in rows for k in KERNELS]
    lo = 10 ** int(math.floor(math.log10(min(vals) / 2)))
    hi = 10 ** int(math.ceil(math.log10(max(vals) * 3)))
    with open(os.path.join(outdir, "cost.dat"), "w") as f:
        f.write("# x label stock_M patched_M ratio ratio_y\n")
        for i, r in enumerate(rows):
            lab = r["device_label"] if one_scen else f"{r['device_label']}\n{r['scenario']}"
            s, p = r["stock"]["mean"] / 1e6, r["patched"]["mean"] / 1e6
            f.write(f"{i} {gp_str(lab)} {s:.6g} {p:.6g} {gp_str(fx(r['ratio']))} {max(s, p) * 1.35:.6g}\n")
    title = ("Kernel zeroing (blkdiscard -z): guest instructions per GiB, stock vs patched 6.12"
             if one_scen and rows[0]["scenario"] == HEADLINE else
             "Kernel zeroing: guest instructions per GiB, stock vs patched 6.12")
    plot = f"""\
set title {gp_str(title)} noenhanced
set ylabel 'million guest instructions per GiB (log scale)'
set xlabel 'QEMU TCG -icount, mean of the boots; number above each pair: stock/patched'
set logscale y
set yrange [{lo}:{hi}]
set xrange [-0.6:{len(rows) - 0.4}]
set grid ytics
set key top right
set style fill solid 0.85 border -1
set xtics noenhanced scale 0
set xtics ({", ".join(f"{gp_str(r['device_label'] if one_scen else r['device_label'] + chr(10) + r['scenario'])} {i}" for i, r in enumerate(rows))})
bw = 0.36
plot 'cost.dat' using ($1-bw/2):3:($1-bw):($1):({lo}):3 with boxxyerror lc rgb '#d62728' title 'stock', \\
     '' using ($1+bw/2):4:($1):($1+bw):({lo}):4 with boxxyerror lc rgb '#1f77b4' title 'patched', \\
     '' using 1:6:5 with labels font ',14' notitle
"""
    return run_gnuplot(outdir, "cost", TERMINALS.format(name="cost", plot=plot))


def wall_figure_rows(wall):
    rows = [r for r in wall if r["pairs"]]
    chosen = verdict_rows_wall(wall)
    chosen += [r for r in rows if "vectored" in r["scenario"] and r not in chosen]
    chosen += [r for r in rows if r["scenario"].startswith("fio-") and r not in chosen][:3]
    chosen += [r for r in rows if r not in chosen]
    return chosen[:10]


def figure_wall(wall, outdir):
    rows = wall_figure_rows(wall)
    if not rows:
        return False
    vals = [r[f] for r in rows for f in ("stock_mib_s_min", "stock_mib_s_max",
                                          "patched_mib_s_min", "patched_mib_s_max")]
    logy = max(vals) / min(vals) > 20
    ymax = max(vals) * (3 if logy else 1.18)
    ymin = min(vals) / 2 if logy else 0
    with open(os.path.join(outdir, "wall.dat"), "w") as f:
        f.write("# x label stock stock_min stock_max patched patched_min patched_max ratio ratio_y\n")
        for i, r in enumerate(rows):
            top = max(r["stock_mib_s_max"], r["patched_mib_s_max"])
            f.write(f"{i} {gp_str(r['device_label'] + chr(10) + short_scenario(r['scenario']))}"
                    f" {r['stock_mib_s']:.6g} {r['stock_mib_s_min']:.6g} {r['stock_mib_s_max']:.6g}"
                    f" {r['patched_mib_s']:.6g} {r['patched_mib_s_min']:.6g} {r['patched_mib_s_max']:.6g}"
                    f" {gp_str(fx(r['ratio_median']) + ('' if r['clear'] else ' ?'))}"
                    f" {top * 1.4 if logy else top + 0.06 * ymax:.6g}\n")
    plot = f"""\
set title 'Wall clock under plain TCG: MiB/s, stock vs patched 6.12 (median, bars: min-max over boots)' noenhanced
set ylabel 'MiB/s{" (log scale)" if logy else ""}'
set xlabel 'number above each pair: wall time stock/patched, median over ABBA boot pairs (?: their range includes 1)' offset 0,-1.2
set bmargin 6
{"set logscale y" if logy else "unset logscale y"}
set yrange [{ymin:.6g}:{ymax:.6g}]
set xrange [-0.6:{len(rows) - 0.4}]
set grid ytics
set key top right
set style fill solid 0.85 border -1
set xtics noenhanced scale 0 font ',11'
set xtics ({", ".join(f"{gp_str(r['device_label'] + chr(10) + short_scenario(r['scenario']))} {i}" for i, r in enumerate(rows))})
bw = 0.36
plot 'wall.dat' using ($1-bw/2):3:($1-bw):($1):({ymin:.6g}):3 with boxxyerror lc rgb '#d62728' title 'stock', \\
     '' using ($1+bw/2):6:($1):($1+bw):({ymin:.6g}):6 with boxxyerror lc rgb '#1f77b4' title 'patched', \\
     '' using ($1-bw/2):3:4:5 with yerrorbars lc rgb 'black' lw 1.5 pt 7 ps 0.6 notitle, \\
     '' using ($1+bw/2):6:7:8 with yerrorbars lc rgb 'black' lw 1.5 pt 7 ps 0.6 notitle, \\
     '' using 1:10:9 with labels font ',13' notitle
"""
    return run_gnuplot(outdir, "wall", TERMINALS.format(name="wall", plot=plot))


# ---------------------------------------------------------------- main

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
    mem = analyse_meminfo(records, boots)
    if problems and not partial:
        for p in problems:
            print(f"report: {p}", file=sys.stderr)
        print(f"report: {len(problems)} problem(s) in {raw}: no report written"
              " (--allow-partial reports what is there)", file=sys.stderr)
        return 1
    summary = {"verdict": verdict(cost, counts, wall, kill), "cost": cost,
               "same_operation": same_operation(cost), "counts": counts,
               "wall": wall, "kill": kill, "meminfo": mem, "boots": boots, "host": host,
               "problems": list(problems), "figures": {},
               # The limits the verdict and the flags above were judged by.
               "thresholds": {"agreement_limit_pct": AGREEMENT_LIMIT_PCT,
                              "same_operation_limit_pct": SAME_OP_LIMIT_PCT}}
    os.makedirs(outdir, exist_ok=True)
    summary["figures"] = {"cost": figure_cost(cost, outdir), "wall": figure_wall(wall, outdir)}
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
