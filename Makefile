# pmdzero: kernel series, libpmdzero, the pmdzero command, fio jobs, tests.
#
#   make bench      the main job: build stock and patched kernels, boot each
#                   under QEMU with null_blk, NVMe and virtio-blk, print the
#                   comparison (make bench-full: every engine and fio job)
#   make test       every suite: unit, host (loop devices), ASan/UBSan, the
#                   patch checks and the VM matrix on the debug, patched
#                   and stock kernels; ends with "N passed, ..."
#   make test-full  the same with the debug set-ups whole, and the arm64,
#                   option-off, stock-debug and upstream 7.2 kernels
#   make bench-upstream
#                   upstream Linux 7.2 (its zero folio off and on, and with
#                   our mainline series) beside stock 6.12 and our series:
#                   cost, counts, kill latency, memory (results/upstream)
#   make realmachine
#                   the real-machine path under QEMU: a Debian image
#                   (mmdebstrap), make deb kernels installed in it with dpkg
#                   and booted through its initramfs and systemd, the bench
#                   for the running kernel on stock and patched
#                   (results/realmachine; REALMACHINE_ARGS="--pairs N")
#   make bench-host DEV=/dev/...
#                   the bench on the running kernel against DEV (destroys
#                   its first 1 GiB); make bench-host-compare STOCK=DIR
#                   PATCHED=DIR OUT=DIR compares two runs (or pairs:
#                   STOCK="S1 S2" PATCHED="P1 P2")
#   make external BLKTESTS=DIR FSTESTS=DIR
#                   blktests and fstests (built checkouts) in the Debian
#                   image on the stock and patched packages
#
# Finer targets: deps (deps-userspace, deps-kernel, deps-vm, deps-test,
# deps-bench, deps-deb, deps-image), base-check, image, userspace, kernel, kernel-stock, kernel-off,
# kernel-debug, kernel-stock-debug, kernel-arm64, kernel-upstream, patch-check, initramfs,
# initramfs-arm64, vm-check, vm-arm64, vm-upstream, vm-matrix, stress-soak, stress-load, mutations, unit-check,
# host-check, deb, deb-check, deb-userspace, install, uninstall, clean.

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
O := $(BUILD)/default
ASAN_O := $(BUILD)/asan
LOGDIR := $(BUILD)/logs
INITRD := $(BUILD)/vm/initramfs.cpio
PREFIX ?= /usr/local
DESTDIR ?=

# Debian packages, by what needs them.  Each deps-* target installs only its
# own group's missing packages (as root, through apt); with them present it
# needs no root.  `make deps` installs every group.  The kernel source is not
# a package name here: deps-kernel installs exactly the version kernel/bases
# pins for 6.12 (kernel/base.sh install); the 7.2 base is fetched into the
# cache when a 7.2 kernel or check first needs it.
PKGS_USERSPACE := build-essential pkg-config liburing-dev libaio-dev libblkid-dev \
	libmount-dev libsmartcols-dev
PKGS_KERNEL := build-essential bc bison flex libelf-dev libssl-dev cpio kmod \
	python3-ply python3-git gcc-aarch64-linux-gnu libc6-dev-arm64-cross
PKGS_VM := qemu-system-x86 qemu-system-arm busybox-static cpio kmod file fio blktrace \
	xfsprogs e2fsprogs util-linux fdisk jq dmsetup
PKGS_TEST := blktrace fio jq python3 fdisk e2fsprogs xfsprogs util-linux file gnuplot-nox \
	clang lintian dpkg-dev debhelper stress-ng
PKGS_BENCH := python3 jq gnuplot-nox
PKGS_DEB := dpkg-dev debhelper rsync
PKGS_IMAGE := mmdebstrap qemu-utils qemu-system-x86 e2fsprogs jq

