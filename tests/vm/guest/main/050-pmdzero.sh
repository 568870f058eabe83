#!/bin/bash
# DESCRIPTION: the pmdzero command on null_blk in the guest: its trace counts
# equal the tracefs counts of the same operation, `pmdzero zero -e ioctl`
# reports the kernel's bio count for this kernel, and every engine zeroes an
# unaligned range of a memory-backed device with the guard intact.
. /pmdzero/lib.sh

need_tools pmdzero
json_num() { grep -o "\"$1\": *[0-9]*" "$2" | head -n1 | grep -o '[0-9]*$'; }

dev=$(nullb_create pz0 size=4096) || fail "cannot create null_blk"
trap 'nullb_destroy pz0; nullb_destroy pz1' EXIT

# Both counters see the same run: perf counters and tracefs coexist.
trace_begin "$dev" all
pmdzero trace "$dev" --json -- blkdiscard -f -z -l $GiB "$dev" > /tmp/trace.json ||
	fail "pmdzero trace failed"
trace_end
cat /tmp/trace.json
for k in bios requests splits merges bio_bytes; do
	expect_eq "pmdzero trace $k = tracefs $k" "$(json_num $k /tmp/trace.json)" "${!k}"
done

# --force, as blkdiscard -f above: a null_blk without memory reads back
# whatever its pages held before (freed memory), in which libblkid may
# find a signature; a loaded make test found "xfs_external_log" there once.
pmdzero zero "$dev" -l $GiB -e ioctl --force --trace --json --quiet > /tmp/zero.json ||
	fail "pmdzero zero -e ioctl failed"
cat /tmp/zero.json
expect_eq "pmdzero zero -e ioctl bios" "$(json_num bios /tmp/zero.json)" "$(pick 129 1024)"

mem=$(nullb_create pz1 size=64 memory_backed=1 blocksize=512) || fail "cannot create memory-backed null_blk"
pattern_file /tmp/pattern $((64 * MiB))
off=$((MiB + 4096)) len=$((5 * MiB + 1536))
# The engines are the library's (pmdzero engines), not a list of ours.
engines=$(pmdzero engines --json | jq -r '.engines[].name') && [ -n "$engines" ] ||
	fail "pmdzero engines --json gave no engines"
for engine in $engines; do
	dd if=/tmp/pattern of="$mem" bs=1M oflag=direct 2>/dev/null || fail "cannot fill $mem"
	# The guest kernel has every engine's feature built in: no skipping.
	pmdzero zero "$mem" -o $off -l $len -e $engine --verify --quiet > /tmp/$engine.out 2>&1 ||
		{ cat /tmp/$engine.out; fail "pmdzero zero -e $engine --verify failed"; }
	region_is_zero "$mem" $off $len || fail "$engine: range not zero"
	region_matches "$mem" /tmp/pattern 0 $off || fail "$engine: data before the range changed"
	region_matches "$mem" /tmp/pattern $((off + len)) $((64 * MiB - off - len)) ||
		fail "$engine: data after the range changed"
	echo "ok: engine $engine"
done
