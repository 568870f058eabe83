#!/bin/bash
# Build installable Debian packages (linux-image, linux-headers) of the
# series, for a real machine: the kernel with STATIC_PMD_ZERO_PAGE on, and
# the same kernel with it off, for the A/B.
#
#   kernel/deb.sh [options] patched|option-off
#
#   -c, --config FILE     the configuration to start from (a .config, or a
#                         config.gz); default /boot/config-$(uname -r), then
#                         /proc/config.gz: the running machine's own
#   -l, --localmodconfig  keep only the modules loaded right now (lsmod), as
#                         `make localmodconfig` does: a much shorter build,
#                         for this machine only
#       --small           the guest kernel's small configuration instead
#                         (tinyconfig + Kconfig.fragment, as kernel/build.sh
#                         makes it): minutes, not hours; for checking the
#                         packaging (make deb-check), not for real hardware
#   -o, --outdir DIR      where the .deb files go (default ./debs)
#   -h, --help
#
# The packages are named linux-image-6.12.*-pmdzero-on|off, so both can be
# installed side by side.  kernel/README.md says how to boot each and run
# the benchmark's scenarios on a disposable device.  A distribution config
# builds for hours on two cores; the build runs out of tree under the
# cache (PMDZERO_CACHE, default ~/.cache/pmdzero).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PMDZERO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmdzero}
jobs=${JOBS:-$(nproc)}
config= localmod=0 small=0 outdir=./debs

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "kernel/deb.sh: $*" >&2; exit 1; }
say() { echo "kernel/deb.sh: $*" >&2; }

opts=$(getopt -o c:lo:h -l config:,localmodconfig,small,outdir:,help -n kernel/deb.sh -- "$@") ||
	{ echo "Try 'kernel/deb.sh --help' for more information." >&2; exit 2; }
eval set -- "$opts"
while true; do
	case $1 in
	-c|--config) config=$2; shift 2 ;;
	-l|--localmodconfig) localmod=1; shift ;;
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
*) die "build patched or option-off, not '$flavour'" ;;
esac
[ $small = 0 ] || [ -z "$config" ] || die "--small and --config exclude each other"
[ $small = 0 ] || [ $localmod = 0 ] || die "--small and --localmodconfig exclude each other"
command -v dpkg-buildpackage > /dev/null || die "dpkg-buildpackage missing (apt-get install dpkg-dev)"

# The base configuration, checked before anything is built.
tmpconf=$(mktemp)
trap 'rm -f "$tmpconf"' EXIT
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
name=deb-$option-$( { cat "$tmpconf"; echo "localmod=$localmod small=$small"; } | sha256sum | cut -c1-12)
work=$cache/deb/$name
obj=$work/obj
mkdir -p "$obj"
kmake() { make -C "$src" O="$obj" -j"$jobs" "$@"; }
cp "$tmpconf" "$obj/.config"
cfg() { "$src/scripts/config" --file "$obj/.config" "$@"; }
# Distribution keys are not in the tarball; without these the build stops.
cfg --set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
	--set-str LOCALVERSION "-pmdzero-$option" --disable LOCALVERSION_AUTO
cfg --enable TRANSPARENT_HUGEPAGE
if [ $option = on ]; then
	cfg --enable STATIC_PMD_ZERO_PAGE
else
	cfg --disable STATIC_PMD_ZERO_PAGE
fi
if [ $localmod = 1 ]; then
	lsmod > "$work/lsmod"
	say "trimming to the $(($(wc -l < "$work/lsmod") - 1)) modules loaded now"
	yes '' | kmake -s LSMOD="$work/lsmod" localmodconfig > /dev/null
fi
kmake -s olddefconfig > /dev/null
if [ $option = on ]; then
	grep -q '^CONFIG_STATIC_PMD_ZERO_PAGE=y' "$obj/.config" ||
		die "STATIC_PMD_ZERO_PAGE could not be set: the configuration lacks what it depends on (TRANSPARENT_HUGEPAGE on x86_64)"
else
	! grep -q '^CONFIG_STATIC_PMD_ZERO_PAGE=y' "$obj/.config" || die "STATIC_PMD_ZERO_PAGE is still set"
fi

say "building linux-image-*-pmdzero-$option with $jobs jobs in $obj (log: $work/build.log)"
start=$(date +%s)
rm -f "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes
kmake bindeb-pkg > "$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "bindeb-pkg failed"; }
mkdir -p "$outdir"
debs=("$work"/*.deb)
[ -e "${debs[0]}" ] || die "bindeb-pkg left no package in $work"
mv "${debs[@]}" "$outdir/"
say "built in $(( $(date +%s) - start ))s:"
for d in "${debs[@]}"; do echo "$outdir/$(basename "$d")"; done
