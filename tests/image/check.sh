#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian image's recipe, without the network: tests/image/packages
# parses, pins Debian's kernel at kernel/bases' 6.12 version and names no
# package twice; the check refuses a list that breaks each rule; the unit
# that runs the image's automation starts the script mkimage.sh installs.
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

# The unit starts what mkimage.sh installs, and guest-run.sh parses.
exec_path=$(sed -n 's/^ExecStart=//p' "$top/tests/image/pmdzero-run.service")
if grep -q "install -m 0755 \"\$here/guest-run.sh\" \"\$root$exec_path\"" "$mk" &&
   bash -n "$top/tests/image/guest-run.sh"; then
	pass unit
else
	fail unit "pmdzero-run.service runs $exec_path, which mkimage.sh does not install from guest-run.sh"
fi
exit $failed
