# shellcheck shell=bash
# The benchmark's guest side: how a scenario is counted and timed.  Sourced
# by the scenario scripts beside it, after the guest helpers (null_blk,
# tracing, DATA lines) of tests/vm/guest/lib.sh.
#
# A boot is a cost boot or a wall boot (pmdzero.mode=cost|wall):
#   cost  QEMU -smp 1 -icount shift=0,sleep=off: a time taken in the guest
#         is its instruction count.  The least of three untraced
#         runs per row is the figure (cost_row says why; a second boot
#         repeats it, and the report checks that the two agree).
#   wall  an ordinary TCG guest, PMDZERO_RUNS timed runs per row, for the
#         devices whose cost is not the guest's alone (QEMU's NVMe and
#         virtio-blk), the fio jobs and the kill latency.
# Every row is counted first, in a run of its own: tracing stays out of the
# timings.
. /pmdzero/lib.sh

ZEROTIME=/usr/lib/pmdzero/zerotime.so
BENCH_SIZE=$((4 * GiB))
bench_full() { [ "${PMDZERO_FULL:-0}" = 1 ]; }

# zeroing_of SCENARIO: who zeroes, as the report needs to know: "write"
# for zeroes written from a user buffer (pmdzero's write engines, as
# pmdzero engines --json classes them), "kernel" when the kernel zeroes the
# range (blkdiscard -z, fallocate, mkfs, pmdzero's kernel engines, dm-thin
# provisioning, its control without block zeroing included: no user
# buffer of zeroes there either).  fio-SECTION-BS rows: "write" for a
# section of zero-write.fio, "kernel" for one of zero-kernel.fio.
zeroing_of() {
	local e
	case $1 in
	pmdzero-*)
		e=${1#pmdzero-}
		e=${e%-vectored}
		pmdzero engines --json | jq -er --arg e "$e" '.engines[] | select(.name == $e) | .class'
		;;
	fio-*)
		e=${1#fio-}
		e=${e%-*}
		if grep -q "^\[$e\]" /pmdzero/fio-jobs/zero-write.fio; then
			echo write
		elif grep -q "^\[$e\]" /pmdzero/fio-jobs/zero-kernel.fio; then
			echo kernel
		else
			fail "zeroing_of $1: no section [$e] in zero-write.fio or zero-kernel.fio"
		fi
		;;
	*) echo kernel ;;
	esac
}

# The scenario the report leads with: what users run to zero a range.
HEADLINE_SCENARIO=blkdiscard-z

# row_fields SCENARIO DEVICE: the fields every record of a row carries,
# in the array row_fields: the scenario, whether it is the headline, who
# zeroes, and the device: its key, the label the report shows and its kind
# (null_blk: the kernel's work alone; qemu: an emulated disk).  A device
# the bench uses is described here and nowhere else.
row_fields() {
	local label kind
	case $2 in
	nullb-default) kind=null_blk label="null_blk default" ;;
	nullb-max16384) kind=null_blk label="null_blk 1280K req" ;;
	nullb-max16384-8m) kind=null_blk label="null_blk 8M req" ;;
	nullb-virt-boundary) kind=null_blk label="null_blk virt_boundary" ;;
	nullb-memory) kind=null_blk label="null_blk memory-backed" ;;
	nullb-64mbps) kind=null_blk label="null_blk 64 MiB/s" ;;
	nvme) kind=qemu label="QEMU NVMe" ;;
	nvme-offload) kind=qemu label="NVMe offload (control)" ;;
	virtio-blk) kind=qemu label="virtio-blk" ;;
	*) fail "bench device '$2' is not described in fio-jobs/scenarios/lib.sh (row_fields)" ;;
	esac
	row_fields=(scenario="$1" headline:=$([ "$1" = $HEADLINE_SCENARIO ] && echo true || echo false)
		device="$2" device_label="$label" device_kind=$kind)
}

# row_wanted SCENARIO: pmdzero.rows=LIST (PMDZERO_ROWS) runs only the rows
# it names (make bench-upstream: blkdiscard-z); unset, every row.
row_wanted() { [ -z "${PMDZERO_ROWS:-}" ] || [[ ,$PMDZERO_ROWS, == *,"$1",* ]]; }

