// SPDX-License-Identifier: GPL-2.0
/*
 * Thousands of address spaces (hostile to a shadow-page cache): NAS
 * (--arg 0, default 2000) page directories, each with its own page table
 * mapping its own frame at VA and a shared frame at VA + 4 KiB; ROUNDS
 * (--arg 1, default 2) times, switch to each, read and increment its
 * frame and read the shared one.  Needs NAS * 12 KiB above 4 MiB:
 * --mem 32 for 2000 (--arg 2 = MB given to vmrun, default 32).  The
 * cache variant must recycle shadow pages (tests/mmu/run checks
 * mmu_recycled and the shadow_pages limit) and still compute the sums.
 */
#include "guest.h"

#define VA	0x40000000u
#define TABLES	0x00400000u
#define SHARED	0x003ff000u	/* one page below the tables */

static inline void write_cr3(u32 v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }

int main(void)
{
	u32 nas = guest_arg(0, 2000), rounds = guest_arg(1, 2), mb = guest_arg(2, 32);
	u32 frames = TABLES + nas * 0x2000, sum = 0, expect = 0, bad = 0;

	if (!nas || !rounds || mb > 60 || frames + nas * 0x1000 > mb << 20)
		guest_abort("bad-args", 0);
	value("address-spaces", nas);
	value("rounds", rounds);
	*(volatile u32 *)SHARED = 0x5eed;
	for (u32 as = 0; as < nas; as++) {
		u32 *pd = (u32 *)(TABLES + as * 0x2000), *pt = pd + 1024;

		memset(pd, 0, 0x2000);
		for (u32 i = 0; i < 16; i++)	/* identity 4 MiB pages, low 64 MiB */
			pd[i] = i << 22 | 0x83;
		pd[VA >> 22] = (u32)pt | 0x3;
		pt[0] = (frames + as * 0x1000) | 0x3;
		pt[1] = SHARED | 0x1;
		*(volatile u32 *)(frames + as * 0x1000) = as;
	}
	write_cr3(TABLES);
	asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
	asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");
	for (u32 r = 0; r < rounds; r++)
		for (u32 as = 0; as < nas; as++) {
			volatile u32 *v = (volatile u32 *)VA;

			write_cr3(TABLES + as * 0x2000);
			sum += *v + v[1024];
			*v += 1;
			expect += as + r + 0x5eed;
		}
	write_cr3(TABLES);
	for (u32 as = 0; as < nas; as++)
		bad += *(volatile u32 *)(frames + as * 0x1000) != as + rounds;
	value("switches", nas * rounds);
	value("sum", sum);
	report(sum == expect, "manyas-sum");
	report(bad == 0, "manyas-frames");
	return 0;
}
