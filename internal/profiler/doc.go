// Package profiler measures BPF programs over a window of time: the
// kernel's run statistics (run_cnt, run_time_ns), and hardware or
// software perf counters read by generated fentry/fexit programs around
// each run of the target, as bpftool's skeleton profiler does.
//
// It is a library: it takes a context for cancellation, returns errors
// as values (*Error, *TargetError and sentinels to test with errors.Is
// and errors.As) and results as typed values, and never prints or
// installs signal handlers. A command turns signals into cancellation
// and errors into messages; a long-lived process can run windows, or
// hold run statistics on with EnableStats, beside its other work.
package profiler
