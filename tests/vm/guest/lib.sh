# shellcheck shell=bash
# Helpers shared by the guest tests (sourced by bash).
TRACEFS=/sys/kernel/tracing
NULLB=/sys/kernel/config/nullb

result() { echo "@@PMDZERO RESULT $*" > "${PMDZERO_RESULTS:-/dev/stdout}"; }
data() { echo "@@PMDZERO DATA $*" > "${PMDZERO_RESULTS:-/dev/stdout}"; }
# record KIND FIELD...: one DATA line, the JSON object {"kind": KIND,
# "kernel": the guest's kernel, FIELD...}, built by jq: FIELD is KEY=TEXT
# (a string) or KEY:=JSON (a number, an array, an object, null).  Every
# record the guests and the bench write has its kind; the readers
# (tests/vm/matrix-summary.py, fio-jobs/report.py) go by it.
record() {
	local kind=$1 field line args=()
	shift
	for field; do
		case $field in
		*:=*) args+=(--argjson "${field%%:=*}" "${field#*:=}") ;;
		*=*) args+=(--arg "${field%%=*}" "${field#*=}") ;;
		*) fail "record $kind: '$field' is neither KEY=TEXT nor KEY:=JSON" ;;
		esac
	done
	line=$(jq -nc --arg kind "$kind" --arg kernel "${PMDZERO_KERNEL:-}" "${args[@]}" '$ARGS.named' 2> /dev/null) ||
		fail "record $kind: a field is not valid JSON: $*"
	data "$line"
}
skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
# need_tools NAME...: every NAME a command in the initramfs, else fail:
# tests/vm/mkinitramfs.sh puts them all there, so a missing one is a build
# fault, not a reason to skip.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" > /dev/null || fail "$t is not in the initramfs (tests/vm/mkinitramfs.sh)"
	done
}

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

# --- Waiting for a condition, and background loops that really stop ---

# nap SECONDS: sleep without a fork (read -t on a pipe nobody writes to),
# for the polls below: under TCG a fork per look costs milliseconds.
nap() {
	[ -n "${NAP_FD:-}" ] || exec {NAP_FD}<> <(:)
	read -r -t "$1" -u "$NAP_FD"
	return 0
}

