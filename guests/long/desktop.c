// SPDX-License-Identifier: GPL-2.0
/*
 * A mixed, desktop-like load for `make bench`, so that the results are
 * not only micro-benchmarks: PROCS processes (--arg 0, default 8), each
 * its own 4-level page tables (the low 4 GiB shared, as a kernel half)
 * and a working set of WSET pages at VA (--arg 1, default 32), scheduled
 * round-robin by a timer-like tick for TICKS ticks (--arg 2, default
 * 1024).  Every tick:
 *   - the "timer": a 32-bit OUT to the PIO test device (exit to vmrun);
 *   - the scheduler switches CR3 to the next process;
 *   - the process reads and writes 8 pages of its working set;
 *   - every 2nd tick, memory churn: it unmaps one page (PTE cleared,
 *     INVLPG), maps a fresh frame there from a frame pool, clears it;
 *   - every 64th tick, an "exec": one process gets all WSET pages
 *     remapped to fresh frames (a burst of page-table writes).
 * One benchmark segment "desktop:procs=P:wset=W:ticks=T" (vmrun prints
 * the driver's counter deltas and the TSC delta); the checksum of every
 * value read is a VALUE, so every driver must agree on it.
 */
#include "guest.h"

#define MAX_PROCS	64
#define MAX_WSET	256
#define TABLES		0x00400000u	/* page tables from 4 MiB on */
#define VA		0x8000000000ull	/* PML4 entry 1 */
#define TOUCH		8

static u64 *pts[MAX_PROCS];
static u64 roots[MAX_PROCS];
static uintptr_t next_free = TABLES, pool;
static u32 pool_size, pool_next;

static u64 *alloc_page(void)
{
	u64 *p = (u64 *)next_free;

	next_free += 0x1000;
	memset(p, 0, 0x1000);
	return p;
}

static inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void invlpg(u64 va) { asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }

static u64 new_frame(void)
{
	u64 f = pool + (u64)(pool_next++ % pool_size) * 0x1000;

	return f;
}

int main(void)
{
	u32 procs = guest_arg(0, 8), wset = guest_arg(1, 32), ticks = guest_arg(2, 1024);
	u32 sum = 0, cur = 0;
	char name[UCALL_NAME_LEN];
	u64 t0, t1;

	if (!procs || procs > MAX_PROCS || !wset || wset > MAX_WSET || !ticks)
		guest_abort("bad-args", 0);
	for (u32 p = 0; p < procs; p++) {
		u64 *pml4 = alloc_page(), *pdpt = alloc_page(), *pd = alloc_page();

		pts[p] = alloc_page();
		pml4[0] = (VMRUN_PT_ADDR + 0x1000) | 0x3;	/* vmrun's low 4 GiB */
		pml4[1] = (u64)(uintptr_t)pdpt | 0x3;
		pdpt[0] = (u64)(uintptr_t)pd | 0x3;
		pd[0] = (u64)(uintptr_t)pts[p] | 0x3;
		roots[p] = (u64)(uintptr_t)pml4;
	}
	pool = next_free;
	pool_size = procs * wset * 2;
	for (u32 i = 0; i < pool_size; i++)
		*(volatile u32 *)(pool + (u64)i * 0x1000) = i;
	for (u32 p = 0; p < procs; p++)
		for (u32 w = 0; w < wset; w++)
			pts[p][w] = new_frame() | 0x3;

	snprintf_(name, sizeof(name), "desktop:procs=%u:wset=%u:ticks=%u",
		  procs, wset, ticks);
	mark_begin(name);
	t0 = rdtsc();
	for (u32 t = 0; t < ticks; t++) {
		outl(PORT_PIODEV_SINK, t);	/* the timer tick */
		cur = t % procs;
		write_cr3(roots[cur]);
		for (u32 j = 0; j < TOUCH; j++) {
			volatile u32 *v = (volatile u32 *)(uintptr_t)
				(VA + (u64)((t * TOUCH + j) % wset) * 0x1000);

			sum = sum * 31 + *v;
			*v += 1;
		}
		if (t % 2 == 0) {	/* churn: unmap a page, map a fresh one */
			u32 w = (t / 2) % wset;
			u64 va = VA + (u64)w * 0x1000;

			pts[cur][w] = 0;
			invlpg(va);
			pts[cur][w] = new_frame() | 0x3;
			invlpg(va);
			*(volatile u32 *)(uintptr_t)va = t;
		}
		if (t % 64 == 63) {	/* exec: a fresh image for one process */
			u32 p = (t / 64) % procs;

			for (u32 w = 0; w < wset; w++)
				pts[p][w] = new_frame() | 0x3;
			if (p == cur)
				write_cr3(roots[cur]);
		}
	}
	t1 = rdtsc();
	mark_end(name, t1 - t0);
	value("desktop-sum", sum);
	report(inl(PORT_PIODEV_COUNT) == ticks, "desktop-ticks");
	return 0;
}
