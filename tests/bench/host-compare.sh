#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fio-jobs/bench-host.sh --compare on two runs made up here, whose every
# figure is known: counts per GiB, the wall ratio and its range over the
# runs (one run per kernel), the CPU ratio, the perf cost row, the verdict
# and the host facts; a range that includes 1; two pairs of runs; then what
# it must refuse (a run that is not one, two runs with one label, an odd
# number of runs, stock runs of two kernels, a row on one kernel only).
# One PASS/FAIL line per check, exit 1 if any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
runner=$top/fio-jobs/bench-host.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS bench/host-compare-$1"; }
fail() { echo "FAIL bench/host-compare-$1: $2"; failed=1; }

# make_run DIR LABEL KERNEL BIOS REQUESTS WALL_MS,... CPU_MS,... INSTR:
# one bench-host.sh run of 1 GiB, its blkdiscard -z row and a fio row.
make_run() {
	local dir=$1 label=$2 kernel=$3 bios=$4 requests=$5 wall=$6 cpu=$7 instr=$8
	mkdir -p "$dir"
	cat > "$dir/host" <<-EOF
	label: $label
	kernel: $kernel
	device: /dev/nvme0n1
	device_label: QEMU NVMe Ctrl (nvme0n1)
	write_zeroes_max_bytes: 0
	max_sectors_kb: 1280
	size: 1073741824
	runs: 3
	perf_instructions: yes
	static_folio: $( [ "$label" = patched-run ] && echo 'static PMD zero folio: 2048 KiB')
	cpus: 2
	seconds: 40
	EOF
	python3 - "$dir/host.data" "$label" "$bios" "$requests" "$wall" "$cpu" "$instr" <<-'PY'
	import json, sys
	path, label, bios, requests, wall, cpu, instr = sys.argv[1:]
	row = {"scenario": "blkdiscard-z", "headline": True, "zeroing": "kernel", "device": "nvme0n1",
	       "device_label": "QEMU NVMe Ctrl (nvme0n1)", "device_kind": "device",
	       "bytes": 1 << 30, "boot": label}
	fio = dict(row, scenario="fio-ioctl-2m", headline=False)
	recs = [{"kind": "meminfo", "boot": label, "mem_total_kib": 4000000, "mem_available_kib": 3600000},
	        dict(row, kind="counts", bios=int(bios), requests=int(requests), splits=0, merges=0,
	             bio_bytes=1 << 30),
	        dict(row, kind="wall", runs=[{"wall_ns": int(w) * 1000000, "cpu_ns": int(c) * 1000000}
	                                     for w, c in zip(wall.split(","), cpu.split(","))]),
	        dict(row, kind="cost", ns=int(instr), method="perf"),
	        dict(fio, kind="latency", ios=512, clat_ns={"p50": 2000000, "p99": 3000000, "p99_9": 4000000}),
	        dict(fio, kind="counts", bios=512, requests=int(requests), splits=0, merges=0, bio_bytes=1 << 30)]
	with open(path, "w") as f:
	    for r in recs:
	        f.write(json.dumps(r) + "\n")
	PY
}

# Stock: 1024 bios, 9216 requests, runs 2000/2200/2100 ms; patched: 512
# bios, 1024 requests, runs 1000/1100/1050 ms.  Ratio of medians 2.00,
# range 2000/1100 = 1.82 to 2200/1000 = 2.20.  CPU 800 against 400 ms:
# 2.00.  Instructions 70e9 against 17.5e9: 4.00.
make_run "$tmp/s" stock-run 6.12.118-pmdzero-stock 1024 9216 2000,2200,2100 800,800,800 70000000000
make_run "$tmp/p" patched-run 6.12.118-pmdzero-on 512 1024 1000,1100,1050 400,400,400 17500000000
if bash "$runner" --compare "$tmp/s" "$tmp/p" "$tmp/out" > "$tmp/md" 2> "$tmp/err"; then
	pass run
