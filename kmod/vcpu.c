// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the vCPU file descriptor and the run loop.
 *
 * A vCPU is a thread: KVM_RUN enters the guest from the calling thread
 * and stays in this loop until an exit needs userspace, a signal arrives
 * (-EINTR, KVM_EXIT_INTR) or an error happens.  Between two entries the
 * thread is an ordinary task: it is preempted, reniced and killed.
 */
#include <linux/anon_inodes.h>
#include <linux/bitops.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "kvmlab.h"
#include "trace.h"

#define KVMLAB_PIO_PAGE_OFFSET	1

/* Called with IRQs off just before entry: false = leave the loop now. */
bool kvmlab_vcpu_enter_check(struct kvmlab_vcpu *vcpu)
{
	vcpu->cpu = smp_processor_id();
	WRITE_ONCE(vcpu->mode, IN_GUEST_MODE);
	/* Pairs with kvmlab_flush_remote_tlbs(): see the mode or the bit. */
	smp_mb();
	if (need_resched() || signal_pending(current)) {
		WRITE_ONCE(vcpu->mode, OUTSIDE_GUEST_MODE);
		return false;
	}
	return true;
}

static int kvmlab_vcpu_run(struct kvmlab_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int r = 1;

	if (run->immediate_exit) {
		run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	if (vcpu->pio.pending) {
		r = kvmlab_complete_pio(vcpu);
		if (r <= 0)
			return r;
	}
	if (vcpu->pio.retired) {
		vcpu->pio.retired = false;
		kvmlab_arch->set_shadow(vcpu, 0);
	}
	r = kvmlab_emulate_complete(vcpu);
	if (r <= 0)
		return r;
	kvmlab_irq_pre_run(vcpu);
	run->exit_reason = KVM_EXIT_UNKNOWN;
	while (r > 0) {
		if (signal_pending(current)) {
			vcpu->stat.signal_exits++;
			run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		cond_resched();
		r = kvmlab_arch->run(vcpu);
		if (r > 0 && kvmlab_irq_window_open(vcpu))
			r = 0;
	}
	return r;
}

static void kvmlab_get_regs(struct kvmlab_vcpu *vcpu, struct kvm_regs *regs)
{
	unsigned long *r = vcpu->regs;

	memset(regs, 0, sizeof(*regs));
	regs->rax = r[VCPU_RAX]; regs->rbx = r[VCPU_RBX];
	regs->rcx = r[VCPU_RCX]; regs->rdx = r[VCPU_RDX];
	regs->rsi = r[VCPU_RSI]; regs->rdi = r[VCPU_RDI];
	regs->rsp = r[VCPU_RSP]; regs->rbp = r[VCPU_RBP];
	regs->r8 = r[VCPU_R8]; regs->r9 = r[VCPU_R9];
	regs->r10 = r[VCPU_R10]; regs->r11 = r[VCPU_R11];
	regs->r12 = r[VCPU_R12]; regs->r13 = r[VCPU_R13];
	regs->r14 = r[VCPU_R14]; regs->r15 = r[VCPU_R15];
	regs->rip = vcpu->rip;
	regs->rflags = kvmlab_arch->get_rflags(vcpu);
}

static void kvmlab_set_regs(struct kvmlab_vcpu *vcpu,
			    const struct kvm_regs *regs)
{
	unsigned long *r = vcpu->regs;

	r[VCPU_RAX] = regs->rax; r[VCPU_RBX] = regs->rbx;
	r[VCPU_RCX] = regs->rcx; r[VCPU_RDX] = regs->rdx;
	r[VCPU_RSI] = regs->rsi; r[VCPU_RDI] = regs->rdi;
	r[VCPU_RSP] = regs->rsp; r[VCPU_RBP] = regs->rbp;
	r[VCPU_R8] = regs->r8; r[VCPU_R9] = regs->r9;
	r[VCPU_R10] = regs->r10; r[VCPU_R11] = regs->r11;
	r[VCPU_R12] = regs->r12; r[VCPU_R13] = regs->r13;
	r[VCPU_R14] = regs->r14; r[VCPU_R15] = regs->r15;
	vcpu->rip = regs->rip;
	kvmlab_arch->set_rflags(vcpu, regs->rflags);
}

static const int sreg_order[] = {
	SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS, SEG_TR, SEG_LDTR
};

static struct kvm_segment *sreg_field(struct kvm_sregs *s, int i)
{
	struct kvm_segment *f[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt
	};

	return f[i];
}

static void kvmlab_get_sregs(struct kvmlab_vcpu *vcpu, struct kvm_sregs *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(sreg_order); i++)
		kvmlab_arch->get_segment(vcpu, sreg_field(s, i), sreg_order[i]);
	kvmlab_arch->get_dtable(vcpu, &s->gdt, false);
	kvmlab_arch->get_dtable(vcpu, &s->idt, true);
	kvmlab_arch->get_sregs(vcpu, s);
	s->apic_base = vcpu->apic_base;
	/* The one interrupt KVM_INTERRUPT queued, as the in-tree KVM. */
	if (vcpu->irq_queued)
		__set_bit(vcpu->irq_vector,
			  (unsigned long *)s->interrupt_bitmap);
}

static int kvmlab_set_sregs(struct kvmlab_vcpu *vcpu,
			    const struct kvm_sregs *s)
{
	struct kvm_sregs copy = *s;
	int i;

	if (!kvmlab_valid_sregs(s))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(sreg_order); i++)
		kvmlab_arch->set_segment(vcpu, sreg_field(&copy, i),
					 sreg_order[i]);
	kvmlab_arch->set_dtable(vcpu, &s->gdt, false);
	kvmlab_arch->set_dtable(vcpu, &s->idt, true);
	kvmlab_arch->set_sregs(vcpu, s);
	vcpu->apic_base = s->apic_base;
	i = find_first_bit((const unsigned long *)s->interrupt_bitmap,
			   KVM_NR_INTERRUPTS);
	if (i < KVM_NR_INTERRUPTS) {
		vcpu->irq_queued = true;
		vcpu->irq_vector = i;
	}
	kvmlab_sregs_changed(vcpu);
	return 0;
}

