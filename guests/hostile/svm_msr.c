// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs that control SVM, from a guest: setting EFER.SVME, reading
 * and writing VM_HSAVE_PA and VM_CR.  EFER.SVME is writable exactly when
 * CPUID offers SVM (vmrun gives the guest the driver's supported CPUID:
 * the in-tree KVM offers nested SVM, kvmlab does not), so the guest
 * checks that rule rather than printing either answer; the other vectors
 * and values are printed and both drivers must agree exactly.
 */
#include "guest.h"

#define MSR_EFER	0xc0000080u
#define MSR_VM_CR	0xc0010114u
#define MSR_VM_HSAVE_PA	0xc0010117u
#define EFER_SVME	(1u << 12)

static int rdmsr_safe(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;

	exc_expect(2);
	asm volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*v = (u64)hi << 32 | lo;
	return exc_take(NULL);
}

static int wrmsr_safe(u32 msr, u64 v)
{
	exc_expect(2);
	asm volatile("wrmsr" :: "a"((u32)v), "d"((u32)(v >> 32)), "c"(msr) : "memory");
	return exc_take(NULL);
}

/* vector -1: no exception */
static void rd(const char *name, u32 msr)
{
	u64 v = 0;
	int vec = rdmsr_safe(msr, &v);

	printf("%s-read-vector %d\n", name, vec);
	if (vec == -1)
		value(name, v);
}

static void wr(const char *name, u32 msr, u64 v)
{
	printf("%s-write-vector %d\n", name, wrmsr_safe(msr, v));
}

int main(void)
{
	u32 a, b, c, d;
	u64 efer = 0;

	idt_install();
	u64 after = 0;
	int svm, vec;

	cpuid(0x80000001, 0, &a, &b, &c, &d);
	svm = (c >> 2) & 1;
	rdmsr_safe(MSR_EFER, &efer);
	value("efer", efer);
	vec = wrmsr_safe(MSR_EFER, efer | EFER_SVME);
	rdmsr_safe(MSR_EFER, &after);
	report(svm ? vec == -1 && (after & EFER_SVME) : vec == 13 && after == efer,
	       "efer-svme-as-cpuid-says");
	wr("efer-restore", MSR_EFER, efer);
	rd("vm-hsave-pa", MSR_VM_HSAVE_PA);
	wr("vm-hsave-pa-0x10000", MSR_VM_HSAVE_PA, 0x10000);
	wr("vm-hsave-pa-0x123", MSR_VM_HSAVE_PA, 0x123);
	rd("vm-hsave-pa-after", MSR_VM_HSAVE_PA);
	rd("vm-cr", MSR_VM_CR);
	wr("vm-cr-svmdis", MSR_VM_CR, 1u << 4);
	/* still without SVM: the instructions raise #UD */
	exc_expect(3);
	asm volatile(".byte 0x0f, 0x01, 0xd8" :: "a"(0) : "memory");
	value("vmrun-vector", (u32)exc_take(NULL));
	return 0;
}
