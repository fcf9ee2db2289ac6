// SPDX-License-Identifier: GPL-2.0
/*
 * Context-switch sweep for `make bench`: many shapes in one run (one
 * source: pae/cr3grid.c and long/cr3grid.c include it).  256 address
 * spaces are built once, each with its own page tables mapping 256 pages
 * at VA to the SAME 256 data frames (memory stays small, the tables are
 * per address space as in a real OS).  For every shape NAS x NPAGES:
 * one warm-up round (switch CR3 to each of the first NAS spaces, read and
 * write the first NPAGES pages), then a measured segment of ROUNDS such
 * rounds, ROUNDS = max(1, SWITCHES / NAS), between mark_begin() and
 * mark_end(): vmrun prints the driver's counter deltas and the guest's
 * TSC delta (emulated time under icount) per segment, named
 * "n=NAS:m=NPAGES:k=ROUNDS".  The page tables are never written after
 * the build, so a segment measures switches and touches only.
 *
 *   vmrun --mem MB [--arg 0=NMASK] [--arg 1=MMASK] [--arg 2=CENTER]
 *         [--arg 3=SWITCHES] cr3grid.elf
 *
 * NMASK/MMASK: bit i selects 2^i (default 0x1ff: 1..256).  CENTER != 0
 * (default 16): a cross, the NAS values at NPAGES=CENTER then the NPAGES
 * values at NAS=CENTER (the centre once); CENTER=0: the full grid.
 * SWITCHES default 256.  Needs 4 MiB + 256 * LEVELS * 4 KiB + 1 MiB.
 */
#include "addrspace.h"

#define MAX_AS		256
#define MAX_PAGES	256

static uintptr_t roots[MAX_AS];
static u32 bad;

/* One address space mapping VA + i * 4 KiB to frames + i * 4 KiB. */
static uintptr_t build(uintptr_t frames)
{
	pte_t *pt;
	uintptr_t root = as_build(&pt);

	for (u32 p = 0; p < MAX_PAGES; p++)
		pt[p] = (frames + p * 0x1000) | 0x3;
	return root;
}

/* `rounds` rounds over nas spaces x npages pages; returns the sum read */
static u32 rounds_of(u32 nas, u32 npages, u32 rounds)
{
	u32 sum = 0;

	for (u32 r = 0; r < rounds; r++)
		for (u32 as = 0; as < nas; as++) {
			write_cr3(roots[as]);
			for (u32 p = 0; p < npages; p++) {
				volatile u32 *v = (volatile u32 *)(uintptr_t)(VA + p * 0x1000);

				sum += *v;
				v[1] = as;
			}
		}
	return sum;
}

static void shape(u32 nas, u32 npages, u32 switches)
{
	u32 k = switches / nas ? switches / nas : 1, sum, expect;
	char name[UCALL_NAME_LEN];
	u64 t0, t1;

	snprintf_(name, sizeof(name), "n=%u:m=%u:k=%u", nas, npages, k);
	rounds_of(nas, npages, 1);	/* warm-up */
	mark_begin(name);
	t0 = rdtsc();
	sum = rounds_of(nas, npages, k);
	t1 = rdtsc();
	mark_end(name, t1 - t0);
	/* frame p holds p: every touch read it */
	expect = k * nas * (npages * (npages - 1) / 2);
	bad += sum != expect;
}

int main(void)
{
	u32 nmask = guest_arg(0, 0x1ff), mmask = guest_arg(1, 0x1ff);
	u32 center = guest_arg(2, 16), switches = guest_arg(3, 256), shapes = 0;
	uintptr_t frames = TABLES + MAX_AS * LEVELS * 0x1000;

	if (!nmask || nmask >> 9 || !mmask || mmask >> 9 || !switches ||
	    (center && (center > 256 || (center & (center - 1)))))
		guest_abort("bad-args", 0);
	for (u32 p = 0; p < MAX_PAGES; p++)
		*(volatile u32 *)(frames + p * 0x1000) = p;
	for (u32 as = 0; as < MAX_AS; as++)
		roots[as] = build(frames);
	value("paging-levels", LEVELS);
	as_paging_on(roots[0]);
	if (center) {
		for (u32 i = 0; i < 9; i++)
			if (nmask & 1u << i) {
				shape(1u << i, center, switches);
				shapes++;
			}
		for (u32 i = 0; i < 9; i++)
			if (mmask & 1u << i && 1u << i != center) {
				shape(center, 1u << i, switches);
				shapes++;
			}
	} else {
		for (u32 i = 0; i < 9; i++)
			for (u32 j = 0; j < 9; j++)
				if (nmask & 1u << i && mmask & 1u << j) {
					shape(1u << i, 1u << j, switches);
					shapes++;
				}
	}
	value("shapes", shapes);
	report(bad == 0, "cr3grid-sums");
	return 0;
}
