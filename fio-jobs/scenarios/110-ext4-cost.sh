#!/bin/bash
# BOOT: cost
# DESCRIPTION: ext4's zeroing (a cost boot), on a 2 GiB memory-backed
# null_blk without Write Zeroes (ext4 reads its metadata back; null_blk's
# copy of each written page costs the same on both kernels).
#   ext4-lazyinit: mkfs.ext4 leaves the inode tables (1 KiB inodes, one per
#     4 KiB: 512 MiB of tables) to the kernel; mounted with noinit_itable,
#     then remounted init_itable=0, ext4lazyinit zeroes them with
#     sb_issue_zeroout(), group after group, as fast as it can.  Timed from
#     the thread's first zeroing bio to its exit (read from the trace
#     buffer: ext4's random start delay and the poll that waits stay out),
#     per GiB of tables; mkfs and the first mount are the set-up.
#   ext4-extent-zeroout-*: buffered 4 KiB writes into a preallocated file,
#     one every 16 KiB (extent_max_zeroout_kb at its default, 32) or every
#     512 KiB (raised to 1024), then one fsync: writeback converts the
#     unwritten extents and ext4 zeroes the gap before each write
#     (ext4_ext_convert_to_initialized()).  Timed: the fsync (writeback,
#     the zeroouts, one journal commit), per GiB zeroed; the writes into
#     the page cache are the set-up.
#   fscrypt-zeroout-*: the same in an encrypted directory (v1 policy,
#     mounted inlinecrypt): fscrypt's inline-crypt zeroout, ZERO_PAGE per
#     block, encrypted by the blk-crypto fallback into bounce pages.  The
#     series does not change it; the rows say what converting it could
#     gain at most: the plain rows' stock - patched difference against
#     this path's cost.
. /pmdzero/bench/lib.sh

need_tools mkfs.ext4 dumpe2fs e4crypt xfs_io
size_mib=2048
dev=$(nullb_create ext4c size=$size_mib memory_backed=1) || fail "cannot create null_blk"
mnt=/mnt/ext4c
mkdir -p $mnt
trap 'umount $mnt 2> /dev/null; nullb_destroy ext4c' EXIT
T=/sys/kernel/tracing

# --- lazy inode-table init ---
cat > /tmp/ext4-mkfs <<EOF
#!/bin/bash
umount $mnt 2> /dev/null
mkfs.ext4 -F -q -b 4096 -I 1024 -i 4096 -E lazy_itable_init=1,nodiscard $dev &&
	mount -t ext4 -o noinit_itable,no_prefetch_block_bitmaps,commit=600 $dev $mnt
EOF
# The timed part: remount with init_itable=0, wait for the thread to exit.
# ext4 starts the thread's work after a random delay of up to 5 s (and
# again when the remount holds s_umount), which -icount's skipped idle
# time would count: span_ns runs from the thread's first zeroing bio
# (block_bio_queue) to its sched_process_exit, both read from the trace
# buffer; the poll that waits for the exit stays out.  Tracing every bio
# of the thread (a trigger that turns the event off after the first one
# was seen to turn it off before recording it) costs a few thousand
# instructions a bio, under 0.5% of the stock row.  Under -icount the
# trace clock counts instructions like every other clock.
cat > /tmp/ext4-lazyinit <<EOF
#!/bin/bash
. /pmdzero/lib.sh
E=$T/events
echo 0 > $T/tracing_on
echo 0 > \$E/enable
echo > $T/trace
echo 'comm == "ext4lazyinit"' > \$E/sched/sched_process_exit/filter
echo 'comm == "ext4lazyinit"' > \$E/block/block_bio_queue/filter
echo 1 > \$E/sched/sched_process_exit/enable
echo 1 > \$E/block/block_bio_queue/enable
echo 1 > $T/tracing_on
mount -o remount,init_itable=0 $mnt || fail "remount with init_itable=0 failed"
# The thread's pid, found once, then polled with builtins only: no
# process started in the timed window.
ext4lazyinit_pid
gone() { [ ! -d /proc/\$lazyinit_pid ]; }
[ -z "\$lazyinit_pid" ] || poll_until 600 "ext4lazyinit to exit" gone || fail "\$timed_out"
echo 0 > $T/tracing_on
echo 0 > \$E/enable
echo 0 > \$E/sched/sched_process_exit/filter
echo 0 > \$E/block/block_bio_queue/filter
awk '/ block_bio_queue:/ && !t0 { for (i = 1; i <= NF; i++) if (\$i ~ /^[0-9]+\.[0-9]+:\$/) t0 = \$i + 0 }
	/ sched_process_exit:/ { for (i = 1; i <= NF; i++) if (\$i ~ /^[0-9]+\.[0-9]+:\$/) t1 = \$i + 0 }
	END { if (!t0 || !t1) exit 1; printf "span_ns=%.0f\n", (t1 - t0) * 1e9 }' $T/trace ||
	fail "no zeroing bio or thread exit of ext4lazyinit in the trace"
