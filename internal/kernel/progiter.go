package kernel

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// The bpf_prog iterator writes one fixed record per program; these are
// the record's field offsets (little endian, as the machine writes them).
const (
	recID         = 0   // u32 aux->id
	recType       = 4   // u32 prog->type
	recTag        = 8   // [8]u8 prog->tag
	recLen        = 16  // u32 prog->len, in instructions
	recJitedLen   = 20  // u32 prog->jited_len, or the sum over aux->func[]
	recLoadTime   = 24  // u64 aux->load_time, ns since boot
	recPages      = 32  // u32 prog->pages
	recUID        = 36  // u32 aux->user->uid
	recBTFID      = 40  // u32 aux->btf->id
	recFuncType   = 44  // u32 aux->func_info[0].type_id
	recVerified   = 48  // u32 aux->verified_insns
	recFlags      = 52  // u32 flag* below
	recRunTime    = 56  // u64 sum of per-CPU stats->nsecs
	recRunCnt     = 64  // u64 sum of per-CPU stats->cnt
	recMisses     = 72  // u64 sum of per-CPU stats->misses
	recName       = 80  // [16]u8 aux->name
	recMapCnt     = 96  // u32 aux->used_map_cnt
	recFuncCnt    = 100 // u32 aux->func_cnt
	recMaps       = 104 // [iterMaxMaps]u32 used_maps[i]->id
	iterMaxMaps   = 16
	iterMaxFuncs  = 16 // the verifier walks each turn of the loop: 64 cost 1 ms to load
	progRecSize   = recMaps + 4*iterMaxMaps
	iterMaxCPUs   = 1024
	flagGPL       = 1
	flagDevBound  = 2 // offloaded or device-bound: info has more to say
	flagManyMaps  = 4 // more maps than the record holds
	flagManyFuncs = 8 // more functions than the loop sums
	flagFuncInfo  = 16

	mapTypePercpuArray = 6

	// Stack of the iterator program, below the frame pointer.
	stackCtx     = -8   // the context, spilled
	stackStats   = -16  // prog->stats, as a number
	stackPptr    = -24  // our per-CPU map's pptrs[0], as a number
	stackTmp     = -32  // an address to turn into a number
	stackKey     = -40  // key 0 of our per-CPU map
	stackScratch = -72  // 32 bytes that bpf_probe_read_kernel fills
	stackRec     = -256 // the record
)

