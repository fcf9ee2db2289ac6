/* SPDX-License-Identifier: GPL-2.0 */
/* Exception entry stubs for vectors 0..31; see idt.c for the frame. */
.macro ISR vec
isr\vec:
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	push	$0
	.endif
	push	$\vec
	jmp	isr_common
.endm

	.text
#ifdef __x86_64__
	.code64
#else
	.code32
#endif
.altmacro
.set i, 0
.rept 32
	ISR %i
	.set i, i + 1
.endr

isr_common:
#ifdef __x86_64__
	push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi; push %rbp
	push %r8; push %r9; push %r10; push %r11; push %r12; push %r13; push %r14; push %r15
	movq	%rsp, %rdi
	call	exc_handler
	pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9; pop %r8
	pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx; pop %rax
	addq	$16, %rsp
	iretq
#else
	pushal
	pushl	%esp
	call	exc_handler
	addl	$4, %esp
	popal
	addl	$8, %esp
	iretl
#endif

.macro ISRADDR vec
#ifdef __x86_64__
	.quad isr\vec
#else
	.long isr\vec
#endif
.endm
	.section .rodata
	.globl isr_table
isr_table:
.set i, 0
.rept 32
	ISRADDR %i
	.set i, i + 1
.endr
