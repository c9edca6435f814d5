package prog

import (
	"context"
	"errors"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/profiler"
)

// profile is `prog profile PROG [duration DURATION] METRICs`: bpftool's
// do_profile over internal/profiler. Hardware and software counters are
// read by fentry/fexit programs around each run of the target; run_cnt
// and run_time_ns come from the kernel's run statistics and so work where
// fentry or a PMU is missing. SIGINT ends the window as in bpftool, and
// so do SIGTERM and SIGQUIT (rather than a goroutine dump): the readings
// so far print.
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
	names, err := profParseMetrics(c, rest)
	if err != nil {
		return err
	}
	numCPU, err := ebpf.PossibleCPU()
	if err != nil || numCPU <= 0 {
		return c.Errorf("failed to identify number of CPUs")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT)
	defer stop()
	res, err := profiler.Profile(ctx, fd, names, profiler.Options{
		Window: time.Duration(seconds) * time.Second,
		NumCPU: numCPU,
		OfflineCPU: func(metric string, cpu int) {
			// Newer bpftool skips a possible but offline CPU rather
			// than fail on machines with spare CPU slots.
			c.Infof("cpu %d may be offline, skip %s profiling.", cpu, metric)
		},
		WindowOpen: profileWindowOpen,
	})
	if err != nil {
		return profError(c, err)
	}
	if c.JSON {
		profRenderJSON(c, res)
	} else {
		profRenderPlain(c, res)
	}
	return nil
}

// profileWindowOpen, when set (by tests), runs once the window is open:
// counters attached, statistics on, signals caught.
var profileWindowOpen func()

// profParseMetrics is bpftool's profile_parse_metrics: every word names a
// metric by prefix, repeats count once. It returns the metrics' names in
// table order, the order of the output rows.
func profParseMetrics(c *cli.Context, args []string) ([]string, error) {
	table := profiler.Metrics()
	on := make([]bool, len(table))
	for _, a := range args {
		i := 0
		for i < len(table) && !cli.IsPrefix(a, table[i].Name) {
			i++
		}
		if i == len(table) {
			return nil, c.Errorf("unknown metric %s", a)
		}
		on[i] = true
	}
	var names []string
	counters := 0
	for i, ok := range on {
		if ok {
			names = append(names, table[i].Name)
			if table[i].Source != profiler.RunStats {
				counters++
			}
		}
	}
	if counters > profiler.MaxCounters {
		// "at at time" is bpftool 7.1's wording.
		return nil, c.Errorf("too many (%d) metrics, please specify no more than %d metrics at at time",
			counters, profiler.MaxCounters)
	}
	if len(names) == 0 {
		// bpftool returns -1 with no word; the argument count check
		// above makes this unreachable from the command line.
		return nil, cli.ErrFailed
	}
	return names, nil
}

// profError prints bpftool's message for a failed profile, followed, where
// the kernel said no to fentry or has no PMU, by why and what works
// instead.
func profError(c *cli.Context, err error) error {
	var te *profiler.TargetError
	if errors.As(err, &te) {
		switch te.Reason {
		case profiler.TargetNoInfo:
			return c.Errorf("failed to bpf_obj_get_info_by_fd for prog FD %d", te.FD)
		case profiler.TargetNoBTF:
			return c.Errorf("prog FD %d doesn't have valid btf", te.FD)
		case profiler.TargetNoFuncInfo:
			return c.Errorf("bpf_obj_get_info_by_fd for prog FD %d found 0 func_info", te.FD)
		case profiler.TargetFuncInfo:
			return c.Errorf("failed to get func_info for prog FD %d", te.FD)
		case profiler.TargetBTFLoad:
			return c.Errorf("failed to load btf for prog FD %d", te.FD)
		case profiler.TargetNoType:
			return c.Errorf("btf %d doesn't have type %d", te.BTFID, te.TypeID)
		}
	}
	var pe *profiler.Error
	if !errors.As(err, &pe) {
		return c.Errorf("%s", errno.ErrText(err))
	}
	switch pe.Op {
	case profiler.OpStats:
		return c.Errorf("failed to enable run time statistics: %s", errno.ErrText(pe.Err))
	case profiler.OpInfo:
		return c.Errorf("failed to get info for prog FD %d: %s", pe.FD, errno.ErrText(pe.Err))
	case profiler.OpTarget:
		return c.Errorf("failed to load profile_obj: %s", errno.ErrText(pe.Err))
	case profiler.OpLoad:
		return c.Errorf("failed to load profile_obj: %s", profExplainLoad(pe))
	case profiler.OpEvent:
		return c.Errorf("failed to create event %s on cpu %d: %s", pe.Metric.Name, pe.CPU, profExplainPerf(pe))
	case profiler.OpAttach:
		return c.Errorf("failed to attach profile_obj: %s", errno.ErrText(pe.Err))
	case profiler.OpRead:
		return c.Errorf("failed to read %s: %s", pe.Map, errno.ErrText(pe.Err))
	}
	return c.Errorf("%s", errno.ErrText(err))
}

