#!/bin/bash
# The Debian system image of the real-machine path (kernel/README.md, "On a
# real machine"): bookworm from Debian's archive with mmdebstrap, the
# packages of tests/image/packages, booted under QEMU through its own
# initramfs and systemd.
#
#   tests/image/mkimage.sh base
#       build (or reuse) the base tree: print its directory.  Cached under
#       $PMDZERO_CACHE/image/base-KEY, KEY a hash of the package list and
#       of this recipe; the tree's dpkg-query listing is in
#       base-KEY/packages.txt
#   tests/image/mkimage.sh image [--deb FILE]... [--add DIR:PATH]... OUTDIR
#       the base tree, plus pmdzero (make install) and the kernel packages
#       given, installed with dpkg inside it so that Debian's hooks build
#       each initramfs, and each DIR copied to PATH in the image (the
#       built blktests and fstests checkouts of make external), as one
#       ext4 disk image OUTDIR/root.img (made with
#       mke2fs -d: nothing is mounted on the host); each kernel and its
#       initramfs are copied to OUTDIR/boot/ for QEMU's -kernel/-initrd,
#       and OUTDIR/packages.txt lists the image's package versions
#   tests/image/mkimage.sh --check
#       the recipe's own checks, no network: the package list parses, pins
#       Debian's kernel at kernel/bases' 6.12 version, and names no package
#       twice (make test runs this)
#
# In the image, pmdzero-run.service runs tests/image/guest-run.sh at boot
# when the kernel command line says pmdzero.run=WHAT, writes what it made
# as a tar archive to the disk whose serial is "results", and powers off
# (tests/image/boot.sh drives it).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/image
cache=${PMDZERO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmdzero}
suite=bookworm
mirror=http://deb.debian.org/debian
mirror_security=http://deb.debian.org/debian-security
root_label=pmdzero-root
# Another package list, for tests/image/check.sh only.
packages_file=${PMDZERO_IMAGE_PACKAGES:-$here/packages}
image_size=6G

die() { echo "mkimage.sh: $*" >&2; exit 1; }
say() { echo "mkimage.sh: $*" >&2; }
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

# The package list without comments, one per line.
package_list() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$packages_file" | grep -v '^$' || true; }

check_list() {
	local pin want dup
	[ -n "$(package_list)" ] || die "tests/image/packages lists no package"
	dup=$(package_list | sed 's/=.*//' | sort | uniq -d)
	[ -z "$dup" ] || die "tests/image/packages names $dup twice"
	want=$("$top/kernel/base.sh" --base 6.12 --field version)
	pin=$(package_list | sed -n 's/^linux-image-[0-9.]*+deb[0-9]*-amd64=//p')
	[ -n "$pin" ] || die "tests/image/packages pins no Debian linux-image-6.12*-amd64 (name=version)"
	[ "$pin" = "$want" ] ||
		die "tests/image/packages pins Debian's kernel at $pin, kernel/bases' 6.12 base is $want: move both together"
	package_list | grep '^linux-image-' | grep -qF "${want%%-*}+deb" ||
		die "tests/image/packages: the linux-image package's name does not carry $want's upstream version"
}

# The base tree.  Everything that shapes it is in this function and the
# package list: both are in the cache key.
base_build() { # DIR
	local dir=$1 pkgs
	pkgs=$(package_list | paste -sd, -)
	# --variant=apt: Essential and apt, then exactly the list (no
	# Recommends).  The customize hooks run in the finished tree.
	mmdebstrap --mode=root --variant=apt --include="$pkgs" \
		--aptopt='APT::Install-Recommends "false"' \
		--customize-hook='echo pmdzero-image > "$1/etc/hostname"' \
		--customize-hook="printf 'LABEL=$root_label / ext4 defaults 0 1\n' > \"\$1/etc/fstab\"" \
		--customize-hook='chroot "$1" passwd -d root' \
		--customize-hook='for t in apt-daily apt-daily-upgrade e2scrub_all fstrim; do ln -sf /dev/null "$1/etc/systemd/system/$t.timer"; done' \
		--customize-hook='chroot "$1" dpkg-query -W > "$1/.packages.txt"' \
		"$suite" "$dir" \
		"deb $mirror $suite main" "deb $mirror $suite-updates main" \
		"deb $mirror_security $suite-security main"
}

base() {
	local key dir log t0
	check_list
	command -v mmdebstrap > /dev/null || die "mmdebstrap missing (apt-get install mmdebstrap; make deps-image)"
	key=$( { package_list; declare -f base_build; echo "$suite $mirror $mirror_security $root_label"; } |
		sha256sum | cut -c1-16)
	dir=$cache/image/base-$key
	if [ -f "$dir/ready" ]; then
		echo "$dir"
		return
	fi
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	log=$dir.tmp/mmdebstrap.log
	say "building the base tree (bookworm, $(package_list | wc -l) packages listed) into $dir; log $log"
	t0=$(date +%s)
	base_build "$dir.tmp/root" > "$log" 2>&1 || { tail -n 20 "$log" >&2; die "mmdebstrap failed (log: $log)"; }
	mv "$dir.tmp/root/.packages.txt" "$dir.tmp/packages.txt"
	echo "$(( $(date +%s) - t0 ))" > "$dir.tmp/seconds"
	du -sb "$dir.tmp/root" | cut -f1 > "$dir.tmp/bytes"
	touch "$dir.tmp/ready"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	# The tree's paths moved with the rename; nothing in it records them.
	say "base tree built in $(cat "$dir/seconds")s, $(( $(cat "$dir/bytes") >> 20 )) MiB"
	echo "$dir"
}

