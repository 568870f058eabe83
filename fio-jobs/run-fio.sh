#!/bin/bash
# Run the zero-write fio jobs against one block device, each wrapped in
# `pmdzero trace`, and keep fio's JSON together with the bio and request
# counts of the same run: OUTDIR/<section>-bs<bs>-qd<iodepth>-size<size>.json
# holds {"section", "bs", "iodepth", "size", "fio": <fio
# --output-format=json>, "trace": <pmdzero trace --json>}, so that runs
# with other sizes or depths in the same OUTDIR do not overwrite each
# other.  At the end, a table on stdout: one line per run with fio's
# bandwidth, IOPS, completion latency and CPU beside the bios and requests.
#
#   fio-jobs/run-fio.sh [options] DEVICE
#
#   -o, --outdir DIR      where the results go (default ./fio-results)
#   -s, --size SIZE       bytes written per job (default 1g)
#   -b, --bs LIST         block sizes, comma-separated (default 128k,512k,2m,8m)
#   -q, --iodepth N       queue depth (default 16)
#   -j, --jobs LIST       sections of zero-write.fio (default: all)
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
jobfile=$here/zero-write.fio
outdir=./fio-results size=1g bslist=128k,512k,2m,8m iodepth=16 force=0
jobs=uring-small,uring-small-fixed,uring-huge,uring-huge-fixed,libaio-small,libaio-huge,psync

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
# $PMDZERO, else the installed one, else this tree's build.
pmdzero=${PMDZERO:-$(command -v pmdzero || true)}
if [ -z "$pmdzero" ] && [ -x "$here/../build/default/pmdzero" ]; then
	pmdzero=$here/../build/default/pmdzero
fi
[ -n "$pmdzero" ] || die "pmdzero is not installed (make userspace)"

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
for section in "${sections[@]}"; do
	grep -q "^\[$section\]" "$jobfile" || die "no section [$section] in $jobfile"
done

# Safety first, before any I/O, from pmdzero's own probe.  Always refused:
# mounted (the device or any of its partitions), used as swap ("mounted on
# [SWAP]"), held by device-mapper or md, read-only.  Refused unless forced:
# a file system or partition table signature (ambivalent ones included);
# forced, signatures do not matter and the device is not read at all.
# fio does not open with O_EXCL, so unlike `pmdzero zero` this cannot see
# a program that merely holds the device open exclusively.
probe_opts=--json
[ $force = 1 ] && probe_opts="--json --no-signatures"
# shellcheck disable=SC2086
probe=$("$pmdzero" probe $probe_opts "$dev") || die "$dev: cannot probe the device"
probe_field() { jq -r ".probe[0].$1 | if . == null then \"\" else tostring end" <<< "$probe"; }
[ "$(probe_field mounted)" = true ] && die "$dev is in use: mounted on $(probe_field mountpoint)"
[ "$(probe_field holders)" = 0 ] || die "$dev is in use: held by $(probe_field holders) other device(s) (device-mapper, md)"
[ "$(probe_field read_only)" = false ] || die "$dev is read-only"
# fio would quietly write only what fits.
devsize=$(probe_field size)
[ "$(to_bytes "$size")" -le "$devsize" ] ||
	die "--size $size ($(to_bytes "$size") bytes) is larger than $dev ($devsize bytes)"
if [ $force = 0 ]; then
	for sig in fs_type pt_type; do
		v=$(probe_field $sig)
		[ -z "$v" ] || die "$dev holds a $v signature; use --force to destroy it"
	done
fi

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
		out=$outdir/$section-bs$bs-qd$iodepth-size$size.json
		echo "run-fio.sh: $section bs=$bs iodepth=$iodepth size=$size on $dev" >&2
		# Bytes, so that fio writes what pmdzero (util-linux) reads: fio
		# itself takes 1kb as 1024 and refuses 1.5M.
		DEV=$dev SIZE=$(to_bytes "$size") BS=$(to_bytes "$bs") IODEPTH=$iodepth \
			HUGEDIR=${hugedir:-/dev/hugepages} \
			"$pmdzero" trace "$dev" --json --output "$outdir/.trace.json" -- \
			fio --output-format=json --output="$outdir/.fio.json" --section="$section" "$jobfile" ||
			die "$section bs=$bs failed (fio output: $outdir/.fio.json)"
		jq -n --arg section "$section" --arg bs "$bs" --argjson iodepth "$iodepth" \
			--arg size "$size" \
			--slurpfile fio "$outdir/.fio.json" --slurpfile trace "$outdir/.trace.json" \
			'{section: $section, bs: $bs, iodepth: $iodepth, size: $size, fio: $fio[0],
			  trace: $trace[0].trace[0]}' > "$out" ||
			die "$section bs=$bs: cannot combine fio's JSON with the trace"
		rm -f "$outdir/.fio.json" "$outdir/.trace.json"
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
