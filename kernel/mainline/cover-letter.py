#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fill the mainline series' cover letter (kernel/mk-cover-letter.sh --base
7.2): the text of cover-letter.in, its @MARKS@ replaced by tables from
results/upstream/summary.json (make bench-upstream).

    cover-letter.py COVER_PATCH TEMPLATE SUMMARY_MD SUBJECT
"""
import json
import os
import sys
import textwrap

cover, template, summary, subject = sys.argv[1:5]
text = open(template).read().split("\n", 2)[2]   # drop SUBJECT line + blank
data = json.load(open(os.path.join(os.path.dirname(summary), "summary.json")))

KERNELS = ("stock", "patched", "upstream-off", "upstream-on", "mainline")
SHORT = {"stock": "6.12", "patched": "6.12+", "upstream-off": "7.2 off",
         "upstream-on": "7.2 on", "mainline": "7.2 on+"}
DEVICES = {"nullb-default": "255-sector rq", "nullb-max16384": "default cap",
           "nullb-max16384-8m": "8 MiB rq", "nullb-virt-boundary": "virt_boundary"}
MEM = {"3g": "3 GiB", "2g-thp-never": "2 GiB, THP never", "384m": "384 MiB"}


def table(head, rows):
    """A plain-text table: first column left-aligned, the others right."""
    cells = [head] + rows
    w = [max(len(r[i]) for r in cells) for i in range(len(head))]

    def fmt(r):
        return "  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r)).rstrip()
    out = [fmt(head), "  ".join("-" * x for x in w)] + [fmt(r) for r in rows]
    assert max(map(len, out)) <= 72, "a cover-letter table is wider than 72 columns"
    return "\n".join(out)


def m(v):
    v /= 1e6
    return f"{v:.2f}" if v < 10 else f"{v:.1f}"


cost = table(["M instr/GiB"] + [SHORT[k] for k in KERNELS],
             [[DEVICES[d]] + [m(data["cost"][k][d]["per_gib"]) for k in KERNELS] for d in DEVICES])
counts = table(["requests/GiB"] + [SHORT[k] for k in KERNELS],
               [[DEVICES[d]] + [str(data["counts"][k][d]["requests"]) for k in KERNELS] for d in DEVICES])
bios = table(["bios/GiB"] + [SHORT[k] for k in KERNELS],
             [[DEVICES[d]] + [str(data["counts"][k][d]["bios"]) for k in KERNELS] for d in DEVICES])
kill = table(["kernel", "s from SIGKILL to reaped, 3 tries"],
             [[SHORT[k], ", ".join(f"{x:.2f}" for x in data["kill_latency_s"][k])] for k in KERNELS])
mem = table(["memory", "7.2 on: KiB", "bios/GiB", "7.2 on+: KiB", "bios/GiB"],
            [[MEM[s]] + [v for k in ("upstream-on", "mainline")
                         for v in (str(data["memory"][k][s].get("cost_kib", 0)),
                                   str(data["memory"][k][s]["bios_per_gib"]))] for s in MEM])
agree = max(c["agreement_pct"] for k in KERNELS for c in data["cost"][k].values())
verdict = "\n".join(textwrap.fill(v.lstrip("- "), 72, initial_indent=" - ", subsequent_indent="   ",
                                  break_on_hyphens=False) for v in data["verdict"])
kernels = "\n".join(f"  {SHORT[k]:8} {data['kernels'][k]}" for k in KERNELS)
for mark, value in {"@COST@": cost, "@COUNTS@": counts, "@BIOS@": bios, "@KILL@": kill,
                    "@MEM@": mem, "@AGREE@": f"{agree:.2f}%", "@VERDICT@": verdict,
                    "@KERNELS@": kernels}.items():
    text = text.replace(mark, value)
text = text.replace("\u2013", "-").replace("\u2212", "-").replace("\u00d7", "x")
c = open(cover).read()
c = c.replace("*** SUBJECT HERE ***", subject.split("] ", 1)[1])
c = c.replace("*** BLURB HERE ***", text.rstrip("\n"))
open(cover, "w").write(c)
