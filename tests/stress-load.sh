#!/bin/bash
# Run a command beside a CPU hog, to show that the suites do not depend on
# an idle host (issue 29: a make test beside a kernel build at nice 19
# failed where an idle machine passed).
#
#   tests/stress-load.sh [COMMAND [ARG...]]      (default: make test)
#
# The hog is stress-ng at nice 19, one CPU stressor per CPU, bounded in
# time as well (STRESS_LOAD_TIMEOUT, default 6h: stress-ng stops by itself
# even if this script is killed with SIGKILL).  It starts before the
# command and is stopped when the command ends, however it ends (exit,
# failure, ^C); then its own figures are printed: bogo ops, CPU time it
# got, share of the machine.  The command's exit status is the script's.
#
# Environment:
#   STRESS_LOAD_ARGS     stress-ng stressors (default: --cpu <CPUs>);
#                        e.g. "--cpu 2 --hdd 1" adds disk writes
#   STRESS_LOAD_NICE     the hog's nice value (default 19)
#   STRESS_LOAD_TIMEOUT  stress-ng's --timeout (default 6h)
#   STRESS_LOAD_LOG      where stress-ng's output goes (default
#                        build/stress-load.log: not in build/logs, whose
#                        *.log make test removes when it starts)
#   STRESS_LOAD_GROUP    own (default): the hog runs in its own session,
#                        so under autogroup scheduling it takes its fair
#                        share as a build from another terminal would;
#                        same: in the command's session, where nice 19
#                        leaves it only idle time
# stress-ng is installed with apt-get if it is missing (as make deps does).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cpus=$(nproc)
args=${STRESS_LOAD_ARGS:---cpu $cpus}
niceness=${STRESS_LOAD_NICE:-19}
timeout=${STRESS_LOAD_TIMEOUT:-6h}
log=${STRESS_LOAD_LOG:-$top/build/stress-load.log}
group=${STRESS_LOAD_GROUP:-own}
case $group in
own | same) ;;
*) echo "stress-load: STRESS_LOAD_GROUP must be own or same, not '$group'" >&2; exit 2 ;;
esac
[ $# -gt 0 ] || set -- "${MAKE:-make}" -C "$top" test

if ! command -v stress-ng > /dev/null; then
	echo "stress-load: installing stress-ng" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends stress-ng > /dev/null ||
		{ echo "stress-load: stress-ng is missing and apt-get could not install it" >&2; exit 2; }
fi
if ! mkdir -p "$(dirname "$log")" || ! : > "$log"; then
	echo "stress-load: cannot write $log" >&2
	exit 2
fi

hog=
# stop_hog: SIGINT to the hog's process group (stress-ng then stops its
# workers and prints its metrics), at most 60 s for it to exit, then
# SIGKILL.  Run once, from the EXIT trap.
stop_hog() {
	local wd who=
	[ -n "$hog" ] || return 0
	kill -INT -- -"$hog" 2> /dev/null
	sleep 60 &
	wd=$!
	wait -n -p who "$hog" "$wd" 2> /dev/null
	if [ "$who" != "$hog" ]; then
		echo "stress-load: timed out after 60s waiting for stress-ng to stop on SIGINT; SIGKILL" >&2
		kill -KILL -- -"$hog" 2> /dev/null
		wait "$hog" 2> /dev/null
	fi
	# SIGKILL: a just-forked bash child would run this EXIT trap on SIGTERM.
	kill -KILL "$wd" 2> /dev/null
	wait "$wd" 2> /dev/null
	hog=
}

report() {
	local rc=$1 t1
	shift
	t1=$EPOCHREALTIME
	stop_hog
	echo "stress-load: the hog, stress-ng $args at nice $niceness in $group session on $cpus CPUs ($log):"
	grep -E 'metrc:|info: .*(run time|available CPU|user time|system time|total time|load average)' "$log" |
		sed 's/^stress-ng: [a-z]*: *\[[0-9]*\] */  /'
	grep -qE 'metrc:' "$log" || echo "  (stress-ng printed no metrics: see $log)"
	echo "stress-load: '$*' ended with exit $rc after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s beside it"
}

# Its own process group, so that stop_hog reaches every stressor; stdin
# /dev/null, output to the log.  With autogroup scheduling (the kernel's
# default on desktops and on this project's machines) a session is one
# scheduling group and nice only ranks tasks within it: a hog in the
# command's session at nice 19 gets almost nothing, one in its own session
# (a build started from another terminal, as in issue 29) gets its fair
# half of the machine.  setsid, not set -m: the background child is not a
# group leader, so setsid(2) makes it one without forking, and $! stays
# stress-ng's pid.
session=()
if [ "$group" = own ]; then session=(setsid); else set -m; fi
# shellcheck disable=SC2086
nice -n "$niceness" "${session[@]}" stress-ng $args --timeout "$timeout" --metrics-brief --times \
	< /dev/null > "$log" 2>&1 &
hog=$!
set +m
t0=$EPOCHREALTIME
trap 'stop_hog' EXIT

# The hog must be running before the command starts.
for ((i = 0; i < 100; i++)); do
	grep -q 'dispatching hogs' "$log" && break
	kill -0 "$hog" 2> /dev/null || break
	sleep 0.1
done
if ! grep -q 'dispatching hogs' "$log"; then
	if kill -0 "$hog" 2> /dev/null; then
		echo "stress-load: timed out after 10s waiting for stress-ng to start" >&2
	else
		echo "stress-load: stress-ng exited at once" >&2
	fi
	tail -n 5 "$log" >&2
	exit 2
fi
echo "stress-load: stress-ng $args at nice $niceness in $([ "$group" = own ] && echo its own session || echo the command\'s session) (pid $hog$(ag=$(cat /proc/$hog/autogroup 2> /dev/null) && echo ", ${ag%% *}")), running: $*"

# In the background and waited for, so that a SIGINT or SIGTERM to this
# script is passed on to the command at once (^C at a terminal reaches
# both anyway); the figures are printed however it ended.
"$@" &
cmd=$!
trap 'kill -INT $cmd 2> /dev/null' INT
trap 'kill -TERM $cmd 2> /dev/null' TERM
# wait returns early when a trapped signal arrives: wait again until the
# command is gone.
while :; do
	wait $cmd
	rc=$?
	kill -0 $cmd 2> /dev/null || break
done
trap - INT TERM
report "$rc" "$@"
exit "$rc"
