#!/usr/bin/env bash
# Benchmark of issue 2: `prog show`, `-j prog show` and `-f prog show` on
# 1000 loaded programs (100 of them pinned), gobpftool against Debian's
# bpftool in one hyperfine run, then peak memory with GNU time.
# Usage (root): bench/show.sh [N]
N=${1:-1000}
source "$(dirname "$0")/common.sh"
pin=$(mktemp -d /sys/fs/bpf/benchXXXXXX)
hold_programs -n "$N" -pin "$pin"

G=/tmp/gobpftool-bench B=bpftool
hyperfine -N --warmup 5 --runs 60 --export-json /tmp/bench-show.json --export-markdown /tmp/bench-show.md \
	-n "bpftool prog show" "$B prog show" \
	-n "gobpftool prog show" "$G prog show" \
	-n "bpftool -j prog show" "$B -j prog show" \
	-n "gobpftool -j prog show" "$G -j prog show" \
	-n "bpftool -f prog show" "$B -f prog show" \
	-n "gobpftool -f prog show" "$G -f prog show"
cat /tmp/bench-show.md
bench/medians.py /tmp/bench-show.json
echo
echo "peak RSS (KiB), median of 5:"
for cmd in "$B prog show" "$G prog show" "$B -j prog show" "$G -j prog show" "$B -f prog show" "$G -f prog show"; do
	for i in 1 2 3 4 5; do /usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p | sed "s|^|$cmd: |"
done
