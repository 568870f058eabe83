#!/bin/bash
# DESCRIPTION: per candidate: SIGKILL blkdiscard -z of a 4 GiB null_blk
# limited to 64 MiB/s one second after its first write completed, three
# times; the time from the kill until the process is gone.  Wall-clock:
# boot without --icount.
. /pmdzero/zero-bio-size/lib.sh

dev=$(nullb_create kill0 size=4096 mbps=64) || fail "cannot create null_blk"
for c in $(candidates); do
	use_candidate "$c"
	kill_latencies "$dev" 3
	echo "$candidate: kill latency [$latencies] s"
	record candidate-kill candidate="$candidate" kill_latency_s:="[$latencies]"
done
nullb_destroy kill0
