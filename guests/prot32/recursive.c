// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile page tables: a self-referencing page directory (recursive
 * mapping, 2-level paging).  PDE 1023 points at the directory itself,
 * so 0xffc00000 + 4 KiB * i maps page table i and 0xfffff000 the
 * directory.  The guest reads PDEs and PTEs through the window, writes
 * a new PTE and a new PDE through it (the shadow MMU sees a page
 * table mapped as data and written), uses the new mappings, clears one
 * again (INVLPG, then #PF), and reports the accessed/dirty bits the CPU
 * set in the recursive PDE.
 */
#include "guest.h"

#define VA	0x40000000u
#define VA2	0x40400000u
#define WIN	0xffc00000u
#define PDWIN	0xfffff000u
#define FRAME1	0x00a00000u
#define FRAME2	0x00a01000u

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[1024] __attribute__((aligned(4096)));
static u32 pt2[1024] __attribute__((aligned(4096)));

static inline void invlpg(u32 va) { asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline u32 rd(u32 va) { return *(volatile u32 *)va; }
static inline void wr(u32 va, u32 v) { *(volatile u32 *)va = v; }
static inline u32 pte_va(u32 va) { return WIN + (va >> 12) * 4; }
static inline u32 pde_va(u32 va) { return PDWIN + (va >> 22) * 4; }

int main(void)
{
	u32 bad = 0, err = 0, v = 0;
	int vec;

	idt_install();
	for (u32 i = 0; i < 16; i++)
		pd[i] = i << 22 | 0x83;
	pd[VA >> 22] = (u32)pt | 0x3;
	pd[1023] = (u32)pd | 0x3;
	pt[0] = FRAME1 | 0x3;
	wr(FRAME1, 0x11111111);
	wr(FRAME2, 0x22222222);
	asm volatile("mov %0, %%cr3" :: "r"(pd) : "memory");
	asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
	asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");

	/* reads through the window: the directory and VA's page table */
	for (u32 i = 0; i < 16; i++)
		bad += rd(PDWIN + i * 4) != pd[i];
	value("pde-vawin", rd(pde_va(VA)) & ~0x60u);
	value("pde-1023", rd(PDWIN + 1023 * 4) & ~0x60u);
	value("pte-va", rd(pte_va(VA)) & ~0x60u);
	report(bad == 0, "recursive-read-pdes");
	value("va", rd(VA));

	/* a new PTE written through the window, then used */
	wr(pte_va(VA + 0x1000), FRAME2 | 0x3);
	invlpg(VA + 0x1000);
	value("va+4k", rd(VA + 0x1000));
	report((pt[1] & ~0x60u) == (FRAME2 | 0x3), "recursive-pte-write-visible");

	/* a new PDE written through the directory window, then its table
	 * filled through the window too */
	wr(pde_va(VA2), (u32)pt2 | 0x3);
	invlpg(WIN + (VA2 >> 22) * 0x1000);
	wr(pte_va(VA2), FRAME1 | 0x3);
	wr(pte_va(VA2 + 0x3000), FRAME2 | 0x3);
	value("va2", rd(VA2));
	value("va2+12k", rd(VA2 + 0x3000));
	wr(VA2 + 4, 0x33333333);
	value("frame1+4", rd(FRAME1 + 4));
	report(pt2[0] == (FRAME1 | 0x63) && pt2[3] == (FRAME2 | 0x23), "recursive-ad-bits-in-new-ptes");
	value("pt2-0", pt2[0]);
	value("pt2-3", pt2[3]);

	/* clear through the window, INVLPG, the page is gone */
	wr(pte_va(VA2), 0);
	invlpg(VA2);
	exc_expect(2);
	asm volatile(".byte 0x8b, 0x03" : "+a"(v) : "b"(VA2) : "memory");	/* mov (%ebx),%eax */
	vec = exc_take(&err);
	value("cleared-vector", (u32)vec);
	value("cleared-error", err);

	/* the CPU's accessed/dirty bits in the recursive entry, read directly */
	value("pde-1023-ad", pd[1023] & 0x60);
	value("pde-va-ad", pd[VA >> 22] & 0x60);
	value("pde-va2-ad", pd[VA2 >> 22] & 0x60);
	return 0;
}
