package prog

import (
	"errors"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// profile is `prog profile PROG [duration DURATION] METRICs`: bpftool's
// do_profile, with the metrics of profile_metrics.go. Hardware and
// software counters are read by fentry/fexit programs around each run of
// the target; run_cnt and run_time_ns come from the kernel's run
// statistics and so work where fentry or a PMU is missing.
func profile(c *cli.Context, args []string) error {
	// The program handle's two words and one metric at least.
	if len(args) < 3 {
		return c.Invalidf("'%s' needs at least %d arguments, %d found", c.Keyword(), 3, len(args))
	}
	fd, rest, err := parseProg(c, args)
	if err != nil {
		var f *cli.Failure
		if errors.As(err, &f) {
			return c.Errorf("failed to parse fd")
		}
		return err // usage() ended the command
	}
	defer kernel.Close(fd)

	// sleep() takes an unsigned int: bpftool's default is UINT_MAX
	// seconds, and a longer duration wraps.
	seconds := uint32(math.MaxUint32)
	if len(rest) > 2 && cli.IsPrefix(rest[0], "duration") {
		v, ok := cli.ParseUlong(rest[1])
		if !ok {
			return c.Usage()
		}
		seconds = uint32(v)
		rest = rest[2:]
	}
	sel, err := profParseMetrics(c, rest)
	if err != nil {
		return err
	}
	numCPU, err := ebpf.PossibleCPU()
	if err != nil || numCPU <= 0 {
		return c.Errorf("failed to identify number of CPUs")
	}
	res, err := profRun(c, fd, sel, numCPU, time.Duration(seconds)*time.Second)
	if err != nil {
		return err
	}
	if c.JSON {
		res.renderJSON(c)
	} else {
		res.renderPlain(c)
	}
	return nil
}

// profParseMetrics is bpftool's profile_parse_metrics: every word names a
// metric by prefix, repeats count once. It returns the selected indices of
// profileMetrics in table order, the order of the output rows.
func profParseMetrics(c *cli.Context, args []string) ([]int, error) {
	on := make([]bool, len(profileMetrics))
	for _, a := range args {
		i := 0
		for i < len(profileMetrics) && !cli.IsPrefix(a, profileMetrics[i].name) {
			i++
		}
		if i == len(profileMetrics) {
			return nil, c.Errorf("unknown metric %s", a)
		}
		on[i] = true
	}
	var sel []int
	counters := 0
	for i, ok := range on {
		if ok {
			sel = append(sel, i)
			if profileMetrics[i].src != profStats {
				counters++
			}
		}
	}
	if counters > profMaxCounters {
		// "at at time" is bpftool 7.1's wording.
		return nil, c.Errorf("too many (%d) metrics, please specify no more than %d metrics at at time",
			counters, profMaxCounters)
	}
	if len(sel) == 0 {
		// bpftool returns -1 with no word; the argument count check
		// above makes this unreachable from the command line.
		return nil, cli.ErrFailed
	}
	return sel, nil
}

// profileWindowOpen, when set (by tests), runs once the window is open:
// counters attached, statistics on, signals caught.
var profileWindowOpen func()

// profileResult is what one window measured: the plain and JSON renderers
// both print it.
type profileResult struct {
	runCnt uint64 // bpftool's run_cnt line: fexit's count, else the stats' count
	rows   []profileRow
}

type profileRow struct {
	m        *profileMetric
	val      profValue
	ratio    float64
	hasRatio bool
}

// profRun opens what the metrics need, holds it for the window and
// returns the readings. Everything it opens is closed when it returns.
func profRun(c *cli.Context, fd int, sel []int, numCPU int, window time.Duration) (*profileResult, error) {
	var counters []int
	stats := false
	for _, i := range sel {
		if profileMetrics[i].src == profStats {
			stats = true
		} else {
			counters = append(counters, i)
		}
	}

	var prof *profiler
	defer func() { prof.close() }()
	if len(counters) > 0 {
		var err error
		if prof, err = profOpen(c, fd, counters, numCPU); err != nil {
			return nil, err
		}
	}
	statsFD := -1
	defer func() { kernel.Close(statsFD) }()
	if stats {
		var err error
		if statsFD, err = kernel.EnableStats(); err != nil {
			return nil, c.Errorf("failed to enable run time statistics: %s", errno.ErrText(err))
		}
	}
	before, err := kernel.GetProgInfo(fd)
	if err != nil {
		return nil, c.Errorf("failed to get info for prog FD %d: %s", fd, errno.ErrText(err))
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if prof != nil {
		if err := prof.attach(); err != nil {
			return nil, c.Errorf("failed to attach profile_obj: %s", errno.ErrText(err))
		}
	}
	start := time.Now()
	if profileWindowOpen != nil {
		profileWindowOpen()
	}
	timer := time.NewTimer(window)
	select {
	case <-timer.C:
	case <-sigs:
	}
	timer.Stop()
	elapsed := time.Since(start)
	if prof != nil {
		prof.detach()
	}
	after, err := kernel.GetProgInfo(fd)
	if err != nil {
		return nil, c.Errorf("failed to get info for prog FD %d: %s", fd, errno.ErrText(err))
	}
	kernel.Close(statsFD)
	statsFD = -1

	rd := &profReadings{
		statRuns:   after.RunCnt - before.RunCnt,
		statTimeNs: after.RunTimeNs - before.RunTimeNs,
		elapsed:    elapsed,
		counters:   counters,
	}
	if prof != nil {
		prof.closeEvents()
		if rd.fexitRuns, rd.vals, err = prof.read(len(counters)); err != nil {
			return nil, c.Errorf("%s", err)
		}
		rd.hasFexit = true
	}
	return profBuild(sel, rd), nil
}

// profReadings is what a window gathered, before it becomes rows.
type profReadings struct {
	counters  []int       // the metrics fentry/fexit read, in table order
	vals      []profValue // their totals over all CPUs
	fexitRuns uint64      // runs fexit counted
	hasFexit  bool

	statRuns, statTimeNs uint64 // run statistics, after minus before
	elapsed              time.Duration
}

// profBuild turns readings into bpftool's rows: one per selected metric,
// with its ratio where the divisor is known and non-zero.
func profBuild(sel []int, rd *profReadings) *profileResult {
	res := &profileResult{runCnt: rd.statRuns}
	if rd.hasFexit {
		res.runCnt = rd.fexitRuns
	}
	ns := uint64(rd.elapsed.Nanoseconds())
	value := func(i int) (profValue, uint64) {
		switch profileMetrics[i].name {
		case "run_cnt":
			return profValue{Counter: rd.statRuns, Enabled: ns, Running: ns}, rd.statRuns
		case "run_time_ns":
			return profValue{Counter: rd.statTimeNs, Enabled: ns, Running: ns}, rd.statRuns
		}
		for k, j := range rd.counters {
			if j == i && k < len(rd.vals) {
				return rd.vals[k], rd.fexitRuns
			}
		}
		return profValue{}, rd.fexitRuns
	}
	selected := func(i int) bool {
		for _, j := range sel {
			if j == i {
				return true
			}
		}
		return false
	}
	for _, i := range sel {
		m := &profileMetrics[i]
		val, runs := value(i)
		row := profileRow{m: m, val: val}
		var base float64
		var baseCnt uint64
		switch m.ratio {
		case profRatioOfMetric:
			if selected(m.ratioOf) {
				b, _ := value(m.ratioOf)
				baseCnt = b.Counter
				base = float64(baseCnt)
			}
		case profRatioPerRun:
			base = float64(runs)
		case profRatioPerSecond:
			base = rd.elapsed.Seconds()
		}
		if base > 0 {
			row.ratio = float64(val.Counter) * m.ratioMul / base
			if m.ratio == profRatioOfMetric {
				// bpftool's ratio_mul is a float, which makes C do the
				// whole expression in single precision.
				p := float32(float32(val.Counter) * float32(m.ratioMul))
				row.ratio = float64(float32(p / float32(baseCnt)))
			}
			row.hasRatio = true
		}
		res.rows = append(res.rows, row)
	}
	return res
}

// profOpen loads the fentry/fexit programs on the target and opens
// their perf events, with bpftool's errors, each followed by why the
// kernel said no and what works instead.
func profOpen(c *cli.Context, fd int, counters []int, numCPU int) (*profiler, error) {
	fn, err := profTargetName(c, fd)
	if err != nil {
		return nil, err
	}
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, c.Errorf("failed to load profile_obj: %s", errno.ErrText(err))
	}
	target, err := ebpf.NewProgramFromFD(dup)
	if err != nil {
		kernel.Close(dup)
		return nil, c.Errorf("failed to load profile_obj: %s", errno.ErrText(err))
	}
	defer target.Close()
	coll, err := ebpf.NewCollection(profSpec(numCPU, len(counters), target, fn))
	if err != nil {
		return nil, c.Errorf("failed to load profile_obj: %s", profExplainLoad(err, counters))
	}
	p := &profiler{coll: coll}
	if err := p.openEvents(c, counters, numCPU); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// openEvents opens each counter on each CPU into the events map, in the
// slots the programs read: the counter's array, at the CPU. bpftool's
// profile_open_perf_events.
func (p *profiler) openEvents(c *cli.Context, counters []int, numCPU int) error {
	for k, m := range counters {
		events := p.coll.Maps[profEventsMap(k)]
		pm := &profileMetrics[m]
		for cpu := 0; cpu < numCPU; cpu++ {
			efd, err := kernel.PerfEventOpenCPU(pm.counter, cpu)
			if errors.Is(err, unix.ENODEV) {
				// A possible but offline CPU: newer bpftool skips it
				// rather than fail on machines with spare CPU slots.
				c.Infof("cpu %d may be offline, skip %s profiling.", cpu, pm.name)
				continue
			}
			if err == nil {
				p.events = append(p.events, efd)
				err = events.Put(uint32(cpu), uint32(efd))
				if err == nil {
					err = kernel.PerfEventEnable(efd)
				}
			}
			if err != nil {
				return c.Errorf("failed to create event %s on cpu %d: %s", pm.name, cpu, profExplainPerf(err, pm))
			}
		}
	}
	return nil
}

// profTargetName is bpftool's profile_target_name: fentry attaches to
// the BTF name of the target's first function. The messages name the fd
// as bpftool's do.
func profTargetName(c *cli.Context, fd int) (string, error) {
	pi, err := kernel.GetProgInfo(fd)
	if err != nil {
		return "", c.Errorf("failed to bpf_obj_get_info_by_fd for prog FD %d", fd)
	}
	if pi.BTFID == 0 {
		return "", c.Errorf("prog FD %d doesn't have valid btf", fd)
	}
	if pi.NrFuncInfo == 0 {
		return "", c.Errorf("bpf_obj_get_info_by_fd for prog FD %d found 0 func_info", fd)
	}
	typeID, btfID, ok := kernel.FirstFuncInfo(fd, pi.FuncInfoRecSize)
	if !ok {
		return "", c.Errorf("failed to get func_info for prog FD %d", fd)
	}
	spec := progfacts.LoadBTF(btfID)
	if spec == nil {
		return "", c.Errorf("failed to load btf for prog FD %d", fd)
	}
	t, err := spec.TypeByID(btf.TypeID(typeID))
	if err != nil {
		return "", c.Errorf("btf %d doesn't have type %d", btfID, typeID)
	}
	return t.TypeName(), nil
}

// profExplainLoad says why the profiler did not load. On most virtual machines
// the kernel refuses fentry/fexit (EPERM) and there is no PMU either; the
// user learns both, and which metrics need neither.
func profExplainLoad(err error, counters []int) string {
	if !errors.Is(err, unix.EPERM) && !errors.Is(err, unix.EACCES) {
		return errno.ErrText(err)
	}
	msg := "the kernel refuses fentry/fexit programs (" + errno.ErrText(err) + ")"
	for _, m := range counters {
		pm := &profileMetrics[m]
		if pm.src != profHardware {
			continue
		}
		if fd, perr := kernel.PerfEventOpenCPU(pm.counter, 0); perr != nil {
			msg += " and has no PMU for " + pm.name + " (" + errno.ErrText(perr) + ")"
			break
		} else {
			kernel.Close(fd)
		}
	}
	return msg + "; these metrics work without fentry or a PMU: " + profMetricNames(profStats)
}

// profExplainPerf says why a perf event did not open: for a hardware counter,
// most often that the machine has no PMU.
func profExplainPerf(err error, pm *profileMetric) string {
	msg := errno.ErrText(err)
	if pm.src == profHardware && (errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EOPNOTSUPP) ||
		errors.Is(err, unix.EINVAL)) {
		msg = "no PMU counts it here (" + msg + "); these metrics work without a PMU: " +
			profMetricNames(profStats) + ", " + profMetricNames(profSoftware)
	}
	return msg
}

func (r *profileResult) renderPlain(c *cli.Context) {
	c.Printf("\n%18d %-20s\n", r.runCnt, "run_cnt")
	for _, row := range r.rows {
		c.Printf("%18d %-20s", row.val.Counter, row.m.name)
		if row.hasRatio {
			c.Printf("# %8.2f %-30s", row.ratio, row.m.ratioDesc)
		} else {
			c.Printf("%-41s", "")
		}
		if row.val.Enabled > row.val.Running {
			c.Printf("(%4.2f%%)", float64(row.val.Running)*100.0/float64(row.val.Enabled))
		}
		c.Printf("\n")
	}
}

func (r *profileResult) renderJSON(c *cli.Context) {
	w := c.JW
	w.StartArray()
	for _, row := range r.rows {
		w.StartObject()
		w.StringField("metric", row.m.name)
		w.UintField("run_cnt", r.runCnt)
		w.UintField("value", row.val.Counter)
		w.UintField("enabled", row.val.Enabled)
		w.UintField("running", row.val.Running)
		w.EndObject()
	}
	w.EndArray()
}
