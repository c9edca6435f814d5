package profiler

import (
	"slices"

	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// Source says where a metric's figures come from, and so what the kernel
// must allow for it.
type Source int

const (
	// Hardware is a PMU counter read by fentry/fexit programs around each
	// run of the target (bpftool's metrics). It needs fentry and a PMU.
	Hardware Source = iota
	// Software is a software perf counter read the same way. It needs
	// fentry but no PMU.
	Software
	// RunStats is the kernel's own run statistics (BPF_ENABLE_STATS), read
	// before and after the window. It needs neither.
	RunStats
)

// RatioKind says what a metric's ratio divides it by.
type RatioKind int

const (
	// RatioNone is a metric without a ratio.
	RatioNone RatioKind = iota
	// RatioOfMetric divides by another metric (RatioOf) when it is
	// selected too, as bpftool's ratio_metric.
	RatioOfMetric
	// RatioPerRun divides by the run count of the window.
	RatioPerRun
	// RatioPerSecond divides by the length of the window.
	RatioPerSecond
)

// Metric is one row of the metric table: bpftool's six first, in its
// order (prefixes resolve to the first match: "i" is instructions), then
// those bpftool lacks.
type Metric struct {
	Name    string
	Source  Source
	Counter kernel.PerfCounter // the perf event, unless Source is RunStats

	Ratio     RatioKind
	RatioOf   string // the divisor's name, for RatioOfMetric
	RatioDesc string // what the ratio is, as bpftool prints it
	// RatioMul scales the ratio. It is a C float in bpftool; 1 and 1e6
	// are exact either way.
	RatioMul float64
}

// cacheConfig is PERF_TYPE_HW_CACHE's config: cache, operation and
// result, a byte each.
func cacheConfig(cache, op, result uint64) uint64 {
	return cache | op<<8 | result<<16
}

var metrics = []Metric{
	{
		Name:    "cycles",
		Counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HARDWARE, Config: unix.PERF_COUNT_HW_CPU_CYCLES},
	},
	{
		Name:    "instructions",
		Counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HARDWARE, Config: unix.PERF_COUNT_HW_INSTRUCTIONS},
		Ratio:   RatioOfMetric, RatioOf: "cycles", RatioDesc: "insns per cycle", RatioMul: 1,
	},
	{
		Name: "l1d_loads",
		Counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HW_CACHE, Config: cacheConfig(
			unix.PERF_COUNT_HW_CACHE_L1D, unix.PERF_COUNT_HW_CACHE_OP_READ, unix.PERF_COUNT_HW_CACHE_RESULT_ACCESS)},
	},
	{
		Name: "llc_misses",
		Counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HW_CACHE, Config: cacheConfig(
			unix.PERF_COUNT_HW_CACHE_LL, unix.PERF_COUNT_HW_CACHE_OP_READ, unix.PERF_COUNT_HW_CACHE_RESULT_MISS)},
		Ratio: RatioOfMetric, RatioOf: "instructions", RatioDesc: "LLC misses per million insns", RatioMul: 1e6,
	},
	{
		Name: "itlb_misses",
		Counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HW_CACHE, Config: cacheConfig(
			unix.PERF_COUNT_HW_CACHE_ITLB, unix.PERF_COUNT_HW_CACHE_OP_READ, unix.PERF_COUNT_HW_CACHE_RESULT_MISS)},
		Ratio: RatioOfMetric, RatioOf: "instructions", RatioDesc: "itlb misses per million insns", RatioMul: 1e6,
	},
	{
		Name: "dtlb_misses",
		Counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HW_CACHE, Config: cacheConfig(
			unix.PERF_COUNT_HW_CACHE_DTLB, unix.PERF_COUNT_HW_CACHE_OP_READ, unix.PERF_COUNT_HW_CACHE_RESULT_MISS)},
		Ratio: RatioOfMetric, RatioOf: "instructions", RatioDesc: "dtlb misses per million insns", RatioMul: 1e6,
	},
	{
		Name: "run_cnt", Source: RunStats,
		Ratio: RatioPerSecond, RatioDesc: "runs per second", RatioMul: 1,
	},
	{
		Name: "run_time_ns", Source: RunStats,
		Ratio: RatioPerRun, RatioDesc: "ns per run", RatioMul: 1,
	},
	{
		Name: "cpu_clock", Source: Software,
		Counter: kernel.PerfCounter{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_CPU_CLOCK},
		Ratio:   RatioPerRun, RatioDesc: "ns per run", RatioMul: 1,
	},
	{
		Name: "page_faults", Source: Software,
		Counter: kernel.PerfCounter{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_PAGE_FAULTS},
		Ratio:   RatioPerRun, RatioDesc: "page faults per run", RatioMul: 1,
	},
}

// MaxCounters is bpftool's MAX_NUM_PROFILE_METRICS: the fentry and fexit
// programs read at most this many counters. Run statistics are not
// counters and do not count against it.
const MaxCounters = 4

// Metrics returns the metric table, in its order.
func Metrics() []Metric {
	return slices.Clone(metrics)
}

// Lookup returns the metric of that exact name.
func Lookup(name string) (Metric, bool) {
	for _, m := range metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// NamesOf lists the metrics of one source, in table order: those that
// work where the others' source is missing.
func NamesOf(src Source) []string {
	var names []string
	for _, m := range metrics {
		if m.Source == src {
			names = append(names, m.Name)
		}
	}
	return names
}
