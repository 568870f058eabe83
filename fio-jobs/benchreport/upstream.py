#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The report of fio-jobs/bench-upstream.sh: stock 6.12, our 6.12 series,
upstream 7.2 with its persistent huge zero folio off and on, and 7.2 with
our mainline series, on the kernel zeroing rows.

    upstream.py RAW_DIR OUT_DIR

Reads RAW_DIR/all.data (JSON lines, each tagged kernel, boot, setup) and
RAW_DIR/host; writes OUT_DIR/summary.md and OUT_DIR/summary.json, and
prints summary.md.  A kernel's cost in a set-up is the mean over its cost
boots of the least of each boot's timed runs, as the main report takes it;
its boots must agree within agreement_limit_pct (fio-jobs/policy).  Counts
must be equal in every boot.  Missing or inconsistent data exits 1 with
one line per problem, writing nothing.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchreport.common import AGREEMENT_LIMIT_PCT, GIB, MIN_COST_BOOTS, Problems, fm, per_gib  # noqa: E402

KERNELS = ("stock", "patched", "upstream-off", "upstream-on", "mainline")
LABELS = {
    "stock": "6.12 stock",
    "patched": "6.12 + ours",
    "upstream-off": "7.2 off",
    "upstream-on": "7.2 on",
    "mainline": "7.2 on + ours",
}
DEVICES = ("nullb-default", "nullb-max16384", "nullb-max16384-8m", "nullb-virt-boundary")
# Two kernels' memory costs of the folio are the same within this: they
# are read off different kernels' boots (other allocations move too).
MEM_SAME_KIB = 256
MEM_SETUPS = ("3g", "2g-thp-never", "384m")
MEM_LABELS = {"3g": "3 GiB", "2g-thp-never": "2 GiB, THP never", "384m": "384 MiB"}
# Each base's kernel without a PMD-sized zero folio: the memory baseline.
MEM_BASELINE = {"stock": "stock", "patched": "stock", "upstream-off": "upstream-off",
                "upstream-on": "upstream-off", "mainline": "upstream-off"}


