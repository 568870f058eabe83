# SPDX-License-Identifier: GPL-2.0-or-later
"""Analyse: every row stock against patched, the checks across rows and the
verdict's sentences."""
import statistics

from .common import (AGREEMENT_LIMIT_PCT, COUNT_FIELDS, GIB, KERNELS, LATENCY_PCTS, MIB,
                     MIN_COST_BOOTS, MIN_WALL_BOOTS, SAME_OP_LIMIT_PCT, fm, fnum, fs, fx,
                     host_runs, is_nullb, is_user_write, per_gib, short_scenario, span)
from .load import boot_order, new_row, rowname, rows_of, sorted_boots


def analyse_cost(records, boots, problems):
    order = boot_order(boots)
    least = 1 if host_runs(boots) else MIN_COST_BOOTS
    out = []
    for key, by_kernel in rows_of(records, "cost"):
        row = new_row("cost", key, by_kernel, problems)
        methods = {r["method"] for k in KERNELS for r in by_kernel[k].values()}
        if len(methods) > 1:
            problems.add(f"cost row {rowname(*key)}: methods differ ({', '.join(sorted(methods))})")
        row["method"] = sorted(methods)[0]
        for k in KERNELS:
            recs = by_kernel[k]
            if 0 < len(recs) < least:
                problems.add(f"cost row {rowname(*key)}: {len(recs)} {k} boot, fewer than {least}")
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
    """Consecutive wall boots (or host runs) in run order, each one stock
    and one patched."""
    wall = [b for b in boots if b.get("mode") in ("wall", "host")]
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
    host = host_runs(boots)
    least = 1 if host else MIN_WALL_BOOTS
    out = []
    for key, by_kernel in rows_of(records, "wall"):
        row = new_row("wall", key, by_kernel, problems)
        for k in KERNELS:
            recs = by_kernel[k]
            if 0 < len(recs) < least:
                problems.add(f"wall row {rowname(*key)}: {len(recs)} {k} boot(s), fewer than {least}")
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
        if host and len(row["pairs"]) == 1:
            # One run of each kernel: the range is over their timed runs,
            # the fastest of one against the slowest of the other.
            s = [r["wall_ns"] for r in by_kernel["stock"][row["pairs"][0]["stock_boot"]]["runs"]]
            p = [r["wall_ns"] for r in by_kernel["patched"][row["pairs"][0]["patched_boot"]]["runs"]]
            row["ratio_min"], row["ratio_max"] = min(s) / max(p), max(s) / min(p)
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


def analyse_latency(records, boots, problems):
    """fio's completion-latency percentiles per row and kernel: the median
    over the kernel's boots of each percentile (on cost boots, guest ns are
    instructions, the same from boot to boot), and stock/patched of each."""
    order = boot_order(boots)
    out = []
    for key, by_kernel in rows_of(records, "latency"):
        row = new_row("latency", key, by_kernel, problems)
        for k in KERNELS:
            recs = by_kernel[k]
            names = sorted_boots(recs, order)
            row[k] = {"boots": names, "ios": recs[names[0]]["ios"] if names else None}
            for p in LATENCY_PCTS:
                v = [recs[b]["clat_ns"][p] for b in names]
                row[k][p] = statistics.median(v) if v else None
        row["ratio"] = {p: row["stock"][p] / row["patched"][p]
                        if row["stock"].get(p) and row["patched"].get(p) else None
                        for p in LATENCY_PCTS}
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
    rows = [r for r in cost if r["headline"] and r["ratio"]]
    nullb = [r for r in rows if is_nullb(r)]
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
    rows = [r for r in counts if r["headline"]
            and r["stock"]["per_gib"] and r["patched"]["per_gib"]]
    nullb = [r for r in rows if is_nullb(r)]
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
    pick = [r for r in rows if r["headline"] and not is_nullb(r)]
    return pick or [r for r in rows if not is_user_write(r)][:4]


def verdict_wall(wall, host=False):
    rows = verdict_rows_wall(wall)
    if not rows:
        return "Wall clock: no stock-versus-patched wall-clock rows in this run."
    npairs = span([len(r["pairs"]) for r in rows], str)
    scen = {r["scenario"] for r in rows}
    headline = all(r["headline"] for r in rows)
    what = short_scenario(rows[0]["scenario"]) if headline else ", ".join(sorted(scen))
    if host and max(len(r["pairs"]) for r in rows) == 1:
        how = ("on the running kernels (stock time / patched time of the runs' medians,"
               " [fastest–slowest] over the runs): ")
    elif host:
        how = (f"on the running kernels (stock time / patched time, median [min–max] over {npairs}"
               " pairs of runs, each run on its own boot): ")
    else:
        how = f"under plain TCG (stock time / patched time, median [min–max] over {npairs} ABBA boot pairs): "
    return (f"Wall clock of {what} {how}"
            + "; ".join(wall_phrase(r) if headline else f"{r['scenario']} on {wall_phrase(r)}"
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
    cands = [r for r in cost if r["device"] == device and (r["scenario"] == "pmdzero-ioctl" or r["headline"])
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


def verdict(cost, counts, wall, kill, host=False):
    """host: a comparison of two runs on running kernels (bench-host.sh)."""
    return [verdict_cost(cost), verdict_counts(counts), verdict_wall(wall, host),
            verdict_kill(kill), verdict_user(cost, wall)]




def same_operation(cost):
    """pmdzero zero -e ioctl against blkdiscard -z: the same BLKZEROOUT
    issued by two tools must cost the same (within SAME_OP_LIMIT_PCT)."""
    rows = {(r["device"], r["scenario"]): r for r in cost}
    out = []
    for r in cost:
        if not r["headline"] or (r["device"], "pmdzero-ioctl") not in rows:
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
