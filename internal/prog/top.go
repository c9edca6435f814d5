package prog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/cli"
	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/jsonw"
	"github.com/gobpftool/gobpftool/internal/kernel"
	"github.com/gobpftool/gobpftool/internal/profiler"
	"github.com/gobpftool/gobpftool/internal/progfacts"
	"github.com/gobpftool/gobpftool/internal/top"
)

// topArgs is what `prog top` was asked for.
type topArgs struct {
	ids      []uint32 // PROG's programs; nil for every program
	interval time.Duration
	count    int // 0: no end
}

const (
	// minTopInterval is the shortest interval between samples.
	minTopInterval = 100 * time.Millisecond
	// holderEvery is how often the full-screen view scans the holders
	// again when no new program asks for it sooner.
	holderEvery = 5 * time.Second
	// topFPS is how often the full-screen view may redraw: bubbletea's
	// renderer wakes this often (60 by default) even with nothing to
	// draw, which costs more than a sample. A key's effect shows within
	// 50 ms.
	topFPS = 20
)

// topCmd is `prog top [PROG] [interval SECONDS] [count N]`: every
// program's run statistics, sampled each interval, as a full-screen
// table when standard output is a terminal, else (or with -j) a table or
// a JSON line per sample. Run statistics are on for exactly the life of
// the command.
func topCmd(c *cli.Context, args []string) error {
	ta, err := parseTop(c, args)
	if err != nil {
		return err
	}
	guard, err := profiler.EnableStats()
	if err != nil {
		return c.Errorf("failed to enable run time statistics: %s", errno.ErrText(err))
	}
	// Deferred first, so that it runs last, after a panic too.
	defer guard.Close()
	tty, interactive := terminal(c)
	interactive = interactive && !c.JSON
	// The table on a screen may show holders up to holderEvery old (new
	// programs get theirs at once); a script's samples are all exact.
	// PROG's fds are closed by now: none of ours is taken for a holder.
	every := time.Duration(0)
	if interactive {
		every = holderEvery
	}
	facts := progfacts.NewSamplerEvery(progfacts.Options{Holders: true}, every)
	defer facts.Close()

	// Signals become cancellation; a closed pipe becomes a write error
	// (EPIPE) rather than death by SIGPIPE, so the deferred restore runs.
	ctx, stop := signal.NotifyContext(context.Background(),
		syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer stop()
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)

	sample := func(ctx context.Context) (top.Sample, error) {
		at := time.Now()
		progs, err := facts.Sample(ctx, ta.ids)
		return top.Sample{At: at, Progs: progs}, err
	}
	if interactive {
		return topInteractive(c, ctx, ta, guard, sample, tty)
	}
	return topBatch(c, ctx, ta, sample)
}

// parseTop reads [PROG] [interval SECONDS] [count N] and resolves PROG to
// program ids (the fds are closed: top follows programs by id and holds
// none of them).
func parseTop(c *cli.Context, args []string) (topArgs, error) {
	ta := topArgs{interval: time.Second}
	if len(args) > 0 && isProgKeyword(args[0]) {
		fds, rest, err := parseProgs(c, args)
		if err != nil {
			return ta, err
		}
		if len(fds) == 0 {
			return ta, c.Errorf("no program matches %s %s", args[0], args[1])
		}
		ta.ids = make([]uint32, 0, len(fds))
		for _, fd := range fds {
			id, err := kernel.GetProgInfoLite(fd)
			if err == nil {
				ta.ids = append(ta.ids, id)
			}
		}
		closeAll(fds)
		args = rest
	}
	for len(args) > 0 {
		kw := args[0]
		switch {
		case cli.IsPrefix(kw, "interval"):
			if len(args) < 2 {
				return ta, c.Usage()
			}
			secs, err := strconv.ParseFloat(args[1], 64)
			if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
				return ta, c.Errorf("can't parse interval %s", args[1])
			}
			if secs < minTopInterval.Seconds() || secs > 86400 {
				return ta, c.Errorf("interval %s out of range: expected 0.1 to 86400 seconds", args[1])
			}
			ta.interval = time.Duration(secs * 1e9)
		case cli.IsPrefix(kw, "count"):
			if len(args) < 2 {
				return ta, c.Usage()
			}
			n, err := strconv.ParseUint(args[1], 10, 31)
			if err != nil {
				return ta, c.Errorf("can't parse count %s", args[1])
			}
			if n == 0 {
				return ta, c.Errorf("count must be at least 1")
			}
			ta.count = int(n)
		default:
			return ta, c.Errorf("expected no more arguments, 'interval' or 'count', got: '%s'?", kw)
		}
		args = args[2:]
	}
	return ta, nil
}

