// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit 2-level paging built by the guest itself: 4 MiB identity pages
 * for the low 64 MiB, 4 KiB pages at 1 GiB; two address spaces (CR3
 * switch), PTE updates with INVLPG, accessed/dirty bits, #PF error codes
 * and CR2 for write-protect and not-present faults, CR0.WP.  The shadow
 * MMU's first guest.
 */
#include "guest.h"

#define PTE_P	0x001
#define PTE_W	0x002
#define PTE_A	0x020
#define PTE_D	0x040
#define PDE_PS	0x080
#define VA	0x40000000u

static u32 pd1[1024] __attribute__((aligned(4096)));
static u32 pd2[1024] __attribute__((aligned(4096)));
static u32 pt1[1024] __attribute__((aligned(4096)));
static u32 pt2[1024] __attribute__((aligned(4096)));

static inline void write_cr0(u32 v) { asm volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline u32 read_cr0(void) { u32 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr3(u32 v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(u32 v) { asm volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline u32 read_cr4(void) { u32 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline u32 read_cr2(void) { u32 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline void invlpg(u32 va) { asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline u32 rd(u32 va) { return *(volatile u32 *)va; }

static void build(u32 *pd, u32 *pt, u32 frame)
{
	for (u32 i = 0; i < 16; i++)
		pd[i] = i << 22 | PDE_PS | PTE_W | PTE_P;
	pd[VA >> 22] = (u32)pt | PTE_W | PTE_P;
	pt[0] = frame | PTE_W | PTE_P;
	pt[1] = (frame + 0x1000) | PTE_P;	/* read-only */
	pt[2] = 0;				/* not present */
}

/* one faulting access, 2-byte instruction at a known address in %ebx */
static int fault(int write, u32 va, u32 *err, u32 *cr2)
{
	u32 v = 0x5a5a5a5a;

	exc_expect(2);
	if (write)
		asm volatile(".byte 0x89, 0x03" :: "a"(v), "b"(va) : "memory");	/* mov %eax,(%ebx) */
	else
		asm volatile(".byte 0x8b, 0x03" : "+a"(v) : "b"(va) : "memory");	/* mov (%ebx),%eax */
	*cr2 = read_cr2();
	return exc_take(err);
}

int main(void)
{
	u32 err, cr2;
	int vec;

	idt_install();
	*(volatile u32 *)0x800000 = 0xaaaa0001;
	*(volatile u32 *)0x801000 = 0xaaaa1001;
	*(volatile u32 *)0x802000 = 0xaaaa2001;
	*(volatile u32 *)0x900000 = 0xbbbb0002;
	build(pd1, pt1, 0x800000);
	build(pd2, pt2, 0x900000);

	write_cr3((u32)pd1);
	write_cr4(read_cr4() | 0x10);			/* PSE */
	write_cr0(read_cr0() | 0x80010000);		/* PG, WP */
	report(rd(0x800000) == 0xaaaa0001, "identity-4M");
	value("as1-va", rd(VA));
	report(rd(VA) == 0xaaaa0001 && rd(VA + 0x1000) == 0xaaaa1001, "as1-4K");

	write_cr3((u32)pd2);
	value("as2-va", rd(VA));
	report(rd(VA) == 0xbbbb0002, "cr3-switch-as2");
	write_cr3((u32)pd1);
	report(rd(VA) == 0xaaaa0001, "cr3-switch-back-as1");

	*(volatile u32 *)VA = 0xaaaa0003;
	value("pte-accessed-dirty", pt1[0] & (PTE_A | PTE_D));
	value("pde-accessed", pd1[VA >> 22] & PTE_A);
	report((pt1[0] & (PTE_A | PTE_D)) == (PTE_A | PTE_D), "pte-dirty-after-write");
	report((pt1[1] & (PTE_A | PTE_D)) == PTE_A, "pte-accessed-not-dirty-after-read");

	*(volatile u32 *)&pt1[0] = 0x802000 | PTE_W | PTE_P;
	invlpg(VA);
	value("after-pte-change", rd(VA));
	report(rd(VA) == 0xaaaa2001, "pte-change-invlpg");

	vec = fault(1, VA + 0x1000, &err, &cr2);
	value("wp-fault-vector", (u32)vec);
	value("wp-fault-error", err);
	value("wp-fault-cr2", cr2);
	report(vec == 14 && err == 3 && cr2 == VA + 0x1000, "write-readonly-pf");

	vec = fault(0, VA + 0x2000, &err, &cr2);
	value("np-fault-error", err);
	report(vec == 14 && err == 0 && cr2 == VA + 0x2000, "read-not-present-pf");
	vec = fault(1, VA + 0x2000, &err, &cr2);
	report(vec == 14 && err == 2 && cr2 == VA + 0x2000, "write-not-present-pf");

	*(volatile u32 *)&pt1[2] = 0x801000 | PTE_P;	/* now present: no INVLPG needed */
	report(rd(VA + 0x2000) == 0xaaaa1001, "np-to-present");

	write_cr0(read_cr0() & ~0x10000u);	/* WP off: supervisor writes RO */
	*(volatile u32 *)(VA + 0x1000) = 0xaaaa1002;
	report(*(volatile u32 *)0x801000 == 0xaaaa1002, "wp0-supervisor-write-ro");
	write_cr0(read_cr0() & ~0x80000000u);	/* paging off again */
	report(!(read_cr0() & 0x80000000u) && rd(0x801000) == 0xaaaa1002 &&
	       rd(0x800000) == 0xaaaa0003, "paging-off-physical");
	return 0;
}
