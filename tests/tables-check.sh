#!/bin/bash
# The tables that say what the suites build, boot and run agree with the
# files they name (issue 22: adding a flavour, a set-up, a guest test or a
# bench scenario is one file plus at most one table line):
#   kernel/flavours       every line reads (kernel/build.sh --checks), its
#                         fragments exist, some set-up boots it
#   tests/vm/setups       every line reads (tests/vm/matrix.sh --flavours:
#                         its flavour a line of kernel/flavours), its
#                         tests exist in its suite, its tiers are quick or
#                         full, no name twice
#   tests/vm/guest/{main,stress}/NNN-*.sh
#                         every test runs in some set-up of tier full and
#                         says what it checks (# DESCRIPTION:)
#   fio-jobs/scenarios/NNN-*.sh
#                         every scenario says which boot it needs
#                         (# BOOT: cost|wall) and what it measures
#                         (# DESCRIPTION:)
#
#   tests/tables-check.sh [ROOT]      check ROOT's tables (default: this tree)
#   tests/tables-check.sh --self-test  also break copies of them, one way at
#                                      a time, and fail unless each is caught
# Prints PASS/FAIL lines; exit status 1 if anything failed.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

# check ROOT: the problems in ROOT's tables, one line each, on stdout.
check() {
	local root=$1 flavour setup row field tiers tests t suite f
	local -A flavours=() booted=() ran=() seen=()
	for flavour in $(awk '!/^#/ && NF { print $1 }' "$root/kernel/flavours"); do
		[ -z "${flavours[$flavour]+set}" ] || echo "kernel/flavours: $flavour twice"
		flavours[$flavour]=1
		"$root/kernel/build.sh" --checks "$flavour" > /dev/null 2> "$root/.err" ||
			echo "kernel/flavours: $flavour: $(tail -n 1 "$root/.err")"
	done
	for setup in $(awk '!/^#/ && NF { print $1 }' "$root/tests/vm/setups"); do
		[ -z "${seen[$setup]+set}" ] || echo "tests/vm/setups: $setup twice"
		seen[$setup]=1
		if ! flavour=$(VM_ONLY='' "$root/tests/vm/matrix.sh" --flavours "$setup" 2> "$root/.err"); then
			echo "tests/vm/setups: $setup: $(tail -n 1 "$root/.err")"
			continue
		fi
		booted[$flavour]=1
		row=$(awk -v s="$setup" '!/^#/ && $1 == s { $1 = ""; print; exit }' "$root/tests/vm/setups")
		suite=main tiers='' tests=''
		for field in $row; do
			case $field in
			suite=*) suite=${field#*=} ;;
			tiers=*) tiers=${field#*=} ;;
			tests=*) tests=${field#*=} ;;
			esac
		done
		for t in ${tiers//,/ }; do
			case $t in quick|full) ;; *) echo "tests/vm/setups: $setup: no tier '$t' (quick, full)" ;; esac
		done
		if [ -z "$tests" ]; then
			tests=$(cd "$root/tests/vm/guest/$suite" && ls [0-9]*.sh 2> /dev/null | sed 's/\.sh$//' | paste -sd,)
		fi
		for t in ${tests//,/ }; do
			[ -f "$root/tests/vm/guest/$suite/$t.sh" ] ||
				echo "tests/vm/setups: $setup: no test $t in tests/vm/guest/$suite"
			[[ ,$tiers, == *,full,* ]] && ran[$suite/$t]=1
		done
	done
	for flavour in "${!flavours[@]}"; do
		[ -n "${booted[$flavour]+set}" ] || echo "kernel/flavours: $flavour: no set-up in tests/vm/setups boots it"
	done
	for f in "$root"/tests/vm/guest/{main,stress}/[0-9]*.sh; do
		t=${f#"$root"/tests/vm/guest/}
		t=${t%.sh}
		[ -n "${ran[$t]+set}" ] || echo "tests/vm/guest/$t.sh: no set-up of tier full runs it"
		grep -q '^# DESCRIPTION: ' "$f" || echo "tests/vm/guest/$t.sh: no '# DESCRIPTION:' line"
	done
	for f in "$root"/fio-jobs/scenarios/[0-9]*.sh; do
		case $(sed -n 's/^# BOOT: *//p' "$f") in
		cost|wall) ;;
		*) echo "fio-jobs/scenarios/${f##*/}: no '# BOOT: cost' or '# BOOT: wall' line" ;;
		esac
		grep -q '^# DESCRIPTION: ' "$f" || echo "fio-jobs/scenarios/${f##*/}: no '# DESCRIPTION:' line"
	done
	rm -f "$root/.err"
}

