package profiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gobpftool/gobpftool/internal/testprog"
)

func metric(t testing.TB, name string) Metric {
	t.Helper()
	m, ok := Lookup(name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return m
}

// TestCountersRawTP checks the generated fentry/fexit code on a
// kernel that refuses fentry: the same instructions load as raw
// tracepoint programs (the same helpers are allowed there), and a test run
// of each on a chosen CPU stands in for the target's entry and exit. The
// counters are software ones, which need no PMU.
func TestCountersRawTP(t *testing.T) {
	testprog.Privileged(t)
	numCPU, err := ebpf.PossibleCPU()
	if err != nil {
		t.Fatal(err)
	}
	before := testprog.OpenFDs(t)
	counters := []Metric{metric(t, "cpu_clock"), metric(t, "page_faults")}
	spec := spec(numCPU, len(counters), nil, "")
	for _, ps := range spec.Programs {
		ps.Type, ps.AttachType, ps.AttachTo = ebpf.RawTracepoint, ebpf.AttachNone, ""
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		t.Fatalf("the verifier refuses the generated programs: %v", err)
	}
	p := &probes{coll: coll}
	var offline []string
	if err := p.openEvents(counters, numCPU, func(m string, cpu int) { offline = append(offline, fmt.Sprint(m, cpu)) }); err != nil {
		p.close()
		t.Fatalf("software perf events: %v %v", err, offline)
	}
	run := func(name string, cpu int) {
		t.Helper()
		ret, err := coll.Programs[name].Run(&ebpf.RunOptions{Flags: unix.BPF_F_TEST_RUN_ON_CPU, CPU: uint32(cpu)})
		if err != nil || ret != 0 {
			t.Fatalf("%s on cpu %d: %d %v", name, cpu, ret, err)
		}
	}
	// An exit without an entry reading counts the run but adds nothing.
	run("fexit_XXX", 0)
	runs, vals, err := p.read(len(counters))
	if err != nil || runs != 1 || vals[0] != (Value{}) {
		t.Fatalf("fexit alone: runs %d vals %+v err %v", runs, vals, err)
	}
	// Then an entry and an exit on every CPU.
	for cpu := 0; cpu < numCPU; cpu++ {
		run("fentry_XXX", cpu)
		var entry []Value
		if err := coll.Maps[mapFentry].Lookup(uint32(0), &entry); err != nil || entry[cpu].Counter == 0 || entry[cpu].Enabled == 0 {
			t.Fatalf("entry reading of cpu %d: %+v %v", cpu, entry, err)
		}
		run("fexit_XXX", cpu)
	}
	runs, vals, err = p.read(len(counters))
	if err != nil || runs != uint64(1+numCPU) {
		t.Fatalf("runs %d err %v", runs, err)
	}
	// cpu-clock counts nanoseconds: it moved between entry and exit.
	if vals[0].Counter == 0 || vals[0].Enabled == 0 || vals[0].Running == 0 || vals[0].Enabled < vals[0].Running {
		t.Errorf("cpu_clock %+v", vals[0])
	}
	if vals[1].Enabled == 0 {
		t.Errorf("page_faults %+v", vals[1])
	}
	// The rows as the command would print them.
	res, err := Build([]string{"cpu_clock", "page_faults"}, &Readings{
		Values:    map[string]Value{"cpu_clock": vals[0], "page_faults": vals[1]},
		FexitRuns: runs, HasFexit: true})
	if err != nil || res.RunCnt != runs || !res.Rows[0].HasRatio || res.Rows[0].Value != vals[0] {
		t.Errorf("result %+v %v", res, err)
	}
	p.close()
	before.Same(t)
}

// TestInsns checks the shape of the generated programs without a
// kernel: per counter, fentry looks a slot up and reads the counter once;
// fexit reads every counter before it touches a map; every jump lands.
func TestInsns(t *testing.T) {
	for n := 1; n <= MaxCounters; n++ {
		for _, tc := range []struct {
			name                 string
			insns                asm.Instructions
			lookups, reads, cpus int
		}{
			{"fentry", fentryInsns(n), n, n, 1},
			{"fexit", fexitInsns(n), 1 + 2*n, n, 1},
		} {
			var lookups, reads, cpus int
			symbols := map[string]bool{}
			refs := map[string]bool{}
			firstLookup, lastRead := -1, -1
			for i, ins := range tc.insns {
				if s := ins.Symbol(); s != "" {
					if symbols[s] {
						t.Errorf("%s/%d: symbol %s twice", tc.name, n, s)
					}
					symbols[s] = true
				}
				switch {
				case ins.IsBuiltinCall() && ins.Constant == int64(asm.FnMapLookupElem):
					lookups++
					if firstLookup < 0 {
						firstLookup = i
					}
				case ins.IsBuiltinCall() && ins.Constant == int64(asm.FnPerfEventReadValue):
					reads++
					lastRead = i
				case ins.IsBuiltinCall() && ins.Constant == int64(asm.FnGetSmpProcessorId):
					cpus++
				case ins.IsLoadFromMap():
					refs[ins.Reference()] = true
				case ins.OpCode.JumpOp() != asm.InvalidJumpOp && ins.OpCode.JumpOp() != asm.Exit && ins.OpCode.JumpOp() != asm.Call:
					refs["jump:"+ins.Reference()] = true
				}
				if ins.OpCode.Class().IsStore() && ins.Dst == asm.RFP && (ins.Offset >= 0 || ins.Offset < -512) {
					t.Errorf("%s/%d: stack store at %d", tc.name, n, ins.Offset)
				}
			}
			if lookups != tc.lookups || reads != tc.reads || cpus != tc.cpus {
				t.Errorf("%s/%d: %d lookups %d reads %d cpu ids", tc.name, n, lookups, reads, cpus)
			}
			if tc.name == "fexit" && lastRead > firstLookup {
				t.Errorf("fexit/%d: a counter is read after a map lookup", n)
			}
			for r := range refs {
				if name, ok := strings.CutPrefix(r, "jump:"); ok {
					if !symbols[name] {
						t.Errorf("%s/%d: jump to missing %q", tc.name, n, name)
					}
				} else if !strings.HasPrefix(r, mapEvents) && r != mapFentry && r != mapAccum && r != mapCounts {
					t.Errorf("%s/%d: unknown map %q", tc.name, n, r)
				}
			}
		}
	}
}
