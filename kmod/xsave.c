// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the guest's extended state (XSAVE) and its XCR0.
 *
 * vcpu->fpu is a 4 KiB area in the standard (non-compacted) XSAVE format,
 * the format of KVM_GET/SET_XSAVE; its first 512 bytes are the fxsave image
 * of KVM_GET/SET_FPU.  Around each entry, inside kernel_fpu_begin/end
 * (which saved the host task's registers): XRSTOR of the guest's
 * components and, with IRQs off, the guest's XCR0; after the exit the
 * host's XCR0 again and XSAVE of the guest's components, as the in-tree
 * KVM switches them.  Offered to the guest: x87, SSE and AVX, as far as
 * the host has them.  Without XSAVE on the host: FXRSTOR/FXSAVE only.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/processor-flags.h>

#include "kvmlab.h"

#define XSTATE_FP	BIT_ULL(0)
#define XSTATE_SSE	BIT_ULL(1)
#define XSTATE_YMM	BIT_ULL(2)
#define XSAVE_HDR	512		/* XSTATE_BV, XCOMP_BV, reserved */
#define XSAVE_HDR_LEN	64

static u64 host_xcr0;
static u64 supported_xcr0;	/* 0: no XSAVE, FXSAVE only */

void kvmlab_xsave_init(void)
{
	u32 a, b, c, d;

	if (!boot_cpu_has(X86_FEATURE_XSAVE) ||
	    !(native_read_cr4() & X86_CR4_OSXSAVE))
		return;
	host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	supported_xcr0 = host_xcr0 & (XSTATE_FP | XSTATE_SSE | XSTATE_YMM);
	if (supported_xcr0 & XSTATE_YMM) {
		cpuid_count(0xd, 2, &a, &b, &c, &d);
		/* The standard format must fit the ABI's 4 KiB */
		if (a + b > KVMLAB_FPU_SIZE)
			supported_xcr0 &= ~XSTATE_YMM;
	}
}

u64 kvmlab_supported_xcr0(void)
{
	return supported_xcr0;
}

/* The fresh area: x87 and SSE in it (FCW, MXCSR at reset). */
void kvmlab_fpu_reset(struct kvmlab_vcpu *vcpu)
{
	u8 *fx = vcpu->fpu;

	memset(fx, 0, KVMLAB_FPU_SIZE);
	*(u16 *)fx = 0x37f;		/* FCW after FNINIT */
	*(u32 *)(fx + 24) = 0x1f80;	/* MXCSR at reset */
	*(u64 *)(fx + XSAVE_HDR) = XSTATE_FP | XSTATE_SSE;
	vcpu->xcr0 = XSTATE_FP;
}

/* KVM_SET_FPU wrote the legacy region: XRSTOR must load it. */
void kvmlab_fpu_legacy_written(struct kvmlab_vcpu *vcpu)
{
	*(u64 *)((u8 *)vcpu->fpu + XSAVE_HDR) |= XSTATE_FP | XSTATE_SSE;
}

/* After kernel_fpu_begin(), IRQs on. */
void kvmlab_fpu_load(struct kvmlab_vcpu *vcpu)
{
	u64 m = vcpu->xcr0;

	if (!supported_xcr0) {
		asm volatile("fxrstor64 %0" : : "m" (*(u8 (*)[512])vcpu->fpu));
		return;
	}
	asm volatile("xrstor64 %0"
		     : : "m" (*(u8 (*)[KVMLAB_FPU_SIZE])vcpu->fpu),
		       "a" ((u32)m), "d" ((u32)(m >> 32)) : "memory");
}

/* IRQs off, just before entry and just after the exit. */
void kvmlab_xcr0_guest(struct kvmlab_vcpu *vcpu)
{
	if (supported_xcr0 && vcpu->xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
}

/*
 * The XCR0 the guest left is its own: QEMU's TCG runs a guest's XSETBV
 * without the SVM intercept, so XCR0 can change with no exit (the in-tree
 * KVM then loses the guest's value at the next entry).  Hardware always
 * exits on XSETBV: there the value read is the one kvmlab loaded.
 */
void kvmlab_xcr0_host(struct kvmlab_vcpu *vcpu)
{
	u64 cur;

	if (!supported_xcr0)
		return;
	cur = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	vcpu->xcr0 = cur;
	if (cur != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
}

/* Before kernel_fpu_end(), IRQs on, host XCR0 back. */
void kvmlab_fpu_save(struct kvmlab_vcpu *vcpu)
{
	u64 m = vcpu->xcr0;

	if (!supported_xcr0) {
		asm volatile("fxsave64 %0" : "=m" (*(u8 (*)[512])vcpu->fpu));
		return;
	}
	asm volatile("xsave64 %0" : "+m" (*(u8 (*)[KVMLAB_FPU_SIZE])vcpu->fpu)
		     : "a" ((u32)m), "d" ((u32)(m >> 32)));
}

/* What the guest may enable: its CPUID leaf 0xD, within what we offer. */
static u64 guest_supported_xcr0(struct kvmlab_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = kvmlab_find_cpuid(vcpu, 0xd, 0);

	if (!e)
		return 0;
	return (e->eax | (u64)e->edx << 32) & supported_xcr0;
}

/* The in-tree __kvm_set_xcr(): 0 = set, 1 = refused (#GP, EINVAL). */
int kvmlab_set_xcr(struct kvmlab_vcpu *vcpu, u32 index, u64 xcr0)
{
	if (index != XCR_XFEATURE_ENABLED_MASK || !(xcr0 & XSTATE_FP))
		return 1;
	if ((xcr0 & XSTATE_YMM) && !(xcr0 & XSTATE_SSE))
		return 1;
	if (xcr0 & ~(guest_supported_xcr0(vcpu) | XSTATE_FP))
		return 1;
	vcpu->xcr0 = xcr0;
	return 0;
}

/* XSETBV in the guest: #GP at CPL > 0 or for a refused value. */
int kvmlab_emulate_xsetbv(struct kvmlab_vcpu *vcpu)
{
	struct kvm_segment ss;
	u64 v = (u32)vcpu->regs[VCPU_RAX] | (u64)vcpu->regs[VCPU_RDX] << 32;
	int cpl = 0;

	if (vcpu->cr0 & X86_CR0_PE) {
		kvmlab_arch->get_segment(vcpu, &ss, SEG_SS);
		cpl = ss.dpl;
	}
	if (cpl || kvmlab_set_xcr(vcpu, vcpu->regs[VCPU_RCX], v))
		return 1;
	return 0;
}

/* The guest's XSAVE area as KVM_GET_XSAVE gives it. */
int kvmlab_get_xsave(struct kvmlab_vcpu *vcpu, struct kvm_xsave __user *u)
{
	if (!supported_xcr0)
		return -EINVAL;
	if (copy_to_user(u, vcpu->fpu, KVMLAB_FPU_SIZE))
		return -EFAULT;
	return 0;
}

/* The in-tree checks: known components, standard format, MXCSR. */
int kvmlab_set_xsave(struct kvmlab_vcpu *vcpu, struct kvm_xsave __user *u)
{
	u8 *area, *hdr;
	u64 bv;
	int i, r = -EINVAL;

	if (!supported_xcr0)
		return -EINVAL;
	area = kmalloc(KVMLAB_FPU_SIZE, GFP_KERNEL);
	if (!area)
		return -ENOMEM;
	if (copy_from_user(area, u, KVMLAB_FPU_SIZE)) {
		r = -EFAULT;
		goto out;
	}
	hdr = area + XSAVE_HDR;
	bv = *(u64 *)hdr;
	if (bv & ~supported_xcr0)
		goto out;
	for (i = 8; i < XSAVE_HDR_LEN; i++)
		if (hdr[i])
			goto out;	/* XCOMP_BV and the reserved bytes */
	if ((bv & (XSTATE_SSE | XSTATE_YMM)) &&
	    (*(u32 *)(area + 24) & ~kvmlab_mxcsr_valid()))
		goto out;
	memcpy(vcpu->fpu, area, KVMLAB_FPU_SIZE);
	r = 0;
out:
	kfree(area);
	return r;
}

int kvmlab_get_xcrs(struct kvmlab_vcpu *vcpu, struct kvm_xcrs __user *u)
{
	struct kvm_xcrs x;

	if (!supported_xcr0)
		return -EINVAL;
	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
	x.xcrs[0].value = vcpu->xcr0;
	return copy_to_user(u, &x, sizeof(x)) ? -EFAULT : 0;
}

int kvmlab_set_xcrs(struct kvmlab_vcpu *vcpu, struct kvm_xcrs __user *u)
{
	struct kvm_xcrs x;
	u32 i;

	if (!supported_xcr0)
		return -EINVAL;
	if (copy_from_user(&x, u, sizeof(x)))
		return -EFAULT;
	if (x.nr_xcrs > KVM_MAX_XCRS || x.flags)
		return -EINVAL;
	for (i = 0; i < x.nr_xcrs; i++)
		if (x.xcrs[i].xcr == XCR_XFEATURE_ENABLED_MASK)
			return kvmlab_set_xcr(vcpu, 0, x.xcrs[i].value) ?
			       -EINVAL : 0;
	return 0;
}
