// Package metrics renders the facts of loaded BPF programs as Prometheus
// series. A Collector gathers every program afresh from internal/progfacts
// on each scrape, so a program that is gone is gone from the next scrape.
// It is a prometheus.Gatherer that builds its families directly: a
// registry of const metrics (a prometheus.Collector) spent more on each
// series (label pairs, consistency hashes, copies, a sort per family) than
// the gathering of 10,000 programs took. It prints nothing, serves
// nothing and installs no signal handler; `prog metrics` does.
package metrics

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// Options configures a Collector.
type Options struct {
	// StatsEnabled reports whether the kernel counts run statistics now,
	// for bpf_stats_enabled; nil reports 0.
	StatsEnabled func() bool
	// Timeout bounds one gathering; 0 is DefaultTimeout.
	Timeout time.Duration
	// KeepLoaded keeps the iterator programs loaded from one gathering
	// to the next (a server): no program is loaded and verified per
	// scrape. Gatherings then take turns; Close unloads them.
	KeepLoaded bool
}

// DefaultTimeout bounds a gathering when Options give none: far above
// what 10,000 programs take, far below a scraper's patience.
const DefaultTimeout = 10 * time.Second

// family is one family of the exposition: its name, help and type, and
// for a per-program family the value of a program (ok false: no series).
type family struct {
	name, help string
	counter    bool
	value      func(p *progfacts.Prog) (v float64, ok bool)
}

func always(v float64) (float64, bool) { return v, true }

// progFamilies are the families with one series per program and only
// the labels id, name and type, in name order (the exposition's order).
var progFamilies = []*family{
	{name: "bpf_prog_jited_bytes",
		help:  "Size of the program's JIT-compiled machine code in bytes; 0 when not JIT-compiled.",
		value: func(p *progfacts.Prog) (float64, bool) { return always(float64(p.JitedLen)) }},
	{name: "bpf_prog_load_time_seconds",
		help: "When the program was loaded, in seconds since the Unix epoch.",
		value: func(p *progfacts.Prog) (float64, bool) {
			return float64(p.LoadedAt.UnixNano()) / 1e9, !p.LoadedAt.IsZero()
		}},
	{name: "bpf_prog_memlock_bytes",
		help:  "Memory the program charges to its owner (fdinfo memlock) in bytes.",
		value: func(p *progfacts.Prog) (float64, bool) { return float64(p.Memlock), p.HasMemlock }},
	{name: "bpf_prog_recursion_misses_total", counter: true,
		help:  "Runs of the program the kernel skipped because it was already running on that CPU.",
		value: func(p *progfacts.Prog) (float64, bool) { return always(float64(p.RecursionMisses)) }},
	{name: "bpf_prog_run_seconds_total", counter: true,
		help:  "Time spent running the program (run_time_ns) while run statistics are on, in seconds.",
		value: func(p *progfacts.Prog) (float64, bool) { return always(float64(p.RunTimeNs) / 1e9) }},
	{name: "bpf_prog_runs_total", counter: true,
		help:  "Runs of the program counted by the kernel (run_cnt) while run statistics are on.",
		value: func(p *progfacts.Prog) (float64, bool) { return always(float64(p.RunCnt)) }},
	{name: "bpf_prog_verified_insns",
		help:  "Instructions the verifier processed when the program was loaded.",
		value: func(p *progfacts.Prog) (float64, bool) { return always(float64(p.VerifiedInsns)) }},
	{name: "bpf_prog_xlated_bytes",
		help:  "Size of the program's translated (post-verifier) instructions in bytes.",
		value: func(p *progfacts.Prog) (float64, bool) { return always(float64(p.XlatedLen)) }},
}

// The other families, whose labels differ.
var (
	infoFamily = &family{name: "bpf_prog_info",
		help: "Loaded BPF program, always 1; its tag, owner uid and BTF object id as labels."}
	holderFamily = &family{name: "bpf_prog_holder_info",
		help: "Process holding an fd of the program, always 1."}
	progsFamily = &family{name: "bpf_progs",
		help: "Loaded BPF programs by type."}
	statsFamily = &family{name: "bpf_stats_enabled",
		help: "Whether the kernel counts run statistics: 1 while this exporter holds BPF_ENABLE_STATS or kernel.bpf_stats_enabled is set."}
	durationFamily = &family{name: "bpf_scrape_duration_seconds",
		help: "Time this scrape took to gather the programs' facts, in seconds."}
	errorFamily = &family{name: "bpf_scrape_error",
		help: "Whether gathering the programs' facts failed in this scrape (1) or not (0)."}
	failuresFamily = &family{name: "bpf_scrape_errors_total", counter: true,
		help: "Scrapes whose gathering of the programs' facts failed, since the exporter started."}
)

