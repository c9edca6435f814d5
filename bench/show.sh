#!/usr/bin/env bash
# Benchmark of issues 2 and 10: `prog show`, `-j prog show` and `-f prog
# show` on N loaded programs (every PIN_EVERY-th pinned), gobpftool against
# Debian's bpftool in one hyperfine run, repeated REPS times, then peak
# memory with GNU time.
# Usage (root): bench/show.sh [N [PIN_EVERY [RUNS [REPS]]]]
#   bench/show.sh 1000 10        # issue 2's setup
#   bench/show.sh 10000 1 10     # issue 10's worst case for -f: all pinned
# Other programs loaded on the machine are listed too; the script prints
# how many there were.
N=${1:-1000}
PIN_EVERY=${2:-10}
RUNS=${3:-30}
REPS=${4:-3}
source "$(dirname "$0")/common.sh"
pin=$(mktemp -d /sys/fs/bpf/benchXXXXXX)
hold_programs -n "$N" -pin "$pin" -pin-every "$PIN_EVERY"

G=$T/gobpftool B=bpftool
echo "programs loaded: $($B prog show | grep -c '^[0-9]'), pinned here: $(ls "$pin" | wc -l), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for rep in $(seq "$REPS"); do
	hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$T/show-$rep.json" \
		-n "bpftool prog show" "$B prog show" \
		-n "gobpftool prog show" "$G prog show" \
		-n "bpftool -j prog show" "$B -j prog show" \
		-n "gobpftool -j prog show" "$G -j prog show" \
		-n "bpftool -f prog show" "$B -f prog show" \
		-n "gobpftool -f prog show" "$G -f prog show" >/dev/null
	echo "repetition $rep (load average $(cut -d' ' -f1 /proc/loadavg)):"
	bench/medians.py "$T/show-$rep.json"
done
echo
echo "peak RSS (KiB), median of 5:"
for cmd in "$B prog show" "$G prog show" "$B -j prog show" "$G -j prog show" "$B -f prog show" "$G -f prog show"; do
	for i in 1 2 3 4 5; do /usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p | sed "s|^|$cmd: |"
done
echo
echo "runtime system calls of one gobpftool listing (perf stat):"
perf stat -x, -e syscalls:sys_enter_nanosleep,syscalls:sys_enter_futex,syscalls:sys_enter_bpf \
	$G prog show 2>&1 >/dev/null | cut -d, -f1,3
