package profiler

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

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
	mapEvents = "events"          // a counter's perf event fds, by CPU
	mapFentry = "fentry_readings" // per CPU: the readings at entry
	mapAccum  = "accum_readings"  // per CPU: the summed differences
	mapCounts = "counts"          // per CPU: completed runs
)

// valueSize is sizeof(struct bpf_perf_event_value): counter, enabled
// and running, three u64.
const valueSize = 24

// Stack slots of the generated programs, below the frame pointer: a u32
// map key, fentry's value pointers (8 bytes each), then the perf readings.
const stackKey = -4

func stackPtr(i int) int16     { return int16(-16 - 8*i) }
func stackReading(i int) int16 { return int16(-64 - valueSize*i) }

// mapPtr puts a map's address in dst; the map is bound by name at load.
func mapPtr(dst asm.Register, name string) asm.Instruction {
	return asm.LoadMapPtr(dst, 0).WithReference(name)
}

// eventsMap names counter i's perf event array.
func eventsMap(i int) string { return fmt.Sprintf("%s%d", mapEvents, i) }

// readCounter emits bpf_perf_event_read_value(&events<i>, cpu,
// fp+stackReading(i), 24) with the CPU in R6, and a jump to out on error.
func readCounter(i int) asm.Instructions {
	return asm.Instructions{
		mapPtr(asm.R1, eventsMap(i)),
		asm.Mov.Reg(asm.R2, asm.R6),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, int32(stackReading(i))),
		asm.Mov.Imm(asm.R4, valueSize),
		asm.FnPerfEventReadValue.Call(),
		asm.JNE.Imm(asm.R0, 0, "out"),
	}
}

// lookup emits a lookup of key i in a map, leaving the value pointer in
// R0 and jumping to miss when there is none.
func lookup(name string, i int, miss string) asm.Instructions {
	return asm.Instructions{
		asm.StoreImm(asm.RFP, stackKey, int64(i), asm.Word),
		mapPtr(asm.R1, name),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackKey),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, miss),
	}
}

var exitZero = asm.Instructions{
	asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
	asm.Return(),
}

// fentryInsns is profiler.bpf.c's fentry_XXX: look the entry slots up
// first, so that the counters are read as close to the target as can be,
// then read each counter of this CPU into its slot.
func fentryInsns(numMetric int) asm.Instructions {
	var insns asm.Instructions
	for i := 0; i < numMetric; i++ {
		insns = append(insns, lookup(mapFentry, i, "out")...)
		insns = append(insns, asm.StoreMem(asm.RFP, stackPtr(i), asm.R0, asm.DWord))
	}
	insns = append(insns, asm.FnGetSmpProcessorId.Call(), asm.Mov.Reg(asm.R6, asm.R0))
	for i := 0; i < numMetric; i++ {
		insns = append(insns, readCounter(i)...)
		insns = append(insns, asm.LoadMem(asm.R1, asm.RFP, stackPtr(i), asm.DWord))
		for f := int16(0); f < valueSize; f += 8 {
			insns = append(insns,
				asm.LoadMem(asm.R2, asm.RFP, stackReading(i)+f, asm.DWord),
				asm.StoreMem(asm.R1, f, asm.R2, asm.DWord))
		}
	}
	return append(insns, exitZero...)
}

