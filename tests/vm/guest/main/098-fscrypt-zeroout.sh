#!/bin/bash
# DESCRIPTION: ext4 extent zeroout in an encrypted directory, mounted
# inlinecrypt: ext4_issue_zeroout() hands the range to fscrypt, whose
# inline-crypt zeroout (fs/crypto/bio.c) attaches ZERO_PAGE once per block
# with an encryption context, and the blk-crypto fallback encrypts each
# 4 KiB into a bounce page.  The series leaves this path alone (the
# bounce bio has a page per block whatever the source is; bench scenario
# 110 measures what a conversion could gain), so on every kernel a
# zeroout of N blocks reaches the virtio-blk disk of two segments per
# request as N bio_vecs and is split into ceil(N / 2) pieces (and the
# bounce bio's remainder is traced once more).  The data:
# through the key, every gap reads back as zeroes and every write as
# written; on the disk, the gaps are ciphertext, not zeroes.
. /pmdzero/lib.sh

need_tools mkfs.ext4 e4crypt e2fsck xfs_io
vblk=/dev/vda
[ -b $vblk ] || fail "no $vblk: the matrix boots with a QEMU virtio-blk disk of queue-size=4"
q=$(sysblock $vblk)/queue
[ "$(cat $q/write_zeroes_max_bytes)" = 0 ] || fail "$vblk offers Write Zeroes"
[ "$(cat $q/max_segments)" = 2 ] || fail "$vblk max_segments $(cat $q/max_segments), want 2 (queue-size=4)"
mnt=/mnt/fscryptz
mkdir -p $mnt
trap 'umount $mnt 2> /dev/null' EXIT
mkfs.ext4 -F -q -b 4096 -O encrypt -E lazy_itable_init=1,nodiscard $vblk || fail "mkfs.ext4 -O encrypt failed"
mount -t ext4 -o inlinecrypt,noinit_itable,dioread_lock,commit=600 $vblk $mnt || fail "mount -o inlinecrypt failed"
mkdir $mnt/enc
# A v1 policy, its key from a passphrase in the user's keyring.
echo pmdzero-passphrase | e4crypt add_key -S 0x5d8a1b6c2e3f4a5b6c7d8e9fa0b1c2d3 $mnt/enc > /tmp/e4crypt.txt 2>&1 ||
	{ cat /tmp/e4crypt.txt; fail "e4crypt could not set a policy on $mnt/enc"; }
cat /tmp/e4crypt.txt
# "DIR: DESCRIPTOR", a v1 policy's 8-byte key descriptor in hex.
e4crypt get_policy $mnt/enc | grep -qE ': [0-9a-f]{16}$' || fail "$mnt/enc has no encryption policy"

# Writes every 20 KiB: a 16 KiB zeroout's bounce bio splits into two,
# its 8 KiB remainder traced again (extent_zeroout says why), which then
# cannot be taken for a 4 KiB write.
pages() { echo $(($1 / 4096)); }
extent_zeroout $vblk $mnt/enc/f 32 20480 64 pages bounce
extent_zeroout $vblk $mnt/enc/f 1024 $((512 * 1024)) 16 pages bounce

# On the disk the zeroed gaps are ciphertext: the blocks of the file's
# first gap (after its first write) are not zero.  FIEMAP's first extent,
# in 512-byte units: "0: [0..7]: START..END".
blk=$(xfs_io -r -c fiemap $mnt/enc/f | awk 'NR == 2 { split($3, r, "[.]"); print r[1] / 8; exit }')
[ -n "$blk" ] || fail "no extent map for $mnt/enc/f"
region_is_zero $vblk $(((blk + 1) * 4096)) $((127 * 4096)) &&
	fail "the zeroed gap is zero on the disk: it was not encrypted"
echo "ok: the gaps are ciphertext on the disk"
umount $mnt || fail "umount failed"
e2fsck -fn $vblk > /tmp/e2fsck.txt 2>&1 || { cat /tmp/e2fsck.txt; fail "e2fsck finds errors"; }
