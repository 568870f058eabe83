# shellcheck shell=bash
# kernel_splat_re FILE: print the expressions of FILE (tests/kernel-splats:
# REGEX<tab>EXAMPLE lines, # comments) joined into one grep -E expression.
# Sourced by tests/test-loop.sh and tests/vm/run-vm.sh, and in the guest by
# lib.sh (as /pmdzero/kernel-splats.sh): one list, read the same way.
kernel_splat_re() {
	local re out=
	while IFS=$'\t' read -r re _; do
		[[ -z $re || $re == \#* ]] && continue
		out+=${out:+|}$re
	done < "$1"
	[[ -n $out ]] || { echo "kernel_splat_re: no expressions in $1" >&2; return 1; }
	printf '%s\n' "$out"
}
