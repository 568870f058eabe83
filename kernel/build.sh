#!/bin/bash
# Build one flavour of the guest kernel out of tree, cached by content.
#
#   kernel/build.sh FLAVOUR        print the directory holding bzImage + config
#   kernel/build.sh --key FLAVOUR  print only the cache key (configures)
#   kernel/build.sh --where FLAVOUR print the source tree (extracted and
#                                  patched if needed) and the object tree
#   kernel/build.sh --checks FLAVOUR print what its guests must be able to
#                                  run (its checks= in kernel/flavours)
#   kernel/build.sh --arch FLAVOUR print its architecture
#
# FLAVOUR: a line of kernel/flavours, which says what each is made of
# (stock, patched, option-off, debug, stock-debug, arm64, ...).
#
# PMDZERO_EXTRA_PATCHES (paths, space-separated) are applied after the
# series, for experiments (kernel/experiments/): they change the source hash
# and so get a tree, objects and a cache entry of their own.
#
# The cache ($PMDZERO_CACHE, default ~/.cache/pmdzero) is keyed by a hash of
# everything that goes into a build: the Debian source package version, the
# patches, the final .config and the compiler.  An unchanged input costs a
# few seconds of configuring the second time, nothing more.  Progress goes
# to stderr, the result to stdout.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PMDZERO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmdzero}
jobs=${JOBS:-$(nproc)}

die() { echo "kernel/build.sh: $*" >&2; exit 1; }
say() { echo "kernel/build.sh: $*" >&2; }

key_only=0 where_only=0 checks_only=0 arch_only=0
case ${1:-} in
--key) key_only=1; shift ;;
--where) where_only=1; shift ;;
--checks) checks_only=1; shift ;;
--arch) arch_only=1; shift ;;
esac
flavour=${1:-}
flavours=$top/kernel/flavours
names=$(awk '!/^#/ && NF { printf "%s%s", sep, $1; sep = "|" }' "$flavours")
[ -n "$flavour" ] || die "usage: kernel/build.sh [--key|--where|--checks|--arch] $names"
row=$(awk -v f="$flavour" '!/^#/ && $1 == f { $1 = ""; print; found = 1; exit } END { exit !found }' "$flavours") ||
	die "no flavour '$flavour' in kernel/flavours ($names)"

arch=x86_64 series=yes family=std checks='' base=''
fragments=("$top/Kconfig.fragment")
for field in $row; do
	value=${field#*=}
	case $field in
	series=yes|series=no) series=$value ;;
	arch=x86_64|arch=arm64) arch=$value ;;
	fragment=?*)
		[ -f "$top/kernel/configs/$value.fragment" ] || die "$flavour: no kernel/configs/$value.fragment"
		fragments+=("$top/kernel/configs/$value.fragment")
		;;
	objects=?*) family=$value ;;
	checks=*) checks=$value ;;
	base=?*) base=$value ;;
	*) die "kernel/flavours: $flavour: cannot read '$field'" ;;
	esac
done
[ -z "$base" ] || "$top/kernel/base.sh" --list | grep -qxF "$base" ||
	die "$flavour: no base '$base' in kernel/bases"
# --checks, --arch: what the flavour's guests must be able to run and
# what they run on (matrix.sh).
if [ "$checks_only" = 1 ]; then echo "$checks"; exit 0; fi
if [ "$arch_only" = 1 ]; then echo "$arch"; exit 0; fi

cross='' target=bzImage image=arch/x86/boot/bzImage
if [ $arch = arm64 ]; then
	cross=aarch64-linux-gnu- target=Image image=arch/arm64/boot/Image
	# Kconfig.fragment less what exists only on x86: the same guest
	# otherwise, so that the suite's results can be compared.
	mkdir -p "$cache/tmp"
	grep -vE '^CONFIG_(KERNEL_GZIP|ACPI|SERIAL_8250|SERIAL_8250_CONSOLE|RTC_CLASS|IOMMU_SUPPORT|INTEL_IOMMU|INTEL_IOMMU_DEFAULT_OFF)=' \
		"$top/Kconfig.fragment" > "$cache/tmp/Kconfig.fragment.arm64"
	fragments[0]=$cache/tmp/Kconfig.fragment.arm64
fi
# Only the pinned base (kernel/bases: the flavour's base=, else the first
# row), checked by version and sha256.
if [ -n "$base" ]; then export PMDZERO_BASE=$base; else unset PMDZERO_BASE; fi
tarball=$("$top/kernel/base.sh" tarball) || die "no usable base (the line above says why)"
base=$("$top/kernel/base.sh" --field base) || exit 1
pkgver=$("$top/kernel/base.sh" --field version) || exit 1
series_file=$top/kernel/$("$top/kernel/base.sh" --field series) || exit 1

patches=()
if [ $series = yes ]; then
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		p=$(dirname "$series_file")/patches/$p
		[ -f "$p" ] || die "${series_file#"$top"/} names missing ${p#"$top"/}"
		patches+=("$p")
	done < "$series_file"
	for p in ${PMDZERO_EXTRA_PATCHES:-}; do
		[ -f "$p" ] || die "PMDZERO_EXTRA_PATCHES names missing $p"
		patches+=("$(cd "$(dirname "$p")" && pwd)/$(basename "$p")")
	done
fi

