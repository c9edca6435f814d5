# Sourced by the benchmark scripts: tools, binaries, and a loader that
# holds its programs until the script exits.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:/usr/sbin:$PATH
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
CGO_ENABLED=0 go build -o /tmp/gobpftool-bench ./cmd/gobpftool
go build -o /tmp/loadprogs ./bench/loadprogs

# hold_programs ARGS... runs bench/loadprogs with ARGS, waits until it has
# loaded everything, and ends it (unloading all) when the script exits.
hold_programs() {
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	/tmp/loadprogs "$@" < "$fifo" > /tmp/loadprogs.out &
	exec 3>"$fifo"
	until grep -q ready /tmp/loadprogs.out 2>/dev/null; do sleep 0.2; done
	trap 'exec 3>&-; wait; rm -f "$fifo"; [ -z "${pin:-}" ] || rm -rf "$pin"' EXIT
}
