#!/usr/bin/env bash
# The cost of `prog top` with N programs loaded (default 10,000): the
# interactive view's CPU share over SECS seconds (default 10), from
# /proc/PID/stat, in a tmux terminal of 100x30; its resident memory at the
# start and end of that window; and batch mode's CPU time per sample.
# Paths are its own, so it can run beside the other bench scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:/usr/sbin:$PATH
N=${N:-10000}
SECS=${SECS:-10}
dir=$(mktemp -d /tmp/gobpftool-topbench.XXXXXX)
CGO_ENABLED=0 go build -o "$dir/gobpftool" ./cmd/gobpftool
go build -o "$dir/loadprogs" ./bench/loadprogs
session=gobpftool-topbench-$$
mkfifo "$dir/hold"
"$dir/loadprogs" -n "$N" < "$dir/hold" > "$dir/loadprogs.out" &
exec 3>"$dir/hold"
trap 'tmux kill-session -t $session 2>/dev/null || true; exec 3>&-; wait; rm -rf "$dir"' EXIT
until grep -q ready "$dir/loadprogs.out" 2>/dev/null; do sleep 0.2; done
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

tmux new-session -d -s "$session" -x 100 -y 30 "$dir/gobpftool prog top"
sleep 3 # the first samples, the BTF and iterator set-up
pid=$(pgrep -f -n "^$dir/gobpftool prog top")
t0=$(ticks "$pid"); r0=$(rss "$pid")
sleep "$SECS"
t1=$(ticks "$pid"); r1=$(rss "$pid")
tmux send-keys -t "$session" q
awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECS" -v n="$N" -v r0="$r0" -v r1="$r1" 'BEGIN {
	printf "interactive, %d programs, 1 s interval: %.2f%% of one core over %d s; RSS %d kB -> %d kB\n",
		n, (b - a) / hz / s * 100, s, r0, r1 }'

samples=10
/usr/bin/time -f "%U %S %M" -o "$dir/time" "$dir/gobpftool" prog top interval 0.1 count $samples > /dev/null
awk -v n="$samples" -v p="$N" '{ printf "batch, %d programs: %.1f ms of CPU per sample (%d samples, max RSS %d kB)\n",
	p, ($1 + $2) * 1000 / n, n, $3 }' "$dir/time"
