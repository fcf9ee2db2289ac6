// SPDX-License-Identifier: GPL-2.0
/* PAE paging on vmrun's identity map (2 MiB pages over the low 4 GiB). */
#include "guest.h"

static unsigned long rdcr(int n)
{
	unsigned long v = 0;

	if (n == 0)
		asm volatile("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		asm volatile("mov %%cr3, %0" : "=r"(v));
	else if (n == 4)
		asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

int main(void)
{
	value("cr0", rdcr(0));
	value("cr3", rdcr(3));
	value("cr4", rdcr(4));
	report((rdcr(0) & 0x80000001) == 0x80000001 && (rdcr(4) & 0x20), "pae-paging-on");

	/* the page directory entries vmrun wrote, seen by the guest */
	u64 *pd = (u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x2000);
	value("pde0", pd[0]);
	value("pde1", pd[1]);

	/* words on both sides of 2 MiB page boundaries */
	u32 bad = 0;
	for (u32 a = (2 << 20) - 8; a < (14 << 20); a += 2 << 20) {
		*(volatile u32 *)a = a;
		*(volatile u32 *)(a + 8) = ~a;
	}
	for (u32 a = (2 << 20) - 8; a < (14 << 20); a += 2 << 20)
		bad += *(volatile u32 *)a != a || *(volatile u32 *)(a + 8) != ~a;
	report(bad == 0, "rw-across-2M-pages");

	/* accessed and dirty bits set by the CPU in the PDE of 8 MiB */
	*(volatile u32 *)(8 << 20) = 1;
	value("pde4-accessed-dirty", pd[4] & 0x60);
	return 0;
}
