// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the vCPU state ioctls a full-system VMM (QEMU) uses beside the
 * registers: the x87/SSE state (KVM_GET_FPU/KVM_SET_FPU), the
 * multiprocessing state (KVM_GET_MP_STATE/KVM_SET_MP_STATE), the events in
 * flight (KVM_GET/SET_VCPU_EVENTS) and NMIs from userspace (KVM_NMI).
 *
 * The FPU state is the fxsave image the run loop loads and saves around
 * each entry.  Without an in-kernel LAPIC there is no INIT/SIPI protocol in
 * the driver: a vCPU is always runnable, and, as the in-tree KVM, only
 * KVM_MP_STATE_RUNNABLE may be set.
 *
 * Events follow the in-tree KVM without KVM_CAP_EXCEPTION_PAYLOAD: an
 * exception is reported and set as "injected" (delivered at the next
 * entry); an interrupt from KVM_INTERRUPT counts as injected; soft
 * exceptions and soft interrupts are not reported (their instruction runs
 * again).  The backend holds one event for the next entry, the interrupt
 * shadow and the NMI mask; the NMIs waiting for it are counted here.
 * Differences: kvmlab has no SMM (VALID_SMM with smm or pending set is
 * EINVAL), a soft interrupt set by userspace is delivered without skipping
 * an instruction, and an exception's vector and error code read as 0 once
 * it was delivered (the in-tree KVM keeps the last ones).
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>

#include "kvmlab.h"

/* The fxsave64 image (Intel SDM vol. 1, table 10-2). */
struct fxsave_img {
	u16 fcw, fsw;
	u8 ftw, rsvd;
	u16 fop;
	u64 fip, fdp;
	u32 mxcsr, mxcsr_mask;
	u8 st[8][16];
	u8 xmm[16][16];
	u8 rest[96];
} __packed;
static_assert(sizeof(struct fxsave_img) == 512);

/* MXCSR bits this CPU accepts: FXRSTOR of any other raises #GP. */
u32 kvmlab_mxcsr_valid(void)
{
	static u32 mask;
	struct fxsave_img *img;

	if (mask)
		return mask;
	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img)
		return 0xffbf;
	kernel_fpu_begin();
	asm volatile("fxsave64 %0" : "=m" (*img));
	kernel_fpu_end();
	mask = img->mxcsr_mask ?: 0xffbf;	/* 0: the default mask */
	kfree(img);
	return mask;
}

static int get_fpu(struct kvmlab_vcpu *vcpu, struct kvm_fpu __user *u)
{
	const struct fxsave_img *img = vcpu->fpu;
	struct kvm_fpu *f = kzalloc(sizeof(*f), GFP_KERNEL);
	int r = 0;

	if (!f)
		return -ENOMEM;
	memcpy(f->fpr, img->st, sizeof(f->fpr));
	f->fcw = img->fcw;
	f->fsw = img->fsw;
	f->ftwx = img->ftw;
	f->last_opcode = img->fop;
	f->last_ip = img->fip;
	f->last_dp = img->fdp;
	memcpy(f->xmm, img->xmm, sizeof(f->xmm));
	f->mxcsr = img->mxcsr;
	if (copy_to_user(u, f, sizeof(*f)))
		r = -EFAULT;
	kfree(f);
	return r;
}

static int set_fpu(struct kvmlab_vcpu *vcpu, struct kvm_fpu __user *u)
{
	struct fxsave_img *img = vcpu->fpu;
	struct kvm_fpu *f = kmalloc(sizeof(*f), GFP_KERNEL);
	int r = 0;

	if (!f)
		return -ENOMEM;
	if (copy_from_user(f, u, sizeof(*f))) {
		r = -EFAULT;
		goto out;
	}
	if (f->mxcsr & ~kvmlab_mxcsr_valid()) {
		r = -EINVAL;	/* the in-tree KVM's answer to a bad MXCSR */
		goto out;
	}
	memcpy(img->st, f->fpr, sizeof(img->st));
	img->fcw = f->fcw;
	img->fsw = f->fsw;
	img->ftw = f->ftwx;
	img->fop = f->last_opcode;
	img->fip = f->last_ip;
	img->fdp = f->last_dp;
	memcpy(img->xmm, f->xmm, sizeof(img->xmm));
	img->mxcsr = f->mxcsr;
	kvmlab_fpu_legacy_written(vcpu);
out:
	kfree(f);
	return r;
}

