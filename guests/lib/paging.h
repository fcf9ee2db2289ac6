/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the PAE and 4-level paging guests (pae/, long/): page-table entry
 * bits, the control registers they test with, and the PD entry of
 * vmrun's identity map that covers 1 GiB..1 GiB + 2 MiB (vmrun's PAE and
 * long-mode maps both have their PDs at VMRUN_PT_ADDR + 0x2000, one per
 * GiB), which the tests repoint at a page table of their own.
 */
#ifndef GUESTS_LIB_PAGING_H
#define GUESTS_LIB_PAGING_H

#include "guest.h"

#define PTE_P	(1ull << 0)
#define PTE_W	(1ull << 1)
#define PTE_A	(1ull << 5)
#define PTE_D	(1ull << 6)
#define PTE_PS	(1ull << 7)
#define PTE_G	(1ull << 8)
#define PTE_NX	(1ull << 63)

#define PDE_1G	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x3000))
/* what vmrun had there: a 2 MiB page at 1 GiB */
#define PDE_1G_VMRUN	((1ull << 30) | PTE_P | PTE_W | PTE_PS)

static inline unsigned long read_cr0(void) { unsigned long v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr2(void) { unsigned long v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr3(void) { unsigned long v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr4(void) { unsigned long v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(unsigned long v) { asm volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(unsigned long v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(unsigned long v) { asm volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline void flush_tlb(void) { write_cr3(read_cr3()); }
static inline void invlpg(uintptr_t va) { asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }

#endif