// progIterProgram is a bpf_prog iterator that writes, for every loaded
// program, a record of what `prog show` prints. It reads struct bpf_prog
// and bpf_prog_aux with direct loads, which the verifier allows (and
// makes fault-safe) because the offsets are those of the kernel's own BTF.
// Pointers that BTF does not type (the map and function arrays, per-CPU
// stats) are read with bpf_probe_read_kernel.
func progIterProgram(f *progIterFacts, ncpu, cpuMapFD int) asm.Instructions {
	var in asm.Instructions
	add := func(i ...asm.Instruction) { in = append(in, i...) }
	rec := func(off int16) int16 { return stackRec + off }
	setFlag := func(flag int32) {
		add(asm.LoadMem(asm.R2, asm.RFP, rec(recFlags), asm.Word),
			asm.Or.Imm(asm.R2, flag),
			asm.StoreMem(asm.RFP, rec(recFlags), asm.R2, asm.Word))
	}
	// copyField loads size bytes at off of src into the record at dst.
	copyField := func(src asm.Register, off uint32, size asm.Size, dst int16) {
		add(asm.LoadMem(asm.R1, src, int16(off), size),
			asm.StoreMem(asm.RFP, rec(dst), asm.R1, size))
	}
	// probeRead copies size bytes from the address in R3 to the scratch.
	probeRead := func(size int32) {
		add(asm.Mov.Reg(asm.R1, asm.RFP),
			asm.Add.Imm(asm.R1, stackScratch),
			asm.Mov.Imm(asm.R2, size),
			asm.FnProbeReadKernel.Call())
	}

	// eachPointer loops over the pointer array at off of aux (R7), for
	// the count at rec(cnt) of them and at most max (the verifier walks
	// every turn): each turn reads the i-th pointer into the scratch, runs
	// body with R8 = i, and the loop ends at done. R9 holds the array.
	eachPointer := func(off uint32, cnt int16, max int32, loop, done string, body func()) {
		add(asm.LoadMem(asm.R9, asm.R7, int16(off), asm.DWord),
			asm.Mov.Imm(asm.R8, 0),
			asm.JGE.Imm(asm.R8, max, done).WithSymbol(loop),
			asm.LoadMem(asm.R1, asm.RFP, rec(cnt), asm.Word),
			asm.JGE.Reg(asm.R8, asm.R1, done),
			asm.Mov.Reg(asm.R3, asm.R8),
			asm.LSh.Imm(asm.R3, 3),
			asm.Add.Reg(asm.R3, asm.R9))
		probeRead(8) // the i-th pointer
		body()
		add(asm.Add.Imm(asm.R8, 1),
			asm.Ja.Label(loop))
	}

	// R6 = ctx->prog (NULL at the end of the walk), R7 = its aux.
	add(asm.StoreMem(asm.RFP, stackCtx, asm.R1, asm.DWord),
		asm.LoadMem(asm.R6, asm.R1, 8, asm.DWord),
		asm.JEq.Imm(asm.R6, 0, "out"),
		asm.LoadMem(asm.R7, asm.R6, int16(f.aux), asm.DWord),
		asm.JEq.Imm(asm.R7, 0, "out"),
		asm.Mov.Imm(asm.R0, 0))
	// The record starts zeroed: the verifier wants every byte written
	// before bpf_seq_write reads it.
	for off := int16(0); off < progRecSize; off += 8 {
		add(asm.StoreMem(asm.RFP, rec(off), asm.R0, asm.DWord))
	}

	// struct bpf_prog: plain members, and gpl_compatible, a bit of the
	// bitfield word after pages.
	copyField(asm.R6, f.pages, asm.Half, recPages)
	copyField(asm.R6, f.typ, asm.Word, recType)
	copyField(asm.R6, f.tag, asm.DWord, recTag)
	copyField(asm.R6, f.len, asm.Word, recLen)
	add(asm.LoadMem(asm.R1, asm.R6, int16(f.gplByte), asm.Byte),
		asm.RSh.Imm(asm.R1, int32(f.gplBit)),
		asm.And.Imm(asm.R1, flagGPL),
		asm.StoreMem(asm.RFP, rec(recFlags), asm.R1, asm.Word))

	// struct bpf_prog_aux: plain members.
	copyField(asm.R7, f.id, asm.Word, recID)
	copyField(asm.R7, f.loadTime, asm.DWord, recLoadTime)
	copyField(asm.R7, f.verifiedInsns, asm.Word, recVerified)
	copyField(asm.R7, f.name, asm.DWord, recName)
	copyField(asm.R7, f.name+8, asm.DWord, recName+8)
	add(asm.LoadMem(asm.R1, asm.R7, int16(f.devBound), asm.Byte),
		asm.JEq.Imm(asm.R1, 0, "user"))
	setFlag(flagDevBound)

	// Members behind typed pointers: aux->user->uid, aux->btf->id,
	// aux->func_info[0].type_id.
	add(asm.LoadMem(asm.R1, asm.R7, int16(f.user), asm.DWord).WithSymbol("user"),
		asm.JEq.Imm(asm.R1, 0, "btf"))
	copyField(asm.R1, f.userUID, asm.Word, recUID)
	add(asm.LoadMem(asm.R1, asm.R7, int16(f.btf), asm.DWord).WithSymbol("btf"),
		asm.JEq.Imm(asm.R1, 0, "funcinfo"))
	copyField(asm.R1, f.btfID, asm.Word, recBTFID)
	add(asm.LoadMem(asm.R1, asm.R7, int16(f.funcInfo), asm.DWord).WithSymbol("funcinfo"),
		asm.JEq.Imm(asm.R1, 0, "jited"))
	copyField(asm.R1, f.funcInfoTypeID, asm.Word, recFuncType)
	setFlag(flagFuncInfo)

	// jited_prog_len as bpf_prog_get_info_by_fd computes it: the main
	// program's, or with subprograms the sum of aux->func[i]->jited_len.
	// R8 counts, R9 holds the array (a plain address to the verifier).
	add(asm.LoadMem(asm.R1, asm.R7, int16(f.funcCnt), asm.Word).WithSymbol("jited"),
		asm.StoreMem(asm.RFP, rec(recFuncCnt), asm.R1, asm.Word),
		asm.JNE.Imm(asm.R1, 0, "funcs"))
	copyField(asm.R6, f.jitedLen, asm.Word, recJitedLen)
	add(asm.Ja.Label("maps"),
		asm.JGT.Imm(asm.R1, iterMaxFuncs, "manyfuncs").WithSymbol("funcs"))
	eachPointer(f.funcs, recFuncCnt, iterMaxFuncs, "funcloop", "maps", func() {
		add(asm.LoadMem(asm.R3, asm.RFP, stackScratch, asm.DWord),
			asm.Add.Imm(asm.R3, int32(f.jitedLen)))
		probeRead(4) // func[i]->jited_len
		add(asm.LoadMem(asm.R1, asm.RFP, stackScratch, asm.Word),
			asm.LoadMem(asm.R2, asm.RFP, rec(recJitedLen), asm.Word),
			asm.Add.Reg(asm.R2, asm.R1),
			asm.StoreMem(asm.RFP, rec(recJitedLen), asm.R2, asm.Word))
	})
	in = append(in, asm.Mov.Imm(asm.R0, 0).WithSymbol("manyfuncs"))
	setFlag(flagManyFuncs)

	// Map ids: used_maps[i]->id for i < used_map_cnt, into the record.
	add(asm.LoadMem(asm.R1, asm.R7, int16(f.usedMapCnt), asm.Word).WithSymbol("maps"),
		asm.StoreMem(asm.RFP, rec(recMapCnt), asm.R1, asm.Word),
		asm.JEq.Imm(asm.R1, 0, "stats"),
		asm.JGT.Imm(asm.R1, iterMaxMaps, "manymaps"))
	eachPointer(f.usedMaps, recMapCnt, iterMaxMaps, "maploop", "stats", func() {
		add(asm.LoadMem(asm.R3, asm.RFP, stackScratch, asm.DWord),
			asm.Add.Imm(asm.R3, int32(f.mapID)),
			asm.Mov.Reg(asm.R1, asm.R8),
			asm.LSh.Imm(asm.R1, 2),
			asm.Add.Reg(asm.R1, asm.RFP),
			asm.Add.Imm(asm.R1, int32(rec(recMaps))),
			asm.Mov.Imm(asm.R2, 4),
			asm.FnProbeReadKernel.Call()) // used_maps[i]->id, into the record
	})
	in = append(in, asm.Mov.Imm(asm.R0, 0).WithSymbol("manymaps"))
	setFlag(flagManyMaps)

	// Run statistics, summed over the possible CPUs as bpf_prog_get_stats
	// does. prog->stats is a per-CPU pointer, which this kernel's BTF does
	// not mark as one (bpf_per_cpu_ptr wants the mark), and per-CPU data
	// symbols are not in kallsyms. A per-CPU array of ours gives the
	// offsets instead: bpf_map_lookup_percpu_elem returns its value's
	// address on a CPU, that value's per-CPU pointer (pptrs[0]) is in the
	// map, and their difference is the CPU's offset, to add to stats.
	// Addresses become plain numbers by copying them off the stack with
	// bpf_probe_read_kernel; all reads are then fault-safe probes.
	statsLen := int32(max(f.statsCnt, f.statsNsecs, f.statsMisses) + 8)
	add(asm.Mov.Reg(asm.R3, asm.R6).WithSymbol("stats"),
		asm.Add.Imm(asm.R3, int32(f.stats)))
	probeRead(8) // prog->stats
	add(asm.LoadMem(asm.R1, asm.RFP, stackScratch, asm.DWord),
		asm.StoreMem(asm.RFP, stackStats, asm.R1, asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "write"),
		asm.LoadMapPtr(asm.R1, cpuMapFD),
		asm.StoreMem(asm.RFP, stackTmp, asm.R1, asm.DWord),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, stackTmp))
	probeRead(8) // the map's address
	add(asm.LoadMem(asm.R3, asm.RFP, stackScratch, asm.DWord),
		asm.Add.Imm(asm.R3, int32(f.arrayPptrs)))
	probeRead(8) // its pptrs[0]
	add(asm.LoadMem(asm.R1, asm.RFP, stackScratch, asm.DWord),
		asm.StoreMem(asm.RFP, stackPptr, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R1, 0),
		asm.StoreMem(asm.RFP, stackKey, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R8, 0),
		asm.JGE.Imm(asm.R8, int32(ncpu), "write").WithSymbol("cpuloop"),
		asm.LoadMapPtr(asm.R1, cpuMapFD),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackKey),
		asm.Mov.Reg(asm.R3, asm.R8),
		asm.FnMapLookupPercpuElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "write"),
		asm.StoreMem(asm.RFP, stackTmp, asm.R0, asm.DWord),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, stackTmp))
	probeRead(8) // the value's address on this CPU
	add(asm.LoadMem(asm.R3, asm.RFP, stackScratch, asm.DWord),
		asm.LoadMem(asm.R1, asm.RFP, stackPptr, asm.DWord),
		asm.Sub.Reg(asm.R3, asm.R1),
		asm.LoadMem(asm.R1, asm.RFP, stackStats, asm.DWord),
		asm.Add.Reg(asm.R3, asm.R1))
	probeRead(statsLen) // this CPU's struct bpf_prog_stats
	for _, s := range [][2]int16{{int16(f.statsNsecs), recRunTime}, {int16(f.statsCnt), recRunCnt}, {int16(f.statsMisses), recMisses}} {
		add(asm.LoadMem(asm.R1, asm.RFP, stackScratch+s[0], asm.DWord),
			asm.LoadMem(asm.R2, asm.RFP, rec(s[1]), asm.DWord),
			asm.Add.Reg(asm.R2, asm.R1),
			asm.StoreMem(asm.RFP, rec(s[1]), asm.R2, asm.DWord))
	}
	add(asm.Add.Imm(asm.R8, 1),
		asm.Ja.Label("cpuloop"))

	// bpf_seq_write(ctx->meta->seq, record, size).
	add(asm.LoadMem(asm.R1, asm.RFP, stackCtx, asm.DWord).WithSymbol("write"),
		asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord),
		asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackRec),
		asm.Mov.Imm(asm.R3, progRecSize),
		asm.FnSeqWrite.Call(),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return())
	return in
}

