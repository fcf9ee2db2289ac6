// SPDX-License-Identifier: GPL-2.0
/*
 * User-mode (CPL 3) access permutations under PAE paging: PDE.U x PTE.U x
 * PDE.W x PTE.W x PTE.NX x {read, write, fetch} on one 4 KiB page at
 * 1 GiB, from ring 3 (lib/ring3.c: the guest's own GDT and TSS, IRET to
 * ring 3, INT 0x30 back).
 * Each case checks fault or not, the #PF error code (U bit included),
 * CR2 and the accessed/dirty bits.
 */
#include "guest.h"

#define PDE_0	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x2000))
#define PDE_1G	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x3000))
#include "user_perm.h"

static int user_access(int op, u32 *err)
{
	return ring3_access(op, VA, err);
}

int main(void)
{
	u32 lo, hi, bad = 0, cases = 0;

	idt_install();
	ring3_setup();
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
	asm volatile("wrmsr" :: "a"(lo | 0x800), "d"(hi), "c"(0xc0000080));	/* NXE */
	PDE_0 |= U;			/* the guest's code, data and stacks: user */
	flush_tlb();

	user_perm_run(&cases, &bad);
	value("cases", cases);
	value("bad", bad);
	PDE_1G = (1ull << 30) | P | W | (1 << 7);
	PDE_0 &= ~U;
	flush_tlb();
	return 0;
}
