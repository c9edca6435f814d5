#!/usr/bin/env bash
# Benchmark of issue 3: `prog dump xlated` of a program of about 100,000
# instructions, gobpftool against Debian's bpftool in one hyperfine run,
# peak memory with GNU time, and the time of `prog dump jited`.
# Usage (root): bench/dump.sh [INSNS]
INSNS=${1:-100000}
source "$(dirname "$0")/common.sh"
hold_programs -insns "$INSNS"
id=$(bpftool prog show name bench_big | awk -F: 'NR==1 {print $1}')
G=$T/gobpftool
cmp <(bpftool prog dump xlated id "$id") <($G prog dump xlated id "$id") && echo "outputs identical"
hyperfine -N --warmup 2 --runs 20 --export-json $T/dump.json --export-markdown $T/dump.md \
	-n "bpftool prog dump xlated" "bpftool prog dump xlated id $id" \
	-n "gobpftool prog dump xlated" "$G prog dump xlated id $id" \
	-n "gobpftool prog dump jited" "$G prog dump jited id $id"
cat $T/dump.md
bench/medians.py $T/dump.json
echo "peak RSS (KiB), median of 5:"
for cmd in "bpftool prog dump xlated id $id" "$G prog dump xlated id $id" "$G prog dump jited id $id"; do
	for i in 1 2 3 4 5; do /usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p | sed "s|^|$cmd: |"
done
