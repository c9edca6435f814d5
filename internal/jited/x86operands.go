package jited

import (
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// x86Form formats one decoded instruction's operands in objdump's AT&T
// notation. x86asm's Inst drops what objdump's notation depends on (whether
// a displacement or a SIB byte was encoded, the width an immediate is shown
// at), so the encoding is read again from the bytes.
type x86Form struct {
	inst x86asm.Inst
	b    []byte
	pc   uint64
}

// modrm is what objdump's memory operand printer looks at.
type modrm struct {
	ok      bool
	mod     byte
	rm      byte
	hasSIB  bool
	sibBase byte // low three bits, without REX.B
	scale   byte // the encoded two bits
	noBase  bool // SIB base 101 with mod 00: a bare disp32
	hasDisp bool
	ripRel  bool
}

// findModRM reads the ModRM byte, which follows the opcode.
func findModRM(b []byte) modrm {
	_, i := x86Scan(b)
	if i >= len(b) {
		return modrm{}
	}
	m := modrm{ok: true, mod: b[i] >> 6, rm: b[i] & 7}
	if m.mod == 3 {
		return m
	}
	switch {
	case m.rm == 4 && i+1 < len(b):
		sib := b[i+1]
		m.hasSIB = true
		m.sibBase = sib & 7
		m.scale = sib >> 6
		m.noBase = m.mod == 0 && m.sibBase == 5
	case m.rm == 5 && m.mod == 0:
		m.ripRel = true
	}
	m.hasDisp = m.mod != 0 || m.noBase || m.ripRel
	return m
}

// operands returns the AT&T operands, source first, and the comment objdump
// appends after a %rip-relative operand.
func (f x86Form) operands() ([]string, string) {
	var args []x86asm.Arg
	for _, a := range f.inst.Args {
		if a == nil {
			break
		}
		args = append(args, a)
	}
	var out []string
	comment := ""
	implicit := f.x87Implicit(args)
	for i := len(args) - 1; i >= 0; i-- {
		switch a := args[i].(type) {
		case x86asm.Reg:
			if i == implicit {
				out = append(out, "%st")
				continue
			}
			out = append(out, regName(a))
		case x86asm.Imm:
			out = append(out, "$"+hexU(f.immValue(int64(a), args)))
		case x86asm.Mem:
			s, c := f.mem(a)
			out = append(out, s)
			if c != "" {
				comment = c
			}
		case x86asm.Rel:
			out = append(out, hexU(f.pc+uint64(f.inst.Len)+uint64(int64(a))))
		default:
			out = append(out, strings.ToLower(a.String()))
		}
	}
	return out, comment
}

// x87Implicit returns which of two x87 stack operands is the implied
// %st(0), which binutils prints as "%st" (the encoded one keeps its index),
// or -1. Opcodes dc and de put the implied register second in Intel order.
func (f x86Form) x87Implicit(args []x86asm.Arg) int {
	if len(args) != 2 {
		return -1
	}
	for _, a := range args {
		if r, ok := a.(x86asm.Reg); !ok || r < x86asm.F0 || r > x86asm.F7 {
			return -1
		}
	}
	p, _ := x86Scan(f.b)
	switch f.b[p] {
	case 0xdc, 0xde:
		return 1
	}
	return 0
}

// immValue truncates a sign-extended immediate to the width objdump shows it
// at: the operation's size, taken from a register operand when there is one.
func (f x86Form) immValue(v int64, args []x86asm.Arg) uint64 {
	bits := f.inst.DataSize
	switch f.inst.Op {
	case x86asm.SHL, x86asm.SHR, x86asm.SAR, x86asm.ROL, x86asm.ROR, x86asm.RCL, x86asm.RCR,
		x86asm.INT, x86asm.SHLD, x86asm.SHRD, x86asm.BT, x86asm.BTS, x86asm.BTR, x86asm.BTC:
		bits = 8
	case x86asm.RET, x86asm.LRET, x86asm.ENTER:
		bits = 16
	case x86asm.PUSH:
		// Pushes are 64 bits wide in long mode whatever x86asm says.
		if bits != 16 {
			bits = 64
		}
	default:
		found := false
		for _, a := range args {
			if r, ok := a.(x86asm.Reg); ok {
				bits = regBits(r)
				found = true
				break
			}
		}
		if !found && f.inst.MemBytes > 0 {
			for _, a := range args {
				if _, ok := a.(x86asm.Mem); ok {
					bits = f.inst.MemBytes * 8
				}
			}
		}
	}
	if bits <= 0 || bits >= 64 {
		return uint64(v)
	}
	return uint64(v) & (1<<uint(bits) - 1)
}

// mem prints a memory operand by the rules of binutils' OP_E_memory.
func (f x86Form) mem(m x86asm.Mem) (string, string) {
	var b strings.Builder
	if isStringOp(f.inst.Op) {
		// The implicit %ds:(%rsi) and %es:(%rdi): no ModRM, and objdump
		// always names the segment.
		seg := m.Segment
		if seg == 0 {
			seg = x86asm.DS
		}
		return regName(seg) + ":(" + regName(m.Base) + ")", ""
	}
	if m.Segment != 0 && !isNullSegment(m.Segment) {
		b.WriteString(regName(m.Segment))
		b.WriteByte(':')
	}
	e := findModRM(f.b)
	if !e.ok || (m.Base == 0 && m.Index == 0 && !e.hasSIB && !e.ripRel) {
		// A moffs operand (a0..a3) or a bare address: printed unsigned.
		b.WriteString(hexU(uint64(m.Disp)))
		return b.String(), ""
	}
	if e.ripRel || m.Base == x86asm.RIP {
		b.WriteString(hexS(m.Disp))
		b.WriteString("(%rip)")
		target := f.pc + uint64(f.inst.Len) + uint64(m.Disp)
		return b.String(), "        # " + hexU(target)
	}
	haveBase := m.Base != 0
	haveIndex := m.Index != 0
	withParens := haveBase || (e.hasSIB && (haveIndex || e.scale != 0))
	if !withParens {
		b.WriteString(hexU(uint64(m.Disp)))
		return b.String(), ""
	}
	if e.hasDisp {
		b.WriteString(hexS(m.Disp))
	}
	b.WriteByte('(')
	if haveBase {
		b.WriteString(regName(m.Base))
	}
	if e.hasSIB && (e.scale != 0 || haveIndex || (haveBase && e.sibBase != 4)) {
		b.WriteByte(',')
		if haveIndex {
			b.WriteString(regName(m.Index))
		} else {
			b.WriteString("%riz")
		}
		fmt.Fprintf(&b, ",%d", 1<<e.scale)
	}
	b.WriteByte(')')
	return b.String(), ""
}

func hexU(v uint64) string { return fmt.Sprintf("0x%x", v) }

// hexS prints a displacement as objdump does: signed, magnitude in hex.
func hexS(v int64) string {
	if v < 0 {
		return fmt.Sprintf("-0x%x", uint64(-v))
	}
	return fmt.Sprintf("0x%x", v)
}

func regBits(r x86asm.Reg) int {
	switch {
	case r >= x86asm.AL && r <= x86asm.R15B:
		return 8
	case r >= x86asm.AX && r <= x86asm.R15W:
		return 16
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return 32
	case r >= x86asm.RAX && r <= x86asm.R15:
		return 64
	}
	return 0
}

// regName spells a register the AT&T way.
func regName(r x86asm.Reg) string {
	switch {
	case r == x86asm.SPB:
		return "%spl"
	case r == x86asm.BPB:
		return "%bpl"
	case r == x86asm.SIB:
		return "%sil"
	case r == x86asm.DIB:
		return "%dil"
	case r >= x86asm.R8L && r <= x86asm.R15L:
		return fmt.Sprintf("%%r%dd", 8+int(r-x86asm.R8L))
	case r >= x86asm.F0 && r <= x86asm.F7:
		return fmt.Sprintf("%%st(%d)", int(r-x86asm.F0))
	case r >= x86asm.M0 && r <= x86asm.M7:
		return fmt.Sprintf("%%mm%d", int(r-x86asm.M0))
	case r >= x86asm.X0 && r <= x86asm.X31:
		return fmt.Sprintf("%%xmm%d", int(r-x86asm.X0))
	case r >= x86asm.Y0 && r <= x86asm.Y31:
		return fmt.Sprintf("%%ymm%d", int(r-x86asm.Y0))
	case r >= x86asm.Z0 && r <= x86asm.Z31:
		return fmt.Sprintf("%%zmm%d", int(r-x86asm.Z0))
	case r >= x86asm.K0 && r <= x86asm.K7:
		return fmt.Sprintf("%%k%d", int(r-x86asm.K0))
	}
	return "%" + strings.ToLower(r.String())
}

// isStringOp reports the instructions whose memory operands are implicit.
func isStringOp(op x86asm.Op) bool {
	switch op {
	case x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD, x86asm.MOVSQ,
		x86asm.STOSB, x86asm.STOSW, x86asm.STOSD, x86asm.STOSQ,
		x86asm.LODSB, x86asm.LODSW, x86asm.LODSD, x86asm.LODSQ,
		x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD, x86asm.CMPSQ,
		x86asm.SCASB, x86asm.SCASW, x86asm.SCASD, x86asm.SCASQ,
		x86asm.INSB, x86asm.INSW, x86asm.INSD, x86asm.OUTSB, x86asm.OUTSW, x86asm.OUTSD:
		return true
	}
	return false
}
