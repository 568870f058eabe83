# shellcheck shell=bash
# Sourced by fio-jobs/run-fio.sh and fio-jobs/bench-host.sh: which pmdzero
# to use, and the checks a device passes before either writes to it.  The
# caller defines die().

# device_pmdzero DIR: sets pmdzero to $PMDZERO, else the installed one,
# else DIR/../build/default/pmdzero (this tree's build).
device_pmdzero() {
	pmdzero=${PMDZERO:-$(command -v pmdzero || true)}
	if [ -z "$pmdzero" ] && [ -x "$1/../build/default/pmdzero" ]; then
		pmdzero=$1/../build/default/pmdzero
	fi
	[ -n "$pmdzero" ] || die "pmdzero is not installed (make userspace)"
}

# device_check DEV BYTES SIZE FORCE: safety first, before any I/O, from
# pmdzero's own probe.  Always refused: mounted (the device or any of its
# partitions), used as swap ("mounted on [SWAP]"), held by device-mapper
# or md, read-only, BYTES (the --size SIZE asked for) past its end.
# Refused unless FORCE is 1: a file system or partition table signature
# (ambivalent ones included); forced, signatures do not matter and the
# device is not read at all.  Neither caller opens with O_EXCL, so unlike
# `pmdzero zero` this cannot see a program that merely holds the device
# open exclusively.  Afterwards probe_field NAME reads the probe.
device_check() {
	local dev=$1 bytes=$2 size=$3 force=$4 opts=--json sig v
	[ "$force" = 1 ] && opts="--json --no-signatures"
	# shellcheck disable=SC2086
	device_probe=$("$pmdzero" probe $opts "$dev") || die "$dev: cannot probe the device"
	[ "$(probe_field mounted)" != true ] || die "$dev is in use: mounted on $(probe_field mountpoint)"
	[ "$(probe_field holders)" = 0 ] || die "$dev is in use: held by $(probe_field holders) other device(s) (device-mapper, md)"
	[ "$(probe_field read_only)" = false ] || die "$dev is read-only"
	# fio would quietly write only what fits.
	[ "$bytes" -le "$(probe_field size)" ] ||
		die "--size $size ($bytes bytes) is larger than $dev ($(probe_field size) bytes)"
	if [ "$force" = 0 ]; then
		for sig in fs_type pt_type; do
			v=$(probe_field $sig)
			[ -z "$v" ] || die "$dev holds a $v signature; use --force to destroy it"
		done
	fi
}

probe_field() { jq -r ".probe[0].$1 | if . == null then \"\" else tostring end" <<< "$device_probe"; }
