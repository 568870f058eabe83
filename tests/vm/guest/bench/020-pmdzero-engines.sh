#!/bin/bash
# DESCRIPTION: `pmdzero zero` of 1 GiB with each engine on null_blk at default
# limits and with 8 MiB requests: the kernel's zeroing paths (ioctl,
# fallocate, uring-fallocate) next to user-space writes of one zero buffer
# (uring, aio, psync).  Counts come from the tracepoints, not from pmdzero.
. /pmdzero/lib.sh

command -v pmdzero >/dev/null || skip "pmdzero is not in the initramfs"
for setup in default max16384-8m; do
	attrs=
	[ $setup = max16384-8m ] && attrs=max_sectors=16384
	dev=$(nullb_create bench1 size=1024 $attrs) || fail "cannot create null_blk ($setup)"
	trap 'nullb_destroy bench1' EXIT
	[ $setup = max16384-8m ] && set_max_sectors_kb "$dev" 8192 > /dev/null
	for engine in ioctl fallocate uring-fallocate uring aio psync; do
		bench_scenario "pmdzero-$engine" "nullb-$setup" "$dev" $GiB \
			pmdzero zero "$dev" -l $GiB -e $engine --no-trace --quiet
	done
	nullb_destroy bench1
done
