#!/bin/bash
# Check the series the way a maintainer would before taking it:
#  - scripts/checkpatch.pl --strict reports nothing on any patch;
#  - the patches apply in series order to a pristine tree without fuzz;
#  - after each patch, the objects the series touches build without a
#    warning, with the base's option on and off (bisectability);
# for each base of kernel/bases and its series: the 6.12 series
# (kernel/series) and the mainline one (kernel/mainline/series).
# PATCH_CHECK_BASES: only these bases.
# Prints PASS/FAIL lines; exit status non-zero if anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# The pinned bases, the objects a series touches and how they are
# configured and built: the same as make base-check's.
. "$top/kernel/base.sh"
cache=$base_cache
work=$cache/patch-check
failed=0
tmp_err=$(mktemp)
trap 'rm -f "$tmp_err"' EXIT

pass() { echo "PASS kernel/$1"; }
fail() { echo "FAIL kernel/$1${2:+ ($2)}"; failed=1; }

# One base (kernel/bases) and its series; the default base's results are
# named kernel/..., another's kernel/BASE/... (kernel/7.2/apply/...).
check_base() { # BASE
	local prefix='' p n mode log out tarball src
	base_select "$1"
	[ "$1" = "$(base_list | head -n1)" ] || prefix=$1/
	mapfile -t patches < <(series_patches)
	[ ${#patches[@]} -gt 0 ] || { fail "${prefix}series" "$BASE_SERIES is empty"; return; }

	# Its stderr apart: a first fetch says so there, and is not the path.
	if ! tarball=$(base_tarball 2> "$tmp_err"); then
		fail "${prefix}base" "$(cat "$tmp_err")"
		return
	fi
	cat "$tmp_err" >&2
	pass "${prefix}base/$BASE_VERSION"
	rm -rf "$work"
	mkdir -p "$work/src" "$work/on" "$work/off" "$cache/patch-check-logs"
	tar -xJf "$tarball" -C "$work/src" --strip-components=1 || { fail "${prefix}extract"; return; }
	src=$work/src

	# checkpatch's SPDX check runs python3 with ply and GitPython, which the
	# distribution's python has (python3-ply, python3-git), not always the
	# first python3 on PATH.  FILE_PATH_CHANGES ("does MAINTAINERS need
	# updating?") is answered: the new file is mm/zero_folio_kunit.c, which
	# MEMORY MANAGEMENT's "F: mm/" covers; the v2 review asked for the
	# redundant entry to go.
	for p in "${patches[@]}"; do
		out=$(cd "$src" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict -q --ignore FILE_PATH_CHANGES \
			"$BASE_PATCHES/$p" 2>&1)
		if [ $? -eq 0 ] && [ -z "$out" ]; then
			pass "${prefix}checkpatch/${p%.patch}"
		else
			fail "${prefix}checkpatch/${p%.patch}" "$(echo "$out" | grep -m1 -E 'ERROR|WARNING|CHECK|Traceback')"
			echo "$out" | sed 's/^/    /' | head -n 20
		fi
	done

	n=0
	for p in "${patches[@]}"; do
		n=$((n + 1))
		if ! patch -d "$src" -p1 -F0 -N -s --no-backup-if-mismatch < "$BASE_PATCHES/$p"; then
			fail "${prefix}apply/${p%.patch}" "does not apply without fuzz"
			break
		fi
		pass "${prefix}apply/${p%.patch}"
		for mode in on off; do
			# Logs outside the tree, which the next base replaces.
			log=$cache/patch-check-logs/$1-$n-$mode.log
			if series_build_objects "$src" "$work/$mode" $mode "$log"; then
				pass "${prefix}build-$mode/${p%.patch}"
			else
				fail "${prefix}build-$mode/${p%.patch}" "see $log"
				grep -m5 -E '(warning|error):|not set|failed' "$log" | sed 's/^/    /'
			fi
		done
	done
}

for b in ${PATCH_CHECK_BASES:-$(base_list)}; do
	check_base "$b"
done
exit $failed
