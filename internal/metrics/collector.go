// Package metrics renders the facts of loaded BPF programs as Prometheus
// series: a prometheus.Collector that gathers every program afresh from
// internal/progfacts on each scrape and hands out const metrics, so a
// program that is gone is gone from the next scrape. It prints nothing,
// serves nothing and installs no signal handler; `prog metrics` does.
package metrics

import (
	"context"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// Options configures a Collector.
type Options struct {
	// StatsEnabled reports whether the kernel counts run statistics now,
	// for bpf_stats_enabled; nil reports 0.
	StatsEnabled func() bool
	// Timeout bounds one gathering; 0 is DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds a gathering when Options give none: far above
// what 10,000 programs take, far below a scraper's patience.
const DefaultTimeout = 10 * time.Second

// progLabels are on every series of one program.
var progLabels = []string{"id", "name", "type"}

// Collector gathers program facts on each Collect.
type Collector struct {
	opts Options

	info, runs, runSeconds, recursionMisses  *prometheus.Desc
	verifiedInsns, xlated, jited, memlock    *prometheus.Desc
	loadTime, holder, progs, statsEnabled    *prometheus.Desc
	scrapeDuration, scrapeError, scrapeFails *prometheus.Desc

	failures atomic.Uint64
	lastErr  atomic.Pointer[error]
}

// New returns a Collector; register it with a prometheus.Registry.
func New(opts Options) *Collector {
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	prog := func(name, help string, extra ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, append(append([]string(nil), progLabels...), extra...), nil)
	}
	return &Collector{
		opts: opts,
		info: prog("bpf_prog_info",
			"Loaded BPF program, always 1; its tag, owner uid and BTF object id as labels.",
			"tag", "uid", "btf_id"),
		runs: prog("bpf_prog_runs_total",
			"Runs of the program counted by the kernel (run_cnt) while run statistics are on."),
		runSeconds: prog("bpf_prog_run_seconds_total",
			"Time spent running the program (run_time_ns) while run statistics are on, in seconds."),
		recursionMisses: prog("bpf_prog_recursion_misses_total",
			"Runs of the program the kernel skipped because it was already running on that CPU."),
		verifiedInsns: prog("bpf_prog_verified_insns",
			"Instructions the verifier processed when the program was loaded."),
		xlated: prog("bpf_prog_xlated_bytes",
			"Size of the program's translated (post-verifier) instructions in bytes."),
		jited: prog("bpf_prog_jited_bytes",
			"Size of the program's JIT-compiled machine code in bytes; 0 when not JIT-compiled."),
		memlock: prog("bpf_prog_memlock_bytes",
			"Memory the program charges to its owner (fdinfo memlock) in bytes."),
		loadTime: prog("bpf_prog_load_time_seconds",
			"When the program was loaded, in seconds since the Unix epoch."),
		holder: prometheus.NewDesc("bpf_prog_holder_info",
			"Process holding an fd of the program, always 1.",
			[]string{"id", "pid", "comm"}, nil),
		progs: prometheus.NewDesc("bpf_progs",
			"Loaded BPF programs by type.", []string{"type"}, nil),
		statsEnabled: prometheus.NewDesc("bpf_stats_enabled",
			"Whether the kernel counts run statistics: 1 while this exporter holds BPF_ENABLE_STATS or kernel.bpf_stats_enabled is set.",
			nil, nil),
		scrapeDuration: prometheus.NewDesc("bpf_scrape_duration_seconds",
			"Time this scrape took to gather the programs' facts, in seconds.", nil, nil),
		scrapeError: prometheus.NewDesc("bpf_scrape_error",
			"Whether gathering the programs' facts failed in this scrape (1) or not (0).", nil, nil),
		scrapeFails: prometheus.NewDesc("bpf_scrape_errors_total",
			"Scrapes whose gathering of the programs' facts failed, since the exporter started.", nil, nil),
	}
}

// Describe sends every family's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.info, c.runs, c.runSeconds, c.recursionMisses, c.verifiedInsns,
		c.xlated, c.jited, c.memlock, c.loadTime, c.holder, c.progs,
		c.statsEnabled, c.scrapeDuration, c.scrapeError, c.scrapeFails,
	} {
		ch <- d
	}
}

