// SPDX-License-Identifier: GPL-2.0
/*
 * Context-switch micro-benchmark for the shadow MMU variants: NAS address
 * spaces (2-level paging, 4 KiB pages), each mapping NPAGES pages at 1 GiB
 * to frames of its own; ROUNDS times, switch CR3 to each in turn and touch
 * every page (read and write).  vmrun --arg 0=NAS (max 16, default 8)
 * --arg 1=NPAGES (max 512, default 64) --arg 2=ROUNDS (default 20),
 * NAS * NPAGES <= 2048.  flush rebuilds the shadow tables on every
 * switch, cache finds them again, npt never shadows.  The sums are values
 * (deterministic), the TSC cost per switch is a stat.
 */
#include "guest.h"

#define MAX_AS	16
#define MAX_PAGES 512
static u32 NAS, NPAGES, ROUNDS;
#define VA	0x40000000u
#define FRAMES	0x00800000u	/* 8 MiB on: NAS * NPAGES <= 2048 frames */

static u32 pd[MAX_AS][1024] __attribute__((aligned(4096)));
static u32 pt[MAX_AS][1024] __attribute__((aligned(4096)));

int main(void)
{
	u32 sum = 0;
	u64 t0, t1;

	NAS = guest_arg(0, 8);
	NPAGES = guest_arg(1, 64);
	ROUNDS = guest_arg(2, 20);
	/* frames from 8 MiB up must stay inside vmrun's default 16 MiB */
	if (NAS < 1 || NAS > MAX_AS || NPAGES < 1 || NPAGES > MAX_PAGES || ROUNDS < 1 ||
	    NAS * NPAGES > 2048)
		guest_abort("bad-args", 0);
	value("address-spaces", NAS);
	value("pages", NPAGES);

	for (u32 as = 0; as < NAS; as++) {
		for (u32 i = 0; i < 16; i++)	/* identity 4 MiB pages, low 64 MiB */
			pd[as][i] = i << 22 | 0x83;
		pd[as][VA >> 22] = (u32)pt[as] | 0x3;
		for (u32 p = 0; p < NPAGES; p++) {
			u32 frame = FRAMES + (as * NPAGES + p) * 0x1000;
			pt[as][p] = frame | 0x3;
			*(volatile u32 *)frame = as << 16 | p;
		}
	}
	asm volatile("mov %0, %%cr3" :: "r"(pd[0]) : "memory");
	asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
	asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");

	t0 = rdtsc();
	for (u32 r = 0; r < ROUNDS; r++)
		for (u32 as = 0; as < NAS; as++) {
			asm volatile("mov %0, %%cr3" :: "r"(pd[as]) : "memory");
			for (u32 p = 0; p < NPAGES; p++) {
				volatile u32 *v = (volatile u32 *)(VA + p * 0x1000);
				sum += *v;
				v[1] = r;
			}
		}
	t1 = rdtsc();
	value("switches", ROUNDS * NAS);
	value("touches", ROUNDS * NAS * NPAGES);
	value("sum", sum);
	stat("tsc-per-switch", (u32)(t1 - t0) / (ROUNDS * NAS));
	report(sum == (u32)ROUNDS * ((u32)NAS * (NAS - 1) / 2 * 65536u * NPAGES +
				    (u32)NAS * (NPAGES * (NPAGES - 1) / 2)),
	       "cr3switch-sum");
	return 0;
}
