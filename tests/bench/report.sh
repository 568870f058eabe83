#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fio-jobs/report.py on the hand-made run in tests/bench/data/, whose every
# figure is known (tests/bench/data/README.md): instructions per GiB, ratios
# and agreement of the cost boots (one row 2% apart, flagged), counts per
# GiB, the ABBA pairing of the wall boots, kill latency, the five-line
# verdict, the figures; then variants of it that must be refused (a row on
# one kernel only, a cost row with one boot, a wall row missing from one
# boot of a pair, a pair of two stock boots, ...).  One PASS/FAIL line per
# check, exit 1 if any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
data=$top/tests/bench/data
report=$top/fio-jobs/report.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS bench/report-$1"; }
fail() { echo "FAIL bench/report-$1: $2"; failed=1; }

variant() { # name python-code: a copy of the fixture, edited by the code
	# The code sees recs (all.data objects, in order), boots (boots.json),
	# drop(**match) and order(boot, n).
	mkdir -p "$tmp/$1"
	cp "$data/all.data" "$data/boots.json" "$data/host" "$tmp/$1/"
	python3 - "$tmp/$1" "$2" <<'PY'
import json, os, sys
d, code = sys.argv[1:3]
recs = [json.loads(l) for l in open(os.path.join(d, "all.data")) if l.strip()]
boots = json.load(open(os.path.join(d, "boots.json")))
def drop(**match):
    n = len(recs)
    recs[:] = [r for r in recs if any(r.get(k) != v for k, v in match.items())]
    assert len(recs) < n, f"variant: nothing matches {match}"
def order(boot, n):
    next(b for b in boots if b["boot"] == boot)["order"] = n
exec(code)
with open(os.path.join(d, "all.data"), "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in recs)
with open(os.path.join(d, "boots.json"), "w") as f:
    json.dump(boots, f)
PY
}
run() { # dir [--allow-partial]: report into dir/out; rc in dir/rc
	local dir=$1
	shift
	python3 "$report" "$@" "$dir" "$dir/out" > "$dir/stdout" 2> "$dir/stderr"
	echo $? > "$dir/rc"
}
check() { # name dir python-expression: d = summary.json, md = summary.md lines
	# Queued, and evaluated together by verify_checks (one Python start).
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$tmp/checks"
}
verify_checks() {
	python3 - "$tmp/checks" <<'PY' || failed=1
import json, sys
failed = 0
for line in open(sys.argv[1]):
    name, out, expr = line.rstrip("\n").split("\t", 2)
    out += "/out"
    try:
        d = json.load(open(out + "/summary.json"))
        md = open(out + "/summary.md").read().split("\n")
    except OSError as e:
        print(f"FAIL bench/report-{name}: {e}")
        failed = 1
        continue
    def near(a, b):
        return a is not None and abs(a - b) <= 1e-9 * max(1, abs(b))
    def row(kind, device, scenario):
        return next(r for r in d[kind] if r["device"] == device and r["scenario"] == scenario)
    def mdrow(*cells):
        """The markdown table line starting with these cells."""
        start = "| " + " | ".join(cells) + " |"
        return next((l for l in md if l.startswith(start)), "")
    try:
        ok = eval(expr, {"d": d, "md": md, "near": near, "row": row, "mdrow": mdrow, "out": out})
    except Exception as e:
        ok, expr = False, f"{expr} raised {e!r}"
    if ok:
        print(f"PASS bench/report-{name}")
    else:
        print(f"FAIL bench/report-{name}: {expr}")
        failed = 1
sys.exit(failed)
PY
}
refused() { # name dir message: exit 1, the message on stderr, nothing written
	if [ "$(cat "$2/rc")" = 1 ] && grep -qF -- "$3" "$2/stderr" && [ ! -e "$2/out/summary.md" ]; then
		pass "$1"
	else
		fail "$1" "want exit 1, '$3' on stderr and no summary.md; got exit $(cat "$2/rc"): $(head -c 400 "$2/stderr")"
	fi
}
refuses() { # name variant python-code message: the edited fixture is refused
	variant "$2" "$3"
	run "$tmp/$2"
	refused "$1" "$tmp/$2" "$4"
}

# ---- the complete run
mkdir -p "$tmp/full"
cp "$data/all.data" "$data/boots.json" "$data/host" "$tmp/full/"
run "$tmp/full"
if [ "$(cat "$tmp/full/rc")" = 0 ]; then
	pass complete-run-exits-0
else
	fail complete-run-exits-0 "exit $(cat "$tmp/full/rc"): $(cat "$tmp/full/stderr")"
	exit 1
fi
if cmp -s "$tmp/full/stdout" "$tmp/full/out/summary.md"; then
	pass stdout-is-summary-md
else
	fail stdout-is-summary-md "stdout differs from summary.md"
fi
F=$tmp/full

# Cost: guest ns x 2^30 / bytes, each boot; ratio of the means; agreement.
check cost-per-gib "$F" 'row("cost", "nullb-default", "blkdiscard-z")["stock"]["boots"] == {"stock-cost-1": 250e6, "stock-cost-2": 250e6} and row("cost", "nullb-default", "blkdiscard-z")["patched"]["boots"] == {"patched-cost-1": 12.5e6, "patched-cost-2": 12.5e6} and row("cost", "virtio-blk", "blkdiscard-z")["patched"]["mean"] == 30e6'
check cost-ratio "$F" 'near(row("cost", "nullb-default", "blkdiscard-z")["ratio"], 20) and near(row("cost", "nullb-max16384", "blkdiscard-z")["ratio"], 200.5 / 20) and near(row("cost", "nullb-default", "fallocate-zero-range")["ratio"], 2.5)'
check cost-agreement "$F" 'near(row("cost", "nullb-max16384", "blkdiscard-z")["stock"]["agreement_pct"], 100 / 200.5) and row("cost", "nullb-max16384", "blkdiscard-z")["stock"]["agrees"] and row("cost", "nullb-max16384", "blkdiscard-z")["deterministic"] and near(row("cost", "nullb-default", "fio-uring-8m")["patched"]["agreement_pct"], 50 / 72)'
check thresholds-recorded "$F" 'd["thresholds"] == {"agreement_limit_pct": 1.0, "same_operation_limit_pct": 10, "cost_boots_min": 2, "wall_boots_min": 3}'
check cost-method "$F" '[r["method"] for r in d["cost"] if r["device"] == "nullb-default"] == ["syscall", "syscall", "engine", "engine", "engine", "process"]'
check cost-flag-over-1pct "$F" 'near(row("cost", "nullb-default", "fallocate-zero-range")["patched"]["agreement_pct"], 2) and not row("cost", "nullb-default", "fallocate-zero-range")["patched"]["agrees"] and not row("cost", "nullb-default", "fallocate-zero-range")["deterministic"] and [r["scenario"] for r in d["cost"] if not r["deterministic"]] == ["fallocate-zero-range"]'
check cost-flag-in-table "$F" 'mdrow("null_blk default", "fallocate-zero-range", "syscall", "250.0", "250.0", "99.0", "101.0", "2.50x", "0.00% / **2.00% > 1%**") and mdrow("null_blk default", "blkdiscard-z", "syscall", "250.0", "250.0", "12.5", "12.5", "20.0x", "0.00% / 0.00%")'
check cost-order "$F" '[(r["device"], r["scenario"]) for r in d["cost"]][5:] == [("nullb-default", "fio-uring-8m"), ("nullb-max16384", "blkdiscard-z"), ("virtio-blk", "blkdiscard-z")]'

# Counts per GiB: integers stay integers, one decimal otherwise; boots that
# disagree are flagged.
check counts-per-gib "$F" 'row("counts", "nullb-default", "blkdiscard-z")["stock"]["per_gib"] == {"bios": 1024, "requests": 9216, "splits": 8192, "merges": 0, "bio_bytes": 1 << 30} and row("counts", "nullb-default", "blkdiscard-z")["patched"]["per_gib"] == {"bios": 129, "requests": 8226, "splits": 96.5, "merges": 0, "bio_bytes": 1 << 30} and type(row("counts", "nullb-default", "blkdiscard-z")["patched"]["per_gib"]["bios"]) is int'
check counts-table "$F" 'mdrow("null_blk default", "blkdiscard-z", "1024", "129", "9216", "8226", "8192", "96.5", "0", "0", "1.00", "1.00") and mdrow("null_blk default", "pmdzero-uring-vectored", "512", "512", "2048", "2048", "0", "0", "3", "3", "2.00", "2.00")'
check counts-disagreement "$F" 'row("counts", "nullb-default", "fio-uring-8m")["stock"]["differs"] == ["bios"] and (row("counts", "nullb-default", "fio-uring-8m")["stock"]["per_gib_min"]["bios"], row("counts", "nullb-default", "fio-uring-8m")["stock"]["per_gib_max"]["bios"]) == (1024, 1025) and not row("counts", "nullb-default", "fio-uring-8m")["deterministic"] and row("counts", "nullb-max16384", "blkdiscard-z")["deterministic"] and mdrow("null_blk default", "fio-uring-8m", "1024–1025", "1024").endswith("| **stock boots differ: bios** |")'

# Wall: consecutive boots in run order pair up; ratio stock/patched of the
# per-boot medians; median and range over the pairs.
pairs='[(p["stock_boot"], p["patched_boot"], p["ratio"], p["cpu_ratio"]) for p in row("wall", "nvme", "blkdiscard-z")["pairs"]]'
check wall-pairs "$F" "$pairs"' == [("stock-wall-1", "patched-wall-1", 2.0, 2.5), ("stock-wall-2", "patched-wall-2", 2.5, 2.0), ("stock-wall-3", "patched-wall-3", 1.6, 2.0)]'
check wall-median-range "$F" '(lambda r: (r["ratio_median"], r["ratio_min"], r["ratio_max"], r["cpu_ratio_median"], r["cpu_ratio_min"], r["cpu_ratio_max"], r["clear"]))(row("wall", "nvme", "blkdiscard-z")) == (2.0, 1.6, 2.5, 2.0, 2.0, 2.5, True)'
check wall-throughput "$F" '(lambda r: (r["stock_mib_s"], r["stock_mib_s_min"], r["stock_mib_s_max"], r["patched_mib_s"], r["patched_mib_s_min"], r["patched_mib_s_max"]))(row("wall", "nvme", "blkdiscard-z")) == (2048, 2048, 2560, 4096, 4096, 5120) and row("wall", "nvme", "blkdiscard-z")["stock"]["boots"]["stock-wall-1"]["wall_ns"] == 5e8'
check wall-no-clear-difference "$F" '(lambda r: (r["ratio_median"], r["ratio_min"], r["ratio_max"], r["clear"]))(row("wall", "virtio-blk", "blkdiscard-z")) == (1.0, 0.9, 1.1, False) and mdrow("virtio-blk", "blkdiscard-z", "2048", "2048", "1.00x [0.90x–1.10x]", "3").endswith("| no clear difference |") and mdrow("QEMU NVMe", "blkdiscard-z", "2048", "4096", "2.00x [1.60x–2.50x]", "3", "2.00x [2.00x–2.50x]")'
# The order field decides, not the position in boots.json.
variant shuffled 'boots.reverse()'
run "$tmp/shuffled"
check wall-pairs-by-order-field "$tmp/shuffled" "$pairs"' == [("stock-wall-1", "patched-wall-1", 2.0, 2.5), ("stock-wall-2", "patched-wall-2", 2.5, 2.0), ("stock-wall-3", "patched-wall-3", 1.6, 2.0)]'
# Run order S1 P1 P2 S3 S2 P3: the pairs follow it, whatever the names say.
variant reordered 'order("stock-wall-2", 9); order("stock-wall-3", 8)'
run "$tmp/reordered"
check wall-pairs-follow-run-order "$tmp/reordered" "$pairs"' == [("stock-wall-1", "patched-wall-1", 2.0, 2.5), ("stock-wall-3", "patched-wall-2", 2.0, 1.6), ("stock-wall-2", "patched-wall-3", 2.0, 2.5)]'

# The same BLKZEROOUT from two tools: pmdzero-ioctl 240 and 12 M against
# blkdiscard-z 250 and 12.5 M is -4.0% on both kernels, within 10%; at
# 300 M (stock, +20%) it is flagged.
check same-operation "$F" '[(x["kernel"], round(x["difference_pct"], 6), x["within_limit"]) for x in d["same_operation"]] == [("stock", -4.0, True), ("patched", -4.0, True)] and any(l.startswith("Same BLKZEROOUT, two tools:") and "at most 4.0%" in l for l in md)'
variant slow-ioctl 'for r in recs:
    if r["kind"] == "cost" and r["scenario"] == "pmdzero-ioctl" and r["kernel"] == "stock": r["ns"] = 1200000000'
run "$tmp/slow-ioctl"
check same-operation-flagged "$tmp/slow-ioctl" '[(x["kernel"], round(x["difference_pct"], 6), x["within_limit"]) for x in d["same_operation"]] == [("stock", 20.0, False), ("patched", -4.0, True)] and any(l.startswith("**WARNING: Same BLKZEROOUT") and "null_blk default stock +20.0%" in l for l in md)'

check kill "$F" '(lambda r: (r["stock"]["tries"], r["stock"]["median_s"], r["stock"]["max_s"], r["patched"]["tries"], near(r["patched"]["median_s"], 0.15), r["patched"]["max_s"]))(row("kill", "nullb-64mbps", "blkdiscard-z-sigkill")) == (4, 2.75, 4.0, 4, True, 0.3)'
check meminfo "$F" 'd["meminfo"]["difference_kib"] == {"mem_total_kib": 0, "mem_available_kib": -2048} and d["meminfo"]["patched"]["mem_available_kib"] == 2806928'
check boots-and-host "$F" '[b["boot"] for b in d["boots"]][:4] == ["stock-cost-1", "patched-cost-1", "patched-cost-2", "stock-cost-2"] and d["host"]["accel"] == "tcg" and d["problems"] == [] and mdrow("5", "stock-wall-1", "stock", "wall", "120", "1.10 / 0.90 / 0.50", "2.00 / 1.20 / 0.60")'
# User-space writes against BLKZEROOUT on the same device and kernel (the
# same timing method when there is one: pmdzero-ioctl for engine rows).
check user-table "$F" 'mdrow("null_blk default", "pmdzero-uring-vectored", "engine", "60.0", "60.0", "240.0 (0.25x)", "12.0 (5.00x)") and mdrow("null_blk default", "pmdzero-psync-vectored", "engine", "90.0", "90.0", "240.0 (0.38x)", "12.0 (7.50x)")'
# fio's latency percentiles of kernel zeroing: medians over boots, ratios.
check latency "$F" '(lambda r: (r["stock"]["p50"], r["stock"]["p99"], r["patched"]["p99_9"], r["patched"]["ios"], near(r["ratio"]["p50"], 4.1), near(r["ratio"]["p99_9"], 4e6 / 7e5)))(row("latency", "nullb-default", "fio-ioctl-8m")) == (2050000, 3000000, 700000, 512, True, True) and mdrow("null_blk default", "fio-ioctl-8m", "512", "2050", "3000", "4000", "500", "600", "700", "4.10x", "5.00x", "5.71x")'
refuses latency-without-percentiles latency-bad 'for r in recs:
    if r["kind"] == "latency": r["clat_ns"] = {"p50": 1}' "latency record needs clat_ns with p50, p99, p99_9"
check sections "$F" '[l[3:] for l in md if l.startswith("## ")] == ["Cost: M guest instructions per GiB", "User-space zero writes against BLKZEROOUT", "Counts per GiB", "Wall clock", "Kill latency", "fio completion latency of kernel zeroing", "Memory", "Host load per boot", "How this was measured", "Count definitions"]'

# The verdict: five sentences with the run's figures, right after the title.
check verdict-five-lines "$F" 'len(d["verdict"]) == 5 and all(v and "\n" not in v for v in d["verdict"])'
check verdict-opens-summary "$F" 'md[0].startswith("# ") and md[1] == "" and md[2:7] == [f"{i}. {v}" for i, v in enumerate(d["verdict"], 1)] and md[7] == ""'
check verdict-cost "$F" 'all(s in d["verdict"][0] for s in ("2 null_blk set-ups", "ratio 10.0x–20.0x", "stock 200.5–250.0 M instructions/GiB", "patched 12.5–20.0 M", "more than 1%", "fallocate-zero-range on null_blk default, patched, 2.00%"))'
check verdict-counts "$F" 'all(s in d["verdict"][1] for s in ("stock issues 1024 bios and 2048–9216 requests", "patched 129 bios and 903–8226 requests"))'
check verdict-wall "$F" 'all(s in d["verdict"][2] for s in ("over 3 ABBA boot pairs", "QEMU NVMe 2.00x [1.60x–2.50x] (CPU 2.00x)", "virtio-blk no clear difference (1.00x [0.90x–1.10x])"))'
check verdict-kill "$F" 'all(s in d["verdict"][3] for s in ("stock median 2.75 s, max 4.00 s", "patched median 0.15 s, max 0.30 s", "4/4 tries"))'
check verdict-user-space "$F" 'all(s in d["verdict"][4] for s in ("3 user-space write rows", "within 1%", "pmdzero-uring-vectored on null_blk default, costs 60.0 M instructions/GiB on the patched kernel, 5.00x BLKZEROOUT", "pmdzero-ioctl, 12.0 M"))'
variant agreeing 'drop(kind="cost", scenario="fallocate-zero-range")'
run "$tmp/agreeing"
check verdict-all-agree "$tmp/agreeing" '"every boot agreed within 1% (all 7 cost rows, 28 measurements)" in d["verdict"][0] and "WARNING" not in "\n".join(md)'
variant nokill 'drop(kind="kill")'
run "$tmp/nokill"
check verdict-absent-data "$tmp/nokill" 'len(d["verdict"]) == 5 and d["verdict"][3] == "Kill latency: not measured in this run." and md[2:7] == [f"{i}. {v}" for i, v in enumerate(d["verdict"], 1)]'

# The figures and the files that regenerate them.
if command -v gnuplot > /dev/null; then
	ok=1
	for f in cost wall latency; do
		[ -s "$F/out/$f.svg" ] && grep -q '<svg' "$F/out/$f.svg" &&
			[ "$(head -c 4 "$F/out/$f.png" | od -An -tx1 | tr -d ' \n')" = 89504e47 ] &&
			[ -s "$F/out/$f.gp" ] && [ -s "$F/out/$f.dat" ] || { ok=0; fail "figure-$f" "$f.svg/.png/.gp/.dat missing, empty or not SVG/PNG"; }
	done
	[ $ok = 1 ] && pass figures
	check figures-recorded "$F" 'd["figures"] == {"cost": True, "wall": True, "latency": True} and "20.0x" in open(out + "/cost.dat").read() and "4.10x" in open(out + "/latency.dat").read()'
else
	echo "SKIP bench/report-figures: gnuplot is not installed"
fi

# ---- refusals: exit 1, say why, write nothing
refuses refuses-one-kernel-row unpaired 'drop(kind="cost", kernel="patched", scenario="pmdzero-ioctl")' \
	"cost row pmdzero-ioctl on nullb-default: no patched record"
refuses refuses-cost-one-boot oneboot 'drop(kind="cost", boot="stock-cost-2", device="nullb-default", scenario="blkdiscard-z")' \
	"cost row blkdiscard-z on nullb-default: 1 stock boot, fewer than 2"
refuses refuses-wall-half-pair halfpair 'drop(kind="wall", boot="patched-wall-2", device="nvme", scenario="blkdiscard-z")' \
	"wall row blkdiscard-z on nvme: in boot stock-wall-2 but not in patched-wall-2, its pair"
refuses refuses-wall-two-boots twopairs 'drop(kind="wall", boot="stock-wall-3", device="nvme", scenario="blkdiscard-z"); drop(kind="wall", boot="patched-wall-3", device="nvme", scenario="blkdiscard-z")' \
	"wall row blkdiscard-z on nvme: 2 stock boot(s), fewer than 3"
refuses refuses-pair-of-one-kernel samekernel 'order("patched-wall-1", 8); order("stock-wall-2", 6)' \
	"wall boots stock-wall-1 and stock-wall-2 are consecutive in run order but both stock"
refuses refuses-unknown-boot strayboot 'recs.append(dict(recs[0], boot="stock-cost-9"))' \
	"boot 'stock-cost-9' is not in boots.json"
refuses refuses-cost-from-wall-boot wrongmode 'recs.append(dict(recs[0], boot="stock-wall-1", scenario="blkdiscard-z-again"))' \
	"a cost record from wall boot stock-wall-1"
refuses refuses-record-without-zeroing nozeroing 'recs[0].pop("zeroing")' \
	"all.data line 1: cost record without zeroing"
refuses refuses-unknown-zeroing badzeroing 'recs[0]["zeroing"] = "user"' \
	"all.data line 1: zeroing 'user' is neither kernel nor write"
refuses refuses-row-of-two-zeroings mixedzeroing 'recs[1]["zeroing"] = "write"' \
	"cost row blkdiscard-z on nullb-default: records disagree on who zeroes (kernel, write)"
refuses refuses-record-without-device-label nolabel 'recs[0].pop("device_label")' \
	"cost row blkdiscard-z on nullb-default: a record without device_label"
refuses refuses-row-of-two-headlines mixedheadline 'recs[1]["headline"] = False' \
	"cost row blkdiscard-z on nullb-default: records disagree on headline"

# --allow-partial: the same unpaired run, reported with what is missing.
variant partial 'drop(kind="cost", kernel="patched", scenario="pmdzero-ioctl")'
run "$tmp/partial" --allow-partial
if [ "$(cat "$tmp/partial/rc")" = 0 ]; then
	check allow-partial "$tmp/partial" 'd["problems"] == ["cost row pmdzero-ioctl on nullb-default: no patched record (measured on one kernel only)"] and "## Missing or inconsistent data (--allow-partial)" in md and len(d["verdict"]) == 5 and row("cost", "nullb-default", "pmdzero-ioctl")["ratio"] is None'
else
	fail allow-partial "exit $(cat "$tmp/partial/rc"): $(cat "$tmp/partial/stderr")"
fi
verify_checks
exit $failed
