package xlated

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftool/gobpftool/internal/jsonw"
)

// Program holds the parts of a program's bpf_prog_info that the xlated
// dumper reads, as the kernel returned them.
type Program struct {
	// Insns is the xlated image (xlated_prog_insns).
	Insns []byte
	// FuncInfo holds the struct bpf_func_info records (func_info), each
	// FuncInfoRecSize bytes (func_info_rec_size).
	FuncInfo        []byte
	FuncInfoRecSize uint32
	// LineInfo holds the struct bpf_line_info records (line_info), each
	// LineInfoRecSize bytes (line_info_rec_size).
	LineInfo        []byte
	LineInfoRecSize uint32
	// BTF is the program's BTF (btf_id), or nil; without it no function
	// headers and no source lines are printed.
	BTF *btf.Spec
	// JitedKsyms are the addresses of the JITed functions (jited_ksyms);
	// empty for an interpreted program, which makes bpf-to-bpf calls print
	// without their target symbol.
	JitedKsyms []uint64
	// JitedLineInfo (jited_line_info) and JitedFuncLens (jited_func_lens)
	// are optional: when present, libbpf's consistency check on them is
	// repeated, and a failure drops the source lines as bpftool does.
	JitedLineInfo []uint64
	JitedFuncLens []uint32
	// Decoded, when set, is DecodeAll(Insns), already made by the caller.
	Decoded []Insn
}

// Options are the switches of "prog dump xlated".
type Options struct {
	// Opcodes adds the raw bytes of each instruction.
	Opcodes bool
	// Linum adds file, line and column to source lines.
	Linum bool
	// Symbols resolves call targets; nil means /proc/kallsyms was unreadable.
	Symbols Symbols
	// Dialect selects the disasm.c text; the zero value is DialectCurrent.
	Dialect Dialect
}

// Formatter renders the instructions of one program with the callbacks
// bpftool's xlated dumper installs (print_call, print_imm).
type Formatter struct {
	ksyms   []uint64
	syms    Symbols
	dialect Dialect
	cb      Callbacks
}

// NewFormatter returns a Formatter. jitedKsyms are the program's
// jited_ksyms (nil for the CFG, which bpftool 7.1 draws without them); syms
// may be nil.
func NewFormatter(jitedKsyms []uint64, syms Symbols, d Dialect) *Formatter {
	f := &Formatter{ksyms: jitedKsyms, syms: syms, dialect: d}
	f.cb = Callbacks{Call: f.call, Imm: f.imm}
	return f
}

// Insn returns the text of insns[i]; the slot after it, if any, is the
// second half of an ld_imm64.
func (f *Formatter) Insn(insns []Insn, i int) string {
	return string(f.AppendInsn(nil, insns, i))
}

// AppendInsn appends the text of insns[i] to buf, without allocating a
// string per instruction (a large program has a hundred thousand).
func (f *Formatter) AppendInsn(buf []byte, insns []Insn, i int) []byte {
	var next Insn
	if i+1 < len(insns) {
		next = insns[i+1]
	}
	return appendInsn(buf, insns[i], next, &f.cb, f.dialect)
}

func (f *Formatter) lookup(addr uint64) (string, bool) {
	if f.syms == nil {
		return "", false
	}
	return f.syms.Lookup(addr)
}

func (f *Formatter) call(ins Insn) (string, bool) {
	var base uint64
	if f.syms != nil {
		base = f.syms.CallBase()
	}
	addr := base + uint64(int64(ins.Imm))
	if ins.Src == PseudoCall && uint64(uint32(ins.Imm)) < uint64(len(f.ksyms)) {
		addr = f.ksyms[uint32(ins.Imm)]
	}
	name, found := f.lookup(addr)
	if ins.Src != PseudoCall {
		if found {
			return name, true
		}
		return "0x" + strconv.FormatUint(addr, 16), true
	}
	off := string(appendSignedOff(nil, int64(ins.Off)))
	switch {
	case len(f.ksyms) == 0:
		// Interpreted programs: bpftool hides the address.
		return off, true
	case found:
		return off + "#" + name, true
	}
	return off + "#0x" + strconv.FormatUint(addr, 16), true
}

