// Instructions the arm64 BPF JIT (arch/arm64/net/bpf_jit_comp.c) emits,
// assembled with aarch64-linux-gnu-as -march=armv8.5-a+lse.
	paciasp
	bti	c
	bti	j
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	stp	x19, x20, [sp, #-16]!
	stp	x21, x22, [sp, #-16]!
	stp	x25, x26, [sp, #-16]!
	stp	x27, x28, [sp, #-16]!
	mov	x25, sp
	mov	x26, #0x0
	sub	x27, x25, #0x0
	sub	sp, sp, #0x10
	sub	sp, sp, #0x210
	add	sp, sp, #0x10
	mov	x7, #0x2
	mov	w7, #0x2
	mov	x7, #0xffffffffffffffff
	mov	w7, #0xffffffff
	movz	x7, #0x1234, lsl #16
	movk	x7, #0xbeef, lsl #32
	movk	x7, #0xdead, lsl #48
	movn	x7, #0x1
	mov	x10, #0xffff0000ffffffff
	mov	x0, x7
	mov	w0, w7
	add	x7, x7, x8
	add	w7, w7, w8
	sub	x7, x7, x8
	sub	w7, w7, w8
	add	x7, x7, #0x10
	sub	x7, x7, #0x10
	add	x7, x7, #0x10, lsl #12
	mul	x7, x7, x8
	mul	w7, w7, w8
	udiv	x7, x7, x8
	udiv	w7, w7, w8
	sdiv	x7, x7, x8
	msub	x7, x10, x8, x7
	msub	w7, w10, w8, w7
	and	x7, x7, x8
	orr	x7, x7, x8
	eor	x7, x7, x8
	and	w7, w7, w8
	and	x7, x7, #0xff
	and	w7, w7, #0xffff
	orr	x7, x7, #0x1
	eor	x7, x7, #0x8000000000000000
	lsl	x7, x7, x8
	lsr	x7, x7, x8
	asr	x7, x7, x8
	lsl	w7, w7, w8
	lsl	x7, x7, #3
	lsr	x7, x7, #32
	asr	x7, x7, #7
	lsl	w7, w7, #3
	lsr	w7, w7, #3
	asr	w7, w7, #3
	neg	x7, x7
	neg	w7, w7
	mvn	x7, x7
	rev	x7, x7
	rev	w7, w7
	rev16	w7, w7
	uxth	w7, w7
	sxtb	x7, w7
	sxth	x7, w7
	sxtw	x7, w7
	cmp	x7, x8
	cmp	w7, w8
	cmp	x7, #0x10
	cmn	x7, #0x10
	tst	x7, x8
	tst	w7, w8
	tst	x7, #0x8
	b.eq	.+0x40
	b.ne	.-0x20
	b.hi	.+8
	b.cs	.+8
	b.gt	.+8
	b.ge	.+8
	b.lt	.+8
	b.le	.+8
	b.cc	.+8
	b.ls	.+8
	b.mi	.+8
	b.pl	.+8
	cbz	x7, .+0x10
	cbnz	w7, .-0x10
	b	.+0x100
	b	.-0x100
	bl	.+0x800
	blr	x10
	br	x10
	ret
	ldr	x7, [x8, #8]
	ldr	w7, [x8, #4]
	ldrh	w7, [x8, #2]
	ldrb	w7, [x8, #1]
	ldr	x7, [x8, x10]
	ldr	w7, [x8, x10]
	ldrh	w7, [x8, x10]
	ldrb	w7, [x8, x10]
	ldrsb	x7, [x8, x10]
	ldrsh	x7, [x8, x10]
	ldrsw	x7, [x8, x10]
	ldrsw	x7, [x8, #4]
	ldur	x7, [x8, #-8]
	ldur	w7, [x8, #-4]
	stur	x7, [x8, #-8]
	str	x7, [x8, #8]
	str	w7, [x8, #4]
	strh	w7, [x8, #2]
	strb	w7, [x8, #1]
	str	x7, [x8, x10]
	str	w7, [x8, x10]
	strh	w7, [x8, x10]
	strb	w7, [x8, x10]
	ldr	x10, [x25, #-8]
	ldp	x19, x20, [sp], #16
	ldp	x29, x30, [sp], #16
	ldxr	x7, [x10]
	stxr	w11, x7, [x10]
	ldaxr	w7, [x10]
	stlxr	w11, w7, [x10]
	cbnz	w11, .-0x10
	dmb	ish
	ldadd	x7, x8, [x10]
	stadd	x7, [x10]
	ldaddal	x7, x8, [x10]
	ldclral	x7, x8, [x10]
	ldsetal	x7, x8, [x10]
	ldeoral	x7, x8, [x10]
	swpal	x7, x8, [x10]
	casal	x0, x8, [x10]
	ldadd	w7, w8, [x10]
	ldar	x7, [x8]
	stlr	x7, [x8]
	ldarb	w7, [x8]
	mrs	x10, sp_el0
	mrs	x10, tpidr_el1
	mrs	x10, tpidr_el2
	adr	x7, .+0x20
	csel	x7, x8, x9, eq
	cset	x7, ne
	nop
	brk	#0x3e8
	autiasp
	mov	x0, x7
	udf	#0
	.inst	0xffffffff
	.inst	0x00000000
