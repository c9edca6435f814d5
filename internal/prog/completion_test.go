package prog_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

// What our completion offers beyond Debian's bpftool completion, by
// where it offers it (the README lists the same). Every other candidate
// must be the oracle's.
var (
	addedOptions  = []string{"--help", "--nomount"}                                    // getopt knows them; the oracle's list forgets them
	addedCommands = []string{"top", "metrics"}                                         // gobpftool's own commands
	addedPinDirs  = []string{"/sys/fs/bpf/"}                                           // where a path is pinned, the bpffs mount points
	addedLoadKws  = []string{"offload_dev", "xdpmeta_dev", "autoattach", "kernel_btf"} // newer bpftool's load keywords
	addedTypes    = []string{"sk_reuseport"}                                           // in the help's TYPE list, not in the oracle's completion
	addedMetrics  = []string{"run_cnt", "run_time_ns", "cpu_clock", "page_faults"}     // gobpftool's own profile metrics
	addedMapKws   = []string{"name"}                                                   // MAP after `map idx N`: the oracle offers only id and pinned
	addedObjMaps  = []string{"counters", "seen"}                                       // `map name` in a BTF (.maps) object: the oracle reads only legacy "maps"
	addedTracelog = []string{"stdout", "stderr"}                                       // newer bpftool's BPF streams
	addedTop      = []string{"id", "pinned", "tag", "name", "interval", "count"}
	addedMetricsC = []string{"listen"}
	addedListen   = []string{"stats", "web_config"}
)

// completionCase is a command line (after the tool's name; the last word
// is the one completed) and our additions to the oracle's candidates.
// In the line, ID is the id of a program of show.c, TAG the start of its
// tag, OBJ show.o and LEGACY load_legacymaps.o (in the current
// directory, with data.bin and a directory sub).
type completionCase struct {
	line  string
	added []string
}

var completionCases = []completionCase{
	{"pr", nil},
	{"--", addedOptions},
	{"-j prog show ", nil},
	{"prog ", addedCommands},
	{"prog s", nil},
	{"prog lo", nil},
	{"prog show ", nil},
	{"prog show id ID", nil},
	{"prog list name show_", nil},
	{"prog show tag TAG", nil},
	{"prog show pinned ", nil},
	{"prog dump ", nil},
	{"prog dump xlated ", nil},
	{"prog dump jited name show_", nil},
	{"prog dump xlated id ID ", nil},
	{"prog dump jited id ID ", nil},
	{"prog dump xlated id ID file ", nil},
	{"prog dump xlated id ID file out.txt ", nil},
	{"prog pin ", nil},
	{"prog pin id ID ", addedPinDirs},
	{"prog pin name show_xdp ", addedPinDirs},
	{"prog load ", nil},
	{"prog load OBJ ", addedPinDirs},
	{"prog load OBJ /sys/fs/bpf/t ", addedLoadKws},
	{"prog loadall OBJ /sys/fs/bpf/t type ", addedTypes},
	{"prog load OBJ /sys/fs/bpf/t type xdp ", addedLoadKws},
	{"prog load OBJ /sys/fs/bpf/t map ", nil},
	{"prog load OBJ /sys/fs/bpf/t map name ", addedObjMaps},
	{"prog load LEGACY /sys/fs/bpf/t map name ", nil},
	{"prog load LEGACY /sys/fs/bpf/t map idx ", nil},
	{"prog load OBJ /sys/fs/bpf/t map idx 0 ", addedMapKws},
	{"prog load OBJ /sys/fs/bpf/t map idx 0 id ", nil},
	{"prog load OBJ /sys/fs/bpf/t dev lo", nil},
	{"prog load OBJ /sys/fs/bpf/t pinmaps ", addedPinDirs},
	{"prog attach ", nil},
	{"prog attach id ID ", nil},
	{"prog attach id ID sk_msg_verdict ", nil},
	{"prog detach id ID flow_dissector ", nil},
	{"prog attach id ID sk_skb_verdict pinned ", nil},
	{"prog tracelog ", addedTracelog},
	{"prog run ", nil},
	{"prog run id ID ", nil},
	{"prog run id ID data_in ", nil},
	{"prog run id ID data_in data.bin ", nil},
	{"prog run id ID data_in data.bin repeat ", nil},
	{"prog profile ", nil},
	{"prog profile id ID ", addedMetrics},
	{"prog profile id ID duration ", nil},
	{"prog profile id ID duration 5 ", addedMetrics},
	{"prog profile id ID cycles ", addedMetrics},
	{"prog top ", addedTop},
	{"prog metrics ", addedMetricsC},
	{"prog metrics listen :9100 ", addedListen},
	{"batch ", nil},
}