# count_row SCENARIO DEVICE_LABEL DEV BYTES|traced CMD...: one run of CMD
# under `pmdzero trace --writes` (counters on the block tracepoints, the
# counts fio-jobs/README.md defines), reported as a "counts" DATA line.
# BYTES "traced": the work is what the command wrote (mkfs).
count_row() {
	local name=$1 label=$2 dev=$3 bytes=$4 lost
	shift 4
	row_wanted "$name" || return 0
	pmdzero trace --writes --json --output /tmp/count.json "$dev" -- "$@" > /tmp/count.out 2>&1 ||
		{ tail -n 20 /tmp/count.out; fail "$name on $label: $* failed under pmdzero trace"; }
	read -r bios requests splits merges bio_bytes lost < <(jq -r '.trace[0] |
		"\(.bios) \(.requests) \(.splits) \(.merges) \(.bio_bytes) \(.lost_samples)"' /tmp/count.json) ||
		fail "$name on $label: unreadable pmdzero trace JSON"
	[ "$lost" = 0 ] || fail "$name on $label: the trace lost $lost bio samples"
	[ "$bytes" = traced ] && bytes=$bio_bytes
	row_fields "$name" "$label"
	record counts "${row_fields[@]}" zeroing="$(zeroing_of "$name")" bytes:=$bytes \
		bios:=$bios requests:=$requests splits:=$splits merges:=$merges bio_bytes:=$bio_bytes
	counted_bytes=$bytes
}

# timed METHOD CMD...: run CMD once, set span_ns (the measured time), cpu_ns
# (CPU time of the measured work, nanosecond clocks) and timed_bytes.
#   syscall  CMD's BLKZEROOUT and fallocate(ZERO_RANGE) calls only, timed
#            from inside it by zerotime.so (zerotime.c says how)
#   engine   CMD is `pmdzero zero ... --json`: its own timing around the
#            zeroing (elapsed, and its user + system CPU from rusage)
#   process  the whole command, from bash's microsecond clock
#   self     CMD times what it measures itself, leaving out its set-up and
#            tear-down, and prints span_ns=N as its last line
#   fio      CMD is fio writing its JSON to /tmp/fio.json: the write job's
#            span as fio measures it (io_bytes / bw_bytes, its run time
#            from the first I/O to the last: fio's start-up stays out) and
#            its usr + sys CPU.  fio keeps run time in milliseconds: give it
#            enough work (--loops) that a millisecond is well under 1%.
timed() {
	local method=$1 t0 t1 line
	shift
	timed_bytes=
	case $method in
	syscall)
		rm -f /tmp/zerotime.out
		ZEROTIME_OUT=/tmp/zerotime.out LD_PRELOAD=$ZEROTIME "$@" > /dev/null ||
			fail "$* failed"
		line=$(cat /tmp/zerotime.out 2>/dev/null) || fail "$*: zerotime recorded no zeroing call"
		span_ns=$(sed 's/.*wall_ns=\([0-9]*\).*/\1/' <<< "$line")
		cpu_ns=$(sed 's/.*cpu_ns=\([0-9]*\).*/\1/' <<< "$line")
		timed_bytes=$(sed 's/.*bytes=\([0-9]*\).*/\1/' <<< "$line")
		;;
	engine)
		"$@" > /tmp/engine.json || fail "$* failed"
		read -r span_ns cpu_ns timed_bytes < <(jq -r '.zero[0] |
			"\(.elapsed_ns) \(.user_cpu_ns + .sys_cpu_ns) \(.bytes)"' \
			/tmp/engine.json) || fail "$*: unreadable JSON"
		;;
	process)
		t0=$EPOCHREALTIME
		"$@" > /dev/null || fail "$* failed"
		t1=$EPOCHREALTIME
		span_ns=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1e9 }')
		cpu_ns=0
		;;
	fio)
		rm -f /tmp/fio.json
		"$@" > /dev/null || fail "$* failed"
		read -r span_ns cpu_ns timed_bytes < <(jq -r '.jobs[0] |
			[(.write.io_bytes / .write.bw_bytes * 1e9 | round),
			 ((.usr_cpu + .sys_cpu) / 100 * .job_runtime * 1e6 | round), .write.io_bytes] |
			map(tostring) | join(" ")' /tmp/fio.json) || fail "$*: unreadable fio JSON"
		;;
	self)
		"$@" > /tmp/self.out || fail "$* failed"
		span_ns=$(sed -n '$s/^span_ns=\([0-9][0-9]*\)$/\1/p' /tmp/self.out)
		[ -n "$span_ns" ] || fail "$*: its last line is not span_ns=N"
		cpu_ns=0
		;;
	*) fail "timed: unknown method $method" ;;
	esac
}

