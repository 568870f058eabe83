#!/bin/bash
# BOOT: wall
# DESCRIPTION: kill latency (a wall boot): SIGKILL blkdiscard -z of a 4 GiB
# null_blk limited to 64 MiB/s one second after its first write completed,
# three times; the time from the kill until the process is reaped.
# BLKZEROOUT checks for a fatal signal between bios, so this is what the
# series' bio size costs a user who presses ^C.
. /pmdzero/bench/lib.sh

dev=$(nullb_create kill0 size=4096 mbps=64) || fail "cannot create null_blk"
trap 'nullb_destroy kill0' EXIT
kill_latencies "$dev" 3
echo "kill latency: [$latencies] s"
row_fields blkdiscard-z-sigkill nullb-64mbps
record kill "${row_fields[@]}" latency_s:="[$latencies]"