// IterProg is one program as the bpf_prog iterator saw it.
type IterProg struct {
	ID, Type        uint32
	Tag             [8]byte
	XlatedLen       uint32
	JitedLen        uint32
	LoadTime        uint64 // ns since boot
	Pages           uint32
	UID             uint32
	BTFID           uint32
	FuncInfoType    uint32 // BTF type of the first function, if HasFuncInfo
	HasFuncInfo     bool
	VerifiedInsns   uint32
	GPL             bool
	RunTimeNs       uint64
	RunCnt          uint64
	RecursionMisses uint64
	Name            string
	MapIDs          []uint32
	// NeedsInfo is set where the record is not the whole story: an
	// offloaded or device-bound program, or more maps or functions than
	// the record holds. Ask BPF_OBJ_GET_INFO_BY_FD for those.
	NeedsInfo bool
}

// ErrNoProgIter is returned when the kernel's BTF lacks something the
// program iterator reads.
var ErrNoProgIter = errors.New("kernel BTF lacks what the program iterator reads")

// ProgIterate reads every loaded program with a bpf_prog iterator, in id
// order, in one read session, and calls fn for each as its record
// arrives: the records are not all held at once. The *IterProg (and its
// MapIDs) is valid only during the call. The iterator itself is a
// program while it runs; it is left out, and gone when this returns.
func ProgIterate(prep *IterPrep, fn func(*IterProg) error) error {
	it, err := openProgIter(prep)
	if err != nil {
		return err
	}
	defer it.close()
	return it.iterate(fn)
}

