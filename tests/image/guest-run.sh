#!/bin/bash
# Inside the Debian image, at boot (pmdzero-run.service): what the kernel
# command line's pmdzero.run=WHAT asks, its files written as a tar archive
# to the disk with serial "results" (tests/image/boot.sh unpacks it).
#
#   boot    what the boot was: uname, command line, dmesg, lsmod, the
#           systemd units that failed, the boot's timing, meminfo
#   bench   boot, then fio-jobs/bench-host.sh on the QEMU NVMe disk with
#           serial "pmdzero" (the zero-page path: no Write Zeroes), labelled
#           with pmdzero.label=NAME; pmdzero.bench="ARGS" (spaces as commas)
#           adds bench-host options
#   external
#           boot, then upstream's suites from /opt (make external copies
#           the built checkouts there): blktests' pmdzero.blktests=TESTS
#           (groups or tests, commas for spaces) with TEST_DEVS the disk
#           with serial "blk1" and the nvme tests over the loop transport,
#           pmdzero.blktests_timeout=SECS its TIMEOUT (0 or none: unset);
#           fstests' pmdzero.fstests=ARGS (./check's arguments, commas for
#           spaces) on XFS with each block size of pmdzero.fstests_bs
#           (commas), TEST_DEV and SCRATCH_DEV the disks "fst-test" and
#           "fst-scratch".  Their logs and results directories go back.
#           pmdzero.suite_timeout=SECS bounds each ./check (timeout(1),
#           status 124), so that a suite that overruns still hands back
#           what it ran before the boot's own limit ends the guest.
#
# Its status is the file "status" of the archive; its output goes to the
# console.
set -uo pipefail

out=/run/pmdzero-results
results=/dev/disk/by-id/virtio-results
say() { echo "pmdzero-run: $*"; }
param() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^pmdzero\.$1=//p" | tail -n1; }

rm -rf "$out"
mkdir -p "$out"
what=$(param run)

collect_boot() {
	uname -r > "$out/uname"
	cat /proc/cmdline > "$out/cmdline"
	dmesg > "$out/dmesg"
	lsmod > "$out/lsmod"
	cat /proc/meminfo > "$out/meminfo"
	systemctl --failed --no-legend --plain > "$out/failed-units" 2>&1
	# systemd-analyze has no figure before boot ends, and this unit is
	# part of the boot: the uptime when multi-user.target was reached.
	journalctl -b -o short-monotonic --no-pager 2> /dev/null |
		grep -m1 'Reached target multi-user.target' > "$out/multi-user-reached"
	dpkg-query -W > "$out/packages.txt"
	lsblk -o NAME,SIZE,MODEL,SERIAL,TYPE > "$out/lsblk" 2>&1
}

# disk_by_serial SERIAL: the whole disk whose serial it is.
disk_by_serial() {
	lsblk -dnpo NAME,SERIAL | awk -v s="$1" '$2 == s { print $1; exit }'
}

# bounded CMD...: CMD under pmdzero.suite_timeout, if the boot has one.
bounded() {
	local secs
	secs=$(param suite_timeout)
	if [ "${secs:-0}" = 0 ]; then
		"$@"
	else
		timeout -k 60 "$secs" "$@"
	fi
}

rc=0
case $what in
boot)
	collect_boot
	;;
bench)
	collect_boot
	dev=$(disk_by_serial pmdzero)
	label=$(param label)
	if [ -z "$dev" ]; then
		say "no disk with serial 'pmdzero'"
		rc=1
	else
		# shellcheck disable=SC2046 # the options, split at the commas
		/usr/local/lib/pmdzero-image/bench-host --outdir "$out/bench" --label "${label:-$(uname -r)}" \
			$(param bench | tr ',' ' ') "$dev" 2>&1 | tee "$out/bench.log"
		rc=${PIPESTATUS[0]}
	fi
	;;
external)
	collect_boot
	tests=$(param blktests | tr ',' ' ')
	if [ -n "$tests" ]; then
		dev=$(disk_by_serial blk1)
		[ -n "$dev" ] || { say "no disk with serial 'blk1' for blktests"; rc=1; }
		[ -x /opt/blktests/check ] || { say "no /opt/blktests/check"; rc=1; }
		if [ $rc = 0 ]; then
			printf 'TEST_DEVS=(%s)\nnvme_trtype=loop\n' "$dev" > /opt/blktests/config
			# blktests' own bound on its timed tests' fio runs.
			btimeout=$(param blktests_timeout)
			[ "${btimeout:-0}" = 0 ] || echo "TIMEOUT=$btimeout" >> /opt/blktests/config
			cp /opt/blktests/config "$out/blktests.config"
			say "blktests: ./check $tests on $dev"
			# On the root disk, not /run: the nvme tests' backing files
			# (1 GiB) do not fit a tmpfs of a tenth of memory.
			rm -rf /var/tmp/blktests-results
			# shellcheck disable=SC2086 # the tests, split
			(cd /opt/blktests && bounded ./check --output /var/tmp/blktests-results $tests) \
				> "$out/blktests.log" 2>&1
			echo "$?" > "$out/blktests.status"
			rm -rf /var/tmp/blktests-results/tmpdir.*
			cp -a /var/tmp/blktests-results "$out/blktests-results"
		fi
	fi
	args=$(param fstests | tr ',' ' ')
	if [ -n "$args" ]; then
		test_dev=$(disk_by_serial fst-test) scratch_dev=$(disk_by_serial fst-scratch)
		[ -n "$test_dev" ] && [ -n "$scratch_dev" ] || { say "no fst-test or fst-scratch disk"; rc=1; }
		[ -x /opt/fstests/check ] || { say "no /opt/fstests/check"; rc=1; }
		mkdir -p /mnt/test /mnt/scratch
		for bs in $(param fstests_bs | tr ',' ' '); do
			[ $rc = 0 ] || break
			mkfs.xfs -q -f -b size="$bs" "$test_dev" > "$out/fstests-$bs.mkfs" 2>&1 ||
				{ say "mkfs.xfs -b size=$bs failed"; rc=1; break; }
			cat > /opt/fstests/local.config <<-EOF
			export FSTYP=xfs
			export TEST_DEV=$test_dev
			export TEST_DIR=/mnt/test
			export SCRATCH_DEV=$scratch_dev
			export SCRATCH_MNT=/mnt/scratch
			export MKFS_OPTIONS="-b size=$bs"
			export RESULT_BASE=$out/fstests-$bs-results
			EOF
			cp /opt/fstests/local.config "$out/fstests-$bs.config"
			say "fstests: ./check $args on XFS, $bs-byte blocks"
			# shellcheck disable=SC2086 # check's arguments, split
			(cd /opt/fstests && bounded ./check $args) > "$out/fstests-$bs.log" 2>&1
			echo "$?" > "$out/fstests-$bs.status"
			umount /mnt/test /mnt/scratch 2> /dev/null
		done
	fi
	dmesg > "$out/dmesg-after"
	;;
*)
	say "pmdzero.run='$what': boot, bench or external"
	rc=2
	;;
esac
echo "$rc" > "$out/status"
say "done: $what, status $rc"
if [ -b "$results" ]; then
	tar -C "$out" -cf "$results" . && sync
else
	say "no results disk ($results): nothing handed back"
fi
exit 0
