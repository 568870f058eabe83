# shellcheck shell=bash
# Helpers shared by the guest tests (sourced by bash).
TRACEFS=/sys/kernel/tracing
NULLB=/sys/kernel/config/nullb

result() { echo "@@PMDZERO RESULT $*" > "${PMDZERO_RESULTS:-/dev/stdout}"; }
data() { echo "@@PMDZERO DATA $*" > "${PMDZERO_RESULTS:-/dev/stdout}"; }
skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

# The zero folio the running kernel should be using: large or small.
expect_large() { [ "${PMDZERO_EXPECT:-}" = large ]; }
pick() { if expect_large; then echo "$1"; else echo "$2"; fi; }

expect_eq() { # what got want
	if [ "$2" = "$3" ]; then
		echo "ok: $1 = $2"
	else
		fail "$1: got $2, want $3"
	fi
}

GiB=1073741824
MiB=1048576

# nullb_create NAME [attr=value ...]: a configfs null_blk device, powered on.
# Prints the /dev path.  Size is in MiB (size=...), as null_blk takes it.
nullb_create() {
	local name=$1 kv
	shift
	mkdir "$NULLB/$name" || return 1
	for kv in "$@"; do
		echo "${kv#*=}" > "$NULLB/$name/${kv%%=*}" || return 1
	done
	echo 1 > "$NULLB/$name/power" || return 1
	# Since 6.11 a configfs device is named after its directory; older
	# kernels call it nullb<index>.
	local i=0 dev
	while [ $i -lt 50 ]; do
		for dev in "/dev/$name" "/dev/nullb$(cat "$NULLB/$name/index")"; do
			[ -b "$dev" ] && { echo "$dev"; return 0; }
		done
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

nullb_destroy() {
	[ -d "$NULLB/$1" ] || return 0
	echo 0 > "$NULLB/$1/power"
	rmdir "$NULLB/$1"
}

sysblock() { echo "/sys/block/$(basename "$1")"; }

# The dev_t the block tracepoints record: MKDEV with the kernel's 20-bit minor.
kdev() {
	local mm
	mm=$(cat "$(sysblock "$1")/dev")
	echo $(( (${mm%%:*} << 20) | ${mm##*:} ))
}

TRACE_EVENTS="block_bio_queue block_rq_issue block_split block_bio_backmerge block_bio_frontmerge"

# trace_begin DEV [writes|all] [COMM]: count block events for DEV from now
# on: by default only writes and the ops the kernel spells "N" (Write
# Zeroes), so that the signature probe reads of blkdiscard and friends are
# not counted; "all" counts every op.  The rwbs tests are prefix globs:
# a "*W*" || "N*" filter was seen here counting XFS's 64 KiB reads ("RS").
# With COMM, bios are counted only when that task submitted them: the
# kernel's zeroing bios are built in the caller's context, and an unrelated
# write to the device during the window then cannot change an exact count.
# Requests are never filtered by task: kblockd may issue them.
trace_begin() {
	local dev ev filter
	dev=$(kdev "$1")
	echo 0 > $TRACEFS/tracing_on
	echo 0 > $TRACEFS/events/enable
	echo 32768 > $TRACEFS/buffer_size_kb
	for ev in $TRACE_EVENTS; do
		case ${2:-writes} in
		writes) filter="dev == $dev && (rwbs ~ \"W*\" || rwbs ~ \"FW*\" || rwbs ~ \"N*\" || rwbs ~ \"FN*\")" ;;
		all) filter="dev == $dev" ;;
		*) fail "trace_begin: unknown op set '$2'" ;;
		esac
		[ -n "${3:-}" ] && [ $ev = block_bio_queue ] && filter="$filter && comm == \"$3\""
		echo "$filter" > $TRACEFS/events/block/$ev/filter ||
			fail "cannot set the filter of block:$ev"
		echo 1 > $TRACEFS/events/block/$ev/enable
	done
	echo > $TRACEFS/trace
	echo 1 > $TRACEFS/tracing_on
}

# trace_end: stop and set bios, requests, splits, merges, bio_bytes.
# Fails the test if the ring buffer lost events: counts must be exact.
trace_end() {
	local ev overrun
	echo 0 > $TRACEFS/tracing_on
	for ev in $TRACE_EVENTS; do
		echo 0 > $TRACEFS/events/block/$ev/enable
		echo 0 > $TRACEFS/events/block/$ev/filter
	done
	overrun=$(cat $TRACEFS/per_cpu/cpu*/stats | awk '/^overrun:/ { s += $2 } END { print s + 0 }')
	[ "$overrun" = 0 ] || fail "trace buffer overran by $overrun events"
	cat $TRACEFS/trace > /tmp/trace.txt
	bios=$(grep -c ' block_bio_queue:' /tmp/trace.txt)
	requests=$(grep -c ' block_rq_issue:' /tmp/trace.txt)
	splits=$(grep -c ' block_split:' /tmp/trace.txt)
	merges=$(grep -c -E ' block_bio_(back|front)merge:' /tmp/trace.txt)
	# block_bio_queue: "dev sector + nr_sector [comm]"
	bio_bytes=$(awk '/ block_bio_queue:/ { for (i = 1; i < NF; i++) if ($i == "+") s += $(i + 1) } END { printf "%.0f", s * 512 }' /tmp/trace.txt)
	echo "trace: bios=$bios requests=$requests splits=$splits merges=$merges bio_bytes=$bio_bytes"
	# Who issued them, for the log: a stray bio shows up here.
	awk '/ block_bio_queue:/ { n[$NF]++ } END { for (c in n) printf "trace: %d bios from %s\n", n[c], c }' /tmp/trace.txt
}

# counts_data NAME: the last trace_end's counts as a DATA line, for the
# table tests/vm/matrix.sh prints after the boots.
counts_data() {
	data "{\"test\":\"$1\",\"kernel\":\"$PMDZERO_KERNEL\",\"bios\":$bios,\"requests\":$requests,\"splits\":$splits,\"merges\":$merges}"
}

# zeroout_counted DEV NAME: blkdiscard -z of DEV's first GiB, its writes
# counted from the tracepoints (bios, requests, ... as trace_end sets them)
# and reported as the DATA line NAME.
zeroout_counted() {
	trace_begin "$1" writes blkdiscard
	blkdiscard -z -o 0 -l $GiB "$1" || fail "blkdiscard -z failed"
	trace_end
	counts_data "$2"
}

# kill_after DELAY CMD...: start CMD, SIGKILL it after DELAY seconds, set
# latency_s to the time from the kill until it was reaped.  Fails unless
# the kill is what ended it.
kill_after() {
	local delay=$1 pid rc t0 t1
	shift
	"$@" > /dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	t0=$EPOCHREALTIME
	kill -KILL $pid
	wait $pid
	rc=$?
	t1=$EPOCHREALTIME
	[ $rc = 137 ] || fail "$* ended with exit $rc before it was killed"
	latency_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# Set a null_blk queue's max_sectors_kb after power-on (the block layer caps
# the default request size below the hardware limit).
set_max_sectors_kb() {
	echo "$2" > "$(sysblock "$1")/queue/max_sectors_kb"
	expect_eq "$(basename "$1") max_sectors_kb" "$(cat "$(sysblock "$1")/queue/max_sectors_kb")" "$2"
}

# pattern_file PATH BYTES: deterministic non-zero data.
pattern_file() {
	yes 'pmdzero guard pattern 0123456789abcdef' | head -c "$2" > "$1"
}

# read_region DEV OFFSET LENGTH: the bytes of a region on stdout (GNU dd).
read_region() {
	dd if="$1" bs=1M iflag=skip_bytes,count_bytes skip="$2" count="$3" 2>/dev/null
}

# region_is_zero DEV OFFSET LENGTH: every byte of the region is zero.
region_is_zero() {
	cmp -s -n "$3" <(read_region "$1" "$2" "$3") /dev/zero
}

# region_matches DEV FILE OFFSET LENGTH: DEV and FILE agree over the region.
region_matches() {
	cmp -s <(read_region "$1" "$3" "$4") <(read_region "$2" "$3" "$4")
}

# measure CMD...: run CMD, set wall_s (from bash's microsecond clock) and
# sys_s, the system-wide system + irq + softirq CPU time it caused, from
# /proc/stat, so that completion work in interrupt context and kworkers is
# counted with the submitter's.  Resolution: one USER_HZ tick (10 ms).
measure() {
	local s0 s1 t0 t1 rc
	s0=$(awk '/^cpu / { print $4 + $7 + $8 }' /proc/stat)
	t0=$EPOCHREALTIME
	"$@"
	rc=$?
	t1=$EPOCHREALTIME
	s1=$(awk '/^cpu / { print $4 + $7 + $8 }' /proc/stat)
	wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
	sys_s=$(awk -v a="$s0" -v b="$s1" -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" \
		'BEGIN { printf "%.2f", (b - a) / hz }')
	return $rc
}

# bench_scenario NAME DEVICE_LABEL DEV BYTES|traced CMD...: one traced run for the
# bio and request counts (deterministic), then PMDZERO_RUNS untraced runs for
# time and CPU, reported as one DATA line.  Tracing stays out of the timings.
bench_scenario() {
	local name=$1 label=$2 dev=$3 bytes=$4 runs="" i
	shift 4
	trace_begin "$dev"
	"$@" > /dev/null || fail "$name on $label: $* failed"
	trace_end
	# "traced": the work is what the command wrote, e.g. mkfs's log zeroing.
	[ "$bytes" = traced ] && bytes=$bio_bytes
	for i in $(seq "${PMDZERO_RUNS:-5}"); do
		sync
		echo 3 > /proc/sys/vm/drop_caches
		measure "$@" > /dev/null || fail "$name on $label: $* failed"
		runs="$runs${runs:+,}{\"wall_s\":$wall_s,\"sys_s\":$sys_s}"
	done
	data "{\"scenario\":\"$name\",\"device\":\"$label\",\"kernel\":\"$PMDZERO_KERNEL\",\"bytes\":$bytes,\"bios\":$bios,\"requests\":$requests,\"splits\":$splits,\"merges\":$merges,\"bio_bytes\":$bio_bytes,\"runs\":[$runs]}"
	echo "$name on $label: bios=$bios requests=$requests runs=[$runs]"
}

# meminfo_data: MemTotal and MemAvailable after boot, in KiB.
meminfo_data() {
	data "{\"meminfo\":{\"kernel\":\"$PMDZERO_KERNEL\",\"mem_total_kib\":$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo),\"mem_available_kib\":$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)}}"
}

# The benchmark's device set-ups.  A boot is either a null_blk boot (devices
# made here; with null_blk.virt_boundary=1 on the command line every one of
# them has the NVMe segment rule) or a boot with a QEMU disk, named by
# pmdzero.device=nvme|virtio-blk.  bench_setups [NULLB_SETUPS]: the set-ups
# of this boot, NULLB_SETUPS (default: all three) when it is a null_blk boot.
bench_setups() {
	case ${PMDZERO_DEVICE:-} in
	nvme|virtio-blk) echo "$PMDZERO_DEVICE" ;;
	'')
		if [ "$(cat /sys/module/null_blk/parameters/virt_boundary)" = Y ]; then
			echo nullb-virt-boundary
		else
			echo "${1:-nullb-default nullb-max16384 nullb-max16384-8m}"
		fi
		;;
	*) fail "unknown pmdzero.device=$PMDZERO_DEVICE" ;;
	esac
}

