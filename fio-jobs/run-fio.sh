#!/bin/bash
# Run fio jobs against one block device, each wrapped in `pmdzero trace`,
# and keep fio's JSON together with the bio and request counts of the same
# run: OUTDIR/<section>-bs<bs>-qd<iodepth>-size<size>.json holds
# {"section", "zeroing", "bs", "iodepth", "size", "fio": <fio
# --output-format=json>, "trace": <pmdzero trace --json>}, so that runs
# with other sizes or depths in the same OUTDIR do not overwrite each
# other.  At the end, a table on stdout: one line per run with fio's
# bandwidth, IOPS, completion latency and CPU beside the bios and requests.
#
# Two kinds of section ("zeroing" in the JSON):
#   write    zero-write.fio: user-space writes of zeroed buffers (io_uring,
#            libaio, psync; small or huge-page buffers)
#   kernel   zero-kernel.fio: the kernel zeroes, one BLKZEROOUT (ioctl) or
#            FALLOC_FL_ZERO_RANGE (fallocate) per fio write, through fio's
#            falloc engine and fio-kernel-zero.so; always queue depth 1, and
#            the JSON's "calls" is checked to be one call per write
#
#   fio-jobs/run-fio.sh [options] DEVICE
#
#   -o, --outdir DIR      where the results go (default ./fio-results)
#   -s, --size SIZE       bytes written per job (default 1g)
#   -b, --bs LIST         block sizes, comma-separated (default 128k,512k,2m,8m)
#   -q, --iodepth N       queue depth of the write sections (default 16)
#   -j, --jobs LIST       sections of zero-write.fio and zero-kernel.fio
#                         (default: all of both)
#   -f, --force           run on a device that holds a partition table or a
#                         file system signature (its data is destroyed anyway)
#   -h, --help
#
# It refuses a device in use (mounted, held, swap) or read-only always, and
# a device with a signature unless forced: the checks of `pmdzero zero`.
# Huge page sections reserve BS x IODEPTH of 2 MiB pages in vm.nr_hugepages
# and mount hugetlbfs if needed; the old reservation is restored on exit.
# Works in the pmdzero guest and on a real machine.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
outdir=./fio-results size=1g bslist=128k,512k,2m,8m iodepth=16 force=0
jobs=uring-small,uring-small-fixed,uring-huge,uring-huge-fixed,uring-huge-fixed-regfiles,libaio-small,libaio-huge,psync,ioctl,fallocate

# The help is this file's leading comment block, whatever its length.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "run-fio.sh: $*" >&2; exit 1; }

opts=$(getopt -o o:s:b:q:j:fh -l outdir:,size:,bs:,iodepth:,jobs:,force,help -n run-fio.sh -- "$@") ||
	{ echo "Try 'run-fio.sh --help' for more information." >&2; exit 1; }
eval set -- "$opts"
while true; do
	case $1 in
	-o|--outdir) outdir=$2; shift 2 ;;
	-s|--size) size=$2; shift 2 ;;
	-b|--bs) bslist=$2; shift 2 ;;
	-q|--iodepth) iodepth=$2; shift 2 ;;
	-j|--jobs) jobs=$2; shift 2 ;;
	-f|--force) force=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	esac
