# shellcheck shell=bash disable=SC2034,SC2054
# Sourced by tests/vm/matrix.sh and kernel/experiments/mutations/run.sh:
# the two disks every x86_64 guest boot gets.  A QEMU NVMe disk with
# QEMU's Intel id, so that nvme-pci turns Write Zeroes off
# (090-nvme-zero-pages), and a virtio-blk disk without Write Zeroes whose
# queue-size=4 leaves two segments per request (045, 091).
#
# vm_disks_create PREFIX: sparse PREFIX.nvme.img (256 MiB) and
# PREFIX.vblk.img (512 MiB: mkfs.xfs wants 300 MB at least), made afresh;
# sets vm_disk_args to the QEMU arguments that attach them.
vm_disks_create() {
	rm -f "$1.nvme.img" "$1.vblk.img"
	truncate -s 256M "$1.nvme.img" && truncate -s 512M "$1.vblk.img" || return 1
	vm_disk_args=(-blockdev "driver=file,filename=$1.nvme.img,node-name=nvm"
		-device nvme,serial=pmdzero,drive=nvm,use-intel-id=on
		-blockdev "driver=file,filename=$1.vblk.img,node-name=vblk"
		-device virtio-blk-pci,drive=vblk,write-zeroes=off,queue-size=4)
}

# vm_disks_remove PREFIX: the images vm_disks_create made.
vm_disks_remove() {
	rm -f "$1.nvme.img" "$1.vblk.img"
}
