#!/usr/bin/env bash
# Issue 10's small cases: `prog show id N` and a listing on a system with
# few programs, this build against an earlier one (BASE, a git revision)
# and bpftool, in one hyperfine run. Run it on a machine where no one
# else holds programs: the listing shows all of them.
# Usage (root): bench/show_small.sh [BASE [N]]
BASE=${1:-760838d}
N=${2:-10}
source "$(dirname "$0")/common.sh"
old=$(mktemp -d)
git archive "$BASE" | tar -x -C "$old"
(cd "$old" && CGO_ENABLED=0 go build -o "$T/gobpftool-base" ./cmd/gobpftool)
rm -rf "$old"
hold_programs -n "$N"
id=$(bpftool prog show name bench_0000 | awk -F: 'NR==1 {print $1}')
G=$T/gobpftool O=$T/gobpftool-base
echo "programs loaded: $(bpftool prog show | grep -c '^[0-9]'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 10 --runs 100 --export-json $T/show-small.json \
	-n "bpftool prog show" "bpftool prog show" \
	-n "gobpftool prog show" "$G prog show" \
	-n "base prog show" "$O prog show" \
	-n "bpftool prog show id" "bpftool prog show id $id" \
	-n "gobpftool prog show id" "$G prog show id $id" \
	-n "base prog show id" "$O prog show id $id" >/dev/null
bench/medians.py $T/show-small.json