// progIter is the bpf_prog iterator loaded, ready to be read any number
// of times.
type progIter struct {
	progFD, cpuMap int
	selfID         uint32
}

func openProgIter(prep *IterPrep) (*progIter, error) {
	<-prep.done
	if prep.err != nil {
		return nil, prep.err
	}
	if !prep.facts.progOK {
		return nil, ErrNoProgIter
	}
	ncpu, err := possibleCPUs()
	if err != nil {
		return nil, err
	}
	// A per-CPU array of one element, for the offsets of the CPUs.
	cpuMap, err := MapCreate(&MapCreateAttr{MapType: mapTypePercpuArray, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		return nil, fmt.Errorf("creating the per-CPU map: %w", err)
	}
	var code bytes.Buffer
	if err := progIterProgram(&prep.facts.prog, ncpu, cpuMap).Marshal(&code, binary.LittleEndian); err != nil {
		Close(cpuMap)
		return nil, err
	}
	progFD, selfID, err := loadIter(code.Bytes(), prep.facts.prog.iterFuncID, "gobpftool_progs")
	if err != nil {
		Close(cpuMap)
		return nil, err
	}
	return &progIter{progFD: progFD, cpuMap: cpuMap, selfID: selfID}, nil
}

func (it *progIter) iterate(fn func(*IterProg) error) error {
	var rec IterProg
	var maps [iterMaxMaps]uint32
	return readIter(it.progFD, progRecSize, func(b []byte) error {
		if !parseProgRecord(b, &rec, maps[:0]) || rec.ID == it.selfID {
			return nil
		}
		return fn(&rec)
	})
}

func (it *progIter) close() {
	Close(it.progFD)
	Close(it.cpuMap)
}

// loadIter loads an iterator program for the BTF function target and
// returns its fd and id.
func loadIter(insns []byte, target uint32, name string) (int, uint32, error) {
	license := []byte("GPL\x00")
	la := progLoadAttr{
		progType: progTypeTracing, insnCnt: uint32(len(insns) / 8),
		insns: ptr(insns), license: ptr(license),
		expectedAttachType: attachTraceIter, attachBTFID: target,
	}
	copy(la.progName[:], name)
	progFD, err := bpf(cmdProgLoad, unsafe.Pointer(&la), unsafe.Sizeof(la))
	if err != nil {
		err = fmt.Errorf("loading %s: %w%s", name, err, verifierLog(la))
	}
	runtime.KeepAlive(insns)
	runtime.KeepAlive(license)
	if err != nil {
		return -1, 0, err
	}
	id, err := GetProgInfoLite(int(progFD))
	if err != nil {
		Close(int(progFD))
		return -1, 0, err
	}
	return int(progFD), id, nil
}

// readIter attaches the iterator program, reads its whole output in one
// session, calls fn for each record of recSize bytes (a record may come
// in two reads) and detaches it.
func readIter(progFD, recSize int, fn func([]byte) error) error {
	lc := linkCreateAttr{progFD: uint32(progFD), attachType: attachTraceIter}
	linkFD, err := bpf(cmdLinkCreate, unsafe.Pointer(&lc), unsafe.Sizeof(lc))
	if err != nil {
		return err
	}
	defer Close(int(linkFD))
	ic := struct{ linkFD, flags uint32 }{uint32(linkFD), 0}
	iterFD, err := bpf(cmdIterCreate, unsafe.Pointer(&ic), unsafe.Sizeof(ic))
	if err != nil {
		return err
	}
	defer Close(int(iterFD))
	// The kernel hands out at most its seq_file buffer (8 pages) a read.
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := unix.Read(int(iterFD), buf[carry:])
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			if carry != 0 {
				return errors.New("iterator: short record")
			}
			return nil
		}
		b := buf[:carry+n]
		for ; len(b) >= recSize; b = b[recSize:] {
			if err := fn(b[:recSize]); err != nil {
				return err
			}
		}
		carry = copy(buf, b)
	}
}

