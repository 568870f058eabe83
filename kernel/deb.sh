#!/bin/bash
# Build installable Debian packages (linux-image, linux-headers) of the
# series, for a real machine: the kernel with STATIC_PMD_ZERO_PAGE on, the
# same kernel with it off, and the unpatched (stock) kernel, for the A/B.
#
#   kernel/deb.sh [options] patched|option-off|stock
#
#   -c, --config FILE     the configuration to start from (a .config, or a
#                         config.gz); default /boot/config-$(uname -r), then
#                         /proc/config.gz: the running machine's own
#   -l, --localmodconfig  keep only the modules loaded right now (lsmod), as
#                         `make localmodconfig` does: a much shorter build,
#                         for this machine only
#   -m, --lsmod FILE      as --localmodconfig, with another machine's lsmod
#                         output (tests/image/boot.sh collects the Debian
#                         image's)
#   -f, --fragment FILE   Kconfig lines (CONFIG_X=y|m, # CONFIG_X is not
#                         set) applied after the trimming: what a test
#                         needs that the machine had not loaded
#   -g, --no-debug-info   without DEBUG_INFO: a distribution configuration
#                         builds its -dbg package, twice the time and ten
#                         times the disk
#       --small           the guest kernel's small configuration instead
#                         (tinyconfig + Kconfig.fragment, as kernel/build.sh
#                         makes it): minutes, not hours; for checking the
#                         packaging (make deb-check), not for real hardware
#   -o, --outdir DIR      where the .deb files go (default ./debs)
#   -h, --help
#
# The packages are named linux-image-6.12.*-pmdzero-on|off|stock, so all
# can be installed side by side.  kernel/README.md says how to boot each and run
# the benchmark's scenarios on a disposable device.  A distribution config
# builds for hours on two cores; the build runs out of tree under the
# cache (PMDZERO_CACHE, default ~/.cache/pmdzero).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PMDZERO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmdzero}
jobs=${JOBS:-$(nproc)}
config= localmod=0 lsmodfile= fragment= nodebug=0 small=0 outdir=./debs

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "kernel/deb.sh: $*" >&2; exit 1; }
say() { echo "kernel/deb.sh: $*" >&2; }

opts=$(getopt -o c:lm:f:go:h -l config:,localmodconfig,lsmod:,fragment:,no-debug-info,small,outdir:,help -n kernel/deb.sh -- "$@") ||
	{ echo "Try 'kernel/deb.sh --help' for more information." >&2; exit 2; }
eval set -- "$opts"
while true; do
	case $1 in
	-c|--config) config=$2; shift 2 ;;
	-l|--localmodconfig) localmod=1; shift ;;
	-m|--lsmod) localmod=1 lsmodfile=$2; shift 2 ;;
	-f|--fragment) fragment=$2; shift 2 ;;
	-g|--no-debug-info) nodebug=1; shift ;;
	--small) small=1; shift ;;
	-o|--outdir) outdir=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	esac
done
[ $# = 1 ] || { usage >&2; exit 2; }
flavour=$1
case $flavour in
patched) option=on ;;
option-off) option=off ;;
stock) option=stock ;;
*) die "build patched, option-off or stock, not '$flavour'" ;;
esac
[ $small = 0 ] || [ -z "$config" ] || die "--small and --config exclude each other"
[ $small = 0 ] || [ $localmod = 0 ] || die "--small and --localmodconfig exclude each other"
[ -z "$lsmodfile" ] || [ -r "$lsmodfile" ] || die "cannot read the module list $lsmodfile"
[ -z "$lsmodfile" ] || head -n1 "$lsmodfile" | grep -q '^Module ' || die "$lsmodfile is not lsmod's output"
[ -z "$fragment" ] || [ -r "$fragment" ] || die "cannot read the fragment $fragment"
command -v dpkg-buildpackage > /dev/null || die "dpkg-buildpackage missing (apt-get install dpkg-dev)"

# The base configuration, checked before anything is built.
tmpconf=$(mktemp) tmplsmod=$(mktemp)
trap 'rm -f "$tmpconf" "$tmplsmod"' EXIT
# --localmodconfig: this machine's modules, taken once, so that they are
# in the cache key as another machine's list is.
if [ $localmod = 1 ] && [ -z "$lsmodfile" ]; then
	lsmod > "$tmplsmod"
	lsmodfile=$tmplsmod
fi
if [ $small = 1 ]; then
	kdir=$("$top/kernel/build.sh" "$flavour")
	cp "$kdir/config" "$tmpconf"
else
	if [ -z "$config" ]; then
		for c in "/boot/config-$(uname -r)" /proc/config.gz; do
			[ -r "$c" ] && { config=$c; break; }
		done
		[ -n "$config" ] || die "no /boot/config-$(uname -r) or /proc/config.gz here: give one with --config"
	fi
	[ -r "$config" ] || die "cannot read $config"
	case $config in
	*.gz) zcat "$config" > "$tmpconf" ;;
	*) cp "$config" "$tmpconf" ;;
	esac
	grep -q '^CONFIG_X86_64=y' "$tmpconf" || die "$config is not an x86_64 configuration"
fi

