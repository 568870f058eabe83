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
#                         -g aio -x stress -x dangerous generic/091
#                         generic/263": zero range, direct I/O through
#                         libaio, and fsx with O_DIRECT mixing writes,
#                         truncate, fallocate, zero range and hole
#                         punching; without the stress and fault-injection
#                         tests, which run for many minutes each under
#                         TCG: 49 tests at fstests 63a29724a85f, what of
#                         fstests exercises what the series changes)
#   --blktests-timeout S  blktests' TIMEOUT: the bound on its timed tests'
#                         fio runs, as blktests' running-tests.md describes
#                         (default 60; 0 leaves it unset)
#   --bs LIST             XFS block sizes for fstests (default 4096,65536)
#   --kernels LIST        of stock, on, off (default stock,on)
#   --lsmod FILE          the module list the packages were trimmed to
#                         (default results/realmachine/debian-boot/lsmod)
#   --outdir DIR          (default results/external)
#   --timeout SECS        per boot (default 14400); each suite inside is
#                         stopped 10 minutes before it, so that what it
#                         ran still comes back (the report says so)
#   --jobs N              boots at once (default 1; each is a 2-CPU guest)
#
# Each kernel boots once per part: blktests, and fstests at each block
# size, so that a part that hangs loses only its own result and parts can
# run side by side; with --jobs 2 both kernels run the same part at once.
# DIR gets, per kernel, the suites' logs and results directories, the
# package's config, each part's boot (boot-PART/: console, dmesg, lsmod,
# packages.txt, ...), and summary.md:
# each test's result on each kernel, the differences, and the suites'
# commits; suites.txt names the commits and each boot's time.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
top=$img_top
blktests= fstests= btests="block nvme" fargs="-g zero -g aio -x stress -x dangerous generic/091 generic/263" bslist=4096,65536
kernels=stock,on lsmodfile=$top/results/realmachine/debian-boot/lsmod outdir=$top/results/external timeout=14400
btimeout=60 jobs=1
die() { echo "external.sh: $*" >&2; exit 1; }
say() { echo "external.sh: $*" >&2; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
while [ $# -gt 0 ]; do
	case $1 in
	--blktests) blktests=${2:?}; shift 2 ;;
	--fstests) fstests=${2:?}; shift 2 ;;
	--blktests-tests) btests=${2:?}; shift 2 ;;
	--fstests-args) fargs=${2:?}; shift 2 ;;
	--blktests-timeout) btimeout=${2:?}; shift 2 ;;
	--bs) bslist=${2:?}; shift 2 ;;
	--jobs) jobs=${2:?}; shift 2 ;;
	--kernels) kernels=${2:?}; shift 2 ;;
	--lsmod) lsmodfile=${2:?}; shift 2 ;;
	--outdir) outdir=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument $1 (try --help)" ;;
	esac
done
[ -n "$blktests$fstests" ] ||
	die "give --blktests DIR and/or --fstests DIR: built checkouts (kernel/README.md, \"On a real machine\", step 5)"
[ -z "$blktests" ] || [ -x "$blktests/check" ] || die "$blktests: no blktests ./check there"
[ -z "$fstests" ] || [ -x "$fstests/check" ] || die "$fstests: no fstests ./check there"
[ -z "$fstests" ] || [ -x "$fstests/ltp/fsx" ] || die "$fstests: not built (no ltp/fsx): run make there first"
[ -z "$blktests" ] || [ -x "$blktests/src/loblksize" ] || die "$blktests: not built (no src/loblksize): run make there first"
[ -r "$lsmodfile" ] || die "no module list $lsmodfile (make realmachine derives it)"
case $btimeout in ''|*[!0-9]*) die "--blktests-timeout: seconds, not '$btimeout'" ;; esac
case $jobs in ''|0|*[!0-9]*) die "--jobs: a count of boots, not '$jobs'" ;; esac
case $timeout in ''|0|*[!0-9]*) die "--timeout: seconds, not '$timeout'" ;; esac
IFS=, read -r -a bslist_a <<< "$bslist"
for bs in "${bslist_a[@]}"; do
	case $bs in 1024|2048|4096|8192|16384|32768|65536) ;; *) die "--bs: an XFS block size (1024 to 65536), not '$bs'" ;; esac
done
IFS=, read -r -a klist <<< "$kernels"
for k in "${klist[@]}"; do
	case $k in stock|on|off) ;; *) die "--kernels: stock, on or off, not '$k'" ;; esac
done

commit() { git -C "$1" rev-parse HEAD 2> /dev/null || echo "unknown (not a git checkout)"; }
mkdir -p "$outdir"
outdir=$(realpath "$outdir")
t_all=$(date +%s)
# Only the packages of the kernels asked for.
img_debs "$lsmodfile" "${klist[@]}"
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

parts=()
[ -z "$blktests" ] || parts+=(blktests)
[ -z "$fstests" ] || for bs in "${bslist_a[@]}"; do parts+=("fstests-$bs"); done

# run_part KERNEL PART: one boot; the suite's files (blktests*, or
# fstests-BS*) moved up beside the other parts', the boot's own in boot-PART.
run_part() {
	local k=$1 part=$2 kver bdir t append=()
	kver=$(img_kernel "$img_work/image-external" "$k")
	case $part in
	blktests) append=("pmdzero.blktests=${btests// /,}" "pmdzero.blktests_timeout=$btimeout") ;;
	fstests-*) append=("pmdzero.fstests=${fargs// /,}" "pmdzero.fstests_bs=${part#fstests-}") ;;
	esac
	[ "$timeout" -le 1200 ] || append+=("pmdzero.suite_timeout=$((timeout - 600))")
	bdir=$outdir/$k/boot-$part
	t=$(date +%s)
	"$top/tests/image/boot.sh" --timeout "$timeout" --append "${append[*]}" \
		--disk blk1:8G --disk fst-test:8G --disk fst-scratch:8G \
		"$img_work/image-external" "$kver" external "$bdir" ||
		say "$kver, $part: the boot did not end cleanly (see $bdir/console.log)"
	find "$bdir" -mindepth 1 -maxdepth 1 -name "$part*" -exec mv -t "$outdir/$k" {} + 2> /dev/null || true
	echo "$k $part: $kver, $(( $(date +%s) - t ))s" > "$outdir/$k/boot-$part.time"
}

for k in "${klist[@]}"; do
	rm -rf "${outdir:?}/$k"
	mkdir -p "$outdir/$k"
	# The configuration of the package the suites ran on.
	cp "$img_work/image-external/boot/config-$(img_kernel "$img_work/image-external" "$k")" "$outdir/$k/config"
done
# Part by part, the kernels side by side: at --jobs 2 both kernels run the
# same part under the same load.
running=0
for part in "${parts[@]}"; do
	for k in "${klist[@]}"; do
		if [ "$running" -ge "$jobs" ]; then
			wait -n || true
			running=$((running - 1))
		fi
		run_part "$k" "$part" &
		running=$((running + 1))
	done
done
wait
for k in "${klist[@]}"; do
	for part in "${parts[@]}"; do
		cat "$outdir/$k/boot-$part.time" 2> /dev/null || echo "$k $part: no time (the part did not finish)"
		rm -f "$outdir/$k/boot-$part.time"
	done
done >> "$outdir/suites.txt"
{ echo "jobs: $jobs"; echo "blktests_timeout: $btimeout"; } >> "$outdir/suites.txt"

python3 "$top/tests/image/external-report.py" "$outdir" "${klist[@]}"
say "done in $(( ($(date +%s) - t_all) / 60 )) min: $outdir/summary.md"