# cost_row SCENARIO DEVICE_LABEL DEV BYTES|traced METHOD CMD...: counts,
# then PMDZERO_COST_RUNS (3) timed runs; on a cost boot a run's time is its
# instruction count, and the row's figure is the least of them: other
# kernel work that lands in the window (a timer, a kworker: a few hundred
# thousand instructions, 10% of a patched zeroout at 8 MiB requests) can
# only add to it.  Every run is kept in runs_ns.  COST_PREPARE, if set,
# is a command run before the counted run and before each timed one (after
# its sync, which would otherwise do what the preparation left to do),
# and neither counted nor timed: what has to be made afresh for each run
# (a new file system for its lazy init, dirty pages for a writeback).
cost_row() {
	local name=$1 label=$2 dev=$3 bytes=$4 method=$5 i runs_ns= least=
	shift 5
	row_wanted "$name" || return 0
	cost_prepare "$name"
	count_row "$name" "$label" "$dev" "$bytes" "$@"
	for i in $(seq "${PMDZERO_COST_RUNS:-3}"); do
		sync
		cost_prepare "$name"
		timed "$method" "$@"
		runs_ns+=${runs_ns:+,}$span_ns
		[ -z "$least" ] || [ "$span_ns" -lt "$least" ] && least=$span_ns
	done
	span_ns=$least
	# The timed run must have done the work that was counted; a tool
	# that writes more than it zeroes (mkfs) is costed per byte zeroed.
	local cost_bytes=$counted_bytes
	if [ "$bytes" = traced ]; then
		cost_bytes=${timed_bytes:-$counted_bytes}
	elif [ -n "$timed_bytes" ] && [ "$timed_bytes" != "$counted_bytes" ]; then
		fail "$name on $label: timed $timed_bytes bytes, want $counted_bytes"
	fi
	row_fields "$name" "$label"
	record cost "${row_fields[@]}" zeroing="$(zeroing_of "$name")" bytes:=$cost_bytes \
		ns:=$span_ns runs_ns:="[$runs_ns]" method="$method"
	echo "$name on $label: bios=$bios requests=$requests ns=$span_ns of [$runs_ns] ($method)"
}

cost_prepare() {
	[ -z "${COST_PREPARE:-}" ] || $COST_PREPARE > /tmp/prepare.out 2>&1 ||
		{ cat /tmp/prepare.out; fail "$1: $COST_PREPARE failed"; }
}

# wall_row SCENARIO DEVICE_LABEL DEV BYTES METHOD CMD...: counts, then
# PMDZERO_RUNS timed runs (wall and CPU nanoseconds each).
wall_row() {
	local name=$1 label=$2 dev=$3 bytes=$4 method=$5 runs="" i
	shift 5
	count_row "$name" "$label" "$dev" "$bytes" "$@"
	for i in $(seq "${PMDZERO_RUNS:-3}"); do
		sync
		timed "$method" "$@"
		runs="$runs${runs:+,}{\"wall_ns\":$span_ns,\"cpu_ns\":$cpu_ns}"
	done
	row_fields "$name" "$label"
	record wall "${row_fields[@]}" zeroing="$(zeroing_of "$name")" bytes:=$counted_bytes \
		method="$method" runs:="[$runs]"
	echo "$name on $label: bios=$bios requests=$requests runs=[$runs]"
}

# The zeroing tools, each on the same BYTES from offset 0 of DEV: the rows
# of every device.  zero_rows KIND LABEL DEV BYTES (KIND: cost_row|wall_row)
zero_rows() {
	local row=$1 label=$2 dev=$3 bytes=$4 e
	$row blkdiscard-z "$label" "$dev" "$bytes" syscall blkdiscard -f -z -o 0 -l "$bytes" "$dev"
	$row fallocate-zero-range "$label" "$dev" "$bytes" syscall \
		fallocate --zero-range --offset 0 --length "$bytes" "$dev"
	for e in ioctl uring-fallocate; do
		$row "pmdzero-$e" "$label" "$dev" "$bytes" engine \
			pmdzero zero "$dev" -l "$bytes" -e $e --no-trace --quiet --force --json
	done
	# The user-space counterpart: O_DIRECT writes of one zero buffer, 2 MiB
	# per write, and vectored, 8 MiB per write from one 2 MiB huge page.
	for e in uring $(bench_full && echo aio psync); do
		$row "pmdzero-$e" "$label" "$dev" "$bytes" engine \
			pmdzero zero "$dev" -l "$bytes" -e $e --no-trace --quiet --force --json
	done
	for e in uring $(bench_full && echo aio psync); do
		$row "pmdzero-$e-vectored" "$label" "$dev" "$bytes" engine \
			pmdzero zero "$dev" -l "$bytes" -e $e --vectored --no-trace --quiet --force --json
	done
}

