package jited

import (
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// decodeX86 decodes the instruction at the start of b, whose address is pc.
// x86asm's GNU syntax imitates an objdump of 2014 and leaves holes where JIT
// code goes; the operands are printed here from the decoded arguments and
// the mnemonic is taken from x86asm and brought to binutils 2.40.
func decodeX86(b []byte, pc uint64) Inst {
	in, ok := x86PrefixRun(b, pc)
	if !ok {
		in, ok = decodeX86Extra(b, pc)
	}
	if !ok {
		in = decodeX86Inst(b, pc)
	}
	in.Text = textX86(in.Op, in.Operands) + in.Text
	return in
}

// decodeX86Inst decodes through x86asm; Text is left holding only a
// trailing comment.
func decodeX86Inst(b []byte, pc uint64) Inst {
	inst, err := x86asm.Decode(b, 64)
	if err != nil || inst.Op == 0 || inst.Len == 0 {
		if alias, ok := x86Alias(b); ok {
			inst, err = x86asm.Decode(alias, 64)
		}
	}
	if err != nil || inst.Op == 0 || inst.Len == 0 {
		// x86asm reports a truncated instruction as a lone prefix with no
		// error; both cases go the way objdump takes.
		return x86Undecodable(b, pc, err)
	}
	op := gnuOp(x86asm.GNUSyntax(inst, pc, nil))
	f := x86Form{inst: inst, b: b[:inst.Len], pc: pc}
	operands, comment := f.operands()
	op, operands = f.fix(op, operands)
	return Inst{PC: pc, Bytes: b[:inst.Len], Op: op, Operands: operands, Text: comment}
}

// gnuOp returns the prefixes and mnemonic of x86asm's one-line text: the
// words before the first one that starts like an operand (x86asm may print
// an empty first operand, so a leading comma counts).
func gnuOp(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "(bad)"
	}
	n := 1
	for n < len(f) && !startsOperand(f[n]) {
		n++
	}
	return strings.Join(f[:n], " ")
}

func startsOperand(s string) bool {
	switch s[0] {
	case '%', '$', '(', '*', '-', '.', ',':
		return true
	}
	return s[0] >= '0' && s[0] <= '9'
}

// x86Undecodable mimics objdump on bytes that are no instruction. When the
// instruction runs past the end of the image objdump prints its first byte
// alone, as a prefix name or as ".byte 0x.."; otherwise it prints "(bad)"
// after the prefixes, having consumed as many bytes as its decoder read
// before giving up (x86BadLength).
func x86Undecodable(b []byte, pc uint64, err error) Inst {
	in := Inst{PC: pc, Bytes: b[:1]}
	n, truncated := x86BadLength(b)
	if err == x86asm.ErrTruncated || x86Truncated(b) {
		truncated = true
	}
	if truncated {
		if name := x86PrefixName(b[0]); name != "" {
			in.Op = name
		} else {
			in.Op = ".byte"
			in.Operands = []string{fmt.Sprintf("0x%x", b[0])}
		}
		return in
	}
	prefixEnd, _ := x86Scan(b)
	var words []string
	if c := b[prefixEnd]; c != 0xc4 && c != 0xc5 && c != 0x62 && c != 0x8f {
		for _, p := range b[:prefixEnd] {
			words = append(words, x86PrefixName(p))
		}
	}
	in.Op = strings.Join(append(words, "(bad)"), " ")
	in.Bytes = b[:n]
	return in
}

// x86Alias rewrites the undocumented encodings objdump decodes as their
// documented twins: shift group /6 is shl (/4), and f6/f7 /1 is test (/0).
// The copy differs only in the ModRM reg field, so the length and every
// operand stay the same.
func x86Alias(b []byte) ([]byte, bool) {
	p, _ := x86Scan(b)
	if p+1 >= len(b) {
		return nil, false
	}
	reg := b[p+1] >> 3 & 7
	var to byte
	switch c := b[p]; {
	case (c == 0xc0 || c == 0xc1 || (c >= 0xd0 && c <= 0xd3)) && reg == 6:
		to = 4
	case (c == 0xf6 || c == 0xf7) && reg == 1:
		to = 0
	default:
		return nil, false
	}
	alias := append([]byte(nil), b...)
	alias[p+1] = alias[p+1]&^0x38 | to<<3
	return alias, true
}

// x86Truncated reports an instruction that x86asm could decode if the image
// went on: objdump runs out of bytes before it can judge such an
// instruction, whatever the missing bytes would be.
func x86Truncated(b []byte) bool {
	if len(b) >= 15 {
		return false
	}
	var padded [32]byte
	copy(padded[:], b)
	inst, err := x86asm.Decode(padded[:], 64)
	return err == nil && inst.Op != 0 && inst.Len > len(b)
}

