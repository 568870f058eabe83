#!/bin/bash
# The bench for the running kernel: the zeroing scenarios of `make bench`
# on a real device of this machine, on whatever kernel it booted.  Boot
# stock, run it; boot patched, run it; then --compare turns the two runs
# into the summary.md, summary.json and figures `make bench` writes.
# Wall clock moves with what else the machine does: boot each kernel
# again and give --compare every pair (stock, patched, in the order
# given), and the ratios become a median and range over the pairs.
#
#   fio-jobs/bench-host.sh [options] DEVICE
#   fio-jobs/bench-host.sh --compare STOCK_DIR PATCHED_DIR [STOCK_DIR PATCHED_DIR ...] OUTDIR
#
#   -o, --outdir DIR      where the run goes (default ./bench-host-LABEL)
#   -l, --label NAME      the kernel's name in the run (default uname -r)
#   -s, --size SIZE       bytes zeroed by each run of a row (default 1g;
#                         at most the device's size)
#   -r, --runs N          timed runs of each row (default 5)
#       --no-fio          leave out the fio rows (fio-jobs/run-fio.sh)
#   -f, --force           a device holding a partition table or a file
#                         system signature (its data is destroyed anyway)
#   -h, --help
#
# Rows: blkdiscard -z and fallocate --zero-range over the first SIZE bytes,
# as users zero a range; with fio, the kernel zeroing sections of
# zero-kernel.fio (one BLKZEROOUT or fallocate per write, 2 MiB writes) and
# an io_uring zero-write section, through run-fio.sh.  For each row: the
# bios and requests of one traced run (pmdzero trace), then RUNS untraced
# runs, each timed (wall) and costed in CPU: the busy time of every CPU
# while it ran, from /proc/stat (interrupts and softirqs included, where
# completions run), and, where `perf stat -a -e instructions` works here,
# the machine's instructions.  OUTDIR/host.data holds the records in the
# bench's format (fio-jobs/report.py), OUTDIR/host what the run was.
#
# Refused before any I/O: a device mounted, held (device-mapper, md),
# used as swap or read-only; a SIZE larger than the device; a signature
# unless forced.  The first SIZE bytes of the device are destroyed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# In the Debian image the script is installed apart from its directory.
[ -f "$here/run-fio.sh" ] || here=/usr/local/share/pmdzero/fio-jobs
outdir= label= size=1g runs=5 fio=1 force=0

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "bench-host.sh: $*" >&2; exit 1; }
say() { echo "bench-host.sh: $*" >&2; }

# --compare STOCK PATCHED [STOCK PATCHED ...] OUT: the runs as one report,
# a pair per stock and patched run, as make bench pairs its wall boots.
compare() {
	local out=${!#} raw k dir i j n label kernel
	local -a dirs=("${@:1:$#-1}") labels=()
	local -A first=() kernels=()
	for dir in "${dirs[@]}"; do
		[ -f "$dir/host.data" ] && [ -f "$dir/host" ] || die "$dir is not a bench-host.sh run (no host.data or host)"
	done
	n=${#dirs[@]}
	for ((i = 0; i < n; i++)); do
		dir=${dirs[i]}
		label=$(sed -n 's/^label: //p' "$dir/host")
		kernel=$(sed -n 's/^kernel: //p' "$dir/host")
		for ((j = 0; j < i; j++)); do
			[ "${labels[j]}" != "$label" ] ||
				die "${dirs[j]} and $dir: both runs are labelled $label: give each run its own --label"
		done
		labels+=("$label")
		# The stock runs must be of one kernel, and the patched runs.
		k=$( ((i % 2)) && echo patched || echo stock)
		if [ -z "${first[$k]:-}" ]; then
			first[$k]=$dir kernels[$k]=$kernel
		elif [ "${kernels[$k]}" != "$kernel" ]; then
			die "$dir runs $kernel, ${first[$k]} runs ${kernels[$k]}: the $k runs must be of one kernel"
		fi
	done
	raw=$out/raw
	mkdir -p "$raw"
	: > "$raw/all.data"
	{
		echo "kind: host (fio-jobs/bench-host.sh): $((n / 2)) pair(s) of runs on the running kernels"
		echo "pairs: $((n / 2))"
		for k in stock patched; do
			sed "s/^/${k}_/" "${first[$k]}/host"
		done
	} > "$raw/host"
	# A "boot" per run, named by its label, in the order given.
	for ((i = 0; i < n; i++)); do
		dir=${dirs[i]}
		k=$( ((i % 2)) && echo patched || echo stock)
		jq -n --rawfile h "$dir/host" --arg k "$k" --argjson o $((i + 1)) '
			def field($name): $h | split("\n") | map(select(startswith($name + ": "))) | .[0][($name | length) + 2:];
			{boot: field("label"), kernel: $k, mode: "host", order: $o,
			 seconds: (field("seconds") | tonumber)}'
		jq -c --arg k "$k" '. + {kernel: $k}' "$dir/host.data" >> "$raw/all.data"
	done | jq -s . > "$raw/boots.json"
	python3 "$here/report.py" "$raw" "$out"
}

if [ "${1:-}" = --compare ]; then
	shift
	[ $# -ge 3 ] && [ $((($# - 1) % 2)) = 0 ] ||
		die "usage: bench-host.sh --compare STOCK_DIR PATCHED_DIR [STOCK_DIR PATCHED_DIR ...] OUTDIR"
	compare "$@"
	exit
fi

opts=$(getopt -o o:l:s:r:fh -l outdir:,label:,size:,runs:,no-fio,force,help -n bench-host.sh -- "$@") ||
	{ echo "Try 'bench-host.sh --help' for more information." >&2; exit 2; }
eval set -- "$opts"
while true; do
	case $1 in
	-o|--outdir) outdir=$2; shift 2 ;;
	-l|--label) label=$2; shift 2 ;;
	-s|--size) size=$2; shift 2 ;;
	-r|--runs) runs=$2; shift 2 ;;
	--no-fio) fio=0; shift ;;
	-f|--force) force=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	esac
