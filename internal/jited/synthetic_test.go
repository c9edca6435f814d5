package jited

// synthetic holds x86-64 byte sequences that JITs emit (or that sit next to
// JIT code) but that the captured programs may not contain on this machine:
// IBT landing pads, retpoline thunk jumps, padding nops, BMI2 shifts, percpu
// accesses, and junk. Each entry becomes testdata/x86_64/synth_NAME.bin with
// objdump's text beside it; the bytes are the input, objdump is the answer.
var synthetic = map[string][]string{
	"nops": {
		"90",                            // nop
		"66 90",                         // xchg %ax,%ax
		"0f 1f 00",                      // nopl (%rax)
		"0f 1f 40 00",                   // nopl 0x0(%rax)
		"0f 1f 44 00 00",                // nopl 0x0(%rax,%rax,1)
		"66 0f 1f 44 00 00",             // nopw 0x0(%rax,%rax,1)
		"0f 1f 80 00 00 00 00",          // nopl 0x0(%rax)
		"0f 1f 84 00 00 00 00 00",       // nopl 0x0(%rax,%rax,1)
		"66 0f 1f 84 00 00 00 00 00",    // nopw 0x0(%rax,%rax,1)
		"66 2e 0f 1f 84 00 00 00 00 00", // cs nopw
		"2e 66 0f 1f 84 00 00 00 00 00",
		"66 66 2e 0f 1f 84 00 00 00 00 00", // data16 cs nopw
		"66 66 66 2e 0f 1f 84 00 00 00 00 00",
		"f3 90",          // pause
		"f3 0f 1e fa",    // endbr64
		"f3 0f 1e fb",    // endbr32
		"0f 1f 44 00 08", // nopl 0x8(%rax,%rax,1)
		"cc",             // int3
		"c9",             // leave
		"c3",             // ret
		"f3 c3",          // repz ret
		"c2 08 00",       // ret $0x8
		"0f 0b",          // ud2
		"f4",             // hlt
	},
	"system": {
		"0f 31",    // rdtsc
		"0f 01 f9", // rdtscp
		"0f ae e8", // lfence
		"0f ae f0", // mfence
		"0f ae f8", // sfence
		"0f a2",    // cpuid
		"fa", "fb", // cli, sti
		"0f 01 ca", // clac
		"0f 01 cb", // stac
		"0f 0d 08", // prefetchw (%rax)
		"0f 18 08", // prefetcht0 (%rax)
		"0f ae 38", // clflush (%rax)
		"0f 01 d5", // xend
		"0f 01 d6", // xtest
		"0f 01 ee", // rdpkru
		"0f 01 ef", // wrpkru
		"0f 01 f8", // swapgs
		"0f 01 e8", // serialize
		"0f 01 d0", // xgetbv
		"c5 f8 77", // vzeroupper, then an instruction it must not swallow
		"5b",
		"c5 fc 77",                   // vzeroall
		"c7 f8 00 00 00 00",          // xbegin
		"c4 e2 a0 f3 d2",             // blsmsk %rdx,%r11
		"c4 c2 a0 f3 cb",             // blsr %r11,%r11
		"c4 e2 78 f3 da",             // blsi %edx,%eax
		"c4 e2 f8 f2 c1",             // andn
		"c4 e3 fb f0 c0 07",          // rorx
		"c4 e2 f0 f7 c0",             // bextr
		"f3 48 a5",                   // rep movsq
		"f3 ab",                      // rep stos
		"f3 a6",                      // repz cmpsb
		"ac",                         // lods
		"8b 04 25 00 00 00 00",       // mov 0x0,%eax
		"8b 04 24",                   // mov (%rsp),%eax
		"8b 04 20",                   // mov (%rax,%riz,1),%eax
		"48 8d 74 26 00",             // lea 0x0(%rsi,%riz,1),%rsi
		"8b 04 65 00 00 00 00",       // mov 0x0(,%riz,2),%eax
		"67 8b 07",                   // addr32 mov (%edi),%eax
		"ff 70 08",                   // push 0x8(%rax)
		"8f 40 08",                   // pop 0x8(%rax)
		"ff 30",                      // push (%rax)
		"c8 10 00 00",                // enter
		"cd 80",                      // int $0x80
		"e4 60", "ec", "e6 60", "ee", // in/out
		"9c", "9d", // pushf, popf
	},
	"widths": {
		"48 83 ff ff",             // cmp $0xffffffffffffffff,%rdi
		"83 ff ff",                // cmp $0xffffffff,%edi
		"66 83 ff ff",             // cmp $0xffff,%di
		"80 ff ff",                // cmp $0xff,%bh
		"40 80 ff ff",             // cmp $0xff,%dil
		"48 81 ff 00 00 00 80",    // cmp $0xffffffff80000000,%rdi
		"b8 ff ff ff ff",          // mov $0xffffffff,%eax
		"c7 47 08 ff ff ff ff",    // movl $0xffffffff,0x8(%rdi)
		"48 c7 47 08 ff ff ff ff", // movq $0xffffffffffffffff,0x8(%rdi)
		"66 c7 47 02 34 12",       // movw $0x1234,0x2(%rdi)
		"c6 47 01 ff",             // movb $0xff,0x1(%rdi)
		"48 25 00 ff ff ff",       // and $0xffffffffffffff00,%rax
		"48 83 e0 f0",             // and $0xfffffffffffffff0,%rax
		"48 0f be 47 08",          // movsbq 0x8(%rdi),%rax
		"48 0f bf 47 08",          // movswq 0x8(%rdi),%rax
		"48 63 47 08",             // movslq 0x8(%rdi),%rax
		"0f be 47 08",             // movsbl
		"0f b7 c0",                // movzwl %ax,%eax
		"48 6b c0 ff",             // imul $0xffffffffffffffff,%rax,%rax
		"6b c0 ff",                // imul $0xffffffff,%eax,%eax
		"48 69 c0 00 00 00 80",    // imul $0xffffffff80000000,%rax,%rax
		"6a ff",                   // push $0xffffffffffffffff
		"68 00 00 00 80",          // push $0xffffffff80000000
		"48 f7 c7 ff ff ff ff",    // test $0xffffffffffffffff,%rdi
		"a8 ff",                   // test $0xff,%al
		"66 a9 ff ff",             // test $0xffff,%ax
		"c1 e0 1f",                // shl $0x1f,%eax
		"48 c1 f8 3f",             // sar $0x3f,%rax
		"d3 f8",                   // sar %cl,%eax
		"f6 d8",                   // neg %al
		"48 8b 84 24 f8 ff ff ff", // mov -0x8(%rsp),%rax
		"48 8b 80 00 00 00 80",    // mov -0x80000000(%rax),%rax
		"48 8b 40 80",             // mov -0x80(%rax),%rax
		"4c 8b 5c 24 f8",          // mov -0x8(%rsp),%r11
		"4a 8b 44 27 08",          // mov 0x8(%rdi,%r12,1),%rax (arena)
		"4a 89 44 27 08",
		"42 0f b6 44 27 08",    // movzbl 0x8(%rdi,%r12,1),%eax
		"f0 4a 0f c1 44 27 08", // lock xadd %rax,0x8(%rdi,%r12,1)
	},
	"branches": {
		"e8 00 00 00 00", // call to the next instruction
		"e8 f6 ff ff ff", // call backwards
		"e8 12 34 56 c0", // call far below address 0 (a kernel helper)
		"e9 00 01 00 00", // jmp rel32
		"e9 f0 ff ff ff", // jmp backwards
		"eb 05",          // jmp rel8
		"eb fe",          // jmp to itself
		"74 10", "75 f0", "77 02", "73 02", "72 02", "76 02",
		"7f 02", "7d 02", "7c 02", "7e 02", "78 02", "79 02",
		"0f 84 00 01 00 00", // je rel32
		"0f 85 f0 fe ff ff", // jne rel32
		"0f 87 10 00 00 00",
		"0f 8f 10 00 00 00",
		"ff d0",                // call *%rax
		"41 ff d3",             // call *%r11
		"ff e0",                // jmp *%rax
		"41 ff e3",             // jmp *%r11
		"ff 24 c5 00 10 00 00", // jmp *0x1000(,%rax,8)
		"ff 14 25 00 10 00 00", // call *0x1000
		"ff 50 08",             // call *0x8(%rax)
		"ff 25 00 00 00 00",    // jmp *0x0(%rip)
		"e3 02",                // jrcxz
		"2e e8 00 00 00 00",    // cs call (retpoline-era padding)
		"66 90",
	},
	"moves": {
		"48 89 e5",                      // mov %rsp,%rbp
		"48 89 c7",                      // mov %rax,%rdi
		"89 c7",                         // mov %eax,%edi
		"4c 89 c7",                      // mov %r8,%rdi
		"48 8b 7f 08",                   // mov 0x8(%rdi),%rdi
		"48 8b 45 f8",                   // mov -0x8(%rbp),%rax
		"48 89 45 f8",                   // mov %rax,-0x8(%rbp)
		"8b 47 04",                      // mov 0x4(%rdi),%eax
		"0f b7 47 02",                   // movzwl 0x2(%rdi),%eax
		"0f b6 47 01",                   // movzbl 0x1(%rdi),%eax
		"48 0f b6 c0",                   // movzbq %al,%rax
		"48 0f b7 c0",                   // movzwq
		"48 63 c0",                      // movslq %eax,%rax
		"48 0f be c0",                   // movsbq
		"48 0f bf c0",                   // movswq
		"0f be c0",                      // movsbl
		"0f bf c0",                      // movswl
		"48 c7 c0 ff ff ff ff",          // mov $0xffffffffffffffff,%rax
		"48 c7 45 f8 00 00 00 00",       // movq $0x0,-0x8(%rbp)
		"c7 45 f8 01 00 00 00",          // movl $0x1,-0x8(%rbp)
		"66 c7 45 f8 01 00",             // movw
		"c6 45 f8 01",                   // movb
		"b8 01 00 00 00",                // mov $0x1,%eax
		"41 b8 01 00 00 00",             // mov $0x1,%r8d
		"48 b8 ef be ad de be ba fe ca", // movabs $0xcafebabedeadbeef,%rax
		"49 bb 00 00 00 00 00 00 00 80", // movabs $0x8000000000000000,%r11
		"48 a1 88 77 66 55 44 33 22 11", // movabs 0x1122334455667788,%rax
		"48 a3 88 77 66 55 44 33 22 11", // movabs %rax,0x1122334455667788
		"a0 88 77 66 55 44 33 22 11",    // movabs 0x..,%al
		"65 48 8b 04 25 30 20 03 00",    // mov %gs:0x32030,%rax
		"65 48 03 04 25 30 20 03 00",    // add %gs:0x32030,%rax
		"65 8b 05 00 00 00 00",          // mov %gs:0x0(%rip),%eax
		"64 48 8b 04 25 28 00 00 00",    // mov %fs:0x28,%rax
		"48 8b 05 10 00 00 00",          // mov 0x10(%rip),%rax
		"48 8d 05 f9 ff ff ff",          // lea -0x7(%rip),%rax
		"48 8d 44 24 08",                // lea 0x8(%rsp),%rax
		"4c 8d 1c 40",                   // lea (%rax,%rax,2),%r11
		"48 8b 04 c7",                   // mov (%rdi,%rax,8),%rax
		"4a 8b 04 e7",                   // mov (%rdi,%r12,8),%rax
		"49 8b 04 24",                   // mov (%r12),%rax
		"49 8b 45 00",                   // mov 0x0(%r13),%rax
		"48 8b 84 24 00 01 00 00",       // mov 0x100(%rsp),%rax
		"88 47 01",                      // mov %al,0x1(%rdi)
		"66 89 47 02",                   // mov %ax,0x2(%rdi)
		"40 88 77 01",                   // mov %sil,0x1(%rdi)
		"44 88 47 01",                   // mov %r8b,0x1(%rdi)
		"41 55", "41 5d", "55", "5d", "53", "5b", "50", "58",
		"6a 00", "68 00 01 00 00", // push $imm
		"48 0f 44 c1", // cmove %rcx,%rax
		"0f 4f c1",    // cmovg
		"0f 94 c0",    // sete %al
		"41 0f 95 c0", // setne %r8b
		"48 0f c8",    // bswap %rax
		"0f c8",       // bswap %eax
		"66 c1 c0 08", // rol $0x8,%ax
		"66 c1 c8 08", // ror $0x8,%ax
		"48 99",       // cqto
		"99",          // cltd
		"48 98",       // cltq
		"98",          // cwtl
		"66 98",       // cbtw
	},
	"alu": {
		"48 01 c7", "48 29 c7", "48 21 c7", "48 09 c7", "48 31 c7",
		"01 c7", "29 c7", "31 c0", "45 31 db",
		"48 83 c7 08", "48 83 ef 08", "48 83 e7 0f", "48 83 cf 01",
		"48 81 c7 00 01 00 00", "48 81 ec 28 02 00 00", "48 83 ec 08",
		"48 05 00 01 00 00", "05 00 01 00 00", "25 ff 00 00 00",
		"48 39 c7", "48 3b 07", "48 83 ff 0e", "83 f8 01", "3c 08",
		"48 85 c0", "85 c0", "a8 01", "48 a9 00 00 00 80",
		"48 f7 c7 01 00 00 00", "f6 c1 01",
		"48 0f af c7", "0f af c7", "48 6b c0 05", "48 69 c0 00 01 00 00",
		"48 f7 e7", "f7 e7", "48 f7 f7", "f7 f7", "48 f7 ff", "f7 ff",
		"48 f7 d8", "f7 d8", "48 f7 d0",
		"48 d3 e7", "48 d3 ef", "48 d3 ff", "d3 e7",
		"48 c1 e7 03", "48 c1 ef 20", "48 c1 ff 07", "c1 e7 03",
		"48 d1 e7", "d1 ef",
		"c4 e2 f9 f7 c7", // shlx %rax,%rdi,%rax
		"c4 e2 fb f7 c7", // shrx
		"c4 e2 fa f7 c7", // sarx
		"c4 e2 79 f7 c7", // shlx 32-bit
		"c4 42 f9 f7 db", // shlx with r11
		"48 ff c0", "48 ff c8", "ff c0",
		"48 87 c7", // xchg %rax,%rdi
		"49 87 c3",
		"48 0f a3 c7",    // bt
		"f3 48 0f b8 c7", // popcnt
		"f3 48 0f bc c7", // tzcnt
		"f3 48 0f bd c7", // lzcnt
		"48 0f bc c7",    // bsf
	},
	"atomics": {
		"f0 48 01 07",          // lock add %rax,(%rdi)
		"f0 01 07",             // lock add %eax,(%rdi)
		"f0 48 01 47 08",       // lock add %rax,0x8(%rdi)
		"f0 48 09 07",          // lock or
		"f0 48 21 07",          // lock and
		"f0 48 31 07",          // lock xor
		"f0 48 0f c1 07",       // lock xadd
		"f0 0f c1 07",          // lock xadd 32
		"f0 48 0f b1 0f",       // lock cmpxchg %rcx,(%rdi)
		"f0 0f b1 0f",          // lock cmpxchg 32
		"48 87 07",             // xchg %rax,(%rdi)
		"87 07",                // xchg %eax,(%rdi)
		"f0 48 83 07 01",       // lock addq $0x1,(%rdi)
		"f0 83 07 01",          // lock addl $0x1,(%rdi)
		"f0 48 ff 07",          // lock incq (%rdi)
		"f0 48 0f b1 4c 17 08", // lock cmpxchg %rcx,0x8(%rdi,%rdx,1)
		"f0 4c 0f c1 1c 24",    // lock xadd %r11,(%rsp)
		"f0 4d 0f b1 5d 00",    // lock cmpxchg %r11,0x0(%r13)
	},
	"rex": {
		"40 90",             // rex nop
		"48 90",             // rex.W nop
		"41 90",             // xchg %eax,%r8d
		"49 90",             // xchg %rax,%r8
		"48 c3",             // rex.W ret
		"40 c3",             // rex ret
		"66 66 90",          // data16 xchg
		"40 40 90",          // two rex
		"f3 48 90",          // rep rex.W nop?
		"2e 90",             // cs nop
		"3e ff e0",          // notrack jmp *%rax
		"f2 e9 00 00 00 00", // bnd jmp
		"f2 c3",             // bnd ret
	},
	"cfi": {
		// kCFI and FineIBT preambles and call-depth tracking, which a
		// kernel built with them puts around BPF programs and calls.
		"cc", "cc", "cc",
		"b8 78 56 34 12",                // mov $0x12345678,%eax (kCFI hash)
		"f3 0f 1e fa",                   // endbr64
		"41 81 ea 78 56 34 12",          // sub $0x12345678,%r10d
		"74 02",                         // je
		"0f 0b",                         // ud2
		"41 ba 88 a9 cb ed",             // mov $0xedcba988,%r10d
		"45 3b 53 f4",                   // cmp -0xc(%r11),%r10d
		"65 48 c1 24 25 30 20 03 00 05", // shlq $0x5,%gs:0x32030
		"65 48 c1 3c 25 30 20 03 00 05", // sarq $0x5,%gs:0x32030
		"65 48 83 04 25 30 20 03 00 01", // addq $0x1,%gs:0x32030
		"e8 00 00 00 00",                // call
		"48 83 c4 08",                   // add $0x8,%rsp
		"0f ae e8",                      // lfence
		"ff e0",                         // jmp *%rax
		"cc",
		"2e e9 00 00 00 00", // cs jmp (padded thunk)
		"0f 1f 40 d6",       // nopl -0x2a(%rax)
	},
	"bad_06":        {"06"},
	"bad_ffff":      {"ff ff"},
	"bad_trunc_mov": {"48 8b"},
	"bad_trunc_imm": {"48 b8 01 02 03"},
	"bad_vex_trunc": {"c4 e2"},
	"bad_lock_mov":  {"f0 48 89 c7", "c3"},
	"bad_mix":       {"0f ff", "c3", "d6", "c3", "62", "c3", "0f 04", "c3"},
	"bad_long":      {"66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90"},
}