done
[ $# -eq 1 ] || { usage >&2; exit 1; }
dev=$1

[ -b "$dev" ] || die "$dev: not a block device"
command -v fio >/dev/null || die "fio is not installed"
command -v jq >/dev/null || die "jq is not installed (it joins fio's JSON and the counts)"
# shellcheck source=fio-jobs/device.sh
. "$here/device.sh"
device_pmdzero "$here"

# to_bytes SIZE [COUNT]: 128k, 2m, 1g, 2MiB, 1.5M ... (times COUNT) in bytes,
# as pmdzero reads sizes, which is as util-linux reads them (k, m, g: powers
# of 1024; kB, MB: of 1000).  fio gets the bytes.
to_bytes() {
	"$pmdzero" size -n "${2:-1}" "$1" 2>/dev/null || die "bad size '$1'"
}

IFS=, read -r -a sections <<< "$jobs"
IFS=, read -r -a sizes <<< "$bslist"
# Every argument is checked before the first job runs.
to_bytes "$size" > /dev/null
[[ $iodepth =~ ^[1-9][0-9]*$ ]] || die "bad queue depth '$iodepth'"
for bs in "${sizes[@]}"; do
	to_bytes "$bs" > /dev/null
done
# section_file SECTION: the job file that has it.
section_file() {
	local f
	for f in "$here/zero-write.fio" "$here/zero-kernel.fio"; do
		grep -q "^\[$1\]" "$f" && { echo "$f"; return 0; }
	done
	return 1
}
kernel_sections=0
for section in "${sections[@]}"; do
	f=$(section_file "$section") ||
		die "no section [$section] in zero-write.fio or zero-kernel.fio"
	[[ $f == */zero-kernel.fio ]] && kernel_sections=1
done
# The kernel sections need the preload: $PMDZERO_FIO_PRELOAD, else the
# guest's, else beside the pmdzero in use, else this tree's build.  Each
# is named after a pmdzero engine of class "kernel", as pmdzero says.
if [ $kernel_sections = 1 ]; then
	preload=${PMDZERO_FIO_PRELOAD:-}
	for p in /usr/lib/pmdzero/fio-kernel-zero.so "$(dirname "$pmdzero")/fio-kernel-zero.so" \
		 "$here/../build/default/fio-kernel-zero.so"; do
		[ -n "$preload" ] || [ ! -f "$p" ] || preload=$p
	done
	if [ -z "$preload" ] || [ ! -f "$preload" ]; then
		die "fio-kernel-zero.so not found (make userspace, or set PMDZERO_FIO_PRELOAD)"
	fi
	kernel_engines=$("$pmdzero" engines --json | jq -r '.engines[] | select(.class == "kernel") | .name') ||
		die "cannot list pmdzero's engines"
	for section in "${sections[@]}"; do
		[[ $(section_file "$section") == */zero-kernel.fio ]] || continue
		grep -qx "$section" <<< "$kernel_engines" ||
			die "[$section] in zero-kernel.fio is not a kernel engine of pmdzero (${kernel_engines//$'\n'/ })"
	done
fi

# Safety first, before any I/O (fio-jobs/device.sh says what is refused).
device_check "$dev" "$(to_bytes "$size")" "$size" "$force"

mkdir -p "$outdir"
results=()
hugedir=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
old_huge=$(cat /proc/sys/vm/nr_hugepages)
mounted_huge=
cleanup() {
	echo "$old_huge" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
	[ -z "$mounted_huge" ] || umount "$mounted_huge" 2>/dev/null || true
}
trap cleanup EXIT

for section in "${sections[@]}"; do
	for bs in "${sizes[@]}"; do
		if [[ $section == *huge* ]]; then
			if [ -z "$hugedir" ]; then
				hugedir=$(mktemp -d)
				mount -t hugetlbfs none "$hugedir" || die "cannot mount hugetlbfs"
				mounted_huge=$hugedir
			fi
			# Each job buffer is BS x IODEPTH, in 2 MiB pages, plus slack.
			need=$(( $("$pmdzero" size -n "$iodepth" --pages 2M "$bs") + 4 ))
			echo $(( old_huge + need )) > /proc/sys/vm/nr_hugepages
			[ "$(cat /proc/sys/vm/nr_hugepages)" -ge $(( old_huge + need )) ] ||
				die "cannot reserve $need huge pages for $section bs=$bs (memory too fragmented or too small)"
		fi
		jobfile=$(section_file "$section")
		qd=$iodepth zeroing=write preload_env=()
		if [[ $jobfile == */zero-kernel.fio ]]; then
			qd=1 zeroing=kernel
			rm -f "$outdir/.calls"
			preload_env=(LD_PRELOAD="$preload" PMDZERO_FIO_ZERO="$section"
			     PMDZERO_FIO_ZERO_OUT="$outdir/.calls")
		fi
		out=$outdir/$section-bs$bs-qd$qd-size$size.json
		echo "run-fio.sh: $section bs=$bs iodepth=$qd size=$size on $dev" >&2
		# Bytes, so that fio writes what pmdzero (util-linux) reads: fio
		# itself takes 1kb as 1024 and refuses 1.5M.  The preload goes
		# to fio only, not to the tracer.
		DEV=$dev SIZE=$(to_bytes "$size") BS=$(to_bytes "$bs") IODEPTH=$qd \
			HUGEDIR=${hugedir:-/dev/hugepages} \
			"$pmdzero" trace "$dev" --json --output "$outdir/.trace.json" -- \
			env "${preload_env[@]}" fio --output-format=json --output="$outdir/.fio.json" \
			--section="$section" "$jobfile" ||
			die "$section bs=$bs failed (fio output: $outdir/.fio.json)"
		calls=null
		if [ $zeroing = kernel ]; then
			# One zeroing call per fio write, covering every byte: a
			# fio whose falloc engine sends something else fails here.
			calls=$(awk -F'[= ]' '{ c += $4; b += $6 } END { print c + 0, b + 0 }' \
				"$outdir/.calls" 2>/dev/null) || calls="0 0"
			read -r ncalls nbytes <<< "$calls"
			writes=$(jq '[.jobs[].write.total_ios] | add' "$outdir/.fio.json")
			if [ "$nbytes" != "$(to_bytes "$size")" ] || [ "$ncalls" != "$writes" ]; then
				die "$section bs=$bs: fio made $writes writes, fio-kernel-zero.so turned $ncalls calls" \
				    "($nbytes of $(to_bytes "$size") bytes) into kernel zeroing; is this fio's falloc" \
				    "engine sending fallocate(fd, 0, ...) for writes? ($(fio --version))"
			fi
			calls=$ncalls
		fi
		jq -n --arg section "$section" --arg zeroing "$zeroing" --arg bs "$bs" \
			--argjson iodepth "$qd" --arg size "$size" --argjson calls "$calls" \
			--slurpfile fio "$outdir/.fio.json" --slurpfile trace "$outdir/.trace.json" \
			'{section: $section, zeroing: $zeroing, bs: $bs, iodepth: $iodepth, size: $size,
			  calls: $calls, fio: $fio[0], trace: $trace[0].trace[0]}' > "$out" ||
			die "$section bs=$bs: cannot combine fio's JSON with the trace"
		rm -f "$outdir/.fio.json" "$outdir/.trace.json" "$outdir/.calls"
		results+=("$out")
	done
