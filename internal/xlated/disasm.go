package xlated

import (
	"encoding/binary"
	"strconv"
)

// InsnSize is the size of one instruction slot in bytes.
const InsnSize = 8

// Insn is one eBPF instruction slot (struct bpf_insn).
type Insn struct {
	Code byte
	Dst  uint8
	Src  uint8
	Off  int16
	Imm  int32
}

// Decode reads the slot at the start of b, which must hold at least
// InsnSize bytes. The kernel hands out xlated images in host order; gobpftool
// supports little-endian hosts only, where dst_reg is the low nibble.
func Decode(b []byte) Insn {
	return Insn{
		Code: b[0],
		Dst:  b[1] & 0x0f,
		Src:  b[1] >> 4,
		Off:  int16(binary.LittleEndian.Uint16(b[2:])),
		Imm:  int32(binary.LittleEndian.Uint32(b[4:])),
	}
}

// DecodeAll splits an image into slots; a trailing partial slot is dropped,
// as bpftool's len / sizeof(insn) loop drops it.
func DecodeAll(b []byte) []Insn {
	insns := make([]Insn, len(b)/InsnSize)
	for i := range insns {
		insns[i] = Decode(b[i*InsnSize:])
	}
	return insns
}

// Instruction classes, modes, operations and pseudo source registers, as in
// the UAPI <linux/bpf.h> and <linux/bpf_common.h>.
const (
	classLD    = 0x00
	classLDX   = 0x01
	classST    = 0x02
	classSTX   = 0x03
	classALU   = 0x04
	classJMP   = 0x05
	classJMP32 = 0x06
	classALU64 = 0x07

	sizeDW = 0x18

	modeIMM    = 0x00
	modeABS    = 0x20
	modeIND    = 0x40
	modeMEM    = 0x60
	modeMEMSX  = 0x80
	modeATOMIC = 0xc0
	modeNOSPEC = 0xc0 // on BPF_ST only; not in the UAPI

	srcX = 0x08

	opADD  = 0x00
	opSUB  = 0x10
	opMUL  = 0x20
	opDIV  = 0x30
	opOR   = 0x40
	opAND  = 0x50
	opLSH  = 0x60
	opRSH  = 0x70
	opNEG  = 0x80
	opMOD  = 0x90
	opXOR  = 0xa0
	opMOV  = 0xb0
	opARSH = 0xc0
	opEND  = 0xd0

	opJA    = 0x00
	opCALL  = 0x80
	opEXIT  = 0x90
	opJCOND = 0xe0

	atomicFetch   = 0x01
	atomicXCHG    = 0xe0 | atomicFetch
	atomicCMPXCHG = 0xf0 | atomicFetch
	atomicLoadAcq = 0x100
	atomicStoreRl = 0x110

	// OpLdImm64 is the code of the two-slot 64-bit immediate load.
	OpLdImm64 = classLD | modeIMM | sizeDW

	// PseudoMapFD and the following are src_reg values of ld_imm64 and
	// call that change the meaning of imm.
	PseudoMapFD       = 1
	PseudoMapIdx      = 5
	PseudoMapValue    = 2
	PseudoMapIdxValue = 6
	PseudoBTFID       = 3
	PseudoFunc        = 4
	PseudoCall        = 1
	PseudoKfuncCall   = 2

	addrSpaceCastOff = 1
	percpuAddrOff    = -1
)

func class(code byte) byte { return code & 0x07 }
func op(code byte) byte    { return code & 0xf0 }
func mode(code byte) byte  { return code & 0xe0 }
func size(code byte) byte  { return code & 0x18 }

// IsJump reports whether code is of the JMP or JMP32 class.
func IsJump(code byte) bool {
	c := class(code)
	return c == classJMP || c == classJMP32
}

// IsPseudoCall reports whether ins is a bpf-to-bpf call.
func (ins Insn) IsPseudoCall() bool {
	return ins.Code == classJMP|opCALL && ins.Src == PseudoCall
}

