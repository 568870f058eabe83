# pmdzero: kernel series, libpmdzero, the pmdzero command, fio jobs, tests.
#
#   make bench      the main job: build stock and patched kernels, boot each
#                   under QEMU with null_blk, NVMe and virtio-blk, print the
#                   comparison (make bench-full: every engine and fio job)
#   make test       every suite: unit, host (loop devices), ASan/UBSan, the
#                   patch checks and the VM matrix; ends with "N passed, ..."
#
# Finer targets: deps, userspace, kernel, kernel-stock, kernel-off,
# kernel-debug, kernel-arm64, patch-check, initramfs, initramfs-arm64,
# vm-check, vm-arm64, vm-matrix, stress-soak, mutations, unit-check,
# host-check, deb, deb-check, install, clean.

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
O := $(BUILD)/default
ASAN_O := $(BUILD)/asan
LOGDIR := $(BUILD)/logs
INITRD := $(BUILD)/vm/initramfs.cpio
PREFIX ?= /usr/local
DESTDIR ?=

# Debian packages the whole project needs; `make deps` installs what is
# missing, so a new machine needs nothing but make and apt.
DEB_PACKAGES := build-essential bc bison flex libelf-dev libssl-dev cpio \
	linux-source-6.12 gcc-aarch64-linux-gnu libc6-dev-arm64-cross python3-ply python3-git \
	qemu-system-x86 qemu-system-arm busybox-static fio xfsprogs blktrace util-linux \
	liburing-dev libaio-dev libblkid-dev libmount-dev libsmartcols-dev pkg-config \
	gnuplot-nox kmod file python3 jq fdisk e2fsprogs \
	dpkg-dev debhelper rsync

.PHONY: help deps userspace kernel kernel-stock kernel-off kernel-debug \
	kernel-arm64 patch-check initramfs initramfs-arm64 vm-check vm-arm64 vm-matrix stress-soak mutations unit-check \
	host-check bench bench-full deb deb-check test install clean

# The help is the leading comment block above, after its title line.
help:
	@awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' Makefile

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q >/dev/null && \
		apt-get install -y -q --no-install-recommends $$missing >/dev/null; \
	fi

userspace: deps
	$(MAKE) -C lib O=$(O)
	$(MAKE) -C tools O=$(O)

kernel: deps
	kernel/build.sh patched
kernel-stock: deps
	kernel/build.sh stock
kernel-off: deps
	kernel/build.sh option-off
kernel-debug: deps
	kernel/build.sh debug
kernel-arm64: deps
	kernel/build.sh arm64

# checkpatch --strict on every patch, each patch applied on its own and the
# objects it touches built with the option on and off.
patch-check: deps
	tests/kernel/patch-check.sh

initramfs: userspace
	tests/vm/mkinitramfs.sh $(INITRD) $(O)/pmdzero
initramfs-arm64: deps
	tests/vm/mkinitramfs.sh --arch arm64 $(BUILD)/vm/initramfs-arm64.cpio

# The patched kernel, booted as configured and with transparent_hugepage=never.
vm-check: kernel initramfs
	tests/vm/matrix.sh patched patched-thp-never

# The arm64 kernel under qemu-system-aarch64 beside the x86_64 patched one:
# the count tests and KUnit, with the same results on both.
vm-arm64: kernel kernel-arm64 initramfs initramfs-arm64
	tests/vm/matrix.sh patched arm64

# Every kernel the VM suite knows: stock, patched, the option off, thp=never
# and the debug kernel (KASAN, DEBUG_VM, PROVE_LOCKING); patched and debug
# again with QEMU's IOMMU for the NVMe zero-page test; the arm64 kernel;
# the stress and fault suite on stock, patched and debug.
vm-matrix: kernel kernel-stock kernel-off kernel-debug kernel-arm64 initramfs initramfs-arm64
	tests/vm/matrix.sh $(VM_SETUPS)
VM_SETUPS := stock patched patched-thp-never option-off debug patched-384m \
	patched-iommu debug-iommu arm64 stress-stock stress-patched stress-debug

# Each patch whose effect no user sees, taken back out: the test meant to
# catch it must fail (kernel/experiments/mutations).  A kernel build each.
mutations: kernel initramfs
	kernel/experiments/mutations/run.sh

# The stress and fault suite with SOAK times its rounds (default 10), on
# the patched and debug kernels: about 80 minutes at 10, extrapolated from
# SOAK=1 and 2 (tests/vm/guest/stress/README.md).  Longer than make test
# allows.
SOAK ?= 10
stress-soak: kernel kernel-debug initramfs
	PMDZERO_SOAK=$(SOAK) tests/vm/matrix.sh stress-patched stress-debug

unit-check: deps
	$(MAKE) -C lib O=$(O)
	$(MAKE) -C tests/unit O=$(O)
	TEST_LOGDIR=$(LOGDIR)/unit tests/unit/run.sh $(O)
	tests/bench/report.sh

host-check: userspace
	PMDZERO=$(O)/pmdzero TEST_LOGDIR=$(LOGDIR)/host tests/host/run.sh

# fio-jobs/bench.sh builds (or reuses) both kernels and the initramfs itself.
bench: userspace
	fio-jobs/bench.sh
bench-full: userspace
	fio-jobs/bench.sh --full

# Debian packages of the patched kernel with the option on and off, from
# this machine's configuration: make deb DEB_ARGS="--localmodconfig"
# (kernel/deb.sh --help).
deb: deps
	kernel/deb.sh $(DEB_ARGS) patched
	kernel/deb.sh $(DEB_ARGS) option-off

# The packaging path on the small guest configuration: two full kernel
# builds, about 16 minutes here, so not part of make test.
deb-check: deps
	tests/kernel/deb-check.sh

test: deps
	tests/run.sh

install: userspace
	$(MAKE) -C lib O=$(O) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	$(MAKE) -C tools O=$(O) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install

clean:
	rm -rf $(BUILD)

# tests/run.sh boots the same set-ups as vm-matrix.
print-vm-setups:
	@echo $(VM_SETUPS)
