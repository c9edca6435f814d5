package jited

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/arch/arm64/arm64asm"
)

// decodeARM64 decodes the 4-byte instruction at the start of b. arm64asm
// prints Go's older idea of GNU syntax; operands are re-spelled here the way
// binutils 2.40 prints them, and the instructions arm64asm lacks but the
// JIT emits (LSE atomics, udf) are decoded by hand.
func decodeARM64(b []byte, pc uint64) Inst {
	if len(b) < 4 {
		// objdump cannot read a whole word and reports a memory error in
		// place of the instruction; JIT images never end this way.
		msg := fmt.Sprintf("Address 0x%x is out of bounds.", pc)
		return Inst{PC: pc, Bytes: b, Op: msg, Text: msg}
	}
	word := binary.LittleEndian.Uint32(b)
	in := Inst{PC: pc, Bytes: b[:4]}
	comment := ""
	if op, operands, ok := decodeARM64Extra(word); ok {
		in.Op, in.Operands = op, operands
	} else if inst, err := arm64asm.Decode(b[:4]); err == nil {
		in.Op, in.Operands, comment = arm64Form(inst, pc)
	} else {
		in.Op = ".inst"
		in.Operands = []string{fmt.Sprintf("0x%08x", word)}
		comment = " ; undefined"
	}
	in.Text = textARM64(in.Op, in.Operands, comment)
	return in
}

// arm64Hints names the HINT space encodings objdump knows by name.
var arm64Hints = map[uint8]string{
	0x00: "nop", 0x01: "yield", 0x02: "wfe", 0x03: "wfi", 0x04: "sev", 0x05: "sevl",
	0x07: "xpaclri", 0x08: "pacia1716", 0x0a: "pacib1716", 0x0c: "autia1716",
	0x0e: "autib1716", 0x10: "esb", 0x11: "psb csync", 0x12: "tsb csync", 0x14: "csdb",
	0x18: "paciaz", 0x19: "paciasp", 0x1a: "pacibz", 0x1b: "pacibsp", 0x1c: "autiaz",
	0x1d: "autiasp", 0x1e: "autibz", 0x1f: "autibsp", 0x20: "bti", 0x22: "bti\tc",
	0x24: "bti\tj", 0x26: "bti\tjc",
}

// arm64SysRegs names the system registers kernel code reads (current task,
// per-cpu offset, counters) that arm64asm prints in generic form.
var arm64SysRegs = map[string]string{
	"s3_0_c4_c1_0":   "sp_el0",
	"s3_0_c13_c0_4":  "tpidr_el1",
	"s3_4_c13_c0_2":  "tpidr_el2",
	"s3_3_c13_c0_2":  "tpidr_el0",
	"s3_3_c13_c0_3":  "tpidrro_el0",
	"s3_3_c14_c0_2":  "cntvct_el0",
	"s3_3_c14_c0_1":  "cntpct_el0",
	"s3_3_c14_c0_0":  "cntfrq_el0",
	"s3_0_c0_c0_0":   "midr_el1",
	"s3_3_c4_c2_0":   "nzcv",
	"s3_3_c4_c4_0":   "fpcr",
	"s3_3_c4_c4_1":   "fpsr",
	"s3_3_c4_c2_5":   "dit",
	"s3_0_c13_c0_1":  "contextidr_el1",
	"s3_0_c1_c0_0":   "sctlr_el1",
	"s3_0_c0_c0_5":   "mpidr_el1",
	"s3_3_c4_c2_1":   "daif",
	"s3_0_c4_c2_2":   "currentel",
	"s3_0_c12_c0_0":  "vbar_el1",
	"s3_3_c13_c0_7":  "tpidr2_el0",
	"s3_0_c4_c2_3":   "pan",
	"s3_3_c4_c2_6":   "ssbs",
	"s3_3_c4_c2_7":   "tco",
	"s3_3_c14_c0_6":  "cntvctss_el0",
	"s3_3_c14_c0_5":  "cntpctss_el0",
	"s3_0_c2_c1_0":   "apiakeylo_el1",
	"s3_0_c10_c2_0":  "mair_el1",
	"s3_0_c2_c0_0":   "ttbr0_el1",
	"s3_0_c2_c0_1":   "ttbr1_el1",
	"s3_0_c2_c0_2":   "tcr_el1",
	"s3_0_c4_c0_1":   "elr_el1",
	"s3_0_c4_c0_0":   "spsr_el1",
	"s3_0_c5_c2_0":   "esr_el1",
	"s3_0_c6_c0_0":   "far_el1",
	"s3_0_c13_c0_7":  "scxtnum_el1",
	"s3_3_c13_c0_5":  "scxtnum_el0",
	"s3_0_c0_c0_6":   "revidr_el1",
	"s3_1_c0_c0_1":   "clidr_el1",
	"s3_3_c0_c0_1":   "ctr_el0",
	"s3_3_c0_c0_7":   "dczid_el0",
	"s3_0_c14_c1_0":  "cntkctl_el1",
	"s3_4_c14_c0_3":  "cntvoff_el2",
	"s3_0_c12_c1_0":  "isr_el1",
	"s3_0_c4_c6_0":   "icc_pmr_el1",
	"s3_0_c12_c12_0": "icc_iar1_el1",
}

