package xlated

import (
	"testing"
)

func ins(code byte, dst, src uint8, off int16, imm int32) Insn {
	return Insn{Code: code, Dst: dst, Src: src, Off: off, Imm: imm}
}

// TestFormatTable covers forms the oracle cannot show (the kernel never
// returns them in an xlated image, or bpftool 7.1 predates them). The
// expected text is written from the format strings of the current
// kernel's disasm.c (cur) and of Linux 6.1's (old).
func TestFormatTable(t *testing.T) {
	tests := []struct {
		name     string
		ins      Insn
		next     Insn
		cur, old string
	}{
		{"ld_abs b", ins(0x30, 0, 0, 0, 12), Insn{}, "(30) r0 = *(u8 *)skb[12]", ""},
		{"ld_abs h", ins(0x28, 0, 0, 0, -2), Insn{}, "(28) r0 = *(u16 *)skb[-2]", ""},
		{"ld_abs w", ins(0x20, 0, 0, 0, 14), Insn{}, "(20) r0 = *(u32 *)skb[14]", ""},
		{"ld_abs dw", ins(0x38, 0, 0, 0, 0), Insn{}, "(38) r0 = *(u64 *)skb[0]", ""},
		{"ld_ind", ins(0x50, 0, 7, 0, 12), Insn{}, "(50) r0 = *(u8 *)skb[r7 + 12]", ""},
		{"ld_ind w", ins(0x40, 0, 3, 0, -4), Insn{}, "(40) r0 = *(u32 *)skb[r3 + -4]", ""},
		{"ld bad mode", ins(0x60, 0, 0, 0, 0), Insn{}, "BUG_ld_60", ""},
		{"ld imm w", ins(0x00, 0, 0, 0, 0), Insn{}, "BUG_ld_00", ""},
		{"nospec", ins(0xc2, 0, 0, 0, 0), Insn{}, "(c2) nospec", ""},
		{"st bad", ins(0x22, 1, 0, 0, 0), Insn{}, "BUG_st_22", ""},
		{"stx bad", ins(0x23, 1, 0, 0, 0), Insn{}, "BUG_23", ""},
		{"ldx bad", ins(0x21, 1, 0, 0, 0), Insn{}, "BUG_ldx_21", ""},
		{"ldsx dw", ins(0x99, 1, 2, 0, 0), Insn{}, "(99) r1 = *((null) *)(r2 +0)", "BUG_ldx_99"},
		{"ldsx b", ins(0x91, 1, 2, -3, 0), Insn{}, "(91) r1 = *(s8 *)(r2 -3)", "BUG_ldx_91"},
		{"atomic bad imm", ins(0xdb, 1, 2, 0, 0x20), Insn{}, "BUG_db", ""},
		{"atomic fetch bad", ins(0xdb, 1, 2, 0, 0x21), Insn{}, "BUG_db", ""},
		{"atomic w and", ins(0xc3, 1, 2, 4, 0x50), Insn{}, "(c3) lock *(u32 *)(r1 +4) &= r2", ""},
		{"atomic w fetch xor", ins(0xc3, 1, 2, 4, 0xa1), Insn{}, "(c3) r2 = atomic_fetch_xor((u32 *)(r1 +4), r2)", ""},
		{"load_acquire", ins(0xdb, 1, 2, 8, 0x100), Insn{}, "(db) r1 = load_acquire((u64 *)(r2 +8))", "BUG_db"},
		{"store_release b", ins(0xd3, 1, 2, -1, 0x110), Insn{}, "(d3) store_release((u8 *)(r1 -1), r2)", "BUG_d3"},
		{"atomic b add", ins(0xd3, 1, 2, 0, 0x00), Insn{}, "(d3) lock *(u8 *)(r1 +0) += r2", ""},
		{"bswap16", ins(0xd7, 3, 0, 0, 16), Insn{}, "(d7) r3 = bswap16 r3", "BUG_alu64_d7"},
		{"le imm odd", ins(0xd4, 3, 0, 0, 7), Insn{}, "(d4) r3 = le7 r3", ""},
		{"neg64", ins(0x87, 4, 0, 0, 0), Insn{}, "(87) r4 = -r4", ""},
		{"alu e0", ins(0xe7, 1, 0, 0, 3), Insn{}, "(e7) r1 (null) 3", ""},
		{"alu f0 reg", ins(0xfc, 1, 2, 0, 0), Insn{}, "(fc) w1 (null) w2", ""},
		{"sdiv32 imm", ins(0x34, 1, 0, 1, -3), Insn{}, "(34) w1 s/= -3", "(34) w1 /= -3"},
		{"smod64 reg", ins(0x9f, 1, 2, 1, 0), Insn{}, "(9f) r1 s%= r2", "(9f) r1 %= r2"},
		{"div off 2", ins(0x3f, 1, 2, 2, 0), Insn{}, "(3f) r1 /= r2", ""},
		{"movsx32", ins(0xbf, 1, 2, 32, 0), Insn{}, "(bf) r1 = (s32)r2", "(bf) r1 = r2"},
		{"movsx w16", ins(0xbc, 1, 2, 16, 0), Insn{}, "(bc) w1 = (s16)w2", "(bc) w1 = w2"},
		{"mov off 4", ins(0xbf, 1, 2, 4, 0), Insn{}, "(bf) r1 = r2", ""},
		{"mov imm off 8", ins(0xb7, 1, 0, 8, 5), Insn{}, "(b7) r1 = 5", ""},
		{"addr_space_cast", ins(0xbf, 1, 2, 1, 0x10000), Insn{}, "(bf) r1 = addr_space_cast(r2, 1, 0)", "(bf) r1 = r2"},
		{"addr_space_cast 0 1", ins(0xbf, 1, 2, 1, 1), Insn{}, "(bf) r1 = addr_space_cast(r2, 0, 1)", "(bf) r1 = r2"},
		{"percpu", ins(0xbf, 0, 0, -1, 0), Insn{}, "(bf) r0 = &(void __percpu *)(r0)", "(bf) r0 = r0"},
		{"gotol back", ins(0x06, 0, 0, 0, -70000), Insn{}, "(06) gotol pc-70000", "(06) if w0 jmp 0xfffeee90 goto pc+0"},
		{"gotox", ins(0x0d, 3, 0, 0, 0), Insn{}, "(0d) gotox r3", "(0d) if r3 jmp r0 goto pc+0"},
		{"may_goto", ins(0xe5, 0, 0, 5, 0), Insn{}, "(e5) may_goto pc+5", "(e5) if r0 (null) 0x0 goto pc+5"},
		{"jcond other src", ins(0xe5, 0, 1, 5, 0), Insn{}, "(e5) if r0 (null) 0x0 goto pc+5", ""},
		{"jmp f0", ins(0xf5, 1, 0, -1, 1), Insn{}, "(f5) if r1 (null) 0x1 goto pc-1", ""},
		{"jmp32 exit", ins(0x96, 0, 0, 0, 0), Insn{}, "(96) if w0 exit 0x0 goto pc+0", ""},
		{"jmp32 call helper", ins(0x86, 0, 0, 0, 1), Insn{}, "(86) call bpf_map_lookup_elem#1", ""},
		{"ja x old", ins(0x0d, 0, 0, 3, 0), Insn{}, "(0d) gotox r0", "(0d) if r0 jmp r0 goto pc+3"},
		{"jeq imm neg", ins(0x15, 1, 0, -2, -1), Insn{}, "(15) if r1 == 0xffffffff goto pc-2", ""},
		{"helper 0", ins(0x85, 0, 0, 0, 0), Insn{}, "(85) call bpf_unspec#0", ""},
		{"helper last", ins(0x85, 0, 0, 0, 211), Insn{}, "(85) call bpf_cgrp_storage_delete#211", ""},
		{"helper unknown", ins(0x85, 0, 0, 0, 212), Insn{}, "(85) call unknown#212", ""},
		{"helper with src 3", ins(0x85, 0, 3, 0, 1), Insn{}, "(85) call unknown#1", ""},
		{"pseudo call", ins(0x85, 0, 1, 0, 4), Insn{}, "(85) call pc+4", ""},
		{"kfunc", ins(0x85, 0, 2, 0, 77), Insn{}, "(85) call kernel-function#77", ""},
		{"ld_imm64", ins(0x18, 2, 0, 0, -1), ins(0, 0, 0, 0, 0), "(18) r2 = 0xffffffff", ""},
		{"ld_imm64 map fd", ins(0x18, 2, 1, 0, 5), ins(0, 0, 0, 0, 0), "(18) r2 = 0x5", ""},
		{"ld_imm64 no callback", ins(0x18, 2, 4, 0, 1), ins(0, 0, 0, 0, 2), "(18) r2 = 0x200000001", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Format(tc.ins, tc.next, nil, DialectCurrent); got != tc.cur {
				t.Errorf("current: got %q, want %q", got, tc.cur)
			}
			old := tc.old
			if old == "" {
				old = tc.cur
			}
			if got := Format(tc.ins, tc.next, nil, DialectLinux61); got != old {
				t.Errorf("6.1: got %q, want %q", got, old)
			}
		})
	}
}

