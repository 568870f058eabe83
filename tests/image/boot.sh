#!/bin/bash
# Boot the Debian image (tests/image/mkimage.sh image) on one of its
# kernels under QEMU, through the image's own initramfs and systemd, with
# the real-machine path's disks; run pmdzero.run=WHAT in it and unpack what
# it handed back.
#
#   tests/image/boot.sh [options] IMAGE_DIR KERNEL_VERSION WHAT OUTDIR
#
#   --append ARGS     more kernel command line (pmdzero.label=..., ...)
#   --timeout SECS    the whole boot (default 3600)
#   --memory MIB      guest memory (default 4096)
#   --disk SERIAL:SIZE  one more virtio-blk disk, a sparse file of SIZE
#                     (truncate's suffixes) with that serial, gone after
#                     the boot (make external's test and scratch disks)
#
# KERNEL_VERSION: one of IMAGE_DIR/boot/vmlinuz-* (the image's /boot).
# WHAT: tests/image/guest-run.sh's, boot or bench.  The root disk is a
# qcow2 overlay of IMAGE_DIR/root.img, so that every boot starts from the
# same image.  Disks: a QEMU NVMe with QEMU's Intel id (nvme-pci turns
# Write Zeroes off: the zero-page path), serial "pmdzero"; a virtio-blk
# disk with write-zeroes=off; both 4 GiB of QEMU's null-co (reads return
# zeroes, no host memory or disk); and the results disk.  OUTDIR gets
# console.log, the unpacked results and boot.json (kernel, seconds,
# accelerator, the static folio line's presence).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
append= timeout=3600 memory=4096 disks=()
die() { echo "boot.sh: $*" >&2; exit 1; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
while [ $# -gt 0 ]; do
	case $1 in
	--append) append=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--memory) memory=${2:?}; shift 2 ;;
	--disk)
		[[ ${2:-} =~ ^[a-z0-9-]+:[0-9]+[KMG]?$ ]] || die "--disk takes SERIAL:SIZE (blk1:8G), not '${2:-}'"
		disks+=("$2"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	-*) die "unknown option $1 (try --help)" ;;
	*) break ;;
	esac
done
[ $# = 4 ] || { usage >&2; exit 2; }
imgdir=$1 kver=$2 what=$3 outdir=$4
kernel=$imgdir/boot/vmlinuz-$kver initrd=$imgdir/boot/initrd.img-$kver
[ -f "$imgdir/root.img" ] || die "$imgdir has no root.img (tests/image/mkimage.sh image)"
[ -f "$kernel" ] && [ -f "$initrd" ] ||
	die "no kernel $kver in $imgdir/boot ($(cd "$imgdir/boot" && ls vmlinuz-* | sed 's/vmlinuz-//' | paste -sd' '))"
case $what in boot|bench|external) ;; *) die "WHAT is boot, bench or external, not '$what'" ;; esac

mkdir -p "$outdir"
outdir=$(realpath "$outdir")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
qemu-img create -q -f qcow2 -b "$(realpath "$imgdir/root.img")" -F raw "$work/root.qcow2"
truncate -s 512M "$work/results.img"
# The accelerator the guest suites use: TCG unless KVM really works.
mkdir -p "$work/k"
ln -s "$(realpath "$kernel")" "$work/k/bzImage"
accel=${PMDZERO_VM_ACCEL:-$("$top/tests/vm/pick-accel.sh" "$work/k" 2>/dev/null)}
cpu=max
[ "$accel" = kvm ] && cpu=host
null() { echo "driver=null-co,node-name=$1,size=$((4 << 30)),read-zeroes=on"; }
extra=()
for d in "${disks[@]}"; do
	truncate -s "${d#*:}" "$work/${d%%:*}.img"
	extra+=(-blockdev "driver=file,node-name=x-${d%%:*},filename=$work/${d%%:*}.img"
		-device "virtio-blk-pci,drive=x-${d%%:*},serial=${d%%:*}")
done

echo "boot.sh: $kver, pmdzero.run=$what, $accel; console: $outdir/console.log" >&2
t0=$(date +%s)
rc=0
# no_timer_check: an emulated CPU starved by a loaded host fails the
# kernel's IO-APIC timer check, and the boot panics ("IO-APIC + timer
# doesn't work!"; seen with four TCG guests on two cores).
timeout "$timeout" qemu-system-x86_64 -machine "q35,accel=$accel" -cpu "$cpu" -smp 2 -m "$memory" \
	-nographic -no-reboot -monitor none -serial "file:$outdir/console.log" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "root=LABEL=pmdzero-root rw console=ttyS0 panic=-1 no_timer_check pmdzero.run=$what $append" \
	-blockdev "driver=qcow2,node-name=root,file.driver=file,file.filename=$work/root.qcow2" \
	-device virtio-blk-pci,drive=root,serial=root \
	-blockdev "driver=file,node-name=results,filename=$work/results.img" \
	-device virtio-blk-pci,drive=results,serial=results \
	-blockdev "$(null nvm)" -device nvme,serial=pmdzero,drive=nvm,use-intel-id=on \
	-blockdev "$(null vblk)" -device virtio-blk-pci,drive=vblk,serial=vblk,write-zeroes=off \
	"${extra[@]}" > "$outdir/qemu.log" 2>&1 || rc=$?
seconds=$(( $(date +%s) - t0 ))
[ $rc = 0 ] || die "QEMU exited $rc after ${seconds}s (timeout ${timeout}s: 124); see $outdir/console.log, $outdir/qemu.log"
# An untouched results disk is zeroes, which tar reads as an empty archive.
tar -xf "$work/results.img" -C "$outdir" 2> /dev/null && [ -f "$outdir/status" ] ||
	die "the guest handed nothing back after ${seconds}s (console: $outdir/console.log)"
folio=$(grep -ao 'static PMD zero folio: [0-9]* KiB' "$outdir/dmesg" | head -n1 || true)
jq -n --arg k "$kver" --arg w "$what" --arg a "$accel" --argjson s "$seconds" --arg f "$folio" \
	--arg status "$(cat "$outdir/status" 2> /dev/null)" \
	'{kernel: $k, run: $w, accel: $a, seconds: $s, static_folio_line: $f, status: $status}' > "$outdir/boot.json"
echo "boot.sh: $kver booted and ran '$what' in ${seconds}s, status $(cat "$outdir/status"); ${folio:-no static PMD zero folio line}" >&2
[ "$(cat "$outdir/status")" = 0 ]
