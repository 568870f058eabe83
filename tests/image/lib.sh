# shellcheck shell=bash
# Sourced by tests/image/realmachine.sh and tests/image/external.sh: the
# packaged kernels of the real-machine path, built one way for both.

img_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
img_cache=${PMDZERO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmdzero}
img_work=$img_cache/realmachine
# The Debian kernel the image boots first, as tests/image/packages pins it.
img_debian_kernel=$(sed -n 's/^linux-image-\([0-9.]*+deb[0-9]*-amd64\)=.*/\1/p' "$img_top/tests/image/packages")

# img_debs LSMOD [OPTION...]: kernel/deb.sh's packages of each OPTION
# (stock, on, off; default all three: stock, the series with the option on,
# and off), from Debian's configuration (the base image's /boot) trimmed to
# the modules of LSMOD, plus kernel/configs/realmachine.fragment, without
# debug info (cached by deb.sh).  Sets img_deb_args to "--deb FILE" pairs
# of their linux-image packages, in that order.
img_debs() {
	local lsmodfile=$1 base option flavour d n
	shift
	[ $# -gt 0 ] || set -- stock on off
	base=$("$img_top/tests/image/mkimage.sh" base) || return 1
	img_deb_args=()
	mkdir -p "$img_work"
	for option; do
		case $option in
		stock) flavour=stock ;;
		on) flavour=patched ;;
		off) flavour="option-off" ;;
		*) echo "tests/image/lib.sh: img_debs: stock, on or off, not '$option'" >&2; return 1 ;;
		esac
		"$img_top/kernel/deb.sh" --config "$base/root/boot/config-$img_debian_kernel" \
			--lsmod "$lsmodfile" --fragment "$img_top/kernel/configs/realmachine.fragment" \
			--no-debug-info --outdir "$img_work/debs-$flavour" "$flavour" > "$img_work/deb-$flavour.list" ||
			return 1
		n=${#img_deb_args[@]}
		while read -r d; do
			case $d in
			*/linux-image-*-dbg_*) ;;
			*/linux-image-*) img_deb_args+=(--deb "$d") ;;
			esac
		done < "$img_work/deb-$flavour.list"
		[ ${#img_deb_args[@]} = $((n + 2)) ] ||
			{ echo "tests/image/lib.sh: expected one linux-image package for $flavour: $(cat "$img_work/deb-$flavour.list")" >&2; return 1; }
	done
}

# img_kernel IMAGE_DIR OPTION: the release of the -pmdzero-OPTION kernel
# (stock, on, off) in the image's /boot.
img_kernel() {
	(cd "$1/boot" && ls vmlinuz-*-pmdzero-"$2") | sed 's/^vmlinuz-//'
}
