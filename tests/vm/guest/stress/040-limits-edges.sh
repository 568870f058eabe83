#!/bin/bash
# DESCRIPTION: limits at their edges (issue 14, part 4).  Ranges of one
# logical block (first, an odd one, the last of the device), 2 MiB and 2 MiB
# +- one block (from 2 MiB and from one block in), a zeroing bio's capacity
# +- one block (idem, and ending at the device's end), 2 MiB + one block
# ending at the device's end, a sub-4 KiB range, and the whole device; on
# memory-backed null_blk devices of
#   b512    512-byte blocks, default limits (255-sector requests)
#   b4k     4 KiB logical (and physical) blocks
#   vb512   virt_boundary (4 KiB), 512-byte blocks
#   vb4k    virt_boundary, 4 KiB blocks, 1 MiB requests
#   ms8     4 KiB requests (max_sectors=8), the smallest
#   ms2560  1280 KiB requests, the block layer's default cap
#   seg     16 MiB requests (max_sectors_kb raised): a request is bounded by
#           max_segments x max_segment_size (128 x 64 KiB), not max_sectors
# and on QEMU's NVMe disk (nvme-pci with Write Zeroes quirked off: the same
# zero-page path, PRP mapping, 4 KiB virt boundary), windows at its start
# and end.  Each range is zeroed by BLKZEROOUT (blkdiscard -z) and the
# capacity + one block ones by fallocate zero-range (fallocate(1)) too, and
# checked byte-exact: zero inside, a position-dependent pattern (zpattern)
# in the 1 MiB guards on each side; after all the ranges of a device the
# whole device (or window) must hold the pattern again, so a stray write
# anywhere is found.  Every zeroing's bio count is checked too (the block
# tracepoints, per process), so that "capacity +- one block" really is one
# bio and two: the capacity is derived from the queue limits as
# __blkdev_issue_zero_pages() sizes a bio, 1 MiB of ZERO_PAGE (256
# bio_vecs) when PMDZERO_EXPECT=small, and with the static folio 8 MiB
# rounded down to whole requests (max_sectors, rounded down to the physical
# block), never less than one request.
#
# Gap: 6.12's null_blk has no max_segment_size (nor max_segments)
# attribute; upstream added one later.  What 6.12 offers is covered: every
# null_blk without virt_boundary has the block layer's default 64 KiB
# max_segment_size, smaller than a 2 MiB bio_vec (seg makes it the binding
# limit), and virt_boundary devices have no segment size limit (checked
# below).  A device with a segment limit below 64 KiB cannot be made here.
. /pmdzero/lib.sh

need_tools zpattern
trap 'for n in $NB_ALL; do nullb_destroy $n; done' EXIT
NB_ALL="b512 b4k vb512 vb4k ms8 ms2560 seg"

kmemleak_begin
cases=0 problems=0 bytes_verified=0 corrupt_bytes=0 seed=400 counted=0
declare -A want_bios what
problem() { echo "PROBLEM: $*"; problems=$((problems + 1)); }

# lim NAME: a queue limit of $dev.
lim() { cat "$sys/queue/$1"; }

# capacity MAX_SECTORS: set cap, the bytes of one zeroing bio on $dev,
# from the request size in sectors.
capacity() {
	local rq=$1 pbs c
	if ! expect_large; then
		cap=$MiB
		return
	fi
	pbs=$(($(lim physical_block_size) / 512))
	[ $rq -gt $pbs ] && rq=$((rq / pbs * pbs))
	c=$((16384 - 16384 % rq))
	[ $c -ge $rq ] || c=$rq
	[ $c -le $((256 * 4096)) ] || c=$((256 * 4096))
	cap=$((c * 512))
}

# The bios of every zeroing on $dev, counted per process from the
# block:block_bio_queue tracepoint: bios_begin before a device's ranges,
# zero_range records what each process must have sent, bios_end compares.
# One trace per device keeps a case at the cost of the zeroing itself.
BIO_EV=$TRACEFS/events/block/block_bio_queue
bios_begin() {
	echo 0 > $TRACEFS/tracing_on
	echo 0 > $TRACEFS/events/enable
	echo 4096 > $TRACEFS/buffer_size_kb
	# nr_sector > 0: not the empty flush of fallocate(1)'s fsync() on a
	# device with a write cache (NVMe).
	echo "dev == $(kdev "$dev") && nr_sector > 0 && (comm == \"blkdiscard\" || comm == \"fallocate\")" \
		> $BIO_EV/filter ||
		fail "cannot filter block:block_bio_queue"
	echo 1 > $BIO_EV/enable
	echo > $TRACEFS/trace
	echo 1 > $TRACEFS/tracing_on
	want_bios=() what=()
}

