#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/kernel-splats, checked: every expression matches its example line,
# the joined expression matches every example and none of the lines a
# healthy boot of ours prints, and no reader keeps a list of its own (the
# host runner, run-vm.sh and the guest's lib.sh read the file through
# kernel-splats.sh).  One PASS/FAIL line per check, exit 1 if any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
list=$here/kernel-splats
. "$here/kernel-splats.sh"
failed=0
pass() { echo "PASS kernel-splats/$1"; }
flunk() { echo "FAIL kernel-splats/$1: $2"; failed=1; }

all=$(kernel_splat_re "$list") || { flunk read "no expressions"; exit 1; }
n=0
while IFS=$'\t' read -r re example; do
	[[ -z $re || $re == \#* ]] && continue
	n=$((n + 1))
	if [[ -z $example ]]; then
		flunk "line-$n" "'$re' has no example line"
	elif ! grep -Eq -- "$re" <<< "$example"; then
		flunk "line-$n" "'$re' does not match its example '$example'"
	elif ! grep -Eq -- "$all" <<< "$example"; then
		flunk "line-$n" "the joined expression misses '$example'"
	fi
done < "$list"
[ $failed = 0 ] && pass "examples ($n expressions, each matching its line)"

# Lines a healthy boot prints (x86_64 and arm64 guests, debug kernels).
healthy='static PMD zero folio: 2048 KiB
static PMD zero folio not allocated: THP disabled at boot
kmemleak: Kernel memory leak detector initialized (mem pool available: 15970)
kmemleak: Automatic memory scanning thread started
rcu: Hierarchical RCU implementation.
rcu: 	RCU restricting CPUs from NR_CPUS=64 to nr_cpu_ids=1.
Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar
kasan: KernelAddressSanitizer initialized
null_blk: disk kunit0 created
NMI watchdog: Perf NMI watchdog permanently disabled
pmdzero: start main/001-kunit'
bad=$(grep -E -- "$all" <<< "$healthy")
if [ -n "$bad" ]; then
	flunk healthy "matches a healthy line: $(head -n1 <<< "$bad")"
else
	pass healthy
fi

# One list: no reader spells its own.
for f in tests/test-loop.sh tests/vm/run-vm.sh tests/vm/guest/lib.sh; do
	if grep -q "Oops|general protection" "$here/../$f"; then
		flunk "one-list-$(basename "$f")" "$f keeps its own copy of the expressions"
	elif ! grep -q kernel_splat_re "$here/../$f"; then
		flunk "one-list-$(basename "$f")" "$f does not read tests/kernel-splats"
	else
		pass "one-list-$(basename "$f")"
	fi
done
exit $failed
