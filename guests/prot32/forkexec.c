// SPDX-License-Identifier: GPL-2.0
/*
 * Fork/exec-like guest (32-bit 2-level paging): page-table writes
 * dominate.  ITERS times (--arg 0, default 64): take process slot
 * i % SLOTS (--arg 2, default 4; a slot is a page directory and a page
 * table, reused as an exiting process's are), and
 *   "fork"  copy the 16 kernel PDEs (4 MiB identity pages) from init's
 *           page directory, point the PDE of VA at the slot's page table;
 *   "exec"  write PAGES PTEs (--arg 1, default 32) to the slot's frames;
 *   run     switch CR3 to it, read and write every page;
 *   "exit"  while still current: clear the even PTEs with INVLPG each,
 *           then read VA (PTE 0, just cleared): #PF, error code 0, CR2=VA;
 *           switch back to init; clear the odd PTEs, the PDE of VA and
 *           the kernel PDEs.
 * SLOTS * PAGES <= 1024.  Everything reported is deterministic.
 * The loop is one benchmark segment for `make bench` (mark_begin/end:
 * vmrun prints the driver's counter deltas and the TSC delta).
 */
#include "guest.h"

#define VA	0x40000000u
#define FRAMES	0x00800000u	/* 8..12 MiB */
#define MAX_SLOTS 8

static u32 pd0[1024] __attribute__((aligned(4096)));
static u32 pd[MAX_SLOTS][1024] __attribute__((aligned(4096)));
static u32 pt[MAX_SLOTS][1024] __attribute__((aligned(4096)));

static inline void write_cr3(u32 v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline u32 read_cr2(void) { u32 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline void invlpg(u32 va) { asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }

int main(void)
{
	u32 iters = guest_arg(0, 64), pages = guest_arg(1, 32), slots = guest_arg(2, 4);
	u32 sum = 0, faults = 0, bad_fault = 0, pte_writes = 0;
	char name[UCALL_NAME_LEN];
	u64 t0, t1;

	if (!iters || !pages || pages > 1024 || !slots || slots > MAX_SLOTS || slots * pages > 1024)
		guest_abort("bad-args", 0);
	value("iterations", iters);
	value("pages", pages);
	value("slots", slots);
	idt_install();
	for (u32 i = 0; i < 16; i++)
		pd0[i] = i << 22 | 0x83;
	for (u32 f = 0; f < slots * pages; f++)
		*(volatile u32 *)(FRAMES + f * 0x1000) = f;
	write_cr3((u32)pd0);
	asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
	asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");

	snprintf_(name, sizeof(name), "forkexec:iters=%u:pages=%u:slots=%u",
		  iters, pages, slots);
	mark_begin(name);
	t0 = rdtsc();
	for (u32 it = 0; it < iters; it++) {
		u32 s = it % slots, *d = pd[s], *t = pt[s];
		u32 err = 0, cr2, v = 0;
		int vec;

		for (u32 i = 0; i < 16; i++)		/* fork */
			d[i] = pd0[i];
		d[VA >> 22] = (u32)t | 0x3;
		for (u32 p = 0; p < pages; p++)	/* exec */
			t[p] = (FRAMES + (s * pages + p) * 0x1000) | 0x3;
		pte_writes += 17 + pages;
		write_cr3((u32)d);			/* run */
		for (u32 p = 0; p < pages; p++) {
			volatile u32 *q = (volatile u32 *)(VA + p * 0x1000);

			sum = sum * 31 + *q;
			*q = it << 16 | p;
		}
		for (u32 p = 0; p < pages; p += 2) {	/* exit, current */
			t[p] = 0;
			invlpg(VA + p * 0x1000);
		}
		exc_expect(2);
		asm volatile(".byte 0x8b, 0x03" : "+a"(v) : "b"(VA) : "memory");	/* mov (%ebx),%eax */
		cr2 = read_cr2();
		vec = exc_take(&err);
		faults += vec == 14;
		bad_fault += vec != 14 || err != 0 || cr2 != VA;
		write_cr3((u32)pd0);			/* exit, switched away */
		for (u32 p = 1; p < pages; p += 2)
			t[p] = 0;
		d[VA >> 22] = 0;
		for (u32 i = 0; i < 16; i++)
			d[i] = 0;
		pte_writes += pages + 17;
	}
	t1 = rdtsc();
	mark_end(name, t1 - t0);
	value("pte-writes", pte_writes);
	value("faults", faults);
	value("sum", sum);
	report(bad_fault == 0, "forkexec-pf-after-invlpg");
	report(faults == iters, "forkexec-faults");
	return 0;
}
