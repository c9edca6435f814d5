package profiler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/kernel"
)

// Options tunes a profile.
type Options struct {
	// Window is how long the profile measures; cancelling the context
	// ends it earlier.
	Window time.Duration
	// NumCPU is the number of possible CPUs; 0 asks the kernel.
	NumCPU int
	// OfflineCPU, if set, hears of each possible CPU skipped because it
	// is offline (its perf event is ENODEV).
	OfflineCPU func(metric string, cpu int)
	// WindowOpen, if set, runs once the window is open: counters
	// attached and statistics on. Tests run the target from it.
	WindowOpen func()
}

// Result is what one window measured.
type Result struct {
	// RunCnt is bpftool's run_cnt line: the runs fexit counted when
	// counters were read, else the run statistics' count.
	RunCnt uint64
	// StatsRunCnt and StatsRunTimeNs are the kernel's run statistics over
	// the window (zero when they were off for the whole window).
	StatsRunCnt, StatsRunTimeNs uint64
	// Duration is how long the window was open.
	Duration time.Duration
	// Rows is a reading per metric, in the order asked for.
	Rows []Row
}

// Row is one metric's reading over a window.
type Row struct {
	Metric Metric
	Value  Value
	// Ratio is Value.Counter over the metric's divisor, times RatioMul;
	// HasRatio is false where the divisor is unknown or zero.
	Ratio    float64
	HasRatio bool
}

// Readings is what a window gathered, before Build makes rows of it.
type Readings struct {
	// Values are the counters fentry/fexit summed, by metric name.
	Values map[string]Value
	// FexitRuns is the runs fexit counted; HasFexit says counters ran.
	FexitRuns uint64
	HasFexit  bool
	// StatRuns and StatTimeNs are the run statistics, after minus before.
	StatRuns, StatTimeNs uint64
	Elapsed              time.Duration
}

// Profile measures the program behind fd over a window: the metrics
// named (exact names from the table, at most MaxCounters counters) for
// opts.Window or until ctx is done, whichever comes first. A cancelled
// context ends the window and is not an error: the readings so far are
// returned. Everything Profile opens is closed when it returns, and the
// run statistics are on only while the window is open.
func Profile(ctx context.Context, fd int, names []string, opts Options) (*Result, error) {
	var counters []Metric
	stats := false
	for _, name := range names {
		m, ok := Lookup(name)
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrUnknownMetric, name)
		}
		if m.Source == RunStats {
			stats = true
		} else {
			counters = append(counters, m)
		}
	}
	if len(names) == 0 {
		return nil, ErrNoMetrics
	}
	if len(counters) > MaxCounters {
		return nil, fmt.Errorf("%w: %d, at most %d", ErrTooManyCounters, len(counters), MaxCounters)
	}
	numCPU := opts.NumCPU
	if numCPU <= 0 {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return nil, err
		}
		numCPU = n
	}

	var p *probes
	defer func() { p.close() }()
	if len(counters) > 0 {
		var err error
		if p, err = open(fd, counters, numCPU, opts.OfflineCPU); err != nil {
			return nil, err
		}
	}
	var st *Stats
	defer func() { st.Close() }()
	if stats {
		var err error
		if st, err = openStats(false); err != nil {
			return nil, &Error{Op: OpStats, FD: fd, Err: err}
		}
	}
	before, err := kernel.GetProgInfo(fd)
	if err != nil {
		return nil, &Error{Op: OpInfo, FD: fd, Err: err}
	}
	if p != nil {
		if err := p.attach(); err != nil {
			return nil, &Error{Op: OpAttach, FD: fd, Err: err}
		}
	}
	start := time.Now()
	if opts.WindowOpen != nil {
		opts.WindowOpen()
	}
	timer := time.NewTimer(opts.Window)
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
	timer.Stop()
	elapsed := time.Since(start)
	if p != nil {
		p.detach()
	}
	after, err := kernel.GetProgInfo(fd)
	if err != nil {
		return nil, &Error{Op: OpInfo, FD: fd, Err: err}
	}
	st.Close()

	rd := &Readings{
		StatRuns:   after.RunCnt - before.RunCnt,
		StatTimeNs: after.RunTimeNs - before.RunTimeNs,
		Elapsed:    elapsed,
	}
	if p != nil {
		p.closeEvents()
		runs, vals, err := p.read(len(counters))
		if err != nil {
			return nil, err
		}
		rd.FexitRuns, rd.HasFexit = runs, true
		rd.Values = make(map[string]Value, len(counters))
		for k, m := range counters {
			rd.Values[m.Name] = vals[k]
		}
	}
	return Build(names, rd)
}