func allFamilies() []*family {
	return append([]*family{holderFamily, infoFamily}, append(progFamilies,
		progsFamily, durationFamily, errorFamily, failuresFamily, statsFamily)...)
}

var _ prometheus.Gatherer = (*Collector)(nil)

// Collector gathers program facts on each Gather.
type Collector struct {
	opts Options
	// gather reads the programs: progfacts, or a benchmark's fakes.
	gather func(context.Context) ([]*progfacts.Prog, error)

	failures atomic.Uint64
	lastErr  atomic.Pointer[error]

	sampler *progfacts.Sampler // with KeepLoaded
	mu      sync.Mutex         // one gathering at a time with the sampler
}

// New returns a Collector. With opts.KeepLoaded, Close it when done.
func New(opts Options) *Collector {
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	c := &Collector{opts: opts, gather: gatherFacts}
	if opts.KeepLoaded {
		c.sampler = progfacts.NewSampler(progfacts.Options{Holders: true})
		c.gather = func(ctx context.Context) ([]*progfacts.Prog, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.sampler == nil { // closed
				return gatherFacts(ctx)
			}
			return c.sampler.All(ctx)
		}
	}
	return c
}

// Close unloads what KeepLoaded kept loaded; no gathering may be running.
func (c *Collector) Close() {
	if c.sampler != nil {
		c.mu.Lock()
		c.sampler.Close()
		c.sampler = nil
		c.mu.Unlock()
	}
}

// gatherFacts reads every program with a session of its own: a scrape's
// facts are all fresh.
func gatherFacts(ctx context.Context) ([]*progfacts.Prog, error) {
	return progfacts.New(progfacts.Options{Holders: true}).All(ctx)
}

