#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared helpers for the host tests (blktests style).  A test script sets
# DESCRIPTION, defines requires() and test_body(), sources this file and
# calls _run_test.  Exit status: 0 pass, 1 fail, 77 skip (the last line
# printed says why).  Everything a test creates (loop devices, mounts,
# files, tracer settings, helper processes) is undone by the EXIT trap, on
# failure too.
#
# The only input is $PMDZERO, the absolute path of the pmdzero binary.

MiB=$((1 << 20))
_LOOPS=()
_MOUNTS=()
_PIDS=()
_RESTORE=()	# "file value" pairs written back on exit
TMPDIR_TEST=

_skip() {
	echo "$*"
	exit 77
}

_fail() {
	echo "FAIL: $*"
	exit 1
}

_note() {
	echo "# $*"
}

# _wait_until TIMEOUT_S DESCRIPTION CMD...: run CMD every 0.1 s until it
# succeeds; if it has not after TIMEOUT_S seconds, fail with "timed out
# after TIMEOUT_Ss waiting for DESCRIPTION".  For what the kernel, udev or
# another process does in its own time (a device node appearing, a tracer
# starting): a fixed sleep is too short on a loaded host.
_wait_until() {
	local timeout=$1 what=$2 t0
	shift 2
	t0=${EPOCHREALTIME/[.,]/}
	until "$@"; do
		# 10#: a leading zero is not octal (see the guest lib.sh's now_us).
		(( 10#${EPOCHREALTIME/[.,]/} - 10#$t0 < timeout * 1000000 )) ||
			_fail "timed out after ${timeout}s waiting for $what"
		sleep 0.1
	done
}

_cleanup() {
	local i pid m
	for pid in "${_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for m in "${_MOUNTS[@]}"; do
		umount "$m" 2>/dev/null
	done
	for ((i = ${#_LOOPS[@]} - 1; i >= 0; i--)); do
		losetup -d "${_LOOPS[$i]}" 2>/dev/null
	done
	for ((i = ${#_RESTORE[@]} - 1; i >= 0; i--)); do
		# shellcheck disable=SC2086
		set -- ${_RESTORE[$i]}
		echo "$2" >"$1" 2>/dev/null
	done
	[[ -n $TMPDIR_TEST ]] && rm -rf "$TMPDIR_TEST"
}

# Remembers the current value of a sysfs/procfs/tracefs file for _cleanup.
_save_setting() {
	_RESTORE+=("$1 $(cat "$1")")
}

_require_pmdzero() {
	[[ -n $PMDZERO ]] || _fail "PMDZERO is not set (absolute path of the pmdzero binary)"
	[[ -x $PMDZERO ]] || _fail "PMDZERO=$PMDZERO is not executable"
}

_require_root() {
	[[ $EUID -eq 0 ]] || _skip "needs root"
}

_require_loop() {
	_require_root
	[[ -e /dev/loop-control ]] || _skip "needs loop devices (/dev/loop-control missing)"
	command -v losetup >/dev/null || _skip "needs losetup"
}

_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || _skip "needs $c"
	done
}

_require_python() {
	python3 -c 'import json' 2>/dev/null || _skip "needs python3 (for JSON checks)"
}

# _engines [CLASS]: the engine names (of CLASS: kernel, write, auto), one a
# line, from the library's table: pmdzero engines --json.
_engines() {
	"$PMDZERO" engines --json | python3 -c 'import json, sys
for e in json.load(sys.stdin)["engines"]:
    if len(sys.argv) < 2 or e["class"] == sys.argv[1]:
        print(e["name"])' "$@"
}

# The long options of a command (or of every command, with no argument),
# one per line, from pmdzero's own option tables (--dump-options).
_options() {
	"$PMDZERO" --dump-options | python3 -c 'import json, sys
for c in json.load(sys.stdin)["commands"]:
    if len(sys.argv) < 2 or c["name"] == sys.argv[1]:
        for o in c["options"]:
            print(o["long"])' "$@"
}

# Whether pmdzero can trace here (root, tracefs, perf_event_open).
_can_trace() {
	"$PMDZERO" trace --no-bytes "$1" -- true >/dev/null 2>&1
}

_require_trace() {
	local err
	err=$("$PMDZERO" trace --no-bytes "$1" -- true 2>&1 >/dev/null) ||
		_skip "tracing unavailable: ${err#pmdzero: }"
}

# _make_loop VAR SIZE [losetup options...]: sets VAR to a new loop device
# over a sparse file (a variable, not $(...), so that cleanup knows it).
_make_loop() {
	local _ml_var=$1 _ml_size=$2 _ml_img _ml_dev
	shift 2
	_ml_img=$(mktemp "$TMPDIR_TEST/loop.XXXXXX")
	truncate -s "$_ml_size" "$_ml_img" || _fail "cannot create $_ml_img"
	_ml_dev=$(losetup -f --show "$@" "$_ml_img") || _skip "cannot attach a loop device"
	_LOOPS+=("$_ml_dev")
	printf -v "$_ml_var" '%s' "$_ml_dev"
}

# _fill_pattern DEV: non-zero bytes over the whole device, each 4 KiB block
# its own offset in hex, repeated.
_fill_pattern() {
	python3 - "$1" <<'EOF' || _fail "cannot fill $1"
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
size = os.lseek(fd, 0, os.SEEK_END)
chunk = 1 << 20
for off in range(0, size, chunk):
    n = min(chunk, size - off)
    buf = b"".join(b"%016x" % (off + i) * 256 for i in range(0, n, 4096))
    os.pwrite(fd, buf[:n], off)
os.fsync(fd)
os.close(fd)
EOF
}

# _sum DEV [OFFSET LENGTH]: sha256 of a byte range, read with O_DIRECT.
_sum() {
	local dev=$1 off=${2:-0} len=${3:-}
	[[ -n $len ]] || len=$(($(blockdev --getsize64 "$dev") - off))
	if [[ $len -eq 0 ]]; then
		echo empty
		return
	fi
	dd if="$dev" iflag=direct,skip_bytes,count_bytes skip="$off" count="$len" \
		bs=1M status=none | sha256sum | cut -d' ' -f1
}

_zero_sum() {
	head -c "$1" /dev/zero | sha256sum | cut -d' ' -f1
}

# _json FILE EXPR: evaluates a Python expression over the parsed JSON (d).
_json() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# _expect_one_line FILE: the file holds exactly one "pmdzero: ..." line.
_expect_one_line() {
	local n
	n=$(wc -l <"$1")
	[[ $n -eq 1 ]] || { cat "$1"; _fail "expected one line on stderr, got $n"; }
	grep -q '^pmdzero: ' "$1" || { cat "$1"; _fail "message does not start with 'pmdzero: '"; }
}

# _run_bad DEV RC REGEX -- ARGS...: pmdzero ARGS must exit RC with one
# stderr line matching REGEX, print nothing on stdout, issue no I/O to DEV
# (counted with pmdzero trace when tracing works) and leave DEV's data
# byte-for-byte unchanged.  DEV may be "-" when there is no device.
_run_bad() {
	local dev=$1 rc=$2 re=$3 before after got tr=$TMPDIR_TEST/bad.trace.json
	shift 4
	[[ $dev != - ]] && before=$(_sum "$dev")
	if [[ $dev != - ]] && _can_trace "$dev"; then
		"$PMDZERO" trace --json --output "$tr" "$dev" -- "$PMDZERO" "$@" \
			>"$TMPDIR_TEST/out" 2>"$TMPDIR_TEST/err"
		got=$?
		[[ $(_json "$tr" 'd["trace"][0]["bios"]') -eq 0 ]] ||
			_fail "pmdzero $* issued $(_json "$tr" 'd["trace"][0]["bios"]') bio(s) to $dev"
		_note "no bios issued to $dev (counted by pmdzero trace)"
	else
		"$PMDZERO" "$@" >"$TMPDIR_TEST/out" 2>"$TMPDIR_TEST/err"
		got=$?
	fi
	_note "pmdzero $* -> exit $got: $(cat "$TMPDIR_TEST/err")"
	[[ $got -eq $rc ]] || _fail "pmdzero $*: exit $got, expected $rc"
	[[ ! -s $TMPDIR_TEST/out ]] || { cat "$TMPDIR_TEST/out"; _fail "unexpected output on stdout"; }
	_expect_one_line "$TMPDIR_TEST/err"
	grep -Eq -- "$re" "$TMPDIR_TEST/err" || _fail "message does not match /$re/"
	if [[ $dev != - ]]; then
		after=$(_sum "$dev")
		[[ $before == "$after" ]] || _fail "data on $dev changed"
		_note "data on $dev unchanged ($after)"
	fi
}

# _engine_test ENGINE: zero ranges with one engine, check the range reads
# zero and everything outside it is unchanged, and that verify agrees.
_engine_test() {
	local engine=$1 dev size off len j pre suf out=$TMPDIR_TEST/zero.json
	_make_loop dev 64M
	size=$(blockdev --getsize64 "$dev")
	"$PMDZERO" zero -e "$engine" -l 4096 --no-trace --quiet "$dev" >/dev/null 2>"$TMPDIR_TEST/err"
	case $? in
	0) ;;
	2) _skip "engine $engine is not supported here: $(cat "$TMPDIR_TEST/err")" ;;
	*) _fail "engine $engine: $(cat "$TMPDIR_TEST/err")" ;;
	esac
	_fill_pattern "$dev"
	# off:len:extra options.  The first range is not aligned to 2 MiB,
	# the second takes more I/Os than the queue depth and is only
	# 512-byte aligned, the third and fourth touch the device's ends
	# (guards on one side only) with --verify.
	for j in "$((MiB + 4096)):$((3 * MiB + 8192)):" \
		 "$((5 * MiB + 512)):$((20 * MiB + 1536)):-b 1M -q 4" \
		 "0:$((2 * MiB)):--verify" \
		 "$((size - 3 * MiB)):$((3 * MiB)):--verify --guard 2M"; do
		IFS=: read -r off len opts <<<"$j"
		pre=$(_sum "$dev" 0 "$off")
		suf=$(_sum "$dev" $((off + len)))
		# shellcheck disable=SC2086
		"$PMDZERO" zero -e "$engine" -o "$off" -l "$len" $opts --json --quiet "$dev" \
			>"$out" || _fail "pmdzero zero -e $engine -o $off -l $len $opts failed"
		_note "$engine $off+$len $opts: $(_json "$out" 'd["zero"][0]["engine_detail"]'), bios $(_json "$out" 'd["zero"][0]["bios"]')"
		[[ $(_json "$out" 'd["zero"][0]["bytes"]') -eq $len ]] || _fail "bytes != $len"
		[[ $(_json "$out" 'd["zero"][0]["offset"]') -eq $off ]] || _fail "offset != $off"
		[[ $(_sum "$dev" "$off" "$len") == "$(_zero_sum "$len")" ]] ||
			_fail "range $off+$len is not zero"
		[[ $(_sum "$dev" 0 "$off") == "$pre" ]] || _fail "data before $off changed"
		[[ $(_sum "$dev" $((off + len))) == "$suf" ]] || _fail "data after $((off + len)) changed"
		"$PMDZERO" verify -o "$off" -l "$len" "$dev" >/dev/null ||
			_fail "pmdzero verify -o $off -l $len: not zero"
		if [[ $opts == *--verify* ]]; then
			[[ $(_json "$out" 'd["zero"][0]["range_zero"]') == True &&
			   $(_json "$out" 'd["zero"][0]["guards_intact"]') == True ]] ||
				_fail "--verify did not report the range zero and guards intact"
		fi
	done
	# The pattern is still right after the first range (which ends at
	# 4 MiB + 12 KiB): verify must fail and point exactly there.
	"$PMDZERO" verify -o "$((4 * MiB))" -l "$((2 * MiB))" --json "$dev" >"$out" 2>/dev/null &&
		_fail "verify passed on a range holding non-zero data"
	[[ $(_json "$out" 'd["verify"][0]["first_nonzero"]') -eq $((4 * MiB + 12288)) ]] ||
		_fail "verify did not point at offset $((4 * MiB + 12288))"
	local expect=$engine
	[[ $engine == auto ]] && expect=ioctl	# loop devices take BLKZEROOUT
	"$PMDZERO" zero -e "$engine" -l 1M --json --quiet "$dev" >"$out" || _fail "zero -l 1M"
	[[ $(_json "$out" 'd["zero"][0]["engine"]') == "$expect" ]] ||
		_fail "engine reported as $(_json "$out" 'd["zero"][0]["engine"]'), expected $expect"
}

_run_test() {
	[[ -n $DESCRIPTION ]] && echo "DESCRIPTION: $DESCRIPTION"
	_require_pmdzero
	declare -f requires >/dev/null && requires
	TMPDIR_TEST=$(mktemp -d "${TMPDIR:-/tmp}/pmdzero-test.XXXXXX") || _fail "mktemp"
	trap _cleanup EXIT
	trap 'exit 1' INT TERM
	test_body
	echo "ok"
	exit 0
}
