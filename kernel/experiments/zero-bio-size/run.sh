#!/bin/bash
# How __blkdev_issue_zero_pages() should size its bios: measure every
# candidate on stock and on the series with knobs.patch, and write the
# tables that patch 0005's commit message and the cover letter carry to
# results/zero-bio-size/table.txt (the guests' DATA lines beside it, raw/).
#
#   kernel/experiments/zero-bio-size/run.sh [--runs N]
#
# Two boots per kernel: one under -icount (bios, splits, requests and
# instructions per GiB for BLKZEROOUT at three null_blk limits), one plain
# (kill latency on a 64 MiB/s null_blk, wall-clock).  Needs the initramfs
# (make initramfs).  About 15 minutes of guest time, plus the two kernels.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
runs=5
[ "${1:-}" = --runs ] && runs=$2
initrd=${INITRD:-$top/build/vm/initramfs.cpio}
out=${OUT:-$top/build/logs/zero-bio-size}
rm -rf "$out"
mkdir -p "$out"

stock=$("$top/kernel/build.sh" stock)
knobs=$(PMDZERO_EXTRA_PATCHES="$here/knobs.patch" "$top/kernel/build.sh" patched)
for k in stock knobs; do
	kdir=${!k}
	"$top/tests/vm/run-vm.sh" --kernel "$kdir" --label "$k-cost" --expect small \
		--initrd "$initrd" --suite zero-bio-size --only 010-cost --icount \
		--append "pmdzero.runs=$runs" --timeout 3000 --logdir "$out"
	"$top/tests/vm/run-vm.sh" --kernel "$kdir" --label "$k-kill" --expect small \
		--initrd "$initrd" --suite zero-bio-size --only 020-kill \
		--timeout 3000 --logdir "$out"
done
res=$top/results/zero-bio-size
rm -rf "$res"
mkdir -p "$res/raw"
cp "$out"/*.data "$res/raw/"
python3 "$here/table.py" "$res/raw" > "$res/table.txt"
cat "$res/table.txt"
