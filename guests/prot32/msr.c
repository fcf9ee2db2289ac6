// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs as a guest sees them: write and read back the SYSENTER, SYSCALL
 * and segment-base MSRs, read EFER, PAT and the TSC, and check that an
 * unknown MSR and a reserved EFER bit raise #GP.
 */
#include "guest.h"

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

static void roundtrip(const char *name, u32 msr, u64 v)
{
	u64 r = 0;
	int wv = wrmsr_safe(msr, v);
	int rv = rdmsr_safe(msr, &r);

	value(name, r);
	report(wv == -1 && rv == -1 && r == v, "%s-roundtrip", name);
}

int main(void)
{
	u64 v, t0, t1;
	int vec;

	idt_install();
	roundtrip("sysenter-cs", 0x174, 0x8);
	roundtrip("sysenter-esp", 0x175, 0x12345678);
	roundtrip("sysenter-eip", 0x176, 0x9abcdef0);
	roundtrip("star", 0xc0000081, 0x0023001000000000ull);
	roundtrip("lstar", 0xc0000082, 0xffffffff81000000ull);
	roundtrip("cstar", 0xc0000083, 0xffffffff81001000ull);
	roundtrip("sfmask", 0xc0000084, 0x47700);
	roundtrip("fs-base", 0xc0000100, 0x7f0000001000ull);
	roundtrip("gs-base", 0xc0000101, 0x7f0000002000ull);
	roundtrip("kernel-gs-base", 0xc0000102, 0xffff888000000000ull);

	vec = rdmsr_safe(0xc0000080, &v);
	value("efer", v);
	report(vec == -1, "efer-readable");
	vec = rdmsr_safe(0x277, &v);
	value("pat", v);
	report(vec == -1, "pat-readable");
	roundtrip("pat", 0x277, 0x0007040600070106ull);

	rdmsr_safe(0x10, &t0);
	rdmsr_safe(0x10, &t1);
	report(t1 > t0, "tsc-msr-monotonic");

	vec = rdmsr_safe(0xdeadbeef, &v);
	value("unknown-rdmsr-vector", (u32)vec);
	report(vec == 13, "unknown-rdmsr-gp");
	vec = wrmsr_safe(0xdeadbeef, 1);
	report(vec == 13, "unknown-wrmsr-gp");
	vec = wrmsr_safe(0xc0000080, 1ull << 2);	/* EFER bit 2: reserved */
	report(vec == 13, "efer-reserved-bit-gp");
	vec = wrmsr_safe(0x277, 0x0000000000000002ull);	/* PAT type 2: reserved */
	report(vec == 13, "pat-reserved-type-gp");
	return 0;
}
