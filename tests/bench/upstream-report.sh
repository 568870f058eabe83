#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fio-jobs/benchreport/upstream.py (make bench-upstream's report) on a run
# made up here, whose every figure is known: the cost table (mean of the
# boots), counts per GiB, kill latency, the memory rows against each
# base's kernel without the folio, and the verdict's lines; then data it
# must refuse (a kernel missing, cost boots 3% apart, counts that differ
# between boots).  One PASS/FAIL line per check, exit 1 if any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
report=$top/fio-jobs/benchreport/upstream.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS bench/upstream-report-$1"; }
fail() { echo "FAIL bench/upstream-report-$1: $2"; failed=1; }

# make RAW PYTHON: the made-up run, edited by PYTHON (it sees recs).
make_run() {
	mkdir -p "$1"
	python3 - "$1" "$2" <<'PY'
import json, os, sys
d, code = sys.argv[1:3]
GIB = 1 << 30
B = 4 * GIB
devs = ["nullb-default", "nullb-max16384", "nullb-max16384-8m", "nullb-virt-boundary"]
# M instructions per GiB, per kernel and device; two boots, +0.5% and -0.5%.
cost = {"stock": [300, 240, 240, 300], "patched": [70, 11, 5, 70],
        "upstream-off": [310, 250, 250, 310], "upstream-on": [72, 11.1, 4, 72],
        "mainline": [72, 11.1, 5, 72]}
# bios, requests per GiB.
counts = {"stock": (1024, 9216), "patched": (129, 8225), "upstream-off": (1024, 9216),
          "upstream-on": (2, 8226), "mainline": (129, 8225)}
kill = {"stock": [0.1, 0.12, 0.11], "patched": [0.14, 0.15, 0.14], "upstream-off": [0.1, 0.1, 0.1],
        "upstream-on": [7.2, 7.3, 7.2], "mainline": [0.15, 0.14, 0.15]}
# free KiB after boot (MemFree + pcp) per set-up: the folio costs 2048 KiB
# where it is allocated.
free = {"3g": 2900000, "2g-thp-never": 1900000, "384m": 300000}
has_folio = {"stock": set(), "upstream-off": set(), "patched": {"3g", "2g-thp-never"},
             "upstream-on": {"3g", "2g-thp-never"}, "mainline": {"3g", "2g-thp-never"}}
recs = []
for k in cost:
    for i, f in ((1, 1.005), (2, 0.995)):
        for j, dev in enumerate(devs):
            base = {"kernel": k, "boot": f"{k}-cost-{i}", "setup": "3g", "scenario": "blkdiscard-z",
                    "device": dev, "bytes": B}
            recs.append({**base, "kind": "cost", "ns": cost[k][j] * 1e6 * 4 * f})
            recs.append({**base, "kind": "counts", "bios": counts[k][0] * 4, "requests": counts[k][1] * 4})
    for s in free:
        cut = 2048 if s in has_folio[k] else 0
        recs.append({"kernel": k, "kind": "meminfo", "setup": s, "mem_free_kib": free[s] - cut - 1000,
                     "pcp_free_kib": 1000})
        if s != "3g":
            recs.append({"kernel": k, "kind": "counts", "setup": s, "scenario": "blkdiscard-z",
                         "device": "nullb-default", "bytes": B,
                         "bios": (counts[k][0] if s in has_folio[k] else 1024) * 4, "requests": 0})
    recs.append({"kernel": k, "kind": "kill", "setup": "3g", "latency_s": kill[k]})
exec(code)
with open(os.path.join(d, "all.data"), "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in recs)
with open(os.path.join(d, "host"), "w") as f:
    f.write("".join(f"kernel {k}: made-up\n" for k in cost) + "seconds: made up\n")
PY
}

make_run "$tmp/good" ""
if out=$(python3 "$report" "$tmp/good" "$tmp/good-out" 2>&1); then
	pass runs
	md=$tmp/good-out/summary.md
	# want NAME TEXT: summary.md holds the line TEXT.
	want() { grep -qxF -- "$2" "$md" && pass "$1" || fail "$1" "no line '$2' in: $(cat "$md")"; }
	want cost "| nullb-default | 300.0 | 70.0 | 310.0 | 72.0 | 72.0 |"
	want cost-small "| nullb-max16384-8m | 240.0 | 5.00 | 250.0 | 4.00 | 5.00 |"
	want counts "| nullb-default | 1024 / 9216 | 129 / 8225 | 1024 / 9216 | 2 / 8226 | 129 / 8225 |"
	want kill "| latency | 0.10, 0.12, 0.11 | 0.14, 0.15, 0.14 | 0.10, 0.10, 0.10 | 7.20, 7.30, 7.20 | 0.15, 0.14, 0.15 |"
	want memory "| 2 GiB, THP never | 0 KiB, 1024 | 2048 KiB, 129 | 0 KiB, 1024 | 2048 KiB, 2 | 2048 KiB, 129 |"
	want memory-small "| 384 MiB | 0 KiB, 1024 | 0 KiB, 1024 | 0 KiB, 1024 | 0 KiB, 1024 | 0 KiB, 1024 |"
	want verdict-cost "- Cost, 6.12 + ours against 7.2 on: cheaper on nullb-default (70.0 vs 72.0 M/GiB, -2.8%), nullb-virt-boundary (70.0 vs 72.0 M/GiB, -2.8%); within 1.0% on nullb-max16384 (11.0 vs 11.1 M/GiB, -0.9%); dearer on nullb-max16384-8m (5.00 vs 4.00 M/GiB, +25.0%)."
	want verdict "Against upstream 7.2 with its option on, 6.12 + ours is ahead on kill latency (0.15 vs 7.30 s) and on cost at nullb-default, nullb-virt-boundary; behind on cost at nullb-max16384-8m; even (within 1.0%) on cost at nullb-max16384; memory (within 256 KiB) and where the folio serves zeroing: the same in every set-up."
	want verdict-bases "- The bases without the folio: 7.2 off costs +3.3% to +4.2% against 6.12 stock; at nullb-max16384 each kernel keeps its default request cap (8225 requests per GiB on 6.12 + ours, 8226 on 7.2 on)."
	want verdict-kill "- Kill latency (SIGKILL of blkdiscard -z at 64 MiB/s): 6.12 + ours at most 0.15 s, 7.2 on at most 7.30 s, 7.2 off at most 0.10 s."
	want verdict-384m "- 384 MiB: the 2 MiB folio serves zeroing on no kernel; memory it costs: 6.12 + ours 0 KiB, 7.2 on 0 KiB, 7.2 on + ours 0 KiB."
else
	fail runs "$out"
fi

# Upstream without the folio under THP never: the verdict says where.
make_run "$tmp/thp" '
for r in recs:
    if r["kernel"] == "upstream-on" and r["setup"] == "2g-thp-never":
        if r["kind"] == "meminfo":
            r["mem_free_kib"] += 2048
        elif r["kind"] == "counts":
            r["bios"] = 4096'
if python3 "$report" "$tmp/thp" "$tmp/thp-out" > /dev/null 2>&1 &&
	grep -q "memory (within 256 KiB) and where the folio serves zeroing: the same but at 2 GiB, THP never: 7.2 on uses ZERO_PAGE, 0 KiB; ours zeroes through the folio, 2048 KiB\.$" "$tmp/thp-out/summary.md" &&
	grep -qxF -- "- 2 GiB, THP never: the 2 MiB folio serves zeroing on 6.12 + ours, 7.2 on + ours; memory it costs: 6.12 + ours 2048 KiB, 7.2 on 0 KiB, 7.2 on + ours 2048 KiB." "$tmp/thp-out/summary.md"; then
	pass verdict-memory-differs
else
	fail verdict-memory-differs "$(grep -i "memory\|THP never" "$tmp/thp-out/summary.md" 2>&1)"
fi

# refused NAME MESSAGE PYTHON: the report exits 1, naming MESSAGE.
refused() {
	make_run "$tmp/$1" "$3"
	if out=$(python3 "$report" "$tmp/$1" "$tmp/$1-out" 2>&1); then
		fail "refuses-$1" "exit 0"
	elif [[ $out != *"$2"* ]] || [ -e "$tmp/$1-out/summary.md" ]; then
		fail "refuses-$1" "wanted '$2' and nothing written, got: $out"
	else
		pass "refuses-$1"
	fi
}
refused missing-kernel "mainline: no data" 'recs[:] = [r for r in recs if r["kernel"] != "mainline"]'
refused disagreeing-boots "upstream-on nullb-default: cost boots 3.0% apart" '
for r in recs:
    if r["kind"] == "cost" and r["kernel"] == "upstream-on" and r["device"] == "nullb-default":
        r["ns"] *= 1.01 if r["boot"].endswith("-1") else 0.99'
refused differing-counts "patched nullb-max16384: counts differ" '
for r in recs:
    if r["kind"] == "counts" and r["kernel"] == "patched" and r.get("device") == "nullb-max16384" and r["boot"].endswith("-2"):
        r["requests"] += 4'
exit $failed
