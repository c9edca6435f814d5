package jited

import (
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// gnuMnemonic maps x86asm's mnemonics to those of binutils 2.40, which
// dropped the q suffix where the operand size is fixed in long mode and
// spells a few conversions the AT&T way.
var gnuMnemonic = map[string]string{
	"callq":   "call",
	"jmpq":    "jmp",
	"retq":    "ret",
	"leaveq":  "leave",
	"pushq":   "push",
	"popq":    "pop",
	"movsxd":  "movslq",
	"cdqe":    "cltq",
	"shlxq":   "shlx",
	"shlxl":   "shlx",
	"shrxq":   "shrx",
	"shrxl":   "shrx",
	"sarxq":   "sarx",
	"sarxl":   "sarx",
	"rorxq":   "rorx",
	"rorxl":   "rorx",
	"andnq":   "andn",
	"andnl":   "andn",
	"bextrq":  "bextr",
	"bextrl":  "bextr",
	"bzhiq":   "bzhi",
	"bzhil":   "bzhi",
	"mulxq":   "mulx",
	"mulxl":   "mulx",
	"pdepq":   "pdep",
	"pdepl":   "pdep",
	"pextq":   "pext",
	"pextl":   "pext",
	"blsrq":   "blsr",
	"blsrl":   "blsr",
	"blsmskq": "blsmsk",
	"blsmskl": "blsmsk",
	"blsiq":   "blsi",
	"blsil":   "blsi",
	"xbeginq": "xbegin",
	"xbeginl": "xbegin",
	"enterq":  "enter",
	"pushfq":  "pushf",
	"popfq":   "popf",
}

// fix brings x86asm's mnemonic and our operands to objdump's notation.
func (f x86Form) fix(op string, operands []string) (string, []string) {
	words := strings.Fields(op)
	if len(words) == 0 {
		return op, operands
	}
	mn := &words[len(words)-1]
	if m, ok := gnuMnemonic[*mn]; ok {
		*mn = m
	}
	for i := range words[:len(words)-1] {
		words[i] = f.prefixWord(words[i])
	}
	prefixEnd, _ := x86Scan(f.b)
	if prefixEnd >= len(f.b) {
		return strings.Join(words, " "), operands
	}
	opcode := f.b[prefixEnd]
	switch f.inst.Op {
	case x86asm.MOV:
		// A 64-bit immediate or a 64-bit absolute address is "movabs".
		if (opcode >= 0xb8 && opcode <= 0xbf && f.inst.Len-prefixEnd == 9) ||
			(opcode >= 0xa0 && opcode <= 0xa3) {
			*mn = "movabs"
		}
	case x86asm.SHL, x86asm.SHR, x86asm.SAR, x86asm.ROL, x86asm.ROR, x86asm.RCL, x86asm.RCR:
		// The shift-by-one forms print no count.
		if (opcode == 0xd0 || opcode == 0xd1) && len(operands) == 2 {
			operands = operands[1:]
		}
	case x86asm.INT:
		if opcode == 0xcc {
			operands = nil
		}
	case x86asm.ENTER:
		// One of the two instructions binutils prints in Intel order.
		if len(operands) == 2 {
			operands[0], operands[1] = operands[1], operands[0]
		}
	case x86asm.IN, x86asm.OUT:
		for i, o := range operands {
			if o == "%dx" {
				operands[i] = "(%dx)"
			}
		}
	case x86asm.CALL, x86asm.JMP, x86asm.LCALL, x86asm.LJMP:
		if _, rel := f.inst.Args[0].(x86asm.Rel); !rel && len(operands) == 1 {
			operands = []string{"*" + operands[0]}
			// A DS prefix on an indirect branch is the CET notrack hint.
			for i, w := range words {
				if w == "ds" {
					words[i] = "notrack"
				}
			}
		}
	}
	// x86asm names SSE compare predicates in the mnemonic (cmpnltsd) yet
	// keeps the predicate immediate; binutils drops it.
	if isCmpPredicate(*mn) && len(operands) >= 3 && strings.HasPrefix(operands[0], "$") {
		operands = operands[1:]
	}
	// Segment overrides other than fs and gs do nothing in long mode;
	// objdump names them as prefixes instead of in the operand.
	for _, a := range f.inst.Args {
		if m, ok := a.(x86asm.Mem); ok && isNullSegment(m.Segment) && !isStringOp(f.inst.Op) {
			name := strings.TrimPrefix(regName(m.Segment), "%")
			if !contains(words, name) {
				words = append([]string{name}, words...)
			}
		}
	}
	return strings.Join(words, " "), operands
}

// isCmpPredicate reports an SSE or AVX compare spelled with its predicate,
// such as cmpnltsd or vcmpeqps, rather than the plain cmpsd family.
func isCmpPredicate(m string) bool {
	base := strings.TrimPrefix(m, "v")
	if !strings.HasPrefix(base, "cmp") || len(base) <= 5 {
		return false
	}
	switch base[len(base)-2:] {
	case "sd", "ss", "pd", "ps":
		return true
	}
	return false
}

// prefixWord renames x86asm's repeat prefixes: objdump says "rep" only
// before the string instructions that do not compare, "repz" elsewhere.
func (f x86Form) prefixWord(w string) string {
	switch f.inst.Op {
	case x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD, x86asm.MOVSQ,
		x86asm.STOSB, x86asm.STOSW, x86asm.STOSD, x86asm.STOSQ,
		x86asm.LODSB, x86asm.LODSW, x86asm.LODSD, x86asm.LODSQ,
		x86asm.INSB, x86asm.INSW, x86asm.INSD, x86asm.OUTSB, x86asm.OUTSW, x86asm.OUTSD:
		return w
	}
	switch w {
	case "rep":
		return "repz"
	case "repn":
		return "repnz"
	}
	return w
}

func isNullSegment(r x86asm.Reg) bool {
	return r == x86asm.ES || r == x86asm.CS || r == x86asm.SS || r == x86asm.DS
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decodeX86Extra decodes what x86asm does not know or names differently
// but JIT code contains: CET landing pads, SMAP toggles, and the nop family
// whose prefixes objdump shows one by one.
func decodeX86Extra(b []byte, pc uint64) (Inst, bool) {
	prefixEnd, _ := x86Scan(b)
	rest := b[prefixEnd:]
	pre := b[:prefixEnd]
	switch {
	case hasBytes(b, 0xf3, 0x0f, 0x1e, 0xfa):
		return Inst{PC: pc, Bytes: b[:4], Op: "endbr64"}, true
	case hasBytes(b, 0xf3, 0x0f, 0x1e, 0xfb):
		return Inst{PC: pc, Bytes: b[:4], Op: "endbr32"}, true
	case hasBytes(rest, 0x0f, 0x01) && len(rest) > 2 && group7[rest[2]] != "":
		return prefixed(b, pc, pre, 3, group7[rest[2]], -1), true
	case prefixEnd == 0 && hasBytes(b, 0xc5, 0xf8, 0x77):
		// x86asm reads a ModRM byte after vzeroupper and so misplaces
		// every instruction after it.
		return Inst{PC: pc, Bytes: b[:3], Op: "vzeroupper"}, true
	case prefixEnd == 0 && hasBytes(b, 0xc5, 0xfc, 0x77):
		return Inst{PC: pc, Bytes: b[:3], Op: "vzeroall"}, true
	case hasBytes(rest, 0x90):
		return nop90(b, pc, pre), true
	case hasBytes(rest, 0x0f, 0x1f) && prefixEnd > 0 && !isREX(b[prefixEnd-1]):
		return nopPrefixed(b, pc, pre), true
	}
	return Inst{}, false
}

// group7 names the operand-less 0f 01 xx instructions x86asm lacks.
var group7 = map[byte]string{
	0xca: "clac", 0xcb: "stac", 0xd5: "xend", 0xd6: "xtest", 0xe8: "serialize",
	0xee: "rdpkru", 0xef: "wrpkru", 0xf8: "swapgs",
}

func hasBytes(b []byte, want ...byte) bool {
	if len(b) < len(want) {
		return false
	}
	for i, c := range want {
		if b[i] != c {
			return false
		}
	}
	return true
}

// prefixed builds an instruction of n opcode bytes after pre, naming every
// prefix except the one at index used (-1 for none).
func prefixed(b []byte, pc uint64, pre []byte, n int, mnemonic string, used int) Inst {
	var words []string
	for i, c := range pre {
		if i != used {
			words = append(words, x86PrefixName(c))
		}
	}
	words = append(words, mnemonic)
	return Inst{PC: pc, Bytes: b[:len(pre)+n], Op: strings.Join(words, " ")}
}

// nop90 spells opcode 0x90: "pause" under f3, "xchg %ax,%ax" under 66,
// "xchg %eax,%r8d" under REX.B, else "nop"; the prefixes not taken by that
// reading are printed by name.
func nop90(b []byte, pc uint64, pre []byte) Inst {
	lastOf := func(c byte) int {
		for i := len(pre) - 1; i >= 0; i-- {
			if pre[i] == c {
				return i
			}
		}
		return -1
	}
	var rex byte
	if n := len(pre); n > 0 && isREX(pre[n-1]) {
		rex = pre[n-1]
	}
	switch {
	case rex&1 != 0:
		// REX.B makes 90 an exchange with r8; x86asm gets that right.
		return decodeX86Inst(b, pc)
	case lastOf(0xf3) >= 0:
		return prefixed(b, pc, pre, 1, "pause", lastOf(0xf3))
	case lastOf(0x66) >= 0 && rex&8 == 0:
		in := prefixed(b, pc, pre, 1, "xchg", lastOf(0x66))
		in.Operands = []string{"%ax", "%ax"}
		return in
	}
	return prefixed(b, pc, pre, 1, "nop", -1)
}

// nopPrefixed spells a long nop behind legacy prefixes (the padding of
// "cs nopw 0x0(%rax,%rax,1)"): every prefix is named except the operand-size
// one that makes it nopw.
func nopPrefixed(b []byte, pc uint64, pre []byte) Inst {
	in := decodeX86Inst(b, pc)
	if in.Op == "(bad)" || in.Op == ".byte" {
		return in
	}
	words := strings.Fields(in.Op)
	mnemonic := words[len(words)-1]
	used := -1
	if mnemonic == "nopw" {
		for i := len(pre) - 1; i >= 0; i-- {
			if pre[i] == 0x66 {
				used = i
				break
			}
		}
	}
	words = words[:0]
	for i, c := range pre {
		if i != used {
			words = append(words, x86PrefixName(c))
		}
	}
	in.Op = strings.Join(append(words, mnemonic), " ")
	return in
}
