// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile page tables: entries that point outside every memory slot
 * (vmrun's memory ends at 16 MiB; nothing is at 3 GiB).  With 2-level
 * paging on (4 MiB identity pages for the low 64 MiB):
 *   case 1  PDE of VA -> a page table at 3 GiB; read VA
 *   case 2  the same, write VA
 *   case 4  PDE -> a page table in memory whose PTE 0 -> a frame at
 *           3 GiB + 4 KiB; read it (an MMIO access for vmrun)
 *   case 8  a 4 MiB PDE -> 3 GiB; read it
 * --arg 0 = mask of cases (default 0xf).  Each case reports the vector
 * (-1: none), error code, CR2 and the value read: whatever the in-tree
 * KVM gives is the expectation.
 */
#include "guest.h"

#define VA	0x40000000u
#define OOB	0xc0000000u

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[1024] __attribute__((aligned(4096)));

static inline u32 read_cr2(void) { u32 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }

static void access(const char *name, int write, u32 va)
{
	u32 v = 0x5a5a5a5a, err = 0, cr2;
	int vec;
	char n[40];

	asm volatile("mov %0, %%cr2" :: "r"(0u));
	exc_expect(2);
	if (write)
		asm volatile(".byte 0x89, 0x03" :: "a"(v), "b"(va) : "memory");	/* mov %eax,(%ebx) */
	else
		asm volatile(".byte 0x8b, 0x03" : "+a"(v) : "b"(va) : "memory");	/* mov (%ebx),%eax */
	cr2 = read_cr2();
	vec = exc_take(&err);
	printf("%s: vector %d error 0x%x cr2 0x%x value 0x%x\n", name, vec, err, cr2, v);
	for (u32 i = 0; name[i] && i < 20; i++)
		n[i] = name[i], n[i + 1] = 0;
	value(n, (u64)(u32)vec << 32 | err);
}

int main(void)
{
	u32 mask = guest_arg(0, 0xf);

	idt_install();
	for (u32 i = 0; i < 16; i++)
		pd[i] = i << 22 | 0x83;
	pd[VA >> 22] = OOB | 0x3;			/* table outside memory */
	pd[(VA >> 22) + 1] = (u32)pt | 0x3;
	pt[0] = (OOB + 0x1000) | 0x3;			/* frame outside memory */
	pd[(VA >> 22) + 2] = OOB | 0x83;		/* 4 MiB page outside memory */
	asm volatile("mov %0, %%cr3" :: "r"(pd) : "memory");
	asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
	asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");
	if (mask & 1)
		access("oob-table-read", 0, VA + 0x10);
	if (mask & 2)
		access("oob-table-write", 1, VA + 0x20);
	if (mask & 4)
		access("oob-frame-read", 0, VA + (4 << 20));
	if (mask & 8)
		access("oob-4m-read", 0, VA + (8 << 20) + 0x40);
	report(1, "pt-oob-survived");
	return 0;
}
