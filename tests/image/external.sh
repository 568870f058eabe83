#!/bin/bash
# Upstream's suites on the packaged kernels: blktests and fstests run in
# the Debian image (tests/image/mkimage.sh) on the stock and the patched
# package (kernel/deb.sh, as make realmachine builds them), the results
# side by side.  The suites are not in Debian's archive and this tree does
# not carry them: give built checkouts (each suite's README says how to
# build it).  A test that passes on stock and fails on patched fails the
# run.
#
#   tests/image/external.sh [options]
#
#   --blktests DIR        a built blktests checkout
#   --fstests DIR         a built fstests (xfstests-dev) checkout
#   --blktests-tests T    what blktests' ./check runs (default "block nvme":
#                         the groups; TEST_DEVS a virtio-blk disk, the nvme
#                         tests over the loop transport)
#   --fstests-args A      fstests' ./check arguments (default "-g zero
#                         -g aio generic/091 generic/263": zero range,
#                         direct I/O through libaio, and fsx with O_DIRECT
#                         mixing writes, truncate, fallocate, zero range
#                         and hole punching: about 55 tests, the part of
#                         the 992 of the quick group that exercises what the
#                         series changes)
#   --bs LIST             XFS block sizes for fstests (default 4096,65536)
#   --kernels LIST        of stock, on, off (default stock,on)
#   --lsmod FILE          the module list the packages were trimmed to
#                         (default results/realmachine/debian-boot/lsmod)
#   --outdir DIR          (default results/external)
#   --timeout SECS        per boot (default 14400)
#
# DIR gets, per kernel, the suites' logs and results directories, and
# summary.md: each test's result on each kernel, the differences, and the
# suites' commits.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
top=$img_top
blktests= fstests= btests="block nvme" fargs="-g zero -g aio generic/091 generic/263" bslist=4096,65536
kernels=stock,on lsmodfile=$top/results/realmachine/debian-boot/lsmod outdir=$top/results/external timeout=14400
die() { echo "external.sh: $*" >&2; exit 1; }
say() { echo "external.sh: $*" >&2; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
while [ $# -gt 0 ]; do
	case $1 in
	--blktests) blktests=${2:?}; shift 2 ;;
	--fstests) fstests=${2:?}; shift 2 ;;
	--blktests-tests) btests=${2:?}; shift 2 ;;
	--fstests-args) fargs=${2:?}; shift 2 ;;
	--bs) bslist=${2:?}; shift 2 ;;
	--kernels) kernels=${2:?}; shift 2 ;;
	--lsmod) lsmodfile=${2:?}; shift 2 ;;
	--outdir) outdir=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument $1 (try --help)" ;;
	esac
done
[ -n "$blktests$fstests" ] ||
	die "give --blktests DIR and/or --fstests DIR: built checkouts (README.md, \"Upstream's suites\")"
[ -z "$blktests" ] || [ -x "$blktests/check" ] || die "$blktests: no blktests ./check there"
[ -z "$fstests" ] || [ -x "$fstests/check" ] || die "$fstests: no fstests ./check there"
[ -z "$fstests" ] || [ -x "$fstests/ltp/fsx" ] || die "$fstests: not built (no ltp/fsx): run make there first"
[ -z "$blktests" ] || [ -x "$blktests/src/loblksize" ] || die "$blktests: not built (no src/loblksize): run make there first"
[ -r "$lsmodfile" ] || die "no module list $lsmodfile (make realmachine derives it)"
IFS=, read -r -a klist <<< "$kernels"
for k in "${klist[@]}"; do
	case $k in stock|on|off) ;; *) die "--kernels: stock, on or off, not '$k'" ;; esac
done

commit() { git -C "$1" rev-parse HEAD 2> /dev/null || echo "unknown (not a git checkout)"; }
mkdir -p "$outdir"
outdir=$(realpath "$outdir")
t_all=$(date +%s)
img_debs "$lsmodfile"
adds=()
[ -z "$blktests" ] || adds+=(--add "$(realpath "$blktests"):/opt/blktests")
[ -z "$fstests" ] || adds+=(--add "$(realpath "$fstests"):/opt/fstests")
"$top/tests/image/mkimage.sh" image "${img_deb_args[@]}" "${adds[@]}" "$img_work/image-external"
{
	echo "blktests: $( [ -n "$blktests" ] && commit "$blktests" || echo "not run")"
	echo "fstests: $( [ -n "$fstests" ] && commit "$fstests" || echo "not run")"
	echo "blktests_tests: $btests"
	echo "fstests_args: $fargs"
	echo "xfs_block_sizes: $bslist"
} > "$outdir/suites.txt"

for k in "${klist[@]}"; do
	kver=$(img_kernel "$img_work/image-external" "$k")
	append=()
	[ -z "$blktests" ] || append+=("pmdzero.blktests=${btests// /,}")
	[ -z "$fstests" ] || append+=("pmdzero.fstests=${fargs// /,}" "pmdzero.fstests_bs=$bslist")
	rm -rf "${outdir:?}/$k"
	t=$(date +%s)
	"$top/tests/image/boot.sh" --timeout "$timeout" --append "${append[*]}" \
		--disk blk1:8G --disk fst-test:8G --disk fst-scratch:8G \
		"$img_work/image-external" "$kver" external "$outdir/$k" ||
		say "$kver: the boot did not end cleanly (see $outdir/$k/console.log)"
	echo "$k: $kver, $(( $(date +%s) - t ))s" >> "$outdir/suites.txt"
done

python3 "$top/tests/image/external-report.py" "$outdir" "${klist[@]}"
say "done in $(( ($(date +%s) - t_all) / 60 )) min: $outdir/summary.md"
