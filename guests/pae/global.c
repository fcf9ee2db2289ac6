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
#include "paging.h"

#define P	PTE_P
#define W	PTE_W
#define A	PTE_A
#define D	PTE_D
#define G	PTE_G
#define VA	0x40000000u
#define FRAME_A	0x00a00000u
#define FRAME_B	0x00a01000u

static u64 pt[512] __attribute__((aligned(4096)));
static u32 rd(void) { return *(volatile u32 *)(uintptr_t)VA; }

int main(void)
{
	idt_install();
	*(volatile u32 *)(uintptr_t)FRAME_A = 0xaaaa0001;
	*(volatile u32 *)(uintptr_t)FRAME_B = 0xbbbb0002;
	PDE_1G = (uintptr_t)pt | P | W;
	pt[0] = FRAME_A | P | W | G;
	write_cr4(read_cr4() | 0x80);			/* PGE */
	write_cr3(read_cr3());
	report(rd() == 0xaaaa0001, "global-read-a");
	value("pte-a-bits", pt[0] & (A | D | G));

	pt[0] = FRAME_B | P | W | G;
	invlpg(VA);
	report(rd() == 0xbbbb0002, "invlpg-global-sees-b");

	pt[0] = FRAME_A | P | W | G;
	write_cr4(read_cr4() & ~0x80ul);
	write_cr4(read_cr4() | 0x80);
	report(rd() == 0xaaaa0001, "pge-toggle-sees-a");

	*(volatile u32 *)(uintptr_t)VA = 0xaaaa0003;	/* sets D */
	value("pte-a-bits-after-write", pt[0] & (A | D | G));
	report(*(volatile u32 *)(uintptr_t)FRAME_A == 0xaaaa0003, "write-through-global");

	write_cr4(read_cr4() & ~0x80ul);		/* G is ignored now */
	pt[0] = FRAME_B | P | W | G;
	write_cr3(read_cr3());
	report(rd() == 0xbbbb0002, "cr3-write-without-pge-sees-b");

	PDE_1G = PDE_1G_VMRUN;
	write_cr3(read_cr3());
	return 0;
}
