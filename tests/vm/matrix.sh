#!/bin/bash
# Run the guest suite on a list of kernel set-ups, building (or fetching from
# the cache) each kernel first.
#
#   tests/vm/matrix.sh SETUP...    SETUP: stock patched patched-thp-never
#                                  option-off debug patched-384m
#                                  patched-iommu debug-iommu
#                                  stress-stock stress-patched stress-debug
#
# Every boot has a QEMU NVMe disk on a sparse file, with QEMU's Intel id so
# that nvme-pci turns Write Zeroes off (090-nvme-zero-pages).  The -iommu
# set-ups add QEMU's intel-iommu and intel_iommu=on and run that test only;
# patched-384m boots with 384 MiB, where the folio must not be pinned.
#
# Needs the initramfs (make initramfs).  Output: the PASS/FAIL/SKIP lines of
# run-vm.sh for every set-up, then a table of the bio and request counts
# each guest measured and the kill latencies of 070-kill-latency; exit
# status non-zero if any failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
initrd=${INITRD:-$top/build/vm/initramfs.cpio}
logdir=${TEST_LOGDIR:-$top/build/logs}/vm
failed=0

for setup in "$@"; do
	append= timeout=600 iommu=() only=${VM_ONLY:-} mem=${PMDZERO_VM_MEM:-3G} suite=vm
	case $setup in
	stock) flavour=stock expect=small ;;
	patched) flavour=patched expect=large ;;
	patched-thp-never) flavour=patched expect=small append=transparent_hugepage=never ;;
	option-off) flavour=option-off expect=small ;;
	debug) flavour=debug expect=large timeout=1800 ;;
	patched-384m)
		# Under 512 MiB THP starts disabled, and the folio is not pinned.
		flavour=patched expect=small mem=384M only=001-kunit,010-blkzeroout-bios
		;;
	patched-iommu|debug-iommu)
		flavour=${setup%-iommu} expect=large timeout=1800 append=intel_iommu=on
		# QEMU wants the IOMMU before every other PCI device.
		iommu=(-device intel-iommu,intremap=off) only=090-nvme-zero-pages
		;;
	# The stress and fault suite (tests/vm/guest/stress): on the debug
	# kernel, on the patched kernel, and on stock for the ZERO_PAGE path
	# and the XFS comparison.
	stress-stock) flavour=stock expect=small suite=stress timeout=1800 ;;
	stress-patched) flavour=patched expect=large suite=stress timeout=1800 ;;
	stress-debug) flavour=debug expect=large suite=stress timeout=3000 ;;
	*) echo "matrix.sh: unknown set-up $setup" >&2; exit 2 ;;
	esac
	# PMDZERO_SOAK=N multiplies the stress suite's rounds (make stress-soak).
	[ "$suite" = stress ] && [ -n "${PMDZERO_SOAK:-}" ] &&
		append+="${append:+ }pmdzero.soak=$PMDZERO_SOAK" timeout=$((timeout * PMDZERO_SOAK))
	if ! kdir=$("$top/kernel/build.sh" "$flavour"); then
		echo "FAIL vm/$setup/kernel-build"
		failed=1
		continue
	fi
	# One accelerator for the whole matrix, probed with the first kernel.
	[ -n "${PMDZERO_VM_ACCEL:-}" ] ||
		export PMDZERO_VM_ACCEL=$("$top/tests/vm/pick-accel.sh" "$kdir")
	mkdir -p "$logdir"
	nvme_img=$logdir/$setup.nvme.img
	rm -f "$nvme_img"
	truncate -s 256M "$nvme_img"
	PMDZERO_VM_MEM=$mem "$top/tests/vm/run-vm.sh" --kernel "$kdir" --label "$setup" --expect "$expect" \
		--initrd "$initrd" --suite "$suite" --append "$append" --timeout "$timeout" \
		--logdir "$logdir" ${only:+--only "$only"} -- "${iommu[@]}" \
		-blockdev "driver=file,filename=$nvme_img,node-name=nvm" \
		-device nvme,serial=pmdzero,drive=nvm,use-intel-id=on || failed=1
	rm -f "$nvme_img"
done

# The counts the guests measured (their DATA lines), set-ups side by side:
# the figures the cover letter's table has per GiB.
python3 - "$logdir" "$@" <<'PY'
import json, os, sys
logdir, setups = sys.argv[1], sys.argv[2:]
counts, tests, latency = {}, [], {}
for setup in setups:
    path = os.path.join(logdir, setup + ".data")
    for line in open(path) if os.path.exists(path) else []:
        rec = json.loads(line)
        if "latency_s" in rec:
            latency[setup] = rec["latency_s"]
            continue
        if "test" not in rec or "bios" not in rec:
            continue
        if rec["test"] not in tests:
            tests.append(rec["test"])
        counts[(rec["test"], setup)] = f"{rec['bios']} / {rec['requests']}"
if tests:
    print("\nbios / requests counted in the guests (block tracepoints):\n")
    print("| " + " | ".join(["zeroing on null_blk"] + setups) + " |")
    print("|---" + "|--:" * len(setups) + "|")
    for t in tests:
        print("| " + " | ".join([t] + [counts.get((t, s), "-") for s in setups]) + " |")
if latency:
    print("\nSIGKILL one second into blkdiscard -z on a 64 MiB/s null_blk, seconds until it was gone:\n")
    for s in setups:
        if s in latency:
            print(f"  {s}: {', '.join(f'{x:.3f}' for x in latency[s])}")
PY
exit $failed
