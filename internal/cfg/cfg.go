// Package cfg builds the control flow graph of an xlated eBPF image and
// writes it in DOT exactly as bpftool 7.1's cfg.c does for
// "prog dump xlated PROG visual".
//
// Positions are instruction indexes into the image. bpftool works on
// pointers and happily follows jumps out of a function or out of the image;
// we keep its arithmetic but never read outside the image, so a valid
// program gives bpftool's bytes and junk gives a graph instead of a crash.
package cfg

import (
	"sort"

	"github.com/gobpftool/gobpftool/internal/xlated"
)

// Block indexes fixed by cfg.c: every function has an ENTRY and an EXIT
// pseudo block, and real blocks count from 2.
const (
	EntryBlock = 0
	ExitBlock  = 1
)

// Graph is the CFG of one image: its functions in address order.
type Graph struct {
	Insns []xlated.Insn
	Funcs []*Func
}

// Func is one bpf-to-bpf function.
type Func struct {
	// Index numbers functions in the order calls discovered them, which
	// is what cfg.c prints ("func_%d", "fn_%d_bb_%d").
	Index int
	// Start and End are the first and last instruction.
	Start, End int
	// Blocks are in address order, ENTRY first and EXIT last.
	Blocks []*Block
}

// Block is a basic block. Head > Tail for the ENTRY and EXIT blocks.
type Block struct {
	Index      int
	Head, Tail int
	Succs      []*Block
}

func isJump(code byte) bool { return xlated.IsJump(code) }

const (
	opMask = 0xf0
	opJA   = 0x00
	opCall = 0x80
	opExit = 0x90
)

// Build partitions insns into functions and basic blocks and links them
// as cfg.c's cfg_build does.
func Build(insns []xlated.Insn) *Graph {
	g := &Graph{Insns: insns}
	if len(insns) == 0 {
		return g
	}
	g.partitionFuncs()
	for _, f := range g.Funcs {
		g.partitionBlocks(f)
		f.addSpecialBlocks()
		g.addEdges(f)
	}
	return g
}

func (g *Graph) partitionFuncs() {
	g.appendFunc(0)
	for i, ins := range g.Insns {
		if ins.IsPseudoCall() {
			g.appendFunc(i + int(ins.Off) + 1)
		}
	}
	for i, f := range g.Funcs {
		if i+1 < len(g.Funcs) {
			f.End = g.Funcs[i+1].Start - 1
		} else {
			f.End = len(g.Insns) - 1
		}
	}
}

// appendFunc inserts a function starting at start unless one exists,
// keeping address order; its index is the creation count.
func (g *Graph) appendFunc(start int) {
	if start < 0 || start >= len(g.Insns) {
		// bpftool would start a function outside the image.
		return
	}
	pos := sort.Search(len(g.Funcs), func(i int) bool { return g.Funcs[i].Start >= start })
	if pos < len(g.Funcs) && g.Funcs[pos].Start == start {
		return
	}
	f := &Func{Index: len(g.Funcs), Start: start}
	g.Funcs = append(g.Funcs, nil)
	copy(g.Funcs[pos+1:], g.Funcs[pos:])
	g.Funcs[pos] = f
}

func (f *Func) appendBlock(head int) {
	pos := sort.Search(len(f.Blocks), func(i int) bool { return f.Blocks[i].Head >= head })
	if pos < len(f.Blocks) && f.Blocks[pos].Head == head {
		return
	}
	f.Blocks = append(f.Blocks, nil)
	copy(f.Blocks[pos+1:], f.Blocks[pos:])
	f.Blocks[pos] = &Block{Head: head}
}

func (g *Graph) partitionBlocks(f *Func) {
	f.appendBlock(f.Start)
	for i := f.Start; i <= f.End; i++ {
		code := g.Insns[i].Code
		if !isJump(code) {
			continue
		}
		op := code & opMask
		if op == opExit || op == opCall {
			continue
		}
		// gotol keeps its target in imm, but bpftool 7.1 reads off for
		// every jump; a gotol thus splits at the next instruction.
		f.appendBlock(i + int(g.Insns[i].Off) + 1)
		if op != opJA {
			f.appendBlock(i + 1)
		}
	}
	for i, b := range f.Blocks {
		if i+1 < len(f.Blocks) {
			b.Tail = f.Blocks[i+1].Head - 1
		} else {
			b.Tail = f.End
		}
		b.Index = i + 2
	}
}

func (f *Func) addSpecialBlocks() {
	entry := &Block{Index: EntryBlock, Head: 0, Tail: -1}
	exit := &Block{Index: ExitBlock, Head: 0, Tail: -1}
	f.Blocks = append(append([]*Block{entry}, f.Blocks...), exit)
}

func (f *Func) blockAt(head int) *Block {
	for _, b := range f.Blocks[1 : len(f.Blocks)-1] {
		if b.Head == head {
			return b
		}
	}
	return nil
}

func (g *Graph) addEdges(f *Func) {
	blocks := f.Blocks
	blocks[0].Succs = append(blocks[0].Succs, blocks[1])
	for i := 1; i < len(blocks)-1; i++ {
		b, next := blocks[i], blocks[i+1]
		var ins xlated.Insn
		if b.Tail >= 0 && b.Tail < len(g.Insns) {
			ins = g.Insns[b.Tail]
		}
		op := ins.Code & opMask
		switch {
		case !isJump(ins.Code) || op == opExit:
			b.Succs = append(b.Succs, next)
			continue
		case op == opJA:
			// bpftool dereferences a missing target and crashes;
			// we drop the edge.
			if t := f.blockAt(b.Tail + int(ins.Off) + 1); t != nil {
				b.Succs = append(b.Succs, t)
			}
			continue
		}
		// Conditional jumps, and calls that end a block: fall through,
		// then jump. For a helper call (off 0) both edges lead to the
		// next block, as in bpftool 7.1.
		b.Succs = append(b.Succs, next)
		if t := f.blockAt(b.Tail + int(ins.Off) + 1); t != nil {
			b.Succs = append(b.Succs, t)
		}
	}
}
