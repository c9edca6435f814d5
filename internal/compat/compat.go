// Package compat holds, in one place, every choice where the bpftool that
// gobpftool imitates (Debian's bpftool 7.1.0, built from Linux 6.1 with
// libbpf 1.1: the oracle of our tests) prints differently from newer
// upstream bpftool. Flip these to follow upstream.
package compat

// KnownProgTypes is how many program types (enum bpf_prog_type, from 0)
// the oracle's libbpf can name; a newer type prints as "type N".
// libbpf 1.1 stops at BPF_PROG_TYPE_SYSCALL (31); netfilter (32) came in
// libbpf 1.2.
const KnownProgTypes = 32

// ShowOrphaned: newer bpftool always prints "orphaned" in prog show; the
// oracle never does.
const ShowOrphaned = false
