#!/bin/bash
# Every suite the project has, in one run: user space (plain and under
# ASan/UBSan: unit tests, host tests on loop devices), the benchmark report
# on known data, the kernel series checks (checkpatch, per-patch builds
# with the option on and off, arm64 page sizes), and the VM matrix (stock,
# patched, thp=never, static_pmd_zero_page=off, option off, debug kernel,
# 384 MiB, patched and debug with QEMU's IOMMU for the NVMe test, the arm64
# kernel under qemu-system-aarch64, and the stress and fault suite on
# stock, patched and debug).
# Each suite prints PASS/FAIL/SKIP lines; this counts them and closes with
# the tests each VM set-up expected, ran, passed and skipped as allowed,
# then "N passed, N failed, N skipped".  Exit status 0 only if nothing
# failed.  With CI=true (or PMDZERO_STRICT_SKIPS=1) a skip that
# tests/expected-skips does not allow is a failure (tests/skips.sh).
#
# TESTS_SKIP_VM=1 leaves out the kernel checks and the VM matrix (they need
# kernel builds: about half an hour on two cores the first time).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. tests/skips.sh
logs=$top/build/logs
mkdir -p "$logs"
summary=$logs/test-results.txt
: > "$summary"

section() { # name command...
	local name=$1
	shift
	echo "=== $name"
	"$@" 2>&1 | tee -a "$logs/$name.log" | while IFS= read -r line; do
		# Strict: a suite's SKIP that tests/expected-skips does not
		# allow becomes a FAIL here (the unit, host and guest runners
		# have already done so for their own tests).
		case $line in
		SKIP\ *:\ *) skips_strict && line=$(skip_report "$(sed 's/^SKIP \([^ ]*\): .*/\1/' <<< "$line")" "${line#*: }") ;;
		esac
		echo "$line"
		case $line in PASS\ *|FAIL\ *|SKIP\ *) echo "$line" >> "$summary" ;; esac
	done
	local rc=${PIPESTATUS[0]}
	# A suite that fails without naming a failed test still counts once.
	if [ "$rc" -ne 0 ] && ! grep -q "^FAIL " "$logs/$name.log"; then
		echo "FAIL $name (exit $rc, see $logs/$name.log)" | tee -a "$summary"
	fi
}

build_userspace() { # O SANITIZE
	make -s -C lib O="$1" SANITIZE="$2" && make -s -C tools O="$1" SANITIZE="$2" &&
		make -s -C tests/unit O="$1" SANITIZE="$2" || return
	# A sanitizer build that is not instrumented would pass for nothing.
	if [ -n "$2" ]; then
		local bin libs
		for bin in "$1/pmdzero" "$1"/tests/unit/*; do
			[ -f "$bin" ] && [ -x "$bin" ] || continue
			# Not ldd | grep -q: under pipefail, grep's early exit
			# kills ldd with SIGPIPE and fails the check.
			libs=$(ldd "$bin")
			[[ $libs == *libasan* && $libs == *libubsan* ]] ||
				{ echo "FAIL build/sanitized: $bin is not linked with libasan and libubsan"; return 1; }
		done
		echo "PASS build/sanitized-binaries"
	fi
}

rm -f "$logs"/*.log
# The kernels take most of the time: build them in the background while the
# user-space suites run, and wait for them before the kernel sections.
prebuild=
if [ "${TESTS_SKIP_VM:-0}" != 1 ]; then
	(for f in stock patched option-off debug stock-debug arm64; do
		kernel/build.sh "$f" || echo "prebuild: $f failed"
	done) > "$logs/kernel-builds.txt" 2>&1 &
	prebuild=$!
	echo "=== kernel builds started in the background (log: $logs/kernel-builds.txt)"
fi

for variant in default asan; do
	o=$top/build/$variant san=
	[ $variant = asan ] && san=1
	section "build-$variant" build_userspace "$o" "$san"
	section "unit-$variant" env TEST_LOGDIR="$logs/unit-$variant" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/unit/run.sh "$o"
	# Under ASan the fuzz (061) generates 500 invocations, not 1000: the
	# parser's memory errors show on a few hundred, and the suite is slow.
	fuzz=1000
	[ $variant = asan ] && fuzz=500
	section "host-$variant" env PMDZERO="$o/pmdzero" TEST_LOGDIR="$logs/host-$variant" \
		PMDZERO_FUZZ_COUNT="${PMDZERO_FUZZ_COUNT:-$fuzz}" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/host/run.sh
done
# The benchmark's report, on made-up data whose figures are known.
section bench-report tests/bench/report.sh
# The guest lib.sh's clock arithmetic, at the clock an RTC-less guest starts at.
section guest-lib tests/vm/guest-lib-check.sh
# The one list of kernel log lines that fail a test, checked against examples.
section kernel-splats tests/kernel-splats-check.sh
# The VM matrix's summary and its checks across set-ups, on made-up data.
section matrix-summary tests/vm/matrix-summary-check.sh

if [ -n "$prebuild" ]; then
	echo "=== waiting for the kernel builds"
	wait "$prebuild"
	cat "$logs/kernel-builds.txt"
	section base-pin tests/kernel/base-pin.sh
	section patch-check tests/kernel/patch-check.sh
	# The newest linux-source-6.12 apt offers: a WARNING line, not a
	# failure, when it is not the pin and the series does not take it.
	section base-check kernel/base.sh check --newest --warn
	section kernel-arm64 tests/kernel/arm64-page-sizes.sh
	section initramfs tests/vm/mkinitramfs.sh build/vm/initramfs.cpio build/default/pmdzero
	section initramfs-arm64 tests/vm/mkinitramfs.sh --arch arm64 build/vm/initramfs-arm64.cpio
	section vm tests/vm/matrix.sh $(make -s --no-print-directory -f Makefile print-vm-setups)
else
	skip_report kernel+vm TESTS_SKIP_VM=1 | tee -a "$summary"
fi

passed=$(grep -c '^PASS ' "$summary")
failed=$(grep -c '^FAIL ' "$summary")
skipped=$(grep -c '^SKIP ' "$summary")
# Per VM set-up, from run-vm.sh: a test missing or not allowed to skip
# has a FAIL line of its own above.
if grep -qE '^vm/[^ ]+: [0-9]+ expected, ' "$logs/vm.log" 2>/dev/null; then
	echo "--- tests per VM set-up:"
	grep -E '^vm/[^ ]+: [0-9]+ expected, ' "$logs/vm.log"
fi
# Warnings that are not failures (a base rebase due) are repeated here, so
# they are seen.
[ -f "$logs/base-check.log" ] && grep '^WARNING' "$logs/base-check.log"
if [ "$failed" -gt 0 ]; then
	echo "--- failed:"
	grep '^FAIL ' "$summary"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