func (f *Formatter) imm(ins, next Insn, full uint64) (string, bool) {
	u := func(v int32) string { return strconv.FormatUint(uint64(uint32(v)), 10) }
	switch ins.Src {
	case PseudoMapFD:
		return "map[id:" + u(ins.Imm) + "]", true
	case PseudoMapValue:
		return "map[id:" + u(ins.Imm) + "][0]+" + u(next.Imm), true
	case PseudoMapIdxValue:
		return "map[idx:" + u(ins.Imm) + "]+" + u(next.Imm), true
	case PseudoFunc:
		return "subprog[" + string(appendSignedOff(nil, int64(ins.Imm))) + "]", true
	}
	return "0x" + strconv.FormatUint(full, 16), true
}

type funcRec struct {
	insnOff uint32
	typeID  btf.TypeID
}

// funcRecs decodes func_info; records shorter than the two fields bpftool
// reads are treated as absent.
func funcRecs(p *Program) []funcRec {
	size := int(p.FuncInfoRecSize)
	if size < 8 {
		return nil
	}
	recs := make([]funcRec, len(p.FuncInfo)/size)
	for i := range recs {
		b := p.FuncInfo[i*size:]
		recs[i] = funcRec{binary.LittleEndian.Uint32(b), btf.TypeID(binary.LittleEndian.Uint32(b[4:]))}
	}
	return recs
}

// walker carries the state dump_xlated_plain and dump_xlated_json share:
// the next func_info record and the number of line records consumed.
type walker struct {
	p      *Program
	insns  []Insn
	funcs  []funcRec
	nextFn int
	lines  *LineTable
	nrSkip int
	fmt    *Formatter
}

func newWalker(p *Program, o Options) *walker {
	insns := p.Decoded
	if insns == nil {
		insns = DecodeAll(p.Insns)
	}
	w := &walker{
		p:     p,
		insns: insns,
		fmt:   NewFormatter(p.JitedKsyms, o.Symbols, o.Dialect),
	}
	if p.BTF != nil {
		w.funcs = funcRecs(p)
		w.lines = NewLineTable(p)
	}
	return w
}

// proto returns the function header due at insn i, if any.
func (w *walker) proto(i int) (string, bool) {
	if w.nextFn >= len(w.funcs) || w.funcs[w.nextFn].insnOff != uint32(i) {
		return "", false
	}
	sig := TypeOnly(w.p.BTF, w.funcs[w.nextFn].typeID)
	w.nextFn++
	return sig, sig != ""
}

// line returns the index of the line record due at insn i, or -1.
func (w *walker) line(i int) int {
	if w.lines == nil {
		return -1
	}
	idx := w.lines.Find(uint32(i), w.nrSkip)
	if idx >= 0 {
		w.nrSkip++
	}
	return idx
}

// slotBytes returns the raw bytes of slot i and, for an ld_imm64, of its
// second half when the image holds it.
func (w *walker) slotBytes(i int, double bool) (first, second []byte) {
	first = w.p.Insns[i*InsnSize : (i+1)*InsnSize]
	if double && (i+2)*InsnSize <= len(w.p.Insns) {
		second = w.p.Insns[(i+1)*InsnSize : (i+2)*InsnSize]
	}
	return first, second
}