/* At most one NMI in service and one latched (the in-tree process_nmi). */
static void limit_nmis(struct kvmlab_vcpu *vcpu)
{
	u32 err;
	u8 limit = 2;

	if (kvmlab_arch->get_nmi_mask(vcpu) ||
	    (kvmlab_arch->get_event(vcpu, &err) &
	     (KVMLAB_EV_VALID | KVMLAB_EV_TYPE_MASK)) ==
	    (KVMLAB_EV_VALID | KVMLAB_EV_NMI))
		limit = 1;
	vcpu->nmi_pending = min(vcpu->nmi_pending, limit);
}

bool kvmlab_nmi_supported(void)
{
	return kvmlab_arch->set_nmi_mask &&
	       (!kvmlab_arch->nmi_supported || kvmlab_arch->nmi_supported());
}

static int queue_nmi(struct kvmlab_vcpu *vcpu)
{
	if (!kvmlab_nmi_supported())
		return -EINVAL;
	vcpu->nmi_pending++;
	limit_nmis(vcpu);
	return 0;
}

static int get_events(struct kvmlab_vcpu *vcpu,
		      struct kvm_vcpu_events __user *u)
{
	struct kvm_vcpu_events e;
	u32 err, ev;

	if (!kvmlab_nmi_supported())
		return -EINVAL;
	limit_nmis(vcpu);
	memset(&e, 0, sizeof(e));
	ev = kvmlab_arch->get_event(vcpu, &err);
	if (vcpu->irq_queued) {
		e.interrupt.injected = 1;
		e.interrupt.nr = vcpu->irq_vector;
	}
	if (ev & KVMLAB_EV_VALID) {
		switch (ev & KVMLAB_EV_TYPE_MASK) {
		case KVMLAB_EV_EXCEPT:
			e.exception.injected = 1;
			e.exception.nr = ev & KVMLAB_EV_VECTOR;
			e.exception.has_error_code = !!(ev & KVMLAB_EV_HAS_ERR);
			e.exception.error_code = err;
			break;
		case KVMLAB_EV_NMI:
			e.nmi.injected = 1;
			break;
		case KVMLAB_EV_INTR:
			e.interrupt.injected = 1;
			fallthrough;
		case KVMLAB_EV_SOFT:
			e.interrupt.nr = ev & KVMLAB_EV_VECTOR;
			break;
		}
	}
	e.interrupt.shadow = kvmlab_arch->get_shadow(vcpu);
	e.nmi.pending = vcpu->nmi_pending != 0;
	e.nmi.masked = kvmlab_arch->get_nmi_mask(vcpu);
	e.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		  KVM_VCPUEVENT_VALID_SMM;
	return copy_to_user(u, &e, sizeof(e)) ? -EFAULT : 0;
}

#define VCPUEVENT_FLAGS	(KVM_VCPUEVENT_VALID_NMI_PENDING | \
			 KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
			 KVM_VCPUEVENT_VALID_SHADOW | \
			 KVM_VCPUEVENT_VALID_SMM | \
			 KVM_VCPUEVENT_VALID_PAYLOAD | \
			 KVM_VCPUEVENT_VALID_TRIPLE_FAULT)

/* Exception classes for delivering one during another (SDM 6.15). */
enum { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PF, EXC_DF };

static int exception_class(int vector)
{
	switch (vector) {
	case 0: case 10: case 11: case 12: case 13:
		return EXC_CONTRIBUTORY;
	case 14:
		return EXC_PF;
	case 8:
		return EXC_DF;
	default:
		return EXC_BENIGN;
	}
}

/*
 * Exception VECTOR comes while the event PREV (KVMLAB_EV_*) was being
 * delivered (an exit interrupted it): two contributory faults, or a fault
 * on #PF, make a #DF with error code 0; a fault on #DF shuts down.  Returns
 * the event for the next entry, 0 for a triple fault.
 */
