#!/bin/bash
# DESCRIPTION: completions after exit (issue 14, part 3).  Zeroing I/O is in
# flight when its submitter gets SIGKILL: io_uring and libaio zeroing writes
# (pmdzero -e uring / aio, plain and vectored; fio writing zero buffers
# through io_uring and libaio) and async fallocate zero-range
# (IORING_OP_FALLOCATE: pmdzero -e uring-fallocate, one SQE and 2 MiB
# chunks).  Two slow memory-backed null_blk devices of 24 MiB, a 16 MiB
# range from 1 MiB:
#   timer  irqmode=2, every request completes 200 ms after it was issued,
#          1 MiB requests: the whole range is issued at once and the kill
#          lands while the driver holds every request (the submitter is
#          killed as soon as /sys/block/DEV/inflight shows a write)
#   mbps   mbps=40: a stream of requests the driver throttles (the submitter
#          is killed once the first write has completed)
# After each kill: the process is gone (exit by SIGKILL, not by finishing),
# every request completes (inflight back to 0), every byte of the range is
# zero or the old pattern and every byte outside it the old pattern (a new
# pattern per case: zpattern, the check zeroed-or-old does, in one pass over
# the whole device), and the device is still usable: BLKZEROOUT of all of
# it, read back as zeroes.  Finally each device must power off and go away,
# which a request that never completed would block; the splat check
# (KASAN's use-after-free reports on the debug kernel) and kmemleak's scan
# (debug kernel) run over all of it.  Faults injected are the kills.
. /pmdzero/lib.sh

need_tools zpattern fio
size_mib=24
size=$((size_mib * MiB)) off=$MiB len=$((16 * MiB))
trap 'nullb_destroy inflight0; nullb_destroy inflight1' EXIT

kmemleak_begin
cases=0 faults=0 problems=0 bytes_verified=0 corrupt_bytes=0 seed=300
problem() { echo "PROBLEM: $*"; problems=$((problems + 1)); }

# case_cmd VARIANT: the submitter of a variant into cmd[].
case_cmd() {
	local pz=(pmdzero zero "$dev" -o $off -l $len --quiet --no-trace)
	case $1 in
	uring) cmd=("${pz[@]}" -e uring -b 2M -q 8) ;;
	uring-vectored) cmd=("${pz[@]}" -e uring --vectored -b 4M -q 4) ;;
	aio) cmd=("${pz[@]}" -e aio -b 2M -q 8) ;;
	aio-vectored) cmd=("${pz[@]}" -e aio --vectored -b 4M -q 4) ;;
	uring-fallocate) cmd=("${pz[@]}" -e uring-fallocate) ;;
	uring-fallocate-chunks) cmd=("${pz[@]}" -e uring-fallocate -b 2M -q 8) ;;
	uring-1m) cmd=("${pz[@]}" -e uring -b 1M -q 4) ;;
	aio-1m) cmd=("${pz[@]}" -e aio -b 1M -q 4) ;;
	fio-*)
		# --thread: one process, so that the kill ends every job.
		cmd=(fio --name=zeroes --filename="$dev" --ioengine="${1#fio-}" --rw=write
			--direct=1 --bs=1M --iodepth=8 --offset=$off --size=$len --zero_buffers
			--thread --output=/dev/null)
		;;
	*) fail "unknown variant $1" ;;
	esac
}

# No write of the device in flight (in the driver); the writes it has
# completed.
no_writes_in_flight() { local r w; read -r r w < "$sys/inflight"; [ "$w" = 0 ]; }
writes_done() { local s; read -r -a s < "$sys/stat"; echo "${s[4]}"; }