// fexitInsns is profiler.bpf.c's fexit_XXX: read every counter first,
// count the run, then add reading minus entry reading to the totals of
// each counter that has an entry reading. bpftool takes a zero counter
// for "no reading"; a software counter such as page_faults is often zero,
// so here a zero enabled time (never read) means it instead.
func fexitInsns(numMetric int) asm.Instructions {
	insns := asm.Instructions{asm.FnGetSmpProcessorId.Call(), asm.Mov.Reg(asm.R6, asm.R0)}
	for i := 0; i < numMetric; i++ {
		insns = append(insns, readCounter(i)...)
	}
	insns = append(insns, lookup(mapCounts, 0, "out")...)
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
		body := lookup(mapFentry, i, next)
		body = append(body,
			asm.Mov.Reg(asm.R7, asm.R0),
			asm.LoadMem(asm.R1, asm.R7, 8, asm.DWord),
			asm.JEq.Imm(asm.R1, 0, next))
		body = append(body, lookup(mapAccum, i, next)...)
		for f := int16(0); f < valueSize; f += 8 {
			body = append(body,
				asm.LoadMem(asm.R1, asm.RFP, stackReading(i)+f, asm.DWord),
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
	return append(insns, exitZero...)
}

// spec is the profiler's maps and programs for numMetric counters
// on numCPU CPUs, attached to function fn of the program target.
func spec(numCPU, numMetric int, target *ebpf.Program, fn string) *ebpf.CollectionSpec {
	percpu := func(name string, size, n int) *ebpf.MapSpec {
		return &ebpf.MapSpec{Name: name, Type: ebpf.PerCPUArray, KeySize: 4,
			ValueSize: uint32(size), MaxEntries: uint32(n)}
	}
	prog := func(name string, at ebpf.AttachType, insns asm.Instructions) *ebpf.ProgramSpec {
		return &ebpf.ProgramSpec{Name: name, Type: ebpf.Tracing, AttachType: at,
			AttachTarget: target, AttachTo: fn, Instructions: insns, License: "Dual BSD/GPL"}
	}
	maps := map[string]*ebpf.MapSpec{
		mapFentry: percpu(mapFentry, valueSize, numMetric),
		mapAccum:  percpu(mapAccum, valueSize, numMetric),
		mapCounts: percpu(mapCounts, 8, 1),
	}
	for i := 0; i < numMetric; i++ {
		maps[eventsMap(i)] = &ebpf.MapSpec{Name: eventsMap(i), Type: ebpf.PerfEventArray,
			KeySize: 4, ValueSize: 4, MaxEntries: uint32(numCPU)}
	}
	return &ebpf.CollectionSpec{
		Maps: maps,
		Programs: map[string]*ebpf.ProgramSpec{
			"fentry_XXX": prog("fentry_XXX", ebpf.AttachTraceFEntry, fentryInsns(numMetric)),
			"fexit_XXX":  prog("fexit_XXX", ebpf.AttachTraceFExit, fexitInsns(numMetric)),
		},
	}
}

// probes is a loaded profiler and what it holds: closing it releases
// every link, program, map and perf event.
type probes struct {
	coll   *ebpf.Collection
	events []int
	links  []link.Link
}

// openEvents opens each counter on each CPU into the events map, in the
// slots the programs read: the counter's array, at the CPU. bpftool's
// profile_open_perf_events. A possible but offline CPU (ENODEV) is
// skipped, as newer bpftool does, and reported to offline if set.
func (p *probes) openEvents(counters []Metric, numCPU int, offline func(metric string, cpu int)) error {
	for k, m := range counters {
		events := p.coll.Maps[eventsMap(k)]
		for cpu := 0; cpu < numCPU; cpu++ {
			efd, err := kernel.PerfEventOpenCPU(m.Counter, cpu)
			if errors.Is(err, unix.ENODEV) {
				if offline != nil {
					offline(m.Name, cpu)
				}
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
				return &Error{Op: OpEvent, FD: -1, Metric: m, CPU: cpu, Err: err}
			}
		}
	}
	return nil
}

func (p *probes) detach() {
	for _, l := range p.links {
		l.Close()
	}
	p.links = nil
}

func (p *probes) closeEvents() {
	for i := len(p.events) - 1; i >= 0; i-- {
		kernel.Close(p.events[i])
	}
	p.events = nil
}

func (p *probes) close() {
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
func (p *probes) attach() error {
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

// Value is struct bpf_perf_event_value: a counter's count, and how long
// it was enabled and running (less when counters share the PMU).
type Value struct {
	Counter, Enabled, Running uint64
}

// read sums the per-CPU run counts and counter totals, as bpftool's
// profile_read_values.
func (p *probes) read(numMetric int) (uint64, []Value, error) {
	var counts []uint64
	if err := p.coll.Maps[mapCounts].Lookup(uint32(0), &counts); err != nil {
		return 0, nil, &Error{Op: OpRead, FD: -1, Map: "count_map", Err: err}
	}
	var runs uint64
	for _, n := range counts {
		runs += n
	}
	vals := make([]Value, numMetric)
	for m := 0; m < numMetric; m++ {
		var per []Value
		if err := p.coll.Maps[mapAccum].Lookup(uint32(m), &per); err != nil {
			return 0, nil, &Error{Op: OpRead, FD: -1, Map: "reading_map", Err: err}
		}
		for _, v := range per {
			vals[m].Counter += v.Counter
			vals[m].Enabled += v.Enabled
			vals[m].Running += v.Running
		}
	}
	return runs, vals, nil
}