u32 kvmlab_exception_event(u32 prev, int vector, bool has_error, u32 *err)
{
	if ((prev & KVMLAB_EV_VALID) &&
	    (prev & KVMLAB_EV_TYPE_MASK) == KVMLAB_EV_EXCEPT) {
		int c1 = exception_class(prev & KVMLAB_EV_VECTOR);
		int c2 = exception_class(vector);

		if (c1 == EXC_DF && c2 != EXC_BENIGN)
			return 0;
		if ((c1 == EXC_CONTRIBUTORY && c2 == EXC_CONTRIBUTORY) ||
		    (c1 == EXC_PF && c2 != EXC_BENIGN && c2 != EXC_DF)) {
			vector = 8;
			has_error = true;
			*err = 0;
		}
	}
	return KVMLAB_EV_VALID | KVMLAB_EV_EXCEPT | vector |
	       (has_error ? KVMLAB_EV_HAS_ERR : 0);
}

/* The one event the CPU gets at the next entry: the in-tree order. */
static u32 event_word(const struct kvm_vcpu_events *e)
{
	if (e->exception.injected)
		return KVMLAB_EV_VALID | KVMLAB_EV_EXCEPT | e->exception.nr |
		       (e->exception.has_error_code ? KVMLAB_EV_HAS_ERR : 0);
	if (e->nmi.injected)
		return KVMLAB_EV_VALID | KVMLAB_EV_NMI | 2;
	if (e->interrupt.injected)
		return KVMLAB_EV_VALID | e->interrupt.nr |
		       (e->interrupt.soft ? KVMLAB_EV_SOFT : KVMLAB_EV_INTR);
	return 0;
}

static int set_events(struct kvmlab_vcpu *vcpu,
		      struct kvm_vcpu_events __user *u)
{
	struct kvm_vcpu_events e;

	if (!kvmlab_nmi_supported())
		return -EINVAL;
	if (copy_from_user(&e, u, sizeof(e)))
		return -EFAULT;
	/* Payloads and triple-fault events are capabilities to enable
	 * first (KVM_ENABLE_CAP), which kvmlab does not offer.
	 */
	if (e.flags & ~VCPUEVENT_FLAGS ||
	    e.flags & KVM_VCPUEVENT_VALID_PAYLOAD)
		return -EINVAL;
	e.exception.pending = 0;
	if (e.exception.injected &&
	    (e.exception.nr > 31 || e.exception.nr == 2))
		return -EINVAL;
	if (e.flags & KVM_VCPUEVENT_VALID_SMM && (e.smi.smm || e.smi.pending))
		return -EINVAL;
	limit_nmis(vcpu);

	kvmlab_arch->set_event(vcpu, event_word(&e), e.exception.error_code);
	vcpu->irq_queued = false;
	if (e.flags & KVM_VCPUEVENT_VALID_SHADOW)
		kvmlab_arch->set_shadow(vcpu, e.interrupt.shadow);
	if (e.flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		vcpu->nmi_pending = e.nmi.pending;
	kvmlab_arch->set_nmi_mask(vcpu, e.nmi.masked);
	/* sipi_vector: only an in-kernel LAPIC uses it, as in-tree.  The
	 * in-tree KVM refuses the triple-fault flag after the rest is set.
	 */
	if (e.flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT)
		return -EINVAL;
	return 0;
}

long kvmlab_events_ioctl(struct kvmlab_vcpu *vcpu, unsigned int ioctl,
			 void __user *argp)
{
	struct kvm_mp_state mp;

	switch (ioctl) {
	case KVM_GET_FPU:
		return get_fpu(vcpu, argp);
	case KVM_SET_FPU:
		return set_fpu(vcpu, argp);
	case KVM_GET_MP_STATE:
		mp.mp_state = KVM_MP_STATE_RUNNABLE;
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	case KVM_SET_MP_STATE:
		if (copy_from_user(&mp, argp, sizeof(mp)))
			return -EFAULT;
		return mp.mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
	case KVM_GET_VCPU_EVENTS:
		return get_events(vcpu, argp);
	case KVM_SET_VCPU_EVENTS:
		return set_events(vcpu, argp);
	case KVM_NMI:
		return queue_nmi(vcpu);
	case KVM_GET_XSAVE:
		return kvmlab_get_xsave(vcpu, argp);
	case KVM_SET_XSAVE:
		return kvmlab_set_xsave(vcpu, argp);
	case KVM_GET_XCRS:
		return kvmlab_get_xcrs(vcpu, argp);
	case KVM_SET_XCRS:
		return kvmlab_set_xcrs(vcpu, argp);
	}
	return -EINVAL;
}
