#!/usr/bin/env python3
"""Turn the guest benchmark's DATA lines into the stock-versus-patched report.

    summarize.py ALL.data OUTDIR

Writes OUTDIR/summary.json, OUTDIR/summary.md, OUTDIR/plot.svg and, for the
fio jobs, OUTDIR/plot-fio.svg (plots when gnuplot is installed) and prints
the markdown tables.  Every figure is
computed from the measured runs: counts from the traced run, throughput and
system CPU as the median of the timed runs.
"""
import json
import os
import statistics
import subprocess
import sys

GIB = 1 << 30
MIB = 1 << 20


def load(path):
    scenarios, meminfo = [], {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if "meminfo" in rec:
                meminfo[rec["meminfo"]["kernel"]] = rec["meminfo"]
            else:
                scenarios.append(rec)
    return scenarios, meminfo


def metrics(rec):
    gib = rec["bytes"] / GIB
    walls = [r["wall_s"] for r in rec["runs"]]
    syss = [r["sys_s"] for r in rec["runs"]]
    wall = statistics.median(walls)
    out = {
        "scenario": rec["scenario"],
        "device": rec["device"],
        "kernel": rec["kernel"],
        "bytes": rec["bytes"],
        "runs": len(walls),
        "bios": rec["bios"],
        "requests": rec["requests"],
        "splits": rec["splits"],
        "merges": rec["merges"],
        "bios_per_gib": rec["bios"] / gib,
        "requests_per_gib": rec["requests"] / gib,
        "mib_per_s": (rec["bytes"] / MIB) / wall if wall > 0 else None,
        "wall_s_median": wall,
        "sys_cpu_s_per_gib": statistics.median(syss) / gib,
    }
    if "fio" in rec:
        # fio's own view of the same runs: job and CPU of its threads.
        out["fio"] = rec["fio"]
        for k in ("fio_usr_cpu_pct", "fio_sys_cpu_pct"):
            out[k] = statistics.median(r[k] for r in rec["runs"])
    return out


def fio_size(rows):
    sizes = sorted({r["bytes"] for r in rows if "fio" in r})
    return ", ".join(f"{b / GIB:g} GiB" for b in sizes)


def fio_iodepth(rows):
    return ", ".join(str(d) for d in sorted({r["fio"]["iodepth"] for r in rows if "fio" in r}))


def fmt(v, digits=1):
    if v is None:
        return "-"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.{digits}f}"
    return f"{int(v)}"


def ratio(p, s):
    if p is None or s in (None, 0):
        return None
    return p / s


