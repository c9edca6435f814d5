# Sourced by the benchmark scripts: tools, binaries, and a loader that
# holds its programs until the script exits. Everything goes to a
# directory of this run ($T), so that runs of several people on one
# machine do not overwrite each other's binaries and results.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:/usr/sbin:$PATH
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
T=$(mktemp -d /tmp/gobpftool-bench.XXXXXX)
CGO_ENABLED=0 go build -o "$T/gobpftool" ./cmd/gobpftool
go build -o "$T/loadprogs" ./bench/loadprogs

# hold_programs ARGS... runs bench/loadprogs with ARGS, waits until it has
# loaded everything, and ends it (unloading all) when the script exits.
hold_programs() {
	fifo="$T/fifo"
	mkfifo "$fifo"
	"$T/loadprogs" "$@" < "$fifo" > "$T/loadprogs.out" &
	exec 3>"$fifo"
	until grep -q ready "$T/loadprogs.out" 2>/dev/null; do sleep 0.2; done
	trap 'exec 3>&-; wait; [ -z "${pin:-}" ] || rm -rf "$pin"; rm -rf "$T"' EXIT
}