static long kvmlab_vcpu_ioctl_locked(struct kvmlab_vcpu *vcpu,
				     unsigned int ioctl, void __user *argp)
{
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
	} *u;
	long r;

	switch (ioctl) {
	case KVM_RUN:
		if (argp)
			return -EINVAL;
		r = kvmlab_vcpu_run(vcpu);
		kvmlab_irq_post_run(vcpu);
		trace_kvmlab_userspace_exit(vcpu, r);
		return r;
	case KVM_INTERRUPT:
		return kvmlab_interrupt(vcpu, argp);
	case KVM_GET_FPU:
	case KVM_SET_FPU:
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
	case KVM_GET_VCPU_EVENTS:
	case KVM_SET_VCPU_EVENTS:
	case KVM_NMI:
	case KVM_GET_XSAVE:
	case KVM_SET_XSAVE:
	case KVM_GET_XCRS:
	case KVM_SET_XCRS:
		return kvmlab_events_ioctl(vcpu, ioctl, argp);
	case KVM_SET_CPUID2:
		return kvmlab_set_cpuid2(vcpu, argp);
	case KVM_GET_MSRS:
		return kvmlab_get_msrs(vcpu, argp, false);
	case KVM_SET_MSRS:
		return kvmlab_get_msrs(vcpu, argp, true);
	case KVM_GET_STATS_FD:
		return kvmlab_get_stats_fd(vcpu->vm, vcpu);
	case KVM_GET_REGS:
	case KVM_SET_REGS:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
		break;
	default:
		return -EINVAL;
	}

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	r = 0;
	switch (ioctl) {
	case KVM_GET_REGS:
		kvmlab_get_regs(vcpu, &u->regs);
		if (copy_to_user(argp, &u->regs, sizeof(u->regs)))
			r = -EFAULT;
		break;
	case KVM_SET_REGS:
		if (copy_from_user(&u->regs, argp, sizeof(u->regs)))
			r = -EFAULT;
		else
			kvmlab_set_regs(vcpu, &u->regs);
		break;
	case KVM_GET_SREGS:
		kvmlab_get_sregs(vcpu, &u->sregs);
		if (copy_to_user(argp, &u->sregs, sizeof(u->sregs)))
			r = -EFAULT;
		break;
	case KVM_SET_SREGS:
		if (copy_from_user(&u->sregs, argp, sizeof(u->sregs)))
			r = -EFAULT;
		else
			r = kvmlab_set_sregs(vcpu, &u->sregs);
		break;
	}
	kfree(u);
	return r;
}