done
[ $# = 1 ] || { usage >&2; exit 2; }
dev=$1
label=${label:-$(uname -r)}
[[ $label =~ ^[A-Za-z0-9._+-]+$ ]] || die "--label takes letters, digits and ._+- only, not '$label'"
outdir=${outdir:-./bench-host-$label}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs takes a positive number, not '$runs'"
for tool in jq blkdiscard fallocate; do
	command -v $tool > /dev/null || die "$tool is not installed"
done
[ $fio = 0 ] || command -v fio > /dev/null || die "fio is not installed (or --no-fio)"
# shellcheck source=fio-jobs/device.sh
. "$here/device.sh"
device_pmdzero "$here"
[ -b "$dev" ] || die "$dev: not a block device"
bytes=$("$pmdzero" size "$size" 2> /dev/null) || die "bad size '$size'"

[ $((bytes % 4096)) = 0 ] || die "--size $size is not a multiple of 4096 bytes"
# run-fio.sh's checks (fio-jobs/device.sh), before any I/O.
device_check "$dev" "$bytes" "$size" "$force"

mkdir -p "$outdir"
data=$outdir/host.data
: > "$data"
name=$(basename "$dev")
model=$(cat "/sys/class/block/$name/device/model" 2> /dev/null | sed 's/ *$//' || true)
devlabel="${model:-$name} ($name)"
perf_ok=0
if command -v perf > /dev/null && perf stat -a -x, -e instructions -- true 2>&1 | grep -q '^[0-9]*,,instructions'; then
	perf_ok=1
fi
t_start=$(date +%s)
{
	echo "label: $label"
	echo "kernel: $(uname -r)"
	echo "kernel_version: $(uname -v)"
	echo "device: $dev"
	echo "device_label: $devlabel"
	echo "write_zeroes_max_bytes: $(probe_field write_zeroes_max_bytes)"
	echo "max_sectors_kb: $(cat "/sys/class/block/$name/queue/max_sectors_kb" 2> /dev/null)"
	echo "size: $bytes"
	echo "runs: $runs"
	echo "perf_instructions: $( [ $perf_ok = 1 ] && echo yes || echo "no (perf stat -a -e instructions does not work here)")"
	echo "static_folio: $(dmesg 2> /dev/null | grep -o 'static PMD zero folio: [0-9]* KiB' | head -n1)"
	echo "cpus: $(nproc)"
	echo "cpu_model: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "pmdzero: $("$pmdzero" --version 2>&1 | head -n1)"
	echo "fio: $(fio --version 2> /dev/null || echo none)"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$outdir/host"

# The fields every record of a row carries (fio-jobs/report.py).
row() { # SCENARIO HEADLINE ZEROING
	jq -nc --arg s "$1" --argjson h "$2" --arg z "$3" --arg d "$name" --arg l "$devlabel" \
		--argjson b "$bytes" --arg boot "$label" \
		'{scenario: $s, headline: $h, zeroing: $z, device: $d, device_label: $l,
		  device_kind: "device", bytes: $b, boot: $boot}'
}
# busy_jiffies: every CPU's non-idle time so far, in USER_HZ ticks.
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
hz=$(getconf CLK_TCK)

meminfo() {
	awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } /^MemFree:/ { f = $2 }
		END { printf "{\"mem_total_kib\":%d,\"mem_available_kib\":%d,\"mem_free_kib\":%d}\n", t, a, f }' /proc/meminfo
}
jq -c --arg boot "$label" '. + {kind: "meminfo", boot: $boot}' <<< "$(meminfo)" >> "$data"

