#!/bin/bash
# The series' base: Debian's linux-source-6.12, pinned in kernel/BASE.
#
#   kernel/base.sh tarball         print the pinned tarball's path, after
#                                  checking the installed version and sha256;
#                                  one line and exit 1 if anything differs
#   kernel/base.sh install         install exactly the pinned version (make
#                                  deps-kernel): up- or downgrades, or says
#                                  the archive no longer offers it
#   kernel/base.sh check [--newest] [--warn]
#                                  every version apt offers (--newest: the
#                                  newest only), fetched with apt-get download
#                                  into the cache, nothing installed: the
#                                  series applied with patch -F0 and the
#                                  objects it touches built, option on and
#                                  off; one line per version.  --warn: a
#                                  newest version that is not the pin and
#                                  fails gives a WARNING line, exit 0
#
# Sourced (as tests/kernel/patch-check.sh does), it defines base_* and
# series_* helpers and the objects the series touches.
set -uo pipefail

base_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base_cache=${PMDZERO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmdzero}
# PMDZERO_BASE_FILE: another pin, for tests/kernel/base-pin.sh only.
# shellcheck source=BASE
. "${PMDZERO_BASE_FILE:-$base_top/kernel/BASE}"

# What the series touches, built after each patch (patch-check) and on every
# offered version (check); mm/zero_folio_kunit.o once 0007 adds it.
series_objects="mm/huge_memory.o block/blk-lib.o fs/iomap/direct-io.o drivers/md/dm-io.o drivers/md/dm-kcopyd.o"
base_rebase_hint="kernel/README.md, \"Rebasing\""

base_die() { echo "kernel/base.sh: $*" >&2; exit 1; }

base_installed_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$BASE_PACKAGE" 2>/dev/null |
		awk '$1 == "ii" { print $2 }'
}

# sha256 of a 150 MB tarball costs a second; remember it per size and mtime.
base_sha256() { # FILE
	local stamp key
	key=$(stat -c '%s %Y %i' "$1") || return 1
	stamp=$base_cache/base/sha256-$(echo "$1 $key" | sha256sum | cut -c1-16)
	if [ ! -s "$stamp" ]; then
		mkdir -p "$base_cache/base"
		sha256sum "$1" | cut -d' ' -f1 > "$stamp.tmp" && mv "$stamp.tmp" "$stamp"
	fi
	cat "$stamp"
}

# The pinned tarball, or one line saying what is wrong and what fixes it.
base_tarball() {
	local have sum
	have=$(base_installed_version)
	if [ "$have" != "$BASE_VERSION" ]; then
		echo "the series is pinned to $BASE_PACKAGE $BASE_VERSION (kernel/BASE), found ${have:-none installed}: run 'make deps-kernel' as root to install the pinned version" >&2
		return 1
	fi
	[ -r "$BASE_TARBALL" ] || { echo "$BASE_TARBALL missing although $BASE_PACKAGE $have is installed: reinstall it (apt-get install --reinstall $BASE_PACKAGE=$BASE_VERSION)" >&2; return 1; }
	sum=$(base_sha256 "$BASE_TARBALL") || return 1
	if [ "$sum" != "$BASE_SHA256" ]; then
		echo "$BASE_TARBALL has sha256 $sum, not the pinned $BASE_SHA256 of $BASE_VERSION (kernel/BASE): reinstall it (apt-get install --reinstall $BASE_PACKAGE=$BASE_VERSION)" >&2
		return 1
	fi
	echo "$BASE_TARBALL"
}

# Versions apt offers, newest first.
base_offered_versions() {
	apt-cache madison "$BASE_PACKAGE" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		awk '!seen[$0]++'
}

base_apt_update() {
	if [ "$(id -u)" = 0 ]; then
		apt-get update -q >/dev/null 2>&1 || echo "kernel/base.sh: apt-get update failed; using the package lists as they are" >&2
	fi
}

