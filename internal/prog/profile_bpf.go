package prog

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftool/gobpftool/internal/errno"
	"github.com/gobpftool/gobpftool/internal/kernel"
)

// The profiler: bpftool's skeleton/profiler.bpf.c, built here with
// cilium/ebpf's asm so that no clang and no object file are needed at run
// time. The fentry program reads every counter on entry to the target, the
// fexit program reads them again on exit and adds the differences to
// per-CPU totals. The counter count is known when the programs are built,
// so the loops are unrolled.
//
// One difference in layout: bpftool keeps every perf event in one array,
// at metric*num_cpu + cpu. cilium/ebpf cuts a perf event array to the
// number of CPUs, so here each counter has its own array, indexed by CPU.

// Map names, as in bpftool's skeleton (events gets the counter's index).
const (
	profMapEvents = "events"          // a counter's perf event fds, by CPU
	profMapFentry = "fentry_readings" // per CPU: the readings at entry
	profMapAccum  = "accum_readings"  // per CPU: the summed differences
	profMapCounts = "counts"          // per CPU: completed runs
)

// profValueSize is sizeof(struct bpf_perf_event_value): counter, enabled
// and running, three u64.
const profValueSize = 24

// Stack slots of the generated programs, below the frame pointer: a u32
// map key, fentry's value pointers (8 bytes each), then the perf readings.
const profStackKey = -4

func profStackPtr(i int) int16     { return int16(-16 - 8*i) }
func profStackReading(i int) int16 { return int16(-64 - profValueSize*i) }

// profMapPtr puts a map's address in dst; the map is bound by name at load.
func profMapPtr(dst asm.Register, name string) asm.Instruction {
	return asm.LoadMapPtr(dst, 0).WithReference(name)
}

// profEventsMap names counter i's perf event array.
func profEventsMap(i int) string { return fmt.Sprintf("%s%d", profMapEvents, i) }

// profReadCounter emits bpf_perf_event_read_value(&events<i>, cpu,
// fp+profStackReading(i), 24) with the CPU in R6, and a jump to out on error.
func profReadCounter(i int) asm.Instructions {
	return asm.Instructions{
		profMapPtr(asm.R1, profEventsMap(i)),
		asm.Mov.Reg(asm.R2, asm.R6),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, int32(profStackReading(i))),
		asm.Mov.Imm(asm.R4, profValueSize),
		asm.FnPerfEventReadValue.Call(),
		asm.JNE.Imm(asm.R0, 0, "out"),
	}
}

// profLookup emits a lookup of key i in a map, leaving the value pointer in
// R0 and jumping to miss when there is none.
func profLookup(name string, i int, miss string) asm.Instructions {
	return asm.Instructions{
		asm.StoreImm(asm.RFP, profStackKey, int64(i), asm.Word),
		profMapPtr(asm.R1, name),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, profStackKey),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, miss),
	}
}

var profExitZero = asm.Instructions{
	asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
	asm.Return(),
}

// profFentryInsns is profiler.bpf.c's fentry_XXX: look the entry slots up
// first, so that the counters are read as close to the target as can be,
// then read each counter of this CPU into its slot.
func profFentryInsns(numMetric int) asm.Instructions {
	var insns asm.Instructions
	for i := 0; i < numMetric; i++ {
		insns = append(insns, profLookup(profMapFentry, i, "out")...)
		insns = append(insns, asm.StoreMem(asm.RFP, profStackPtr(i), asm.R0, asm.DWord))
	}
	insns = append(insns, asm.FnGetSmpProcessorId.Call(), asm.Mov.Reg(asm.R6, asm.R0))
	for i := 0; i < numMetric; i++ {
		insns = append(insns, profReadCounter(i)...)
		insns = append(insns, asm.LoadMem(asm.R1, asm.RFP, profStackPtr(i), asm.DWord))
		for f := int16(0); f < profValueSize; f += 8 {
			insns = append(insns,
				asm.LoadMem(asm.R2, asm.RFP, profStackReading(i)+f, asm.DWord),
				asm.StoreMem(asm.R1, f, asm.R2, asm.DWord))
		}
	}
	return append(insns, profExitZero...)
}