done
echo "run-fio.sh: results in $outdir" >&2

# The table: fio's figures of the write job, the counts of the same run.
# Latency is completion latency (clat), submission to completion.
{
	echo "SECTION BS QD SIZE MiB/s IOPS CLAT-P50-us CLAT-P99-us USR% SYS% BIOS REQUESTS"
	for f in "${results[@]}"; do
		jq -r '.fio.jobs[0] as $j | $j.write as $w |
			[.section, .bs, .iodepth, .size,
			 ($w.bw_bytes / 1048576 * 10 | round / 10),
			 ($w.iops | round),
			 (($w.clat_ns.percentile["50.000000"] // 0) / 1000 | round),
			 (($w.clat_ns.percentile["99.000000"] // 0) / 1000 | round),
			 ($j.usr_cpu * 10 | round / 10), ($j.sys_cpu * 10 | round / 10),
			 .trace.bios, .trace.requests] | map(tostring) | join(" ")' "$f" ||
			die "$f: unreadable"
	done
} | awk '# columns aligned (column(1) is not in every guest)
	{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) }
	  if (NF > n) n = NF }
	END { for (r = 1; r <= NR; r++) {
		line = ""
		for (i = 1; i <= n; i++) line = line sprintf("%-" (w[i] + 2) "s", c[r, i])
		sub(/ +$/, "", line); print line } }'
