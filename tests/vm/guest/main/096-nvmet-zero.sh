#!/bin/bash
# DESCRIPTION: NVMe over Fabrics (loop transport) exporting a null_blk
# without Write Zeroes.  The host sees a namespace that offers Write Zeroes
# (nvmet always does) and sends one command per 1020 KiB (nvme-loop's
# max_hw_sectors); the target turns each into __blkdev_issue_zeroout() on
# the null_blk, which has only the zero-page path.  Both kernels send one
# bio per command; with the static folio it is one bio_vec, which fits one
# request, where ZERO_PAGE's 255 bio_vecs need two requests of at most 128
# segments (null_blk's max_segments) at 1280 KiB requests.  Then the data:
# an unaligned range zeroed through the fabric reads back as zeroes from
# both ends, the rest untouched.
. /pmdzero/lib.sh

back=$(nullb_create nvmetback size=256 memory_backed=1 max_sectors=16384) ||
	fail "cannot create the backing null_blk"
cleanup() {
	nvmet_unexport
	nullb_destroy nvmetback
}
trap cleanup EXIT
q=$(sysblock "$back")/queue
[ "$(cat $q/write_zeroes_max_bytes)" = 0 ] || fail "$back offers Write Zeroes: the target would pass them on"
segs=$(cat $q/max_segments) req=$(($(cat $q/max_sectors_kb) * 1024))
nvmet_export "$back"
wz=$(cat "$(sysblock "$fabric_ns")/queue/write_zeroes_max_bytes")
echo "host: $fabric_ns write_zeroes_max_bytes $wz; target: $back max_segments $segs, requests up to $req bytes"
[ "$wz" -gt 0 ] || fail "$fabric_ns does not offer Write Zeroes"
[ "$wz" -le $MiB ] || fail "write_zeroes_max_bytes $wz: over 1 MiB, a command would take two ZERO_PAGE bios"
[ $((wz % 4096)) = 0 ] || fail "write_zeroes_max_bytes $wz is not a whole number of pages"

# The expected counts on the backing device for zeroing LEN bytes from
# offset 0 (page-aligned commands): one bio per command; a request per
# bio with the folio, ceil(pages / max_segments) with ZERO_PAGE.
len=$((256 * MiB)) want_bios=0 want_requests=0
for ((off = 0; off < len; off += wz)); do
	b=$((len - off < wz ? len - off : wz))
	want_bios=$((want_bios + 1))
	want_requests=$((want_requests + $(pick 1 $(((b / 4096 + segs - 1) / segs)))))
done
trace_begin "$back" writes
blkdiscard -f -z -o 0 -l $len "$fabric_ns" || fail "blkdiscard -z over the fabric failed"
trace_end
counts_data "nvmet loop: blkdiscard -z 256 MiB"
expect_eq "bios on the backing device (one per Write Zeroes)" "$bios" $want_bios
expect_eq bio_bytes "$bio_bytes" $len
expect_eq "requests on the backing device" "$requests" $want_requests
region_is_zero "$back" 0 $len || fail "the backing device does not read back as zeroes"

# The data: through the fabric, then read from the target's device too,
# past its page cache, which the target's bios do not go through.
zero_unaligned_checked "$fabric_ns" $((32 * MiB))
echo 3 > /proc/sys/vm/drop_caches
off=$((MiB + 512)) zl=$((17 * MiB + 1536))
region_is_zero "$back" $off $zl || fail "the zeroed range is not zero on the backing device"
region_matches "$back" "$fabric_ns" 0 $((32 * MiB)) || fail "the backing device and the namespace disagree"
echo "ok: the range reads back as zeroes on the backing device as on the namespace"
