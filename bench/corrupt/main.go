// Command corrupt is the differential harness for corrupt objects (issue
// 14, section 5): it makes mutated copies of the xdp-tools objects and
// loads each with Debian's bpftool and with gobpftool, `prog load M PIN`
// and `prog loadall M DIR`, comparing the exit code and the last line of
// stderr. It prints a table of the kinds of difference.
//
// Usage (as root, bpffs mounted; one kernel-loading process at a time):
//
//	CGO_ENABLED=0 go build -o /tmp/gbc ./cmd/gobpftool
//	go run ./bench/corrupt -gobpftool /tmp/gbc            # 360 cases, seed 1
//	go run ./bench/corrupt -gobpftool /tmp/gbc -v         # and each difference
//	go run ./bench/corrupt -gobpftool /tmp/gbc -only 5,17 -emit cases.txt
//
// The mutations are deterministic: case i is generated from (seed, i)
// alone, so -only reruns a case exactly. Each case takes one object
// (round robin over -objs) and applies 1 to 3 edits, as a fuzzer would:
// a bit flip, a random byte, an "interesting" byte (0, 1, 0x7f, 0x80,
// 0xff) or an interesting 32-bit word (0, 1, -1, INT_MAX, INT_MIN, the
// region's size). Where the edits go is the case's region:
//
//	btf     35%  the .BTF section (a third of these in its 24-byte header)
//	btfext  25%  the .BTF.ext section (likewise its header)
//	elf     15%  the ELF header or the section header table
//	any     25%  anywhere in the file
//
// -emit writes the chosen cases as patch lines ("OBJECT OFF=BYTE ...
// # region"), the format of internal/prog/testdata/corrupt_cases.txt,
// which the kernel test TestLoadCorruptObjects replays.
//
// Pins: the program pins go to /sys/fs/bpf/gbc_corrupt_p and
// /sys/fs/bpf/gbc_corrupt_d and are removed after every command, as is
// every new file directly under /sys/fs/bpf (the xdp-filter objects pin
// their maps by name there); new directories are left to their owners
// but reported. The harness fails if anything of its own is left.
package main

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

const bpffs = "/sys/fs/bpf"

var (
	nCases  = flag.Int("n", 360, "number of mutated objects")
	seed    = flag.Uint64("seed", 1, "seed of the mutations")
	objGlob = flag.String("objs", "/usr/lib/x86_64-linux-gnu/bpf/*.o", "objects to mutate")
	oracle  = flag.String("bpftool", "/usr/sbin/bpftool", "the oracle")
	ours    = flag.String("gobpftool", "/tmp/gbc", "gobpftool binary to compare")
	verbose = flag.Bool("v", false, "print every difference")
	only    = flag.String("only", "", "comma-separated case numbers to run")
	emit    = flag.String("emit", "", "write the cases run (or, with -diff, the differing ones) as patch lines to this file")
	diffs   = flag.Bool("diff", false, "with -emit, write only the cases that differ")
	keep    = flag.String("keep", "", "write the mutated objects to this directory and keep them")
	full    = flag.Bool("full", false, "with -v, print the whole stderr of both tools")
)

// A patch is one byte of the mutated object.
type patch struct {
	off int
	val byte
}

type mutCase struct {
	id      int
	obj     string
	region  string
	patches []patch
}

type outcome struct {
	code int
	last string
	all  string // the whole stderr, for -full; not compared
}

func (o outcome) same(p outcome) bool { return o.code == p.code && o.last == p.last }