else
	fail run "--compare failed: $(tail -n 3 "$tmp/err")"
fi
j=$tmp/out/summary.json
check() { # NAME JQ-EXPRESSION WANT
	local got
	got=$(jq -c "$2" "$j" 2> /dev/null)
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "$2 is $got, want $3"; fi
}
check host-runs '.host_runs' 'true'
check boots '[.boots[] | [.boot, .kernel, .mode]]' '[["stock-run","stock","host"],["patched-run","patched","host"]]'
check counts '.counts[] | select(.scenario == "blkdiscard-z") | [.stock.per_gib.bios, .stock.per_gib.requests, .patched.per_gib.bios, .patched.per_gib.requests]' '[1024,9216,512,1024]'
check wall-ratio '.wall[0] | [(.ratio_median * 100 | round), (.ratio_min * 100 | round), (.ratio_max * 100 | round), .clear]' '[200,182,220,true]'
check cpu-ratio '.wall[0].cpu_ratio_median' '2'
check mib-s '.wall[0] | [(.stock_mib_s | round), (.patched_mib_s | round)]' '[488,975]'
check cost '.cost[0] | [.method, .ratio, (.stock.mean / 1e6 | round), (.patched.mean / 1e6 | round)]' '["perf",4,70000,17500]'
check latency '.latency[0] | [.scenario, .stock.ios, .ratio.p50]' '["fio-ioctl-2m",512,1]'
check host-facts '[.host.stock_kernel, .host.patched_kernel, .host.patched_static_folio]' '["6.12.118-pmdzero-stock","6.12.118-pmdzero-on","static PMD zero folio: 2048 KiB"]'
if grep -q '^3\. Wall clock of blkdiscard -z on the running kernels.*QEMU NVMe Ctrl (nvme0n1) 2.00x \[1.82x–2.20x\] (CPU 2.00x)' "$tmp/out/summary.md" &&
   grep -q '^# pmdzero: stock versus patched Linux 6.12, on running kernels' "$tmp/out/summary.md" &&
   grep -q 'stock `6.12.118-pmdzero-stock` (label stock-run)' "$tmp/out/summary.md"; then
	pass summary-md
else
	fail summary-md "summary.md lacks the host verdict, title or runs: $(sed -n 3,5p "$tmp/out/summary.md")"
fi

# Runs that overlap: stock 1000..1300, patched 1100..1200: no clear
# difference, whatever the medians say.
make_run "$tmp/s2" stock-run k1 1024 9216 1000,1300,1150 800,800,800 70000000000
make_run "$tmp/p2" patched-run k2 512 1024 1100,1200,1150 400,400,400 17500000000
if bash "$runner" --compare "$tmp/s2" "$tmp/p2" "$tmp/out2" > /dev/null 2>&1 &&
   [ "$(jq -c '.wall[0].clear' "$tmp/out2/summary.json")" = false ] &&
   grep -q 'no clear difference' "$tmp/out2/summary.md"; then
	pass overlap
else
	fail overlap "overlapping runs were not reported as no clear difference"
fi

# Two pairs of runs, each run on its own boot: pair 1 as above (2.00),
# pair 2 stock 1800 ms against patched 1200 ms (1.50).  The ratio is the
# median over the pairs, 1.75, its range the pairs' 1.50 to 2.00; CPU
# 2.00 and 800/500 = 1.60, median 1.80.
make_run "$tmp/s4" stock-run2 6.12.118-pmdzero-stock 1024 9216 1800,1800,1800 800,800,800 70000000000
make_run "$tmp/p4" patched-run2 6.12.118-pmdzero-on 512 1024 1200,1200,1200 500,500,500 17500000000
if bash "$runner" --compare "$tmp/s" "$tmp/p" "$tmp/s4" "$tmp/p4" "$tmp/out4" > /dev/null 2> "$tmp/err"; then
	pass pairs-run
