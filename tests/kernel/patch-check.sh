#!/bin/bash
# Check the series the way a maintainer would before taking it:
#  - scripts/checkpatch.pl --strict reports nothing on any patch;
#  - the patches apply in series order to a pristine tree without fuzz;
#  - after each patch, the objects the series touches build without a
#    warning, with STATIC_PMD_ZERO_PAGE on and off (bisectability).
# Prints PASS/FAIL lines; exit status non-zero if anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# The pinned base, the objects the series touches and how they are
# configured and built: the same as make base-check's.
. "$top/kernel/base.sh"
cache=$base_cache
work=$cache/patch-check
failed=0

pass() { echo "PASS kernel/$1"; }
fail() { echo "FAIL kernel/$1${2:+ ($2)}"; failed=1; }

mapfile -t patches < <(grep -v -e '^#' -e '^$' "$top/kernel/series")
[ ${#patches[@]} -gt 0 ] || { fail series "kernel/series is empty"; exit 1; }

tarball=$(base_tarball 2>&1) || { fail base "$tarball"; exit 1; }
pass "base/$BASE_VERSION"
rm -rf "$work"
mkdir -p "$work/src" "$work/on" "$work/off"
tar -xJf "$tarball" -C "$work/src" --strip-components=1 || { fail extract; exit 1; }
src=$work/src

# checkpatch's SPDX check runs python3 with ply and GitPython, which the
# distribution's python has (python3-ply, python3-git), not always the first
# python3 on PATH.  FILE_PATH_CHANGES ("does MAINTAINERS need updating?")
# is answered: the new file is mm/zero_folio_kunit.c, which MEMORY
# MANAGEMENT's "F: mm/" covers; the v2 review asked for the redundant
# entry to go.
for p in "${patches[@]}"; do
	out=$(cd "$src" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict -q --ignore FILE_PATH_CHANGES \
		"$top/kernel/patches/$p" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		pass "checkpatch/${p%.patch}"
	else
		fail "checkpatch/${p%.patch}" "$(echo "$out" | grep -m1 -E 'ERROR|WARNING|CHECK|Traceback')"
		echo "$out" | sed 's/^/    /' | head -n 20
	fi
done

n=0
for p in "${patches[@]}"; do
	n=$((n + 1))
	if ! patch -d "$src" -p1 -F0 -N -s --no-backup-if-mismatch < "$top/kernel/patches/$p"; then
		fail "apply/${p%.patch}" "does not apply without fuzz"
		break
	fi
	pass "apply/${p%.patch}"
	for mode in on off; do
		log=$work/$n-$mode.log
		if series_build_objects "$src" "$work/$mode" $mode "$log"; then
			pass "build-$mode/${p%.patch}"
		else
			fail "build-$mode/${p%.patch}" "see $log"
			grep -m5 -E '(warning|error):|not set|failed' "$log" | sed 's/^/    /'
		fi
	done
done
exit $failed