# now_us: set now_us to the realtime clock in microseconds.  10#: a guest
# without an RTC (arm64's virt machine here) starts its clock at 1970, and
# in its first second EPOCHREALTIME is "0.8..." -- without 10#, bash reads
# "08..." as octal and the expansion aborts the caller (arm64 001's
# "cannot create null_blk" in CI).
now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	now_us=$((10#$t))
}

# poll_until TIMEOUT_S DESCRIPTION CMD...: run CMD every 50 ms until it
# succeeds, then return 0 with waited_s set to the seconds it took.  If it
# has not succeeded after TIMEOUT_S seconds (whole seconds), return 1 with
# timed_out set to "timed out after TIMEOUT_Ss waiting for DESCRIPTION".
# Never a fixed sleep: a loaded host only makes the wait longer.
poll_until() {
	local timeout=$1 what=$2 t0 d
	shift 2
	now_us
	t0=$now_us
	until "$@"; do
		now_us
		d=$((now_us - t0))
		if [ $d -ge $((timeout * 1000000)) ]; then
			timed_out="timed out after ${timeout}s waiting for $what"
			return 1
		fi
		nap 0.05
	done
	now_us
	d=$((now_us - t0))
	printf -v waited_s '%d.%03d' $((d / 1000000)) $((d % 1000000 / 1000))
	return 0
}

# wait_until TIMEOUT_S DESCRIPTION CMD...: poll_until, failing the test
# with its "timed out after Ns waiting for DESCRIPTION" on timeout.
wait_until() { poll_until "$@" || fail "$timed_out"; }

# pgrp_members PGID: set pgrp_pids to the processes of process group PGID
# that are alive (a zombie has closed its files already); returns 1 if
# there are none.  /proc/PID/stat with builtins only: "PID (COMM) STATE
# PPID PGRP ...", COMM may hold spaces and parentheses.
pgrp_members() {
	local f line st pgrp
	pgrp_pids=()
	for f in /proc/[0-9]*/stat; do
		read -r line 2> /dev/null < "$f" || continue
		line=${line##*) }
		st=${line%% *} line=${line#* } line=${line#* }
		pgrp=${line%% *}
		[ "$pgrp" = "$1" ] && [ "$st" != Z ] && [ "$st" != X ] &&
			pgrp_pids+=("${f//[^0-9]/}")
	done
	[ ${#pgrp_pids[@]} -gt 0 ]
}

pgrp_gone() { ! pgrp_members "$1"; }

# pgrp_has_open PGID FILE: a live process of group PGID has FILE open.
pgrp_has_open() {
	local p fd
	pgrp_members "$1" || return 1
	for p in "${pgrp_pids[@]}"; do
		for fd in /proc/"$p"/fd/*; do
			[ "$fd" -ef "$2" ] 2> /dev/null && return 0
		done
	done
	return 1
}

# A background loop is a subshell, and killing a subshell does not end
# the command it is running: issue 29's dd went on writing to the mount
# after "kill $load_pid", and umount failed with EBUSY.  These run the loop
# in a process group of its own, so that stopping it means every process it
# started is gone, and say so when it is not.
declare -A BG_LOOP_PID=()
BG_LOOP_DIR=/tmp/bg-loop.$$

# bg_loop_start NAME CMD...: run CMD (a command or a shell function) again
# and again in the background, stdin /dev/null, until bg_loop_stop NAME or
# bg_loop_kill NAME.  BG_LOOP_PID[NAME] is the loop's pid and process group.
bg_loop_start() {
	local name=$1
	shift
	[ -z "${BG_LOOP_PID[$name]:-}" ] || fail "bg_loop_start: $name is running already"
	if ! mkdir -p "$BG_LOOP_DIR" || ! rm -f "$BG_LOOP_DIR/$name.stop"; then
		fail "bg_loop_start: cannot use $BG_LOOP_DIR"
	fi
	# Job control for this one job: its own process group.  Inside the
	# subshell job control is off, so everything it runs stays in it.
	# Disowned: the shell still reaps it, without a "Killed" notice in
	# the log; the stop functions wait for the group, not with wait.
	set -m
	(
		while [ ! -e "$BG_LOOP_DIR/$name.stop" ]; do
			"$@"
		done
	) < /dev/null &
	BG_LOOP_PID[$name]=$!
	disown
	set +m
}

# bg_loop_stop NAME [TIMEOUT_S]: let the loop finish the CMD it is running
# and not start another, then wait until every process of it is gone.
# If that takes more than TIMEOUT_S (default 120) seconds, kill the group
# (bg_loop_kill) and fail the test with the timeout.
bg_loop_stop() {
	local name=$1 timeout=${2:-120} pid=${BG_LOOP_PID[$1]:-}
	[ -n "$pid" ] || return 0
	: > "$BG_LOOP_DIR/$name.stop"
	if ! poll_until "$timeout" "background loop $name to finish its round and exit" pgrp_gone "$pid"; then
		local why=$timed_out
		bg_loop_kill "$name"
		fail "$why"
	fi
	unset "BG_LOOP_PID[$name]"
}

# bg_loop_kill NAME: SIGKILL the loop and everything it runs (its process
# group) now, wait until none of them is alive.  Fails the test if
# they are not gone within 60 s (a task stuck in the kernel).
bg_loop_kill() {
	local name=$1 pid=${BG_LOOP_PID[$1]:-}
	[ -n "$pid" ] || return 0
	: > "$BG_LOOP_DIR/$name.stop"
	kill -KILL -- -"$pid" 2> /dev/null
	unset "BG_LOOP_PID[$name]"
	poll_until 60 "background loop $name (process group $pid) to exit after SIGKILL" pgrp_gone "$pid" ||
		fail "$timed_out"
	return 0
}

# bg_loops_kill: bg_loop_kill every loop still running, for an EXIT trap.
bg_loops_kill() {
	local name
	for name in "${!BG_LOOP_PID[@]}"; do
		bg_loop_kill "$name"
	done
	rm -rf "$BG_LOOP_DIR"
}

# nullb_create NAME [attr=value ...]: a configfs null_blk device, powered on.
# Prints the /dev path.  Size is in MiB (size=...), as null_blk takes it.
nullb_create() {
	local name=$1 kv
	shift
	# Each refusal says which step it was: the caller's fail names only the
	# device, and a test's stderr is in its log.
	mkdir "$NULLB/$name" || { echo "nullb_create $name: mkdir failed" >&2; return 1; }
	for kv in "$@"; do
		echo "${kv#*=}" > "$NULLB/$name/${kv%%=*}" ||
			{ echo "nullb_create $name: $kv refused" >&2; return 1; }
	done
	echo 1 > "$NULLB/$name/power" || { echo "nullb_create $name: power-on failed" >&2; return 1; }
	if ! poll_until 30 "the block device of null_blk $name" nullb_node "$name"; then
		echo "$timed_out" >&2
		return 1
	fi
	echo "$nullb_dev"
}

# nullb_node NAME: set nullb_dev to the device node of null_blk NAME if it
# is there.  Since 6.11 a configfs device is named after its directory;
# older kernels call it nullb<index>.
nullb_node() {
	local idx
	read -r idx < "$NULLB/$1/index" || return 1
	for nullb_dev in "/dev/$1" "/dev/nullb$idx"; do
		[ -b "$nullb_dev" ] && return 0
	done
	return 1
}

nullb_destroy() {
	[ -d "$NULLB/$1" ] || return 0
	echo 0 > "$NULLB/$1/power"
	rmdir "$NULLB/$1"
}

sysblock() { echo "/sys/block/$(basename "$1")"; }

# thin_create META DATA BLOCK_BYTES BYTES [FEATURE]: a fresh dm-thin pool
# of BYTES on DATA (metadata on META, its superblock cleared first, so the
# pool starts empty), FEATURE its one optional feature (skip_block_zeroing),
# and one thin device over all of it: sets thin to its path.  No udev in
# the guest: the nodes are made by hand.  Fails the test on any step.
thin_create() {
	local meta=$1 data=$2 bs=$3 sectors=$(($4 / 512)) feature=${5:-}
	dd if=/dev/zero of="$meta" bs=4096 count=1 oflag=direct 2> /dev/null || fail "cannot clear the metadata"
	dmsetup create --noudevsync pmdzero-pool \
		--table "0 $sectors thin-pool $meta $data $((bs / 512)) 0 ${feature:+1 $feature}" ||
		fail "cannot create a thin pool of $((bs / 1024)) KiB blocks"
	dmsetup mknodes pmdzero-pool
	dmsetup message pmdzero-pool 0 "create_thin 0" || fail "cannot create the thin device"
	dmsetup create --noudevsync pmdzero-thin --table "0 $sectors thin /dev/mapper/pmdzero-pool 0" ||
		fail "cannot activate the thin device"
	dmsetup mknodes pmdzero-thin
	thin=/dev/mapper/pmdzero-thin
	[ -b $thin ] || fail "no $thin"
}

# thin_remove: the thin device and pool of thin_create.
thin_remove() {
	dmsetup remove --noudevsync pmdzero-thin && dmsetup remove --noudevsync pmdzero-pool ||
		fail "cannot remove the pool"
}

# nvmet_export DEV: export DEV as namespace 1 of an NVMe-oF subsystem on
# the loop transport (nvmet's configfs), connect to it through
# /dev/nvme-fabrics as nvme-cli's connect would, and set fabric_ns to the
# host's block device of that namespace and fabric_ctrl to its controller.
# Every Write Zeroes the host sends becomes __blkdev_issue_zeroout() on DEV
# in the target (drivers/nvme/target/io-cmd-bdev.c).  nvmet_unexport
# undoes it all.
NVMET=/sys/kernel/config/nvmet
NVMET_NQN=nqn.2026-12.io.pmdzero:zero
nvmet_export() {
	local sub=$NVMET/subsystems/$NVMET_NQN before=" " b c
	[ -d $NVMET ] || fail "no $NVMET: the kernel lacks NVME_TARGET"
	for b in /sys/block/nvme*; do before+="${b##*/} "; done
	mkdir $sub && echo 1 > $sub/attr_allow_any_host && mkdir $sub/namespaces/1 &&
		echo -n "$1" > $sub/namespaces/1/device_path && echo 1 > $sub/namespaces/1/enable ||
		fail "cannot export $1 through nvmet"
	mkdir $NVMET/ports/1 && echo loop > $NVMET/ports/1/addr_trtype &&
		ln -s $sub $NVMET/ports/1/subsystems/$NVMET_NQN || fail "cannot open an nvmet loop port"
	echo "transport=loop,nqn=$NVMET_NQN" > /dev/nvme-fabrics || fail "cannot connect to $NVMET_NQN over loop"
	fabric_ctrl=
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat $c/subsysnqn 2> /dev/null)" = $NVMET_NQN ] && fabric_ctrl=${c##*/}
	done
	[ -n "$fabric_ctrl" ] || fail "no host controller for $NVMET_NQN"
	fabric_new() {
		fabric_ns=
		for b in /sys/block/nvme*; do
			# Not a multipath path device (nvmeXcYnZ: hidden, no node).
			[[ $before == *" ${b##*/} "* ]] || [ ! -b /dev/${b##*/} ] || fabric_ns=/dev/${b##*/}
		done
		[ -b "$fabric_ns" ]
	}
	wait_until 30 "the namespace of $NVMET_NQN" fabric_new
	echo "nvmet: $1 exported as $NVMET_NQN, host controller $fabric_ctrl, namespace $fabric_ns"
}

nvmet_unexport() {
	local sub=$NVMET/subsystems/$NVMET_NQN
	[ -n "${fabric_ctrl:-}" ] && [ -e /sys/class/nvme/$fabric_ctrl ] &&
		echo 1 > /sys/class/nvme/$fabric_ctrl/delete_controller
	fabric_ctrl=
	[ -L $NVMET/ports/1/subsystems/$NVMET_NQN ] && rm $NVMET/ports/1/subsystems/$NVMET_NQN
	[ -d $NVMET/ports/1 ] && rmdir $NVMET/ports/1
	[ -d $sub/namespaces/1 ] && echo 0 > $sub/namespaces/1/enable && rmdir $sub/namespaces/1
	[ -d $sub ] && rmdir $sub
	return 0
}

# ext4_itables DEV: what ext4lazyinit will zero on the unmounted ext4 on
# DEV, a line "OFFSET LENGTH" (bytes) per group, from dumpe2fs: each group
# without ITABLE_ZEROED, its inode table less the blocks of used inodes
# (none in an INODE_UNINIT group), as ext4_init_inode_table() computes it.
ext4_itables() {
	dumpe2fs "$1" 2> /dev/null > /tmp/dumpe2fs.txt || fail "dumpe2fs $1 failed"
	awk -F'\n' '
		/^Block size:/ { bs = $0; sub(/.*: */, "", bs) }
		/^Inode size:/ { is = $0; sub(/.*: */, "", is) }
		/^Inodes per group:/ { ipg = $0; sub(/.*: */, "", ipg) }
		/^Group [0-9]+:/ { zeroed = /ITABLE_ZEROED/; uninit = /INODE_UNINIT/ }
		/Inode table at/ { n = split($0, w, " "); split(w[4], r, "-"); first = r[1]; last = r[2] }
		/unused inodes/ {
			if (zeroed) next
			n = split($0, w, " ")
			for (i = 1; i < n; i++) if (w[i + 1] == "unused") unused = w[i]
			ipb = bs / is
			used = uninit ? 0 : int((ipg - unused + ipb - 1) / ipb)
			if (last - first + 1 > used) printf "%d %d\n", (first + used) * bs, (last - first + 1 - used) * bs
		}' /tmp/dumpe2fs.txt
}

# ext4_max_zeroout FILE MAX_KB: set extent_max_zeroout_kb of the ext4
# that holds FILE (or will: its directory is asked) to MAX_KB.
ext4_max_zeroout() {
	local fs
	fs=$(basename "$(df -P "$(dirname "$1")" | awk 'NR == 2 { print $1 }')")
	echo "$2" > "/sys/fs/ext4/$fs/extent_max_zeroout_kb" || fail "cannot set $fs's extent_max_zeroout_kb"
}

# ext4lazyinit_pid: set lazyinit_pid to the pid of ext4's lazy-init
# thread, empty if none runs; builtins only (the bench reads it inside a
# timed window).
ext4lazyinit_pid() {
	local c comm
	lazyinit_pid=
	for c in /proc/[0-9]*/comm; do
		read -r comm < "$c" 2> /dev/null && [ "$comm" = ext4lazyinit ] || continue
		lazyinit_pid=${c#/proc/}
		lazyinit_pid=${lazyinit_pid%/comm}
	done
}

# ext4_prealloc_writes FILE MAX_KB STRIDE WRITES: set extent_max_zeroout_kb
# to MAX_KB, preallocate FILE afresh (unwritten extents) and sync.  Then
# buffered 4 KiB writes STRIDE apart (extent_zeroout here, bench 110): ext4
# (mounted dioread_lock) zeroes the STRIDE - 4 KiB before each write after
# the first when that is under MAX_KB (ext4_ext_convert_to_initialized()),
# instead of splitting the extent.  FILE reaches twice MAX_KB past the last
# write: a write nearer its end would make ext4 zero the rest of the
# extent too.
ext4_prealloc_writes() {
	ext4_max_zeroout "$1" "$2"
	rm -f "$1"
	fallocate -l $(($4 * $3 + 2 * $2 * 1024)) "$1" || fail "fallocate of $1 failed"
	sync
}

# extent_zeroout DEV FILE MAX_KB STRIDE WRITES VECS_CMD [bounce]:
# ext4_prealloc_writes, then WRITES buffered 4 KiB writes (dd, each
# fsync'd) STRIDE apart, traced on DEV.  Checks exactly: WRITES - 1
# zeroout bios of STRIDE - 4 KiB, the writes, and the splits on DEV's
# max_segments that `VECS_CMD BYTES` bio_vecs per zeroout bio make; then
# that every gap reads back as zeroes through the file and every write as
# written.  "bounce": the zeroouts are encrypted by the blk-crypto
# fallback, whose bounce bio is new to the block layer: when it is split,
# its remainder is queued (and traced) once more, a bio of the zeroout
# less its first max_segments pages.
extent_zeroout() {
	local dev=$1 file=$2 max=$3 stride=$4 n=$5 bounce=${7:-} vecs i zl segs zeroouts writes flushes
	local rest=0 rests=0
	segs=$(cat "$(sysblock "$dev")/queue/max_segments")
	head -c 4096 /dev/zero | tr '\000' '\132' > /tmp/block-new
	ext4_prealloc_writes "$file" "$max" "$stride" "$n"
	trace_begin "$dev" writes dd
	for ((i = 0; i < n; i++)); do
		dd if=/tmp/block-new of="$file" bs=4096 seek=$((i * stride / 4096)) count=1 \
			conv=notrunc,fsync 2> /dev/null || fail "write $i failed"
	done
	trace_end
	zl=$((stride - 4096))
	vecs=$("$6" $zl)
	# dd's bios: the zeroouts, the writes, and empty flushes (fsync).
	zeroouts=$(grep -c -E " \+ $((zl / 512)) \[" /tmp/trace-bios.txt)
	writes=$(grep -c -E ' \+ 8 \[' /tmp/trace-bios.txt)
	flushes=$(grep -c -E ' \+ 0 \[' /tmp/trace-bios.txt)
	if [ "$bounce" = bounce ] && [ "$vecs" -gt "$segs" ]; then
		rest=$(((vecs - segs) * 4096))
		[ $rest != 4096 ] && [ $rest != $zl ] || fail "extent_zeroout: pick a stride whose remainders stand apart"
		rests=$(grep -c -E " \+ $((rest / 512)) \[" /tmp/trace-bios.txt)
		expect_eq "max $max KiB: bounce-bio remainders of $rest bytes" "$rests" $((n - 1))
	fi
	record test-counts test="$file: extent zeroout, max ${max} KiB, $n writes $stride apart" \
		bios:=$bios requests:=$requests splits:=$splits merges:=$merges
	expect_eq "max $max KiB: zeroout bios of $zl bytes" "$zeroouts" $((n - 1))
	expect_eq "max $max KiB: 4 KiB writes" "$writes" "$n"
	expect_eq "max $max KiB: dd's bios (zeroouts, writes, flushes, remainders)" "$bios" \
		$((n - 1 + n + flushes + rests))
	expect_eq "max $max KiB: splits ($vecs bio_vecs per zeroout on $segs segments)" "$splits" \
		$(((n - 1) * ((vecs + segs - 1) / segs - 1)))
	sync
	echo 3 > /proc/sys/vm/drop_caches
	for ((i = 0; i < n; i++)); do
		cmp -s <(read_region "$file" $((i * stride)) 4096) /tmp/block-new || fail "write $i does not read back"
		region_is_zero "$file" $((i * stride + 4096)) "$zl" || fail "the gap after write $i is not zero"
	done
	echo "ok: max $max KiB: $((n - 1)) zeroouts of $zl bytes, the gaps zero, the writes as written"
}

# The dev_t the block tracepoints record: MKDEV with the kernel's 20-bit minor.
kdev() {
	local mm
	mm=$(cat "$(sysblock "$1")/dev")
	echo $(( (${mm%%:*} << 20) | ${mm##*:} ))
}

TRACE_EVENTS="block_bio_queue block_rq_issue block_split block_bio_backmerge block_bio_frontmerge block_rq_merge block_bio_complete"

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
		# Completions matter only for the bios failed with -EAGAIN (a
		# REQ_NOWAIT bio the queue could not take): their submitter
		# sends them again, and trace_end counts them once.
		[ $ev = block_bio_complete ] && filter="$filter && error == -11"
		echo "$filter" > $TRACEFS/events/block/$ev/filter ||
			fail "cannot set the filter of block:$ev"
		echo 1 > $TRACEFS/events/block/$ev/enable
	done
	echo > $TRACEFS/trace
	echo 1 > $TRACEFS/tracing_on
}

# trace_end: stop and set the counts, which fio-jobs/README.md defines:
#   bios       bios submitted (block_bio_queue), each once: a split
#              remainder is not queued again, and a bio failed with
#              -EAGAIN and sent again is taken out (reissued)
#   requests   block_rq_issue; splits: block_split
#   merges     block_bio_backmerge + block_bio_frontmerge + block_rq_merge,
#              as lib/trace.c counts them (guest 050 checks both agree)
#   bio_bytes  bytes of those bios
# Fails the test if the ring buffer lost events: counts must be exact.
trace_end() {
	local ev overrun queued done_again
	echo 0 > $TRACEFS/tracing_on
	for ev in $TRACE_EVENTS; do
		echo 0 > $TRACEFS/events/block/$ev/enable
		echo 0 > $TRACEFS/events/block/$ev/filter
	done
	overrun=$(cat $TRACEFS/per_cpu/cpu*/stats | awk '/^overrun:/ { s += $2 } END { print s + 0 }')
	[ "$overrun" = 0 ] || fail "trace buffer overran by $overrun events"
	# trace_pipe, not trace: reading "trace" walks the buffer again from
	# the start for every read(), quadratic in the events, minutes under
	# TCG for the 70,000 of a 4 GiB zeroout.  trace_pipe consumes in one
	# pass; non-blocking, it ends with EAGAIN once empty (tracing is off).
	dd if=$TRACEFS/trace_pipe of=/tmp/trace.txt iflag=nonblock bs=1M 2> /tmp/trace.err ||
		grep -q 'temporarily unavailable' /tmp/trace.err ||
		fail "cannot read the trace: $(cat /tmp/trace.err)"
	# One pass of grep per count, and awk only on the bio lines:
	# busybox awk matching a regex on each of 100,000 lines is what
	# costs, not grep.
	reissued=$(grep -c -F ' block_bio_complete:' /tmp/trace.txt)
	grep -F ' block_bio_queue:' /tmp/trace.txt > /tmp/trace-bios.txt
	bios=$(( $(wc -l < /tmp/trace-bios.txt) - reissued ))
	requests=$(grep -c -F ' block_rq_issue:' /tmp/trace.txt)
	splits=$(grep -c -F ' block_split:' /tmp/trace.txt)
	merges=$(grep -c -E ' block_(bio_backmerge|bio_frontmerge|rq_merge):' /tmp/trace.txt)
	# block_bio_queue: "dev sector + nr_sector [comm]"; block_bio_complete:
	# "dev sector + nr_sector [error]", taken away.
	queued=$(awk '{ for (i = 1; i < NF; i++) if ($i == "+") s += $(i + 1) } END { printf "%.0f", s }' /tmp/trace-bios.txt)
	done_again=$(grep -F ' block_bio_complete:' /tmp/trace.txt |
		awk '{ for (i = 1; i < NF; i++) if ($i == "+") s += $(i + 1) } END { printf "%.0f", s }')
	bio_bytes=$(( (queued - done_again) * 512 ))
	echo "trace: bios=$bios requests=$requests splits=$splits merges=$merges bio_bytes=$bio_bytes reissued=$reissued"
	# Who issued them, for the log: a stray bio shows up here.
	awk '{ n[$NF]++ } END { for (c in n) printf "trace: %d bios from %s\n", n[c], c }' /tmp/trace-bios.txt
}

# counts_data NAME: the last trace_end's counts as a DATA line, for the
# table tests/vm/matrix.sh prints after the boots.
counts_data() {
	record test-counts test="$1" bios:=$bios requests:=$requests splits:=$splits merges:=$merges
}

# zeroout_counted DEV NAME: blkdiscard -z of DEV's first GiB, its writes
# counted from the tracepoints (bios, requests, ... as trace_end sets them)
# and reported as the DATA line NAME.
zeroout_counted() {
	trace_begin "$1" writes blkdiscard
	# -f: a null_blk without memory reads back stale pages, in which
	# libblkid may find a signature and blkdiscard then refuse.
	blkdiscard -f -z -o 0 -l $GiB "$1" || fail "blkdiscard -z failed"
	trace_end
	counts_data "$2"
}

# wait_exit TIMEOUT_S DESCRIPTION PID: wait for the child PID to exit, at
# most TIMEOUT_S seconds, and set exit_rc to its status.  Blocks in wait
# (for PID or a sleep beside it), so it returns when PID is reaped, to the
# microsecond.  On timeout it returns 1, timed_out set as poll_until sets
# it, and PID still runs.  The sleep is ended with SIGKILL: a child bash
# has forked but not yet exec'd still has this shell's handlers, and a
# SIGTERM there runs the test's EXIT trap in the child (seen: 050's
# cleanup unmounted the file system while the test went on).
wait_exit() {
	local wd who=
	sleep "$1" &
	wd=$!
	wait -n -p who "$3" $wd 2> /dev/null
	exit_rc=$?
	if [ "$who" = "$3" ]; then
		kill -KILL $wd 2> /dev/null
		wait $wd 2> /dev/null
		return 0
	fi
	timed_out="timed out after ${1}s waiting for $2"
	return 1
}

# wrote_since STAT WRITES PID: the device whose /sys/block/DEV/stat is
# STAT has completed more than WRITES writes (its field 5), or PID has
# exited.  Builtins only.
wrote_since() {
	local s
	read -r -a s < "$1"
	[ "${s[4]}" -gt "$2" ] || ! kill -0 "$3" 2> /dev/null
}

# kill_after DEV DELAY CMD...: start CMD, wait until DEV has completed a
# write since (its I/O is under way: on a loaded host starting it can
# take longer than DELAY), SIGKILL it DELAY seconds after that, set
# latency_s to the time from the kill until it was reaped.  Fails unless
# the kill is what ended it, or if either wait passes 60 s.
kill_after() {
	local dev=$1 delay=$2 pid base t0 t1 s stat
	shift 2
	stat=$(sysblock "$dev")/stat
	read -r -a s < "$stat"
	base=${s[4]}
	"$@" > /dev/null 2>&1 &
	pid=$!
	if ! poll_until 60 "$1 to complete a write to $dev" wrote_since "$stat" "$base" $pid; then
		kill -KILL $pid 2> /dev/null
		fail "$timed_out"
	fi
	sleep "$delay"
	t0=$EPOCHREALTIME
	kill -KILL $pid 2> /dev/null
	wait_exit 60 "$1 to exit after SIGKILL" $pid || fail "$timed_out"
	t1=$EPOCHREALTIME
	[ $exit_rc = 137 ] || fail "$* ended with exit $exit_rc before it was killed"
	latency_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# kill_latencies DEV TRIES: TRIES times, SIGKILL blkdiscard -z of DEV one
# second after its first write completed (kill_after); set latencies to the
# seconds, comma-separated.
kill_latencies() {
	local try
	latencies=
	for ((try = 1; try <= $2; try++)); do
		kill_after "$1" 1 blkdiscard -f -z "$1"
		latencies+=${latencies:+,}$latency_s
	done
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

# zero_unaligned_checked DEV SPAN: fill DEV's first SPAN bytes with a
# pattern, blkdiscard -z the unaligned range [1 MiB + 512, + 17 MiB + 1536)
# (three zeroing bios on the folio path, sub-page ends on both sides), then
# read back: the range all zeroes, every other byte of the span the pattern.
zero_unaligned_checked() {
	local dev=$1 span=$2 off=$((MiB + 512)) len=$((17 * MiB + 1536))
	local pat=/tmp/unaligned-pattern.$$
	pattern_file $pat "$span"
	dd if=$pat of="$dev" bs=1M oflag=direct 2> /dev/null || fail "cannot fill $dev"
	blkdiscard -f -z -o $off -l $len "$dev" || fail "blkdiscard -z of the unaligned range failed"
	region_is_zero "$dev" $off $len || fail "the range does not read back as zeroes"
	region_matches "$dev" $pat 0 $off || fail "data before the range changed"
	region_matches "$dev" $pat $((off + len)) $((span - off - len)) ||
		fail "data after the range changed"
	rm -f $pat
	echo "ok: $len bytes at $off zeroed, the rest of the first $((span / MiB)) MiB intact"
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

# stress_data PART CASES BYTES_VERIFIED FAULTS CORRUPT [LEAKS]: the figures
# of one part of the stress suite (tests/vm/guest/stress) as a DATA line;
# tests/vm/matrix.sh adds them up per set-up.  LEAKS is "null" where the
# kernel has no kmemleak.
stress_data() {
	record stress stress="$1" cases:=$2 bytes_verified:=$3 faults:=$4 corrupt:=$5 leaks:=${6:-null}
}

# soak N: N times the stress suite's soak factor (pmdzero.soak=, default 1),
# for the rounds of a stress test.
soak() { echo $(( $1 * ${PMDZERO_SOAK:-1} )); }

# --- The stress suite's helpers (tests/vm/guest/stress) ---

# stress_figure PART CASES BYTES_VERIFIED FAULTS CORRUPT [LEAKS]: the
# figure of one part as a line for the log (with the splats since the test
# began, if splats_since_start counted them), then as stress_data's DATA
# line.
stress_figure() {
	echo "figure: $1: $2 cases, $3 bytes verified, $4 faults injected, $5 corrupt bytes," \
		"${splats:-?} splats, ${6:-null} leaks"
	stress_data "$@"
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# required FEATURE: the set-up declares that this kernel has FEATURE
# (pmdzero.require=, from tests/vm/matrix.sh: kmemleak and fail_make_request
# on the debug kernel); a check that needs it and cannot run then fails the
# test instead of dropping out.
required() { [[ ,${PMDZERO_REQUIRE:-}, == *,"$1",* ]]; }

# kmemleak_begin: start a leak window.  One scan first, so that what leaked
# before (the boot, an earlier test) is reported now and then forgotten with
# "clear", not blamed on this test.  Sets kmemleak_on: 1 with a working
# kmemleak, 0 without one (leaks are then null).  With auto-scan off (the
# debug kernel's config) nothing scans behind the test's back.
kmemleak_begin() {
	kmemleak_on=0
	if [ ! -e $KMEMLEAK ]; then
		required kmemleak && fail "kmemleak: not in this kernel, which this set-up requires"
		echo "kmemleak: not in this kernel, leaks are null"
		return 0
	fi
	# "clear" works even when kmemleak disabled itself; "scan" does not.
	if ! echo scan > $KMEMLEAK 2>/dev/null; then
		required kmemleak && fail "kmemleak: disabled at run time (see the console log), and this set-up requires it"
		echo "kmemleak: disabled at run time (see the console log), leaks are null"
		return 0
	fi
	echo clear > $KMEMLEAK || fail "kmemleak: cannot clear"
	kmemleak_on=1
}

# kmemleak_end: set leaks to the number of unreferenced objects kmemleak
# finds now (null without kmemleak) and print the first reports.  An object
# younger than 5 s (MSECS_MIN_AGE) is never reported, hence the wait; two
# scans, as Documentation/dev-tools/kmemleak.rst advises, because an object
# whose last pointer was in a register or on a CPU's stack during the first
# is found referenced again only by the second.
kmemleak_end() {
	local t0
	leaks=null
	[ "${kmemleak_on:-0}" = 1 ] || return 0
	t0=$EPOCHREALTIME
	sleep 6
	echo scan > $KMEMLEAK || fail "kmemleak: scan failed"
	echo scan > $KMEMLEAK || fail "kmemleak: scan failed"
	cat $KMEMLEAK > /tmp/kmemleak.txt || fail "kmemleak: cannot read the reports"
	leaks=$(grep -c 'unreferenced object' /tmp/kmemleak.txt)
	echo "kmemleak: $leaks unreferenced objects ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s to wait and scan twice)"
	[ "$leaks" = 0 ] || head -n 60 /tmp/kmemleak.txt
}

FAIL_MAKE_REQUEST=/sys/kernel/debug/fail_make_request

# has_fail_make_request: the kernel has the block layer's fault injection
# (CONFIG_FAIL_MAKE_REQUEST, the debug kernel only).
has_fail_make_request() { [ -d $FAIL_MAKE_REQUEST ]; }

# fault_begin DEV [SPACE [TIMES]]: every bio submitted to DEV from now on
# fails with EIO in submit_bio_noacct() (should_fail_bio), after SPACE bytes
# of bios have passed (default 0), at most TIMES bios (default 1000000).
# verbose 0: the default 2 prints a stack trace per fault, which the splat
# check would take for a kernel bug.
fault_begin() {
	echo 0 > $FAIL_MAKE_REQUEST/verbose &&
		echo 1 > $FAIL_MAKE_REQUEST/interval &&
		echo "${2:-0}" > $FAIL_MAKE_REQUEST/space &&
		echo "${3:-1000000}" > $FAIL_MAKE_REQUEST/times &&
		echo 100 > $FAIL_MAKE_REQUEST/probability &&
		echo 1 > "$(sysblock "$1")/make-it-fail" || fail "cannot arm fail_make_request on $1"
	fault_times=${3:-1000000}
}

# fault_end DEV: stop injecting into DEV; set injected to the number of bios
# that were failed (fail_make_request counts "times" down for each).
fault_end() {
	echo 0 > "$(sysblock "$1")/make-it-fail" &&
		echo 0 > $FAIL_MAKE_REQUEST/probability || fail "cannot disarm fail_make_request on $1"
	injected=$((fault_times - $(cat $FAIL_MAKE_REQUEST/times)))
	echo 0 > $FAIL_MAKE_REQUEST/space
}

# rq_errors_begin DEV / rq_errors_end: count the requests on DEV that
# complete with an error (block:block_rq_complete, error != 0) in between;
# rq_errors_end sets rq_errors.  The faults a driver injects (null_blk's
# badblocks) are counted that way.
rq_errors_begin() {
	local ev=$TRACEFS/events/block/block_rq_complete
	echo 0 > $TRACEFS/tracing_on
	echo 0 > $TRACEFS/events/enable
	echo "dev == $(kdev "$1") && error != 0" > $ev/filter || fail "cannot filter block:block_rq_complete"
	echo 1 > $ev/enable
	echo > $TRACEFS/trace
	echo 1 > $TRACEFS/tracing_on
}

rq_errors_end() {
	local ev=$TRACEFS/events/block/block_rq_complete
	echo 0 > $TRACEFS/tracing_on
	echo 0 > $ev/enable
	echo 0 > $ev/filter
	rq_errors=$(grep -c -F ' block_rq_complete:' $TRACEFS/trace)
}

# zcheck DEV SEED [zpattern check options]: check DEV against the pattern
# of SEED (tests/vm/helpers/zpattern.c); add to bytes_verified and
# corrupt_bytes; zcheck_out is what zpattern printed.  Returns 0 if clean,
# 1 if corrupt (its lines printed); an I/O or usage error fails the test.
zcheck() {
	local rc kv
	zcheck_out=$(zpattern check "$@")
	rc=$?
	[ $rc -le 1 ] || fail "zpattern check $* failed (exit $rc): $zcheck_out"
	for kv in $zcheck_out; do
		case $kv in
		verified=*) bytes_verified=$((${bytes_verified:-0} + ${kv#*=})) ;;
		corrupt=*) corrupt_bytes=$((${corrupt_bytes:-0} + ${kv#*=})) ;;
		esac
	done
	[ $rc = 0 ] || echo "corrupt: zpattern check $*: $zcheck_out"
	return $rc
}

# nullb_destroy_checked NAME: power a null_blk device off and remove it,
# failing the test if either fails or power-off hangs for a minute (a
# request that never completed keeps the queue from freezing).
nullb_destroy_checked() {
	local pid
	[ -d "$NULLB/$1" ] || return 0
	(echo 0 > "$NULLB/$1/power") &
	pid=$!
	wait_exit 60 "null_blk $1 to power off (a request that never completed blocks it)" $pid ||
		fail "$timed_out"
	[ $exit_rc = 0 ] || fail "null_blk $1: power-off failed"
	rmdir "$NULLB/$1" || fail "null_blk $1: rmdir failed"
}

# What run-vm.sh calls a splat in the console log: tests/kernel-splats,
# which mkinitramfs.sh puts beside this file.
. "${PMDZERO_HOME:-/pmdzero}/kernel-splats.sh"
SPLAT_RE=$(kernel_splat_re "${PMDZERO_HOME:-/pmdzero}/kernel-splats")

# splats_since_start: set splats to the number of kernel log lines since
# this test began (run-suite.sh's "pmdzero: start SUITE/TEST" line; the
# whole log if that is gone) that the splat check of run-vm.sh would fail
# the boot on, and print them: the test that caused them fails too.
splats_since_start() {
	local mark
	mark="pmdzero: start $(basename "$(dirname "$0")")/$(basename "$0" .sh)"
	dmesg > /tmp/dmesg.txt 2>/dev/null || { splats=0; return 0; }
	grep -qF "$mark" /tmp/dmesg.txt || mark=
	awk -v m="$mark" 'm == "" || index($0, m) { on = 1 } on' /tmp/dmesg.txt |
		grep -E "$SPLAT_RE" > /tmp/splats.txt
	splats=$(wc -l < /tmp/splats.txt)
	[ "$splats" = 0 ] || head -n 20 /tmp/splats.txt
}