// cNull is what glibc's printf writes for a NULL "%s": disasm.c indexes its
// string tables with any op, and the holes print this way.
const cNull = "(null)"

var aluOps = [16]string{
	opADD >> 4: "+=", opSUB >> 4: "-=", opMUL >> 4: "*=", opDIV >> 4: "/=",
	opOR >> 4: "|=", opAND >> 4: "&=", opLSH >> 4: "<<=", opRSH >> 4: ">>=",
	opNEG >> 4: "neg", opMOD >> 4: "%=", opXOR >> 4: "^=", opMOV >> 4: "=",
	opARSH >> 4: "s>>=", opEND >> 4: "endian",
}

var atomicOps = [16]string{opADD >> 4: "add", opAND >> 4: "and", opOR >> 4: "or", opXOR >> 4: "xor"}

var jmpOps = [16]string{
	0x0: "jmp", 0x1: "==", 0x2: ">", 0x3: ">=", 0x4: "&", 0x5: "!=", 0x6: "s>",
	0x7: "s>=", 0x8: "call", 0x9: "exit", 0xa: "<", 0xb: "<=", 0xc: "s<", 0xd: "s<=",
}

var sizeNames = [4]string{"u32", "u16", "u8", "u64"}

// signedSizeNames has no DW entry: disasm.c reads past its table for
// LDX|MEMSX|DW, which the verifier rejects; we print the glibc NULL text.
var signedSizeNames = [4]string{"s32", "s16", "s8", cNull}

func tableStr(t []string, i int) string {
	if i < 0 || i >= len(t) || t[i] == "" {
		return cNull
	}
	return t[i]
}

// Callbacks stand for disasm.c's bpf_insn_cbs: they let the caller name call
// targets and 64-bit immediates. A nil func, or ok == false, falls back to
// the kernel's own text.
type Callbacks struct {
	// Call names the target of a call that is not a known helper id.
	Call func(ins Insn) (string, bool)
	// Imm renders the value of an ld_imm64; next is its second slot.
	Imm func(ins, next Insn, full uint64) (string, bool)
}

// Format returns the text print_bpf_insn writes for ins, without the
// trailing newline. next is the following slot, read only by ld_imm64 (pass
// a zero Insn when there is none). cb may be nil.
func Format(ins, next Insn, cb *Callbacks, d Dialect) string {
	var b []byte
	b = appendInsn(b, ins, next, cb, d)
	return string(b)
}

func appendCode(b []byte, code byte) []byte {
	const hex = "0123456789abcdef"
	return append(b, '(', hex[code>>4], hex[code&0xf], ')', ' ')
}

func appendReg(b []byte, c byte, r uint8) []byte {
	b = append(b, c)
	return strconv.AppendUint(b, uint64(r), 10)
}

// appendSignedOff writes C's "%+d".
func appendSignedOff(b []byte, v int64) []byte {
	if v >= 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, v, 10)
}

func appendHex(b []byte, v uint64) []byte {
	b = append(b, '0', 'x')
	return strconv.AppendUint(b, v, 16)
}

func appendBug(b []byte, prefix string, code byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, prefix...)
	return append(b, hex[code>>4], hex[code&0xf])
}

func appendInsn(b []byte, ins, next Insn, cb *Callbacks, d Dialect) []byte {
	switch class(ins.Code) {
	case classALU, classALU64:
		return appendALU(b, ins, d)
	case classSTX:
		return appendSTX(b, ins, d)
	case classST:
		switch mode(ins.Code) {
		case modeMEM:
			b = appendCode(b, ins.Code)
			b = appendMem(b, ins.Code, sizeNames, ins.Dst, ins.Off)
			b = append(b, " = "...)
			return strconv.AppendInt(b, int64(ins.Imm), 10)
		case modeNOSPEC:
			return append(appendCode(b, ins.Code), "nospec"...)
		}
		return appendBug(b, "BUG_st_", ins.Code)
	case classLDX:
		names := sizeNames
		switch {
		case mode(ins.Code) == modeMEM:
		case mode(ins.Code) == modeMEMSX && d.has(featLoadSX):
			names = signedSizeNames
		default:
			return appendBug(b, "BUG_ldx_", ins.Code)
		}
		b = appendCode(b, ins.Code)
		b = appendReg(b, 'r', ins.Dst)
		b = append(b, " = "...)
		return appendMem(b, ins.Code, names, ins.Src, ins.Off)
	case classLD:
		return appendLD(b, ins, next, cb)
	default: // JMP, JMP32
		return appendJump(b, ins, cb, d)
	}
}

