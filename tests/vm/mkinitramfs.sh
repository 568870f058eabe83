#!/bin/bash
# Build the guest initramfs: busybox for the shell, the real tools the suite
# and benchmark drive (copied with the shared libraries they load), our own
# binaries, the small C helpers of tests/vm/helpers, tests/vm/guest as
# /pmdzero, and the benchmark (fio-jobs/) with its scenarios as the suite
# /pmdzero/bench.  Uncompressed cpio: the guest kernel needs no decompressor and
# the host skips the compression time.
#
#   tests/vm/mkinitramfs.sh OUT.cpio [EXTRA_BINARY ...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: mkinitramfs.sh OUT.cpio [EXTRA_BINARY ...]}
shift
mkdir -p "$(dirname "$out")"
tools=(bash dd cmp fio jq mkfs.xfs xfs_io xfs_repair blkdiscard fallocate blktrace blkparse lsblk "$@")

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The guest tests' own helpers, built here with the project's warnings.
mkdir -p "$stage/.helpers"
for src in "$here"/helpers/*.c; do
	bin=$stage/.helpers/$(basename "$src" .c)
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$bin" "$src"
	tools+=("$bin")
done
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,mnt,root}
fio_jobs=$(cd "$here/../../fio-jobs" && pwd)
# The benchmark's timer of zeroing calls, preloaded into the tools it times.
mkdir -p "$stage/usr/lib/pmdzero"
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC \
	-o "$stage/usr/lib/pmdzero/zerotime.so" "$fio_jobs/scenarios/zerotime.c" -ldl

busybox=$(command -v busybox) || { echo "mkinitramfs: busybox missing" >&2; exit 1; }
case $(ldd "$busybox" 2>&1 || true) in
*'not a dynamic'*) ;;
*) echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2; exit 1 ;;
esac
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done

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

# Scripts say #!/bin/bash; busybox owns /bin here.
[ -e "$stage/bin/bash" ] || ln -s "$(command -v bash)" "$stage/bin/bash"

cp -r "$here/guest" "$stage/pmdzero"
cp -r "$fio_jobs" "$stage/pmdzero/fio-jobs"
cp -r "$fio_jobs/scenarios" "$stage/pmdzero/bench"
cp "$here/guest/init" "$stage/init"
chmod +x "$stage/init"

rm -rf "$stage/.helpers"
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1))" >&2