// Collect gathers every loaded program and sends its series. On a
// failure part way it sends the programs read before it and reports the
// failure in bpf_scrape_error.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
	defer cancel()
	progs, err := progfacts.New(progfacts.Options{Holders: true}).All(ctx)
	c.collectProgs(ch, progs)
	perType := map[string]int{}
	for _, p := range progs {
		perType[typeLabel(p)]++
	}
	for t, n := range perType {
		ch <- prometheus.MustNewConstMetric(c.progs, prometheus.GaugeValue, float64(n), t)
	}
	stats := c.opts.StatsEnabled != nil && c.opts.StatsEnabled()
	ch <- prometheus.MustNewConstMetric(c.statsEnabled, prometheus.GaugeValue, boolValue(stats))
	c.lastErr.Store(&err)
	failed := err != nil
	if failed {
		c.failures.Add(1)
	}
	ch <- prometheus.MustNewConstMetric(c.scrapeError, prometheus.GaugeValue, boolValue(failed))
	ch <- prometheus.MustNewConstMetric(c.scrapeFails, prometheus.CounterValue, float64(c.failures.Load()))
	ch <- prometheus.MustNewConstMetric(c.scrapeDuration, prometheus.GaugeValue, time.Since(start).Seconds())
}

// Err returns the error that ended the last gathering, or nil: a
// one-shot exposition fails with it.
func (c *Collector) Err() error {
	if p := c.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// collectProgs sends the programs' series in the order the registry
// sorts them into (label values compared as strings, labels by name), so
// that its sort of a family of 10,000 series finds them in order at once
// rather than spending more time than the gathering.
func (c *Collector) collectProgs(ch chan<- prometheus.Metric, progs []*progfacts.Prog) {
	type entry struct {
		p         *progfacts.Prog
		id, btfID string
	}
	es := make([]entry, len(progs))
	for i, p := range progs {
		es[i] = entry{p, strconv.FormatUint(uint64(p.ID), 10), strconv.FormatUint(uint64(p.BTFID), 10)}
	}
	// bpf_prog_info's first label is btf_id.
	sort.Slice(es, func(i, j int) bool {
		if es[i].btfID != es[j].btfID {
			return es[i].btfID < es[j].btfID
		}
		return es[i].id < es[j].id
	})
	for _, e := range es {
		p := e.p
		ch <- prometheus.MustNewConstMetric(c.info, prometheus.GaugeValue, 1, e.id, p.Name, typeLabel(p),
			p.TagHex(), strconv.FormatUint(uint64(p.UID), 10), e.btfID)
	}
	// The other families' first label is id.
	sort.Slice(es, func(i, j int) bool { return es[i].id < es[j].id })
	for _, e := range es {
		c.collectProg(ch, e.p, e.id)
	}
}

func (c *Collector) collectProg(ch chan<- prometheus.Metric, p *progfacts.Prog, id string) {
	typ := typeLabel(p)
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, id, p.Name, typ)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, id, p.Name, typ)
	}
	counter(c.runs, float64(p.RunCnt))
	counter(c.runSeconds, float64(p.RunTimeNs)/1e9)
	counter(c.recursionMisses, float64(p.RecursionMisses))
	gauge(c.verifiedInsns, float64(p.VerifiedInsns))
	gauge(c.xlated, float64(p.XlatedLen))
	gauge(c.jited, float64(p.JitedLen))
	if p.HasMemlock {
		gauge(c.memlock, float64(p.Memlock))
	}
	if !p.LoadedAt.IsZero() {
		gauge(c.loadTime, float64(p.LoadedAt.UnixNano())/1e9)
	}
	// progfacts lists each holding process once per program.
	for _, h := range p.Holders {
		ch <- prometheus.MustNewConstMetric(c.holder, prometheus.GaugeValue, 1, id, strconv.Itoa(h.PID), h.Comm)
	}
}

// typeLabel is bpftool's name for the program's type, or its "type N"
// for a type its libbpf does not name.
func typeLabel(p *progfacts.Prog) string {
	if p.TypeName != "" {
		return p.TypeName
	}
	return "type " + strconv.FormatUint(uint64(p.Type), 10)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