read -r src _ < <("$top/kernel/build.sh" --where "$flavour")
# The source tree's path names its version and the series' hash.
name=deb-$option-$( { cat "$tmpconf"; echo "$src localmod=$localmod small=$small nodebug=$nodebug"
	# The module names, sorted: two boots list the same modules in another
	# order, with other use counts.
	[ -z "$lsmodfile" ] || awk 'NR > 1 { print $1 }' "$lsmodfile" | sort
	[ -z "$fragment" ] || cat "$fragment"; } | sha256sum | cut -c1-12)
work=$cache/deb/$name
obj=$work/obj
mkdir -p "$obj"
# One build per cache entry: make realmachine and make external both ask
# for the same packages, and a second build in the same objects would
# corrupt the first.
exec 9> "$work/lock"
flock -n 9 || { say "waiting for the build of $name that another deb.sh holds"; flock 9; }
kmake() { make -C "$src" O="$obj" -j"$jobs" "$@"; }
cp "$tmpconf" "$obj/.config"
cfg() { "$src/scripts/config" --file "$obj/.config" "$@"; }
# Distribution keys are not in the tarball; without these the build stops.
cfg --set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
	--set-str LOCALVERSION "-pmdzero-$option" --disable LOCALVERSION_AUTO
cfg --enable TRANSPARENT_HUGEPAGE
case $option in
on) cfg --enable STATIC_PMD_ZERO_PAGE ;;
off) cfg --disable STATIC_PMD_ZERO_PAGE ;;
esac
if [ $localmod = 1 ]; then
	cp "$lsmodfile" "$work/lsmod"
	say "trimming to the $(($(wc -l < "$work/lsmod") - 1)) modules of $( [ "$lsmodfile" = "$tmplsmod" ] && echo "this machine" || echo "$lsmodfile")"
	# yes answers every new question with its default; it dies of SIGPIPE
	# when make stops reading, which pipefail would take as a failure.
	{ yes '' || true; } | kmake -s LSMOD="$work/lsmod" localmodconfig > /dev/null
fi
if [ $nodebug = 1 ]; then
	cfg --disable DEBUG_INFO --disable DEBUG_INFO_DWARF5 --disable DEBUG_INFO_DWARF4 \
		--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --enable DEBUG_INFO_NONE
fi
if [ -n "$fragment" ]; then
	# Each line of the fragment wins, as with merge_config.sh.
	while read -r line; do
		case $line in
		CONFIG_*=y) cfg --enable "${line%%=*}" ;;
		CONFIG_*=m) cfg --module "${line%%=*}" ;;
		"# CONFIG_"*" is not set") line=${line#\# }; cfg --disable "${line%% *}" ;;
		CONFIG_*=*) cfg --set-val "${line%%=*}" "${line#*=}" ;;
		esac
	done < "$fragment"
fi
kmake -s olddefconfig > /dev/null
if [ -n "$fragment" ]; then
	# Every y/m line must survive olddefconfig: an option whose
	# dependency is off is dropped without a word.
	while read -r line; do
		case $line in
		CONFIG_*=y|CONFIG_*=m)
			grep -qx "$line" "$obj/.config" || grep -qx "${line%=m}=y" "$obj/.config" ||
				die "$fragment: $line did not survive olddefconfig (a dependency is off)" ;;
		esac
	done < "$fragment"
fi
if [ $option = on ]; then
	grep -q '^CONFIG_STATIC_PMD_ZERO_PAGE=y' "$obj/.config" ||
		die "STATIC_PMD_ZERO_PAGE could not be set: the configuration lacks what it depends on (TRANSPARENT_HUGEPAGE on x86_64)"
else
	! grep -q '^CONFIG_STATIC_PMD_ZERO_PAGE=y' "$obj/.config" || die "STATIC_PMD_ZERO_PAGE is still set"
fi
cp "$obj/.config" "$work/config"

mkdir -p "$outdir"
# Built before from the same configuration, source and module list: the
# packages are kept beside the objects.
if [ -f "$work/pkgs/ready" ]; then
	say "linux-image-*-pmdzero-$option: built before, from $work/pkgs"
	for d in "$work"/pkgs/*.deb; do
		cp "$d" "$outdir/"
		echo "$outdir/$(basename "$d")"
	done
	exit 0
fi
say "building linux-image-*-pmdzero-$option with $jobs jobs in $obj (log: $work/build.log)"
start=$(date +%s)
rm -f "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes
rm -rf "$work/pkgs"
# Kbuild counts builds in .version and puts the count in the package's
# revision and uname -v: a build stopped and started again would make
# 6.12.x-2, "#2", where a fresh one makes -1.
rm -f "$obj/.version"
kmake bindeb-pkg > "$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "bindeb-pkg failed"; }
debs=("$work"/*.deb)
[ -e "${debs[0]}" ] || die "bindeb-pkg left no package in $work"
mkdir -p "$work/pkgs"
mv "${debs[@]}" "$work/pkgs/"
echo "$(( $(date +%s) - start ))" > "$work/pkgs/seconds"
touch "$work/pkgs/ready"
say "built in $(cat "$work/pkgs/seconds")s:"
for d in "$work"/pkgs/*.deb; do
	cp "$d" "$outdir/"
	echo "$outdir/$(basename "$d")"
done
