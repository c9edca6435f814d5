package jited

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/gobpftool/gobpftool/internal/jsonw"
)

// Func is one function of a program's JIT image, listed under one name.
type Func struct {
	// Proto is the function's C prototype from BTF func_info, or "" when the
	// program has none; bpftool prints it above the name.
	Proto string
	// Name is what bpftool prints for the function: the kallsyms name of its
	// jited_ksyms address, "0x%016x" of the address when kallsyms has none,
	// "unknown" when the kernel gave no addresses.
	Name  string
	Insns []Inst
}

// ErrFuncLens reports function lengths that do not add up to the image.
var ErrFuncLens = errors.New("jited_func_lens exceed the JIT image")

// ErrEmptyFunc reports a function of length zero; bpftool stops the dump
// there, after the function's header, without a message.
var ErrEmptyFunc = errors.New("empty JIT function")

// Split cuts a program's image into functions by its jited_func_lens and
// disassembles each one from address 0, as bpftool 7.1 does (newer bpftool
// passes the function's ksym address as the start; the listing's offsets are
// the same, only branch targets differ). names[i] names function i; missing
// names are "unknown".
func Split(image []byte, arch Arch, lens []uint32, names []string) ([]Func, error) {
	funcs := make([]Func, len(lens))
	off := uint64(0)
	for i, l := range lens {
		end := off + uint64(l)
		if end > uint64(len(image)) {
			return nil, fmt.Errorf("function %d ends at %d, image has %d bytes: %w", i, end, len(image), ErrFuncLens)
		}
		insns, err := Disassemble(image[off:end], arch, 0)
		if err != nil {
			return nil, err
		}
		funcs[i] = Func{Name: "unknown", Insns: insns}
		if i < len(names) {
			funcs[i].Name = names[i]
		}
		off = end
	}
	return funcs, nil
}

// Options choose what a listing shows besides the instructions.
type Options struct {
	// Opcodes adds every instruction's bytes (the "opcodes" keyword).
	Opcodes bool
	// Before, when set, runs before each instruction with the function's
	// index and the instruction's offset in it. bpftool prints the source
	// line of jited_line_info there: in plain mode a "; ..." line before the
	// instruction's line, in JSON mode fields inside the instruction's
	// object, before "pc".
	Before func(fn int, off uint64)
}

// WritePlain writes one function's instructions as bpftool's
// disasm_print_insn does (libbfd build): "%4x:\t" and the text, with
// opcodes a second line of "\t" and "%02x " per byte. The offset column
// counts from the first instruction.
func WritePlain(w io.Writer, insns []Inst, opt Options) error {
	bw := bufio.NewWriter(w)
	writePlain(bw, 0, insns, opt)
	return bw.Flush()
}

func writePlain(bw *bufio.Writer, fn int, insns []Inst, opt Options) {
	if len(insns) == 0 {
		return
	}
	base := insns[0].PC
	for _, in := range insns {
		off := in.PC - base
		if opt.Before != nil {
			// The hook writes to the caller's writer: ours must be drained
			// first to keep the order.
			bw.Flush()
			opt.Before(fn, off)
		}
		fmt.Fprintf(bw, "%4x:\t%s", off, in.Text)
		if opt.Opcodes {
			bw.WriteString("\n\t")
			for _, c := range in.Bytes {
				fmt.Fprintf(bw, "%02x ", c)
			}
		}
		bw.WriteByte('\n')
	}
}

// WriteFuncsPlain writes a program of several functions as bpftool's
// prog_dump does when the kernel reports jited_func_lens: per function the
// prototype line if any, "NAME:", the instructions and an empty line.
func WriteFuncsPlain(w io.Writer, funcs []Func, opt Options) error {
	bw := bufio.NewWriter(w)
	for i, f := range funcs {
		if f.Proto != "" {
			fmt.Fprintf(bw, "%s:\n", f.Proto)
		}
		fmt.Fprintf(bw, "%s:\n", f.Name)
		if len(f.Insns) == 0 {
			bw.Flush()
			return fmt.Errorf("%s: %w", f.Name, ErrEmptyFunc)
		}
		writePlain(bw, i, f.Insns, opt)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteJSON writes one function's instructions as the JSON array of
// disasm_print_insn: {"pc":"0x..","operation":..,"operands":[..]} per
// instruction, "operands":[null] when there are none, and with opcodes an
// "opcodes" array of "0x%02x" strings.
func WriteJSON(jw *jsonw.Writer, insns []Inst, opt Options) {
	writeJSON(jw, 0, insns, opt)
}

func writeJSON(jw *jsonw.Writer, fn int, insns []Inst, opt Options) {
	jw.StartArray()
	var base uint64
	if len(insns) > 0 {
		base = insns[0].PC
	}
	for _, in := range insns {
		off := in.PC - base
		jw.StartObject()
		if opt.Before != nil {
			opt.Before(fn, off)
		}
		jw.Name("pc")
		jw.Printf("\"0x%x\"", off)
		jw.StringField("operation", in.Op)
		jw.Name("operands")
		jw.StartArray()
		for _, o := range in.Operands {
			jw.String(o)
		}
		if len(in.Operands) == 0 {
			jw.Null()
		}
		jw.EndArray()
		if opt.Opcodes {
			jw.Name("opcodes")
			jw.StartArray()
			for _, c := range in.Bytes {
				jw.Printf("\"0x%02x\"", c)
			}
			jw.EndArray()
		}
		jw.EndObject()
	}
	jw.EndArray()
}

// WriteFuncsJSON writes a program of several functions as bpftool's
// prog_dump does: [{"proto"?, "name", "insns":[...]}, ...].
func WriteFuncsJSON(jw *jsonw.Writer, funcs []Func, opt Options) error {
	jw.StartArray()
	for i, f := range funcs {
		jw.StartObject()
		if f.Proto != "" {
			jw.StringField("proto", f.Proto)
		}
		jw.StringField("name", f.Name)
		jw.Name("insns")
		if len(f.Insns) == 0 {
			return fmt.Errorf("%s: %w", f.Name, ErrEmptyFunc)
		}
		writeJSON(jw, i, f.Insns, opt)
		jw.EndObject()
	}
	jw.EndArray()
	return nil
}