// parseProgRecord decodes one record into p, its map ids into maps'
// backing array; false for a record that is not whole.
func parseProgRecord(b []byte, p *IterProg, maps []uint32) bool {
	if len(b) < progRecSize {
		return false
	}
	le := binary.LittleEndian
	flags := le.Uint32(b[recFlags:])
	*p = IterProg{
		ID: le.Uint32(b[recID:]), Type: le.Uint32(b[recType:]),
		XlatedLen: le.Uint32(b[recLen:]) * 8, JitedLen: le.Uint32(b[recJitedLen:]),
		LoadTime: le.Uint64(b[recLoadTime:]), Pages: le.Uint32(b[recPages:]),
		UID: le.Uint32(b[recUID:]), BTFID: le.Uint32(b[recBTFID:]),
		FuncInfoType: le.Uint32(b[recFuncType:]), HasFuncInfo: flags&flagFuncInfo != 0,
		VerifiedInsns: le.Uint32(b[recVerified:]), GPL: flags&flagGPL != 0,
		RunTimeNs: le.Uint64(b[recRunTime:]), RunCnt: le.Uint64(b[recRunCnt:]),
		RecursionMisses: le.Uint64(b[recMisses:]),
		NeedsInfo:       flags&(flagDevBound|flagManyMaps|flagManyFuncs) != 0,
	}
	copy(p.Tag[:], b[recTag:])
	name := b[recName : recName+16]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	p.Name = string(name)
	if nm := le.Uint32(b[recMapCnt:]); nm <= iterMaxMaps {
		for i := uint32(0); i < nm; i++ {
			maps = append(maps, le.Uint32(b[recMaps+4*i:]))
		}
		p.MapIDs = maps
	}
	return true
}