// Build turns readings into rows, one per metric named, with its ratio
// where the divisor is known and non-zero: bpftool's arithmetic, which
// a long-lived caller can apply to readings of its own.
func Build(names []string, rd *Readings) (*Result, error) {
	res := &Result{RunCnt: rd.StatRuns, StatsRunCnt: rd.StatRuns, StatsRunTimeNs: rd.StatTimeNs, Duration: rd.Elapsed}
	if rd.HasFexit {
		res.RunCnt = rd.FexitRuns
	}
	ns := uint64(rd.Elapsed.Nanoseconds())
	value := func(m Metric) (Value, uint64) {
		switch m.Name {
		case "run_cnt":
			return Value{Counter: rd.StatRuns, Enabled: ns, Running: ns}, rd.StatRuns
		case "run_time_ns":
			return Value{Counter: rd.StatTimeNs, Enabled: ns, Running: ns}, rd.StatRuns
		}
		return rd.Values[m.Name], rd.FexitRuns
	}
	for _, name := range names {
		m, ok := Lookup(name)
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrUnknownMetric, name)
		}
		val, runs := value(m)
		row := Row{Metric: m, Value: val}
		var base float64
		var baseCnt uint64
		switch m.Ratio {
		case RatioOfMetric:
			for _, n := range names {
				if n == m.RatioOf {
					d, _ := Lookup(n)
					b, _ := value(d)
					baseCnt = b.Counter
					base = float64(baseCnt)
				}
			}
		case RatioPerRun:
			base = float64(runs)
		case RatioPerSecond:
			base = rd.Elapsed.Seconds()
		}
		if base > 0 {
			row.Ratio = float64(val.Counter) * m.RatioMul / base
			if m.Ratio == RatioOfMetric {
				// bpftool's ratio_mul is a float, which makes C do the
				// whole expression in single precision.
				p := float32(float32(val.Counter) * float32(m.RatioMul))
				row.Ratio = float64(float32(p / float32(baseCnt)))
			}
			row.HasRatio = true
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// open loads the fentry/fexit programs on the target and opens their
// perf events.
func open(fd int, counters []Metric, numCPU int, offline func(string, int)) (*probes, error) {
	fn, err := TargetFunc(fd)
	if err != nil {
		return nil, err
	}
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, &Error{Op: OpTarget, FD: fd, Err: err}
	}
	target, err := ebpf.NewProgramFromFD(dup)
	if err != nil {
		kernel.Close(dup)
		return nil, &Error{Op: OpTarget, FD: fd, Err: err}
	}
	defer target.Close()
	coll, err := ebpf.NewCollection(spec(numCPU, len(counters), target, fn))
	if err != nil {
		e := &Error{Op: OpLoad, FD: fd, Err: err}
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			e.NoPMU, e.PMUErr = missingPMU(counters)
		}
		return nil, e
	}
	p := &probes{coll: coll}
	if err := p.openEvents(counters, numCPU, offline); err != nil {
		p.close()
		if e, ok := err.(*Error); ok {
			e.FD = fd
		}
		return nil, err
	}
	return p, nil
}

// missingPMU returns the first hardware metric whose counter does not
// open on CPU 0, and why: with fentry refused, the user learns whether
// the PMU is missing too.
func missingPMU(counters []Metric) (*Metric, error) {
	for _, m := range counters {
		if m.Source != Hardware {
			continue
		}
		fd, err := kernel.PerfEventOpenCPU(m.Counter, 0)
		if err != nil {
			return &m, err
		}
		kernel.Close(fd)
	}
	return nil, nil
}

// TargetFunc is bpftool's profile_target_name: the BTF name of the
// program's first function, which fentry and fexit attach to. Its errors
// are *TargetError.
func TargetFunc(fd int) (string, error) {
	pi, err := kernel.GetProgInfo(fd)
	if err != nil {
		return "", &TargetError{Reason: TargetNoInfo, FD: fd, Err: err}
	}
	if pi.BTFID == 0 {
		return "", &TargetError{Reason: TargetNoBTF, FD: fd}
	}
	if pi.NrFuncInfo == 0 {
		return "", &TargetError{Reason: TargetNoFuncInfo, FD: fd}
	}
	typeID, btfID, ok := kernel.FirstFuncInfo(fd, pi.FuncInfoRecSize)
	if !ok {
		return "", &TargetError{Reason: TargetFuncInfo, FD: fd}
	}
	spec, err := kernel.BTFSpec(btfID)
	if err != nil {
		return "", &TargetError{Reason: TargetBTFLoad, FD: fd, BTFID: btfID, Err: err}
	}
	t, err := spec.TypeByID(btf.TypeID(typeID))
	if err != nil {
		return "", &TargetError{Reason: TargetNoType, FD: fd, BTFID: btfID, TypeID: typeID, Err: err}
	}
	return t.TypeName(), nil
}
