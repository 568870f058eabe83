#!/bin/bash
# Run every guest test of a suite: each test is a plain script that checks
# what it needs itself and exits 0 pass, 1 fail or 77 skip (last line: the
# reason); there is no separate requires step or test body.
# PMDZERO_ONLY (pmdzero.only=) names the tests to run, comma-separated; a
# name no test has is a FAIL.  Exit status: 0 if every test it ran passed or
# skipped, 1 if one failed; anything else means the suite itself broke off
# (init puts it on the DONE line for run-vm.sh).
. /pmdzero/lib.sh || exit 3

suite=${1:-main}
dir=$PMDZERO_HOME/$suite
[ -d "$dir" ] || { result FAIL "$suite" "no such suite"; exit 1; }
failed=0
if [ -n "${PMDZERO_ONLY:-}" ]; then
	IFS=, read -r -a names <<< "$PMDZERO_ONLY"
	for n in "${names[@]}"; do
		[ -f "$dir/$n.sh" ] || { result FAIL "$suite/$n" "no such test in $suite"; failed=1; }
	done
fi
for t in "$dir"/[0-9]*.sh; do
	name=$suite/$(basename "$t" .sh)
	if [ -n "${PMDZERO_ONLY:-}" ]; then
		case ",$PMDZERO_ONLY," in *",$(basename "$t" .sh),"*) ;; *) continue ;; esac
	fi
	log=/tmp/$(basename "$t" .sh).log
	echo "pmdzero: start $name" > /dev/kmsg
	bash "$t" > "$log" 2>&1
	rc=$?
	echo "pmdzero: end $name rc=$rc" > /dev/kmsg
	# Full output goes to the console log for the record.
	sed "s|^|[$name] |" "$log" > /dev/console
	case $rc in
	0) result PASS "$name" ;;
	77) result SKIP "$name" "$(tail -n 1 "$log")" ;;
	*) result FAIL "$name" "exit $rc: $(tail -n 1 "$log")"; failed=1 ;;
	esac
done
exit $failed
