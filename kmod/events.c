// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the vCPU state ioctls a full-system VMM (QEMU) uses beside the
 * registers: the x87/SSE state (KVM_GET_FPU/KVM_SET_FPU) and the
 * multiprocessing state (KVM_GET_MP_STATE/KVM_SET_MP_STATE).
 *
 * The FPU state is the fxsave image the run loop loads and saves around
 * each entry.  Without an in-kernel LAPIC there is no INIT/SIPI protocol in
 * the driver: a vCPU is always runnable, and, as the in-tree KVM, only
 * KVM_MP_STATE_RUNNABLE may be set.
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
static u32 mxcsr_valid(void)
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
	if (f->mxcsr & ~mxcsr_valid()) {
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
out:
	kfree(f);
	return r;
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
	}
	return -EINVAL;
}
