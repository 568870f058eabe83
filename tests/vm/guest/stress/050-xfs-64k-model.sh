#!/bin/bash
# DESCRIPTION: issue 14 part 5, XFS with 64 KiB blocks under load.  A
# 320 MiB memory-backed null_blk (no Write Zeroes, 512-byte logical blocks),
# filled with a never-zero pattern first so that zeroes cannot come from
# memory nobody wrote, formatted with mkfs.xfs -b size=65536 (without
# discard).  Two xfs-model workers run at once, each on its own file: a
# seeded random sequence of sub-block O_DIRECT writes (into holes, unwritten
# extents and past EOF: iomap_dio_zero() zeroes the rest of the block),
# buffered writes, truncates up and down, FALLOC_FL_ZERO_RANGE,
# FALLOC_FL_PUNCH_HOLE, fsyncs and cache drops, every read (O_DIRECT and
# buffered) compared with the model in memory, the whole file read back
# from disk every 250 ops.  A third process adds buffered streaming I/O on
# another file.  Then umount, xfs_repair -n must be clean, and after a
# fresh mount each file must equal its model, read buffered and O_DIRECT.
# Before the workers, the load loop is stopped twice while its dd has a
# file open on the mount, once killed and once asked to stop, and the file
# system is unmounted at once each time: issue 29's "umount failed" (the
# dd of a killed loop still writing) must not happen.
# The seeds are fixed: the op counts and the checksums of the files as read
# back (the DATA record xfs-model) must be the same on every kernel.
. /pmdzero/lib.sh

command -v mkfs.xfs > /dev/null || skip "mkfs.xfs not in the guest"
part=xfs-64k
name=xfsm
size_mib=320
lbs=512
workers=2
ops=$(soak 5000)
seed=14005
mnt=/mnt/xfsm
tmp=/tmp/xm
mkdir -p $mnt $tmp
t0=$EPOCHREALTIME
cleanup() {
	bg_loops_kill
	umount $mnt 2>/dev/null
	nullb_destroy $name
}
trap cleanup EXIT

kmemleak_begin
dev=$(nullb_create $name size=$size_mib memory_backed=1 blocksize=$lbs) ||
	fail "cannot create memory-backed null_blk"
q=$(sysblock "$dev")/queue
expect_eq "$(basename "$dev") write_zeroes_max_bytes" "$(cat $q/write_zeroes_max_bytes)" 0
expect_eq "$(basename "$dev") logical_block_size" "$(cat $q/logical_block_size)" $lbs
zpattern fill "$dev" 5005 > /dev/null || fail "cannot fill $dev with stale data"
mkfs.xfs -q -f -K -b size=65536 "$dev" || fail "mkfs.xfs -b size=65536 failed"
mount -t xfs "$dev" $mnt || fail "cannot mount XFS with 64 KiB blocks"

# The load beside the workers, one round of it: buffered streaming writes,
# fsync, reads.
load_round() {
	dd if=/dev/zero of=$mnt/load bs=1M count=16 conv=fsync 2> /dev/null
	dd if=$mnt/load of=/dev/null bs=1M 2> /dev/null
	rm -f $mnt/load
	sleep 0.5
}

# The load loop stopped while a dd of it has $mnt/load open, then umount
# at once: with bg_loop_kill (SIGKILL mid-dd) and bg_loop_stop (the round
# finishes).  Killing only the loop's subshell, as 050 once did, leaves the
# dd running and this umount fails with EBUSY (issue 29).
for how in kill stop; do
	bg_loop_start load load_round
	wait_until 60 "a dd of the load loop to have $mnt/load open" \
		pgrp_has_open "${BG_LOOP_PID[load]}" $mnt/load
	bg_loop_$how load
	umount $mnt 2> $tmp/umount.err ||
		fail "umount right after bg_loop_$how of the load loop mid-dd: $(cat $tmp/umount.err)"
	echo "ok: load loop stopped mid-dd (bg_loop_$how), umount at once succeeded"
	mount -t xfs "$dev" $mnt || fail "cannot mount XFS with 64 KiB blocks again"
done

bg_loop_start load load_round

pids=()
for ((w = 1; w <= workers; w++)); do
	xfs-model -s $((seed + w)) -n "$ops" -a $lbs -b 65536 -m 8M -v 250 -o $tmp/model.$w \
		$mnt/file.$w > $tmp/w.$w.log 2>&1 &
	pids+=($!)
done
failed=
for ((w = 1; w <= workers; w++)); do
	if ! wait_exit "$(soak 900)" "xfs-model worker $w (seed $((seed + w))) to finish" "${pids[w - 1]}"; then
		kill -KILL "${pids[@]}" 2> /dev/null
		fail "$timed_out"
	fi
	[ $exit_rc = 0 ] || failed+="; worker $w (seed $((seed + w))) exit $exit_rc"
