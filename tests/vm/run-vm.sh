#!/bin/bash
# Boot one guest kernel under QEMU and run a guest suite in it.
#
#   tests/vm/run-vm.sh --kernel DIR --label NAME --expect large|small
#                      --initrd FILE [--suite main] [--append "ARGS"]
#                      [--only t1,t2] [--logdir DIR] [--timeout SECONDS]
#                      [--icount] [-- EXTRA QEMU ARGS]
#
# The architecture follows the kernel: bzImage boots under
# qemu-system-x86_64 (q35), Image under qemu-system-aarch64 (virt, TCG,
# results on a virtio console).
#
# --icount: one CPU under TCG with -icount shift=0,sleep=off, so that guest
# time advances one nanosecond per guest instruction and idle time is
# skipped: a time taken in the guest is then an instruction count, which
# other load on the host does not change.  For cost measurements.
#
# Prints one line per guest test (PASS/FAIL/SKIP vm/NAME/TEST), plus a
# "splat" test that fails on any WARN, BUG, Oops, KASAN or lockdep report in
# the guest's console log.  Exit status 0 only if nothing failed.  DATA lines
# from the guest are written to LOGDIR/NAME.data.
#
# The tests expected are those --only names, or else every test of the
# suite (tests/vm/guest/SUITE/[0-9]*.sh; fio-jobs/scenarios for bench):
# each must report exactly one result, and the guest's run-suite.sh must
# exit 0 (init passes its status on the DONE line).  A test that reported
# nothing, a name no test has, a result nobody expected, a guest that ended
# early: each is a FAIL.  A SKIP that tests/expected-skips does not allow
# is a FAIL under CI=true (tests/skips.sh).  Then one line,
#   vm/NAME: E expected, R ran, P passed, A skipped as allowed, F failed, M missing
# also written to LOGDIR/NAME.tally for tests/vm/matrix.sh's table.
set -euo pipefail

kernel= label= expect= initrd= suite=main append= only= timeout=600 icount=0
logdir=${TEST_LOGDIR:-$(pwd)/build/logs}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--label) label=$2; shift 2 ;;
	--expect) expect=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--suite) suite=$2; shift 2 ;;
	--append) append+="${append:+ }$2"; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--logdir) logdir=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--) shift; break ;;
	*) echo "run-vm.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ -f "$kernel/bzImage" ]; then
	arch=x86_64 image=$kernel/bzImage
elif [ -f "$kernel/Image" ]; then
	arch=arm64 image=$kernel/Image
else
	echo "run-vm.sh: no bzImage or Image in '$kernel'" >&2
	exit 2
fi
[ $arch = x86_64 ] || [ $icount = 0 ] || { echo "run-vm.sh: --icount is for x86_64 guests" >&2; exit 2; }
[ -f "$initrd" ] || { echo "run-vm.sh: no initramfs '$initrd'" >&2; exit 2; }
[ -n "$label" ] && [ -n "$expect" ] || { echo "run-vm.sh: --label and --expect are required" >&2; exit 2; }

# The suite's tests, as the guest has them (tests/vm/mkinitramfs.sh copies
# tests/vm/guest as /pmdzero and fio-jobs/scenarios as /pmdzero/bench).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../skips.sh"
if [ "$suite" = bench ]; then
	suite_dir=$here/../../fio-jobs/scenarios
else
	suite_dir=$here/guest/$suite
fi
suite_dir=$(cd "$suite_dir" 2>/dev/null && pwd -P) ||
	{ echo "run-vm.sh: no suite '$suite' (tests/vm/guest/$suite)" >&2; exit 2; }
suite_tests=()
for t in "$suite_dir"/[0-9]*.sh; do
	[ -f "$t" ] && suite_tests+=("$(basename "$t" .sh)")
done

mkdir -p "$logdir"
console=$logdir/$label.console.log
results=$logdir/$label.results.log
rm -f "$console" "$results" "$logdir/$label.tally"

# TCG unless KVM really works (tests/vm/pick-accel.sh; PMDZERO_VM_ACCEL
# forces it).  -cpu max under TCG emulates every feature QEMU knows; under
# KVM the host's CPU is what the guest gets.
if [ $icount = 1 ]; then
	# Instruction counting needs TCG and one vCPU.
	accel=tcg cpu=max
	cpus=(-smp 1 -icount shift=0,sleep=off)
elif [ $arch = arm64 ]; then
	# An arm64 guest on this host is always emulated.  A Cortex-A57
	# (ARMv8.0): -cpu max would add pointer authentication, which TCG
	# emulates slowly, and nothing here needs it.
	accel=tcg cpu=cortex-a57
	cpus=(-smp 2)