func main() {
	flag.Parse()
	objs, err := filepath.Glob(*objGlob)
	if err != nil || len(objs) == 0 {
		fail(fmt.Errorf("no objects match %s", *objGlob))
	}
	sort.Strings(objs)
	raws := map[string][]byte{}
	for _, o := range objs {
		b, err := os.ReadFile(o)
		if err != nil {
			fail(err)
		}
		raws[o] = b
	}
	ids := []int{}
	if *only != "" {
		for _, s := range strings.Split(*only, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				fail(err)
			}
			ids = append(ids, n)
		}
	} else {
		for i := 0; i < *nCases; i++ {
			ids = append(ids, i)
		}
	}
	tmp := *keep
	if tmp == "" {
		if tmp, err = os.MkdirTemp("", "gbc-corrupt-"); err != nil {
			fail(err)
		}
		defer os.RemoveAll(tmp)
	} else if err := os.MkdirAll(tmp, 0o755); err != nil {
		fail(err)
	}
	before := topEntries()

	type row struct{ same, gobRejects, gobLoads, bothFailDiffer, bothOKDiffer int }
	table := map[string]*row{}
	kinds := map[string]int{}
	var emitted []string
	caseDiffs, codeDiffs, cmdDiffs, cmds := 0, 0, 0, 0
	start := time.Now()
	for _, id := range ids {
		obj := objs[id%len(objs)]
		c := mutate(id, obj, raws[obj])
		m := filepath.Join(tmp, fmt.Sprintf("m%03d_%s", id, filepath.Base(obj)))
		if err := os.WriteFile(m, apply(raws[obj], c.patches), 0o644); err != nil {
			fail(err)
		}
		r := table[c.region]
		if r == nil {
			r = &row{}
			table[c.region] = r
		}
		differs, codeDiffers := false, false
		for _, cmd := range []string{"load", "loadall"} {
			pin := filepath.Join(bpffs, "gbc_corrupt_p")
			if cmd == "loadall" {
				pin = filepath.Join(bpffs, "gbc_corrupt_d")
			}
			want := run(*oracle, before, "prog", cmd, m, pin)
			got := run(*ours, before, "prog", cmd, m, pin)
			cmds++
			kind := ""
			switch {
			case want.same(got):
				r.same++
				continue
			case want.code == 0 && got.code != 0:
				r.gobRejects++
				kind = "gobpftool rejects, bpftool loads"
			case want.code != 0 && got.code == 0:
				r.gobLoads++
				kind = "gobpftool loads, bpftool rejects"
			case want.code != 0:
				r.bothFailDiffer++
				kind = "both fail, last line or code differs"
			default:
				r.bothOKDiffer++
				kind = "both load, last line differs"
			}
			differs = true
			codeDiffers = codeDiffers || (want.code == 0) != (got.code == 0)
			cmdDiffs++
			kinds[fmt.Sprintf("%s\n      bpftool:   %d %s\n      gobpftool: %d %s", kind, want.code, want.last, got.code, got.last)]++
			if *verbose {
				fmt.Printf("case %d %s %s [%s] %s\n  bpftool:   %d %s\n  gobpftool: %d %s\n",
					id, cmd, filepath.Base(obj), c.region, patchText(c.patches), want.code, want.last, got.code, got.last)
				if *full {
					fmt.Printf("  --- bpftool:\n%s  --- gobpftool:\n%s", want.all, got.all)
				}
			}
		}
		if differs {
			caseDiffs++
		}
		if codeDiffers {
			codeDiffs++
		}
		if *emit != "" && (!*diffs || differs) {
			emitted = append(emitted, fmt.Sprintf("%s %s # case %d, %s", filepath.Base(obj), patchText(c.patches), id, c.region))
		}
	}

	fmt.Printf("\n%d mutated objects (seed %d), %d commands each tool, %s\n", len(ids), *seed, cmds, time.Since(start).Round(time.Second))
	fmt.Printf("%-8s %6s %8s %8s %10s %9s\n", "region", "same", "gob-rej", "gob-load", "fail-diff", "ok-diff")
	var regions []string
	for k := range table {
		regions = append(regions, k)
	}
	sort.Strings(regions)
	var tot row
	for _, k := range regions {
		r := table[k]
		fmt.Printf("%-8s %6d %8d %8d %10d %9d\n", k, r.same, r.gobRejects, r.gobLoads, r.bothFailDiffer, r.bothOKDiffer)
		tot.same += r.same
		tot.gobRejects += r.gobRejects
		tot.gobLoads += r.gobLoads
		tot.bothFailDiffer += r.bothFailDiffer
		tot.bothOKDiffer += r.bothOKDiffer
	}
	fmt.Printf("%-8s %6d %8d %8d %10d %9d\n", "total", tot.same, tot.gobRejects, tot.gobLoads, tot.bothFailDiffer, tot.bothOKDiffer)
	fmt.Printf("\ndiffering commands: %d of %d; differing objects: %d of %d, of which %d loaded by one tool only\n",
		cmdDiffs, cmds, caseDiffs, len(ids), codeDiffs)
	if len(kinds) > 0 {
		fmt.Printf("\nkinds of difference (commands):\n")
		var ks []string
		for k := range kinds {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool {
			if kinds[ks[i]] != kinds[ks[j]] {
				return kinds[ks[i]] > kinds[ks[j]]
			}
			return ks[i] < ks[j]
		})
		for _, k := range ks {
			fmt.Printf("%4d  %s\n", kinds[k], k)
		}
	}
	if *emit != "" {
		if err := os.WriteFile(*emit, []byte(strings.Join(emitted, "\n")+"\n"), 0o644); err != nil {
			fail(err)
		}
	}
	if left := leftovers(before); len(left) > 0 {
		fail(fmt.Errorf("left under %s: %v", bpffs, left))
	}
}

