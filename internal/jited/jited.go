package jited

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// Arch names an instruction set the package can disassemble.
type Arch int

const (
	// X86_64 is AMD64 long mode, printed in AT&T syntax as by
	// `objdump -D -b binary -mi386:x86-64`.
	X86_64 Arch = iota + 1
	// ARM64 is AArch64, printed as by `objdump -D -b binary -maarch64`.
	ARM64
)

// String returns the architecture's name as bpftool and the kernel spell it.
func (a Arch) String() string {
	switch a {
	case X86_64:
		return "x86_64"
	case ARM64:
		return "arm64"
	}
	return fmt.Sprintf("Arch(%d)", int(a))
}

// ErrArch reports an architecture the package cannot disassemble.
var ErrArch = errors.New("no JIT disassembly support for this architecture")

// HostArch returns the architecture of the running kernel's JIT, which is the
// one whose images `prog dump jited` reads; ok is false on hosts the package
// cannot disassemble.
func HostArch() (a Arch, ok bool) {
	switch runtime.GOARCH {
	case "amd64":
		return X86_64, true
	case "arm64":
		return ARM64, true
	}
	return 0, false
}

// Inst is one decoded machine instruction.
type Inst struct {
	// PC is the instruction's address: the start address given to
	// Disassemble plus its offset in the image.
	PC uint64
	// Bytes are the instruction's bytes; they alias the image.
	Bytes []byte
	// Op is the mnemonic with any prefixes printed before it, for example
	// "mov", "lock xadd", "cs nopw", "rex.W", "(bad)" or ".byte".
	Op string
	// Operands are printed in objdump's order (AT&T: source first), each
	// one as objdump prints it; nil when there are none.
	Operands []string
	// Text is the whole instruction as objdump prints it after the bytes:
	// Op padded to six columns, a space, the operands joined by commas.
	Text string
}

// Disassemble decodes image, whose first byte sits at address start, into
// instructions covering every byte. Bytes that are no instruction come out as
// objdump shows them ("(bad)", ".byte 0x..", a lone prefix) so the listing
// always goes on; the only error is an unsupported arch.
func Disassemble(image []byte, arch Arch, start uint64) ([]Inst, error) {
	var one func(b []byte, pc uint64) Inst
	switch arch {
	case X86_64:
		one = decodeX86
	case ARM64:
		one = decodeARM64
	default:
		return nil, fmt.Errorf("%v: %w", arch, ErrArch)
	}
	var insts []Inst
	for off := 0; off < len(image); {
		in := one(image[off:], start+uint64(off))
		n := len(in.Bytes)
		if n == 0 {
			// A decoder must always make progress; treat a stall as one bad
			// byte rather than looping forever.
			in = Inst{Bytes: image[off : off+1], Op: "(bad)"}
			in.PC = start + uint64(off)
			n = 1
		}
		in.Bytes = image[off : off+n : off+n]
		insts = append(insts, in)
		off += n
	}
	return insts, nil
}

// textX86 lays out an instruction the way objdump's i386 printer does: the
// mnemonic field is padded to six characters and followed by one space only
// when operands follow.
func textX86(op string, operands []string) string {
	if len(operands) == 0 {
		return op
	}
	if op == ".byte" {
		// A directive, not a mnemonic: objdump does not pad it.
		return op + " " + strings.Join(operands, ",")
	}
	var b strings.Builder
	b.WriteString(op)
	for i := len(op); i < 6; i++ {
		b.WriteByte(' ')
	}
	b.WriteByte(' ')
	b.WriteString(strings.Join(operands, ","))
	return b.String()
}
