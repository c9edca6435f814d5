package compat

// TracelogIgnoresArgs: bpftool 7.1's `prog tracelog` ignores whatever
// follows it; newer bpftool reads `tracelog {stdout|stderr} PROG` (a
// program's BPF streams) and prints usage for any other argument. The
// stdout/stderr form is always taken; this decides the rest.
const TracelogIgnoresArgs = true