// appendMem writes "*(u32 *)(r1 +8)".
func appendMem(b []byte, code byte, names [4]string, reg uint8, off int16) []byte {
	b = append(b, "*("...)
	b = append(b, names[size(code)>>3]...)
	b = append(b, " *)("...)
	b = appendReg(b, 'r', reg)
	b = append(b, ' ')
	b = appendSignedOff(b, int64(off))
	return append(b, ')')
}

func appendALU(b []byte, ins Insn, d Dialect) []byte {
	rc := byte('w')
	if class(ins.Code) == classALU64 {
		rc = 'r'
	}
	o := op(ins.Code)
	switch {
	case o == opEND:
		if class(ins.Code) == classALU64 {
			if !d.has(featBswap) {
				return appendBug(b, "BUG_alu64_", ins.Code)
			}
			b = appendCode(b, ins.Code)
			b = appendReg(b, 'r', ins.Dst)
			b = append(b, " = bswap"...)
			b = strconv.AppendInt(b, int64(ins.Imm), 10)
			b = append(b, ' ')
			return appendReg(b, 'r', ins.Dst)
		}
		b = appendCode(b, ins.Code)
		b = appendReg(b, 'r', ins.Dst)
		if ins.Code&srcX != 0 {
			b = append(b, " = be"...)
		} else {
			b = append(b, " = le"...)
		}
		b = strconv.AppendInt(b, int64(ins.Imm), 10)
		b = append(b, ' ')
		return appendReg(b, 'r', ins.Dst)
	case o == opNEG:
		b = appendCode(b, ins.Code)
		b = appendReg(b, rc, ins.Dst)
		b = append(b, " = -"...)
		return appendReg(b, rc, ins.Dst)
	case ins.Code == classALU64|opMOV|srcX && ins.Off == addrSpaceCastOff && d.has(featAddrSpaceCast):
		b = appendCode(b, ins.Code)
		b = appendReg(b, 'r', ins.Dst)
		b = append(b, " = addr_space_cast("...)
		b = appendReg(b, 'r', ins.Src)
		b = append(b, ", "...)
		b = strconv.AppendUint(b, uint64(uint32(ins.Imm)>>16), 10)
		b = append(b, ", "...)
		b = strconv.AppendUint(b, uint64(uint16(ins.Imm)), 10)
		return append(b, ')')
	case ins.Code == classALU64|opMOV|srcX && ins.Off == percpuAddrOff && d.has(featPercpuMov):
		b = appendCode(b, ins.Code)
		b = appendReg(b, 'r', ins.Dst)
		b = append(b, " = &(void __percpu *)("...)
		b = appendReg(b, 'r', ins.Src)
		return append(b, ')')
	}
	opText := aluText(o, ins.Off, d)
	b = appendCode(b, ins.Code)
	b = appendReg(b, rc, ins.Dst)
	b = append(b, ' ')
	b = append(b, opText...)
	b = append(b, ' ')
	if ins.Code&srcX != 0 {
		if o == opMOV && d.has(featMovsx) {
			switch ins.Off {
			case 8:
				b = append(b, "(s8)"...)
			case 16:
				b = append(b, "(s16)"...)
			case 32:
				b = append(b, "(s32)"...)
			}
		}
		return appendReg(b, rc, ins.Src)
	}
	return strconv.AppendInt(b, int64(ins.Imm), 10)
}

