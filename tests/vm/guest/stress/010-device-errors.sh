#!/bin/bash
# DESCRIPTION: device errors under zeroing (issue 14, part 1).  A 20 MiB
# memory-backed null_blk holds a position-dependent pattern (zpattern); a
# 17 MiB + 1536 byte range from 1 MiB + 4 KiB, which neither starts nor
# ends on 2 MiB, three zero-folio bios or 18 ZERO_PAGE bios long, is zeroed
# while the device fails:
#   badblock-mid    null_blk configfs badblocks, 4 KiB in the middle of the
#                   range (every request touching it fails with EIO)
#   badblock-edges  the first and the last sector of the range bad
#   fmr-all         fail_make_request: every bio fails in submit_bio_noacct()
#   fmr-one         fail_make_request: one bio, half way through the range
# (fmr-* only where the kernel has CONFIG_FAIL_MAKE_REQUEST: the debug
# kernel; skipped, not failed, elsewhere).  Through BLKZEROOUT (pmdzero -e
# ioctl, blkdiscard -z), fallocate zero-range (pmdzero -e fallocate,
# fallocate(1)) and every other pmdzero engine (uring, vectored uring,
# uring-fallocate in one SQE and in chunks, aio, vectored aio, psync,
# vectored psync, auto, and ioctl --verify, whose guards must be restored).
# Each must fail: pmdzero with exit 1, nothing on stdout and exactly one line
# on stderr naming the device and ending "Input/output error"; the
# util-linux tools with a non-zero exit and the same errno.  Then, with the
# fault gone: every byte outside the range is still the pattern and every
# byte inside is zero or the pattern (zpattern check over the whole
# device), the same command zeroes the range (the device keeps working) and
# the device reads back zero exactly there.  Kmemleak (debug kernel) is
# scanned at the end: no request or bio may leak; the device is powered off
# and removed, which a leaked request would block.  Faults injected are the
# failed requests (block:block_rq_complete with an error, for badblocks)
# plus the failed bios (fail_make_request's own count).  The ZERO_PAGE path
# is what stress-stock runs, the static folio stress-patched and
# stress-debug.
. /pmdzero/lib.sh

need_tools zpattern
name=err0 size_mib=20 seed=10
dev=$(nullb_create $name size=$size_mib memory_backed=1 blocksize=512) ||
	fail "cannot create memory-backed null_blk"
disarm() {
	has_fail_make_request && echo 0 > $FAIL_MAKE_REQUEST/probability
	[ -d $NULLB/$name ] && echo "-0-$((size_mib * 2048))" > $NULLB/$name/badblocks
}
trap 'disarm 2>/dev/null; nullb_destroy $name' EXIT

off=$((MiB + 4096)) len=$((17 * MiB + 1536))
first=$((off / 512)) last=$(((off + len) / 512 - 1))
# In the second zero-folio bio.
mid=$(((off + 9 * MiB + 8192) / 512))

kmemleak_begin
zpattern fill "$dev" $seed || fail "cannot fill $dev"

cases=0 faults=0 problems=0
bytes_verified=0 corrupt_bytes=0
problem() { echo "PROBLEM: $*"; problems=$((problems + 1)); }

# zero_cmd VARIANT: the zeroing command of a variant into cmd[], its kind
# (pmdzero or util) into kind.
zero_cmd() {
	local e=${1%%+*}
	kind=pmdzero
	case $1 in
	blkdiscard) kind=util cmd=(blkdiscard -f -z -o $off -l $len "$dev"); return ;;
	fallocate-1) kind=util cmd=(fallocate --zero-range --offset $off --length $len "$dev"); return ;;
	esac
	cmd=(pmdzero zero "$dev" -o $off -l $len -e "$e" --quiet --no-trace)
	case $1 in
	*+vectored) cmd+=(--vectored) ;;
	*+chunks) cmd+=(-b 2M -q 4) ;;
	*+verify) cmd+=(--verify) ;;
	esac
}

# arm KIND / disarm_case KIND: start and stop the fault; disarm_case adds
# what was injected to faults and sets hit.
arm() {
	case $1 in
	badblock-mid) echo "+$mid-$((mid + 7))" > $NULLB/$name/badblocks ;;
	badblock-edges)
		echo "+$first-$first" > $NULLB/$name/badblocks &&
			echo "+$last-$last" > $NULLB/$name/badblocks
		;;
	fmr-all) fault_begin "$dev" ;;
	# Bios pass while more than half the range's bytes are left of the
	# budget, then one fails.
	fmr-one) fault_begin "$dev" $((len / 2)) 1 ;;
	esac || fail "cannot arm $1"
	case $1 in badblock-*) rq_errors_begin "$dev" ;; esac
}