# kill_in_flight TRIGGER VARIANT: start the variant, SIGKILL it once
# TRIGGER holds (inflight: a write is in the driver; progress: a write has
# completed), wait until it is reaped and the device is idle.  The poll
# reads sysfs with builtins only: a fork per look would be milliseconds
# under TCG.
kill_in_flight() {
	local trigger=$1 v=$2 pid rc i base t0 t1 seen=0 r w s start=$SECONDS
	case_cmd "$v"
	base=$(writes_done)
	"${cmd[@]}" < /dev/null > /tmp/kill.out 2>&1 &
	pid=$!
	while [ $((SECONDS - start)) -lt 20 ] && kill -0 $pid 2>/dev/null; do
		if [ $trigger = inflight ]; then
			read -r r w < "$sys/inflight"
			[ "$w" -gt 0 ] && { seen=1; break; }
		else
			read -r -a s < "$sys/stat"
			[ "${s[4]}" -gt "$base" ] && { seen=1; break; }
		fi
	done
	t0=$EPOCHREALTIME
	kill -KILL $pid 2>/dev/null
	wait_exit 60 "$v: the submitter to exit after SIGKILL" $pid || fail "$timed_out"
	rc=$exit_rc
	t1=$EPOCHREALTIME
	cases=$((cases + 1))
	if [ $rc != 137 ]; then
		problem "$v: the submitter was not killed in flight (exit $rc, trigger seen $seen): $(tail -n 3 /tmp/kill.out)"
		return
	fi
	[ $seen = 1 ] || problem "$v: killed before any write was in flight"
	faults=$((faults + 1))
	# Every request must complete now that nobody waits for it.
	if ! poll_until 30 "$v: the writes in flight to complete after the kill" no_writes_in_flight; then
		problem "$timed_out"
		return
	fi
	echo "$v: killed with I/O in flight, reaped $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s later, device idle after $waited_s s"
}

# reuse VARIANT: BLKZEROOUT of the whole device.  pmdzero opens it O_EXCL:
# the killed submitter's file may be released a little after it was reaped
# (io_uring tears its ring down in a worker), so "in use" is retried until
# the device is free, for up to 60 s.
reuse() {
	reuse_tries=0
	if ! poll_until 60 "$1: the killed submitter's hold on $dev to go (pmdzero: in use)" reuse_once; then
		problem "$timed_out"
	elif [ $reuse_rc != 0 ]; then
		problem "$1: BLKZEROOUT after the kill failed (exit $reuse_rc): $(cat /tmp/reuse.err)"
	elif [ $reuse_tries != 1 ]; then
		echo "$1: the device was still held $waited_s s after the kill"
	fi
}

# reuse_once: one BLKZEROOUT of the device; false only if it was in use.
reuse_once() {
	reuse_tries=$((reuse_tries + 1))
	pmdzero zero "$dev" -e ioctl --quiet --no-trace < /dev/null > /dev/null 2> /tmp/reuse.err
	reuse_rc=$?
	[ $reuse_rc = 0 ] || ! grep -q 'in use' /tmp/reuse.err
}

# run_flavour NAME TRIGGER VARIANTS NULLB_ATTRS...
run_flavour() {
	local nb=$1 trigger=$2 variants=$3 v rounds r
	shift 3
	dev=$(nullb_create $nb size=$size_mib memory_backed=1 blocksize=512 "$@") ||
		fail "cannot create null_blk $nb ($*)"
	sys=$(sysblock "$dev")
	echo "$nb: $* (max_sectors_kb $(cat $sys/queue/max_sectors_kb))"
	rounds=$(soak 1)
	for ((r = 1; r <= rounds; r++)); do
		for v in $variants; do
			seed=$((seed + 1))
			zpattern fill "$dev" $seed || fail "cannot fill $dev"
			kill_in_flight $trigger $v
			zcheck "$dev" $seed -m $off:$len || problem "$v: corrupt after the kill"
			echo "$v: $zcheck_out"
			# Still usable: all of it zeroed and read back.
			reuse "$v"
			zcheck "$dev" $seed -z 0:$size || problem "$v: not all zero after BLKZEROOUT"
		done
	done
	nullb_destroy_checked $nb
}

t0=$EPOCHREALTIME
run_flavour inflight0 inflight \
	"uring uring-vectored aio aio-vectored uring-fallocate uring-fallocate-chunks fio-io_uring fio-libaio" \
	irqmode=2 completion_nsec=200000000 max_sectors=2048 hw_queue_depth=64
run_flavour inflight1 progress "uring-fallocate uring-1m aio-1m fio-libaio" mbps=40
echo "cases took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

kmemleak_end
[ "$leaks" = null ] || [ "$leaks" = 0 ] || problem "kmemleak found $leaks unreferenced objects"
splats_since_start
[ "$splats" = 0 ] || problem "$splats kernel log lines the splat check fails on"
stress_figure exit-in-flight $cases $bytes_verified $faults $corrupt_bytes $leaks
[ "$corrupt_bytes" = 0 ] || problem "$corrupt_bytes corrupt bytes"
[ $problems = 0 ] || fail "$problems problems (PROBLEM lines above)"
echo "ok: $cases submitters killed with zeroing in flight; no corrupt byte, every device usable and removable"