static long kvmlab_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			      unsigned long arg)
{
	struct kvmlab_vcpu *vcpu = filp->private_data;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	r = kvmlab_vcpu_ioctl_locked(vcpu, ioctl, (void __user *)arg);
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t kvmlab_vcpu_fault(struct vm_fault *vmf)
{
	struct kvmlab_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
	else if (vmf->pgoff == KVMLAB_PIO_PAGE_OFFSET)
		page = virt_to_page(vcpu->pio_data);
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct kvmlab_vcpu_vm_ops = {
	.fault = kvmlab_vcpu_fault,
};

static int kvmlab_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &kvmlab_vcpu_vm_ops;
	return 0;
}

static int kvmlab_vcpu_release(struct inode *inode, struct file *filp)
{
	struct kvmlab_vcpu *vcpu = filp->private_data;

	kvmlab_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations kvmlab_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= kvmlab_vcpu_release,
	.unlocked_ioctl	= kvmlab_vcpu_ioctl,
	.mmap		= kvmlab_vcpu_mmap,
	.llseek		= noop_llseek,
};

void kvmlab_vcpu_free(struct kvmlab_vcpu *vcpu)
{
	kvmlab_arch->vcpu_free(vcpu);
	kvmlab_emul_free(vcpu);
	kvmlab_page_free(vcpu->run);
	kvmlab_page_free(vcpu->pio_data);
	kfree(vcpu->fpu);
	kfree(vcpu->cpuid);
	kfree(vcpu);
	kvmlab_acct_dec(vcpus);
}

static struct kvmlab_vcpu *kvmlab_vcpu_alloc(struct kvmlab_vm *vm, u32 id)
{
	struct kvmlab_vcpu *vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);

	if (!vcpu)
		return NULL;
	kvmlab_acct_inc(vcpus);
	vcpu->vm = vm;
	vcpu->vcpu_id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	vcpu->run = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	/* 4 KiB from kmalloc are page aligned: XSAVE wants 64 bytes */
	vcpu->fpu = kzalloc(KVMLAB_FPU_SIZE, GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data || !vcpu->fpu ||
	    kvmlab_emul_init(vcpu))
		goto fail;
	kvmlab_fpu_reset(vcpu);
	vcpu->dr6 = 0xffff0ff0;
	vcpu->dr7 = 0x400;
	vcpu->apic_base = 0xfee00000 | (1 << 11) | (id == 0 ? 1 << 8 : 0);
	kvmlab_msr_init(vcpu);
	if (kvmlab_arch->vcpu_create(vcpu))
		goto fail;
	vcpu->regs[VCPU_RDX] = 0x00600f12;	/* reset signature */
	return vcpu;
fail:
	kvmlab_emul_free(vcpu);
	kvmlab_page_free(vcpu->run);
	kvmlab_page_free(vcpu->pio_data);
	kfree(vcpu->fpu);
	kfree(vcpu);
	kvmlab_acct_dec(vcpus);
	return NULL;
}

int kvmlab_create_vcpu(struct kvmlab_vm *vm, unsigned long id)
{
	struct kvmlab_vcpu *vcpu;
	int i, r;

	if (id >= KVMLAB_MAX_VCPU_ID)
		return -EINVAL;
	mutex_lock(&vm->lock);
	r = -EINVAL;
	if (vm->nr_vcpus >= KVMLAB_MAX_VCPUS)
		goto out;
	r = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->vcpu_id == id)
			goto out;
	r = -ENOMEM;
	vcpu = kvmlab_vcpu_alloc(vm, id);
	if (!vcpu)
		goto out;
	refcount_inc(&vm->refcount);
	r = anon_inode_getfd("kvmlab-vcpu", &kvmlab_vcpu_fops, vcpu,
			     O_RDWR | O_CLOEXEC);
	if (r < 0) {
		refcount_dec(&vm->refcount);
		kvmlab_vcpu_free(vcpu);
		goto out;
	}
	/* Publish only once the fd exists: others may now kick it. */
	smp_store_release(&vm->vcpus[vm->nr_vcpus], vcpu);
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
out:
	mutex_unlock(&vm->lock);
	return r;
}