failed=0
root=$here self_test=0
case ${1:-} in
--self-test) self_test=1 ;;
'') ;;
*) root=$(cd "$1" && pwd) || exit 2 ;;
esac

problems=$(check "$root")
if [ -z "$problems" ]; then
	echo "PASS tables/agree"
else
	echo "FAIL tables/agree:"
	sed 's/^/  /' <<< "$problems"
	failed=1
fi

if [ $self_test = 1 ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# copy: the files the check reads, in a fresh tree.
	copy() {
		rm -rf "$tmp/t"
		mkdir -p "$tmp/t"
		(cd "$here" && cp -r --parents Kconfig.fragment kernel/build.sh kernel/base.sh kernel/bases kernel/flavours kernel/configs \
			tests/vm/matrix.sh tests/vm/setups tests/vm/disks.sh tests/vm/guest/main tests/vm/guest/stress \
			fio-jobs/scenarios "$tmp/t")
	}
	# broken NAME EXPECTED EDIT...: after EDIT (run in the copy), the
	# check must name EXPECTED.
	broken() {
		local name=$1 expected=$2 out
		shift 2
		copy
		(cd "$tmp/t" && eval "$*")
		out=$(check "$tmp/t")
		if grep -qF -- "$expected" <<< "$out"; then
			echo "PASS tables/catches-$name"
		else
			echo "FAIL tables/catches-$name: wanted '$expected', got: ${out:-nothing}"
			failed=1
		fi
	}
	broken unknown-flavour "tests/vm/setups: patched-384m: kernel/build.sh: no flavour 'nope' in kernel/flavours" \
		"sed -i 's/^\(patched-384m *\)flavour=patched/\1flavour=nope/' tests/vm/setups"
	broken missing-test "stock: no test 999-gone in tests/vm/guest/stress" \
		"sed -i 's/^\(stress-stock .*tests=\)/\1999-gone,/' tests/vm/setups"
	broken unknown-key "cannot read 'memory=2G'" \
		"sed -i 's/^\(patched-thp-never .*\)mem=2G/\1memory=2G/' tests/vm/setups"
	broken unknown-tier "no tier 'nightly'" \
		"sed -i 's/^\(stock  *.*\)tiers=quick,full/\1tiers=nightly/' tests/vm/setups"
	# The set-ups that run a whole suite would run it: without them.
	broken orphan-test "tests/vm/guest/main/099-orphan.sh: no set-up of tier full runs it" \
		"printf '#!/bin/sh\n' > tests/vm/guest/main/099-orphan.sh &&
		sed -i '/^[a-z]/{/tests=\|suite=stress/!d}' tests/vm/setups"
	broken unbooted-flavour "kernel/flavours: lonely: no set-up" \
		"echo lonely > kernel/flavours.new && cat kernel/flavours.new >> kernel/flavours"
	broken missing-fragment "no kernel/configs/gone.fragment" \
		"sed -i 's/^\(option-off .*\)fragment=option-off/\1fragment=gone/' kernel/flavours"
	broken unknown-base "mainline: no base '9.9' in kernel/bases" \
		"sed -i 's/^\(mainline .*\)base=7.2/\1base=9.9/' kernel/flavours"
	broken scenario-boot "040-kill-latency.sh: no '# BOOT: cost' or '# BOOT: wall' line" \
		"sed -i '/^# BOOT:/d' fio-jobs/scenarios/040-kill-latency.sh"
	broken test-description "tests/vm/guest/stress/030-exit-in-flight.sh: no '# DESCRIPTION:' line" \
		"sed -i 's/^# DESCRIPTION: /# /' tests/vm/guest/stress/030-exit-in-flight.sh"
	broken set-up-twice "tests/vm/setups: stock twice" \
		"grep '^stock ' tests/vm/setups > stock.line && cat stock.line >> tests/vm/setups"
fi
exit $failed
