# shellcheck shell=bash
# The candidates of kernel/experiments/zero-bio-size: how
# __blkdev_issue_zero_pages() sizes its bios, chosen through the parameters
# the experiment patch adds to block/blk-lib.c.  A kernel without them (stock,
# or the series as posted) is measured as it is, as one candidate.
. /pmdzero/lib.sh

KNOBS=/sys/module/blk_lib/parameters

# NAME:MODE:KIB, MODE as the experiment patch defines it.
CANDIDATES="series-512m:1:0 add-loop-check:4:0 one-request:2:0
aligned-2m:0:2048 aligned-4m:0:4096 aligned-8m:0:8192 aligned-16m:0:16384
aligned-32m:0:32768 unaligned-8m:3:8192"

candidates() {
	if [ -e $KNOBS/zero_bio_mode ]; then echo $CANDIDATES; else echo "${PMDZERO_KERNEL%-*}::"; fi
}

# use_candidate NAME:MODE:KIB: set the knobs, print the name.
use_candidate() {
	local c=$1 mode kib
	mode=${c#*:} kib=${mode#*:} mode=${mode%%:*}
	if [ -n "$mode" ]; then
		echo "$mode" > $KNOBS/zero_bio_mode || fail "cannot set zero_bio_mode"
		echo "$kib" > $KNOBS/zero_bio_kb || fail "cannot set zero_bio_kb"
	fi
	candidate=${c%%:*}
}