bios_end() {
	local pid got overrun
	echo 0 > $TRACEFS/tracing_on
	echo 0 > $BIO_EV/enable
	echo 0 > $BIO_EV/filter
	overrun=$(cat $TRACEFS/per_cpu/cpu*/stats | awk '/^overrun:/ { s += $2 } END { print s + 0 }')
	[ "$overrun" = 0 ] || fail "trace buffer overran by $overrun events"
	# The task column is COMM-PID.
	grep -F ' block_bio_queue:' $TRACEFS/trace | awk '{ n = split($1, a, "-"); c[a[n]]++ }
		END { for (p in c) print p, c[p] }' > /tmp/bios.txt
	for pid in "${!want_bios[@]}"; do
		got=$(awk -v p="$pid" '$1 == p { print $2 }' /tmp/bios.txt)
		counted=$((counted + 1))
		[ "${got:-0}" = "${want_bios[$pid]}" ] ||
			problem "$label: ${what[$pid]}: ${got:-0} bios, want ${want_bios[$pid]} (capacity $cap)"
	done
}

# zero_range TOOL OFF LEN: zero with blkdiscard -z (BLKZEROOUT) or
# fallocate(1) (FALLOC_FL_ZERO_RANGE); expect one bio per capacity.
zero_range() {
	local pid
	case $1 in
	blkzeroout) blkdiscard -f -z -o $2 -l $3 "$dev" > /tmp/zero.out 2>&1 & ;;
	fallocate) fallocate --zero-range --offset $2 --length $3 "$dev" > /tmp/zero.out 2>&1 & ;;
	esac
	pid=$!
	if ! wait_exit 300 "$1 $2+$3 to finish" $pid; then
		kill -KILL $pid 2> /dev/null
		fail "$label: $timed_out"
	fi
	[ $exit_rc = 0 ] || { cat /tmp/zero.out; problem "$label: $1 $2+$3 failed"; return; }
	want_bios[$pid]=$((($3 + cap - 1) / cap))
	what[$pid]="$1 $2+$3"
}

# one_range WOFF WLEN OFF LEN TOOL: zero OFF+LEN, check it and a guard of
# up to 1 MiB each side inside the window, put the pattern back.  What a
# stray write leaves further away is found by the window's final check.
one_range() {
	local woff=$1 wlen=$2 off=$3 len=$4 tool=$5 gs ge
	gs=$((off - MiB)) ge=$((off + len + MiB))
	[ $gs -ge $woff ] || gs=$woff
	[ $ge -le $((woff + wlen)) ] || ge=$((woff + wlen))
	zero_range $tool $off $len
	cases=$((cases + 1))
	# -r: and the pattern back over the range, in the same process.
	zcheck "$dev" $seed -w $gs:$((ge - gs)) -z $off:$len -r || problem "$label: $tool $off+$len not exact"
}

# ranges S L C [nolast]: the ranges of a device (or window) of S bytes with
# blocks of L bytes and bio capacity C, "OFF:LEN" each.
ranges() {
	local S=$1 L=$2 C=$3 M=$((2 * MiB))
	echo "0:$L $((3 * L)):$L"
	echo "$M:$((M - L)) $M:$M $M:$((M + L)) $L:$((M - L)) $L:$M $L:$((M + L))"
	echo "$M:$((C - L)) $M:$C $M:$((C + L)) $L:$((C - L)) $L:$C $L:$((C + L))"
	[ $L = 512 ] && echo "512:1536"
	[ "${4:-}" = nolast ] && return
	echo "$((S - L)):$L $((S - M - L)):$((M + L)) $((S - C - L)):$((C + L)) 0:$S"
}