func aluText(o byte, off int16, d Dialect) string {
	if (o == opDIV || o == opMOD) && off == 1 && d.has(featSignedDivMod) {
		return "s" + aluOps[o>>4]
	}
	return tableStr(aluOps[:], int(o>>4))
}

func appendSTX(b []byte, ins Insn, d Dialect) []byte {
	sz := sizeNames[size(ins.Code)>>3]
	bits := ""
	if size(ins.Code) == sizeDW {
		bits = "64"
	}
	if mode(ins.Code) == modeMEM {
		b = appendCode(b, ins.Code)
		b = appendMem(b, ins.Code, sizeNames, ins.Dst, ins.Off)
		b = append(b, " = "...)
		return appendReg(b, 'r', ins.Src)
	}
	if mode(ins.Code) != modeATOMIC {
		return appendBug(b, "BUG_", ins.Code)
	}
	// ptr writes "(u64 *)(r1 +8)"
	ptr := func(b []byte, reg uint8) []byte {
		b = append(b, '(')
		b = append(b, sz...)
		b = append(b, " *)("...)
		b = appendReg(b, 'r', reg)
		b = append(b, ' ')
		b = appendSignedOff(b, int64(ins.Off))
		return append(b, ')')
	}
	switch imm := ins.Imm; {
	case imm == opADD || imm == opAND || imm == opOR || imm == opXOR:
		b = appendCode(b, ins.Code)
		b = append(b, "lock *"...)
		b = ptr(b, ins.Dst)
		b = append(b, ' ')
		b = append(b, aluOps[imm>>4]...)
		b = append(b, ' ')
		return appendReg(b, 'r', ins.Src)
	case imm == opADD|atomicFetch || imm == opAND|atomicFetch ||
		imm == opOR|atomicFetch || imm == opXOR|atomicFetch:
		b = appendCode(b, ins.Code)
		b = appendReg(b, 'r', ins.Src)
		b = append(b, " = atomic"...)
		b = append(b, bits...)
		b = append(b, "_fetch_"...)
		b = append(b, atomicOps[(imm&0xf0)>>4]...)
		b = append(b, '(')
		b = ptr(b, ins.Dst)
		b = append(b, ", "...)
		b = appendReg(b, 'r', ins.Src)
		return append(b, ')')
	case imm == atomicCMPXCHG:
		b = appendCode(b, ins.Code)
		b = append(b, "r0 = atomic"...)
		b = append(b, bits...)
		b = append(b, "_cmpxchg("...)
		b = ptr(b, ins.Dst)
		b = append(b, ", r0, "...)
		b = appendReg(b, 'r', ins.Src)
		return append(b, ')')
	case imm == atomicXCHG:
		b = appendCode(b, ins.Code)
		b = appendReg(b, 'r', ins.Src)
		b = append(b, " = atomic"...)
		b = append(b, bits...)
		b = append(b, "_xchg("...)
		b = ptr(b, ins.Dst)
		b = append(b, ", "...)
		b = appendReg(b, 'r', ins.Src)
		return append(b, ')')
	case imm == atomicLoadAcq && d.has(featLoadAcqStoreRel):
		b = appendCode(b, ins.Code)
		b = appendReg(b, 'r', ins.Dst)
		b = append(b, " = load_acquire("...)
		b = ptr(b, ins.Src)
		return append(b, ')')
	case imm == atomicStoreRl && d.has(featLoadAcqStoreRel):
		b = appendCode(b, ins.Code)
		b = append(b, "store_release("...)
		b = ptr(b, ins.Dst)
		b = append(b, ", "...)
		b = appendReg(b, 'r', ins.Src)
		return append(b, ')')
	}
	return appendBug(b, "BUG_", ins.Code)
}

