package prog

import (
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// profSource says where a metric's figures come from, and so what the
// kernel must allow for it.
type profSource int

const (
	// profHardware: a PMU counter read by fentry/fexit programs around each
	// run of the target (bpftool's metrics). Needs fentry and a PMU.
	profHardware profSource = iota
	// profSoftware: a software perf counter read the same way. Needs fentry
	// but no PMU.
	profSoftware
	// profStats: the kernel's own run statistics (BPF_ENABLE_STATS), read
	// before and after the window. Needs neither.
	profStats
)

// profRatioKind says what a metric's ratio column divides it by.
type profRatioKind int

const (
	profRatioNone      profRatioKind = iota
	profRatioOfMetric                // another selected metric, as bpftool's ratio_metric
	profRatioPerRun                  // the run count of the window
	profRatioPerSecond               // the length of the window
)

// profileMetric is one row of the metrics table: bpftool's six first, in
// its order (prefixes resolve to the first match: "i" is instructions),
// then those bpftool lacks.
type profileMetric struct {
	name    string
	src     profSource
	counter kernel.PerfCounter

	ratio     profRatioKind
	ratioOf   int // index in profileMetrics, for profRatioOfMetric
	ratioDesc string
	// ratioMul is a C float in bpftool; 1 and 1e6 are exact either way.
	ratioMul float64
}

// profCacheConfig is PERF_TYPE_HW_CACHE's config: cache, operation and
// result, a byte each.
func profCacheConfig(cache, op, result uint64) uint64 {
	return cache | op<<8 | result<<16
}

var profileMetrics = []profileMetric{
	{
		name:    "cycles",
		counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HARDWARE, Config: unix.PERF_COUNT_HW_CPU_CYCLES},
	},
	{
		name:    "instructions",
		counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HARDWARE, Config: unix.PERF_COUNT_HW_INSTRUCTIONS},
		ratio:   profRatioOfMetric, ratioOf: 0, ratioDesc: "insns per cycle", ratioMul: 1,
	},
	{
		name: "l1d_loads",
		counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HW_CACHE, Config: profCacheConfig(
			unix.PERF_COUNT_HW_CACHE_L1D, unix.PERF_COUNT_HW_CACHE_OP_READ, unix.PERF_COUNT_HW_CACHE_RESULT_ACCESS)},
	},
	{
		name: "llc_misses",
		counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HW_CACHE, Config: profCacheConfig(
			unix.PERF_COUNT_HW_CACHE_LL, unix.PERF_COUNT_HW_CACHE_OP_READ, unix.PERF_COUNT_HW_CACHE_RESULT_MISS)},
		ratio: profRatioOfMetric, ratioOf: 1, ratioDesc: "LLC misses per million insns", ratioMul: 1e6,
	},
	{
		name: "itlb_misses",
		counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HW_CACHE, Config: profCacheConfig(
			unix.PERF_COUNT_HW_CACHE_ITLB, unix.PERF_COUNT_HW_CACHE_OP_READ, unix.PERF_COUNT_HW_CACHE_RESULT_MISS)},
		ratio: profRatioOfMetric, ratioOf: 1, ratioDesc: "itlb misses per million insns", ratioMul: 1e6,
	},
	{
		name: "dtlb_misses",
		counter: kernel.PerfCounter{Type: unix.PERF_TYPE_HW_CACHE, Config: profCacheConfig(
			unix.PERF_COUNT_HW_CACHE_DTLB, unix.PERF_COUNT_HW_CACHE_OP_READ, unix.PERF_COUNT_HW_CACHE_RESULT_MISS)},
		ratio: profRatioOfMetric, ratioOf: 1, ratioDesc: "dtlb misses per million insns", ratioMul: 1e6,
	},
	{
		name: "run_cnt", src: profStats,
		ratio: profRatioPerSecond, ratioDesc: "runs per second", ratioMul: 1,
	},
	{
		name: "run_time_ns", src: profStats,
		ratio: profRatioPerRun, ratioDesc: "ns per run", ratioMul: 1,
	},
	{
		name: "cpu_clock", src: profSoftware,
		counter: kernel.PerfCounter{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_CPU_CLOCK},
		ratio:   profRatioPerRun, ratioDesc: "ns per run", ratioMul: 1,
	},
	{
		name: "page_faults", src: profSoftware,
		counter: kernel.PerfCounter{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_PAGE_FAULTS},
		ratio:   profRatioPerRun, ratioDesc: "page faults per run", ratioMul: 1,
	},
}

// profMaxCounters is bpftool's MAX_NUM_PROFILE_METRICS: the fentry and
// fexit programs read at most this many counters. Run statistics are not
// counters and do not count against it.
const profMaxCounters = 4

// profMetricNames lists the metrics of one source, for error messages that
// point to what works.
func profMetricNames(src profSource) string {
	s := ""
	for _, m := range profileMetrics {
		if m.src == src {
			if s != "" {
				s += ", "
			}
			s += m.name
		}
	}
	return s
}