else
	accel=$("$(dirname "$0")/pick-accel.sh" "$kernel") || exit 2
	cpu=max
	[ "$accel" = kvm ] && cpu=host
	cpus=(-smp 2)
fi
if [ $arch = arm64 ]; then
	cmdline="console=ttyAMA0 pmdzero.results=hvc0"
else
	cmdline="console=ttyS0"
fi
cmdline+=" panic=-1 oops=panic null_blk.nr_devices=0 pmdzero.suite=$suite"
cmdline+=" pmdzero.kernel=$label pmdzero.expect=$expect"
[ -n "$only" ] && cmdline+=" pmdzero.only=$only"
[ -n "$append" ] && cmdline+=" $append"

# The kernel's modules, if it has any, as a second archive after ours.
if [ -f "$kernel/modules.cpio" ]; then
	cat "$initrd" "$kernel/modules.cpio" > "$logdir/$label.initrd.cpio"
	initrd=$logdir/$label.initrd.cpio
fi

start=$(date +%s)
set +e
if [ $arch = arm64 ]; then
	qemu=(qemu-system-aarch64 -machine virt,accel=$accel
		-device virtio-serial-device -chardev "file,id=results,path=$results"
		-device virtconsole,chardev=results)
else
	qemu=(qemu-system-x86_64 -machine q35,accel=$accel -serial "file:$results")
fi
timeout --foreground "$timeout" "${qemu[0]}" -serial "file:$console" "${qemu[@]:1}" \
	-cpu $cpu "${cpus[@]}" -m "${PMDZERO_VM_MEM:-3G}" \
	-nographic -no-reboot -monitor none \
	-kernel "$image" -initrd "$initrd" -append "$cmdline" \
	"$@" > "$logdir/$label.qemu.log" 2>&1
qrc=$?
set -e
rm -f "$logdir/$label.initrd.cpio"
secs=$(( $(date +%s) - start ))
# The arm64 guest's virtio console ends its lines with CR LF.
[ -f "$results" ] && sed -i 's/\r$//' "$results"

failed=0
# (No DONE line is the case to report, not a reason for set -e to end
# the script without a word: pipefail makes grep's 1 the pipeline's.)
done_line=$(grep '^@@PMDZERO DONE' "$results" 2>/dev/null | tail -n 1 || true)
if [ -z "$done_line" ]; then
	echo "FAIL vm/$label/boot: the guest did not finish (qemu exit $qrc after ${secs}s; see $console)"
	tail -n 20 "$console" 2>/dev/null | sed 's/^/    /'
	failed=1
fi
# What the guest reported, test by test, against what it had to run.
declare -A status=() is_test=()
expected=()
for t in "${suite_tests[@]}"; do is_test[$t]=1; done
if [ -n "$only" ]; then
	IFS=, read -r -a expected <<< "$only"
else
	expected=("${suite_tests[@]}")
fi
ran=0 passed=0 allowed=0 tfailed=0 missing=0
while read -r tag kind st name reason; do
	[ "$tag $kind" = "@@PMDZERO RESULT" ] || continue
	t=${name#*/}
	ran=$((ran + 1))
	if [ -n "${status[$t]:-}" ]; then
		echo "FAIL vm/$label/$t (reported twice: ${status[$t]}, then $st)"
		failed=1 tfailed=$((tfailed + 1))
		continue
	fi
	status[$t]=$st
	if [[ " ${expected[*]} " != *" $t "* ]]; then
		echo "FAIL vm/$label/$t ($st, but not a test this boot was to run: ${reason:-no reason})"
		failed=1 tfailed=$((tfailed + 1))
		continue
	fi
	case $st in
	PASS) echo "PASS vm/$label/$t"; passed=$((passed + 1)) ;;
	SKIP)
		if skip_report "vm/$label/$t" "$reason"; then
			[ "$skip_verdict" = allowed ] && allowed=$((allowed + 1))
		else
			failed=1 tfailed=$((tfailed + 1))
		fi
		;;
	*) echo "FAIL vm/$label/$t ($reason)"; failed=1 tfailed=$((tfailed + 1)) ;;
	esac
done < <(cat "$results" 2>/dev/null)
for t in "${expected[@]}"; do
	[ -z "${status[$t]:-}" ] || continue
	missing=$((missing + 1)) failed=1
	if [ -z "${is_test[$t]:-}" ]; then
		echo "FAIL vm/$label/$t (no such test in ${suite_dir#"$(cd "$here/../.." && pwd -P)/"})"
	else
		echo "FAIL vm/$label/$t (no result: the guest never ran it)"
	fi
