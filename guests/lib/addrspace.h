/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address spaces of the context-switch guests (prot32/cr3grid.c and
 * prot32/cr3sweep.c, built again by pae/ and long/): LEVELS, VA and
 * pte_t of the paging mode, page-table pages handed out from TABLES
 * (4 MiB) on, and as_build(), one address space with a page table of
 * its own at VA (2 MiB of it, or 4 MiB in 32-bit paging).
 *   32-bit: a page directory (4 MiB identity pages for the low 1 GiB) and
 *           a page table at VA = 1 GiB; as_paging_on() turns on CR4.PSE.
 *   PAE:    a PDPT whose entry 0 is vmrun's identity PD for the low 1 GiB
 *           (shared, like a kernel half), entry 1 an own PD -> own PT.
 *   long:   a PML4 whose entry 0 is vmrun's PDPT (shared identity map of
 *           the low 4 GiB), entry 1 (VA = 512 GiB) an own PDPT -> PD -> PT.
 */
#ifndef GUESTS_LIB_ADDRSPACE_H
#define GUESTS_LIB_ADDRSPACE_H

#include "guest.h"

#define TABLES		0x00400000u	/* page tables from 4 MiB on */

#if defined(__x86_64__)
#define LEVELS	4
#define VA	0x8000000000ull
typedef u64 pte_t;
#elif defined(MODE_PAE)
#define LEVELS	3
#define VA	0x40000000u
typedef u64 pte_t;
#else
#define LEVELS	2
#define VA	0x40000000u
typedef u32 pte_t;
#endif

static uintptr_t next_free = TABLES;

static pte_t *alloc_page(void)
{
	pte_t *p = (pte_t *)next_free;

	next_free += 0x1000;
	memset(p, 0, 0x1000);
	return p;
}

static inline void write_cr3(uintptr_t v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }

/* A new address space (LEVELS table pages): its CR3; its PT in *ptp. */
static uintptr_t as_build(pte_t **ptp)
{
	pte_t *pt;
	uintptr_t root;

#if LEVELS == 2
	pte_t *pd = alloc_page();

	pt = alloc_page();
	for (u32 i = 0; i < 256; i++)	/* identity 4 MiB pages, low 1 GiB */
		pd[i] = i << 22 | 0x83;
	pd[VA >> 22] = (uintptr_t)pt | 0x3;
	root = (uintptr_t)pd;
#elif LEVELS == 3
	pte_t *pdpt = alloc_page(), *pd = alloc_page();

	pt = alloc_page();
	pdpt[0] = (VMRUN_PT_ADDR + 0x2000) | 0x1;	/* vmrun's PD, low 1 GiB */
	pdpt[1] = (uintptr_t)pd | 0x1;			/* VA = 1 GiB */
	pd[0] = (uintptr_t)pt | 0x3;
	root = (uintptr_t)pdpt;
#else
	pte_t *pml4 = alloc_page(), *pdpt = alloc_page(), *pd = alloc_page();

	pt = alloc_page();
	pml4[0] = (VMRUN_PT_ADDR + 0x1000) | 0x3;	/* vmrun's PDPT, low 4 GiB */
	pml4[1] = (uintptr_t)pdpt | 0x3;		/* VA = 512 GiB */
	pdpt[0] = (uintptr_t)pd | 0x3;
	pd[0] = (uintptr_t)pt | 0x3;
	root = (uintptr_t)pml4;
#endif
	*ptp = pt;
	return root;
}

/* Paging on at @root (32-bit paging; vmrun starts PAE and long mode with
 * paging on, on its own identity map).
 */
static inline void as_paging_on(uintptr_t root)
{
#if LEVELS == 2
	write_cr3(root);
	asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
	asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");
#else
	(void)root;
#endif
}

#endif
