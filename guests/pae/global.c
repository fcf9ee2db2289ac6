// SPDX-License-Identifier: GPL-2.0
/*
 * Global pages (CR4.PGE, PTE.G) and the TLB invalidations the CPU
 * guarantees: a 4 KiB global page at 1 GiB is pointed at frame A, then
 * frame B, each change followed by one invalidation, and every read must
 * see the new frame:
 *   INVLPG of the global page;
 *   CR4.PGE cleared and set again (flushes global entries too);
 *   with CR4.PGE clear, a CR3 write (G means nothing then).
 * (Whether a global entry survives a CR3 write with PGE set is the TLB's
 * choice, so it is not asserted.)  Also the A and D bits the CPU sets in
 * the global PTE.  Built as pae/global and, from long/global.c, under
 * 4-level paging.
 */
#include "guest.h"

#define P	(1ull << 0)
#define W	(1ull << 1)
#define A	(1ull << 5)
#define D	(1ull << 6)
#define G	(1ull << 8)
#define VA	0x40000000u
#define FRAME_A	0x00a00000u
#define FRAME_B	0x00a01000u

static u64 pt[512] __attribute__((aligned(4096)));
#define PDE_1G	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x3000))

static unsigned long cr3(void) { unsigned long v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static unsigned long cr4(void) { unsigned long v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void set_cr3(unsigned long v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static void set_cr4(unsigned long v) { asm volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static void invlpg(uintptr_t va) { asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static u32 rd(void) { return *(volatile u32 *)(uintptr_t)VA; }

int main(void)
{
	idt_install();
	*(volatile u32 *)(uintptr_t)FRAME_A = 0xaaaa0001;
	*(volatile u32 *)(uintptr_t)FRAME_B = 0xbbbb0002;
	PDE_1G = (uintptr_t)pt | P | W;
	pt[0] = FRAME_A | P | W | G;
	set_cr4(cr4() | 0x80);			/* PGE */
	set_cr3(cr3());
	report(rd() == 0xaaaa0001, "global-read-a");
	value("pte-a-bits", pt[0] & (A | D | G));

	pt[0] = FRAME_B | P | W | G;
	invlpg(VA);
	report(rd() == 0xbbbb0002, "invlpg-global-sees-b");

	pt[0] = FRAME_A | P | W | G;
	set_cr4(cr4() & ~0x80ul);
	set_cr4(cr4() | 0x80);
	report(rd() == 0xaaaa0001, "pge-toggle-sees-a");

	*(volatile u32 *)(uintptr_t)VA = 0xaaaa0003;	/* sets D */
	value("pte-a-bits-after-write", pt[0] & (A | D | G));
	report(*(volatile u32 *)(uintptr_t)FRAME_A == 0xaaaa0003, "write-through-global");

	set_cr4(cr4() & ~0x80ul);		/* G is ignored now */
	pt[0] = FRAME_B | P | W | G;
	set_cr3(cr3());
	report(rd() == 0xbbbb0002, "cr3-write-without-pge-sees-b");

	PDE_1G = (1ull << 30) | P | W | (1 << 7);	/* vmrun's 2 MiB page */
	set_cr3(cr3());
	return 0;
}
