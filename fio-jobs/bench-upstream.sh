#!/bin/bash
# Upstream beside us: the kernel zeroing rows of the bench on five kernels
# from one run, stock 6.12 and our 6.12 series, upstream Linux 7.2 with its
# persistent huge zero folio off and on, and 7.2 with our mainline series
# (kernel/flavours: stock, patched, upstream-off, upstream-on, mainline).
# Results go to results/upstream-<stamp>/ and, if every boot passed, to
# results/upstream/: summary.md (opening with the verdict: where we are
# ahead of upstream and where not), summary.json, raw/.
#
#   fio-jobs/bench-upstream.sh
#
# Boots, every kernel in the same order each round:
#   cost    cost_boots per kernel (fio-jobs/policy), one vCPU under
#           -icount shift=0,sleep=off: blkdiscard -z of 4 GiB of null_blk
#           in the bench's four null_blk set-ups (fio-jobs/scenarios/010,
#           pmdzero.rows=blkdiscard-z), counted and costed in guest
#           instructions; memory after boot (000-meminfo).
#   memory  one -icount boot per kernel and set-up: 2 GiB with
#           transparent_hugepage=never, and 384 MiB: memory after boot and
#           the bios of blkdiscard -z on default null_blk (which zero folio
#           the kernel used).  The 3 GiB row is the cost boots'.
#   kill    one wall boot per kernel: SIGKILL of blkdiscard -z on a 64 MiB/s
#           null_blk, three times (fio-jobs/scenarios/040).
#
# Time, measured on the 2-core build machine: see fio-jobs/README.md.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
here=$top/fio-jobs
# shellcheck source=policy
. "$here/policy"
klist=(stock patched upstream-off upstream-on mainline)
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "bench-upstream.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument $1 (try --help)" ;;
	esac
done

t_start=$(date +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$top/results/upstream-$stamp
raw=$out/raw
mkdir -p "$raw"
declare -A kdir
for k in "${klist[@]}"; do
	kdir[$k]=$("$top/kernel/build.sh" "$k")
	cp "${kdir[$k]}/config" "$raw/$k.config"
done
t_kernels=$(date +%s)
initrd=$top/build/vm/initramfs.cpio
"$top/tests/vm/mkinitramfs.sh" "$initrd" "$top/build/default/pmdzero"
[ -n "${PMDZERO_VM_ACCEL:-}" ] || PMDZERO_VM_ACCEL=$("$top/tests/vm/pick-accel.sh" "${kdir[${klist[0]}]}")
export PMDZERO_VM_ACCEL
{
	echo "commit: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
	for k in "${klist[@]}"; do
		echo "kernel $k: $(cat "${kdir[$k]}/source-version") $(basename "${kdir[$k]}")"
	done
	echo "cost_accel: tcg -smp 1 -icount shift=0,sleep=off"
	echo "kill_accel: $PMDZERO_VM_ACCEL -smp 2"
	echo "qemu: $(qemu-system-x86_64 --version | head -n1)"
	echo "host_cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "cost_boots: $cost_boots"
} > "$raw/host"

failed=0 order=0
: > "$raw/all.data"
# boot KERNEL NAME SETUP MEM APPEND ARGS...: one boot; its DATA lines
# tagged with kernel, boot and set-up.
boot() {
	local kernel=$1 name=$2 setup=$3 mem=$4 append=$5 t0
	shift 5
	order=$((order + 1))
	echo "bench-upstream: boot $order: $name" >&2
	t0=$(date +%s)
	PMDZERO_VM_MEM=$mem "$top/tests/vm/run-vm.sh" --kernel "${kdir[$kernel]}" --label "$name" \
		--expect none --suite bench --initrd "$initrd" --logdir "$raw" --timeout 1800 \
		--append "pmdzero.full=0 $append" "$@" >&2 || failed=1
	echo "bench-upstream: boot $name took $(( $(date +%s) - t0 )) s" >&2
	[ -f "$raw/$name.data" ] &&
		jq -c --arg k "$kernel" --arg b "$name" --arg s "$setup" --argjson o $order \
			'. + {kernel: $k, boot: $b, setup: $s, order: $o}' "$raw/$name.data" >> "$raw/all.data"
	return 0
}
rows="pmdzero.rows=blkdiscard-z"
for ((i = 1; i <= cost_boots; i++)); do
	for k in "${klist[@]}"; do
		boot "$k" "$k-cost-$i" 3g 3G "$rows" --icount --only 000-meminfo,010-null_blk-cost
	done
done
t_cost=$(date +%s)
for k in "${klist[@]}"; do
	boot "$k" "$k-thp-never" 2g-thp-never 2G "$rows pmdzero.nullb=nullb-default transparent_hugepage=never" \
		--icount --only 000-meminfo,010-null_blk-cost
	boot "$k" "$k-384m" 384m 384M "$rows pmdzero.nullb=nullb-default" \
		--icount --only 000-meminfo,010-null_blk-cost
done
t_mem=$(date +%s)
for k in "${klist[@]}"; do
	boot "$k" "$k-kill" 3g 3G "" --only 040-kill-latency
done
t_end=$(date +%s)
echo "seconds: kernels $((t_kernels - t_start)), cost boots $((t_cost - t_kernels)), memory boots $((t_mem - t_cost)), kill boots $((t_end - t_mem)), total $((t_end - t_start))" >> "$raw/host"

python3 "$here/benchreport/upstream.py" "$raw" "$out" || failed=1
if [ $failed != 0 ]; then
	echo "bench-upstream: results/upstream left as it was; this run is in ${out#"$top"/}" >&2
	[ $failed = 0 ]
	exit
fi
rm -rf "$top/results/upstream"
cp -r "$out" "$top/results/upstream"
echo "bench-upstream: $(( (t_end - t_start) / 60 )) min; results in results/upstream/summary.md" >&2
