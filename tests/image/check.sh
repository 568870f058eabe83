#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian image's recipe, without the network: tests/image/packages
# parses, pins Debian's kernel at kernel/bases' 6.12 version and names no
# package twice; the check refuses a list that breaks each rule; make
# external and make realmachine refuse bad arguments before any work; the
# unit that runs the image's automation starts the script mkimage.sh
# installs.
# One PASS/FAIL line per check.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
mk=$top/tests/image/mkimage.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS image/$1"; }
fail() { echo "FAIL image/$1: $2"; failed=1; }

if out=$("$mk" --check 2>&1); then pass recipe; else fail recipe "$out"; fi

pin=$("$top/kernel/base.sh" --base 6.12 --field version)
up=${pin%%-*}
# refuse NAME REGEX LIST-LINES: the check must fail with REGEX.
refuse() {
	printf '%s\n' "$3" > "$tmp/$1"
	if out=$(PMDZERO_IMAGE_PACKAGES=$tmp/$1 "$mk" --check 2>&1); then
		fail "refuse-$1" "accepted: $3"
	elif ! grep -Eq -- "$2" <<< "$out"; then
		fail "refuse-$1" "said '$out', not /$2/"
	else
		pass "refuse-$1"
	fi
}
refuse no-kernel "pins no Debian linux-image" "systemd
fio"
refuse other-pin "pins Debian's kernel at 6.12.1-1~deb12u1, kernel/bases' 6.12 base is $pin" \
	"linux-image-$up+deb12-amd64=6.12.1-1~deb12u1"
refuse other-name "does not carry" "linux-image-6.1.0+deb12-amd64=$pin"
refuse twice "names fio twice" "fio
linux-image-$up+deb12-amd64=$pin
fio # again"
refuse empty "lists no package" "# nothing"

# make external refuses what it cannot run before it builds anything.
ext=$top/tests/image/external.sh
mkdir -p "$tmp/blktests/src"
install -m 0755 /dev/null "$tmp/blktests/check"
install -m 0755 /dev/null "$tmp/blktests/src/loblksize"
: > "$tmp/lsmod"
# refuse_args CHECK OUT REGEX COMMAND...: COMMAND must fail saying REGEX and
# leave OUT unwritten.  Bounded, in a cache of its own: were a refusal
# lost, the command would go on to build the image.
refuse_args() {
	local check=$1 out=$2 re=$3 said
	shift 3
	if said=$(PMDZERO_CACHE=$tmp/cache timeout 60 "$@" 2>&1); then
		fail "$check" "accepted: $*"
	elif ! grep -Eq -- "$re" <<< "$said"; then
		fail "$check" "said '$said', not /$re/"
	elif [ -e "$out" ]; then
		fail "$check" "refused, but wrote $out"
	else
		pass "$check"
	fi
}
ext_refuse() { # NAME REGEX ARGS...
	local name=$1 re=$2
	shift 2
	refuse_args "external-refuse-$name" "$tmp/ext" "$re" "$ext" --lsmod "$tmp/lsmod" --outdir "$tmp/ext" "$@"
}
ext_refuse no-suite "give --blktests DIR" --jobs 2
ext_refuse unbuilt "no fstests ./check" --fstests "$tmp"
ext_refuse jobs "--jobs: a count of boots, not '0'" --blktests "$tmp/blktests" --jobs 0
ext_refuse bs "--bs: an XFS block size .*'4000'" --blktests "$tmp/blktests" --bs 4096,4000
ext_refuse blktests-timeout "--blktests-timeout: seconds, not '1m'" --blktests "$tmp/blktests" --blktests-timeout 1m
ext_refuse timeout "--timeout: seconds, not '4h'" --blktests "$tmp/blktests" --timeout 4h
ext_refuse kernel "--kernels: stock, on or off, not 'patched'" --blktests "$tmp/blktests" --kernels stock,patched

# make realmachine refuses a bad count before it builds anything.
rm_refuse() { # NAME REGEX ARGS...
	local name=$1 re=$2
	shift 2
	refuse_args "realmachine-refuse-$name" "$tmp/rm" "$re" "$top/tests/image/realmachine.sh" --outdir "$tmp/rm" "$@"
}
rm_refuse pairs "--pairs: a count of boot pairs, not '0'" --pairs 0
rm_refuse runs "--runs: a count of timed runs, not 'five'" --runs five

# The unit starts what mkimage.sh installs, and guest-run.sh parses.
exec_path=$(sed -n 's/^ExecStart=//p' "$top/tests/image/pmdzero-run.service")
if grep -q "install -m 0755 \"\$here/guest-run.sh\" \"\$root$exec_path\"" "$mk" &&
   bash -n "$top/tests/image/guest-run.sh"; then
	pass unit
else
	fail unit "pmdzero-run.service runs $exec_path, which mkimage.sh does not install from guest-run.sh"
fi
exit $failed
