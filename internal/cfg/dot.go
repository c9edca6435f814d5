package cfg

import (
	"bufio"
	"fmt"
	"io"

	"github.com/gobpftool/gobpftool/internal/xlated"
)

// labelMax is the size of the buffer bpftool formats each instruction
// into before escaping it: text beyond 63 bytes, the newline included, is
// lost.
const labelMax = 64

// WriteDOT writes the graph of the xlated image in bpftool 7.1's layout.
// syms resolves helper calls (nil when kallsyms is unreadable). bpftool 7.1
// draws without the program's jited_ksyms, so bpf-to-bpf calls print as
// "call pc+N" here.
func WriteDOT(w io.Writer, image []byte, syms xlated.Symbols, d xlated.Dialect) error {
	g := Build(xlated.DecodeAll(image))
	return g.WriteDOT(w, xlated.NewFormatter(nil, syms, d))
}

// WriteDOT writes g with f rendering the instructions.
func (g *Graph) WriteDOT(w io.Writer, f *xlated.Formatter) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("digraph \"DOT graph for eBPF program\" {\n")
	for _, fn := range g.Funcs {
		fmt.Fprintf(bw, "subgraph \"cluster_%d\" {\n\tstyle=\"dashed\";\n\tcolor=\"black\";\n\tlabel=\"func_%d ()\";\n", fn.Index, fn.Index)
		for _, b := range fn.Blocks {
			g.writeNode(bw, f, fn, b)
		}
		for _, b := range fn.Blocks {
			for _, s := range b.Succs {
				fmt.Fprintf(bw, "\tfn_%d_bb_%d:s -> fn_%d_bb_%d:n [style=\"solid,bold\", color=black, weight=10, constraint=true];\n",
					fn.Index, b.Index, fn.Index, s.Index)
			}
		}
		// bpftool's invisible ENTRY -> EXIT edge, for the layout.
		fmt.Fprintf(bw, "\tfn_%d_bb_%d:s -> fn_%d_bb_%d:n [style=\"invis\", constraint=true];\n",
			fn.Index, EntryBlock, fn.Index, ExitBlock)
		bw.WriteString("}\n")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func (g *Graph) writeNode(bw *bufio.Writer, f *xlated.Formatter, fn *Func, b *Block) {
	shape := "record"
	if b.Index == EntryBlock || b.Index == ExitBlock {
		shape = "Mdiamond"
	}
	fmt.Fprintf(bw, "\tfn_%d_bb_%d [shape=%s,style=filled,label=\"", fn.Index, b.Index, shape)
	switch b.Index {
	case EntryBlock:
		bw.WriteString("ENTRY")
	case ExitBlock:
		bw.WriteString("EXIT")
	default:
		bw.WriteString("{")
		double := false
		for i := b.Head; i <= b.Tail; i++ {
			// Debian's 7.1.0 is built from Linux 6.1.y, whose
			// cfg.c skips the second half of an ld_imm64 (the
			// v7.1.0 GitHub tag still prints it as BUG_ld_00).
			if double {
				double = false
				continue
			}
			var text string
			if i >= 0 && i < len(g.Insns) {
				double = g.Insns[i].Code == xlated.OpLdImm64
				text = label(f.Insn(g.Insns, i) + "\n")
			}
			// Numbered from the function start.
			fmt.Fprintf(bw, "% 4d: %s", i-fn.Start, text)
			if i != b.Tail {
				bw.WriteString(" | ")
			}
		}
		bw.WriteString("}")
	}
	bw.WriteString("\"];\n\n")
}

// label cuts text to bpftool's buffer, then escapes it for a DOT record:
// a newline becomes a left-justified line break, and the record
// metacharacters get a backslash.
func label(text string) string {
	if len(text) > labelMax-1 {
		text = text[:labelMax-1]
	}
	out := make([]byte, 0, len(text)+8)
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\n':
			out = append(out, '\\', 'l', '\\', '\n')
		case '<', '>', '|', '&':
			out = append(out, '\\', c)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