// profExplainLoad says why the profiler did not load. On most virtual
// machines the kernel refuses fentry/fexit (EPERM) and there is no PMU
// either; the user learns both, and which metrics need neither.
func profExplainLoad(pe *profiler.Error) string {
	if !errors.Is(pe.Err, unix.EPERM) && !errors.Is(pe.Err, unix.EACCES) {
		return errno.ErrText(pe.Err)
	}
	msg := "the kernel refuses fentry/fexit programs (" + errno.ErrText(pe.Err) + ")"
	if pe.NoPMU != nil {
		msg += " and has no PMU for " + pe.NoPMU.Name + " (" + errno.ErrText(pe.PMUErr) + ")"
	}
	return msg + "; these metrics work without fentry or a PMU: " + profMetricNames(profiler.RunStats)
}

// profExplainPerf says why a perf event did not open: for a hardware
// counter, most often that the machine has no PMU.
func profExplainPerf(pe *profiler.Error) string {
	msg := errno.ErrText(pe.Err)
	if pe.Metric.Source == profiler.Hardware && (errors.Is(pe.Err, unix.ENOENT) ||
		errors.Is(pe.Err, unix.EOPNOTSUPP) || errors.Is(pe.Err, unix.EINVAL)) {
		msg = "no PMU counts it here (" + msg + "); these metrics work without a PMU: " +
			profMetricNames(profiler.RunStats) + ", " + profMetricNames(profiler.Software)
	}
	return msg
}

// profMetricNames lists the metrics of one source, for messages that
// point to what works.
func profMetricNames(src profiler.Source) string {
	return strings.Join(profiler.NamesOf(src), ", ")
}

func profRenderPlain(c *cli.Context, r *profiler.Result) {
	c.Printf("\n%18d %-20s\n", r.RunCnt, "run_cnt")
	for _, row := range r.Rows {
		c.Printf("%18d %-20s", row.Value.Counter, row.Metric.Name)
		if row.HasRatio {
			c.Printf("# %8.2f %-30s", row.Ratio, row.Metric.RatioDesc)
		} else {
			c.Printf("%-41s", "")
		}
		if row.Value.Enabled > row.Value.Running {
			c.Printf("(%4.2f%%)", float64(row.Value.Running)*100.0/float64(row.Value.Enabled))
		}
		c.Printf("\n")
	}
}

func profRenderJSON(c *cli.Context, r *profiler.Result) {
	w := c.JW
	w.StartArray()
	for _, row := range r.Rows {
		w.StartObject()
		w.StringField("metric", row.Metric.Name)
		w.UintField("run_cnt", r.RunCnt)
		w.UintField("value", row.Value.Counter)
		w.UintField("enabled", row.Value.Enabled)
		w.UintField("running", row.Value.Running)
		w.EndObject()
	}
	w.EndArray()
}
