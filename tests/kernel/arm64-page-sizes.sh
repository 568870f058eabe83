#!/bin/bash
# arm64 offers STATIC_PMD_ZERO_PAGE with 4K pages only: with 16K and 64K
# pages a PMD maps 32 MiB and 512 MiB, far too much to pin for zeroing.
# Configures (no build) the patched tree for each page size, asking for THP
# and the option, and checks what Kconfig made of it.  PASS/FAIL lines.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
read -r src obj < <("$top/kernel/build.sh" --where arm64) || { echo "FAIL kernel/arm64-page-sizes (no source tree)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for size in 4K 16K 64K; do
	o=$work/$size
	mkdir -p "$o"
	printf 'CONFIG_ARM64_%s_PAGES=y\nCONFIG_TRANSPARENT_HUGEPAGE=y\nCONFIG_STATIC_PMD_ZERO_PAGE=y\n' "$size" > "$o/page.fragment"
	make -C "$src" O="$o" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -s tinyconfig > /dev/null 2>&1 &&
		(cd "$o" && "$src/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$o/page.fragment" > /dev/null 2>&1) &&
		make -C "$src" O="$o" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -s olddefconfig > /dev/null 2>&1 ||
		{ echo "FAIL kernel/arm64-$size-pages: configuring failed"; failed=1; continue; }
	got=$(grep -E '^(CONFIG_STATIC_PMD_ZERO_PAGE=|# CONFIG_STATIC_PMD_ZERO_PAGE is not set)' "$o/.config" || echo absent)
	if ! grep -q "^CONFIG_ARM64_${size}_PAGES=y" "$o/.config" || ! grep -q '^CONFIG_TRANSPARENT_HUGEPAGE=y' "$o/.config"; then
		echo "FAIL kernel/arm64-$size-pages: could not configure $size pages with THP"
		failed=1
	elif [ $size = 4K ] && [ "$got" != CONFIG_STATIC_PMD_ZERO_PAGE=y ]; then
		echo "FAIL kernel/arm64-4K-pages: the option is not selectable ($got)"
		failed=1
	elif [ $size != 4K ] && [ "$got" = CONFIG_STATIC_PMD_ZERO_PAGE=y ]; then
		echo "FAIL kernel/arm64-$size-pages: STATIC_PMD_ZERO_PAGE=y with $size pages"
		failed=1
	else
		echo "PASS kernel/arm64-$size-pages (${got})"
	fi
done
exit $failed