done
# run-suite.sh's exit status: non-zero with no failed test to show for it
# means the suite itself broke (lib.sh died, a test file would not run).
if [ -n "$done_line" ]; then
	rc=$(sed -n 's/^@@PMDZERO DONE rc=\([0-9]*\)$/\1/p' <<< "$done_line")
	if [ -z "$rc" ]; then
		echo "FAIL vm/$label/run-suite (the guest's DONE line has no exit status: '$done_line'; an old initramfs? make initramfs)"
		failed=1
	elif [ "$rc" != 0 ] && [ $tfailed = 0 ]; then
		echo "FAIL vm/$label/run-suite (run-suite.sh exited $rc with no failed test; see $console)"
		failed=1
	fi
fi
tally="vm/$label: ${#expected[@]} expected, $ran ran, $passed passed, $allowed skipped as allowed, $tfailed failed, $missing missing"
echo "$tally"
echo "$tally" > "$logdir/$label.tally"
sed -n 's/^@@PMDZERO DATA //p' "$results" > "$logdir/$label.data" 2>/dev/null || true

# Any kernel complaint fails the run, whatever the tests said.
. "$here/../kernel-splats.sh"
splat=$(kernel_splat_re "$here/../kernel-splats") || exit 2
# A warning block that tests/vm/known-warnings names (a base-kernel bug, not
# the series') is taken out first, and counted: only on the set-ups its entry
# names, and no more times than it allows there.  An entry that must show
# (COUNT M-N with M > 0) and showed fewer times is written to .missing.
awk -v label="$label" -v known_file="$here/known-warnings" -v count="$logdir/$label.known-warnings" \
	-v missing="$logdir/$label.known-warnings.missing" '
	BEGIN {
		printf "" > missing
		must = 0
		while ((getline line < known_file) > 0) {
			if (line ~ /^(#|[ \t]*$)/) continue
			split(line, f, /[ \t]+/)
			if (index("," f[1] ",", "," label ",") == 0) continue
			re = line; sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", re)
			k++; kre[k] = re; kused[k] = 0
			if (f[2] ~ /^[0-9]+-[0-9]+$/) { split(f[2], mm, "-"); kmin[k] = mm[1] + 0; kmax[k] = mm[2] + 0; must += kmin[k] > 0 }
			else { kmin[k] = 0; kmax[k] = f[2] + 0 }
		}
	}
	/-+\[ cut here \]-+/ { inblock = 1; block = ""; hit = 0 }
	inblock { block = block NR ":" $0 "\n"
		for (i = 1; !hit && i <= k; i++) if (kused[i] < kmax[i] && $0 ~ kre[i]) hit = i
		if ($0 ~ /---\[ end trace/) { inblock = 0; if (hit) { kused[hit]++; n++ } else printf "%s", block }
		next }
	{ print NR ":" $0 }
	END {
		if (inblock) printf "%s", block
		print n + 0 > count
		print must + 0 > (count ".must")
		for (i = 1; i <= k; i++)
			if (kused[i] < kmin[i])
				printf "%s: %d time(s), at least %d expected\n", kre[i], kused[i], kmin[i] > missing
	}' "$console" 2>/dev/null |
	grep -E "$splat" > "$logdir/$label.splats" || true
dropped=$(cat "$logdir/$label.known-warnings" 2>/dev/null || echo 0)
# A base-kernel warning this set-up exists to show must have shown: the
# exemption elsewhere rests on it.
if [ -s "$logdir/$label.known-warnings.missing" ] && [ -n "${PMDZERO_VM_PARTIAL:-}" ]; then
	echo "vm/$label: known-warnings-shown not checked: only part of the set-up ran (VM_ONLY)"
elif [ -s "$logdir/$label.known-warnings.missing" ]; then
	echo "FAIL vm/$label/known-warnings-shown ($(head -n1 "$logdir/$label.known-warnings.missing"))"
	failed=1
elif [ "$(cat "$logdir/$label.known-warnings.must" 2> /dev/null)" -gt 0 ] 2> /dev/null; then
	echo "PASS vm/$label/known-warnings-shown ($dropped base-kernel warning(s) that must show here, shown)"
fi
if [ -s "$logdir/$label.splats" ]; then
	echo "FAIL vm/$label/no-splat ($(wc -l < "$logdir/$label.splats") lines, first: $(head -n1 "$logdir/$label.splats"))"
	failed=1
elif [ "$dropped" != 0 ]; then
	echo "PASS vm/$label/no-splat ($dropped known base-kernel warning(s) of tests/vm/known-warnings set aside)"
else
	echo "PASS vm/$label/no-splat"
fi
echo "vm: $label booted and ran in ${secs}s under ${accel^^}${cpus[2]:+ (${cpus[2]} ${cpus[3]})} (logs: $logdir/$label.*)" >&2
exit $failed