// isProgKeyword tells a PROG handle's keyword from top's own: "i" is id,
// as bpftool's first-match prefixes go, "in" is interval.
func isProgKeyword(kw string) bool {
	if kw == "" {
		return false
	}
	return cli.IsPrefix(kw, "id") || cli.IsPrefix(kw, "pinned") ||
		cli.IsPrefix(kw, "tag") || cli.IsPrefix(kw, "name")
}

// terminal returns standard output's file when it is a terminal.
func terminal(c *cli.Context) (*os.File, bool) {
	f, ok := c.Stdout.(*os.File)
	if !ok {
		return nil, false
	}
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return nil, false
	}
	return f, true
}

// topInteractive runs the full-screen view until q, Ctrl-C, a signal or
// the count. The terminal is restored by bubbletea on every way out.
func topInteractive(c *cli.Context, ctx context.Context, ta topArgs, guard *profiler.Stats,
	sample func(context.Context) (top.Sample, error), tty *os.File) error {
	v := top.NewView(ctx, top.Config{
		Interval: ta.interval,
		Count:    ta.count,
		Stats:    "on (" + guard.Mechanism().String() + ")",
		Sample:   sample,
		Detail: top.DetailFunc(func() *progfacts.Session {
			return progfacts.New(progfacts.Options{Pins: true, Holders: true})
		}),
	})
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithOutput(tty), tea.WithAltScreen(),
		tea.WithoutSignalHandler(), tea.WithFPS(topFPS)}
	if in, ok := c.Stdin.(*os.File); ok {
		opts = append(opts, tea.WithInput(in))
	}
	_, err := tea.NewProgram(v, opts...).Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return c.Errorf("%s", err)
	}
	if errors.Is(err, tea.ErrProgramPanic) {
		return c.Errorf("%s", err)
	}
	return nil
}

// topBatch prints a table or a JSON line per sample, flushed each time,
// until the count, a signal or a closed pipe.
func topBatch(c *cli.Context, ctx context.Context, ta topArgs, sample func(context.Context) (top.Sample, error)) error {
	if c.JSON {
		// Each sample is a JSON value of its own; the writer's closing
		// newline would add an empty line after the last.
		c.JW = jsonw.New(nopWriter{}, false)
	}
	model := top.NewModel()
	start := time.Now()
	for i := 0; ta.count == 0 || i < ta.count; i++ {
		if i > 0 {
			t := time.NewTimer(time.Until(start.Add(time.Duration(i) * ta.interval)))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		s, err := sample(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return c.Errorf("%s", err)
		}
		rows := model.Update(s)
		top.SortRows(rows, top.ColCPU, true)
		if c.JSON {
			writeTopJSON(c, s, ta, rows)
		} else {
			if i > 0 {
				c.Out.WriteString("\n")
			}
			writeTopPlain(c, rows)
		}
		if err := c.Out.Flush(); err != nil {
			// A reader gone (| head) ends the command quietly.
			if errors.Is(err, syscall.EPIPE) {
				return nil
			}
			return c.Errorf("%s", err)
		}
	}
	return nil
}

type nopWriter struct{}

func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }

// topHeader is the plain table's columns.
var topHeader = []string{"ID", "TYPE", "NAME", "AVG_NS", "EVENTS/S", "CPU%", "RUN_TIME_NS", "RUN_CNT", "PIDS"}

