#!/bin/bash
# DESCRIPTION: BLKZEROOUT stays promptly killable (BLKDEV_ZERO_KILLABLE).  On
# a null_blk limited to 64 MiB/s, blkdiscard -z of the whole 4 GiB device is
# sent SIGKILL one second after its first write completed (not after its
# start: on a loaded host the start alone can take that long); the time
# until it is gone is what the kill still waits for: stock about 0.1 s,
# 512 MiB bios 7 s.  Then the same on a memory-backed device filled with a
# pattern: every byte of the range is zero or the old pattern, every byte
# outside it the old pattern.
. /pmdzero/lib.sh

# Ten times stock's latency, a seventh of what 512 MiB bios cost.
LIMIT_S=1.0

dev=$(nullb_create slow0 size=4096 mbps=64) || fail "cannot create a 64 MiB/s null_blk"
trap 'nullb_destroy slow0; nullb_destroy slowmem0' EXIT
kill_latencies "$dev" 3
try=0
for l in ${latencies//,/ }; do
	try=$((try + 1))
	echo "try $try: blkdiscard -z killed 1 s into its writes, gone $l s later"
	awk -v l="$l" -v m=$LIMIT_S 'BEGIN { exit !(l <= m) }' ||
		fail "kill latency $l s is over $LIMIT_S s"
done
data "{\"test\":\"kill latency\",\"kernel\":\"$PMDZERO_KERNEL\",\"device\":\"null_blk mbps=64\",\"latency_s\":[$latencies]}"
nullb_destroy slow0

# 64 MiB at 64 MiB/s: the fill and the read-back take a second each.
size_mib=64
mem=$(nullb_create slowmem0 size=$size_mib memory_backed=1 blocksize=512 mbps=64) ||
	fail "cannot create a memory-backed 64 MiB/s null_blk"
pattern_file /tmp/old $((size_mib * MiB))
dd if=/tmp/old of="$mem" bs=1M oflag=direct 2>/dev/null || fail "cannot fill $mem"
off=$((MiB + 4096)) len=$((60 * MiB + 1536))
# Killed 0.3 s after its first write completed: about 19 MiB of the 60
# zeroed at 64 MiB/s, however long the start took.
kill_after "$mem" 0.3 blkdiscard -f -z -o $off -l $len "$mem"
echo "range $off+$len: killed 0.3 s into its writes, gone $latency_s s later"
zeroed-or-old "$mem" /tmp/old $off $len > /tmp/zeroed-or-old.out
rc=$?
cat /tmp/zeroed-or-old.out
[ $rc = 0 ] || fail "after the kill: $(head -n1 /tmp/zeroed-or-old.out)"
grep -q ' corrupt_inside=0 changed_outside=0$' /tmp/zeroed-or-old.out ||
	fail "zeroed-or-old printed no clean summary"
# Both halves of the claim must have been exercised: some zeroes written,
# some of the range left as it was.
grep -q '^zeroed=0 ' /tmp/zeroed-or-old.out && fail "nothing was zeroed before the kill"
grep -q ' old=0 ' /tmp/zeroed-or-old.out && fail "the whole range was zeroed: the kill came too late"
echo "ok: killed zeroout left only zeroes and old data, nothing outside the range"