done
# Every process of the load gone before umount, not only its subshell.
bg_loop_stop load

# key=value pairs of each worker's result line, summed over the workers.
declare -A sum
checksums=
for ((w = 1; w <= workers; w++)); do
	line=$(grep '^xfs-model: ' $tmp/w.$w.log | tail -n 1)
	[ -n "$line" ] || { cat $tmp/w.$w.log; fail "worker $w printed no result"; }
	echo "worker $w: ${line#xfs-model: }"
	for kv in ${line#xfs-model: }; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		seed|size|model_checksum) ;;
		checksum) checksums+=${checksums:+,}$v ;;
		*) sum[$k]=$(( ${sum[$k]:-0} + v )) ;;
		esac
	done
done
if [ -n "$failed" ]; then
	for ((w = 1; w <= workers; w++)); do
		grep -v '^xfs-model: ' $tmp/w.$w.log | head -n 60
	done
fi

verified=${sum[bytes_verified]:-0}
corrupt=${sum[mismatch_bytes]:-0}
repair=skipped
if umount $mnt; then
	if xfs_repair -n "$dev" > $tmp/repair.log 2>&1; then
		repair=clean
	else
		repair="exit $?"
		tail -n 20 $tmp/repair.log
		failed+="; xfs_repair -n: $repair"
	fi
	# After a fresh mount the files come from disk: buffered and O_DIRECT.
	if mount -t xfs "$dev" $mnt; then
		for ((w = 1; w <= workers; w++)); do
			[ -f $tmp/model.$w ] || continue
			sz=$(stat -c %s $tmp/model.$w)
			for how in buffered direct; do
				if [ $how = direct ]; then
					dd if=$mnt/file.$w bs=1M iflag=direct 2> /dev/null > $tmp/read.$w
				else
					cat $mnt/file.$w > $tmp/read.$w
				fi
				if cmp $tmp/read.$w $tmp/model.$w > $tmp/cmp.$w 2>&1; then
					verified=$((verified + sz))
				else
					corrupt=$((corrupt + $(cmp -l $tmp/read.$w $tmp/model.$w 2> /dev/null | wc -l)))
					failed+="; file.$w after remount ($how): $(head -n 1 $tmp/cmp.$w)"
				fi
				rm -f $tmp/read.$w
			done
		done
		umount $mnt || failed+="; second umount failed"
	else
		failed+="; remount failed"
	fi
else
	failed+="; umount failed"
fi

# iomap's warning when a direct write could not invalidate the page cache
# over its range (a pr_crit, not a splat): the model's reads would then be
# racing stale pages.
if dmesg | grep -q 'Page cache invalidation failure'; then
	failed+="; $(dmesg | grep 'Page cache invalidation failure' | head -n 1)"
fi
# Leaks once the file system is gone (null on a kernel without kmemleak).
kmemleak_end
[ "$leaks" = null ] || [ "$leaks" = 0 ] || failed+="; kmemleak found $leaks unreferenced objects"
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
counts=
for k in dwrite bwrite dread bread truncate zero punch fsync drop; do
	counts+="${counts:+,}\"$k\":${sum[$k]:-0}"
done
echo "xfs-64k: $workers workers x $ops ops (seeds $((seed + 1))..$((seed + workers))):" \
	"dwrite ${sum[dwrite]:-0}, bwrite ${sum[bwrite]:-0}, dread ${sum[dread]:-0}," \
	"bread ${sum[bread]:-0}, truncate ${sum[truncate]:-0}, zero ${sum[zero]:-0}," \
	"punch ${sum[punch]:-0}, fsync ${sum[fsync]:-0}, drop ${sum[drop]:-0};" \
	"${sum[dio_zeroing]:-0} sub-block O_DIRECT writes into a hole, an unwritten block or past EOF;" \
	"$verified bytes verified, $corrupt corrupt; checksums $checksums; xfs_repair -n $repair; ${secs}s"
stress_data $part "${sum[ops]:-0}" $verified 0 $corrupt $leaks
# Only what must be the same on every kernel: matrix-summary.py compares
# the records of the set-ups whole, less their kind and kernel.  The count
# of zeroing writes comes from FIEMAP, which the other worker's allocations
# at that moment can change: it is in the figure line only.
record xfs-model seed:=$seed workers:=$workers ops:=${sum[ops]:-0} counts:="{$counts}" \
	checksum="$checksums" repair="$repair"
[ -z "$failed" ] || fail "${failed#; }"
