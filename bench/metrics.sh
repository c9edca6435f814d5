#!/usr/bin/env bash
# Benchmark of issue 12: `prog metrics listen` over N loaded programs.
# Scrapes /metrics with curl over loopback: the median time of a scrape
# and the exposition's size (plain and gzip), then the exporter's RSS over
# RSS_SCRAPES scrapes, which must stay flat.
# Usage (root): bench/metrics.sh [N [SCRAPES [RSS_SCRAPES]]]
N=${1:-10000}
S=${2:-50}
R=${3:-1000}
source "$(dirname "$0")/common.sh"
hold_programs -n "$N"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port/metrics
/tmp/gobpftool-bench prog metrics listen "127.0.0.1:$port" 2>/tmp/bench-metrics.log &
exp=$!
# Stop the exporter before hold_programs' cleanup waits for its loader.
eval "$(trap -p EXIT | sed "s/^trap -- '/trap -- 'kill \$exp; wait \$exp 2>\/dev\/null; /")"
until curl -sf -o /dev/null "$url"; do sleep 0.1; done

rss() { awk '/^VmRSS/ {print $2}' "/proc/$exp/status"; }
programs=$(curl -s "$url" | awk '/^bpf_progs\{/ {n += $2} END {print n}')
plain=$(curl -s -o /dev/null -w '%{size_download}' "$url")
gzip=$(curl -s --compressed -o /dev/null -w '%{size_download}' "$url")
for i in 1 2 3 4 5; do curl -s -o /dev/null "$url"; done
times=$(for i in $(seq "$S"); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n)
median=$(echo "$times" | awk '{t[NR] = $1} END {print (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2) * 1000}')
min=$(echo "$times" | head -1 | awk '{print $1 * 1000}')
max=$(echo "$times" | tail -1 | awk '{print $1 * 1000}')
echo "programs loaded: $programs"
echo "scrape over loopback, $S scrapes: median ${median} ms (min ${min}, max ${max})"
echo "exposition: ${plain} bytes, ${gzip} bytes gzip"

echo "RSS (KiB) after scrapes: 0: $(rss)"
step=$((R >= 5 ? R / 5 : 1))
for i in $(seq "$R"); do
	curl -s -o /dev/null "$url"
	[ $((i % step)) -ne 0 ] || echo "  $i: $(rss)"
done
