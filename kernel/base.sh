#!/bin/bash
# The series' bases: Debian's linux-source packages, pinned in kernel/bases.
#
#   kernel/base.sh [--base B] tarball
#                                  print the pinned tarball's path, after
#                                  checking its version and sha256 (a
#                                  downloaded base is fetched into the cache
#                                  first); one line and exit 1 if anything
#                                  differs
#   kernel/base.sh [--base B] install
#                                  install exactly the pinned version (make
#                                  deps-kernel): up- or downgrades, or says
#                                  the archive no longer offers it; for a
#                                  downloaded base, fetch it
#   kernel/base.sh [--base B] check [--newest] [--warn]
#                                  every version apt offers (--newest: the
#                                  newest only), fetched with apt-get download
#                                  into the cache, nothing installed: the
#                                  series applied with patch -F0 and the
#                                  objects it touches built, option on and
#                                  off; one line per version.  --warn: a
#                                  newest version that is not the pin and
#                                  fails gives a WARNING line, exit 0
#   kernel/base.sh --list          the bases, one name per line
#   kernel/base.sh [--base B] --field NAME
#                                  one field of the base's row (version,
#                                  package, series, option, ...)
#
# B: a row of kernel/bases; default $PMDZERO_BASE, else the first row.
# Sourced (as tests/kernel/patch-check.sh does), it defines base_* and
# series_* helpers for the base PMDZERO_BASE names (base_select switches).
set -uo pipefail

base_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base_cache=${PMDZERO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmdzero}
# PMDZERO_BASES_FILE: another table, for tests/kernel/base-pin.sh only.
base_table=${PMDZERO_BASES_FILE:-$base_top/kernel/bases}
base_rebase_hint="kernel/README.md, \"Rebasing\""

base_die() { echo "kernel/base.sh: $*" >&2; exit 1; }

base_list() { awk '!/^#/ && NF { print $1 }' "$base_table"; }

# base_select NAME: the row's fields as BASE_* variables; the tarball's
# path, the series file and its patch directory.
base_select() { # NAME
	local row
	row=$(awk -v b="$1" '!/^#/ && $1 == b { print; found = 1; exit } END { exit !found }' "$base_table") ||
		base_die "no base '$1' in kernel/bases ($(base_list | paste -sd' '))"
	# shellcheck disable=SC2034 # read by build.sh and the checks
	read -r BASE_NAME BASE_PACKAGE BASE_VERSION BASE_SHA256 BASE_ARCHIVE BASE_SERIES BASE_OPTION <<< "$row"
	[ -n "$BASE_OPTION" ] || base_die "kernel/bases: $1: a field is missing"
	if [ "$BASE_ARCHIVE" = host ]; then
		BASE_TARBALL=/usr/src/$BASE_PACKAGE.tar.xz
	else
		BASE_TARBALL=$base_cache/base/${BASE_PACKAGE}_${BASE_VERSION//:/%3a}.tar.xz
	fi
	BASE_SERIES_FILE=$base_top/kernel/$BASE_SERIES
	BASE_PATCHES=$(dirname "$BASE_SERIES_FILE")/patches
	# What the series touches, built after each patch (patch-check) and
	# on every offered version (check): the .c files its patches change
	# or add.
	series_objects=$(series_patches 2>/dev/null | while read -r p; do
		sed -n 's|^diff --git a/[^ ]* b/\(.*\)\.c$|\1.o|p' "$BASE_PATCHES/$p"
	done | sort -u | paste -sd' ')
}

base_installed_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$BASE_PACKAGE" 2>/dev/null |
		awk '$1 == "ii" { print $2 }'
}

# sha256 of a 150 MB tarball costs a second; remember it per size and mtime.
base_sha256() { # FILE
	local stamp key tmp
	key=$(stat -c '%s %Y %i' "$1") || return 1
	stamp=$base_cache/base/sha256-$(echo "$1 $key" | sha256sum | cut -c1-16)
	if [ ! -s "$stamp" ]; then
		mkdir -p "$base_cache/base"
		# A temporary file per caller: two may hash at once.
		tmp=$(mktemp "$stamp.XXXXXX") &&
			sha256sum "$1" | cut -d' ' -f1 > "$tmp" && mv "$tmp" "$stamp"
	fi
	cat "$stamp"
}

# apt-get or apt-cache for the base: the host's apt for a host base; for
# a suite, a private apt state in the cache whose one source is that suite
# of the host's Debian mirror (the host's sources and dpkg database are
# not touched).
base_apt() { # apt-get|apt-cache ARGS...
	local cmd=$1 state mirror
	shift
	if [ "$BASE_ARCHIVE" = host ]; then
		"$cmd" "$@"
		return
	fi
	state=$base_cache/apt-$BASE_ARCHIVE
	if [ ! -s "$state/sources.list" ]; then
		mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
		: > "$state/status"
		# The mirror the host already uses for Debian (deb.debian.org
		# unless configured otherwise).
		mirror=$(grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
			head -n1 | tr -d ' ')
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror:-http://deb.debian.org/debian} $BASE_ARCHIVE main" \
			> "$state/sources.list"
	fi
	"$cmd" -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache" \
		-o "Dir::State::status=$state/status" -o "Dir::Etc::SourceList=$state/sources.list" \
		-o "Dir::Etc::SourceParts=/nonexistent" -o APT::Sandbox::User=root "$@"
}

