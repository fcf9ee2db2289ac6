// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: interrupts from interrupt controllers in userspace, the 2006
 * model (QEMU's -machine kernel-irqchip=off).
 *
 * Userspace's PIC/APIC decides which vector the CPU gets; the driver only
 * says when the guest can take one.  After every exit to userspace,
 * kvm_run carries if_flag, cr8, apic_base and ready_for_interrupt_injection;
 * KVM_INTERRUPT queues a vector, delivered at the next entry; with
 * request_interrupt_window set, KVM_RUN returns KVM_EXIT_IRQ_WINDOW_OPEN as
 * soon as the guest could take one (the backend arms a virtual interrupt,
 * VINTR, to learn when).  Errno and exits are the in-tree KVM's without an
 * in-kernel LAPIC.  A backend without these hooks (vmx.c so far) refuses
 * KVM_INTERRUPT with -EINVAL and never reports the guest ready.
 */
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "kvmlab.h"
#include "trace.h"

#define KVMLAB_NR_INTERRUPTS	256

int kvmlab_interrupt(struct kvmlab_vcpu *vcpu, struct kvm_interrupt __user *u)
{
	struct kvm_interrupt irq;

	if (!kvmlab_arch->interrupt_allowed)
		return -EINVAL;
	if (copy_from_user(&irq, u, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= KVMLAB_NR_INTERRUPTS)
		return -EINVAL;
	/* One at a time: userspace waits for ready_for_interrupt_injection */
	if (vcpu->irq_queued)
		return -ENXIO;
	vcpu->irq_queued = true;
	vcpu->irq_vector = irq.irq;
	return 0;
}

/* The guest can take an interrupt now, and none is queued or in flight. */
bool kvmlab_ready_for_interrupt(struct kvmlab_vcpu *vcpu)
{
	if (!kvmlab_arch->interrupt_allowed)
		return false;
	return kvmlab_arch->interrupt_allowed(vcpu) && !vcpu->irq_queued &&
	       !kvmlab_arch->event_pending(vcpu);
}

/* Should the backend arm the interrupt window (VINTR) for this entry? */
bool kvmlab_want_irq_window(struct kvmlab_vcpu *vcpu)
{
	return vcpu->irq_queued || vcpu->run->request_interrupt_window;
}

/* KVM_RUN starts: the TPR userspace's APIC holds. */
void kvmlab_irq_pre_run(struct kvmlab_vcpu *vcpu)
{
	if (kvmlab_arch->set_tpr)
		kvmlab_arch->set_tpr(vcpu, vcpu->run->cr8 & 0xf);
}

/* KVM_RUN returns (whatever the reason): what userspace's APIC needs. */
void kvmlab_irq_post_run(struct kvmlab_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(kvmlab_arch->get_rflags(vcpu) & X86_EFLAGS_IF);
	run->cr8 = kvmlab_arch->get_tpr ? kvmlab_arch->get_tpr(vcpu) : 0;
	run->apic_base = vcpu->apic_base;
	run->ready_for_interrupt_injection = kvmlab_ready_for_interrupt(vcpu);
}

/* After an exit handled in the kernel: leave for userspace's interrupt? */
bool kvmlab_irq_window_open(struct kvmlab_vcpu *vcpu)
{
	if (!vcpu->run->request_interrupt_window ||
	    !kvmlab_ready_for_interrupt(vcpu))
		return false;
	vcpu->stat.request_irq_exits++;
	vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	return true;
}
