/* SPDX-License-Identifier: GPL-2.0 */
/* 32-bit start-up (prot32, and pae with -DMODE_PAE): flat segments set
 * by vmrun from its GDT, paging as the mode says. */
	.section .vmrun.mode, "", @progbits
#ifdef MODE_PAE
	.asciz "pae"
#else
	.asciz "prot32"
#endif

	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	movl	$stack_top, %esp
	call	main
	call	guest_end
1:	hlt
	jmp	1b
