#!/bin/bash
# The real-machine path, end to end, as a user takes it, under QEMU: a
# Debian bookworm image booted on Debian's own 6.12 kernel; its module list
# and Debian's configuration trimmed with localmodconfig on the pinned 6.12
# tree; `make deb` packages (stock, the series with STATIC_PMD_ZERO_PAGE on
# and off) installed in the image with dpkg, so that Debian's hooks build
# each initramfs; each booted through that initramfs and systemd, its boot
# checked; the bench for the running kernel run on stock and on patched
# and compared.
#
#   tests/image/realmachine.sh [--outdir DIR] [--size SIZE] [--runs N] [--pairs N]
#
#   --outdir DIR   results (default results/realmachine)
#   --size SIZE    bench-host.sh --size (default 1g)
#   --runs N       bench-host.sh --runs (default 5)
#   --pairs N      boots of each kernel for the bench, in ABBA order
#                  (default 3: under TCG a boot's wall clock moves with
#                  what the host does)
#
# DIR gets: debian-boot/ (the boot on Debian's kernel: lsmod, dmesg),
# boot-{stock,on,off}/ (each packaged kernel's boot: dmesg, failed units,
# when it reached multi-user.target), boots.txt, bench-{stock,on}-N/ (the
# bench-host.sh runs, N the pair), run-{stock,on}-N/ (their boots),
# compare/ (summary.md, summary.json, figures), the three kernels'
# configs, debs.txt, image-packages.txt (every package version in the
# image) and times.txt.  Everything built is cached under $PMDZERO_CACHE.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
top=$img_top
outdir=$top/results/realmachine size=1g runs=5 pairs=3
die() { echo "realmachine.sh: $*" >&2; exit 1; }
say() { echo "realmachine.sh: $*" >&2; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
while [ $# -gt 0 ]; do
	case $1 in
	--outdir) outdir=${2:?}; shift 2 ;;
	--size) size=${2:?}; shift 2 ;;
	--runs) runs=${2:?}; shift 2 ;;
	--pairs) pairs=${2:?}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument $1 (try --help)" ;;
	esac
done
case $runs in ''|0|*[!0-9]*) die "--runs: a count of timed runs, not '$runs'" ;; esac
case $pairs in ''|0|*[!0-9]*) die "--pairs: a count of boot pairs, not '$pairs'" ;; esac
mkdir -p "$outdir"
outdir=$(realpath "$outdir")
times=$outdir/times.txt
: > "$times"
t_all=$(date +%s)
step() { # NAME START
	echo "$1: $(( $(date +%s) - $2 ))s" >> "$times"
}

# 1. The image on Debian's own kernel, for its configuration and modules.
t=$(date +%s)
base=$("$top/tests/image/mkimage.sh" base)
step "base tree (mmdebstrap, cached by package list; $(cat "$base/seconds")s when built)" "$t"
mkdir -p "$img_work"
t=$(date +%s)
"$top/tests/image/mkimage.sh" image "$img_work/image-debian"
"$top/tests/image/boot.sh" "$img_work/image-debian" "$img_debian_kernel" boot "$outdir/debian-boot"
step "image and boot on Debian's $img_debian_kernel" "$t"

# 2. The packages: Debian's configuration, trimmed to the modules that
# boot loaded, plus what the bench and the suites need.
t=$(date +%s)
img_debs "$outdir/debian-boot/lsmod"
step "make deb: stock, patched, option-off (kernel/deb.sh; cached)" "$t"
# The packages built, with their sizes.
for f in "$img_work"/deb-*.list; do
	while read -r d; do
		echo "$(basename "$d") $(stat -c %s "$d")"
	done < "$f"
done > "$outdir/debs.txt"

# 3. One image with all three installed by dpkg.
t=$(date +%s)
"$top/tests/image/mkimage.sh" image "${img_deb_args[@]}" "$img_work/image"
cp "$img_work/image/packages.txt" "$outdir/image-packages.txt"
step "image with the three packages (dpkg, initramfs-tools)" "$t"

# 4. Each boots through its initramfs and systemd; the folio line says
# which is which.
failed=0
for option in stock on off; do
	kver=$(img_kernel "$img_work/image" $option)
	cp "$img_work/image/boot/config-$kver" "$outdir/config-$kver"
	t=$(date +%s)
	"$top/tests/image/boot.sh" "$img_work/image" "$kver" boot "$outdir/boot-$option" || failed=1
	step "boot $kver" "$t"
	line=$(jq -r .static_folio_line "$outdir/boot-$option/boot.json" 2> /dev/null || true)
	if [ $option = on ]; then
		[ "$line" = "static PMD zero folio: 2048 KiB" ] || { say "$kver: no 'static PMD zero folio: 2048 KiB' in dmesg"; failed=1; }
	else
		[ -z "$line" ] || { say "$kver: '$line' in dmesg of a kernel without the folio"; failed=1; }
	fi
	if [ -s "$outdir/boot-$option/failed-units" ]; then
		say "$kver: systemd units failed: $(tr '\n' ' ' < "$outdir/boot-$option/failed-units")"
		failed=1
	fi
	echo "$kver: ${line:-no static folio line}; failed units: $(wc -l < "$outdir/boot-$option/failed-units" 2> /dev/null || echo '?')" >> "$outdir/boots.txt"
done
[ $failed = 0 ] || die "a packaged kernel did not boot as it should (see $outdir/boot-*)"

# 5. The bench on the running kernel, PAIRS boots of each kernel in ABBA
# order (stock on, on stock, ...), so that a slow stretch of the host lands
# on both kernels of a pair; then the compare, pair by pair.
# An earlier run's bench directories go first: compare/ is of this run's.
rm -rf "$outdir"/bench-* "$outdir"/run-* "$outdir/compare"
compare_args=()
for ((i = 1; i <= pairs; i++)); do
	order="stock on"
	[ $((i % 2)) = 1 ] || order="on stock"
	for option in $order; do
		kver=$(img_kernel "$img_work/image" $option)
		t=$(date +%s)
		run=$option-$i
		"$top/tests/image/boot.sh" --append "pmdzero.label=pmdzero-$run pmdzero.bench=--size,$size,--runs,$runs" \
			"$img_work/image" "$kver" bench "$outdir/run-$run"
		mv "$outdir/run-$run/bench" "$outdir/bench-$run"
		step "bench-host on $kver (pair $i)" "$t"
	done
	compare_args+=("$outdir/bench-stock-$i" "$outdir/bench-on-$i")
done
"$top/fio-jobs/bench-host.sh" --compare "${compare_args[@]}" "$outdir/compare" > /dev/null
step "total" "$t_all"
say "done in $(( ($(date +%s) - t_all) / 60 )) min: $outdir/compare/summary.md, $times"
