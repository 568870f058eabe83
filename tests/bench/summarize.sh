#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fio-jobs/summarize.py on made-up guest data whose every figure is known:
# per-GiB counts, medians, ratios, the same-work noise band, the refusal of
# an unpaired scenario.  One PASS/FAIL line per check.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
check() { # name python-expression-on-summary-json
	if python3 -c "import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" \
		"$tmp/out/summary.json"; then
		echo "PASS bench/summarize-$1"
	else
		echo "FAIL bench/summarize-$1: $2"
		failed=1
	fi
}
row() { # scenario device kernel bios requests wall_s...
	local scen=$1 dev=$2 kernel=$3 bios=$4 requests=$5 runs= w
	shift 5
	for w; do runs+="${runs:+,}{\"wall_s\":$w,\"sys_s\":0.01}"; done
	printf '{"scenario":"%s","device":"%s","kernel":"%s","bytes":%d,"bios":%d,"requests":%d,"splits":0,"merges":0,"bio_bytes":%d,"runs":[%s]}\n' \
		"$scen" "$dev" "$kernel" $((1 << 30)) "$bios" "$requests" $((1 << 30)) "$runs"
}

{
	# 1 GiB in a median of 0.2 s (stock) and 0.1 s (patched): 5120 and 10240 MiB/s.
	row blkdiscard-z nullb stock 1024 9216 0.1 0.2 0.3
	row blkdiscard-z nullb patched 2 8226 0.1 0.05 0.1
	# The same bios and requests on both: the noise band, ratios 0.8 and 1.25.
	row pmdzero-psync nullb stock 512 8704 0.2 0.2 0.2
	row pmdzero-psync nullb patched 512 8704 0.25 0.25 0.25
	row pmdzero-aio nullb stock 512 8704 0.25 0.25 0.25
	row pmdzero-aio nullb patched 512 8704 0.2 0.2 0.2
	echo '{"meminfo":{"kernel":"stock","mem_total_kib":1000,"mem_available_kib":900}}'
	echo '{"meminfo":{"kernel":"patched","mem_total_kib":1000,"mem_available_kib":898}}'
} > "$tmp/all.data"

if python3 "$top/fio-jobs/summarize.py" "$tmp/all.data" "$tmp/out" > "$tmp/stdout"; then
	echo "PASS bench/summarize-complete-run-exits-0"
else
	echo "FAIL bench/summarize-complete-run-exits-0"
	failed=1
fi
check counts 'any(r["scenario"] == "blkdiscard-z" and r["kernel"] == "patched" and r["bios_per_gib"] == 2 and r["requests_per_gib"] == 8226 for r in d["scenarios"])'
check median-throughput 'sorted(r["mib_per_s"] for r in d["scenarios"] if r["scenario"] == "blkdiscard-z") == [5120, 10240]'
check ratio 'any(c["scenario"] == "blkdiscard-z" and c["mib_per_s_ratio"] == 2 and c["bios_per_gib_ratio"] == 2 / 1024 for c in d["comparisons"])'
check noise 'd["noise"]["rows"] == ["pmdzero-psync on nullb", "pmdzero-aio on nullb"] and (d["noise"]["mib_per_s_ratio_min"], d["noise"]["mib_per_s_ratio_median"], d["noise"]["mib_per_s_ratio_max"]) == (0.8, 1.025, 1.25)'
check meminfo 'd["meminfo"]["patched"]["mem_available_kib"] == 898 and d["unpaired"] == []'
if grep -qF '| blkdiscard-z | nullb | 1024 | 2 | 9216 | 8226 | 5120 | 10240 | 2 |' "$tmp/out/summary.md" &&
	grep -q 'run from 0.80 to 1.25 (median 1.02)' "$tmp/out/summary.md" &&
	cmp -s "$tmp/stdout" "$tmp/out/summary.md"; then
	echo "PASS bench/summarize-markdown"
else
	echo "FAIL bench/summarize-markdown"
	failed=1
fi

# A scenario measured on one kernel only: reported, and the run refused.
row mkfs-xfs-64k nullb stock 128 512 0.1 >> "$tmp/all.data"
if python3 "$top/fio-jobs/summarize.py" "$tmp/all.data" "$tmp/out" > /dev/null 2>&1; then
	echo "FAIL bench/summarize-unpaired-exits-1"
	failed=1
else
	echo "PASS bench/summarize-unpaired-exits-1"
fi
check unpaired-listed 'd["unpaired"] == ["mkfs-xfs-64k on nullb"]'
exit $failed
