// SPDX-License-Identifier: GPL-2.0
/*
 * The guest enters long mode itself, as an OS does: 4-level identity map,
 * CR4.PAE, EFER.LME, CR0.PG (EFER.LMA must follow), a far call into a
 * 64-bit code segment, back to compatibility mode, then paging and long
 * mode off again.  EFER is reported at each step.
 */
#include "guest.h"

static u64 pml4[512] __attribute__((aligned(4096)));
static u64 pdpt[512] __attribute__((aligned(4096)));
static u64 pd[512] __attribute__((aligned(4096)));
u64 result64;
u32 cs64;

static u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" :: "a"((u32)v), "d"((u32)(v >> 32)), "c"(msr) : "memory");
}

static u32 rcr(int n)
{
	u32 v = 0;

	if (n == 0)
		asm volatile("mov %%cr0, %0" : "=r"(v));
	else
		asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* 64-bit code reached by a far call from compatibility mode */
asm(".text\n"
    ".code64\n"
    "long_code:\n\t"
    "movabs $0x123456789, %rax\n\t"
    "shl $8, %rax\n\t"
    "mov %r8, %r8\n\t"		/* an instruction only 64-bit mode has */
    "movl $result64, %edx\n\t"	/* ELF32 object: 32-bit absolute */
    "mov %rax, (%rdx)\n\t"
    "mov %cs, %eax\n\t"
    "movl $cs64, %edx\n\t"
    "mov %eax, (%rdx)\n\t"
    "lretl\n"
    ".code32\n");

int main(void)
{
	pml4[0] = (u32)pdpt | 3;
	pdpt[0] = (u32)pd | 3;
	for (u32 i = 0; i < 512; i++)
		pd[i] = (u64)i << 21 | 0x83;

	asm volatile("mov %0, %%cr4" :: "r"(rcr(4) | 0x20) : "memory");	/* PAE */
	asm volatile("mov %0, %%cr3" :: "r"(pml4) : "memory");
	wrmsr(0xc0000080, rdmsr(0xc0000080) | 0x100);			/* LME */
	value("efer-lme", rdmsr(0xc0000080));
	asm volatile("mov %0, %%cr0" :: "r"(rcr(0) | 0x80000000u) : "memory");	/* PG */
	u64 efer = rdmsr(0xc0000080);
	value("efer-paging-on", efer);
	report((efer & 0x500) == 0x500, "lma-set-by-paging");

	asm volatile("lcall $0x18, $long_code" ::: "eax", "edx", "memory");
	value("result64", result64);
	value("cs-in-64bit", cs64);
	report(result64 == 0x12345678900ull && cs64 == SEL_CODE64, "ran-64-bit-code");
	u32 cs;
	asm volatile("mov %%cs, %0" : "=r"(cs));
	report(cs == SEL_CODE32, "back-in-compat-mode");

	asm volatile("mov %0, %%cr0" :: "r"(rcr(0) & ~0x80000000u) : "memory");	/* PG off */
	efer = rdmsr(0xc0000080);
	value("efer-paging-off", efer);
	report((efer & 0x500) == 0x100, "lma-cleared-by-paging-off");
	wrmsr(0xc0000080, efer & ~0x100ull);
	asm volatile("mov %0, %%cr4" :: "r"(rcr(4) & ~0x20u) : "memory");
	value("efer-end", rdmsr(0xc0000080));
	return 0;
}