base_install() {
	local have
	have=$(base_installed_version)
	if [ "$have" = "$BASE_VERSION" ]; then
		base_tarball >/dev/null || exit 1
		return 0
	fi
	[ "$(id -u)" = 0 ] || base_die "$BASE_PACKAGE $BASE_VERSION (kernel/BASE) is needed, ${have:-none} is installed: run 'make deps-kernel' as root"
	base_apt_update
	if ! base_offered_versions | grep -qxF "$BASE_VERSION"; then
		base_die "$BASE_PACKAGE $BASE_VERSION, the series' pinned base (kernel/BASE), is no longer offered by apt (offered: $(base_offered_versions | paste -sd' ')): the series needs a rebase onto one of those ($base_rebase_hint)"
	fi
	echo "deps: installing $BASE_PACKAGE=$BASE_VERSION (pinned in kernel/BASE; ${have:-none} was installed)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades --no-install-recommends \
		"$BASE_PACKAGE=$BASE_VERSION" >/dev/null ||
		base_die "apt-get install $BASE_PACKAGE=$BASE_VERSION failed"
	base_tarball >/dev/null || exit 1
}

# Configure an object tree of SRC for option on or off: tinyconfig plus the
# guest fragment, as kernel/build.sh does.
series_configure() { # SRC OBJ on|off
	local frags=("$base_top/Kconfig.fragment")
	[ "$3" = off ] && frags+=("$base_top/kernel/configs/option-off.fragment")
	make -C "$1" O="$2" ARCH=x86_64 -s tinyconfig >/dev/null 2>&1 &&
		(cd "$2" && "$1/scripts/kconfig/merge_config.sh" -m -O "$2" "$2/.config" "${frags[@]}" >/dev/null 2>&1) &&
		make -C "$1" O="$2" ARCH=x86_64 -s olddefconfig >/dev/null 2>&1
}

# Build the series' objects in SRC, option on or off; the log to LOG.
# Fails on any warning, as the real builds do.
series_build_objects() { # SRC OBJ on|off LOG
	local extra=
	[ -f "$1/mm/zero_folio_kunit.c" ] && extra=mm/zero_folio_kunit.o
	series_configure "$1" "$2" "$3" || { echo "configuring failed" > "$4"; return 1; }
	if [ "$3" = on ] && ! grep -q '^CONFIG_STATIC_PMD_ZERO_PAGE=y' "$2/.config"; then
		echo "STATIC_PMD_ZERO_PAGE not set" > "$4"
		return 1
	fi
	# shellcheck disable=SC2086
	make -C "$1" O="$2" ARCH=x86_64 -j"${JOBS:-$(nproc)}" $series_objects $extra > "$4" 2>&1 &&
		! grep -qE '(warning|error):' "$4"
}

series_patches() {
	grep -v -e '^#' -e '^$' "$base_top/kernel/series"
}

# Apply the series to SRC with patch -F0; on failure print "PATCH FILE".
series_apply() { # SRC
	local p out file
	for p in $(series_patches); do
		if ! out=$(patch -d "$1" -p1 -F0 -N --no-backup-if-mismatch < "$base_top/kernel/patches/$p" 2>&1); then
			file=$(echo "$out" | awk '/^patching file /{ f = $3 } /FAILED|malformed|can.t find file/{ print f; exit }')
			echo "${p%%-*} ${file:-?}"
			return 1
		fi
	done
}

# What a check's result depends on: the series' diffs, the fragments, this
# script and the compiler.
series_key() {
	{
		for p in $(series_patches); do
			sed -n '/^diff --git /,/^-- $/p' "$base_top/kernel/patches/$p" | grep -v '^index '
		done
		cat "$base_top/Kconfig.fragment" "$base_top/kernel/configs/option-off.fragment" \
			"${BASH_SOURCE[0]}"
		gcc --version | head -n1
	} | sha256sum | cut -c1-16
}