# fio driving the kernel's zeroing (fio-jobs/zero-kernel.fio): the command
# FIO_ZERO ENGINE BS DEV BYTES runs that section, fio-kernel-zero.so
# preloaded ahead of whatever LD_PRELOAD holds (zerotime.so, for the
# syscall method), fio's JSON in /tmp/fio-zero.json.  A script, not a
# function: pmdzero trace runs it as a command.
FIO_ZERO=/tmp/fio-zero
cat > $FIO_ZERO <<'EOF2'
#!/bin/bash
LD_PRELOAD="/usr/lib/pmdzero/fio-kernel-zero.so${LD_PRELOAD:+ $LD_PRELOAD}" \
	PMDZERO_FIO_ZERO=$1 DEV=$3 SIZE=$4 BS=$2 \
	exec fio --output-format=json --output=/tmp/fio-zero.json --section="$1" \
	/pmdzero/fio-jobs/zero-kernel.fio
EOF2
chmod +x $FIO_ZERO

# fio_latency_record SCENARIO DEVICE BYTES: a "latency" record of the last
# $FIO_ZERO run: fio's completion-latency percentiles of its calls.
fio_latency_record() {
	local clat ios
	clat=$(jq -c '.jobs[0].write.clat_ns.percentile |
		{p50: .["50.000000"], p99: .["99.000000"], p99_9: .["99.900000"]}' /tmp/fio-zero.json) ||
		fail "$1: unreadable fio JSON"
	ios=$(jq '.jobs[0].write.total_ios' /tmp/fio-zero.json) || fail "$1: unreadable fio JSON"
	row_fields "$1" "$2"
	record latency "${row_fields[@]}" zeroing="$(zeroing_of "$1")" bytes:="$3" clat_ns:="$clat" ios:="$ios"
}

# null_blk set-ups: name -> configfs attributes (and max_sectors_kb).
# pmdzero.nullb=LIST (PMDZERO_NULLB) keeps some of them (make
# bench-upstream's memory boots: nullb-default only).
NULLB_SETUPS="nullb-default nullb-max16384 nullb-max16384-8m nullb-virt-boundary"
if [ -n "${PMDZERO_NULLB:-}" ]; then
	for s in ${PMDZERO_NULLB//,/ }; do
		[[ " $NULLB_SETUPS " == *" $s "* ]] || fail "pmdzero.nullb: no null_blk set-up '$s' ($NULLB_SETUPS)"
	done
	NULLB_SETUPS=${PMDZERO_NULLB//,/ }
fi

# nullb_setup SETUP NAME: make the 4 GiB null_blk of SETUP, print its path.
nullb_setup() {
	local dev
	case $1 in
	nullb-default) dev=$(nullb_create "$2" size=4096) ;;
	nullb-max16384) dev=$(nullb_create "$2" size=4096 max_sectors=16384) ;;
	nullb-max16384-8m)
		dev=$(nullb_create "$2" size=4096 max_sectors=16384) &&
			set_max_sectors_kb "$dev" 8192 > /dev/null
		;;
	nullb-virt-boundary) dev=$(nullb_create "$2" size=4096 virt_boundary=1) ;;
	*) echo "unknown null_blk set-up $1" >&2; return 1 ;;
	esac
	[ -b "${dev:-}" ] || { echo "no device for $1" >&2; return 1; }
	echo "$dev"
}

# qemu_nvme offload|zero-page: the wall boots' NVMe disk that has (QEMU's
# own id) or lacks (Intel's id, quirked) Write Zeroes; empty if none.
qemu_nvme() {
	local d wz
	for d in /dev/nvme*n1; do
		[ -b "$d" ] || continue
		wz=$(cat "$(sysblock "$d")/queue/write_zeroes_max_bytes")
		case $1:$wz in
		zero-page:0) echo "$d"; return ;;
		offload:0) ;;
		offload:*) echo "$d"; return ;;
		esac
	done
}

# A huge page for the vectored engines' buffer, and for fio's huge
# sections: set the reservation, fail if the kernel cannot give it.
reserve_hugepages() {
	echo "$1" > /proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$1" ] || fail "cannot reserve $1 huge pages"
}

# meminfo_data: MemTotal, MemFree and MemAvailable after boot, in KiB; the
# free pages parked on per-CPU lists, which MemFree does not count (the
# "count:" of every pageset in /proc/zoneinfo), in KiB; and what the boot
# log says of the static folio ("" when nothing).
meminfo_data() {
	local folio pcp
	kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
	folio=$(dmesg | sed -n 's/^\[[^]]*\] //; s/.*static PMD zero folio[: ]*//p' | head -n1)
	# (The bench's guests are x86_64: 4 KiB pages.)
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	record meminfo mem_total_kib:="$(kib MemTotal)" mem_free_kib:="$(kib MemFree)" \
		mem_available_kib:="$(kib MemAvailable)" pcp_free_kib:=$pcp static_folio="$folio"
}
