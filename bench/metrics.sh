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
"$T/gobpftool" prog metrics listen "127.0.0.1:$port" 2>/tmp/bench-metrics.log &
exp=$!
# Stop the exporter before hold_programs' cleanup waits for its loader.
eval "$(trap -p EXIT | sed "s/^trap -- '/trap -- 'kill \$exp; wait \$exp 2>\/dev\/null; /")"
until curl -sf -o /dev/null "$url"; do sleep 0.1; done

rss() { awk '/^VmRSS/ {print $2}' "/proc/$exp/status"; }
# cpu is the exporter's user+system time in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$exp/stat"; }
median() { sort -n | awk '{t[NR] = $1} END {print (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2)}'; }
programs=$(curl -s "$url" | awk '/^bpf_progs\{/ {n += $2} END {print n}')
plain=$(curl -s -o /dev/null -w '%{size_download}' "$url")
gzip=$(curl -s --compressed -o /dev/null -w '%{size_download}' "$url")
for i in 1 2 3 4 5; do curl -s -o /dev/null "$url"; done
cpu0=$(cpu)
times=$(for i in $(seq "$S"); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n)
cpu1=$(cpu)
# As Prometheus scrapes: asking for gzip.
gztimes=$(for i in $(seq "$S"); do curl -s --compressed -o /dev/null -w '%{time_total}\n' "$url"; done | sort -n)
gzmedian=$(echo "$gztimes" | median | awk '{print $1 * 1000}')
median=$(echo "$times" | median | awk '{print $1 * 1000}')
min=$(echo "$times" | head -1 | awk '{print $1 * 1000}')
max=$(echo "$times" | tail -1 | awk '{print $1 * 1000}')
echo "programs loaded: $programs"
echo "scrape over loopback, $S scrapes: median ${median} ms (min ${min}, max ${max})"
echo "scrape asking for gzip, $S scrapes: median ${gzmedian} ms (min $(echo "$gztimes" | head -1 | awk '{print $1 * 1000}'), max $(echo "$gztimes" | tail -1 | awk '{print $1 * 1000}'))"
echo "exposition: ${plain} bytes, ${gzip} bytes gzip"
echo "exporter CPU per scrape: $(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) / S )) ms"
# The floor: the same facts gathered by prog show, a process per run.
show=$(for i in $(seq 11); do /usr/bin/time -f %e "$T/gobpftool" prog show 2>&1 >/dev/null; done | median)
echo "prog show of the same programs, median of 11: $(echo "$show" | awk '{print $1 * 1000}') ms"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average: $load"

echo "RSS (KiB) after scrapes: 0: $(rss)"
step=$((R >= 5 ? R / 5 : 1))
for i in $(seq "$R"); do
	curl -s -o /dev/null "$url"
	[ $((i % step)) -ne 0 ] || echo "  $i: $(rss)"
done
