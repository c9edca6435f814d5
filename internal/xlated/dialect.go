package xlated

// Dialect selects which copy of the kernel's disasm.c the text follows.
//
// bpftool 7.1 (the oracle) carries the disasm.c of Linux 6.1, which predates
// the v4 instruction set and several verifier-internal forms: it prints them
// as their older look-alikes (a movsx as a plain mov, sdiv as "/=") or as
// BUG_ lines. The current kernel's disasm.c names them. We print the current
// text by default; DialectLinux61 reproduces the oracle byte for byte and is
// what the golden tests compare with.
//
// Every place where the two differ asks Dialect.has below, so this file is
// the whole list of differences.
type Dialect uint8

const (
	// DialectCurrent is the newest kernel's disasm.c (the default).
	DialectCurrent Dialect = iota
	// DialectLinux61 is the disasm.c compiled into bpftool 7.1.
	DialectLinux61
)

// DefaultDialect is the text gobpftool prints.
const DefaultDialect = DialectCurrent

type feature uint8

const (
	// ALU64|END: "r1 = bswap16 r1"; 6.1 prints "BUG_alu64_d7".
	featBswap feature = iota
	// off=1 on div/mod: "s/=", "s%="; 6.1 prints "/=", "%=".
	featSignedDivMod
	// off=8/16/32 on mov X: "r1 = (s8)r2"; 6.1 prints "r1 = r2".
	featMovsx
	// LDX|MEMSX: "r1 = *(s8 *)(r2 +0)"; 6.1 prints "BUG_ldx_91".
	featLoadSX
	// atomic load_acquire/store_release; 6.1 prints "BUG_db".
	featLoadAcqStoreRel
	// JMP32|JA: "gotol pc+N"; 6.1 treats it as a conditional jump
	// ("if w0 jmp 0x..." with off).
	featGotol
	// JMP|JCOND src=0: "may_goto pc+N"; 6.1 prints "if r0 (null) ...".
	featMayGoto
	// JMP|JA|X: "gotox rN"; 6.1 prints "if r0 jmp rN goto pc+0".
	featGotox
	// ALU64|MOV|X off=1: "r1 = addr_space_cast(r2, a, b)".
	featAddrSpaceCast
	// ALU64|MOV|X off=-1: "r1 = &(void __percpu *)(r2)".
	featPercpuMov
)

func (d Dialect) has(feature) bool { return d != DialectLinux61 }

// String names the dialect.
func (d Dialect) String() string {
	if d == DialectLinux61 {
		return "linux-6.1"
	}
	return "current"
}