// arm64CondAliases lists the other names binutils gives each condition; it
// prints them as a comment.
var arm64CondAliases = map[string][]string{
	"eq": {"none"}, "ne": {"any"}, "cs": {"hs", "nlast"}, "cc": {"lo", "ul", "last"},
	"mi": {"first"}, "pl": {"nfrst"}, "hi": {"pmore"}, "ls": {"plast"},
	"ge": {"tcont"}, "lt": {"tstop"},
}

// arm64Form spells one decoded instruction: mnemonic, operands and the
// comment objdump appends.
func arm64Form(inst arm64asm.Inst, pc uint64) (string, []string, string) {
	op := strings.ToLower(inst.Op.String())
	var args []arm64asm.Arg
	for _, a := range inst.Args {
		if a == nil {
			break
		}
		args = append(args, a)
	}
	if inst.Op == arm64asm.HINT && len(args) == 1 {
		if h, ok := args[0].(arm64asm.Imm_hint); ok {
			if name, ok := arm64Hints[uint8(h)]; ok {
				op, rest, _ := strings.Cut(name, "\t")
				if rest != "" {
					return op, []string{rest}, ""
				}
				return op, nil, ""
			}
		}
	}
	if inst.Op == arm64asm.RET {
		if r, ok := args[0].(arm64asm.Reg); ok && r == arm64asm.X30 {
			return "ret", nil, ""
		}
	}
	comment := ""
	if inst.Op == arm64asm.B && len(args) == 2 {
		if c, ok := args[0].(arm64asm.Cond); ok {
			cond := condName(c)
			op = "b." + cond
			args = args[1:]
			if al := arm64CondAliases[cond]; al != nil {
				comment = "  // b." + strings.Join(al, ", b.")
			}
		}
	}
	var operands []string
	for _, a := range args {
		switch a := a.(type) {
		case arm64asm.PCRel:
			base := pc
			if inst.Op == arm64asm.ADRP {
				base &^= 0xfff
			}
			operands = append(operands, fmt.Sprintf("0x%x", base+uint64(int64(a))))
		case arm64asm.Cond:
			cond := condName(a)
			operands = append(operands, cond)
			if al := arm64CondAliases[cond]; al != nil {
				comment = "\t// " + cond + " = " + strings.Join(al, ", ")
			}
		case arm64asm.Systemreg:
			s := strings.ToLower(a.String())
			if name, ok := arm64SysRegs[s]; ok {
				s = name
			}
			operands = append(operands, s)
		default:
			s := strings.ToLower(a.String())
			if s == "" || (inst.Op == arm64asm.ISB && s == "sy") {
				// Defaults binutils leaves out.
				continue
			}
			if inst.Op == arm64asm.SYSL && len(s) > 1 && s[0] == 'c' {
				// Control registers keep their capital in binutils.
				s = "C" + s[1:]
			}
			if strings.HasPrefix(s, "[") {
				s = strings.ReplaceAll(strings.ReplaceAll(s, ", ", ","), ",", ", ")
			}
			operands = append(operands, s)
		}
	}
	if (op == "fcmp" || op == "fcmpe") && len(operands) == 2 && operands[1] == "#0" {
		operands[1] = "#0.0"
	}
	if op == "mov" && len(operands) == 2 && strings.HasPrefix(operands[1], "#") {
		operands[1], comment = arm64MovImm(operands[0], operands[1])
	}
	return op, operands, comment
}

// arm64MovImm prints the immediate of a mov alias the way binutils does: hex
// left-aligned in a 20-digit field, its signed decimal value as a comment.
func arm64MovImm(reg, imm string) (string, string) {
	v, err := strconv.ParseUint(strings.TrimPrefix(imm, "#"), 0, 64)
	if err != nil {
		return imm, ""
	}
	if strings.HasPrefix(reg, "w") {
		return fmt.Sprintf("#0x%-20x", uint32(v)), fmt.Sprintf("\t// #%d", int32(v))
	}
	return fmt.Sprintf("#0x%-20x", v), fmt.Sprintf("\t// #%d", int64(v))
}

// textARM64 lays out an instruction as objdump's aarch64 printer does: a tab
// after the mnemonic, ", " between operands, then any comment.
func textARM64(op string, operands []string, comment string) string {
	if len(operands) == 0 {
		return op + comment
	}
	return op + "\t" + strings.Join(operands, ", ") + comment
}

// condName spells a condition; arm64asm calls the encoding 0b1111 "al" like
// 0b1110, binutils calls it "nv".
func condName(c arm64asm.Cond) string {
	if c.Value == 15 && !c.Invert {
		return "nv"
	}
	return strings.ToLower(c.String())
}
