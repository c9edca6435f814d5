// More forms from arch/arm64/net/bpf_jit_comp.c and arch/arm64/net/bpf_jit.h:
// register moves, zero extension, shifts by immediate (ubfm/sbfm aliases),
// pair loads and stores with offsets, exclusive loads, prefetch, barriers,
// test-and-branch, address generation and the kernel's percpu sequence.
	mov	x0, x1
	mov	w0, w1
	mov	w7, w7
	mov	sp, x25
	mov	x9, #0xffffffffffff
	mov	w9, #0x80000000
	movz	w7, #0x8000, lsl #16
	movk	w7, #0x1
	movn	w7, #0x0
	add	x9, x9, #0x1, lsl #12
	add	x10, x10, x9, lsl #3
	adds	x7, x7, x8
	subs	x7, x7, #0x1
	ands	x7, x7, x8
	orr	w7, w7, w8, lsl #16
	eor	w7, w7, w8, lsr #1
	madd	x7, x8, x9, x10
	umulh	x7, x8, x9
	smulh	x7, x8, x9
	lsl	x7, x8, #63
	lsr	w7, w8, #31
	asr	w7, w8, #31
	ubfx	x7, x8, #8, #8
	sbfx	x7, x8, #0, #32
	ubfiz	x7, x8, #3, #29
	uxtb	w7, w8
	sxtb	w7, w8
	sxth	w7, w8
	rev32	x7, x7
	rev16	x7, x7
	ror	x7, x7, x8
	cmp	x7, #0x0
	cmp	w7, #0xfff
	cmn	w7, #0x1
	tbnz	w7, #3, .+0x20
	tbz	x7, #63, .-0x20
	cinc	x7, x8, eq
	csinc	x7, x8, x9, hi
	csetm	x7, lt
	ccmp	x7, x8, #0x4, ne
	stp	x19, x20, [sp, #16]
	ldp	x19, x20, [sp, #16]
	stp	x29, x30, [sp, #-64]!
	ldp	x29, x30, [sp], #64
	ldr	x7, [x8, #32760]
	ldr	x7, [x8], #8
	str	x7, [x8, #-8]!
	ldr	x7, [sp, #8]
	str	xzr, [x8]
	strb	wzr, [x8, #3]
	ldrsb	x7, [x8, #1]
	ldrsh	x7, [x8, #2]
	ldrsb	w7, [x8]
	ldarh	w7, [x8]
	stlrb	w7, [x8]
	stlrh	w7, [x8]
	stlr	w7, [x8]
	ldaxr	x7, [x10]
	stlxr	w11, x7, [x10]
	ldxrb	w7, [x10]
	stxrb	w11, w7, [x10]
	prfm	pstl1strm, [x10]
	dmb	ishld
	dmb	ish
	dsb	sy
	isb
	casb	w0, w8, [x10]
	cash	w0, w8, [x10]
	cas	w0, w8, [x10]
	casa	x0, x8, [x10]
	casl	x0, x8, [sp]
	ldaddb	w7, w8, [x10]
	ldaddlh	w7, w8, [x10]
	ldadda	x7, x8, [x10]
	ldaddl	x7, x8, [x10]
	ldset	x7, x8, [x10]
	ldclr	w7, w8, [x10]
	ldeor	x7, x8, [x10]
	swp	x7, x8, [x10]
	swpa	w7, w8, [x10]
	staddl	x7, [x10]
	stset	w7, [x10]
	stclrlb	w7, [x10]
	ldsmax	x7, x8, [x10]
	ldumin	w7, w8, [x10]
	adrp	x7, .+0x3000
	add	x7, x7, #0x123
	ldr	x7, .+0x40
	ldr	w7, .-0x40
	b	.
	brk	#0x1
	brk	#0x800
	hint	#0x6
	pacibsp
	autibsp
	xpaclri
	bti
	bti	jc
	csdb
	esb
	yield
	wfe
	sev
	mrs	x7, cntvct_el0
	mrs	x7, tpidr_el0
	msr	tpidr_el0, x7
	msr	daifset, #0x2
	svc	#0x0
	clrex
	fmov	d0, x7
	.inst	0xd503201f
	.inst	0x12345678
	.inst	0xdeadbeef
