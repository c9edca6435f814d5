#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what the
# tests need (clang to build BPF programs, Debian's bpftool as the oracle,
# binutils' objdump for the JIT oracle, Prometheus and node_exporter for
# prog metrics), mounts bpffs and tracefs, checks
# formatting, vets and tests. Run as root: the kernel tests load programs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:/usr/sbin:/sbin:$PATH

need=()
command -v clang >/dev/null || need+=(clang llvm)
command -v bpftool >/dev/null || need+=(bpftool)
command -v objdump >/dev/null || need+=(binutils)
command -v hyperfine >/dev/null || need+=(hyperfine)
# prog top's interactive view is driven in a real terminal.
command -v tmux >/dev/null || need+=(tmux)
# promtool and the Prometheus server, node_exporter: prog metrics' tests.
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-node-exporter >/dev/null || need+=(prometheus-node-exporter)
[ -e /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
# BPF objects another project ships, for the loader's real-world test.
ls /usr/lib/*/bpf/xdp-dispatcher.o >/dev/null 2>&1 || need+=(libxdp1)
# Shell completion is tested in bash against bpftool's own completion;
# the man pages are checked with man --warnings.
[ -e /usr/share/bash-completion/bash_completion ] || need+=(bash-completion)
command -v man >/dev/null || need+=(man-db)
[ -e /usr/include/x86_64-linux-gnu/asm/types.h ] || [ "$(uname -m)" != x86_64 ] || need+=(linux-libc-dev)
if [ ${#need[@]} -gt 0 ]; then
	echo "installing: ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! grep -qs ' /sys/fs/bpf bpf ' /proc/mounts; then
	mount -t bpf bpf /sys/fs/bpf
fi
if ! grep -qsE ' /sys/kernel/(debug/)?tracing tracefs ' /proc/mounts; then
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi

unformatted=$(gofmt -l cmd internal bench 2>/dev/null || true)
if [ -n "$unformatted" ]; then
	echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi
go vet ./...
# Pinned: a newer staticcheck may add checks; bump it on purpose.
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
CGO_ENABLED=0 go build -o /dev/null ./cmd/gobpftool
# One package at a time: the kernel tests of several packages list and
# match programs by name, and must not see each other's.
go test -p 1 -count=1 -timeout 20m "$@" ./...