# in_root DIR CMD...: CMD chrooted into DIR, with /proc, /sys and /dev
# mounted in a mount namespace of its own (gone when CMD ends).
in_root() {
	local dir=$1
	shift
	unshare --mount --propagation private bash -c '
		d=$1; shift
		mount -t proc proc "$d/proc" && mount -t sysfs sys "$d/sys" &&
		mount --rbind /dev "$d/dev" && exec chroot "$d" "$@"' in_root "$dir" "$@"
}

image() {
	local debs=() adds=() outdir basedir root t0 v a
	while [ $# -gt 0 ]; do
		case $1 in
		--deb) [ -r "${2:-}" ] || die "--deb: cannot read '${2:-}'"; debs+=("$(realpath "$2")"); shift 2 ;;
		--add)
			[[ ${2:-} == ?*:/?* ]] || die "--add takes DIR:/PATH, not '${2:-}'"
			[ -d "${2%%:*}" ] || die "--add: no directory '${2%%:*}'"
			adds+=("$2"); shift 2 ;;
		-*) die "image: unknown option $1" ;;
		*) break ;;
		esac
	done
	[ $# = 1 ] || die "usage: mkimage.sh image [--deb FILE]... [--add DIR:PATH]... OUTDIR"
	outdir=$1
	basedir=$(base)
	t0=$(date +%s)
	mkdir -p "$outdir"
	outdir=$(realpath "$outdir")
	root=$outdir/root.tmp
	rm -rf "$root" "$outdir/boot" "$outdir/root.img"
	cp -a "$basedir/root" "$root"
	# pmdzero itself, as make install puts it on a machine.
	make -s -C "$top" install PREFIX=/usr/local DESTDIR="$root" > "$outdir/install.log" 2>&1 ||
		{ tail -n 20 "$outdir/install.log" >&2; die "make install into the image failed"; }
	mkdir -p "$root/usr/local/lib/pmdzero-image" "$root/usr/local/share/pmdzero"
	install -m 0755 "$here/guest-run.sh" "$root/usr/local/lib/pmdzero-image/run"
	install -m 0755 "$top/fio-jobs/bench-host.sh" "$root/usr/local/lib/pmdzero-image/bench-host"
	cp -r "$top/fio-jobs" "$root/usr/local/share/pmdzero/"
	# run-fio.sh's preload for the kernel zeroing sections, where it looks.
	install -D -m 0755 "$top/build/default/fio-kernel-zero.so" "$root/usr/lib/pmdzero/fio-kernel-zero.so"
	install -m 0644 "$here/pmdzero-run.service" "$root/etc/systemd/system/"
	ln -sf ../pmdzero-run.service "$root/etc/systemd/system/multi-user.target.wants/pmdzero-run.service"
	if [ ${#debs[@]} -gt 0 ]; then
		mkdir -p "$root/tmp/debs"
		cp "${debs[@]}" "$root/tmp/debs/"
		# dpkg runs the packages' hooks: /etc/kernel/postinst.d builds the
		# initramfs with Debian's initramfs-tools, as apt would.
		in_root "$root" sh -c 'dpkg -i /tmp/debs/*.deb' > "$outdir/dpkg.log" 2>&1 ||
			{ tail -n 20 "$outdir/dpkg.log" >&2; die "dpkg -i of the kernel packages failed in the image"; }
		rm -rf "$root/tmp/debs"
	fi
	for a in "${adds[@]}"; do
		mkdir -p "$root${a#*:}"
		cp -a "${a%%:*}/." "$root${a#*:}/"
	done
	in_root "$root" dpkg-query -W > "$outdir/packages.txt"
	mkdir -p "$outdir/boot"
	for v in "$root"/boot/vmlinuz-*; do
		v=${v##*/vmlinuz-}
		[ -f "$root/boot/initrd.img-$v" ] || die "kernel $v has no initramfs in the image's /boot (dpkg.log)"
		cp "$root/boot/vmlinuz-$v" "$root/boot/initrd.img-$v" "$root/boot/config-$v" "$outdir/boot/"
	done
	rm -f "$outdir/root.img"
	mke2fs -q -t ext4 -L "$root_label" -d "$root" "$outdir/root.img" "$image_size" ||
		die "mke2fs -d failed"
	rm -rf "$root"
	say "image $outdir/root.img ($(( $(du -k "$outdir/root.img" | cut -f1) >> 10 )) MiB used of $image_size) in $(( $(date +%s) - t0 ))s; kernels: $(cd "$outdir/boot" && ls vmlinuz-* | sed 's/vmlinuz-//' | paste -sd' ')"
}

case ${1:-} in
base) shift; [ $# = 0 ] || die "base takes no argument"; base ;;
image) shift; image "$@" ;;
--check) check_list; echo "mkimage.sh: the package list is sound ($(package_list | wc -l) packages)" ;;
-h|--help) usage ;;
*) usage >&2; exit 2 ;;
esac
