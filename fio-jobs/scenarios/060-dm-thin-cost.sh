#!/bin/bash
# BOOT: cost
# DESCRIPTION: dm-thin provisioning (a cost boot).  A thin pool on a 4 GiB
# null_blk, which has no Write Zeroes, its metadata on a memory-backed
# null_blk; fio writes 4 KiB with O_DIRECT (libaio, 4 in flight) into
# each block of a fresh thin device, 256 MiB of blocks (io_size: one
# write per block, fio would otherwise wrap around and write 256 MiB).  dm-thin zeroes
# every new block whole before the write, through dm-kcopyd in 512 KiB
# sub-jobs (patch 0008 gives those bios one zero-folio bio_vec instead of
# one ZERO_PAGE bio_vec per 4 KiB).  Block sizes 64 KiB, 512 KiB and
# 2 MiB, and 64 KiB with skip_block_zeroing as the control (the writes
# alone).  Timed: the fio run, not the pool's set-up; per GiB provisioned.
. /pmdzero/bench/lib.sh

need_tools dmsetup fio
meta=$(nullb_create thinmeta size=64 memory_backed=1) || fail "cannot create the metadata null_blk"
data=$(nullb_create thindata size=4096) || fail "cannot create the data null_blk"
trap 'dmsetup remove --noudevsync pmdzero-thin 2> /dev/null; dmsetup remove --noudevsync pmdzero-pool 2> /dev/null
	nullb_destroy thinmeta; nullb_destroy thindata' EXIT
provisioned=$((256 * MiB))

# thin-provision META DATA BLOCK_BYTES BYTES [FEATURE]: a fresh pool and
# thin device, fio's first writes into each block, the pool removed;
# prints span_ns=, the fio run's time (under -icount: its instructions).
cat > /tmp/thin-provision <<'EOF'
#!/bin/bash
. /pmdzero/lib.sh
bs=$3 bytes=$4
thin_create "$1" "$2" "$bs" "$bytes" "${5:-}"
t0=$EPOCHREALTIME
fio --name=first-writes --filename=$thin --ioengine=libaio --iodepth=4 \
	--direct=1 --rw=write:$((bs - 4096)) --bs=4k --size="$bytes" --io_size=$((bytes / bs * 4096)) \
	--output=/dev/null || fail "fio failed"
t1=$EPOCHREALTIME
thin_remove
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "span_ns=%.0f\n", (b - a) * 1e9 }'
EOF
chmod +x /tmp/thin-provision

# What the counted run must have written: each block zeroed whole (not
# for the control) and 4 KiB into it.
expect_bytes() { # NAME BYTES
	[ "$bio_bytes" = "$2" ] || fail "$1: the counted run wrote $bio_bytes bytes, want $2"
}
for block in 64k 512k 2m; do
	bs=$(pmdzero size "$block")
	cost_row dm-thin-$block nullb-default "$data" $provisioned self \
		/tmp/thin-provision "$meta" "$data" "$bs" $provisioned
	expect_bytes dm-thin-$block $((provisioned + provisioned / bs * 4096))
done
cost_row dm-thin-64k-skip-zeroing nullb-default "$data" $provisioned self \
	/tmp/thin-provision "$meta" "$data" $((64 * 1024)) $provisioned skip_block_zeroing
expect_bytes dm-thin-64k-skip-zeroing $((provisioned / (64 * 1024) * 4096))
