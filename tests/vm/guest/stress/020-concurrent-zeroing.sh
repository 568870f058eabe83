#!/bin/bash
# DESCRIPTION: issue 14 part 2, concurrency.  Each round fills a 128 MiB
# memory-backed null_blk (no Write Zeroes) with a position-dependent,
# never-zero pattern (a new one every round), then fourteen processes zero
# fourteen disjoint ranges of it at once, every zeroing engine there is
# (pmdzero's ioctl, fallocate, uring, uring --vectored, uring-fallocate in
# one SQE and in 1 MiB chunks, aio, aio --vectored, psync, psync
# --vectored, psync with 7.5 KiB writes, auto; blkdiscard -z; fallocate -z),
# the engines rotating over the ranges from round to round.  Offsets and
# lengths are multiples of the 512-byte logical block and never of 2 MiB;
# some ranges are under 4 KiB, some span four or five 2 MiB boundaries, and
# at least one block of pattern separates neighbours.  Meanwhile one process
# cycles /sys/kernel/mm/transparent_hugepage/enabled through always, madvise
# and never, and another maps and unmaps the huge zero folio (huge-zero-map)
# in a loop.  After each round, one pass over the device: every range zero,
# every other byte this round's pattern (zpattern check).  The ranges, their
# engines and the seed are in the log.
#
# 021-concurrent-zeroing-pressure runs this script with STRESS_PRESSURE=1:
# the same under memory pressure, a memhog holding all but 384 MiB of
# MemAvailable and churning 2 MiB chunks, mixed huge and small pages, while
# another process compacts (/proc/sys/vm/compact_memory) and drops caches,
# which also runs the shrinkers (the thp-zero one frees the huge zero folio
# of a stock kernel).
. /pmdzero/lib.sh

pressure=${STRESS_PRESSURE:-0}
part=concurrency
label=concurrency
[ "$pressure" = 1 ] && label="concurrency under memory pressure"
rounds=$(soak 3)
lbs=512
size_mib=128
bytes=$((size_mib * MiB))
seed0=$((1000 * (pressure + 1)))
name=conc$pressure
thp=/sys/kernel/mm/transparent_hugepage/enabled
tmp=/tmp/cz$pressure
mkdir -p $tmp

# Zeroing commands; each gets "-o OFFSET -l LENGTH DEVICE".  pmdzero runs
# with --force: only the first opener can have the device exclusively.
specs=(
	"pmdzero zero -f -J --quiet -e ioctl"
	"pmdzero zero -f -J --quiet -e fallocate"
	"pmdzero zero -f -J --quiet -e uring"
	"pmdzero zero -f -J --quiet -e uring --vectored"
	"pmdzero zero -f -J --quiet -e uring-fallocate"
	"pmdzero zero -f -J --quiet -e uring-fallocate -b 1M -q 4"
	"pmdzero zero -f -J --quiet -e aio"
	"pmdzero zero -f -J --quiet -e aio --vectored"
	"pmdzero zero -f -J --quiet -e psync"
	"pmdzero zero -f -J --quiet -e psync --vectored"
	"pmdzero zero -f -J --quiet -e psync -b 7680"
	"pmdzero zero -f -J --quiet -e auto"
	"blkdiscard -f -z"
	"fallocate -z"
)
nspecs=${#specs[@]}

t0=$EPOCHREALTIME
cases=0 verified=0 corrupt=0 zeroed=0
hog_pid=
thp_orig=
cleanup() {
	bg_loops_kill
	[ -n "$hog_pid" ] && kill -KILL $hog_pid 2>/dev/null
	[ -n "$thp_orig" ] && echo "$thp_orig" > $thp
	nullb_destroy $name
}
trap cleanup EXIT

vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# make_ranges SEED: nspecs disjoint ranges of the device, "OFFSET LENGTH" a
# line, in order, one in each nspecs-th of the device: offsets and lengths
# multiples of lbs and never of 2 MiB, at least one block of pattern before
# and after each; by kind (the range's number plus the seed, modulo 4): under
# 4 KiB, up to 2 MiB, or nearly the whole slot (four or five 2 MiB
# boundaries).  RANDOM seeded: the same ranges for the same seed.
make_ranges() {
	local slot room i base lead blocks off len pmd=$((2 * MiB))
	RANDOM=$1
	slot=$((bytes / nspecs))
	slot=$((slot - slot % lbs))
	room=$((slot / lbs))
	for ((i = 0; i < nspecs; i++)); do
		base=$((i * slot))
		lead=1
		((RANDOM % 2)) && lead=$((1 + RANDOM % (room / 8)))
		case $(((i + $1) % 4)) in
		0) blocks=$((1 + RANDOM % (lbs < 4096 ? 4096 / lbs - 1 : 3))) ;;
		1) blocks=$((1 + RANDOM % (pmd / lbs))) ;;
		*) blocks=$((room - lead - 1 - RANDOM % (room / 16 + 1))) ;;
		esac
		((lead + blocks + 1 > room)) && blocks=$((room - lead - 1))
		off=$((base + lead * lbs)) len=$((blocks * lbs))
		((off % pmd == 0)) && off=$((off + lbs))
		((len % pmd == 0)) && len=$((len - lbs))
		((off + len + lbs > base + slot)) && len=$((base + slot - lbs - off))
		((len % pmd == 0)) && len=$((len - lbs))
		echo "$off $len"
	done
}