def load(raw):
    recs = []
    for name in ("all.data", "host"):
        if not os.path.isfile(os.path.join(raw, name)):
            sys.exit(f"upstream.py: {os.path.join(raw, name)} missing (RAW_DIR is a bench-upstream run's raw/)")
    with open(os.path.join(raw, "all.data")) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    recs.append(json.loads(line))
                except ValueError as e:
                    sys.exit(f"upstream.py: all.data line {n}: {e}")
    host = {}
    with open(os.path.join(raw, "host")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition(": ")
            host.setdefault(k, v)
    return recs, host


def headline(r):
    return r.get("scenario") == "blkdiscard-z"


def analyse(recs, problems):
    cost, counts, mem, kill = {}, {}, {}, {}
    for k in KERNELS:
        mine = [r for r in recs if r.get("kernel") == k]
        if not mine:
            problems.add(f"{k}: no data")
            continue
        cost[k], counts[k], mem[k] = {}, {}, {}
        for dev in DEVICES:
            c = [r for r in mine if r["kind"] == "cost" and r["setup"] == "3g"
                 and headline(r) and r["device"] == dev]
            if len(c) < MIN_COST_BOOTS:
                problems.add(f"{k} {dev}: {len(c)} cost boots, fewer than {MIN_COST_BOOTS}")
                continue
            vals = [r["ns"] * GIB / r["bytes"] for r in c]
            mean = statistics.mean(vals)
            agree = (max(vals) - min(vals)) / mean * 100
            if agree > AGREEMENT_LIMIT_PCT:
                problems.add(f"{k} {dev}: cost boots {agree:.1f}% apart, over {AGREEMENT_LIMIT_PCT}%")
            cost[k][dev] = {"per_gib": mean, "boots": vals, "agreement_pct": agree}
            n = [r for r in mine if r["kind"] == "counts" and r["setup"] == "3g"
                 and headline(r) and r["device"] == dev]
            per = {(per_gib(r["bios"], r["bytes"]), per_gib(r["requests"], r["bytes"])) for r in n}
            if len(per) != 1:
                problems.add(f"{k} {dev}: counts differ between boots or are missing: {sorted(per)}")
                continue
            bios, reqs = per.pop()
            counts[k][dev] = {"bios": bios, "requests": reqs}
        for s in MEM_SETUPS:
            m = [r for r in mine if r["kind"] == "meminfo" and r["setup"] == s]
            n = [r for r in mine if r["kind"] == "counts" and r["setup"] == s
                 and headline(r) and r["device"] == "nullb-default"]
            if not m or not n:
                problems.add(f"{k} {MEM_LABELS[s]}: no memory or count record")
                continue
            mem[k][s] = {"free_kib": min(r["mem_free_kib"] + r["pcp_free_kib"] for r in m),
                         "bios_per_gib": per_gib(n[0]["bios"], n[0]["bytes"])}
        lat = [r for r in mine if r["kind"] == "kill"]
        if not lat:
            problems.add(f"{k}: no kill-latency record")
        else:
            kill[k] = lat[0]["latency_s"]
    for k in mem:
        base = MEM_BASELINE[k]
        for s in mem[k]:
            if base in mem and s in mem[base]:
                mem[k][s]["cost_kib"] = mem[base][s]["free_kib"] - mem[k][s]["free_kib"]
    return {"cost": cost, "counts": counts, "memory": mem, "kill_latency_s": kill}


def verdict(a):
    """The first line: where our 6.12 series is ahead of upstream 7.2 with
    its option on (as a user who wants the folio builds it) and where not,
    from the figures below; then a line each for cost, kill latency, our
    mainline series on 7.2 and the memory set-ups."""
    cost, counts, kill, mem = a["cost"], a["counts"], a["kill_latency_s"], a["memory"]
    ahead, behind, even, detail = [], [], [], []
    for dev in DEVICES:
        p, u = cost["patched"][dev]["per_gib"], cost["upstream-on"][dev]["per_gib"]
        d = (p - u) / u * 100
        where = f"{dev} ({fm(p)} vs {fm(u)} M/GiB, {d:+.1f}%)"
        (even if abs(d) <= AGREEMENT_LIMIT_PCT else ahead if d < 0 else behind).append(where)
        detail.append((dev, d))
    kp, ku = max(kill["patched"]), max(kill["upstream-on"])
    k_ahead = kp < ku / 2
    k_behind = kp > ku * 2
    mem_diff = [s for s in MEM_SETUPS
                if abs(mem["patched"][s].get("cost_kib", 0) - mem["upstream-on"][s].get("cost_kib", 0)) > MEM_SAME_KIB]
    used_p = {s for s in MEM_SETUPS if mem["patched"][s]["bios_per_gib"] < 1024}
    used_u = {s for s in MEM_SETUPS if mem["upstream-on"][s]["bios_per_gib"] < 1024}

    def names(xs):
        return ", ".join(x.split(" (")[0] for x in xs)
    first = ["Against upstream 7.2 with its option on, 6.12 + ours is"]
    a_parts = ([f"kill latency ({kp:.2f} vs {ku:.2f} s)"] if k_ahead else []) + \
        ([f"cost at {names(ahead)}"] if ahead else [])
    b_parts = ([f"kill latency ({kp:.2f} vs {ku:.2f} s)"] if k_behind else []) + \
        ([f"cost at {names(behind)}"] if behind else [])
    first.append(("ahead on " + " and on ".join(a_parts)) if a_parts else "ahead nowhere")
    first.append(("; behind on " + " and on ".join(b_parts)) if b_parts else "; behind nowhere")
    first.append(f"; even (within {AGREEMENT_LIMIT_PCT}%) on cost at {names(even)}" if even else "")
    differ = sorted(set(mem_diff) | (used_p ^ used_u), key=MEM_SETUPS.index)

    def mem_words(s):
        p, u = mem["patched"][s].get("cost_kib", 0), mem["upstream-on"][s].get("cost_kib", 0)
        return (f"{MEM_LABELS[s]}: 7.2 on {'zeroes through the folio' if s in used_u else 'uses ZERO_PAGE'},"
                f" {u} KiB; ours {'zeroes through the folio' if s in used_p else 'uses ZERO_PAGE'}, {p} KiB")
    first.append(f"; memory (within {MEM_SAME_KIB} KiB) and where the folio serves zeroing: " +
                 ("the same in every set-up." if not differ else
                  "the same but at " + "; ".join(mem_words(s) for s in differ) + "."))
    lines = [first[0] + " " + "".join(first[1:])]
    lines.append(f"- Cost, 6.12 + ours against 7.2 on: cheaper on {', '.join(ahead) or 'no set-up'};"
                 f" within {AGREEMENT_LIMIT_PCT}% on {', '.join(even) or 'no set-up'};"
                 f" dearer on {', '.join(behind) or 'no set-up'}.")
    # The bases themselves, without the folio, and the request caps that
    # differ between them at max_sectors 16384.
    base = [(cost["upstream-off"][d]["per_gib"] - cost["stock"][d]["per_gib"]) / cost["stock"][d]["per_gib"] * 100
            for d in DEVICES]
    lines.append(f"- The bases without the folio: 7.2 off costs {min(base):+.1f}% to {max(base):+.1f}% against"
                 f" 6.12 stock; at nullb-max16384 each kernel keeps its default request cap"
                 f" ({counts['patched']['nullb-max16384']['requests']} requests per GiB on 6.12 + ours,"
                 f" {counts['upstream-on']['nullb-max16384']['requests']} on 7.2 on).")
    lines.append(f"- Kill latency (SIGKILL of blkdiscard -z at 64 MiB/s): 6.12 + ours at most {kp:.2f} s,"
                 f" 7.2 on at most {ku:.2f} s, 7.2 off at most {max(kill['upstream-off']):.2f} s.")
    km = max(kill["mainline"])
    dm = [(cost["mainline"][d]["per_gib"] - cost["upstream-on"][d]["per_gib"]) /
          cost["upstream-on"][d]["per_gib"] * 100 for d in DEVICES]
    lines.append(f"- Our mainline series on 7.2: kill latency {ku:.2f} -> {km:.2f} s at most;"
                 f" cost {min(dm):+.1f}% to {max(dm):+.1f}% against 7.2 on;"
                 f" requests per GiB {', '.join(str(counts['mainline'][d]['requests']) for d in DEVICES)}"
                 f" (7.2 on: {', '.join(str(counts['upstream-on'][d]['requests']) for d in DEVICES)}).")
    for s in ("2g-thp-never", "384m"):
        used = [LABELS[k] for k in KERNELS if mem[k][s]["bios_per_gib"] < 1024]
        lines.append(f"- {MEM_LABELS[s]}: the 2 MiB folio serves zeroing on "
                     f"{', '.join(used) or 'no kernel'}; memory it costs: " +
                     ", ".join(f"{LABELS[k]} {mem[k][s].get('cost_kib', 0)} KiB" for k in KERNELS
                               if k != MEM_BASELINE[k]) + ".")
    return lines


def render(a, host):
    hdr = "| | " + " | ".join(LABELS[k] for k in KERNELS) + " |"
    sep = "|---|" + "--:|" * len(KERNELS)
    out = ["# Upstream beside us: 6.12 and 7.2, zeroing on null_blk", "",
           "Verdict, from the figures below:", ""]
    out += verdict(a)
    out += ["", "Kernels: " + "; ".join(f"{k}: {host.get('kernel ' + k, '?')}" for k in KERNELS), "",
            "## Cost: blkdiscard -z, M guest instructions per GiB", "",
            "One vCPU under -icount shift=0,sleep=off; mean over the cost boots of each boot's"
            " least of three runs of 4 GiB.", "", hdr, sep]
    for dev in DEVICES:
        out.append(f"| {dev} | " + " | ".join(fm(a["cost"][k][dev]["per_gib"]) for k in KERNELS) + " |")
    out += ["", "## Counts: bios / requests per GiB", "", hdr, sep]
    for dev in DEVICES:
        out.append(f"| {dev} | " + " | ".join(
            f"{a['counts'][k][dev]['bios']} / {a['counts'][k][dev]['requests']}" for k in KERNELS) + " |")
    out += ["", "## Kill latency: s from SIGKILL to reaped, three tries", "",
            "blkdiscard -z of a 4 GiB null_blk at 64 MiB/s, killed one second in (a wall boot).", "", hdr, sep,
            "| latency | " + " | ".join(", ".join(f"{x:.2f}" for x in a["kill_latency_s"][k]) for k in KERNELS)
            + " |"]
    out += ["", "## Memory after boot, and which zero folio zeroing used", "",
            "Free memory (MemFree plus per-CPU free pages) lost against the base's kernel without the folio"
            " (6.12: stock, 7.2: 7.2 off), KiB; then blkdiscard -z bios per GiB on default null_blk"
            " (1024: ZERO_PAGE, fewer: the 2 MiB folio).", "", hdr, sep]
    for s in MEM_SETUPS:
        out.append(f"| {MEM_LABELS[s]} | " + " | ".join(
            f"{a['memory'][k][s].get('cost_kib', 0)} KiB, {a['memory'][k][s]['bios_per_gib']}" for k in KERNELS) + " |")
    out += ["", f"Seconds: {host.get('seconds', '?')}.", ""]
    return "\n".join(out)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: upstream.py RAW_DIR OUT_DIR")
    raw, outdir = sys.argv[1:]
    recs, host = load(raw)
    problems = Problems()
    a = analyse(recs, problems)
    if problems:
        for p in problems:
            print(f"upstream.py: {p}", file=sys.stderr)
        sys.exit(1)
    md = render(a, host)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "summary.md"), "w") as f:
        f.write(md)
    with open(os.path.join(outdir, "summary.json"), "w") as f:
        json.dump({"kernels": {k: host.get("kernel " + k) for k in KERNELS}, **a,
                   "verdict": verdict(a),
                   "thresholds": {"agreement_limit_pct": AGREEMENT_LIMIT_PCT, "cost_boots": MIN_COST_BOOTS}},
                  f, indent=1)
    print(md)


if __name__ == "__main__":
    main()