// possibleCPUs is the number of possible CPUs when they are numbered
// 0 to N-1, as on every machine we know: the iterator sums per-CPU
// statistics over them.
func possibleCPUs() (int, error) {
	var b [64]byte
	s := strings.TrimSpace(string(b[:readSmall("/sys/devices/system/cpu/possible", b[:])]))
	last := s
	if i := strings.IndexByte(s, '-'); i >= 0 {
		if s[:i] != "0" {
			return 0, errors.New("possible CPUs do not start at 0: " + s)
		}
		last = s[i+1:]
	}
	n, err := strconv.Atoi(last)
	if err != nil || n+1 > iterMaxCPUs {
		return 0, errors.New("possible CPUs not a range the iterator walks: " + s)
	}
	return n + 1, nil
}

// verifierLog loads a refused program again with a log, for the tail of
// what the verifier said.
func verifierLog(la progLoadAttr) string {
	buf := make([]byte, 1<<20)
	la.logLevel, la.logSize, la.logBuf = 1, uint32(len(buf)), ptr(buf)
	fd, err := bpf(cmdProgLoad, unsafe.Pointer(&la), unsafe.Sizeof(la))
	runtime.KeepAlive(buf)
	if err == nil {
		Close(int(fd))
		return ""
	}
	log := string(bytes.TrimRight(buf, "\x00\n"))
	if log == "" {
		return ""
	}
	if len(log) > 2000 {
		log = log[len(log)-2000:]
	}
	return "\n" + log
}
