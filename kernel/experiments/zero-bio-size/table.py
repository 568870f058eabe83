#!/usr/bin/env python3
"""The zero-bio-size tables, from the guests' DATA lines (run.sh): text
that fits a commit message.  Usage: table.py DIR_OF_DATA_FILES"""
import json, os, statistics, sys

out = sys.argv[1]
cost, kill, order = {}, {}, []
for name in sorted(os.listdir(out)):
    if not name.endswith(".data"):
        continue
    for line in open(os.path.join(out, name)):
        r = json.loads(line)
        c = r["candidate"]
        if c not in order:
            order.append(c)
        # Records of before the guests' record() had no kind.
        kind = r.get("kind") or ("candidate-cost" if "ns_per_gib" in r else "candidate-kill")
        if kind == "candidate-cost":
            cost[(c, r["setup"])] = r
        elif kind == "candidate-kill":
            kill[c] = r["kill_latency_s"]
# stock first, then the candidates in the order the experiment runs them.
order.sort(key=lambda c: c != "stock")

LABEL = {"stock": "stock, 1 MiB", "series-512m": "v1, 512 MiB",
         "add-loop-check": "v1 + check/vec", "one-request": "one request",
         "unaligned-8m": "8 MiB, no align"}
def label(c):
    if c.startswith("aligned-"):
        return c[8:-1] + " MiB, whole rq"
    return LABEL.get(c, c)

SETUPS = ["default", "max16384", "max16384-8m"]
def minstr(c, s):
    r = cost.get((c, s))
    return statistics.median(r["ns_per_gib"]) / 1e6 if r else None

print("  bio size          kill after 1 s   M instructions per GiB (vs v1)")
print("                    s, 3 tries       255 sectors  1280 KiB rq  8 MiB rq")
for c in order:
    k = kill.get(c)
    lat = f"{min(k):.2f}-{max(k):.2f}" if k else "-"
    cells = []
    for s in SETUPS:
        m, base = minstr(c, s), minstr("series-512m", s)
        if m is None:
            cells.append("-")
        elif base is None or c in ("stock", "series-512m"):
            cells.append(f"{m:.2f}")
        else:
            pct = round((m / base - 1) * 100)
            cells.append(f"{m:.2f} {pct:+d}%")
    print(f"  {label(c):<17} {lat:<16} {cells[0]:<12} {cells[1]:<12} {cells[2]}")
print()
print("  bios/splits/requests per GiB")
print("  bio size          255 sectors     1280 KiB rq     8 MiB rq")
for c in order:
    cells = []
    for s in SETUPS:
        r = cost.get((c, s))
        cells.append(f"{r['bios']}/{r['splits']}/{r['requests']}" if r else "-")
    print(f"  {label(c):<17} {cells[0]:<15} {cells[1]:<15} {cells[2]}")
# How repeatable the instruction counts were: the widest spread of a cell.
spread = max((max(r["ns_per_gib"]) - min(r["ns_per_gib"])) / min(r["ns_per_gib"])
             for r in cost.values())
runs = min(len(r["ns_per_gib"]) for r in cost.values())
print()
print(f"  (median of {runs} runs of 16 GiB per cell; widest spread in a cell {spread * 100:.1f}%)")