# A source tree per set of patches; extracted once, never modified after.
if [ ${#patches[@]} -eq 0 ]; then
	srcname=stock
else
	# Hash the diffs only: a reworded commit message builds the same kernel.
	srcname=patched-$(sed -n '/^diff --git /,/^-- $/p' "${patches[@]}" |
		grep -v '^index ' | sha256sum | cut -c1-12)
fi
src=$cache/src/$pkgver-$srcname
mkdir -p "$cache/src"
exec 8> "$src.lock"
flock 8
if [ ! -f "$src/.pmdzero-ready" ]; then
	say "extracting $tarball into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	for p in "${patches[@]}"; do
		say "applying $(basename "$p")"
		patch -d "$src.tmp" -p1 -F0 -N -s --no-backup-if-mismatch < "$p" ||
			die "$(basename "$p") does not apply cleanly"
	done
	touch "$src.tmp/.pmdzero-ready"
	mv "$src.tmp" "$src"
fi
flock -u 8

# Object trees are reused across builds of the same source and family, so
# toggling one option rebuilds only what depends on it.
# The default base's trees keep their old names; another base's are
# prefixed with it (its stock tree is not the default's).
obj=$cache/obj/$srcname-$family
[ "$base" = "$("$top/kernel/base.sh" --list | head -n1)" ] || obj=$cache/obj/$base-$srcname-$family
mkdir -p "$obj"
if [ $where_only = 1 ]; then echo "$src $obj"; exit 0; fi
kmake() { make -C "$src" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross" -j"$jobs" "$@"; }
# One build at a time per object tree: a second caller (make test's
# background builds and a matrix run, say) waits, then finds it cached.
exec 9> "$obj.lock"
flock 9

say "$flavour: configuring in $obj"
kmake -s tinyconfig >/dev/null
# merge_config.sh makes its temporary files in the current directory:
# the object tree's, not the caller's (a repository checkout, say).
(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}" >/dev/null)
kmake -s olddefconfig >/dev/null

# Every requested value must be in the final config, except symbols the tree
# does not have at all (the stock tree knows nothing of the series).  A later
# fragment overrides an earlier one, as merge_config.sh does.
check_config() {
	local config=$1 rc=0 line sym val want have
	local -A wanted=()
	local -a order=()
	shift
	for frag in "$@"; do
		while IFS= read -r line; do
			case $line in CONFIG_*=*) ;; *) continue ;; esac
			sym=${line%%=*}
			[ -n "${wanted[$sym]+set}" ] || order+=("$sym")
			wanted[$sym]=${line#*=}
		done < "$frag"
	done
	for sym in "${order[@]}"; do
		val=${wanted[$sym]}
		want=$sym=$val
		[ "$val" = n ] && want="# $sym is not set"
		have=$(grep -E "^($sym=|# $sym is not set)" "$config" || true)
		[ "$have" = "$want" ] && continue
		[ "$val" = n ] && [ -z "$have" ] && continue
		if [ -z "$have" ] && ! grep -rqs --include='Kconfig*' \
				-E "^(menu)?config ${sym#CONFIG_}\$" "$src"; then
			say "note: $sym does not exist in this tree, skipped"
			continue
		fi
		say "config mismatch: wanted '$want', got '${have:-nothing}'"
		rc=1
	done
	return $rc
}
check_config "$obj/.config" "${fragments[@]}" || die "$flavour: the fragment did not apply"

# The cache key: what the build is made of, the source (package version and
# patches), the final .config and the compiler, not how it was configured.
key=$({
	echo "$pkgver $srcname $flavour $arch"
	"${cross}gcc" --version | head -n1
	cat "$obj/.config"
} | sha256sum | cut -c1-16)
if [ $key_only = 1 ]; then echo "$key"; exit 0; fi
out=$cache/kernels/$flavour-$key
if [ -f "$out/done" ]; then
	say "$flavour: cached in $out"
	echo "$out"
	exit 0
fi

log=$cache/logs/$flavour-$key.log
mkdir -p "$(dirname "$log")"
start=$(date +%s)
say "$flavour: building $target with $jobs jobs (log: $log)"
kmake "$target" > "$log" 2>&1 || { tail -n 30 "$log" >&2; die "$flavour kernel failed to build"; }
if grep -E '(^|[^a-z])(warning|error):' "$log" | grep -v '^make' >&2; then
	die "$flavour: the build printed warnings"
fi
mkdir -p "$out"
cp "$obj/$image" "$out/$target"
cp "$obj/.config" "$out/config"
# Modules go to the guest as a cpio appended to the initramfs
# (tests/vm/run-vm.sh): the kernel unpacks concatenated archives.
if grep -q '^CONFIG_MODULES=y' "$obj/.config"; then
	say "$flavour: building modules"
	kmake modules >> "$log" 2>&1 || { tail -n 30 "$log" >&2; die "$flavour modules failed to build"; }
	if grep -E '(^|[^a-z])(warning|error):' "$log" | grep -v '^make' >&2; then
		die "$flavour: the module build printed warnings"
	fi
	rm -rf "$obj/.modules"
	kmake -s INSTALL_MOD_PATH="$obj/.modules" modules_install >> "$log" 2>&1 ||
		die "$flavour: modules_install failed"
	(cd "$obj/.modules" && find . -print0 | cpio --null -o -H newc --quiet) > "$out/modules.cpio"
fi
echo "$pkgver" > "$out/source-version"
echo $(( $(date +%s) - start )) > "$out/build-seconds"
touch "$out/done"
say "$flavour: built in $(cat "$out/build-seconds")s, cached in $out"
echo "$out"
