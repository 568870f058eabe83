#!/bin/bash
# The arm64 user space of the arm64 guest: Debian's own arm64 packages,
# downloaded with a private apt state (the host's apt configuration and
# dpkg database are not touched: no foreign architecture is added) and
# unpacked into a directory that tests/vm/mkinitramfs.sh --arch arm64 packs.
# Cached under $PMDZERO_CACHE by the package list; prints the directory.
#
#   tests/vm/arm64-sysroot.sh
set -euo pipefail

# The shell and the tools the count tests drive (jq: their DATA records),
# and what they load.
packages=(busybox-static bash libtinfo6 libc6 coreutils libacl1 libattr1 libgmp10
	libselinux1 libpcre2-8-0 diffutils util-linux libblkid1 libmount1
	libsmartcols1 libuuid1 libcap-ng0 libsystemd0 libaudit1 libudev1 jq libjq1 libonig5)

cache=${PMDZERO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmdzero}
key=$(printf '%s\n' "${packages[@]}" | sha256sum | cut -c1-12)
root=$cache/arm64-sysroot/$key
if [ -f "$root/.ready" ]; then
	echo "$root"
	exit 0
fi

state=$cache/arm64-sysroot/apt
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/debs"
: > "$state/status"
apt=(-q -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
	-o "Dir::State::status=$state/status" -o APT::Architecture=arm64
	-o APT::Architectures::=arm64 -o APT::Sandbox::User=root)
echo "arm64-sysroot: fetching ${#packages[@]} arm64 packages from the host's Debian archive" >&2
apt-get "${apt[@]}" update > "$state/update.log" 2>&1 ||
	{ tail -n 5 "$state/update.log" >&2; exit 1; }
rm -f "$state/debs"/*.deb
(cd "$state/debs" && apt-get "${apt[@]}" download "${packages[@]}") > "$state/download.log" 2>&1 ||
	{ tail -n 5 "$state/download.log" >&2; exit 1; }

rm -rf "$root.tmp"
mkdir -p "$root.tmp"
for deb in "$state/debs"/*.deb; do
	dpkg-deb -x "$deb" "$root.tmp"
done
touch "$root.tmp/.ready"
rm -rf "$root"
mv "$root.tmp" "$root"
echo "$root"