func appendLD(b []byte, ins, next Insn, cb *Callbacks) []byte {
	switch {
	case mode(ins.Code) == modeABS:
		b = appendCode(b, ins.Code)
		b = append(b, "r0 = *("...)
		b = append(b, sizeNames[size(ins.Code)>>3]...)
		b = append(b, " *)skb["...)
		b = strconv.AppendInt(b, int64(ins.Imm), 10)
		return append(b, ']')
	case mode(ins.Code) == modeIND:
		b = appendCode(b, ins.Code)
		b = append(b, "r0 = *("...)
		b = append(b, sizeNames[size(ins.Code)>>3]...)
		b = append(b, " *)skb["...)
		b = appendReg(b, 'r', ins.Src)
		b = append(b, " + "...)
		b = strconv.AppendInt(b, int64(ins.Imm), 10)
		return append(b, ']')
	case ins.Code == OpLdImm64:
		// bpftool passes allow_ptr_leaks = true, so map pointers are
		// never zeroed here.
		full := uint64(uint32(next.Imm))<<32 | uint64(uint32(ins.Imm))
		b = appendCode(b, ins.Code)
		b = appendReg(b, 'r', ins.Dst)
		b = append(b, " = "...)
		if cb != nil && cb.Imm != nil {
			if s, ok := cb.Imm(ins, next, full); ok {
				return append(b, s...)
			}
		}
		return appendHex(b, full)
	}
	return appendBug(b, "BUG_ld_", ins.Code)
}

// callName follows __func_get_name: known helper ids by name, then the
// callback, then the kernel's fallbacks.
func callName(ins Insn, cb *Callbacks) string {
	if ins.Src == 0 {
		if name := HelperName(ins.Imm); name != "" {
			return name
		}
	}
	if cb != nil && cb.Call != nil {
		if s, ok := cb.Call(ins); ok {
			return s
		}
	}
	switch ins.Src {
	case PseudoCall:
		return string(appendSignedOff(nil, int64(ins.Imm)))
	case PseudoKfuncCall:
		return "kernel-function"
	}
	return "unknown"
}

func appendJump(b []byte, ins Insn, cb *Callbacks, d Dialect) []byte {
	rc := byte('r')
	if class(ins.Code) == classJMP32 {
		rc = 'w'
	}
	o := op(ins.Code)
	b = appendCode(b, ins.Code)
	switch {
	case o == opCALL:
		if ins.Src == PseudoCall {
			b = append(b, "call pc"...)
			return append(b, callName(ins, cb)...)
		}
		b = append(b, "call "...)
		b = append(b, callName(ins, cb)...)
		b = append(b, '#')
		return strconv.AppendInt(b, int64(ins.Imm), 10)
	case ins.Code == classJMP|opJA:
		b = append(b, "goto pc"...)
		return appendSignedOff(b, int64(ins.Off))
	case ins.Code == classJMP|opJA|srcX && d.has(featGotox):
		b = append(b, "gotox "...)
		return appendReg(b, 'r', ins.Dst)
	case ins.Code == classJMP|opJCOND && ins.Src == 0 && d.has(featMayGoto):
		b = append(b, "may_goto pc"...)
		return appendSignedOff(b, int64(ins.Off))
	case ins.Code == classJMP32|opJA && d.has(featGotol):
		b = append(b, "gotol pc"...)
		return appendSignedOff(b, int64(ins.Imm))
	case ins.Code == classJMP|opEXIT:
		return append(b, "exit"...)
	}
	b = append(b, "if "...)
	b = appendReg(b, rc, ins.Dst)
	b = append(b, ' ')
	b = append(b, tableStr(jmpOps[:], int(o>>4))...)
	b = append(b, ' ')
	if ins.Code&srcX != 0 {
		b = appendReg(b, rc, ins.Src)
	} else {
		b = appendHex(b, uint64(uint32(ins.Imm)))
	}
	b = append(b, " goto pc"...)
	return appendSignedOff(b, int64(ins.Off))
}
