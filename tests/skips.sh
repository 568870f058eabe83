# shellcheck shell=bash
# The skip allowlist, tests/expected-skips (its header says the format), for
# tests/test-loop.sh, tests/run.sh and tests/vm/run-vm.sh.  Source it, then
#
#   skip_report TEST REASON   print the line for a test that skipped: "SKIP
#                             TEST: REASON" if an entry allows it here;
#                             otherwise "FAIL TEST (skipped, not in
#                             tests/expected-skips: REASON)" when strict,
#                             else the SKIP line marked as not allowed.
#                             Sets skip_verdict to allowed, unlisted or
#                             failed; returns 1 only for failed.
#
# Strict: CI=true, or PMDZERO_STRICT_SKIPS=1 (PMDZERO_STRICT_SKIPS=0 turns
# it off under CI).  EXPECTED_SKIPS names another allowlist file.

# shellcheck disable=SC2034 # read by the callers
skip_verdict=
_skips_file=${EXPECTED_SKIPS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/expected-skips}

skips_strict() {
	case ${PMDZERO_STRICT_SKIPS:-} in
	1) return 0 ;;
	0) return 1 ;;
	esac
	[[ ${CI:-} == true ]]
}

# _skip_env_ok ENVIRONMENT: the run is in that environment.
_skip_env_ok() {
	local var
	case $1 in
	any) return 0 ;;
	root) [[ $EUID -eq 0 ]] ;;
	nonroot) [[ $EUID -ne 0 ]] ;;
	*=*)
		var=${1%%=*}
		[[ $var =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || return 1
		[[ ${!var-} == "${1#*=}" ]]
		;;
	*) return 1 ;;
	esac
}

# skip_allowed TEST REASON: an entry of the allowlist allows this skip here.
skip_allowed() {
	local id=$1 reason=$2 glob env re
	[[ -r $_skips_file ]] || return 1
	while read -r glob env re; do
		case $glob in ''|'#'*) continue ;; esac
		# shellcheck disable=SC2053
		[[ $id == $glob ]] || continue
		_skip_env_ok "$env" || continue
		[[ $reason =~ $re ]] && return 0
	done < "$_skips_file"
	return 1
}

skip_report() {
	local id=$1 reason=$2
	if skip_allowed "$id" "$reason"; then
		skip_verdict=allowed
		echo "SKIP $id: $reason"
	elif skips_strict; then
		skip_verdict=failed
		echo "FAIL $id (skipped, not in tests/expected-skips: $reason)"
		return 1
	else
		skip_verdict=unlisted
		echo "SKIP $id: $reason (not in tests/expected-skips: a FAIL under CI=true)"
	fi
	return 0
}