// WritePlain writes "prog dump xlated" in plain text, as bpftool's
// dump_xlated_plain.
func WritePlain(out io.Writer, p *Program, o Options) error {
	w := newWalker(p, o)
	bw := bufio.NewWriter(out)
	var buf []byte
	double := false
	for i := range w.insns {
		if double {
			double = false
			continue
		}
		buf = buf[:0]
		if sig, ok := w.proto(i); ok {
			buf = append(buf, sig...)
			buf = append(buf, ":\n"...)
		}
		if idx := w.line(i); idx >= 0 {
			buf = w.lines.AppendPlain(buf, idx, "; ", o.Linum)
		}
		double = w.insns[i].Code == OpLdImm64
		buf = appendIndex(buf, i)
		buf = w.fmt.AppendInsn(buf, w.insns, i)
		buf = append(buf, '\n')
		if o.Opcodes {
			first, second := w.slotBytes(i, double)
			buf = append(buf, "       "...)
			buf = appendHexBytes(buf, first)
			if second != nil {
				buf = append(buf, ' ')
				buf = appendHexBytes(buf, second)
			}
			buf = append(buf, '\n')
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendIndex writes an instruction index as bpftool 7.1's "% 4d: ": the
// sign space counts in the width, so index 1000 and up gets a leading space.
func appendIndex(buf []byte, i int) []byte {
	if i >= 1000 {
		buf = append(buf, ' ')
	} else {
		for w := 10; w <= 100; w *= 10 {
			if i < w {
				buf = append(buf, ' ')
			}
		}
		buf = append(buf, ' ')
	}
	buf = strconv.AppendInt(buf, int64(i), 10)
	return append(buf, ':', ' ')
}

// appendHexBytes writes bytes as bpftool's fprint_hex with a " " separator
// for up to 8 bytes: "b7 01 00 00".
func appendHexBytes(buf []byte, b []byte) []byte {
	const hex = "0123456789abcdef"
	for i, c := range b {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, hex[c>>4], hex[c&0xf])
	}
	return buf
}

// WriteJSON writes "prog dump xlated" as bpftool's dump_xlated_json: one
// array with an object per instruction. The caller ends the document (or,
// for several programs, wraps it in the object that carries the header).
func WriteJSON(jw *jsonw.Writer, p *Program, o Options) {
	w := newWalker(p, o)
	double := false
	jw.StartArray()
	for i := range w.insns {
		if double {
			double = false
			continue
		}
		double = w.insns[i].Code == OpLdImm64
		jw.StartObject()
		if sig, ok := w.proto(i); ok {
			jw.StringField("proto", sig)
		}
		if idx := w.line(i); idx >= 0 {
			w.lines.WriteJSON(jw, idx, o.Linum)
		}
		jw.Name("disasm")
		// bpftool prints the text between quotes without escaping it;
		// we escape, the same bytes for every text that needs none.
		jw.String(w.fmt.Insn(w.insns, i))
		if o.Opcodes {
			first, second := w.slotBytes(i, double)
			ins := w.insns[i]
			jw.Name("opcodes")
			jw.StartObject()
			jw.Name("code")
			jw.Raw(fmt.Sprintf(`"0x%02x"`, ins.Code))
			jw.Name("src_reg")
			jw.Raw(fmt.Sprintf(`"0x%x"`, ins.Src))
			jw.Name("dst_reg")
			jw.Raw(fmt.Sprintf(`"0x%x"`, ins.Dst))
			jw.Name("off")
			hexArrayJSON(jw, first[2:4])
			jw.Name("imm")
			if double {
				// The immediate of an ld_imm64 runs on into the
				// whole second slot: 4 + 8 bytes.
				hexArrayJSON(jw, append(append([]byte(nil), first[4:8]...), second...))
			} else {
				hexArrayJSON(jw, first[4:8])
			}
			jw.EndObject()
		}
		jw.EndObject()
	}
	jw.EndArray()
}

func hexArrayJSON(jw *jsonw.Writer, b []byte) {
	jw.StartArray()
	for _, c := range b {
		jw.Raw(fmt.Sprintf(`"0x%02x"`, c))
	}
	jw.EndArray()
}

// LineInfoWarning is what bpftool prints (p_info, plain mode only, on
// stderr) when a program has line info that libbpf's bpf_prog_linfo__new
// refuses; the dump then goes on without source lines.
const LineInfoWarning = "error in processing bpf_line_info.  continue without it."

// LineInfoRejected reports whether p has line info that bpftool would
// refuse, in which case the caller prints LineInfoWarning before the dump
// (bpftool does so for every xlated and jited dump, "file" and "visual"
// included).
func (p *Program) LineInfoRejected() bool {
	return len(p.LineInfo) > 0 && NewLineTable(p) == nil
}