# One offered version: download, extract, apply, build on and off.  Prints
# the verdict; the result is cached by version and series_key.
base_check_version() { # VERSION
	local v=$1 dir res deb src failed
	dir=$base_cache/base-check
	res=$dir/results/$v-$(series_key)
	mkdir -p "$dir/results"
	if [ -s "$res" ]; then
		cat "$res"
		return 0
	fi
	deb=$dir/debs
	mkdir -p "$deb"
	if ! ls "$deb/${BASE_PACKAGE}_${v//:/%3a}_"*.deb >/dev/null 2>&1; then
		# As root, apt-get download falls back to writing unsandboxed
		# (its warning is dropped with the rest of its output).
		(cd "$deb" && apt-get download -q "$BASE_PACKAGE=$v" >/dev/null 2>&1) ||
			{ echo "could not download $BASE_PACKAGE=$v"; return 1; }
	fi
	src=$dir/work/$v
	rm -rf "$dir/work"
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb/${BASE_PACKAGE}_${v//:/%3a}_"*.deb |
		tar -xO "./usr/src/$BASE_PACKAGE.tar.xz" | tar -xJ -C "$src" --strip-components=1 ||
		{ echo "could not unpack $BASE_PACKAGE=$v"; return 1; }
	if failed=$(series_apply "$src"); then
		if ! series_build_objects "$src" "$dir/work/on" on "$dir/work/on.log"; then
			echo "applies, fails to build with the option on: $(grep -m1 -E '(warning|error):' "$dir/work/on.log" || head -n1 "$dir/work/on.log")" > "$res"
		elif ! series_build_objects "$src" "$dir/work/off" off "$dir/work/off.log"; then
			echo "applies, fails to build with the option off: $(grep -m1 -E '(warning|error):' "$dir/work/off.log" || head -n1 "$dir/work/off.log")" > "$res"
		else
			echo "applies and builds" > "$res"
		fi
	else
		echo "fails at patch ${failed%% *} in ${failed#* }" > "$res"
	fi
	rm -rf "$dir/work"
	cat "$res"
	return 0
}

base_check() { # [--newest] [--warn]
	local newest=0 warn=0 v verdict all bad=0 tag a
	for a in "$@"; do
		case $a in
		--newest) newest=1 ;;
		--warn) warn=1 ;;
		*) base_die "usage: kernel/base.sh check [--newest] [--warn]" ;;
		esac
	done
	base_apt_update
	mapfile -t all < <(base_offered_versions)
	[ ${#all[@]} -gt 0 ] || base_die "apt offers no $BASE_PACKAGE at all (apt-get update?)"
	[ $newest = 1 ] && all=("${all[0]}")
	for v in "${all[@]}"; do
		tag=
		[ "$v" = "${all[0]}" ] && tag=newest
		[ "$v" = "$BASE_VERSION" ] && tag=${tag:+$tag, }pinned
		tag=${tag:+ ($tag)}
		if [ $newest = 1 ] && [ "$v" = "$BASE_VERSION" ]; then
			# make patch-check applies and builds the series on the pin.
			echo "base-check: $BASE_PACKAGE $v$tag: the newest offered version is the pin; make patch-check covers it"
			continue
		fi
		verdict=$(base_check_version "$v")
		echo "base-check: $BASE_PACKAGE $v$tag: $verdict"
		case $verdict in "applies and builds") ;; *)
			[ "$v" = "${all[0]}" ] && [ "$v" != "$BASE_VERSION" ] && bad=1 ;;
		esac
	done
	if [ $bad = 1 ]; then
		echo "WARNING: the newest $BASE_PACKAGE offered, ${all[0]}, does not take the series (pinned: $BASE_VERSION): a rebase is due ($base_rebase_hint)"
		[ $warn = 1 ] || return 1
	fi
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	tarball) base_tarball || exit 1 ;;
	install) base_install ;;
	check) shift; base_check "$@" ;;
	*) base_die "usage: kernel/base.sh tarball | install | check [--newest] [--warn]" ;;
	esac
fi
