// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table entries changed in place, mprotect/remap style, each
 * followed by the INVLPG the architecture asks for (32-bit 2-level
 * paging): PAGES (8) pages at VA map frames holding their index; after a
 * warm-up read of each, one benchmark segment rewrites PTE i to the next
 * frame (with A and D set, as an OS does when it maps a page it is about
 * to use), INVLPGs it and reads the page, which must show the new frame.
 * tests/mmu/run checks the segment's counts: on cache every PTE write is
 * caught and applied to the shadow entry in place (mmu_pte_write =
 * mmu_pte_updated = PAGES), INVLPG maps it again, and the reads do not
 * fault; flush rebuilds each entry on the read's fault instead.
 */
#include "guest.h"

#define VA	0x40000000u
#define FRAMES	0x00800000u
#define PAGES	8

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[1024] __attribute__((aligned(4096)));

static inline void invlpg(u32 va) { asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline u32 rd(u32 i) { return *(volatile u32 *)(VA + i * 4096); }

int main(void)
{
	u32 bad = 0;

	for (u32 i = 0; i < 16; i++)
		pd[i] = i << 22 | 0x83;			/* 4 MiB identity */
	pd[VA >> 22] = (u32)pt | 0x7;
	for (u32 i = 0; i < PAGES; i++) {
		*(volatile u32 *)(FRAMES + i * 4096) = 0x1000 + i;
		pt[i] = (FRAMES + i * 4096) | 0x67;	/* P W U A D */
	}
	asm volatile("mov %0, %%cr3" :: "r"(pd) : "memory");
	asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
	asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");

	for (u32 i = 0; i < PAGES; i++)
		bad += rd(i) != 0x1000 + i;
	report(bad == 0, "ptupdate-warm");

	mark_begin("ptupdate");
	for (u32 i = 0; i < PAGES; i++) {
		u32 j = (i + 1) % PAGES;

		pt[i] = (FRAMES + j * 4096) | 0x67;
		invlpg(VA + i * 4096);
		bad += rd(i) != 0x1000 + j;
	}
	mark_end("ptupdate", 0);
	report(bad == 0, "ptupdate-remapped");
	return 0;
}