// writeTopPlain prints one sample as a table, like `top -b`: columns
// two spaces apart, numbers right-aligned, the pids last.
func writeTopPlain(c *cli.Context, rows []top.Row) {
	cells := make([][]string, len(rows))
	width := make([]int, len(topHeader))
	for i, h := range topHeader {
		width[i] = len(h)
	}
	for i := range rows {
		r := &rows[i]
		var pids []string
		for _, h := range r.Prog.Holders {
			pids = append(pids, fmt.Sprintf("%s(%d)", h.Comm, h.PID))
		}
		name := r.Prog.Name
		if name == "" {
			name = "-"
		}
		cells[i] = []string{
			strconv.FormatUint(uint64(r.Prog.ID), 10), top.TypeName(r), name,
			strconv.FormatFloat(r.AvgRuntimeNs, 'f', 0, 64),
			strconv.FormatFloat(r.EventsPerSec, 'f', 1, 64),
			strconv.FormatFloat(r.CPUPercent, 'f', 2, 64),
			strconv.FormatUint(r.Prog.RunTimeNs, 10),
			strconv.FormatUint(r.Prog.RunCnt, 10),
			strings.Join(pids, ","),
		}
		for j, s := range cells[i] {
			width[j] = max(width[j], len(s))
		}
	}
	line := func(cs []string) {
		var b strings.Builder
		for j, s := range cs {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[j]-len(s))
			switch {
			case j == len(cs)-1:
				b.WriteString(s)
			case j >= 3: // numbers
				b.WriteString(pad + s)
			default:
				b.WriteString(s + pad)
			}
		}
		c.Out.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
	line(topHeader)
	for _, cs := range cells {
		line(cs)
	}
}

// topJSON is one sample in JSON.
type topJSON struct {
	Timestamp  float64       `json:"timestamp"`
	IntervalNs int64         `json:"interval_ns"`
	Programs   []topProgJSON `json:"programs"`
}

type topProgJSON struct {
	ID              uint32       `json:"id"`
	Type            string       `json:"type"`
	Name            string       `json:"name"`
	RunCnt          uint64       `json:"run_cnt"`
	RunTimeNs       uint64       `json:"run_time_ns"`
	PeriodRunCnt    uint64       `json:"period_run_cnt"`
	PeriodRunTimeNs uint64       `json:"period_run_time_ns"`
	EventsPerSec    float64      `json:"events_per_sec"`
	AvgRuntimeNs    float64      `json:"avg_runtime_ns"`
	CPUPercent      float64      `json:"cpu_percent"`
	Pids            []topPidJSON `json:"pids"`
}

type topPidJSON struct {
	PID  int    `json:"pid"`
	Comm string `json:"comm"`
}

func writeTopJSON(c *cli.Context, s top.Sample, ta topArgs, rows []top.Row) {
	out := topJSON{
		Timestamp:  float64(s.At.UnixNano()) / 1e9,
		IntervalNs: ta.interval.Nanoseconds(),
		Programs:   make([]topProgJSON, len(rows)),
	}
	for i := range rows {
		r := &rows[i]
		pids := make([]topPidJSON, len(r.Prog.Holders))
		for j, h := range r.Prog.Holders {
			pids[j] = topPidJSON{h.PID, h.Comm}
		}
		out.Programs[i] = topProgJSON{
			ID: r.Prog.ID, Type: top.TypeName(r), Name: r.Prog.Name,
			RunCnt: r.Prog.RunCnt, RunTimeNs: r.Prog.RunTimeNs,
			PeriodRunCnt: r.PeriodRunCnt, PeriodRunTimeNs: r.PeriodRunTimeNs,
			EventsPerSec: r.EventsPerSec, AvgRuntimeNs: r.AvgRuntimeNs, CPUPercent: r.CPUPercent,
			Pids: pids,
		}
	}
	var b []byte
	if c.Pretty {
		b, _ = json.MarshalIndent(out, "", "    ")
	} else {
		b, _ = json.Marshal(out)
	}
	c.Out.Write(b)
	c.Out.WriteString("\n")
}