# stop_background: the loops finish their round and are gone (a killed
# loop's subshell used to leave its huge-zero-map running into what came
# next), then the memhog.
stop_background() {
	local name
	for name in thp map compact; do
		bg_loop_stop $name
	done
	if [ -n "$hog_pid" ]; then
		kill $hog_pid 2>/dev/null
		wait_until 60 "memhog (pid $hog_pid) to exit after SIGTERM" pid_gone $hog_pid
		wait $hog_pid 2>/dev/null
		hog_pid=
	fi
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# finish RC [WHY]: stop the background, print the figure, the DATA line, exit.
finish() {
	local rc=$1 secs toggles hog=
	shift
	stop_background
	[ -n "$thp_orig" ] && echo "$thp_orig" > $thp
	# Leaks: with everything stopped (null on a kernel without kmemleak).
	kmemleak_end
	[ "$leaks" = null ] || [ "$leaks" = 0 ] ||
		{ [ "$rc" = 0 ] && set -- "kmemleak found $leaks unreferenced objects"; rc=1; }
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	toggles=$(cat $tmp/toggles 2>/dev/null || echo 0)
	read -r m_huge m_small m_other m_err < $tmp/maps 2>/dev/null ||
		m_huge=0 m_small=0 m_other=0 m_err=0
	if [ "$pressure" = 1 ]; then
		hog="; $(tail -n 1 $tmp/memhog.log 2>/dev/null); compact_memory written $(cat $tmp/compactions 2>/dev/null || echo 0) times"
		hog+=", compact_migrate_scanned +$(( $(vmstat compact_migrate_scanned) - cms0 ))"
		hog+=", compact_isolated +$(( $(vmstat compact_isolated) - ci0 ))"
		hog+=", thp_fault_fallback +$(( $(vmstat thp_fault_fallback) - tff0 ))"
	fi
	echo "$label: $cases ranges in $round_done rounds by $nspecs engines, $zeroed bytes zeroed," \
		"$verified bytes verified, $corrupt corrupt; THP mode switched $toggles times;" \
		"huge-zero-map: $m_huge huge zero, $m_small small zero, $m_other other, $m_err errors;" \
		"thp_zero_page_alloc +$(( $(vmstat thp_zero_page_alloc) - tzpa0 ))$hog; $leaks leaks; ${secs}s"
	stress_data $part $cases $verified 0 $corrupt $leaks
	[ "$rc" = 0 ] || fail "$*"
	exit 0
}

kmemleak_begin
tzpa0=$(vmstat thp_zero_page_alloc)
cms0=$(vmstat compact_migrate_scanned) ci0=$(vmstat compact_isolated) tff0=$(vmstat thp_fault_fallback)
round_done=0

dev=$(nullb_create $name size=$size_mib memory_backed=1 blocksize=$lbs) ||
	fail "cannot create memory-backed null_blk"
q=$(sysblock "$dev")/queue
expect_eq "$(basename "$dev") write_zeroes_max_bytes" "$(cat $q/write_zeroes_max_bytes)" 0
expect_eq "$(basename "$dev") logical_block_size" "$(cat $q/logical_block_size)" $lbs
# Every page of the device allocated now, before any memory pressure: a
# memory-backed null_blk allocates on first write and fails the I/O if it
# cannot.
zpattern fill "$dev" $seed0 > /dev/null || fail "cannot fill $dev"

# The THP mode switcher, one switch a round (bg_loop_start runs the rounds
# in a background loop of its own process group).
thp_orig=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
thp_modes=(always madvise never) thp_n=0
thp_round() {
	echo ${thp_modes[thp_n % 3]} > $thp
	thp_n=$((thp_n + 1))
	echo $thp_n > $tmp/toggles
	sleep 0.$((RANDOM % 3 + 1))
}
bg_loop_start thp thp_round

# The huge zero folio, mapped and unmapped in a loop; one in four holds the
# mapping for a second.  huge-zero-map fails (exit 2) if a fresh anonymous
# page reads non-zero.
map_huge=0 map_small=0 map_other=0 map_err=0 map_n=0
map_round() {
	local out
	if out=$(huge-zero-map $((map_n % 4 == 3)) 2>&1); then
		case $out in
		huge-zero) map_huge=$((map_huge + 1)) ;;
		zero) map_small=$((map_small + 1)) ;;
		*) map_other=$((map_other + 1)) ;;
		esac
	else
		map_err=$((map_err + 1))
		echo "$out" >> $tmp/map-errors
	fi
	map_n=$((map_n + 1))
	echo "$map_huge $map_small $map_other $map_err" > $tmp/maps
}
bg_loop_start map map_round

