package kernel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"slices"
	"strconv"

	"github.com/cilium/ebpf/asm"
)

// bpf(2) commands and constants the pid iterator uses.
const (
	cmdProgLoad     = 5
	cmdLinkCreate   = 28
	cmdIterCreate   = 33
	progTypeTracing = 26
	attachTraceIter = 28
	iterEntrySize   = 24
	stackEntry      = -32
)

// progLoadAttr is the head of union bpf_attr for BPF_PROG_LOAD.
type progLoadAttr struct {
	progType           uint32
	insnCnt            uint32
	insns              kptr
	license            kptr
	logLevel           uint32
	logSize            uint32
	logBuf             kptr
	kernVersion        uint32
	progFlags          uint32
	progName           [16]byte
	progIfindex        uint32
	expectedAttachType uint32
	progBTFFD          uint32
	funcInfoRecSize    uint32
	funcInfo           kptr
	funcInfoCnt        uint32
	lineInfoRecSize    uint32
	lineInfo           kptr
	lineInfoCnt        uint32
	attachBTFID        uint32
	attachProgFD       uint32
	_                  uint32
}

type linkCreateAttr struct {
	progFD      uint32
	targetFD    uint32
	attachType  uint32
	flags       uint32
	iterInfo    kptr
	iterInfoLen uint32
	_           uint32
}

// iterProgram is a task_file iterator that writes, for every open file of
// every process, {tgid u32, fd u32, f_op u64, bpf prog id u32, pad u32}.
// The id is read through private_data as if the file were a program; user
// space keeps only the files whose f_op is the one of a program fd we hold
// ourselves, so the iterator needs neither kallsyms nor CO-RE.
func iterProgram(f *vmlinuxFacts) asm.Instructions {
	return asm.Instructions{
		asm.LoadMem(asm.R6, asm.R1, 0, asm.DWord),  // meta
		asm.LoadMem(asm.R7, asm.R1, 8, asm.DWord),  // task
		asm.LoadMem(asm.R9, asm.R1, 16, asm.DWord), // fd
		asm.LoadMem(asm.R8, asm.R1, 24, asm.DWord), // file
		asm.JEq.Imm(asm.R7, 0, "out"),
		asm.JEq.Imm(asm.R8, 0, "out"),
		asm.LoadMem(asm.R1, asm.R7, int16(f.taskTgid), asm.Word),
		asm.StoreMem(asm.RFP, stackEntry, asm.R1, asm.Word),
		asm.StoreMem(asm.RFP, stackEntry+4, asm.R9, asm.Word),
		asm.LoadMem(asm.R1, asm.R8, int16(f.fileFOp), asm.DWord),
		asm.StoreMem(asm.RFP, stackEntry+8, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0),
		asm.StoreMem(asm.RFP, stackEntry+16, asm.R0, asm.DWord),
		asm.StoreMem(asm.RFP, -8, asm.R0, asm.DWord),
		asm.LoadMem(asm.R3, asm.R8, int16(f.filePrivate), asm.DWord),
		asm.Add.Imm(asm.R3, int32(f.progAux)),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, -8),
		asm.Mov.Imm(asm.R2, 8),
		asm.FnProbeReadKernel.Call(),
		asm.LoadMem(asm.R3, asm.RFP, -8, asm.DWord),
		asm.JEq.Imm(asm.R3, 0, "write"),
		asm.Add.Imm(asm.R3, int32(f.auxID)),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, stackEntry+16),
		asm.Mov.Imm(asm.R2, 4),
		asm.FnProbeReadKernel.Call(),
		asm.LoadMem(asm.R1, asm.R6, 0, asm.DWord).WithSymbol("write"), // meta->seq
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackEntry),
		asm.Mov.Imm(asm.R3, iterEntrySize),
		asm.FnSeqWrite.Call(),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	}
}

// IterPrep is the reading of the kernel's BTF that the pid iterator needs,
// started ahead on its own goroutine so that it overlaps other work.
type IterPrep struct {
	done  chan struct{}
	facts *vmlinuxFacts
	err   error
}

// PrepareIterator starts reading what the pid iterator needs.
func PrepareIterator() *IterPrep {
	p := &IterPrep{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.facts, p.err = readVmlinuxFacts()
	}()
	return p
}

// Wait returns once the reading has ended, used or not, so that nothing
// of a command outlives it.
func (p *IterPrep) Wait() { <-p.done }