type fakeSyms map[uint64]string

func (f fakeSyms) Lookup(a uint64) (string, bool) { s, ok := f[a]; return s, ok }
func (f fakeSyms) CallBase() uint64               { return 0x1000 }

// TestFormatterCallbacks checks print_call and print_imm of xlated_dumper.c.
func TestFormatterCallbacks(t *testing.T) {
	syms := fakeSyms{0x1000 + 0x2000: "bpf_map_lookup_elem", 0xa000: "bpf_prog_0123_sub", 0x1000 - 16: "neg_sym"}
	jited := NewFormatter([]uint64{0x9000, 0xa000, 0xb000}, syms, DialectCurrent)
	interp := NewFormatter(nil, syms, DialectCurrent)
	nosyms := NewFormatter([]uint64{0x9000}, nil, DialectCurrent)
	tests := []struct {
		f     *Formatter
		insns []Insn
		want  string
	}{
		{jited, []Insn{ins(0x85, 0, 0, 0, 0x2000)}, "(85) call bpf_map_lookup_elem#8192"},
		{jited, []Insn{ins(0x85, 0, 0, 0, -16)}, "(85) call neg_sym#-16"},
		{jited, []Insn{ins(0x85, 0, 0, 0, 0x3000)}, "(85) call 0x4000#12288"},
		{jited, []Insn{ins(0x85, 0, 2, 0, 0x2000)}, "(85) call bpf_map_lookup_elem#8192"},
		{jited, []Insn{ins(0x85, 0, 2, 0, 0x20)}, "(85) call 0x1020#32"},
		{jited, []Insn{ins(0x85, 0, 0, 0, 5)}, "(85) call bpf_ktime_get_ns#5"},
		{jited, []Insn{ins(0x85, 0, 1, 7, 1)}, "(85) call pc+7#bpf_prog_0123_sub"},
		{jited, []Insn{ins(0x85, 0, 1, -7, 2)}, "(85) call pc-7#0xb000"},
		// imm beyond jited_ksyms falls back to __bpf_call_base + imm.
		{jited, []Insn{ins(0x85, 0, 1, 3, 0x2000)}, "(85) call pc+3#bpf_map_lookup_elem"},
		{interp, []Insn{ins(0x85, 0, 1, 7, 1)}, "(85) call pc+7"},
		{nosyms, []Insn{ins(0x85, 0, 0, 0, -1)}, "(85) call 0xffffffffffffffff#-1"},
		{nosyms, []Insn{ins(0x85, 0, 1, 2, 0)}, "(85) call pc+2#0x9000"},
		{jited, []Insn{ins(0x18, 1, 1, 0, 26), ins(0, 0, 0, 0, 0)}, "(18) r1 = map[id:26]"},
		{jited, []Insn{ins(0x18, 1, 2, 0, 28), ins(0, 0, 0, 0, 16)}, "(18) r1 = map[id:28][0]+16"},
		{jited, []Insn{ins(0x18, 1, 6, 0, 3), ins(0, 0, 0, 0, 8)}, "(18) r1 = map[idx:3]+8"},
		{jited, []Insn{ins(0x18, 1, 5, 0, 3), ins(0, 0, 0, 0, 8)}, "(18) r1 = 0x800000003"},
		{jited, []Insn{ins(0x18, 1, 4, 0, -2), ins(0, 0, 0, 0, 8)}, "(18) r1 = subprog[-2]"},
		{jited, []Insn{ins(0x18, 1, 1, 0, -1), ins(0, 0, 0, 0, 0)}, "(18) r1 = map[id:4294967295]"},
		// A truncated ld_imm64 reads a zero second half.
		{jited, []Insn{ins(0x18, 1, 0, 0, 7)}, "(18) r1 = 0x7"},
	}
	for _, tc := range tests {
		if got := tc.f.Insn(tc.insns, 0); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.insns[0], got, tc.want)
		}
	}
}
