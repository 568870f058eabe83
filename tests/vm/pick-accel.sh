#!/bin/bash
# Print the QEMU accelerator to boot the guest kernels with: kvm or tcg.
#
#   tests/vm/pick-accel.sh KERNEL_DIR
#
# PMDZERO_VM_ACCEL=kvm|tcg forces the choice.  Otherwise KVM is used only
# when it works, not merely when /dev/kvm exists: nested KVM can reject
# QEMU's MSR writes (QEMU aborts at once) or never run the guest.  The
# probe boots KERNEL_DIR/bzImage under KVM without an initramfs, which must
# reach its "no root file system" panic within a few seconds; the verdict
# and the reason go to stderr.
set -uo pipefail

kernel=${1:?usage: tests/vm/pick-accel.sh KERNEL_DIR}
case ${PMDZERO_VM_ACCEL:-auto} in
kvm|tcg) echo "$PMDZERO_VM_ACCEL"; exit 0 ;;
auto) ;;
*) echo "pick-accel.sh: PMDZERO_VM_ACCEL must be kvm, tcg or auto, not '$PMDZERO_VM_ACCEL'" >&2; exit 2 ;;
esac
if [ ! -w /dev/kvm ]; then
	echo "vm: no usable /dev/kvm, using TCG" >&2
	echo tcg
	exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# In a child shell that reports its exit status itself, so that an
# aborting QEMU's job message goes to /dev/null with the rest.
bash -c 'timeout 20 qemu-system-x86_64 -machine q35,accel=kvm -cpu host -smp 1 -m 256 \
	-nographic -no-reboot -monitor none -kernel "$1/bzImage" \
	-append "console=ttyS0 panic=-1" -serial "file:$2"; exit $?' probe "$kernel" "$log" >/dev/null 2>&1
rc=$?
if [ $rc = 0 ] && grep -q 'Kernel panic' "$log"; then
	echo "vm: KVM works here, using it" >&2
	echo kvm
else
	echo "vm: /dev/kvm exists but a probe boot under KVM failed (qemu exit $rc), using TCG" >&2
	echo tcg
fi
