#!/bin/bash
# The main job: build the stock and patched kernels (cached), boot each under
# QEMU with the same guest benchmark suite, and print the stock-versus-patched
# comparison.  Results land in results/<date>/ and are copied to
# results/latest/: summary.md, summary.json, plot.svg and the raw data.
#
#   fio-jobs/bench.sh [--runs N] [--quick]
#
# --runs N   timed runs per scenario (default 5, at most 3 for the fio jobs;
#            the median is reported)
# --quick    only the kernel zeroing scenarios on null_blk (about 3 minutes)
#
# Boots per kernel: null_blk (every scenario), null_blk.virt_boundary=1,
# QEMU NVMe and QEMU virtio-blk with write-zeroes=off (kernel zeroing and
# the fio jobs).  A full run takes about 30 minutes under TCG (the
# accelerator unless KVM really works, tests/vm/pick-accel.sh) once the
# kernels are built.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=5 quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:-}; shift $(($# > 1 ? 2 : 1)) ;;
	--quick) quick=1; shift ;;
	# The help is this file's leading comment block, whatever its length.
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --runs takes a positive number, not '$runs'" >&2; exit 2; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$top/results/$stamp
raw=$out/raw
mkdir -p "$raw"
# Which tree produced these numbers.
git -C "$top" describe --always --dirty > "$raw/commit" 2>/dev/null || echo unknown > "$raw/commit"
# Both kernels first (cached after the first run), then one accelerator
# for every boot: TCG unless KVM really works here (tests/vm/pick-accel.sh).
declare -A kdir
for kernel in stock patched; do
	kdir[$kernel]=$("$top/kernel/build.sh" "$kernel")
	cp "${kdir[$kernel]}/config" "$raw/$kernel.config"
done
[ -n "${PMDZERO_VM_ACCEL:-}" ] ||
	PMDZERO_VM_ACCEL=$("$top/tests/vm/pick-accel.sh" "${kdir[stock]}")
export PMDZERO_VM_ACCEL
# And on what: the numbers mean little without the host and the accelerator.
{
	echo "accel: $PMDZERO_VM_ACCEL"
	echo "qemu: $(qemu-system-x86_64 --version | head -n1)"
	echo "host_cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "host_cpus: $(nproc)"
	echo "runs: $runs"
} > "$raw/host"
initrd=$top/build/vm/initramfs.cpio
pmdzero_bin=$top/build/default/pmdzero
extra=()
[ -x "$pmdzero_bin" ] && extra=("$pmdzero_bin")
"$top/tests/vm/mkinitramfs.sh" "$initrd" "${extra[@]}"

failed=0
# boot NAME [run-vm args...] [-- qemu args...]: the set-up NAME on the stock
# kernel, then on the patched one, back to back, so that drift in the
# host's speed over the run does not land on one kernel only.
boot() {
	local kernel name=$1
	shift
	for kernel in stock patched; do
		echo "bench: booting $kernel ($name)" >&2
		"$top/tests/vm/run-vm.sh" --kernel "${kdir[$kernel]}" --label "$kernel-$name" \
			--expect none --suite bench --initrd "$initrd" --logdir "$raw" --timeout 1800 \
			--append "pmdzero.runs=$runs" "$@" >&2 || failed=1
		# The guest reports the label it was given: rewrite to stock/patched.
		[ -f "$raw/$kernel-$name.data" ] &&
			sed "s/\"kernel\":\"$kernel-$name\"/\"kernel\":\"$kernel\"/" \
				"$raw/$kernel-$name.data" >> "$raw/all.data"
	done
}

: > "$raw/all.data"
# QEMU's null-co block driver backs the NVMe and virtio-blk disks: 4 GiB that
# cost no host memory or disk, and reads return zeroes, like null_blk.
disk() { echo "driver=null-co,node-name=$1,size=$((4 << 30)),read-zeroes=on"; }
if [ $quick = 1 ]; then
	boot nullb --only 000-meminfo,010-kernel-zeroing
else
	boot nullb
fi
boot virt-boundary --only 010-kernel-zeroing --append null_blk.virt_boundary=1
if [ $quick = 0 ]; then
	boot nvme --only 010-kernel-zeroing,040-fio --append pmdzero.device=nvme -- \
		-blockdev "$(disk nvm)" -device nvme,serial=pmdzero,drive=nvm
	boot virtio-blk --only 010-kernel-zeroing,040-fio --append pmdzero.device=virtio-blk -- \
		-blockdev "$(disk vblk)" -device virtio-blk-pci,drive=vblk,write-zeroes=off
fi

# summarize.py fails when a scenario lacks one of the two kernels.
python3 "$top/fio-jobs/summarize.py" "$raw/all.data" "$out" || failed=1
# A run with a failed boot or an unpaired scenario is kept for inspection
# but never replaces the results the cover letter is generated from.
if [ $failed != 0 ]; then
	echo "bench: some guest runs failed; results/latest left as it was, this run is in ${out#"$top"/}" >&2
	exit 1
fi
rm -rf "$top/results/latest"
cp -r "$out" "$top/results/latest"
echo "bench: results in results/latest/ (summary.md, summary.json, plot.svg, plot-fio.svg)" >&2