# $(call apt_install,GROUP,PACKAGES)
define apt_install
	@missing=$$(for p in $(2); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done | sort -u | tr '\n' ' '); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "deps-$(1): missing Debian packages: $$missing(as root: apt-get install $$missing)" >&2; exit 1; \
		fi; \
		echo "deps-$(1): installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q >/dev/null && \
		apt-get install -y -q --no-install-recommends $$missing >/dev/null; \
	fi
endef

.PHONY: help deps deps-userspace deps-kernel-tools deps-kernel deps-vm deps-test \
	deps-bench deps-deb base-check userspace kernel kernel-stock kernel-off kernel-debug kernel-stock-debug \
	kernel-arm64 kernel-upstream patch-check initramfs initramfs-arm64 vm-check vm-arm64 vm-upstream vm-matrix stress-soak \
	stress-load mutations unit-check host-check bench bench-full bench-upstream deb deb-check deb-userspace test test-full install uninstall clean \
	deps-image image realmachine bench-host bench-host-compare external

# The help is the leading comment block above, after its title line.
help:
	@awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' Makefile

deps: deps-userspace deps-kernel deps-vm deps-test deps-bench deps-deb deps-image
deps-userspace:
	$(call apt_install,userspace,$(PKGS_USERSPACE))
deps-kernel-tools:
	$(call apt_install,kernel,$(PKGS_KERNEL))
deps-kernel: deps-kernel-tools
	@kernel/base.sh install
deps-vm:
	$(call apt_install,vm,$(PKGS_VM))
deps-test:
	$(call apt_install,test,$(PKGS_TEST))
deps-bench:
	$(call apt_install,bench,$(PKGS_BENCH))
deps-deb:
	$(call apt_install,deb,$(PKGS_DEB))
deps-image:
	$(call apt_install,image,$(PKGS_IMAGE))

userspace: deps-userspace
	$(MAKE) -C lib O=$(O)
	$(MAKE) -C tools O=$(O)
	$(MAKE) -C fio-jobs O=$(O)

kernel: deps-kernel
	kernel/build.sh patched
kernel-stock: deps-kernel
	kernel/build.sh stock
kernel-off: deps-kernel
	kernel/build.sh option-off
kernel-debug: deps-kernel
	kernel/build.sh debug
kernel-stock-debug: deps-kernel
	kernel/build.sh stock-debug
kernel-arm64: deps-kernel
	kernel/build.sh arm64
# Upstream 7.2 (kernel/bases): its option off and on, and our mainline series.
kernel-upstream: deps-kernel
	for f in upstream-off upstream-on mainline; do kernel/build.sh $$f || exit 1; done

# checkpatch --strict on every patch, each patch applied on its own and the
# objects it touches built with the option on and off.
patch-check: deps-kernel
	tests/kernel/patch-check.sh

initramfs: userspace deps-vm
	tests/vm/mkinitramfs.sh $(INITRD) $(O)/pmdzero
initramfs-arm64: deps-kernel deps-vm
	tests/vm/mkinitramfs.sh --arch arm64 $(BUILD)/vm/initramfs-arm64.cpio

# The patched kernel, booted as configured and with transparent_hugepage=never
# (where the folio must still serve zeroing).
vm-check: kernel initramfs
	tests/vm/matrix.sh patched patched-thp-never

# The arm64 kernel under qemu-system-aarch64 beside the x86_64 patched one:
# the count tests and KUnit, with the same results on both.
vm-arm64: kernel kernel-arm64 initramfs initramfs-arm64
	tests/vm/matrix.sh patched arm64

# Upstream 7.2: our mainline series through the counting, kill and data
# tests, upstream with its option off through stock's, with it on the data
# test and dm-thin's stock counts (tests/vm/setups says why).
vm-upstream: kernel-upstream initramfs
	tests/vm/matrix.sh mainline upstream-off upstream-on