EOF
chmod +x /tmp/ext4-mkfs /tmp/ext4-lazyinit
/tmp/ext4-mkfs || fail "mkfs.ext4 or the mount failed"
umount $mnt
ext4_itables "$dev" > /tmp/itables.txt
tables=$(awk '{ s += $2 } END { print s }' /tmp/itables.txt)
echo "ext4: inode tables to zero: $tables bytes in $(wc -l < /tmp/itables.txt) groups"
COST_PREPARE=/tmp/ext4-mkfs cost_row ext4-lazyinit nullb-memory "$dev" "$tables" self /tmp/ext4-lazyinit
[ "$bio_bytes" -ge "$tables" ] || fail "ext4-lazyinit: the counted run wrote $bio_bytes bytes, under the $tables of the tables"
umount $mnt

# --- extent zeroout, plain and encrypted ---
mkfs.ext4 -F -q -b 4096 -O encrypt -E lazy_itable_init=1,nodiscard "$dev" || fail "mkfs.ext4 -O encrypt failed"
mount -t ext4 -o inlinecrypt,noinit_itable,dioread_lock,commit=600 "$dev" $mnt || fail "mount failed"
mkdir $mnt/plain $mnt/enc
echo pmdzero-passphrase | e4crypt add_key -S 0x5d8a1b6c2e3f4a5b6c7d8e9fa0b1c2d3 $mnt/enc > /tmp/e4crypt.txt 2>&1 ||
	{ cat /tmp/e4crypt.txt; fail "e4crypt could not set a policy"; }

# writes FILE MAX_KB STRIDE N: the set-up of a row, a preallocated file
# and N dirty 4 KiB pages STRIDE apart, written by one xfs_io.  The first
# time the file is made (ext4_prealloc_writes); after that its extents are
# made unwritten again with FALLOC_FL_ZERO_RANGE, which keeps its blocks:
# a new file would land on other blocks, and where null_blk must allocate
# its backing pages a run costs up to 20% more (seen here).
cat > /tmp/ext4-writes <<'EOF'
#!/bin/bash
. /pmdzero/lib.sh
file=$1 max=$2 stride=$3 n=$4
if [ -f "$file" ]; then
	ext4_max_zeroout "$file" "$max"
	xfs_io -c "fzero 0 $(stat -c %s "$file")" "$file" || fail "cannot zero-range $file"
	sync
else
	ext4_prealloc_writes "$file" "$max" "$stride" "$n"
fi
cmds=()
for ((i = 0; i < n; i++)); do cmds+=(-c "pwrite -q -S 0x5a $((i * stride)) 4096"); done
xfs_io "${cmds[@]}" "$file"
EOF
chmod +x /tmp/ext4-writes
for where in plain enc; do
	name=$([ $where = plain ] && echo ext4-extent-zeroout || echo fscrypt-zeroout)
	for spec in 32:16384:2048 1024:524288:256; do
		IFS=: read -r max stride n <<< "$spec"
		zeroed=$(((n - 1) * (stride - 4096)))
		cat > /tmp/ext4-prep <<EOF
#!/bin/bash
exec /tmp/ext4-writes $mnt/$where/f$max $max $stride $n
EOF
		chmod +x /tmp/ext4-prep
		COST_PREPARE=/tmp/ext4-prep cost_row $name-${max}k nullb-memory "$dev" $zeroed process \
			xfs_io -c fsync $mnt/$where/f$max
		[ "$bio_bytes" -ge "$zeroed" ] ||
			fail "$name-${max}k: the counted run wrote $bio_bytes bytes, under the $zeroed zeroed"
	done
done