# bench_device SETUP: the device of a set-up, 4 GiB; a null_blk one is made
# (no backing memory, the data path only) and bench_device_done removes it.
bench_device() {
	local dev
	case $1 in
	nvme) dev=/dev/nvme0n1 ;;
	virtio-blk) dev=/dev/vda ;;
	nullb-default|nullb-virt-boundary) dev=$(nullb_create bench0 size=4096) ;;
	nullb-max16384) dev=$(nullb_create bench0 size=4096 max_sectors=16384) ;;
	nullb-max16384-8m)
		dev=$(nullb_create bench0 size=4096 max_sectors=16384) &&
			set_max_sectors_kb "$dev" 8192 > /dev/null
		;;
	esac
	# Called as $(bench_device ...): complaints go to stderr.
	[ -b "${dev:-}" ] || { echo "no device for set-up $1" >&2; return 1; }
	[ "$(cat "$(sysblock "$dev")/size")" -ge $((4 * GiB / 512)) ] ||
		{ echo "$dev ($1) is smaller than 4 GiB" >&2; return 1; }
	echo "$dev"
}
bench_device_done() { nullb_destroy bench0; }

FIO_JOBS=/pmdzero/fio-jobs
# Each job writes the whole 4 GiB device: under TCG a 1 GiB job lasts tens
# of milliseconds, too short for a stable median.
FIO_SIZE=$((4 * GiB)) FIO_IODEPTH=16

