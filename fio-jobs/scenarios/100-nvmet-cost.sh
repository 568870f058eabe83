#!/bin/bash
# BOOT: cost
# DESCRIPTION: NVMe over Fabrics (a cost boot).  An nvmet subsystem on the
# loop transport exports a 4 GiB null_blk without Write Zeroes; the host's
# blkdiscard -z of 1 GiB on the fabrics namespace sends Write Zeroes of
# 1020 KiB (nvme-loop's max_hw_sectors), which the target turns into
# __blkdev_issue_zeroout() on the null_blk.  Counted on the null_blk (the
# target's bios and requests), timed around the host's BLKZEROOUT, which
# returns when the target has completed every command: host and target
# both, per GiB zeroed.  null_blk at default limits (127.5 KiB requests)
# and at max_sectors=16384 (1280 KiB requests, where a 1020 KiB ZERO_PAGE
# bio needs two requests for its 255 segments and a zero-folio bio one).
. /pmdzero/bench/lib.sh

for setup in nullb-default nullb-max16384; do
	back=$(nullb_setup $setup nvmetc) || fail "cannot set up $setup"
	trap 'nvmet_unexport; nullb_destroy nvmetc' EXIT
	nvmet_export "$back"
	cost_row nvmet-blkdiscard-z $setup "$back" $GiB syscall blkdiscard -f -z -o 0 -l $GiB "$fabric_ns"
	[ "$bio_bytes" = $GiB ] || fail "nvmet on $setup: the target wrote $bio_bytes bytes, want $GiB"
	nvmet_unexport
	nullb_destroy nvmetc
done