const (
	bashCompletion   = "/usr/share/bash-completion/bash_completion"
	oracleCompletion = "/usr/share/bash-completion/completions/bpftool"
)

// TestCompletionOracle completes each line in a real bash with Debian's
// bash-completion, once with bpftool's script and once with ours, and
// wants the same candidates plus our documented additions.
func TestCompletionOracle(t *testing.T) {
	testprog.NeedTool(t, "bpftool")
	testprog.NeedTool(t, "objdump") // the oracle reads legacy map names with it
	bash := testprog.NeedTool(t, "bash")
	for _, f := range []string{bashCompletion, oracleCompletion} {
		if _, err := os.Stat(f); err != nil {
			testprog.Missing(t, f+" is missing: install bash-completion and bpftool")
		}
	}
	coll := testprog.Load(t, "show")
	p := coll.Programs["show_xdp"]
	id := strconv.Itoa(int(testprog.ProgID(t, p)))
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	tag := info.Tag[:6]
	bin := testprog.Binary(t)

	dir := t.TempDir()
	for name, src := range map[string]string{"show.o": testprog.Object(t, "show"), "legacy.o": testprog.Object(t, "load_legacymaps")} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "data.bin"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)

	var script strings.Builder
	script.WriteString(completionHarness)
	lines := make([][]string, len(completionCases))
	for i, c := range completionCases {
		r := strings.NewReplacer("ID", id, "TAG", tag, "OBJ", "show.o", "LEGACY", "legacy.o")
		words := strings.Split(r.Replace(c.line), " ")
		lines[i] = words
		script.WriteString("comp _bpftool bpftool" + shellWords(words) + "\n")
		script.WriteString("comp _gobpftool " + shellQuote(bin) + shellWords(words) + "\n")
	}

	// Other programs and maps come and go while the test runs (other
	// tests, other users): a line that differs is tried again.
	var bad []string
	for attempt := 0; attempt < 3; attempt++ {
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", script.String())
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(got) != 2*len(completionCases) {
			t.Fatalf("bash printed %d lines for %d cases:\n%s", len(got), len(completionCases), out)
		}
		bad = bad[:0]
		for i, c := range completionCases {
			oracle, ours := strings.Fields(got[2*i]), strings.Fields(got[2*i+1])
			want := append(slices.Clone(oracle), c.added...)
			slices.Sort(want)
			want = slices.Compact(want)
			slices.Sort(ours)
			if !slices.Equal(ours, want) {
				bad = append(bad, strings.Join(lines[i], " ")+"|\n  oracle: "+strings.Join(oracle, " ")+
					"\n  ours:   "+strings.Join(ours, " ")+"\n  added:  "+strings.Join(c.added, " "))
			}
		}
		if len(bad) == 0 {
			break
		}
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// completionHarness defines comp FUNCTION WORD...: it completes the last
// word as bash would on that line (cursor at the end) and prints the
// candidates on one line.
const completionHarness = `source ` + bashCompletion + `
source ` + oracleCompletion + `
comp() {
    local fn=$1; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    if [[ $fn == _gobpftool ]] && ! declare -F _gobpftool >/dev/null; then
        source <("${COMP_WORDS[0]}" completion bash)
    fi
    $fn "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo ${COMPREPLY[@]}
}
`

func shellWords(words []string) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(" " + shellQuote(w))
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