# reserve_hugepages SECTION BS: 2 MiB pages for the buffers of a huge-page
# section (BS x iodepth, plus slack), none for the others.  The size and
# the page count come from pmdzero size, as in fio-jobs/run-fio.sh.
reserve_hugepages() {
	local need=0
	if [[ $1 == *huge* ]]; then
		need=$(pmdzero size -n $FIO_IODEPTH --pages 2M "$2") || fail "bad block size '$2'"
		need=$((need + 4))
	fi
	echo $need > /proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge $need ] || fail "cannot reserve $need huge pages"
}

# bench_fio LABEL DEV SECTION BS: one fio job of fio-jobs/zero-write.fio.
# The counted run goes through fio-jobs/run-fio.sh, as a user would run it
# (pmdzero trace around fio); then min(PMDZERO_RUNS, 3) plain fio runs for
# throughput and CPU: wall_s is fio's own io_bytes / bw_bytes, sys_s the
# system-wide system CPU around the fio process (as for the other
# scenarios), and fio's usr/sys CPU percentages are kept beside them.
bench_fio() {
	local label=$1 dev=$2 section=$3 bs=$4 name="fio-$3-$4" runs="" i n json
	local fio_wall usr_pct sys_pct bytes k v
	rm -rf /tmp/fio-run
	bash "$FIO_JOBS/run-fio.sh" --force --outdir /tmp/fio-run --size $FIO_SIZE --iodepth $FIO_IODEPTH \
		--bs "$bs" --jobs "$section" "$dev" 2> /tmp/fio-run.err ||
		{ cat /tmp/fio-run.err; fail "run-fio.sh $section bs=$bs on $label failed"; }
	json=/tmp/fio-run/$section-$bs.json
	for k in bios requests splits merges bio_bytes; do
		v=$(jq -e ".trace.$k" "$json") || fail "$json: no trace.$k"
		printf -v "$k" '%s' "$v"
	done
	bytes=$(jq -e '.fio.jobs[0].write.io_bytes' "$json") || fail "$json: no io_bytes"
	n=${PMDZERO_RUNS:-5}
	[ "$n" -gt 3 ] && n=3
	reserve_hugepages "$section" "$bs"
	for i in $(seq "$n"); do
		measure env DEV="$dev" SIZE=$FIO_SIZE BS="$bs" IODEPTH=$FIO_IODEPTH HUGEDIR=/dev/hugepages \
			fio --output-format=json --output=/tmp/fio.json --section="$section" \
			"$FIO_JOBS/zero-write.fio" > /dev/null || fail "$name on $label: fio failed"
		read -r fio_wall usr_pct sys_pct < <(jq -r '.jobs[0] |
			"\(.write.io_bytes / .write.bw_bytes * 1e6 | floor / 1e6) \(.usr_cpu) \(.sys_cpu)"' /tmp/fio.json) ||
			fail "$name on $label: unreadable fio JSON"
		runs="$runs${runs:+,}{\"wall_s\":$fio_wall,\"sys_s\":$sys_s,\"fio_usr_cpu_pct\":$usr_pct,\"fio_sys_cpu_pct\":$sys_pct}"
	done
	reserve_hugepages none 0
	data "{\"scenario\":\"$name\",\"device\":\"$label\",\"kernel\":\"$PMDZERO_KERNEL\",\"fio\":{\"section\":\"$section\",\"bs\":\"$bs\",\"iodepth\":$FIO_IODEPTH},\"bytes\":$bytes,\"bios\":$bios,\"requests\":$requests,\"splits\":$splits,\"merges\":$merges,\"bio_bytes\":$bio_bytes,\"runs\":[$runs]}"
	echo "$name on $label: bios=$bios requests=$requests runs=[$runs]"
}