# Every kernel set-up the VM suite knows (make test-full's): stock, patched,
# the option off, thp=never, static_pmd_zero_page=off, 384 MiB and the debug
# kernel (KASAN, DEBUG_VM, PROVE_LOCKING); patched and debug again with
# QEMU's IOMMU for the NVMe zero-page test; the arm64 kernel; the stress and
# fault suite on stock, patched, debug and stock with the debug options;
# upstream 7.2 with its option off and on and with our mainline series.
vm-matrix: kernel kernel-stock kernel-off kernel-debug kernel-stock-debug kernel-arm64 kernel-upstream initramfs initramfs-arm64
	tests/vm/matrix.sh $(VM_SETUPS_FULL)
# The set-ups of make test (tier quick) and make test-full (tier full), from
# tests/vm/setups, in its order: grouped by kernel in the order tests/run.sh
# builds them, so that each group boots while the next kernel builds.
# make test-full runs debug and stress-debug whole (the -quick set-ups
# leave out what the patched kernel's set-ups run: 15 minutes) and adds
# the set-ups whose kernels only they use: arm64 (make test checks its
# Kconfig gate by page size), option-off and stock-debug, three more
# builds.  Both would take make test past its hour on a bare two-core
# machine.
VM_SETUPS := $(shell tests/vm/matrix.sh --tier quick)
VM_SETUPS_FULL := $(shell tests/vm/matrix.sh --tier full)

# Each patch that changes behaviour taken back out (0002, 0003, 0005, 0006)
# and the bio cap raised to 32 MiB: exactly the guest tests named for each
# must fail, the rest pass (kernel/experiments/mutations).  A kernel build
# each, about 7 minutes idle.
mutations: kernel initramfs
	kernel/experiments/mutations/run.sh

# The stress and fault suite with SOAK times its rounds (default 10), on
# the patched and debug kernels: about 80 minutes at 10, extrapolated from
# SOAK=1 and 2 (tests/vm/guest/stress/README.md).  Longer than make test
# allows.
SOAK ?= 10
stress-soak: kernel kernel-debug initramfs
	PMDZERO_SOAK=$(SOAK) tests/vm/matrix.sh stress-patched stress-debug

unit-check: deps-userspace deps-test
	$(MAKE) -C lib O=$(O)
	$(MAKE) -C tests/unit O=$(O)
	TEST_LOGDIR=$(LOGDIR)/unit tests/unit/run.sh $(O)
	tests/bench/report.sh
	tests/vm/guest-lib-check.sh
	tests/kernel-splats-check.sh
	tests/vm/matrix-summary-check.sh
	tests/tables-check.sh --self-test

host-check: userspace deps-test
	PMDZERO=$(O)/pmdzero TEST_LOGDIR=$(LOGDIR)/host tests/host/run.sh

# fio-jobs/bench.sh builds (or reuses) both kernels and the initramfs itself.
bench: userspace deps-kernel deps-vm deps-bench
	fio-jobs/bench.sh
bench-full: userspace deps-kernel deps-vm deps-bench
	fio-jobs/bench.sh --full
# Upstream 7.2 beside 6.12, one run (fio-jobs/bench-upstream.sh says how).
bench-upstream: userspace deps-kernel deps-vm deps-bench
	fio-jobs/bench-upstream.sh

# Debian packages of the patched kernel with the option on and off, from
# this machine's configuration: make deb DEB_ARGS="--localmodconfig"
# (kernel/deb.sh --help).
deb: deps-kernel deps-deb
	kernel/deb.sh $(DEB_ARGS) patched
	kernel/deb.sh $(DEB_ARGS) option-off
	kernel/deb.sh $(DEB_ARGS) stock

# The Debian image's base tree (tests/image/mkimage.sh), cached.
image: deps-image
	tests/image/mkimage.sh base

# The real-machine path end to end under QEMU (tests/image/realmachine.sh).
realmachine: userspace deps-kernel deps-deb deps-image deps-bench
	tests/image/realmachine.sh $(REALMACHINE_ARGS)

# The bench for the running kernel (fio-jobs/bench-host.sh --help).
bench-host: userspace deps-bench
	@[ -n "$(DEV)" ] || { echo "make bench-host: say which device: DEV=/dev/..." >&2; exit 2; }
	fio-jobs/bench-host.sh $(BENCH_HOST_ARGS) $(DEV)
