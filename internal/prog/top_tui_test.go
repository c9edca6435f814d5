package prog_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// tmuxPane is a detached tmux session running one command.
type tmuxPane struct {
	t    *testing.T
	tmux string
	name string
}

func newTmux(t *testing.T, width, height int, command string) *tmuxPane {
	t.Helper()
	tm := testprog.NeedTool(t, "tmux")
	p := &tmuxPane{t: t, tmux: tm, name: fmt.Sprintf("gobpftool-top-%d", os.Getpid())}
	exec.Command(tm, "kill-session", "-t", p.name).Run()
	out, err := exec.Command(tm, "new-session", "-d", "-s", p.name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height),
		"env TERM=xterm-256color "+command).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command(tm, "kill-session", "-t", p.name).Run() })
	return p
}

func (p *tmuxPane) run(args ...string) string {
	p.t.Helper()
	out, err := exec.Command(p.tmux, args...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v %s", args, err, out)
	}
	return string(out)
}

func (p *tmuxPane) keys(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		p.run("send-keys", "-t", p.name, k)
		// Esc followed at once by a key reads as Alt+key.
		time.Sleep(150 * time.Millisecond)
	}
}

func (p *tmuxPane) capture() string { return p.run("capture-pane", "-p", "-t", p.name) }

// waitFor polls the screen until ok accepts it, for at most 10 seconds.
func (p *tmuxPane) waitFor(what string, ok func(screen string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var s string
	for time.Now().Before(deadline) {
		if s = p.capture(); ok(s) {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("waiting for %s; screen:\n%s", what, s)
	return ""
}

func contains(subs ...string) func(string) bool {
	return func(s string) bool {
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	}
}

// TestTopInteractive drives the full-screen view in a real terminal: a
// busy program on the first screen, sort, filter, detail view, pause,
// resize, and q ending with 0 and the terminal restored.
func TestTopInteractive(t *testing.T) {
	testprog.Privileged(t)
	p, id := topXDP(t)
	ctx, cancel := context.WithCancel(context.Background())
	busy := make(chan struct{})
	go func() {
		defer close(busy)
		for ctx.Err() == nil {
			runTimes(t, p, 20000)
		}
	}()
	defer func() { cancel(); <-busy }()

	exitFile := filepath.Join(t.TempDir(), "exit")
	sysctl := statsSysctl(t)
	cmd := fmt.Sprintf("sh -c '%s prog top interval 0.3; echo $? > %s; stty -a | grep -o -- \"-*icanon\" >> %s; echo RESTORED; sleep 60'",
		testprog.Binary(t), exitFile, exitFile)
	tm := newTmux(t, 100, 30, cmd)

	s := tm.waitFor("the table with run_xdp busy", func(s string) bool {
		return contains("ID", "TYPE", "NAME", "CPU%↓", "EVENTS/S", "programs", "stats on")(s) &&
			strings.Contains(s, id) && strings.Contains(s, "run_xdp")
	})
	if lines := strings.Split(strings.TrimRight(s, "\n"), "\n"); !strings.HasPrefix(strings.TrimSpace(lines[1]), "ID") {
		t.Errorf("second line is not the header:\n%s", s)
	}

	// Sort: from CPU% one column left is EVENTS/S, descending.
	tm.keys("s")
	tm.waitFor("the sort chooser", contains("sort (", "[CPU%]"))
	tm.keys("Left", "Enter")
	tm.waitFor("the table sorted by events/s", contains("EVENTS/S↓"))

	// Filter by name, case-insensitive: only run_xdp programs remain.
	tm.keys("f")
	tm.waitFor("the filter prompt", contains("\nfilter:"))
	tm.run("send-keys", "-t", tm.name, "-l", "RUN_XDP")
	tm.keys("Enter")
	s = tm.waitFor("the filtered table", contains(`filter "RUN_XDP"`, "shown"))
	for _, l := range strings.Split(s, "\n")[3:] {
		if f := strings.Fields(l); len(f) > 2 && f[0] != "↑↓/jk" && !strings.Contains(l, "run_xdp") {
			t.Errorf("filtered table shows %q", l)
		}
	}

	// Detail of the first row (run_xdp): facts, charts.
	tm.keys("Enter")
	s = tm.waitFor("the detail view", contains("name run_xdp", "CPU %", "events/s", "avg runtime ns", "samples)", "pids "))
	if !strings.Contains(s, "esc back") {
		t.Errorf("detail view without its key line:\n%s", s)
	}
	tm.keys("Escape")
	tm.waitFor("the table again", contains("ID", "TYPE", `filter "RUN_XDP"`))

	// An empty filter clears it.
	tm.keys("f", "C-u", "Enter")
	tm.waitFor("the unfiltered table", func(s string) bool { return !strings.Contains(s, "filter \"") && strings.Contains(s, "programs") })

	// Pause and resume.
	tm.keys("p")
	tm.waitFor("the pause", contains("PAUSED"))
	tm.keys("p")
	tm.waitFor("the resumption", func(s string) bool { return !strings.Contains(s, "PAUSED") })

	// Resize to 80x24: redrawn to fit.
	tm.run("resize-window", "-t", tm.name, "-x", "80", "-y", "24")
	s = tm.waitFor("the redraw at 80x24", func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return len(lines) <= 24 && strings.Contains(s, "EVENTS/S") && strings.Contains(lines[len(lines)-1], "q quit")
	})
	for _, l := range strings.Split(s, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d cells at 80 columns: %q", n, l)
		}
	}

	tm.keys("q")
	tm.waitFor("the exit", contains("RESTORED"))
	b, _ := os.ReadFile(exitFile)
	if got := strings.Fields(string(b)); len(got) != 2 || got[0] != "0" || got[1] != "icanon" {
		t.Errorf("exit status and terminal mode %q, want 0 and icanon", got)
	}
	if s := tm.capture(); strings.Contains(s, "EVENTS/S") {
		t.Errorf("the table stayed on the screen after q:\n%s", s)
	}
	if got := statsSysctl(t); got != sysctl {
		t.Errorf("sysctl %q, was %q", got, sysctl)
	}
}

// TestTopDetailVanish: a program unloaded while its detail view is open
// is reported gone; SIGTERM then ends the view with the terminal restored.
func TestTopDetailVanish(t *testing.T) {
	testprog.Privileged(t)
	coll := testprog.Load(t, "show")
	p := coll.Programs["show_xdp"]
	id := fmt.Sprint(testprog.ProgID(t, p))
	exitFile := filepath.Join(t.TempDir(), "exit")
	cmd := fmt.Sprintf("sh -c '%s prog top id %s interval 0.2; echo $? > %s; stty -a | grep -o -- \"-*icanon\" >> %s; echo RESTORED; sleep 60'",
		testprog.Binary(t), id, exitFile, exitFile)
	tm := newTmux(t, 100, 30, cmd)
	tm.waitFor("the table", contains("show_xdp", "1 programs"))
	tm.keys("Enter")
	tm.waitFor("the detail view", contains("name show_xdp", "CPU %"))
	p.Close()
	coll.Close()
	tm.waitFor("the program gone", contains("gone"))
	out, _ := exec.Command("pgrep", "-f", "-n", testprog.Binary(t)+" prog top id "+id).Output()
	pid := strings.TrimSpace(string(out))
	if pid == "" {
		t.Fatal("no top process")
	}
	exec.Command("kill", "-TERM", pid).Run()
	tm.waitFor("the exit", contains("RESTORED"))
	b, _ := os.ReadFile(exitFile)
	if got := strings.Fields(string(b)); len(got) != 2 || got[0] != "0" || got[1] != "icanon" {
		t.Errorf("exit status and terminal mode %q, want 0 and icanon", got)
	}
}

// TestTopInteractiveExits: Ctrl-C, SIGHUP and SIGQUIT end the view with
// status 0, the terminal restored and kernel.bpf_stats_enabled as it was.
func TestTopInteractiveExits(t *testing.T) {
	testprog.Privileged(t)
	sysctl := statsSysctl(t)
	for _, how := range []string{"C-c", "HUP", "QUIT"} {
		exitFile := filepath.Join(t.TempDir(), "exit")
		cmd := fmt.Sprintf("sh -c '%s prog top interval 0.5 count 1000; echo $? > %s; stty -a | grep -o -- \"-*icanon\" >> %s; echo RESTORED; sleep 60'",
			testprog.Binary(t), exitFile, exitFile)
		tm := newTmux(t, 100, 30, cmd)
		tm.waitFor("the table", contains("programs", "CPU%↓"))
		if how == "C-c" {
			tm.keys("C-c")
		} else {
			out, _ := exec.Command("pgrep", "-f", "-n", testprog.Binary(t)+" prog top interval 0.5 count 1000").Output()
			exec.Command("kill", "-"+how, strings.TrimSpace(string(out))).Run()
		}
		tm.waitFor("the exit after "+how, contains("RESTORED"))
		b, _ := os.ReadFile(exitFile)
		if got := strings.Fields(string(b)); len(got) != 2 || got[0] != "0" || got[1] != "icanon" {
			t.Errorf("%s: exit status and terminal mode %q, want 0 and icanon", how, got)
		}
		if got := statsSysctl(t); got != sysctl {
			t.Errorf("%s: sysctl %q, was %q", how, got, sysctl)
		}
		exec.Command(tm.tmux, "kill-session", "-t", tm.name).Run()
	}
}
