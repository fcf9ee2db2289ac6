/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-x world switch.  VM entry loads RSP, RIP and RFLAGS of the guest
 * from the VMCS and VM exit loads the host's from it; every other general
 * register is ours to swap.  The VMCS is current and launch-clear (vmx.c
 * VMCLEARs it after each exit), so this is always VMLAUNCH.
 *
 * The entry is a call to a local stub, whose return address stays on the
 * stack: HOST_RSP points at it and HOST_RIP (kvmlab_vmx_return) is a bare
 * return, so a VM exit and a failed VMLAUNCH both come back after the
 * call; the flags tell them apart (a VM exit clears CF and ZF, VMfail sets
 * one of them).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define REG(n)	((n) * 8)
#define HOST_RSP	0x6c14

.section .text, "ax"

/* int kvmlab_vmx_vmrun(regs %rdi): 0 = VM exit, 1 = VMLAUNCH failed */
SYM_FUNC_START(kvmlab_vmx_vmrun)
	push %rbp
	mov %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rdi		/* 0(%rsp): regs */

	call kvmlab_vmx_enter
	jbe .Lvmx_fail

	/* The guest's RAX goes last: it is our only free register. */
	push %rax
	mov 8(%rsp), %rax
	mov %rcx, REG(1)(%rax)
	mov %rdx, REG(2)(%rax)
	mov %rbx, REG(3)(%rax)
	mov %rbp, REG(5)(%rax)
	mov %rsi, REG(6)(%rax)
	mov %rdi, REG(7)(%rax)
	mov %r8, REG(8)(%rax)
	mov %r9, REG(9)(%rax)
	mov %r10, REG(10)(%rax)
	mov %r11, REG(11)(%rax)
	mov %r12, REG(12)(%rax)
	mov %r13, REG(13)(%rax)
	mov %r14, REG(14)(%rax)
	mov %r15, REG(15)(%rax)
	pop %rcx
	mov %rcx, REG(0)(%rax)

	/* A guest must not steer the host's return predictions. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
	xor %eax, %eax
	jmp .Lvmx_out

.Lvmx_fail:
	mov $1, %eax

.Lvmx_out:
	/* Leave no guest values in registers for speculation to use. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d

	add $8, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET

SYM_FUNC_END(kvmlab_vmx_vmrun)

/* Load the guest GPRs and VMLAUNCH; 8(%rsp): regs */
SYM_FUNC_START_LOCAL(kvmlab_vmx_enter)
	/* 0(%rsp): our return address, 8(%rsp): regs */
	mov $HOST_RSP, %eax
	vmwrite %rsp, %rax
	mov 8(%rsp), %rax
	mov REG(1)(%rax), %rcx
	mov REG(2)(%rax), %rdx
	mov REG(3)(%rax), %rbx
	mov REG(5)(%rax), %rbp
	mov REG(6)(%rax), %rsi
	mov REG(7)(%rax), %rdi
	mov REG(8)(%rax), %r8
	mov REG(9)(%rax), %r9
	mov REG(10)(%rax), %r10
	mov REG(11)(%rax), %r11
	mov REG(12)(%rax), %r12
	mov REG(13)(%rax), %r13
	mov REG(14)(%rax), %r14
	mov REG(15)(%rax), %r15
	mov REG(0)(%rax), %rax
	vmlaunch
	/* VMfail: CF or ZF set, back to the jbe */
	ANNOTATE_UNRET_SAFE
	ret
	int3
SYM_FUNC_END(kvmlab_vmx_enter)

/* HOST_RIP: the stack is as kvmlab_vmx_enter left it; RFLAGS is 0x2. */
SYM_FUNC_START(kvmlab_vmx_return)
	ANNOTATE_UNRET_SAFE
	ret
	int3
SYM_FUNC_END(kvmlab_vmx_return)
