package jited

import "fmt"

// decodeARM64Extra decodes what arm64asm does not: the ARMv8.1 LSE atomics
// the JIT emits for BPF_ATOMIC when the CPU has them, and udf.
func decodeARM64Extra(w uint32) (string, []string, bool) {
	switch {
	case w&0xffff0000 == 0:
		return "udf", []string{fmt.Sprintf("#%d", w&0xffff)}, true
	case w&0x3f200c00 == 0x38200000:
		return lseAtomic(w)
	case w&0x3fa07c00 == 0x08a07c00:
		return lseCAS(w)
	}
	return "", nil, false
}

var lseOps = [...]string{"add", "clr", "eor", "set", "smax", "smin", "umax", "umin"}

// lseAtomic decodes LDADD and its kin, SWP, and the ST* aliases binutils
// prints when the loaded value goes to the zero register.
func lseAtomic(w uint32) (string, []string, bool) {
	size := w >> 30
	acquire, release := w>>23&1 != 0, w>>22&1 != 0
	rs, rn, rt := w>>16&31, w>>5&31, w&31
	o3, opc := w>>15&1, w>>12&7
	var base string
	switch {
	case o3 == 0:
		base = "ld" + lseOps[opc]
	case opc == 0:
		base = "swp"
	default:
		return "", nil, false
	}
	store := o3 == 0 && rt == 31 && !acquire
	if store {
		base = "st" + lseOps[opc]
	}
	if acquire {
		base += "a"
	}
	if release {
		base += "l"
	}
	base += sizeSuffix(size)
	x := size == 3
	mem := "[" + xOrSP(rn) + "]"
	if store {
		return base, []string{genReg(rs, x), mem}, true
	}
	return base, []string{genReg(rs, x), genReg(rt, x), mem}, true
}

// lseCAS decodes CAS, CASA, CASL, CASAL and their byte and halfword forms.
func lseCAS(w uint32) (string, []string, bool) {
	size := w >> 30
	base := "cas"
	if w>>22&1 != 0 {
		base += "a"
	}
	if w>>15&1 != 0 {
		base += "l"
	}
	base += sizeSuffix(size)
	x := size == 3
	return base, []string{genReg(w>>16&31, x), genReg(w&31, x), "[" + xOrSP(w>>5&31) + "]"}, true
}

func sizeSuffix(size uint32) string {
	switch size {
	case 0:
		return "b"
	case 1:
		return "h"
	}
	return ""
}

// genReg names a general register where 31 means the zero register.
func genReg(r uint32, x bool) string {
	switch {
	case r == 31 && x:
		return "xzr"
	case r == 31:
		return "wzr"
	case x:
		return fmt.Sprintf("x%d", r)
	}
	return fmt.Sprintf("w%d", r)
}

// xOrSP names a base register where 31 means the stack pointer.
func xOrSP(r uint32) string {
	if r == 31 {
		return "sp"
	}
	return fmt.Sprintf("x%d", r)
}
