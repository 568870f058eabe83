#!/bin/bash
# Every suite of a tier, in one run.
#
#   make test       (tier quick, what CI runs): user space (plain and under
#                   ASan/UBSan: unit tests, host tests on loop devices), the
#                   benchmark report on known data, the kernel series checks
#                   (checkpatch, per-patch builds with the option on and off,
#                   arm64's Kconfig gate by page size) and the VM matrix on
#                   the debug, patched and stock kernels: debug (KASAN,
#                   DEBUG_VM, PROVE_LOCKING) on the tests of the paths the
#                   series changes, and with QEMU's IOMMU; patched as booted,
#                   with thp=never, static_pmd_zero_page=off, 384 MiB, QEMU's
#                   IOMMU and swiotlb=force; the stress and fault suite on
#                   debug (faults, concurrency, SIGKILL), patched and stock.
#   make test-full  (tier full): the debug set-ups whole, and the kernels
#                   only it builds: arm64 (KUnit and the count tests under
#                   qemu-system-aarch64), the series with the option off (the
#                   guest suite) and the stock kernel with the debug options
#                   (stress 050, where a known base-kernel warning must show):
#                   what would take make test past an hour on a bare
#                   two-core machine.
#
# Three lanes share the two CPUs, so that no core idles while a guest runs
# on one: the kernel builds, then the series checks, in the background; the
# user-space suites in the background; the VM matrix in the foreground,
# its set-ups in the order the kernels are built, each starting as soon as
# its kernel is ready (kernel/build.sh waits for a build in progress).  The
# background lanes' output is printed when they end.
#
# Each suite prints PASS/FAIL/SKIP lines; this counts them and closes with
# the tests each VM set-up expected, ran, passed and skipped as allowed,
# then "N passed, N failed, N skipped".  Exit status 0 only if nothing
# failed.  With CI=true (or PMDZERO_STRICT_SKIPS=1) a skip that
# tests/expected-skips does not allow is a failure (tests/skips.sh).
#
# PMDZERO_TEST_TIER=quick|full chooses the tier (make test, make test-full).
# TESTS_SKIP_VM=1 leaves out the kernel checks and the VM matrix.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. tests/skips.sh
logs=$top/build/logs
mkdir -p "$logs"
summary=$logs/test-results.txt
: > "$summary"
tier=${PMDZERO_TEST_TIER:-quick}
case $tier in
quick|full) ;;
*) echo "tests/run.sh: PMDZERO_TEST_TIER is quick or full, not '$tier'" >&2; exit 2 ;;
esac
start=$(date +%s)

section() { # name command...
	local name=$1 t0
	t0=$(date +%s)
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
		# One writer per line, appended: the lanes share the file.
		case $line in PASS\ *|FAIL\ *|SKIP\ *) echo "$line" >> "$summary" ;; esac
	done
	local rc=${PIPESTATUS[0]}
	# A suite that fails without naming a failed test still counts once.
	if [ "$rc" -ne 0 ] && ! grep -q "^FAIL " "$logs/$name.log"; then
		echo "FAIL $name (exit $rc, see $logs/$name.log)" | tee -a "$summary"
	fi
	echo "--- $name: $(($(date +%s) - t0))s"
}