# A downloaded base's tarball: the pinned package fetched into the cache
# and its tarball taken out of it, once.  One line and exit 1 if the
# archive no longer offers the version.  One fetch at a time (a bench and
# a guest matrix started together on a new machine would both fetch).
base_fetch() {
	[ -s "$BASE_TARBALL" ] && return 0
	mkdir -p "$base_cache/base"
	(
		flock 9
		base_fetch_locked
	) 9> "$base_cache/base/$BASE_PACKAGE.fetch.lock"
}

base_fetch_locked() {
	local debs=$base_cache/base/debs deb
	[ -s "$BASE_TARBALL" ] && return 0
	mkdir -p "$debs"
	deb=$debs/${BASE_PACKAGE}_${BASE_VERSION//:/%3a}_all.deb
	if [ ! -s "$deb" ]; then
		base_apt apt-get -q update >/dev/null 2>&1
		if ! base_offered_versions | grep -qxF "$BASE_VERSION"; then
			echo "$BASE_PACKAGE $BASE_VERSION, the pinned base $BASE_NAME (kernel/bases), is no longer offered by Debian $BASE_ARCHIVE (offered: $(base_offered_versions | paste -sd' ' | sed 's/^$/none/')): the series $BASE_SERIES needs a rebase ($base_rebase_hint)" >&2
			return 1
		fi
		echo "kernel/base.sh: fetching $BASE_PACKAGE=$BASE_VERSION from Debian $BASE_ARCHIVE" >&2
		(cd "$debs" && base_apt apt-get -q download "$BASE_PACKAGE=$BASE_VERSION" >/dev/null 2>&1)
		if [ ! -s "$deb" ]; then
			echo "apt-get download $BASE_PACKAGE=$BASE_VERSION failed" >&2
			return 1
		fi
	fi
	if ! dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$BASE_PACKAGE.tar.xz" > "$BASE_TARBALL.tmp"; then
		rm -f "$BASE_TARBALL.tmp"
		echo "could not take $BASE_PACKAGE.tar.xz out of $deb" >&2
		return 1
	fi
	mv "$BASE_TARBALL.tmp" "$BASE_TARBALL"
}

# The pinned tarball, or one line saying what is wrong and what fixes it.
base_tarball() {
	local have sum fix
	if [ "$BASE_ARCHIVE" = host ]; then
		have=$(base_installed_version)
		if [ "$have" != "$BASE_VERSION" ]; then
			echo "the series is pinned to $BASE_PACKAGE $BASE_VERSION (kernel/bases), found ${have:-none installed}: run 'make deps-kernel' as root to install the pinned version" >&2
			return 1
		fi
		[ -r "$BASE_TARBALL" ] || { echo "$BASE_TARBALL missing although $BASE_PACKAGE $have is installed: reinstall it (apt-get install --reinstall $BASE_PACKAGE=$BASE_VERSION)" >&2; return 1; }
		fix="reinstall it (apt-get install --reinstall $BASE_PACKAGE=$BASE_VERSION)"
	else
		base_fetch || return 1
		fix="remove it and $base_cache/base/debs to fetch it again"
	fi
	sum=$(base_sha256 "$BASE_TARBALL") || return 1
	if [ "$sum" != "$BASE_SHA256" ]; then
		echo "$BASE_TARBALL has sha256 $sum, not the pinned $BASE_SHA256 of $BASE_VERSION (kernel/bases): $fix" >&2
		return 1
	fi
	echo "$BASE_TARBALL"
}

# Versions the base's archive offers, newest first.
base_offered_versions() {
	base_apt apt-cache madison "$BASE_PACKAGE" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		awk '!seen[$0]++'
}

base_apt_update() {
	if [ "$BASE_ARCHIVE" != host ]; then
		base_apt apt-get -q update >/dev/null 2>&1 || echo "kernel/base.sh: apt-get update of Debian $BASE_ARCHIVE failed; using the package lists as they are" >&2
	elif [ "$(id -u)" = 0 ]; then
		apt-get update -q >/dev/null 2>&1 || echo "kernel/base.sh: apt-get update failed; using the package lists as they are" >&2
	fi
}

base_install() {
	local have
	if [ "$BASE_ARCHIVE" != host ]; then
		base_tarball >/dev/null || exit 1
		return 0
	fi
	have=$(base_installed_version)
	if [ "$have" = "$BASE_VERSION" ]; then
		base_tarball >/dev/null || exit 1
		return 0
	fi
	[ "$(id -u)" = 0 ] || base_die "$BASE_PACKAGE $BASE_VERSION (kernel/bases) is needed, ${have:-none} is installed: run 'make deps-kernel' as root"
	base_apt_update
	if ! base_offered_versions | grep -qxF "$BASE_VERSION"; then
		base_die "$BASE_PACKAGE $BASE_VERSION, the series' pinned base (kernel/bases), is no longer offered by apt (offered: $(base_offered_versions | paste -sd' ')): the series needs a rebase onto one of those ($base_rebase_hint)"
	fi
	echo "deps: installing $BASE_PACKAGE=$BASE_VERSION (pinned in kernel/bases; ${have:-none} was installed)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades --no-install-recommends \
		"$BASE_PACKAGE=$BASE_VERSION" >/dev/null ||
		base_die "apt-get install $BASE_PACKAGE=$BASE_VERSION failed"
	base_tarball >/dev/null || exit 1
}

# Configure an object tree of SRC for option on or off: tinyconfig plus the
# guest fragment, as kernel/build.sh does, then the base's option.
series_configure() { # SRC OBJ on|off
	local opt=$2/.pmdzero-option.fragment
	if [ "$3" = on ]; then echo "CONFIG_$BASE_OPTION=y"; else echo "CONFIG_$BASE_OPTION=n"; fi > "$opt"
	make -C "$1" O="$2" ARCH=x86_64 -s tinyconfig >/dev/null 2>&1 &&
		(cd "$2" && "$1/scripts/kconfig/merge_config.sh" -m -O "$2" "$2/.config" \
			"$base_top/Kconfig.fragment" "$opt" >/dev/null 2>&1) &&
		make -C "$1" O="$2" ARCH=x86_64 -s olddefconfig >/dev/null 2>&1
}

# Build the series' objects in SRC (those whose source exists so far),
# option on or off; the log to LOG.  Fails on any warning, as the real
# builds do.
series_build_objects() { # SRC OBJ on|off LOG
	local o objects=()
	mkdir -p "$2"
	series_configure "$1" "$2" "$3" || { echo "configuring failed" > "$4"; return 1; }
	if [ "$3" = on ] && ! grep -q "^CONFIG_$BASE_OPTION=y" "$2/.config"; then
		echo "$BASE_OPTION not set" > "$4"
		return 1
	fi
	for o in $series_objects; do
		[ -f "$1/${o%.o}.c" ] && objects+=("$o")
	done
	make -C "$1" O="$2" ARCH=x86_64 -j"${JOBS:-$(nproc)}" "${objects[@]}" > "$4" 2>&1 &&
		! grep -qE '(warning|error):' "$4"
}

series_patches() {
	grep -v -e '^#' -e '^$' "$BASE_SERIES_FILE"
}

# Apply the series to SRC with patch -F0; on failure print "PATCH FILE".
series_apply() { # SRC
	local p out file
	for p in $(series_patches); do
		if ! out=$(patch -d "$1" -p1 -F0 -N --no-backup-if-mismatch < "$BASE_PATCHES/$p" 2>&1); then
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
			sed -n '/^diff --git /,/^-- $/p' "$BASE_PATCHES/$p" | grep -v '^index '
		done
		echo "$BASE_NAME $BASE_OPTION"
		cat "$base_top/Kconfig.fragment" "${BASH_SOURCE[0]}"
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
		(cd "$deb" && base_apt apt-get download -q "$BASE_PACKAGE=$v" >/dev/null 2>&1) ||
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

# The base PMDZERO_BASE names, else the first row; --base B first on the
# command line chooses another.
base_main_usage="usage: kernel/base.sh [--base B] tarball | install | check [--newest] [--warn] | --field NAME; kernel/base.sh --list"
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = --base ]; then
	[ -n "${2:-}" ] || base_die "$base_main_usage"
	PMDZERO_BASE=$2
	shift 2
fi
base_select "${PMDZERO_BASE:-$(base_list | head -n1)}"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	tarball) base_tarball || exit 1 ;;
	install) base_install ;;
	check) shift; base_check "$@" ;;
	--list) base_list ;;
	--field)
		case ${2:-} in
		base | name) echo "$BASE_NAME" ;;
		package) echo "$BASE_PACKAGE" ;;
		version) echo "$BASE_VERSION" ;;
		sha256) echo "$BASE_SHA256" ;;
		archive) echo "$BASE_ARCHIVE" ;;
		series) echo "$BASE_SERIES" ;;
		option) echo "$BASE_OPTION" ;;
		*) base_die "--field takes base, package, version, sha256, archive, series or option" ;;
		esac
		;;
	*) base_die "$base_main_usage" ;;
	esac
fi