// mutate makes case id from obj: deterministic in (seed, id).
func mutate(id int, obj string, raw []byte) mutCase {
	rng := rand.New(rand.NewPCG(*seed, uint64(id)))
	c := mutCase{id: id, obj: obj}
	f, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		fail(fmt.Errorf("%s: %v", obj, err))
	}
	secRange := func(name string) (string, int, int) {
		s := f.Section(name)
		if s == nil {
			return "any", 0, len(raw)
		}
		return c.region, int(s.Offset), int(s.Size)
	}
	var lo, n int
	switch p := rng.IntN(100); {
	case p < 60:
		c.region = "btf"
		sec := ".BTF"
		if p >= 35 {
			c.region, sec = "btfext", ".BTF.ext"
		}
		c.region, lo, n = secRange(sec)
		if rng.IntN(3) == 0 && n > 24 {
			n = 24 // the header
		}
	case p < 75:
		c.region = "elf"
		if rng.IntN(2) == 0 {
			lo, n = 0, 64
		} else {
			shoff := int(binary.LittleEndian.Uint64(raw[40:]))
			lo, n = shoff, len(raw)-shoff
		}
	default:
		c.region, lo, n = "any", 0, len(raw)
	}
	out := append([]byte(nil), raw...)
	edits := 1 + rng.IntN(3)
	for e := 0; e < edits; e++ {
		pos := lo + rng.IntN(n)
		switch rng.IntN(4) {
		case 0:
			out[pos] ^= 1 << rng.IntN(8)
		case 1:
			out[pos] = byte(rng.IntN(256))
		case 2:
			out[pos] = []byte{0, 1, 0x7f, 0x80, 0xff}[rng.IntN(5)]
		default:
			pos = lo + (pos-lo)&^3
			if pos+4 > lo+n || pos+4 > len(out) {
				pos = lo
			}
			words := []uint32{0, 1, 0xffffffff, 0x7fffffff, 0x80000000, uint32(n)}
			binary.LittleEndian.PutUint32(out[pos:], words[rng.IntN(len(words))])
		}
	}
	for i := range out {
		if out[i] != raw[i] {
			c.patches = append(c.patches, patch{i, out[i]})
		}
	}
	return c
}

func apply(raw []byte, ps []patch) []byte {
	out := append([]byte(nil), raw...)
	for _, p := range ps {
		out[p.off] = p.val
	}
	return out
}

func patchText(ps []patch) string {
	if len(ps) == 0 {
		return "-"
	}
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%#x=%02x", p.off, p.val))
	}
	return strings.Join(s, " ")
}

// run runs one command with a timeout, then removes its pins.
func run(bin string, before map[string]bool, args ...string) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	o := outcome{}
	if ee, ok := err.(*exec.ExitError); ok {
		o.code = ee.ExitCode()
	} else if err != nil {
		fail(err)
	}
	if ctx.Err() != nil {
		o.code, o.last = -1, "TIMEOUT"
	} else {
		lines := strings.Split(strings.TrimRight(errb.String(), "\n"), "\n")
		o.last = lines[len(lines)-1]
		o.all = errb.String()
	}
	cleanup(before, args[len(args)-1])
	return o
}

func topEntries() map[string]bool {
	ents, err := os.ReadDir(bpffs)
	if err != nil {
		fail(err)
	}
	m := map[string]bool{}
	for _, e := range ents {
		m[e.Name()] = true
	}
	return m
}

// cleanup removes the command's pin and every new file (a map pinned by
// name) directly under bpffs.
func cleanup(before map[string]bool, pin string) {
	os.RemoveAll(pin)
	ents, _ := os.ReadDir(bpffs)
	for _, e := range ents {
		if !before[e.Name()] && !e.IsDir() {
			os.Remove(filepath.Join(bpffs, e.Name()))
		}
	}
}

// leftovers are the entries of ours still under bpffs.
func leftovers(before map[string]bool) []string {
	var left []string
	for name := range topEntries() {
		if !before[name] && (strings.HasPrefix(name, "gbc_corrupt") || !isDir(filepath.Join(bpffs, name))) {
			left = append(left, name)
		}
	}
	return left
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "corrupt:", err)
	os.Exit(1)
}