disarm_case() {
	case $1 in
	badblock-*)
		rq_errors_end
		echo "-0-$((size_mib * 2048))" > $NULLB/$name/badblocks || fail "cannot clear the bad blocks"
		hit=$rq_errors
		;;
	fmr-*) fault_end "$dev"; hit=$injected ;;
	esac
	faults=$((faults + hit))
}

# one_case KIND VARIANT
one_case() {
	local v=$2 rc msg
	zero_cmd "$v"
	arm "$1"
	"${cmd[@]}" < /dev/null > /tmp/out 2> /tmp/err
	rc=$?
	disarm_case "$1"
	cases=$((cases + 1))
	msg=$(tail -n 1 /tmp/err)
	echo "$1 $v: exit $rc, $hit faults: $msg"
	[ "$hit" -gt 0 ] || problem "$1 $v: no fault was injected"
	if [ $kind = pmdzero ]; then
		[ $rc = 1 ] || problem "$1 $v: pmdzero exited $rc, want 1"
		[ ! -s /tmp/out ] || problem "$1 $v: pmdzero printed a report after failing: $(head -n 3 /tmp/out)"
		[ "$(wc -l < /tmp/err)" = 1 ] || problem "$1 $v: $(wc -l < /tmp/err) lines on stderr, want 1: $(cat /tmp/err)"
		case $msg in
		"pmdzero: $dev: "*": Input/output error") ;;
		*) problem "$1 $v: unexpected message '$msg'" ;;
		esac
	else
		[ $rc != 0 ] || problem "$1 $v: ${cmd[0]} succeeded on a failing device"
		grep -q 'Input/output error' /tmp/err || problem "$1 $v: ${cmd[0]} did not report EIO: $msg"
	fi
	# Outside the range untouched; inside zero where a write got through.
	zcheck "$dev" $seed -m $off:$len || problem "$1 $v: corrupt after the failure"
	# The device keeps working: the same command, now without the fault.
	"${cmd[@]}" < /dev/null > /tmp/out 2> /tmp/err ||
		problem "$1 $v: zeroing again without the fault failed: $(cat /tmp/err)"
	# -r: and the pattern back over the range for the next case.
	zcheck "$dev" $seed -z $off:$len -r || problem "$1 $v: not zeroed exactly after recovery"
}

all="ioctl fallocate uring uring+vectored uring-fallocate uring-fallocate+chunks aio aio+vectored
psync psync+vectored auto ioctl+verify blkdiscard fallocate-1"
kinds="badblock-mid badblock-edges fmr-all fmr-one"
# Every engine the library has (pmdzero engines) has its case in $all: a
# new engine fails here until it is covered.
engines=$(pmdzero engines --json | jq -r '.engines[].name') && [ -n "$engines" ] ||
	fail "pmdzero engines --json gave no engines"
for e in $engines; do
	[[ " $(echo $all) " == *" $e "* ]] || fail "engine $e (pmdzero engines) has no case in this test's \$all"
done
if ! has_fail_make_request; then
	required fail_make_request && fail "no fail_make_request in this kernel, which this set-up requires: the fmr-* cases cannot run"
	echo "no fail_make_request in this kernel: the fmr-* cases are skipped"
fi
t0=$EPOCHREALTIME
rounds=$(soak 1)
for ((round = 1; round <= rounds; round++)); do
	for k in $kinds; do
		case $k in
		badblock-mid) variants=$all ;;
		badblock-edges) variants="ioctl fallocate uring-fallocate uring aio psync" ;;
		# --verify reads its guards first, which fail too: another message.
		fmr-all) variants=${all/ioctl+verify /} ;;
		fmr-one) variants="ioctl fallocate uring-fallocate uring aio psync blkdiscard" ;;
		esac
		case $k in fmr-*) has_fail_make_request || continue ;; esac
		for v in $variants; do
			one_case $k "$v"
		done
	done
done
echo "cases took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

nullb_destroy_checked $name
kmemleak_end
[ "$leaks" = null ] || [ "$leaks" = 0 ] || problem "kmemleak found $leaks unreferenced objects"
splats_since_start
[ "$splats" = 0 ] || problem "$splats kernel log lines the splat check fails on"
stress_figure device-errors $cases $bytes_verified $faults $corrupt_bytes $leaks
[ "$corrupt_bytes" = 0 ] || problem "$corrupt_bytes corrupt bytes"
[ $problems = 0 ] || fail "$problems problems (PROBLEM lines above)"
echo "ok: $cases zeroings failed cleanly with EIO, device intact and working after each"
