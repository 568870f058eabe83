# SPDX-License-Identifier: GPL-2.0-or-later
"""Render: summary.md from the analysed summary."""
import shutil

from .analyse import blkzeroout_reference, same_operation
from .common import (AGREEMENT_LIMIT_PCT, GIB, KERNELS, LATENCY_PCTS, METHODS, SAME_OP_LIMIT_PCT, fm,
                     fnum, fs, fx, is_nullb, is_user_write)


def table(head, align, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
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


def md_user(cost):
    """Each user-space way of writing zeroes against BLKZEROOUT on the same
    device and kernel: what a lever (huge pages, fixed buffers, vectored
    writes, a registered file) buys, and what is left to the kernel's own
    zeroing."""
    rows = []
    for r in cost:
        if not (is_user_write(r) and is_nullb(r)):
            continue
        ref = blkzeroout_reference(cost, r["device"], r["method"])
        if not ref:
            continue
        cells = [r["device_label"], r["scenario"], r["method"]]
        cells += [fm(r[k]["mean"]) for k in KERNELS]
        cells += [f"{fm(ref[k]['mean'])} ({fx(r[k]['mean'] / ref[k]['mean'])})" for k in KERNELS]
        rows.append(cells)
    if not rows:
        return ["No user-space write rows on null_blk in this run."]
    return table(["device", "scenario", "method", "stock M/GiB", "patched M/GiB",
                  "BLKZEROOUT stock (this row ×)", "BLKZEROOUT patched (this row ×)"],
                 ["---", "---", "---", "--:", "--:", "--:", "--:"], rows) + [
        "", "M guest instructions per GiB, mean of the boots; BLKZEROOUT: pmdzero-ioctl (or the"
        " headline row) on the same device; in brackets, this row's cost as a multiple of it."]


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


def md_wall(wall, host=False):
    if not wall:
        return ["No wall-clock rows."]
    rows = []
    for r in wall:
        rng = lambda n: (f"{fx(r[n + '_median'])} [{fx(r[n + '_min'])}–{fx(r[n + '_max'])}]"
                         if r[n + "_median"] is not None else "-")
        rows.append([r["device_label"], r["scenario"], fnum(r["stock_mib_s"]), fnum(r["patched_mib_s"]),
                     rng("ratio"), len(r["pairs"]), rng("cpu_ratio"),
                     "" if r["clear"] else "no clear difference"])
    if host and max(len(r["pairs"]) for r in wall) > 1:
        note = ("MiB/s: median over the kernel's runs of each run's median.  Ratios: one per"
                " pair of runs (a stock and a patched run, each on its own boot, paired as"
                " given), stock median over patched median (> 1: patched faster), median"
                " [min–max] over the pairs; CPU = the busy time of every CPU while the command"
                " ran (/proc/stat: interrupts and softirqs included, 10 ms ticks).  \"No clear"
                " difference\": the pairs' range includes 1.")
    elif host:
        note = ("MiB/s: the median run of each kernel.  Ratio: stock median over patched median"
                " (> 1: patched faster), [min–max]: the fastest stock run over the slowest patched"
                " one and the reverse; CPU = the busy time of every CPU while the command ran"
                " (/proc/stat: interrupts and softirqs included, 10 ms ticks).  \"No clear"
                " difference\": the range includes 1.")
    else:
        note = ("MiB/s: median over the kernel's boots of each boot's median run.  Ratios:"
                " one per ABBA pair of consecutive boots, stock median over patched median"
                " (> 1: patched faster); CPU = the zeroing task's own CPU time."
                "  \"No clear difference\": the pairs' range includes 1.")
    return table(["device", "scenario", "stock MiB/s", "patched MiB/s",
                  "time stock/patched, median [min–max]", "pairs",
                  "CPU stock/patched, median [min–max]", "note"],
                 ["---", "---", "--:", "--:", "--:", "--:", "--:", "---"], rows) + ["", note]


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


def md_latency(latency, host=False):
    if not latency:
        return ["Not measured in this run."]
    names = {"p50": "p50", "p99": "p99", "p99_9": "p99.9"}
    head = ["device", "scenario", "calls"] + [f"{k} {names[p]}" for k in KERNELS for p in LATENCY_PCTS]
    head += [f"stock/patched {names[p]}" for p in LATENCY_PCTS]
    rows = []
    for r in latency:
        cells = [r["device_label"], r["scenario"], fnum(r["patched"]["ios"] or 0)]
        cells += [fnum(r[k][p] / 1000) if r[k][p] is not None else "-" for k in KERNELS for p in LATENCY_PCTS]
        cells += [fx(r["ratio"][p]) if r["ratio"][p] else "-" for p in LATENCY_PCTS]
        rows.append(cells)
    if host:
        note = ("fio's completion latency of each call (fio-jobs/zero-kernel.fio; an io_uring"
                " section of zero-write.fio), in µs, on the running kernel; median over the"
                " kernel's runs where there are several.")
    else:
        note = ("fio's completion latency of each zeroing call (fio-jobs/zero-kernel.fio), in thousands of"
                " guest ns: on a cost boot, thousands of guest instructions per call.  Median over the"
                " kernel's boots.")
    return table(head, ["---", "---"] + ["--:"] * (len(head) - 2), rows) + ["", note]


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


def md_boots(boots, host=False):
    if not boots:
        return ["No boots.json."]
    if host:
        # bench-host.sh --compare knows the pairs, not when each run ran.
        rows = [[(b.get("order", 0) + 1) // 2 or "-", b["boot"], b.get("kernel", "-"), b.get("seconds", "-")]
                for b in boots]
        return table(["pair", "run (its --label)", "kernel", "seconds of the run"],
                     ["--:", "---", "---", "--:"], rows) + [
            "", "Each pair: a stock run and a patched run, each on its own boot, consecutive"
            " boots of one machine (make realmachine boots them in ABBA order)."]
    la = lambda v: " / ".join(f"{x:.2f}" for x in v) if isinstance(v, list) else "-"
    rows = [[b.get("order", "-"), b["boot"], b.get("kernel", "-"), b.get("mode", "-"),
             b.get("seconds", "-"), la(b.get("loadavg_before")), la(b.get("loadavg_after"))]
            for b in boots]
    return table(["order", "boot", "kernel", "mode", "seconds", "host loadavg before (1/5/15 min)",
                  "after"], ["--:", "---", "---", "---", "--:", "--:", "--:"], rows) + [
        "", "Cost figures do not depend on host load; wall-clock figures do: a pair with"
        " a loaded boot is the first suspect of an outlying ratio."]


def md_how_host(host):
    g = lambda k: host.get(k, "-")
    pairs = int(host.get("pairs", 1))
    runs = ("one run on each running kernel:" if pairs == 1 else
            f"{pairs} runs on each running kernel, each on its own boot, paired as given:")
    return [
        f"- **Runs**: fio-jobs/bench-host.sh, {runs}"
        f" stock `{g('stock_kernel')}` (label {g('stock_label')}{'' if pairs == 1 else ', ...'}),"
        f" patched `{g('patched_kernel')}` (label {g('patched_label')}{'' if pairs == 1 else ', ...'}); device"
        f" {g('patched_device_label')}, write_zeroes_max_bytes {g('patched_write_zeroes_max_bytes')},"
        f" max_sectors_kb {g('patched_max_sectors_kb')}; {g('patched_size')} bytes per run,"
        f" {g('patched_runs')} timed runs per row.",
        "- **Counts** come from a separate traced run (`pmdzero trace --writes`), so tracing"
        " stays out of the timings.",
        "- **Wall clock and CPU**: each timed run of the command; CPU from /proc/stat, the busy"
        " time of every CPU while it ran.  Instructions (cost rows) where `perf stat -a`"
        f" counts them: stock {g('stock_perf_instructions')}, patched {g('patched_perf_instructions')}.",
        f"- **Machine**: {g('patched_cpu_model')}, {g('patched_cpus')} CPUs; {g('patched_pmdzero')},"
        f" {g('patched_fio')}; static folio line: stock '{g('stock_static_folio')}',"
        f" patched '{g('patched_static_folio')}'.",
    ]


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
    host = summary.get("host_runs", False)
    md = [f"# pmdzero: stock versus patched Linux 6.12{', on running kernels' if host else ''}", ""]
    md += [f"{i}. {line}" for i, line in enumerate(summary["verdict"], 1)]
    if summary["problems"]:
        md += ["", "## Missing or inconsistent data (--allow-partial)", ""]
        md += [f"- {p}" for p in summary["problems"]]
    sections = [
        ("Cost: M instructions per GiB (perf stat -a)" if host else
         "Cost: M guest instructions per GiB", md_cost(summary["cost"])),
        ("User-space zero writes against BLKZEROOUT", md_user(summary["cost"])),
        ("Counts per GiB", md_counts(summary["counts"])),
        ("Wall clock", md_wall(summary["wall"], host)),
        ("Kill latency", md_kill(summary["kill"])),
        ("fio completion latency of kernel zeroing", md_latency(summary.get("latency", []), host)),
        ("Memory", md_meminfo(summary["meminfo"])),
        ("Runs" if host else "Host load per boot", md_boots(summary["boots"], host)),
        ("How this was measured", md_how_host(summary["host"]) if host else
         md_how(summary["host"], summary["boots"])),
        ("Count definitions", COUNT_DEFINITIONS),
    ]
    for title, body in sections:
        md += ["", f"## {title}", ""] + body
    figs = [f"`{n}.svg`" for n in ("cost", "wall", "latency") if summary["figures"].get(n)]
    if figs:
        md += ["", "Figures: " + ", ".join(figs) + " (and .png; regenerate with `gnuplot NAME.gp` here)."]
    elif not shutil.which("gnuplot"):
        md += ["", "Figures: not drawn, gnuplot is not installed (`gnuplot cost.gp wall.gp latency.gp` here draws them)."]
    return "\n".join(md) + "\n"
