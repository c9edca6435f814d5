// Package profiler measures BPF programs: it holds the kernel's run
// statistics (run_cnt, run_time_ns) on for as long as a caller wants.
//
// It is a library: it returns errors as values and never prints or
// installs signal handlers, so that a long-lived process can use it
// beside its other work.
package profiler