// Err returns the error that ended the last gathering, or nil: a
// one-shot exposition fails with it.
func (c *Collector) Err() error {
	if p := c.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// scrape is one gathering's programs, in the order the exposition sorts
// their series (label values compared as strings), and its own figures.
type scrape struct {
	byID   []entry // by id, the first label of most families
	byBTF  []entry // by btf_id then id, bpf_prog_info's order
	types  []string
	counts []int
	stats  bool
	failed bool
	fails  uint64
	took   time.Duration
}

type entry struct {
	p                   *progfacts.Prog
	id, typ, btfID, uid string
	labels              []*dto.LabelPair // id, name, type
}

func (c *Collector) scrape() *scrape {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
	defer cancel()
	progs, err := c.gather(ctx)
	c.lastErr.Store(&err)
	s := &scrape{failed: err != nil, stats: c.opts.StatsEnabled != nil && c.opts.StatsEnabled()}
	if s.failed {
		c.failures.Add(1)
	}
	s.fails = c.failures.Load()
	s.byID = make([]entry, len(progs))
	perType := map[string]int{}
	for i, p := range progs {
		e := entry{p: p, id: strconv.FormatUint(uint64(p.ID), 10), typ: typeLabel(p),
			btfID: strconv.FormatUint(uint64(p.BTFID), 10), uid: strconv.FormatUint(uint64(p.UID), 10)}
		e.labels = labelPairs("id", e.id, "name", p.Name, "type", e.typ)
		s.byID[i] = e
		perType[e.typ]++
	}
	sort.Slice(s.byID, func(i, j int) bool { return s.byID[i].id < s.byID[j].id })
	s.byBTF = append([]entry(nil), s.byID...)
	sort.SliceStable(s.byBTF, func(i, j int) bool { return s.byBTF[i].btfID < s.byBTF[j].btfID })
	for t := range perType {
		s.types = append(s.types, t)
	}
	sort.Strings(s.types)
	for _, t := range s.types {
		s.counts = append(s.counts, perType[t])
	}
	s.took = time.Since(start)
	return s
}

// Gather gathers every loaded program and returns its families, sorted as
// a registry sorts them, without a registry's checks and copies: the
// series are consistent by construction (one per program and family; ids
// are unique; the tests run client_golang's checks over them). On a
// failure part way it returns the programs read before it and reports the
// failure in bpf_scrape_error.
func (c *Collector) Gather() ([]*dto.MetricFamily, error) {
	s := c.scrape()
	out := map[*family]*dto.MetricFamily{}
	add := func(f *family, m *dto.Metric) {
		mf := out[f]
		if mf == nil {
			t := dto.MetricType_GAUGE
			if f.counter {
				t = dto.MetricType_COUNTER
			}
			mf = &dto.MetricFamily{Name: &f.name, Help: &f.help, Type: &t}
			out[f] = mf
		}
		mf.Metric = append(mf.Metric, m)
	}
	for _, e := range s.byBTF {
		l := append([]*dto.LabelPair(nil), e.labels...)
		l = append(l, labelPairs("tag", e.p.TagHex(), "uid", e.uid, "btf_id", e.btfID)...)
		add(infoFamily, metric(infoFamily, 1, sortLabels(l)))
	}
	// Most of the exposition: allocated a family at a time.
	for _, f := range progFamilies {
		ms := make([]dto.Metric, len(s.byID))
		vs := make([]float64, len(s.byID))
		var gs []dto.Gauge
		var cs []dto.Counter
		if f.counter {
			cs = make([]dto.Counter, len(s.byID))
		} else {
			gs = make([]dto.Gauge, len(s.byID))
		}
		for i, e := range s.byID {
			v, ok := f.value(e.p)
			if !ok {
				continue
			}
			vs[i], ms[i].Label = v, e.labels
			if f.counter {
				cs[i].Value, ms[i].Counter = &vs[i], &cs[i]
			} else {
				gs[i].Value, ms[i].Gauge = &vs[i], &gs[i]
			}
			add(f, &ms[i])
		}
	}
	var holders []*dto.Metric
	for _, e := range s.byID {
		for _, h := range e.p.Holders {
			holders = append(holders, metric(holderFamily, 1,
				labelPairs("comm", h.Comm, "id", e.id, "pid", strconv.Itoa(h.PID))))
		}
	}
	sortMetrics(holders)
	for _, m := range holders {
		add(holderFamily, m)
	}
	for i, t := range s.types {
		add(progsFamily, metric(progsFamily, float64(s.counts[i]), labelPairs("type", t)))
	}
	add(statsFamily, metric(statsFamily, boolValue(s.stats), nil))
	add(errorFamily, metric(errorFamily, boolValue(s.failed), nil))
	add(failuresFamily, metric(failuresFamily, float64(s.fails), nil))
	add(durationFamily, metric(durationFamily, s.took.Seconds(), nil))
	var mfs []*dto.MetricFamily
	for _, f := range allFamilies() {
		if mf := out[f]; mf != nil {
			mfs = append(mfs, mf)
		}
	}
	sort.Slice(mfs, func(i, j int) bool { return mfs[i].GetName() < mfs[j].GetName() })
	return mfs, nil
}

func metric(f *family, v float64, labels []*dto.LabelPair) *dto.Metric {
	if f.counter {
		return &dto.Metric{Label: labels, Counter: &dto.Counter{Value: &v}}
	}
	return &dto.Metric{Label: labels, Gauge: &dto.Gauge{Value: &v}}
}

// labelPairs makes label pairs of name, value, ...; the caller gives them
// in name order or sorts them.
func labelPairs(nv ...string) []*dto.LabelPair {
	pairs := make([]dto.LabelPair, len(nv)/2)
	out := make([]*dto.LabelPair, len(nv)/2)
	for i := range pairs {
		pairs[i] = dto.LabelPair{Name: &nv[2*i], Value: &nv[2*i+1]}
		out[i] = &pairs[i]
	}
	return out
}

func sortLabels(l []*dto.LabelPair) []*dto.LabelPair {
	sort.Slice(l, func(i, j int) bool { return l[i].GetName() < l[j].GetName() })
	return l
}

// sortMetrics sorts a family's series as a registry does: by label
// values, in label order.
func sortMetrics(ms []*dto.Metric) {
	sort.SliceStable(ms, func(i, j int) bool {
		for n, l := range ms[i].Label {
			if a, b := l.GetValue(), ms[j].Label[n].GetValue(); a != b {
				return a < b
			}
		}
		return false
	})
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