// x86BadLength says how many bytes objdump consumes for an undecodable
// instruction: the prefixes and opcode bytes it read, stopping early where
// its VEX, EVEX and XOP decoding rejects a field; truncated is true when it
// would have read past the end of b.
func x86BadLength(b []byte) (n int, truncated bool) {
	p, opEnd := x86Scan(b)
	if p >= len(b) {
		return 0, true
	}
	need := func(k int) (int, bool) {
		if k > len(b) {
			return 0, true
		}
		return k, false
	}
	switch c := b[p]; {
	case x86NoModRM(c):
		return p + 1, false
	case c == 0xc4 || (c == 0x8f && p+1 < len(b) && b[p+1]&0x38 != 0):
		if p+4 > len(b) {
			return 0, true
		}
		m := b[p+1] & 0x1f
		if (c == 0xc4 && (m < 1 || m > 3)) || (c == 0x8f && (m < 8 || m > 10)) {
			return p + 1, false
		}
		return p + 4, false
	case c == 0xc5:
		return need(p + 3)
	case c == 0x62:
		if p+6 > len(b) {
			return 0, true
		}
		if m := b[p+1] & 7; m == 0 || m == 4 || m == 7 {
			return p + 1, false
		}
		if b[p+2]&4 == 0 {
			return p + 2, false
		}
		return p + 5, false
	case c >= 0xd8 && c <= 0xdf:
		// x87 opcodes extend into the ModRM byte; objdump reads the whole
		// memory operand before finding the form invalid.
		if p+1 >= len(b) {
			return 0, true
		}
		return need(p + 1 + modrmLen(b[p+1:]))
	case c == 0x0f:
		return need(opEnd)
	}
	// Other one-byte opcodes are rejected by their ModRM reg field, which
	// objdump reads without consuming.
	if p+1 >= len(b) {
		return 0, true
	}
	return p + 1, false
}

// modrmLen is the length of a ModRM byte with its SIB byte and
// displacement, b starting at the ModRM byte.
func modrmLen(b []byte) int {
	mod, rm := b[0]>>6, b[0]&7
	if mod == 3 {
		return 1
	}
	n := 1
	if rm == 4 {
		n++
		if mod == 0 && len(b) > 1 && b[1]&7 == 5 {
			n += 4
		}
	}
	switch {
	case mod == 1:
		n++
	case mod == 2 || (mod == 0 && rm == 5):
		n += 4
	}
	return n
}

// x86NoModRM reports the one-byte opcodes that are invalid in long mode and
// that objdump rejects without reading a ModRM byte.
func x86NoModRM(c byte) bool {
	switch c {
	case 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f,
		0x60, 0x61, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea:
		return true
	}
	return false
}

// x86Scan returns where the prefixes end and where the opcode ends, which
// is where a ModRM byte would sit; opEnd may lie past the end of b.
func x86Scan(b []byte) (prefixEnd, opEnd int) {
	i := 0
	for i < len(b) && x86PrefixName(b[i]) != "" {
		i++
	}
	prefixEnd = i
	if i >= len(b) {
		return prefixEnd, i + 1
	}
	switch b[i] {
	case 0xc4:
		i += 4 // c4, two payload bytes, opcode
	case 0xc5:
		i += 3
	case 0x62:
		i += 5 // EVEX: 62, three payload bytes, opcode
	case 0x0f:
		if i+1 < len(b) && (b[i+1] == 0x38 || b[i+1] == 0x3a) {
			i += 3
		} else {
			i += 2
		}
	default:
		i++
	}
	return prefixEnd, i
}

// x86PrefixRun handles runs of prefixes that objdump prints as an
// instruction of their own: more than fourteen prefixes (the first fourteen
// are printed), and a REX prefix followed by another prefix, which voids it.
func x86PrefixRun(b []byte, pc uint64) (Inst, bool) {
	const maxPrefixes = 14
	n := 0
	for n < len(b) && n <= maxPrefixes && x86PrefixName(b[n]) != "" {
		// fwait (9b) counts as a prefix here, as in objdump's prefix scan.
		if isREX(b[n]) && n+1 < len(b) && (x86PrefixName(b[n+1]) != "" || b[n+1] == 0x9b) {
			return prefixInst(b[:n+1], pc), true
		}
		n++
	}
	if n > maxPrefixes {
		return prefixInst(b[:maxPrefixes], pc), true
	}
	return Inst{}, false
}

func isREX(c byte) bool { return c >= 0x40 && c <= 0x4f }

func prefixInst(b []byte, pc uint64) Inst {
	names := make([]string, len(b))
	for i, c := range b {
		names[i] = x86PrefixName(c)
	}
	return Inst{PC: pc, Bytes: b, Op: strings.Join(names, " ")}
}

// x86PrefixName is the name objdump gives a prefix byte printed on its own.
func x86PrefixName(c byte) string {
	switch c {
	case 0xf0:
		return "lock"
	case 0xf2:
		return "repnz"
	case 0xf3:
		return "repz"
	case 0x2e:
		return "cs"
	case 0x36:
		return "ss"
	case 0x3e:
		return "ds"
	case 0x26:
		return "es"
	case 0x64:
		return "fs"
	case 0x65:
		return "gs"
	case 0x66:
		return "data16"
	case 0x67:
		return "addr32"
	}
	if c >= 0x40 && c <= 0x4f {
		if c == 0x40 {
			return "rex"
		}
		s := "rex."
		if c&8 != 0 {
			s += "W"
		}
		if c&4 != 0 {
			s += "R"
		}
		if c&2 != 0 {
			s += "X"
		}
		if c&1 != 0 {
			s += "B"
		}
		return s
	}
	return ""
}
