#!/bin/bash
# Build the guest initramfs: busybox for the shell, the real tools the suite
# and benchmark drive (copied with the shared libraries they load), our own
# binaries, the small C helpers of tests/vm/helpers, tests/vm/guest as
# /pmdzero, and the benchmark (fio-jobs/) with its scenarios as the suite
# /pmdzero/bench.  Uncompressed cpio: the guest kernel needs no decompressor and
# the host skips the compression time.
#
#   tests/vm/mkinitramfs.sh [--arch arm64] OUT.cpio [EXTRA_BINARY ...]
#
# --arch arm64: the arm64 guest's initramfs, from Debian's arm64 packages
# (tests/vm/arm64-sysroot.sh) and helpers built with the cross compiler:
# only what the count tests and KUnit need (bash, busybox, GNU dd, cmp,
# blkdiscard, fallocate); EXTRA_BINARY is refused there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
arch=x86_64
if [ "${1:-}" = --arch ]; then
	arch=${2:?--arch needs x86_64 or arm64}
	shift 2
fi
out=${1:?usage: mkinitramfs.sh [--arch arm64] OUT.cpio [EXTRA_BINARY ...]}
shift
mkdir -p "$(dirname "$out")"
case $arch in
x86_64)
	cc=${CC:-cc} sysroot=
	tools=(bash dd cmp fio jq mkfs.xfs xfs_io xfs_repair blkdiscard fallocate blktrace blkparse lsblk dmsetup
		mkfs.ext4 dumpe2fs e2fsck e4crypt "$@")
	;;
arm64)
	[ $# -eq 0 ] || { echo "mkinitramfs: --arch arm64 takes no extra binaries" >&2; exit 2; }
	cc=aarch64-linux-gnu-gcc
	sysroot=$("$here/arm64-sysroot.sh")
	tools=(bash dd cmp blkdiscard fallocate jq)
	;;
*) echo "mkinitramfs: unknown --arch $arch" >&2; exit 2 ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,mnt,root}
# The guest tests' own helpers, built here with the project's warnings.
mkdir -p "$stage/.helpers"
for src in "$here"/helpers/*.c; do
	bin=$stage/.helpers/$(basename "$src" .c)
	$cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$bin" "$src"
	if [ $arch = x86_64 ]; then
		tools+=("$bin")
	else
		cp "$bin" "$stage/usr/bin/"
	fi
done
fio_jobs=$(cd "$here/../../fio-jobs" && pwd)
# The benchmark's timer of zeroing calls, preloaded into the tools it times,
# and the preload that lets fio's falloc engine zero through the kernel.
if [ $arch = x86_64 ]; then
	mkdir -p "$stage/usr/lib/pmdzero"
	$cc -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC \
		-o "$stage/usr/lib/pmdzero/zerotime.so" "$fio_jobs/scenarios/zerotime.c" -ldl
	# fio driving the kernel's zeroing (fio-jobs/zero-kernel.fio).
	$cc -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC \
		-o "$stage/usr/lib/pmdzero/fio-kernel-zero.so" "$fio_jobs/fio-kernel-zero.c" -ldl
fi

copy_with_libs() { # path-in-host [dest-dir]
	local bin=$1 dest=${2:-} lib
	[ -n "$dest" ] || dest=$(dirname "$bin")
	mkdir -p "$stage$dest"
	cp -L "$bin" "$stage$dest/"
	for lib in $(ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*'); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

# arm64: the tools from the sysroot, every shared library of the sysroot
# (a few MiB), and a check that each binary finds what it loads.
copy_from_sysroot() {
	local t p d dir lib missing=0
	for t in "${tools[@]}"; do
		p=
		for d in usr/sbin usr/bin sbin bin; do
			[ -f "$sysroot/$d/$t" ] && { p=$d/$t; break; }
		done
		[ -n "$p" ] || { echo "mkinitramfs: $t is not in $sysroot" >&2; exit 1; }
		cp "$sysroot/$p" "$stage/$p"
	done
	for dir in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
		mkdir -p "$stage/$dir"
		find "$sysroot/$dir" -maxdepth 1 -name '*.so*' -exec cp -P {} "$stage/$dir/" \;
	done
	cp -P "$sysroot/lib/ld-linux-aarch64.so.1" "$stage/lib/"
	for p in "$stage"/{bin,sbin,usr/bin,usr/sbin}/*; do
		[ -f "$p" ] && [ ! -L "$p" ] || continue
		for lib in $(readelf -d "$p" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
			[ -e "$stage/lib/aarch64-linux-gnu/$lib" ] || [ -e "$stage/usr/lib/aarch64-linux-gnu/$lib" ] ||
				{ echo "mkinitramfs: ${p#"$stage"} needs $lib, not in the sysroot" >&2; missing=1; }
		done
	done
	[ $missing = 0 ] || exit 1
}

if [ $arch = arm64 ]; then
	copy_from_sysroot
	tools=()
fi
for t in "${tools[@]}"; do
	if [ -x "$t" ] && [[ $t == */* ]]; then
		copy_with_libs "$(readlink -f "$t")" /usr/bin
	elif p=$(command -v "$t"); then
		copy_with_libs "$(readlink -f "$p")" "$(dirname "$p")"
		[ "$(basename "$(readlink -f "$p")")" = "$t" ] ||
			ln -sf "$(basename "$(readlink -f "$p")")" "$stage$(dirname "$p")/$t"
	else
		echo "mkinitramfs: $t not found on the host" >&2
		exit 1
	fi
done

# busybox for the rest, after the tools so that it never stands in for one.
if [ $arch = arm64 ]; then
	busybox=$sysroot/bin/busybox
else
	busybox=$(command -v busybox) || { echo "mkinitramfs: busybox missing" >&2; exit 1; }
fi
case $(file -L "$busybox") in
*'statically linked'*) ;;
*) echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2; exit 1 ;;
esac
cp "$busybox" "$stage/bin/busybox"
# The applet list from the host's busybox: the arm64 one cannot run here,
# and the same Debian version offers the same applets.
for applet in $($(command -v busybox) --list); do
	[ -e "$stage/bin/$applet" ] || [ -e "$stage/usr/bin/$applet" ] || [ -e "$stage/sbin/$applet" ] ||
		ln -s busybox "$stage/bin/$applet"
done

# Scripts say #!/bin/bash; busybox owns /bin here.
[ -e "$stage/bin/bash" ] || ln -s "$(command -v bash)" "$stage/bin/bash"

cp -r "$here/guest" "$stage/pmdzero"
cp "$here/../kernel-splats" "$here/../kernel-splats.sh" "$stage/pmdzero/"
cp -r "$fio_jobs" "$stage/pmdzero/fio-jobs"
cp -r "$fio_jobs/scenarios" "$stage/pmdzero/bench"
cp "$here/guest/init" "$stage/init"
chmod +x "$stage/init"

rm -rf "$stage/.helpers"
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1))" >&2
