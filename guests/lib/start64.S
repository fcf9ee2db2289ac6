/* SPDX-License-Identifier: GPL-2.0 */
/* 64-bit start-up: vmrun enters in long mode, identity-mapped low 4 GiB. */
	.section .vmrun.mode, "", @progbits
	.asciz "long"

	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	movq	$stack_top, %rsp
	call	main
	call	guest_end
1:	hlt
	jmp	1b
