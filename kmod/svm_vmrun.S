/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch.  VMRUN loads and saves only RAX, RSP and RIP of the
 * guest; the other general registers are ours to swap, and the state
 * VMRUN leaves alone (FS, GS, TR, LDTR, KernelGSBase, the SYSCALL and
 * SYSENTER MSRs) is swapped with VMSAVE/VMLOAD.  Called with GIF clear,
 * so no NMI can see the guest's GS base in the host.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define REG(n)	((n) * 8)

.section .text, "ax"

/* void kvmlab_svm_vmrun(vmcb_pa %rdi, regs %rsi, host_save_pa %rdx) */
SYM_FUNC_START(kvmlab_svm_vmrun)
	push %rbp
	mov %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rsi		/* 16(%rsp): regs */
	push %rdx		/*  8(%rsp): host save area */
	push %rdi		/*  0(%rsp): vmcb */

	mov %rdx, %rax
	vmsave %rax
	mov (%rsp), %rax
	vmload %rax

	mov REG(1)(%rsi), %rcx
	mov REG(2)(%rsi), %rdx
	mov REG(3)(%rsi), %rbx
	mov REG(5)(%rsi), %rbp
	mov REG(7)(%rsi), %rdi
	mov REG(8)(%rsi), %r8
	mov REG(9)(%rsi), %r9
	mov REG(10)(%rsi), %r10
	mov REG(11)(%rsi), %r11
	mov REG(12)(%rsi), %r12
	mov REG(13)(%rsi), %r13
	mov REG(14)(%rsi), %r14
	mov REG(15)(%rsi), %r15
	mov REG(6)(%rsi), %rsi

	/*
	 * With V_INTR_MASKING the host's IF at VMRUN decides whether a
	 * physical interrupt ends guest mode; GIF is still clear, so STI
	 * lets no interrupt into the host here.  The NOP takes STI's
	 * shadow: TCG would carry it over VMRUN into the guest's first
	 * instruction (and report it in int_state).  RAX holds the VMCB
	 * address again after #VMEXIT.
	 */
	sti
	nop
	vmrun %rax
	cli

	mov 16(%rsp), %rax
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

	mov (%rsp), %rax
	vmsave %rax
	mov 8(%rsp), %rax
	vmload %rax

	/* A guest must not steer the host's return predictions. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	/* Leave no guest values in registers for speculation to use. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d

	add $24, %rsp
	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
SYM_FUNC_END(kvmlab_svm_vmrun)