// profFexitInsns is profiler.bpf.c's fexit_XXX: read every counter first,
// count the run, then add reading minus entry reading to the totals of
// each counter that has an entry reading. bpftool takes a zero counter
// for "no reading"; a software counter such as page_faults is often zero,
// so here a zero enabled time (never read) means it instead.
func profFexitInsns(numMetric int) asm.Instructions {
	insns := asm.Instructions{asm.FnGetSmpProcessorId.Call(), asm.Mov.Reg(asm.R6, asm.R0)}
	for i := 0; i < numMetric; i++ {
		insns = append(insns, profReadCounter(i)...)
	}
	insns = append(insns, profLookup(profMapCounts, 0, "out")...)
	insns = append(insns,
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))
	label := ""
	for i := 0; i < numMetric; i++ {
		next := "out"
		if i < numMetric-1 {
			next = fmt.Sprintf("next%d", i)
		}
		body := profLookup(profMapFentry, i, next)
		body = append(body,
			asm.Mov.Reg(asm.R7, asm.R0),
			asm.LoadMem(asm.R1, asm.R7, 8, asm.DWord),
			asm.JEq.Imm(asm.R1, 0, next))
		body = append(body, profLookup(profMapAccum, i, next)...)
		for f := int16(0); f < profValueSize; f += 8 {
			body = append(body,
				asm.LoadMem(asm.R1, asm.RFP, profStackReading(i)+f, asm.DWord),
				asm.LoadMem(asm.R2, asm.R7, f, asm.DWord),
				asm.Sub.Reg(asm.R1, asm.R2),
				asm.LoadMem(asm.R3, asm.R0, f, asm.DWord),
				asm.Add.Reg(asm.R3, asm.R1),
				asm.StoreMem(asm.R0, f, asm.R3, asm.DWord))
		}
		if label != "" {
			body[0] = body[0].WithSymbol(label)
		}
		label = next
		insns = append(insns, body...)
	}
	return append(insns, profExitZero...)
}

// profSpec is the profiler's maps and programs for numMetric counters
// on numCPU CPUs, attached to function fn of the program target.
func profSpec(numCPU, numMetric int, target *ebpf.Program, fn string) *ebpf.CollectionSpec {
	percpu := func(name string, size, n int) *ebpf.MapSpec {
		return &ebpf.MapSpec{Name: name, Type: ebpf.PerCPUArray, KeySize: 4,
			ValueSize: uint32(size), MaxEntries: uint32(n)}
	}
	prog := func(name string, at ebpf.AttachType, insns asm.Instructions) *ebpf.ProgramSpec {
		return &ebpf.ProgramSpec{Name: name, Type: ebpf.Tracing, AttachType: at,
			AttachTarget: target, AttachTo: fn, Instructions: insns, License: "Dual BSD/GPL"}
	}
	maps := map[string]*ebpf.MapSpec{
		profMapFentry: percpu(profMapFentry, profValueSize, numMetric),
		profMapAccum:  percpu(profMapAccum, profValueSize, numMetric),
		profMapCounts: percpu(profMapCounts, 8, 1),
	}
	for i := 0; i < numMetric; i++ {
		maps[profEventsMap(i)] = &ebpf.MapSpec{Name: profEventsMap(i), Type: ebpf.PerfEventArray,
			KeySize: 4, ValueSize: 4, MaxEntries: uint32(numCPU)}
	}
	return &ebpf.CollectionSpec{
		Maps: maps,
		Programs: map[string]*ebpf.ProgramSpec{
			"fentry_XXX": prog("fentry_XXX", ebpf.AttachTraceFEntry, profFentryInsns(numMetric)),
			"fexit_XXX":  prog("fexit_XXX", ebpf.AttachTraceFExit, profFexitInsns(numMetric)),
		},
	}
}

// profiler is a loaded profiler and what it holds: closing it releases
// every link, program, map and perf event.
type profiler struct {
	coll   *ebpf.Collection
	events []int
	links  []link.Link
}

func (p *profiler) detach() {
	for _, l := range p.links {
		l.Close()
	}
	p.links = nil
}

func (p *profiler) closeEvents() {
	for i := len(p.events) - 1; i >= 0; i-- {
		kernel.Close(p.events[i])
	}
	p.events = nil
}

func (p *profiler) close() {
	if p == nil {
		return
	}
	p.detach()
	p.closeEvents()
	if p.coll != nil {
		p.coll.Close()
		p.coll = nil
	}
}

// attach links fentry before fexit, as the skeleton does.
func (p *profiler) attach() error {
	for _, name := range []string{"fentry_XXX", "fexit_XXX"} {
		l, err := link.AttachTracing(link.TracingOptions{Program: p.coll.Programs[name]})
		if err != nil {
			p.detach()
			return err
		}
		p.links = append(p.links, l)
	}
	return nil
}

// profValue is struct bpf_perf_event_value.
type profValue struct {
	Counter, Enabled, Running uint64
}

// read sums the per-CPU run counts and counter totals, as bpftool's
// profile_read_values.
func (p *profiler) read(numMetric int) (uint64, []profValue, error) {
	var counts []uint64
	if err := p.coll.Maps[profMapCounts].Lookup(uint32(0), &counts); err != nil {
		return 0, nil, fmt.Errorf("failed to read count_map: %s", errno.ErrText(err))
	}
	var runs uint64
	for _, n := range counts {
		runs += n
	}
	vals := make([]profValue, numMetric)
	for m := 0; m < numMetric; m++ {
		var per []profValue
		if err := p.coll.Maps[profMapAccum].Lookup(uint32(m), &per); err != nil {
			return 0, nil, fmt.Errorf("failed to read reading_map: %s", errno.ErrText(err))
		}
		for _, v := range per {
			vals[m].Counter += v.Counter
			vals[m].Enabled += v.Enabled
			vals[m].Running += v.Running
		}
	}
	return runs, vals, nil
}