else
	fail pairs-run "--compare of two pairs failed: $(tail -n 3 "$tmp/err")"
fi
j=$tmp/out4/summary.json
check pairs-boots '[.boots[] | [.boot, .kernel, .order]]' \
	'[["stock-run","stock",1],["patched-run","patched",2],["stock-run2","stock",3],["patched-run2","patched",4]]'
check pairs-wall '.wall[0] | [(.pairs | length), (.ratio_median * 100 | round), (.ratio_min * 100 | round), (.ratio_max * 100 | round), (.cpu_ratio_median * 100 | round), .clear]' \
	'[2,175,150,200,180,true]'
check pairs-counts '.counts[] | select(.scenario == "blkdiscard-z") | [.stock.per_gib.bios, .patched.per_gib.bios, .deterministic]' '[1024,512,true]'
if grep -q '^3\. Wall clock of blkdiscard -z on the running kernels (stock time / patched time, median \[min–max\] over 2 pairs of runs, each run on its own boot): QEMU NVMe Ctrl (nvme0n1) 1.75x \[1.50x–2.00x\]' "$tmp/out4/summary.md" &&
   grep -q '2 runs on each running kernel, each on its own boot' "$tmp/out4/summary.md" &&
   grep -q '^| 2 | stock-run2 | stock | 40 |$' "$tmp/out4/summary.md"; then
	pass pairs-summary-md
else
	fail pairs-summary-md "summary.md does not say two pairs: $(sed -n 5,7p "$tmp/out4/summary.md")"
fi
j=$tmp/out/summary.json

# Refusals: nothing written.
refuse() { # NAME REGEX RUN...
	local name=$1 re=$2 out=$tmp/refused-$1
	shift 2
	if bash "$runner" --compare "$@" "$out" > /dev/null 2> "$tmp/err"; then
		fail "refuse-$name" "--compare succeeded"
	elif ! grep -Eq -- "$re" "$tmp/err"; then
		fail "refuse-$name" "no '$re' in: $(head -n 3 "$tmp/err")"
	elif [ -e "$out/summary.json" ]; then
		fail "refuse-$name" "a summary was written"
	else
		pass "refuse-$name"
	fi
}
refuse not-a-run "is not a bench-host.sh run" "$tmp/s" "$tmp"
# An odd number of runs: one has no partner.
if bash "$runner" --compare "$tmp/s" "$tmp/p" "$tmp/s4" "$tmp/refused-odd" > /dev/null 2> "$tmp/err"; then
	fail refuse-odd "--compare of three runs succeeded"
elif ! grep -q 'usage: bench-host.sh --compare STOCK_DIR PATCHED_DIR \[STOCK_DIR PATCHED_DIR ...\] OUTDIR' "$tmp/err" ||
     [ -e "$tmp/refused-odd" ]; then
	fail refuse-odd "no usage, or something written: $(head -n 2 "$tmp/err")"
else
	pass refuse-odd
fi
# The second stock run on another kernel than the first.
make_run "$tmp/s5" stock-run5 6.12.118-other 1024 9216 1800,1800,1800 800,800,800 70000000000
refuse two-kernels "runs 6.12.118-other, .* runs 6.12.118-pmdzero-stock: the stock runs must be of one kernel" \
	"$tmp/s" "$tmp/p" "$tmp/s5" "$tmp/p4"
refuse same-label "both runs are labelled stock-run" "$tmp/s" "$tmp/s"
# A row the patched run lacks.
make_run "$tmp/p3" patched-run k2 512 1024 1000,1100,1050 400,400,400 17500000000
grep -v '"fio-ioctl-2m"' "$tmp/p3/host.data" > "$tmp/p3/x" && mv "$tmp/p3/x" "$tmp/p3/host.data"
refuse one-kernel-row "fio-ioctl-2m" "$tmp/s" "$tmp/p3"
exit $failed