// FindProgHolders finds the processes holding each program. With prep, a
// BPF iterator walks every open file in one session, which beats a /proc
// scan (a readlink per fd, an fdinfo read per program fd) once many
// programs are held, but costs a fixed few milliseconds to set up; without
// it, or when the iterator cannot load, /proc answers.
//
// The iterator is itself a program for as long as it runs: its id is
// returned so that a listing made at the same time can leave it out.
func FindProgHolders(prep *IterPrep, own OwnFDs) (h Holders, iterID uint32) {
	if prep != nil {
		<-prep.done
		if prep.err == nil {
			if h, id, err := findHoldersIter(prep.facts, own); err == nil {
				return h, id
			}
		}
	}
	return FindHolders(FDProg, own), 0
}

func findHoldersIter(facts *vmlinuxFacts, own OwnFDs) (Holders, uint32, error) {
	progFD, selfID, err := loadPidsIter(facts)
	if err != nil {
		return nil, 0, err
	}
	defer Close(progFD)
	return readHolders(progFD, selfID, own)
}

// loadPidsIter loads the task_file iterator and returns its fd and id.
func loadPidsIter(facts *vmlinuxFacts) (int, uint32, error) {
	var code bytes.Buffer
	if err := iterProgram(facts).Marshal(&code, binary.LittleEndian); err != nil {
		return -1, 0, err
	}
	return loadIter(code.Bytes(), facts.iterFuncID, "gobpftool_pids")
}

// openFilesHint is about how many files the system has open
// (/proc/sys/fs/file-nr), which the task_file iterator sees about once
// each: its records are gathered into a slice of that size at once, not
// grown by doubling (a megabyte of garbage with 10,000 programs held).
func openFilesHint() int {
	var buf [64]byte
	n := readSmall("/proc/sys/fs/file-nr", buf[:])
	allocated, _, _ := bytes.Cut(buf[:n], []byte("\t"))
	v, err := strconv.Atoi(string(allocated))
	if err != nil || v <= 0 {
		return 1024
	}
	return min(v+v/16+64, 1<<20)
}

// readHolders reads the loaded task_file iterator once.
func readHolders(progFD int, selfID uint32, own OwnFDs) (Holders, uint32, error) {
	type entry struct {
		tgid, fd uint32
		fop      uint64
		id       uint32
	}
	entries := make([]entry, 0, openFilesHint())
	le := binary.LittleEndian
	err := readIter(progFD, iterEntrySize, func(b []byte) error {
		entries = append(entries, entry{le.Uint32(b), le.Uint32(b[4:]), le.Uint64(b[8:]), le.Uint32(b[16:])})
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	// Our own iterator program's fd tells which f_op marks a program.
	self := uint32(os.Getpid())
	var progFOp uint64
	for _, e := range entries {
		if e.tgid == self && e.fd == uint32(progFD) {
			progFOp = e.fop
			break
		}
	}
	if progFOp == 0 {
		return nil, 0, errors.New("pid iterator: own program not seen")
	}
	// Sized at once: with 10,000 programs held, growing the map and a
	// slice per program costs megabytes of garbage a listing.
	held := 0
	for _, e := range entries {
		if e.fop == progFOp {
			held++
		}
	}
	h := make(Holders, held)
	backing := make([]Holder, 0, held)
	comms := map[uint32]string{}
	var commBuf [64]byte
	for _, e := range entries {
		mine := e.tgid == self && (e.fd == uint32(progFD) || (own != nil && !own[int(e.fd)]))
		if e.fop != progFOp || mine {
			continue
		}
		// A process holding a program by several fds is one holder;
		// a program has a holder or two, so a look at them is cheaper
		// than a set of every (program, process) pair.
		if slices.ContainsFunc(h[e.id], func(x Holder) bool { return x.PID == int(e.tgid) }) {
			continue
		}
		comm, ok := comms[e.tgid]
		if !ok {
			n := readSmall("/proc/"+strconv.Itoa(int(e.tgid))+"/comm", commBuf[:])
			comm = string(bytes.TrimSuffix(commBuf[:n], []byte("\n")))
			comms[e.tgid] = comm
		}
		if hs := h[e.id]; hs != nil {
			h[e.id] = append(hs, Holder{PID: int(e.tgid), Comm: comm})
		} else {
			// The first holder of each program from one array; a
			// second one copies the slice out (its capacity is 1).
			backing = append(backing, Holder{PID: int(e.tgid), Comm: comm})
			h[e.id] = backing[len(backing)-1 : len(backing) : len(backing)]
		}
	}
	return h, selfID, nil
}
