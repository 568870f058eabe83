#!/usr/bin/env python3
"""The memory table of kernel/experiments/memcost/run.sh.

    table.py ALL.DATA TABLE.JSON > table.txt

ALL.DATA: one meminfo record per boot, tagged with kernel (option-off or
patched), setup, append, mem and boot.  Per set-up: what the patched
kernel's boot log said of the static folio, and patched minus option-off
in KiB for MemTotal, MemFree and MemAvailable (each kernel's mean over its
boots), with the widest spread between boots of one kernel.
"""
import json
import sys
from collections import defaultdict

FIELDS = ("mem_total_kib", "mem_free_kib", "mem_available_kib", "pcp_free_kib")
KERNELS = ("option-off", "patched")
SETUP_WORDS = {"transparent_hugepage=never": "THP never",
               "static_pmd_zero_page=off": "param off"}
# The boot log's words, short enough for a 72-column table.
SHORT = {"not allocated: static_pmd_zero_page=off": "no: boot param",
         "not allocated: less than 512 MiB of RAM": "no: < 512 MiB"}


def main():
    data, out_json = sys.argv[1:3]
    recs = [json.loads(line) for line in open(data) if line.strip()]
    by = defaultdict(list)
    order = []
    for r in recs:
        if r["setup"] not in order:
            order.append(r["setup"])
        by[(r["setup"], r["kernel"])].append(r)
    rows, summary = [], []
    for s in order:
        boots = {k: by[(s, k)] for k in KERNELS}
        missing = [k for k in KERNELS if not boots[k]]
        if missing:
            sys.exit(f"memcost: set-up {s} has no boot of {', '.join(missing)}")
        mean = {k: {f: sum(r[f] for r in boots[k]) / len(boots[k]) for f in FIELDS} for k in KERNELS}
        # How far two boots of one kernel differ in free memory, wherever
        # it sits (MemFree alone moves with the per-CPU lists).
        free = lambda r: r["mem_free_kib"] + r["pcp_free_kib"]
        spread = max(max(map(free, boots[k])) - min(map(free, boots[k])) for k in KERNELS)
        diff = {f: round(mean["patched"][f] - mean["option-off"][f]) for f in FIELDS}
        # Free memory wherever it sits: the buddy lists and the per-CPU lists.
        diff["free_with_pcp_kib"] = diff["mem_free_kib"] + diff["pcp_free_kib"]
        folios = sorted({r.get("static_folio", "") for r in boots["patched"]})
        if len(folios) != 1:
            sys.exit(f"memcost: the patched boots of {s} disagree on the folio: {folios}")
        first = boots["patched"][0]
        setup = f"{first['mem']}" + (f", {SETUP_WORDS.get(first['append'], first['append'])}"
                                     if first["append"] else "")
        summary.append({"setup": s, "mem": first["mem"], "append": first["append"],
                        "static_folio": folios[0], "difference_kib": diff,
                        "boots": {k: len(boots[k]) for k in KERNELS},
                        "widest_boot_spread_kib": spread, "mean_kib": mean})
        rows.append([setup, SHORT.get(folios[0], folios[0]) or "(nothing logged)",
                     str(diff["mem_total_kib"]), str(diff["mem_free_kib"]),
                     str(diff["pcp_free_kib"]), str(diff["free_with_pcp_kib"]), str(spread)])
    head = ["boot", "static folio", "MemTotal", "MemFree", "per-CPU", "free", "spread"]
    cells = [head] + rows
    w = [max(len(r[i]) for r in cells) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w[i]) if i < 2 else c.rjust(w[i]) for i, c in enumerate(r)).rstrip()
    print(fmt(head))
    print("  ".join("-" * x for x in w))
    for r in rows:
        print(fmt(r))
    print()
    print("KiB, patched minus option-off, mean of each kernel's boots.  static")
    print("folio: what the patched boot logged; per-CPU: free pages on the")
    print("per-CPU lists, which MemFree leaves out (the pagesets' count in")
    print("/proc/zoneinfo); free: MemFree + per-CPU; spread: the widest")
    print("difference in free between two boots of one kernel.")
    json.dump(summary, open(out_json, "w"), indent=1)


if __name__ == "__main__":
    main()