def main():
    data, outdir = sys.argv[1], sys.argv[2]
    scenarios, meminfo = load(data)
    rows = [metrics(r) for r in scenarios]
    by_key = {(r["scenario"], r["device"], r["kernel"]): r for r in rows}
    keys = []
    for r in rows:
        k = (r["scenario"], r["device"])
        if k not in keys:
            keys.append(k)

    comparisons = []
    main_lines = [
        "| scenario | device | bios/GiB stock | bios/GiB patched | requests/GiB stock"
        " | requests/GiB patched | MiB/s stock | MiB/s patched | MiB/s ratio"
        " | sys CPU s/GiB stock | sys CPU s/GiB patched |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    fio_lines = [
        "| fio job | bs | device | bios/GiB stock | bios/GiB patched"
        " | requests/GiB stock | requests/GiB patched | MiB/s stock | MiB/s patched"
        " | MiB/s ratio | fio sys % stock | fio sys % patched"
        " | sys CPU s/GiB stock | sys CPU s/GiB patched |",
        "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for scen, dev in keys:
        s = by_key.get((scen, dev, "stock"))
        p = by_key.get((scen, dev, "patched"))
        g = lambda r, k: r[k] if r else None
        comp = {
            "scenario": scen,
            "device": dev,
            "mib_per_s_ratio": ratio(g(p, "mib_per_s"), g(s, "mib_per_s")),
            "bios_per_gib_ratio": ratio(g(p, "bios_per_gib"), g(s, "bios_per_gib")),
            "requests_per_gib_ratio": ratio(g(p, "requests_per_gib"), g(s, "requests_per_gib")),
            "sys_cpu_s_per_gib_ratio": ratio(g(p, "sys_cpu_s_per_gib"), g(s, "sys_cpu_s_per_gib")),
        }
        comparisons.append(comp)
        counts = (f" | {fmt(g(s, 'bios_per_gib'))} | {fmt(g(p, 'bios_per_gib'))}"
                  f" | {fmt(g(s, 'requests_per_gib'))} | {fmt(g(p, 'requests_per_gib'))}"
                  f" | {fmt(g(s, 'mib_per_s'))} | {fmt(g(p, 'mib_per_s'))}"
                  f" | {fmt(comp['mib_per_s_ratio'], 2)}")
        cpu = f" | {fmt(g(s, 'sys_cpu_s_per_gib'), 3)} | {fmt(g(p, 'sys_cpu_s_per_gib'), 3)} |"
        fio = (s or p).get("fio")
        if fio:
            fio_lines.append(
                f"| {fio['section']} | {fio['bs']} | {dev}" + counts
                + f" | {fmt(g(s, 'fio_sys_cpu_pct'))} | {fmt(g(p, 'fio_sys_cpu_pct'))}" + cpu)
        else:
            main_lines.append(f"| {scen} | {dev}" + counts + cpu)
    noise = same_work(comparisons, by_key)
    unpaired = [f"{scen} on {dev}" for scen, dev in keys
                if not (by_key.get((scen, dev, "stock")) and by_key.get((scen, dev, "patched")))]
    runs = lambda fio: "/".join(map(str, sorted({r["runs"] for r in rows if ("fio" in r) == fio})))
    md = ["# pmdzero: stock versus patched 6.12", "",
          f"Counts per GiB from one traced run; MiB/s and system CPU (system + irq +"
          f" softirq time, all CPUs) are medians of {runs(False)} untraced runs,"
          " both kernels booted in the same invocation on the same machine under QEMU.",
          ""] + main_lines
    if noise:
        md += ["", f"Same work on both kernels: in {len(noise['rows'])} of these rows both"
               " kernels issue exactly the same bios and requests, and their patched/stock"
               f" MiB/s ratios run from {noise['mib_per_s_ratio_min']:.2f} to"
               f" {noise['mib_per_s_ratio_max']:.2f} (median"
               f" {noise['mib_per_s_ratio_median']:.2f}): the boot-to-boot noise of this"
               " set-up, against which the other ratios are to be read.  Counts are exact."]
    if len(fio_lines) > 2:
        md += ["", "## fio zero-write jobs (fio-jobs/zero-write.fio)", "",
               f"{fio_size(rows)} per job, iodepth {fio_iodepth(rows)}; counts from the run made through"
               " fio-jobs/run-fio.sh (pmdzero trace); MiB/s is fio's own bandwidth"
               f" and fio sys % its threads' system CPU, medians of {runs(True)} plain fio runs.",
               ""] + fio_lines
    if unpaired:
        md += ["", "**Incomplete run**: no stock-versus-patched pair for "
               + ", ".join(unpaired) + "."]
    if meminfo:
        md += ["", "| kernel | MemTotal KiB | MemAvailable KiB after boot |", "|---|--:|--:|"]
        for k in ("stock", "patched"):
            if k in meminfo:
                md.append(f"| {k} | {meminfo[k]['mem_total_kib']} | {meminfo[k]['mem_available_kib']} |")
    text = "\n".join(md) + "\n"

    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(outdir, "summary.json"), "w") as f:
        json.dump({"scenarios": rows, "comparisons": comparisons,
                   "meminfo": meminfo, "noise": noise, "unpaired": unpaired}, f, indent=2)
        f.write("\n")
    is_fio = lambda k: "fio" in (by_key.get((*k, "stock")) or by_key.get((*k, "patched")))
    plot([k for k in keys if not is_fio(k)], by_key, outdir, "plot",
         "stock vs patched 6.12 (static PMD zero folio)")
    fio_keys = [k for k in keys if is_fio(k)]
    if fio_keys:
        plot(fio_keys, by_key, outdir, "plot-fio", "fio zero-write jobs, stock vs patched 6.12")
    sys.stdout.write(text)
    if unpaired:
        print(f"summarize: {len(unpaired)} scenario(s) ran on one kernel only", file=sys.stderr)
        return 1
    return 0


def same_work(comparisons, by_key):
    """The main-table rows in which both kernels did the same block I/O.

    Identical bios and requests mean the series changed nothing the block
    layer sees, so the spread of their MiB/s ratios is the measurement's
    own noise.  None when no such row exists.
    """
    rows = [c for c in comparisons
            if c["mib_per_s_ratio"] is not None
            and "fio" not in by_key[(c["scenario"], c["device"], "stock")]
            and c["bios_per_gib_ratio"] == 1 and c["requests_per_gib_ratio"] == 1]
    if not rows:
        return None
    r = sorted(c["mib_per_s_ratio"] for c in rows)
    return {"rows": [f"{c['scenario']} on {c['device']}" for c in rows],
            "mib_per_s_ratio_min": r[0], "mib_per_s_ratio_median": statistics.median(r),
            "mib_per_s_ratio_max": r[-1]}


def plot(keys, by_key, outdir, name, title):
    """Throughput and bios/GiB side by side, stock versus patched."""
    if not keys:
        return
    dat = os.path.join(outdir, name + ".dat")
    with open(dat, "w") as f:
        f.write("label mib_stock mib_patched bios_stock bios_patched\n")
        for scen, dev in keys:
            s = by_key.get((scen, dev, "stock"), {})
            p = by_key.get((scen, dev, "patched"), {})
            vals = [s.get("mib_per_s"), p.get("mib_per_s"),
                    s.get("bios_per_gib"), p.get("bios_per_gib")]
            f.write(f"\"{scen}\\n{dev}\" " + " ".join(
                "NaN" if v is None else f"{v:.3f}" for v in vals) + "\n")
    n = len(keys)
    script = f"""
set terminal svg size {max(900, (140 if n < 30 else 60) * n)},900 dynamic font 'sans,10'
set output '{os.path.join(outdir, name + ".svg")}'
set multiplot layout 2,1 title '{title}'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set xtics rotate by -30 noenhanced
set ylabel 'MiB/s (median)'
plot '{dat}' using 2:xtic(1) title 'stock', '' using 3 title 'patched'
set logscale y
set ylabel 'bios per GiB (log)'
plot '{dat}' using 4:xtic(1) title 'stock', '' using 5 title 'patched'
unset multiplot
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"summarize: no plot ({e})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