# run_ranges WOFF WLEN RANGE...: each range (relative to WOFF) by
# BLKZEROOUT; the capacity + one block ones by fallocate too (the same
# bios, through blkdev_fallocate()).  Then the whole window is checked.
run_ranges() {
	local woff=$1 wlen=$2 r off len
	shift 2
	bios_begin
	for r in "$@"; do
		off=$((woff + ${r%%:*})) len=${r#*:}
		one_range $woff $wlen $off $len blkzeroout
		[ $len = $((cap + $(lim logical_block_size))) ] && one_range $woff $wlen $off $len fallocate
	done
	bios_end
	zcheck "$dev" $seed -w $woff:$wlen || problem "$label: a write landed outside its range"
}

# show_limits: the limits that shape the zeroing, for the log.
show_limits() {
	echo "$label: $dev lbs $(lim logical_block_size) pbs $(lim physical_block_size)" \
		"max_sectors_kb $(lim max_sectors_kb) max_hw_sectors_kb $(lim max_hw_sectors_kb)" \
		"max_segments $(lim max_segments) max_segment_size $(lim max_segment_size)" \
		"virt_boundary_mask $(cat "$sys/queue/virt_boundary_mask" 2>/dev/null || echo ?)" \
		"write_zeroes_max_bytes $(lim write_zeroes_max_bytes); bio capacity $cap"
	expect_eq "$label write_zeroes_max_bytes (zero-page path)" "$(lim write_zeroes_max_bytes)" 0
}

# null_dev NAME SIZE_MIB BLOCKSIZE MAX_SECTORS VIRT_BOUNDARY [MAX_SECTORS_KB]:
# one null_blk set-up, all its ranges.
null_dev() {
	local nb=$1 size_mib=$2 bs=$3 ms=$4 vb=$5 kb=${6:-} lbs_s eff
	dev=$(nullb_create $nb size=$size_mib memory_backed=1 blocksize=$bs max_sectors=$ms \
		virt_boundary=$vb) || fail "cannot create null_blk $nb"
	sys=$(sysblock "$dev") label=$nb size=$((size_mib * MiB))
	# The request size the block layer derives: max_hw_sectors is
	# max_sectors in whole blocks, max_sectors at most 2560 of them
	# unless raised through sysfs.  max_sectors_kb rounds down.
	lbs_s=$((bs / 512))
	eff=$((ms / lbs_s * lbs_s))
	if [ -n "$kb" ]; then
		set_max_sectors_kb "$dev" $kb
		eff=$((kb * 2))
	else
		[ $eff -le 2560 ] || eff=2560
	fi
	expect_eq "$nb max_sectors_kb" "$(lim max_sectors_kb)" $((eff / 2))
	if [ $vb = 1 ]; then
		expect_eq "$nb max_segment_size (virt_boundary)" "$(lim max_segment_size)" 4294967295
	else
		expect_eq "$nb max_segment_size (6.12's default)" "$(lim max_segment_size)" 65536
	fi
	capacity $eff
	show_limits
	zpattern fill "$dev" $seed || fail "cannot fill $dev"
	# shellcheck disable=SC2046
	run_ranges 0 $size $(ranges $size $bs $cap)
	nullb_destroy_checked $nb
}

t0=$EPOCHREALTIME
rounds=$(soak 1)
for ((round = 1; round <= rounds; round++)); do
	seed=$((seed + 1))
	null_dev b512 16 512 255 0
	null_dev b4k 16 4096 255 0
	null_dev vb512 16 512 255 1
	null_dev vb4k 16 4096 2048 1
	null_dev ms8 16 512 8 0
	null_dev ms2560 16 512 2560 0
	# 16 MiB requests: with the folio a bio is one request, and the
	# device must hold capacity + 2 MiB + a block.
	null_dev seg 40 512 65535 0 16384
done

# QEMU's NVMe disk: a 16 MiB window at its start and one at its end.  Every
# set-up that runs this suite has one (tests/vm/matrix.sh): without it the
# NVMe cases would drop out unseen.
dev=/dev/nvme0n1 label=nvme
[ -b $dev ] || fail "no $dev: the matrix boots with a QEMU NVMe disk (tests/vm/matrix.sh); the NVMe cases cannot run"
if [ -b $dev ]; then
	sys=$(sysblock $dev)
	size=$(blockdev --getsize64 $dev)
	lbs=$(lim logical_block_size)
	capacity $(($(lim max_sectors_kb) * 2))
	show_limits
	w=$((16 * MiB))
	seed=$((seed + 1))
	zpattern fill $dev $seed 0 $w && zpattern fill $dev $seed $((size - w)) $w ||
		fail "cannot fill $dev"
	# shellcheck disable=SC2046
	run_ranges 0 $w $(ranges $w $lbs $cap nolast)
	# The last block and ranges ending at the device's end.
	run_ranges $((size - w)) $w $((w - lbs)):$lbs $((w - cap - lbs)):$((cap + lbs)) \
		$((w - 2 * MiB - lbs)):$((2 * MiB + lbs))
fi
echo "cases took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s;" \
	"bio counts checked on $counted zeroings"

kmemleak_end
[ "$leaks" = null ] || [ "$leaks" = 0 ] || problem "kmemleak found $leaks unreferenced objects"
splats_since_start
[ "$splats" = 0 ] || problem "$splats kernel log lines the splat check fails on"
stress_figure limits-edges $cases $bytes_verified 0 $corrupt_bytes $leaks
[ "$corrupt_bytes" = 0 ] || problem "$corrupt_bytes corrupt bytes"
[ $problems = 0 ] || fail "$problems problems (PROBLEM lines above)"
echo "ok: $cases zeroings at the limits' edges, each byte-exact over the whole device or window"
