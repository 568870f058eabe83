#!/bin/bash
# What the static folio costs in memory, set-up by set-up: the kernel with
# the option off and the patched kernel, booted alike, read /proc/meminfo
# right after boot (fio-jobs/scenarios/000-meminfo.sh).  Set-ups: 3 GiB;
# 2 GiB with transparent_hugepage=never (the folio is still pinned);
# 3 GiB with static_pmd_zero_page=off; 384 MiB (under 512 MiB: skipped).
# Two boots per kernel and set-up, each under -icount (one vCPU, guest time
# counted in instructions) so that a boot repeats itself; the table gives
# patched minus option-off for MemTotal, MemFree, the free pages on the
# per-CPU lists (which MemFree leaves out) and MemAvailable, and the
# widest disagreement in free memory between two boots of one kernel.
#
#   kernel/experiments/memcost/run.sh
#
# Writes results/memcost/table.txt (the cover letter's memory table),
# table.json and the guests' DATA lines in raw/.  Needs the initramfs
# (make initramfs) and the two kernels (built or taken from the cache).
# About 16 boots of 15-30 s each.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
initrd=${INITRD:-$top/build/vm/initramfs.cpio}
[ -f "$initrd" ] || { echo "memcost: no initramfs (make initramfs)" >&2; exit 2; }
out=${OUT:-$top/build/logs/memcost}
rm -rf "$out"
mkdir -p "$out"

declare -A kdir
kdir[option-off]=$("$top/kernel/build.sh" option-off)
kdir[patched]=$("$top/kernel/build.sh" patched)
# name|memory|kernel command line
setups=(
	"3g|3G|"
	"2g-thp-never|2G|transparent_hugepage=never"
	"3g-param-off|3G|static_pmd_zero_page=off"
	"384m|384M|"
)
for s in "${setups[@]}"; do
	IFS='|' read -r name mem append <<< "$s"
	for boot in 1 2; do
		for k in option-off patched; do
			label=$k-$name-$boot
			echo "memcost: boot $label" >&2
			PMDZERO_VM_MEM=$mem "$top/tests/vm/run-vm.sh" --kernel "${kdir[$k]}" --label "$label" \
				--expect none --initrd "$initrd" --suite bench --only 000-meminfo --icount \
				--append "$append" --timeout 600 --logdir "$out" >&2
			[ -s "$out/$label.data" ] || { echo "memcost: boot $label wrote no data" >&2; exit 1; }
			jq -c --arg k "$k" --arg s "$name" --arg a "$append" --arg m "$mem" --argjson b "$boot" \
				'. + {kernel: $k, setup: $s, append: $a, mem: $m, boot: $b}' "$out/$label.data" >> "$out/all.data"
		done
	done
done
res=$top/results/memcost
rm -rf "$res"
mkdir -p "$res/raw"
cp "$out"/*.data "$res/raw/"
python3 "$here/table.py" "$res/raw/all.data" "$res/table.json" > "$res/table.txt"
cat "$res/table.txt"
