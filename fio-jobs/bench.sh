#!/bin/bash
# The main job: build the stock and patched kernels (cached), boot each
# under QEMU with null_blk and QEMU's own disks, and print the
# stock-versus-patched comparison.  Results go to results/<stamp>/ and, if
# every boot passed, to results/latest/: summary.md (opening with a
# five-line verdict), summary.json, cost.png/svg, wall.png/svg, raw/.
#
#   fio-jobs/bench.sh [--full] [--wall-boots N] [--runs N] [--cost-only]
#
# Two kinds of boot, each kernel in turn, ABBA (stock, patched, patched,
# stock, ...), so that a drift of the host over the run does not land on one
# kernel:
#   cost  cost_boots per kernel (fio-jobs/policy: 2), one vCPU under TCG
#         with -icount shift=0,sleep=off: guest time is guest
#         instructions, so a time taken in the guest is an instruction
#         count, repeatable to <1% whatever the host does.  The
#         scenarios whose BOOT line says cost: every zeroing tool on the
#         same 4 GiB of null_blk in four set-ups, XFS with 64 KiB
#         blocks, dm-thin provisioning.
#   wall  --wall-boots per kernel (default and least: fio-jobs/policy, 3),
#         an ordinary TCG guest: QEMU NVMe and virtio-blk on the
#         zero-page path, kill latency, fio jobs; --runs timed runs each
#         (default: fio-jobs/policy, 3).  Wall-clock
#         under emulation follows the host: the report gives the median
#         patched/stock ratio over the stock/patched boot pairs and its
#         range, with the host's load average at each boot.
# --full adds the aio and psync engines, every fio job and every zeroing
# tool on the QEMU disks.  --cost-only skips the wall boots (its results
# never replace results/latest).
#
# Time, measured on the 2-core build machine: see fio-jobs/README.md.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
here=$top/fio-jobs
# cost_boots, wall_boots, runs: the defaults and limits fio-jobs/policy sets.
. "$here/policy"
min_wall_boots=$wall_boots
full=0 cost_only=0
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "bench.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--full) full=1; shift ;;
	--wall-boots) wall_boots=${2:-}; shift $(($# > 1 ? 2 : 1)) ;;
	--runs) runs=${2:-}; shift $(($# > 1 ? 2 : 1)) ;;
	--cost-only) cost_only=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument $1 (try --help)" ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs takes a positive number, not '$runs'"
[[ $wall_boots =~ ^[1-9][0-9]*$ ]] && [ "$wall_boots" -ge "$min_wall_boots" ] ||
	die "--wall-boots takes a number of at least $min_wall_boots (the report needs that many pairs), not '$wall_boots'"

t_start=$(date +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$top/results/$stamp
raw=$out/raw
mkdir -p "$raw"
declare -A kdir
for kernel in stock patched; do
	kdir[$kernel]=$("$top/kernel/build.sh" "$kernel")
	cp "${kdir[$kernel]}/config" "$raw/$kernel.config"
done
t_kernels=$(date +%s)
initrd=$top/build/vm/initramfs.cpio
"$top/tests/vm/mkinitramfs.sh" "$initrd" "$top/build/default/pmdzero"
# The wall boots' accelerator: TCG unless KVM really works here.
[ -n "${PMDZERO_VM_ACCEL:-}" ] || PMDZERO_VM_ACCEL=$("$top/tests/vm/pick-accel.sh" "${kdir[stock]}")
export PMDZERO_VM_ACCEL
{
	echo "commit: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
	# The kernels' source, as kernel/build.sh recorded it (kernel/BASE).
	echo "base: linux-source-6.12 $(cat "${kdir[stock]}/source-version")"
	echo "cost_accel: tcg -smp 1 -icount shift=0,sleep=off"
	echo "wall_accel: $PMDZERO_VM_ACCEL -smp 2"
	echo "qemu: $(qemu-system-x86_64 --version | head -n1)"
	echo "host_cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "host_cpus: $(nproc)"
	echo "full: $full"
	echo "runs: $runs"
	echo "cost_boots: $cost_boots"
	echo "wall_boots: $wall_boots"
} > "$raw/host"

# The scenarios of a kind of boot, from each one's "# BOOT: cost|wall" line.
only() {
	local f boot list=
	for f in "$here"/scenarios/[0-9]*.sh; do
		boot=$(sed -n 's/^# BOOT: *//p' "$f")
		case $boot in
		cost|wall) ;;
		*) die "$f: no '# BOOT: cost' or '# BOOT: wall' line" ;;
		esac
		[ "$boot" = "$1" ] && list+=${list:+,}$(basename "$f" .sh)
	done
	echo "$list"
}
declare -A scenarios
scenarios[cost]=$(only cost) || exit 2
scenarios[wall]=$(only wall) || exit 2
# QEMU's null-co driver backs the wall boots' disks: 4 GiB that cost no
# host memory, reads return zeroes.  NVMe with QEMU's Intel id: the nvme
# driver turns Write Zeroes off for it, so zeroing takes the zero-page path.
disk() { echo "driver=null-co,node-name=$1,size=$((4 << 30)),read-zeroes=on"; }
# A second NVMe with QEMU's own id keeps Write Zeroes: the control row.
qemu_disks=(-blockdev "$(disk nvm)" -device nvme,serial=pmdzero,drive=nvm,use-intel-id=on
	-blockdev "$(disk vblk)" -device virtio-blk-pci,drive=vblk,write-zeroes=off
	-blockdev "$(disk nvo)" -device nvme,serial=offload,drive=nvo)

failed=0 order=0
: > "$raw/all.data"
echo "[" > "$raw/boots.json.tmp"
loadavg() { awk '{ printf "[%s,%s,%s]", $1, $2, $3 }' /proc/loadavg; }
# boot KERNEL MODE N: one boot, its DATA lines tagged with the boot's name.
boot() {
	local kernel=$1 mode=$2 n=$3 name=$1-$2-$3 args=() qemu=() t0 load0
	order=$((order + 1))
	case $mode in
	cost) args=(--icount) ;;
	wall) args=(--append "pmdzero.runs=$runs") qemu=("${qemu_disks[@]}") ;;
	esac
	echo "bench: boot $order: $name" >&2
	load0=$(loadavg) t0=$(date +%s)
	"$top/tests/vm/run-vm.sh" --kernel "${kdir[$kernel]}" --label "$name" --expect none \
		--suite bench --only "${scenarios[$mode]}" --initrd "$initrd" --logdir "$raw" \
		--timeout 1800 --append "pmdzero.full=$full" "${args[@]}" -- "${qemu[@]}" >&2 || failed=1
	[ $order = 1 ] || echo "," >> "$raw/boots.json.tmp"
	printf '{"boot":"%s","kernel":"%s","mode":"%s","order":%d,"seconds":%d,"loadavg_before":%s,"loadavg_after":%s}' \
		"$name" "$kernel" "$mode" $order $(( $(date +%s) - t0 )) "$load0" "$(loadavg)" >> "$raw/boots.json.tmp"
	# The guest knows its label; the report wants the kernel and the boot.
	[ -f "$raw/$name.data" ] &&
		jq -c --arg k "$kernel" --arg b "$name" '. + {kernel: $k, boot: $b}' "$raw/$name.data" >> "$raw/all.data"
	return 0
}
# ABBA: stock, patched, patched, stock, stock, patched, ...
abba() { # MODE BOOTS
	local i first second
	for ((i = 1; i <= $2; i++)); do
		if ((i % 2)); then first=stock second=patched; else first=patched second=stock; fi
		boot $first "$1" $i
		boot $second "$1" $i
	done
}
abba cost "$cost_boots"
t_cost=$(date +%s)
[ $cost_only = 1 ] || abba wall "$wall_boots"
printf '\n]\n' >> "$raw/boots.json.tmp"
mv "$raw/boots.json.tmp" "$raw/boots.json"
t_end=$(date +%s)
echo "seconds: kernels $((t_kernels - t_start)), cost boots $((t_cost - t_kernels)), wall boots $((t_end - t_cost)), total $((t_end - t_start))" >> "$raw/host"

partial=()
[ $cost_only = 1 ] && partial=(--allow-partial)
python3 "$here/report.py" "${partial[@]}" "$raw" "$out" || failed=1
# A run with a failed boot, a missing row or only half the boots stays in
# results/<stamp>/ for inspection: results/latest, which the cover letter
# is generated from, only ever holds complete runs.
if [ $failed != 0 ] || [ $cost_only = 1 ]; then
	echo "bench: results/latest left as it was; this run is in ${out#"$top"/}" >&2
	[ $failed = 0 ]
	exit
fi
rm -rf "$top/results/latest"
cp -r "$out" "$top/results/latest"
echo "bench: $(( (t_end - t_start) / 60 )) min; results in results/latest/ (summary.md, cost.png, wall.png)" >&2