if [ "$pressure" = 1 ]; then
	memhog -c -p 90 -r 384 > $tmp/memhog.log 2>&1 &
	hog_pid=$!
	hog_up() { grep -q '^memhog: ready' $tmp/memhog.log || ! kill -0 $hog_pid 2>/dev/null; }
	# 600 s: filling all but 384 MiB under TCG took over 120 s on a host
	# at load 13 (2 CPUs); only a hang should reach the bound.
	poll_until 600 "memhog to be ready" hog_up || finish 1 "$timed_out"
	grep -q '^memhog: ready' $tmp/memhog.log || finish 1 "memhog ended: $(cat $tmp/memhog.log)"
	cat $tmp/memhog.log
	compact_n=0
	compact_round() {
		echo 1 > /proc/sys/vm/compact_memory
		compact_n=$((compact_n + 1))
		echo $compact_n > $tmp/compactions
		[ $((compact_n % 4)) = 0 ] && echo 3 > /proc/sys/vm/drop_caches
		sleep 0.2
	}
	bg_loop_start compact compact_round
fi

# stopped PID: PID is stopped (SIGSTOP), as each zeroer stops itself.
stopped() { local st; read -r _ _ st _ 2>/dev/null < /proc/$1/stat && [ "$st" = T ]; }

for ((round = 1; round <= rounds; round++)); do
	seed=$((seed0 + round))
	zpattern fill "$dev" $seed > /dev/null || finish 1 "round $round: cannot fill $dev"
	make_ranges $seed > $tmp/ranges
	# Every zeroer is started stopped, and all are let go at once.
	pids=() offs=() lens=() engs=()
	i=0
	while read -r off len; do
		e=$(((i + round) % nspecs))
		# shellcheck disable=SC2086
		(kill -STOP $BASHPID; exec ${specs[e]} -o $off -l $len "$dev") < /dev/null > $tmp/z.$i.out 2>&1 &
		pids+=($!) offs+=("$off") lens+=("$len") engs+=("$e")
		i=$((i + 1))
	done < $tmp/ranges
	# All of them stopped, or the CONT below would reach some before
	# their STOP, which then stops them for good.
	for p in "${pids[@]}"; do
		poll_until 60 "zeroer $p to stop itself before the start" stopped $p && continue
		kill -KILL "${pids[@]}" 2>/dev/null
		finish 1 "round $round: $timed_out"
	done
	kill -CONT "${pids[@]}"
	bad=
	for ((i = 0; i < ${#pids[@]}; i++)); do
		if ! wait_exit 300 "'${specs[engs[i]]}' ${offs[i]}+${lens[i]} to finish" "${pids[i]}"; then
			kill -KILL "${pids[@]}" 2> /dev/null
			finish 1 "round $round: $timed_out"
		fi
		rc=$exit_rc
		spec=${specs[engs[i]]}
		cases=$((cases + 1)) zeroed=$((zeroed + lens[i]))
		if [ $rc != 0 ]; then
			bad+="; '$spec' ${offs[i]}+${lens[i]} exit $rc: $(tail -n 2 $tmp/z.$i.out | tr '\n' ' ')"
			continue
		fi
		case $spec in
		pmdzero*)
			got=$(jq -r '.zero[0].bytes' < $tmp/z.$i.out 2>/dev/null)
			[ "$got" = "${lens[i]}" ] ||
				bad+="; '$spec' ${offs[i]}+${lens[i]} reported $got bytes"
			;;
		esac
	done
	# The ranges and who zeroed them, for the log.
	for ((i = 0; i < ${#pids[@]}; i++)); do
		echo "round $round: ${offs[i]} +${lens[i]}: ${specs[engs[i]]}"
	done > $tmp/who
	zargs=()
	for ((i = 0; i < ${#pids[@]}; i++)); do
		zargs+=(-z "${offs[i]}:${lens[i]}")
	done
	out=$(zpattern check "$dev" $seed "${zargs[@]}")
	rc=$?
	echo "round $round (seed $seed): $(head -n 1 <<< "$out")"
	[ $rc -le 1 ] || finish 1 "round $round: zpattern check failed (exit $rc): $out"
	for kv in $out; do
		case $kv in
		verified=*) verified=$((verified + ${kv#*=})) ;;
		corrupt=*) c=${kv#*=} corrupt=$((corrupt + c)) ;;
		first_bad=*) first_bad=${kv#*=} ;;
		esac
	done
	round_done=$round
	if [ $rc = 1 ]; then
		echo "$out"
		cat $tmp/who
		# Which range, or which gap, the first bad byte is in.
		where="before the first range"
		for ((i = 0; i < ${#pids[@]}; i++)); do
			if [ "$first_bad" -ge "${offs[i]}" ] && [ "$first_bad" -lt $((offs[i] + lens[i])) ]; then
				where="inside ${offs[i]} +${lens[i]} (${specs[engs[i]]})"
			elif [ "$first_bad" -ge $((offs[i] + lens[i])) ]; then
				where="in the pattern after ${offs[i]} +${lens[i]} (${specs[engs[i]]})"
			fi
		done
		finish 1 "round $round: $c corrupt bytes, the first at $first_bad, $where"
	fi
	[ -z "$bad" ] || { cat $tmp/who; finish 1 "round $round: ${bad#; }"; }
done

read -r _ _ _ m_err < $tmp/maps 2>/dev/null
[ "${m_err:-0}" = 0 ] || finish 1 "huge-zero-map failed $m_err times: $(head -n 3 $tmp/map-errors)"
if [ "$pressure" = 1 ]; then
	kill -0 $hog_pid 2>/dev/null || finish 1 "memhog died during the rounds: $(tail -n 2 $tmp/memhog.log)"
	! dmesg | grep -qiE 'out of memory|oom-kill' || finish 1 "the OOM killer ran: $(dmesg | grep -iE 'out of memory|oom-kill' | head -n 2)"
fi
finish 0
