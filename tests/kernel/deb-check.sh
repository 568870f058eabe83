#!/bin/bash
# kernel/deb.sh on the small configuration: installable packages of the
# patched kernel with the option on and off, whose image and config say
# what they are.  Prints PASS/FAIL lines.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0
for flavour in patched option-off; do
	option=on want='CONFIG_STATIC_PMD_ZERO_PAGE=y'
	[ $flavour = option-off ] && option=off want='# CONFIG_STATIC_PMD_ZERO_PAGE is not set'
	name=deb/$option
	if ! "$top/kernel/deb.sh" --small -o "$out/$option" $flavour > "$out/$option.log" 2>&1; then
		echo "FAIL kernel/$name (kernel/deb.sh failed: $(tail -n1 "$out/$option.log"))"
		failed=1
		continue
	fi
	image=$(ls "$out/$option"/linux-image-*-pmdzero-${option}_*.deb 2> /dev/null | grep -v -- -dbg_ | head -n1)
	if [ -z "$image" ]; then
		echo "FAIL kernel/$name (no linux-image-*-pmdzero-$option package: $(ls "$out/$option" | tr '\n' ' '))"
		failed=1
		continue
	fi
	ver=$(dpkg-deb -f "$image" Package | sed 's/^linux-image-//')
	mkdir -p "$out/x-$option"
	dpkg-deb -x "$image" "$out/x-$option"
	if [ -f "$out/x-$option/boot/vmlinuz-$ver" ] &&
	   grep -qx "$want" "$out/x-$option/boot/config-$ver"; then
		echo "PASS kernel/$name ($(basename "$image"): vmlinuz-$ver, $want)"
	else
		echo "FAIL kernel/$name ($(basename "$image") lacks boot/vmlinuz-$ver or '$want' in its config)"
		failed=1
	fi
done
exit $failed
