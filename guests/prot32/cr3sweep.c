// SPDX-License-Identifier: GPL-2.0
/*
 * Context-switch benchmark for the shadow MMU variants, in the three
 * paging modes (one source: prot32/cr3sweep.c is 32-bit 2-level paging,
 * pae/cr3sweep.c and long/cr3sweep.c include it).  NAS address spaces,
 * each mapping NPAGES 4 KiB pages at VA to frames of its own; ROUNDS
 * times, switch CR3 to each address space in turn and touch every page
 * (read, then write).  Unlike prot32/cr3switch it takes big shapes
 * (the bench sweep goes to 256 x 256): its page tables and frames come
 * from guest memory above 4 MiB, so give vmrun enough of it:
 *
 *   vmrun --mem MB --arg 0=NAS --arg 1=NPAGES --arg 2=ROUNDS --arg 3=MB
 *
 * (arg 3 tells the guest how much memory vmrun gave it; default 16).
 * Defaults 8 x 64 x 20, as prot32/cr3switch.  NAS <= 1024, NPAGES <= 512.
 *
 * Its address spaces are lib/addrspace.h's.
 * The values (switches, touches, sum, check) are deterministic; the TSC
 * cost per switch is a stat.
 */
#include "addrspace.h"

#define MAX_AS		1024
#define MAX_PAGES	512

static u32 NAS, NPAGES, ROUNDS, MEM_MB;
static uintptr_t roots[MAX_AS];
static pte_t *pts[MAX_AS];

int main(void)
{
	u32 sum = 0, expect = 0, bad = 0;
	u64 t0, t1;
	uintptr_t frames;

	NAS = guest_arg(0, 8);
	NPAGES = guest_arg(1, 64);
	ROUNDS = guest_arg(2, 20);
	MEM_MB = guest_arg(3, 16);
	if (NAS < 1 || NAS > MAX_AS || NPAGES < 1 || NPAGES > MAX_PAGES || ROUNDS < 1)
		guest_abort("bad-args", 0);
	value("paging-levels", LEVELS);
	value("address-spaces", NAS);
	value("pages", NPAGES);
	value("rounds", ROUNDS);

	/* tables first, then frames: all must fit in MEM_MB */
	frames = TABLES + (uintptr_t)NAS * LEVELS * 0x1000;
	if (frames + (uintptr_t)NAS * NPAGES * 0x1000 > (uintptr_t)MEM_MB << 20 ||
	    MEM_MB > 1024)
		guest_abort("bad-args-memory", MEM_MB);

	for (u32 as = 0; as < NAS; as++) {
		roots[as] = as_build(&pts[as]);
		for (u32 p = 0; p < NPAGES; p++) {
			uintptr_t frame = frames + ((uintptr_t)as * NPAGES + p) * 0x1000;

			pts[as][p] = frame | 0x3;
			*(volatile u32 *)frame = as << 16 | p;
			expect += as << 16 | p;
		}
	}
	expect *= ROUNDS;
	as_paging_on(roots[0]);

	t0 = rdtsc();
	for (u32 r = 0; r < ROUNDS; r++)
		for (u32 as = 0; as < NAS; as++) {
			write_cr3(roots[as]);
			for (u32 p = 0; p < NPAGES; p++) {
				volatile u32 *v = (volatile u32 *)(uintptr_t)(VA + p * 0x1000);

				sum += *v;
				v[1] = r + 1;
			}
		}
	t1 = rdtsc();
	/* every frame written through its own mapping, seen by identity */
	for (u32 i = 0; i < NAS * NPAGES; i++)
		bad += *(volatile u32 *)(frames + (uintptr_t)i * 0x1000 + 4) != ROUNDS;
	value("switches", ROUNDS * NAS);
	value("touches", ROUNDS * NAS * NPAGES);
	value("sum", sum);
	stat("tsc-per-switch", (u32)(t1 - t0) / (ROUNDS * NAS));
	report(sum == expect, "cr3sweep-sum");
	report(bad == 0, "cr3sweep-writes");
	return 0;
}
