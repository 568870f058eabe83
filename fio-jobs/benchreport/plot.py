# SPDX-License-Identifier: GPL-2.0-or-later
"""Plot: the cost and wall figures, drawn by gnuplot from OUT_DIR."""
import math
import os
import shutil
import subprocess
import sys

from .analyse import verdict_rows_wall
from .common import KERNELS, fx, is_user_write, short_scenario


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


def decades(vals):
    """A log-scale y range of whole decades with room above and below vals."""
    return (10 ** int(math.floor(math.log10(min(vals) / 2))),
            10 ** int(math.ceil(math.log10(max(vals) * 3))))


def cost_figure_rows(cost):
    rows = [r for r in cost if r["headline"] and r["ratio"]]
    if not rows:
        rows = [r for r in cost if r["ratio"] and not is_user_write(r)]
    return rows[:8]


def figure_cost(cost, outdir):
    rows = cost_figure_rows(cost)
    if not rows:
        return False
    one_scen = len({r["scenario"] for r in rows}) == 1
    vals = [r[k]["mean"] / 1e6 for r in rows for k in KERNELS]
    lo, hi = decades(vals)
    with open(os.path.join(outdir, "cost.dat"), "w") as f:
        f.write("# x label stock_M patched_M ratio ratio_y\n")
        for i, r in enumerate(rows):
            lab = r["device_label"] if one_scen else f"{r['device_label']}\n{r['scenario']}"
            s, p = r["stock"]["mean"] / 1e6, r["patched"]["mean"] / 1e6
            f.write(f"{i} {gp_str(lab)} {s:.6g} {p:.6g} {gp_str(fx(r['ratio']))} {max(s, p) * 1.35:.6g}\n")
    title = (f"Kernel zeroing ({short_scenario(rows[0]['scenario'])}): guest instructions per GiB,"
             " stock vs patched 6.12"
             if one_scen and rows[0]["headline"] else
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


def figure_latency(latency, outdir):
    """fio's completion latency of each kernel zeroing call, stock vs
    patched: the bar is p50, the whisker p50 to p99.9."""
    rows = [r for r in latency if all(r[k]["p50"] for k in KERNELS)][:8]
    if not rows:
        return False
    vals = [r[k][p] / 1e3 for r in rows for k in KERNELS for p in ("p50", "p99_9")]
    lo, hi = decades(vals)
    with open(os.path.join(outdir, "latency.dat"), "w") as f:
        f.write("# x label stock_p50 stock_p99_9 patched_p50 patched_p99_9 ratio_p50 ratio_y (thousand ns)\n")
        for i, r in enumerate(rows):
            s50, s999 = r["stock"]["p50"] / 1e3, r["stock"]["p99_9"] / 1e3
            p50, p999 = r["patched"]["p50"] / 1e3, r["patched"]["p99_9"] / 1e3
            f.write(f"{i} {gp_str(r['device_label'] + chr(10) + r['scenario'])} {s50:.6g} {s999:.6g}"
                    f" {p50:.6g} {p999:.6g} {gp_str(fx(r['ratio']['p50']))} {max(s999, p999) * 1.5:.6g}\n")
    plot = f"""\
set title 'fio driving kernel zeroing: completion latency per call, stock vs patched 6.12' noenhanced
set ylabel 'thousand guest ns per call, log scale (cost boots: thousand instructions)'
set xlabel 'bar: p50, whisker: p50 to p99.9; number above each pair: stock/patched at p50' offset 0,-1.2
set bmargin 6
set logscale y
set yrange [{lo}:{hi}]
set xrange [-0.6:{len(rows) - 0.4}]
set grid ytics
set key top right
set style fill solid 0.85 border -1
set xtics noenhanced scale 0 font ',11'
set xtics ({", ".join(f"{gp_str(r['device_label'] + chr(10) + r['scenario'])} {i}" for i, r in enumerate(rows))})
bw = 0.36
plot 'latency.dat' using ($1-bw/2):3:($1-bw):($1):({lo}):3 with boxxyerror lc rgb '#d62728' title 'stock', \\
     '' using ($1+bw/2):5:($1):($1+bw):({lo}):5 with boxxyerror lc rgb '#1f77b4' title 'patched', \\
     '' using ($1-bw/2):3:3:4 with yerrorbars lc rgb 'black' lw 1.5 pt 7 ps 0.6 notitle, \\
     '' using ($1+bw/2):5:5:6 with yerrorbars lc rgb 'black' lw 1.5 pt 7 ps 0.6 notitle, \\
     '' using 1:8:7 with labels font ',13' notitle
"""
    return run_gnuplot(outdir, "latency", TERMINALS.format(name="latency", plot=plot))
