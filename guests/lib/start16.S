/* SPDX-License-Identifier: GPL-2.0 */
/* Real-mode start-up: vmrun enters at _start with CS=DS=ES=SS=0. */
	.section .vmrun.mode, "", @progbits
	.asciz "real"

	.section .text.start, "ax"
	.code16
	.globl _start
_start:
	cli
	xorl	%eax, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	$0x7000, %esp
	calll	main
	calll	guest_end
1:	hlt
	jmp	1b