# STOCK and PATCHED may each name several runs, in the order they ran:
# the Nth of each make a pair.
bench-host-compare: deps-bench
	@[ -n "$(STOCK)" ] && [ -n "$(PATCHED)" ] && [ -n "$(OUT)" ] && \
		[ $(words $(STOCK)) = $(words $(PATCHED)) ] || \
		{ echo "make bench-host-compare: STOCK=\"DIR...\" PATCHED=\"DIR...\" OUT=DIR, as many PATCHED as STOCK" >&2; exit 2; }
	fio-jobs/bench-host.sh --compare $(foreach i,$(shell seq $(words $(STOCK))),$(word $(i),$(STOCK)) $(word $(i),$(PATCHED))) $(OUT)

# blktests and fstests in the Debian image, on the stock and patched
# packages (tests/image/external.sh --help; BLKTESTS and FSTESTS: built
# checkouts of each suite, as their READMEs say).
external: userspace deps-kernel deps-deb deps-image
	tests/image/external.sh $(if $(BLKTESTS),--blktests $(BLKTESTS)) $(if $(FSTESTS),--fstests $(FSTESTS)) $(EXTERNAL_ARGS)

# Debian packages of the library and the command (debian/): libpmdzero0,
# libpmdzero-dev and pmdzero, built by dpkg-buildpackage in a copy of
# debian/, lib/ and tools/, so that nothing is written in the tree or
# beside it.  The .debs go to DEB_USERSPACE_DIR; then, as root:
#   apt install ./build/deb-userspace/{pmdzero,libpmdzero0,libpmdzero-dev}_*.deb
DEB_USERSPACE_DIR ?= $(BUILD)/deb-userspace
deb-userspace: deps-userspace deps-deb
	rm -rf $(DEB_USERSPACE_DIR)
	mkdir -p $(DEB_USERSPACE_DIR)/src
	tar -C $(TOP) -cf - debian lib tools | tar -C $(DEB_USERSPACE_DIR)/src -xf -
	cd $(DEB_USERSPACE_DIR)/src && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_USERSPACE_DIR)/src

# The packaging path on the small guest configuration: two full kernel
# builds, about 16 minutes here, so not part of make test.
deb-check: deps-kernel deps-deb
	tests/kernel/deb-check.sh

test: deps
	tests/run.sh

# make test and the set-ups it leaves out (tests/run.sh).
test-full: deps
	PMDZERO_TEST_TIER=full tests/run.sh

# make test (or STRESS_CMD) beside a CPU hog: stress-ng at nice 19 on every
# CPU, stopped when the command ends, its figures printed after; the suites
# must not depend on an idle host (issue 29).  tests/stress-load.sh says how
# to change the load.
stress-load: deps
	tests/stress-load.sh $(STRESS_CMD)

# Every linux-source-6.12 version apt offers, downloaded into the cache
# (nothing installed): does the series apply with patch -F0 and build?  One
# line per version; make test runs it for the newest only and warns.
# BASE=7.2: the mainline series on what Debian unstable offers.
base-check: deps-kernel-tools
	kernel/base.sh $(if $(BASE),--base $(BASE)) check

install: userspace
	$(MAKE) -C lib O=$(O) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	$(MAKE) -C tools O=$(O) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install

# Removes exactly the files install put there, for the same PREFIX and
# DESTDIR (the directories stay: others may use them).  Builds nothing.
uninstall:
	$(MAKE) -C lib O=$(O) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) uninstall
	$(MAKE) -C tools O=$(O) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) uninstall

clean:
	rm -rf $(BUILD)

# The set-ups tests/run.sh boots: make test's, make test-full's.
print-vm-setups:
	@echo $(VM_SETUPS)
print-vm-setups-full:
	@echo $(VM_SETUPS_FULL)