# measure SCENARIO HEADLINE CMD...: counts from one traced run, then the
# timed runs.
measure() {
	local scenario=$1 headline=$2 fields trace i t0 t1 j0 j1 runs_json=() instr=() pf=$outdir/.perf wrap=()
	shift 2
	fields=$(row "$scenario" "$headline" kernel)
	say "$scenario: counting"
	trace=$("$pmdzero" trace "$dev" --writes --json -- "$@") || die "$scenario: '$*' failed under pmdzero trace"
	jq -c --argjson f "$fields" '.trace[0] as $t | $f + {kind: "counts", bios: $t.bios,
		requests: $t.requests, splits: $t.splits, merges: $t.merges, bio_bytes: $t.bio_bytes}' \
		<<< "$trace" >> "$data"
	# shellcheck disable=SC2054 # -x, is perf's field separator, one word
	[ $perf_ok = 0 ] || wrap=(perf stat -a -x, -e instructions,cycles -o "$pf" --)
	for ((i = 1; i <= runs; i++)); do
		j0=$(busy_jiffies) t0=$(date +%s%N)
		"${wrap[@]}" "$@" || die "$scenario: '$*' failed"
		t1=$(date +%s%N) j1=$(busy_jiffies)
		if [ $perf_ok = 1 ]; then
			instr+=("$(awk -F, '$3 == "instructions" { print $1 }' "$pf")")
			rm -f "$pf"
		fi
		runs_json+=("{\"wall_ns\":$((t1 - t0)),\"cpu_ns\":$(( (j1 - j0) * 1000000000 / hz ))}")
		say "$scenario: run $i: $(( (t1 - t0) / 1000000 )) ms, CPU $(( (j1 - j0) * 1000 / hz )) ms"
	done
	jq -c --argjson f "$fields" --argjson r "[$(IFS=,; echo "${runs_json[*]}")]" \
		'$f + {kind: "wall", runs: $r}' <<< '{}' >> "$data"
	if [ $perf_ok = 1 ]; then
		# The least of the runs, as the guest bench takes the least.
		jq -c --argjson f "$fields" --argjson n "$(printf '%s\n' "${instr[@]}" | sort -n | head -n1)" \
			'$f + {kind: "cost", ns: $n, method: "perf"}' <<< '{}' >> "$data"
	fi
}

measure blkdiscard-z true blkdiscard -z -o 0 -l "$bytes" "$dev"
measure fallocate-zero-range false fallocate -z -o 0 -l "$bytes" "$dev"

if [ $fio = 1 ]; then
	forceopt=()
	[ $force = 1 ] && forceopt=(--force)
	"$here/run-fio.sh" --outdir "$outdir/fio" --size "$bytes" --bs 2m \
		--jobs ioctl,fallocate,uring-small "${forceopt[@]}" "$dev" > "$outdir/fio.txt" ||
		die "run-fio.sh failed (its output: $outdir/fio.txt)"
	for f in "$outdir"/fio/*.json; do
		jq -c --arg d "$name" --arg l "$devlabel" --arg boot "$label" '
			.fio.jobs[0].write as $w |
			{scenario: ("fio-" + .section + "-" + .bs), headline: false, zeroing: .zeroing,
			 device: $d, device_label: $l, device_kind: "device",
			 bytes: ($w.io_bytes), boot: $boot} as $f |
			($f + {kind: "latency", ios: $w.total_ios,
			       clat_ns: {p50: $w.clat_ns.percentile["50.000000"],
			                 p99: $w.clat_ns.percentile["99.000000"],
			                 p99_9: $w.clat_ns.percentile["99.900000"]}}),
			($f + {kind: "counts", bios: .trace.bios, requests: .trace.requests,
			       splits: .trace.splits, merges: .trace.merges, bio_bytes: .trace.bio_bytes})' \
			"$f" >> "$data"
	done
fi
echo "seconds: $(( $(date +%s) - t_start ))" >> "$outdir/host"
say "$(wc -l < "$data") records in $data ($(( $(date +%s) - t_start ))s)"
