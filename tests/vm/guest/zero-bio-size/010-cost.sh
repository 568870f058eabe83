#!/bin/bash
# DESCRIPTION: per candidate and null_blk set-up: bios, splits and requests
# for BLKZEROOUT of 1 GiB (block tracepoints), then the cost of zeroing the
# whole 16 GiB device, timed around the ioctl alone in pmdzero zero.  Boot
# with run-vm.sh --icount: the time is then the instruction count.
. /pmdzero/zero-bio-size/lib.sh

runs=${PMDZERO_RUNS:-3}
for setup in default max16384 max16384-8m; do
	case $setup in
	default) dev=$(nullb_create cost0 size=16384) ;;
	max16384) dev=$(nullb_create cost0 size=16384 max_sectors=16384) ;;
	max16384-8m) dev=$(nullb_create cost0 size=16384 max_sectors=16384) &&
		set_max_sectors_kb "$dev" 8192 > /dev/null ;;
	esac
	[ -b "$dev" ] || fail "no null_blk for $setup"
	for c in $(candidates); do
		use_candidate "$c"
		trace_begin "$dev" writes pmdzero
		pmdzero zero "$dev" -l 1G -e ioctl --no-trace --quiet --force > /dev/null ||
			fail "pmdzero zero failed"
		trace_end > /dev/null
		ns=
		for i in $(seq "$runs"); do
			# To a file, then jq: on the one vCPU a jq starting up
			# beside the zeroout would be counted in its time.
			pmdzero zero "$dev" -e ioctl --no-trace --quiet --force --json > /tmp/zero.json ||
				fail "pmdzero zero failed"
			s=$(jq -r '.zero[0].elapsed_ns' /tmp/zero.json) || fail "unreadable pmdzero JSON"
			ns="$ns${ns:+,}$(awk -v s="$s" 'BEGIN { printf "%.0f", s / 16 }')"
		done
		echo "$setup $candidate: bios=$bios splits=$splits requests=$requests ns_per_gib=[$ns]"
		record candidate-cost setup="$setup" candidate="$candidate" bios:=$bios splits:=$splits \
			requests:=$requests ns_per_gib:="[$ns]"
	done
	nullb_destroy cost0
done