build_userspace() { # O SANITIZE
	make -s -C lib O="$1" SANITIZE="$2" && make -s -C tools O="$1" SANITIZE="$2" &&
		make -s -C fio-jobs O="$1" SANITIZE="$2" &&
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

# The user-space suites after their build: unit and host tests, plain and
# under ASan/UBSan, and the checks of the scripts' own logic.
userspace_suites() {
	local variant o san fuzz
	yield_to_guests
	for variant in default asan; do
		o=$top/build/$variant san=
		[ $variant = asan ] && san=1
		# build/default is built before the lanes start (the initramfs
		# takes its pmdzero).
		[ $variant = default ] || section "build-$variant" build_userspace "$o" "$san"
		section "unit-$variant" env TEST_LOGDIR="$logs/unit-$variant" \
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/unit/run.sh "$o"
		# Under ASan the fuzz (061) generates 500 invocations, not 1000:
		# the parser's memory errors show on a few hundred, and the
		# suite is slow.
		fuzz=1000
		[ $variant = asan ] && fuzz=500
		section "host-$variant" env PMDZERO="$o/pmdzero" TEST_LOGDIR="$logs/host-$variant" \
			PMDZERO_FUZZ_COUNT="${PMDZERO_FUZZ_COUNT:-$fuzz}" \
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/host/run.sh
	done
	# The benchmark's report, on made-up data whose figures are known.
	section bench-report tests/bench/report.sh
	# make bench-upstream's report, on a made-up five-kernel run.
	section bench-upstream-report tests/bench/upstream-report.sh
	# bench-host.sh --compare (the real-machine bench), on two made-up runs.
	section bench-host-compare tests/bench/host-compare.sh
	# The Debian image's recipe: its package list and its kernel pin.
	section image-recipe tests/image/check.sh
	# make external's side-by-side report, on made-up suite output.
	section image-external-report tests/image/external-report-check.sh
	# The guest lib.sh's clock arithmetic, at the clock an RTC-less guest
	# starts at.
	section guest-lib tests/vm/guest-lib-check.sh
	# The one list of kernel log lines that fail a test, checked against
	# examples.
	section kernel-splats tests/kernel-splats-check.sh
	# The VM matrix's summary and its checks across set-ups, on made-up
	# data.
	section matrix-summary tests/vm/matrix-summary-check.sh
	# The flavour, set-up and scenario tables against the files they name,
	# and that the check catches each way they can disagree.
	section tables tests/tables-check.sh --self-test
}

# A background lane yields to the guests: a TCG guest with two vCPUs that
# shares the cores with a kernel build at the same priority ran three
# times slower than alone (the guest's lock holders are preempted), and
# the guests carry the run's timing-sensitive tests.
yield_to_guests() { renice -n 19 -p "$BASHPID" > /dev/null; }

# The kernels in the order the matrix boots them, then the series checks,
# which need no kernel of their own and so run beside the last guests.
kernel_lane() {
	local f
	yield_to_guests
	# A failed build is the matrix's FAIL vm/SETUP/kernel-build, once per
	# set-up that needed it; here it is only named.
	for f in "$@"; do
		kernel/build.sh "$f" > /dev/null 2>> "$logs/kernel-builds.txt" ||
			echo "kernel build $f failed (log: $logs/kernel-builds.txt)"
	done
	section base-pin tests/kernel/base-pin.sh
	section patch-check tests/kernel/patch-check.sh
	# The newest linux-source-6.12 apt offers: a WARNING line, not a
	# failure, when it is not the pin and the series does not take it.
	section base-check kernel/base.sh check --newest --warn
	section kernel-arm64 tests/kernel/arm64-page-sizes.sh
}

rm -f "$logs"/*.log "$logs"/*.lane "$logs/kernel-builds.txt"
echo "=== make test, tier $tier"
kernel_pid=
if [ "${TESTS_SKIP_VM:-0}" != 1 ]; then
	setups=$(tests/vm/matrix.sh --tier "$tier") || exit 2
	# Each set-up's flavour, once, in the matrix's order.
	kernels=$(tests/vm/matrix.sh --flavours $setups) || exit 2
	kernel_lane $kernels > "$logs/kernel.lane" 2>&1 &
	kernel_pid=$!
	echo "=== kernel builds ($(echo $kernels)), then the series checks, in the background (log: $logs/kernel.lane)"
fi
section build-default build_userspace "$top/build/default" ""
userspace_suites > "$logs/userspace.lane" 2>&1 &
userspace_pid=$!
echo "=== user-space suites in the background (log: $logs/userspace.lane)"

if [ -n "$kernel_pid" ]; then
	section initramfs tests/vm/mkinitramfs.sh build/vm/initramfs.cpio build/default/pmdzero
	[[ " $setups " != *" arm64 "* ]] ||
		section initramfs-arm64 tests/vm/mkinitramfs.sh --arch arm64 build/vm/initramfs-arm64.cpio
	section vm tests/vm/matrix.sh $setups
else
	skip_report kernel+vm TESTS_SKIP_VM=1 | tee -a "$summary"
fi

wait "$userspace_pid"
echo "=== user-space suites (from the background)"
cat "$logs/userspace.lane"
if [ -n "$kernel_pid" ]; then
	wait "$kernel_pid"
	echo "=== kernel builds and series checks (from the background)"
	cat "$logs/kernel-builds.txt" "$logs/kernel.lane"
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
echo "tier $tier, $(( ($(date +%s) - start) / 60 )) min"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
