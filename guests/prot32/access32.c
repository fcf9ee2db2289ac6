// SPDX-License-Identifier: GPL-2.0
/*
 * Access permutations under 32-bit 2-level paging, built by the guest:
 * a 4 KiB page (PDE.U/W x PTE.U/W) and a 4 MiB page (PDE.U/W), each with
 * CR0.WP 0/1, from ring 0 and ring 3, reads and writes.  Checks fault or
 * not, the #PF error code, CR2 and the accessed/dirty bits.  (No fetch
 * cases: without NX, whether the I/D bit is reported varies by CPU.)
 */
#include "guest.h"

#define P	0x001u
#define W	0x002u
#define U	0x004u
#define A	0x020u
#define D	0x040u
#define PS	0x080u
#define VA4K	0x40000000u	/* through pt[] */
#define VA4M	0x40400000u	/* one 4 MiB page */
#define FRAME4K	0x00a00000u
#define FRAME4M	0x00c00000u

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[1024] __attribute__((aligned(4096)));

static u32 rcr0(void) { u32 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static void wcr0(u32 v) { asm volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static u32 cr2(void) { u32 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static void flush_tlb(void)
{
	asm volatile("mov %0, %%cr3" :: "r"(pd) : "memory");
}

static int kernel_access(int op, u32 va, u32 *err)
{
	u32 v = 0xe1ff;

	exc_expect(2);
	if (op == RING3_WRITE)
		asm volatile(".byte 0x89, 0x03" :: "a"(v), "b"(va) : "memory");
	else
		asm volatile(".byte 0x8b, 0x03" : "+a"(v) : "b"(va) : "memory");
	return exc_take(err);
}

static u32 cases, bad;

static void check(const char *what, int cpl, int op, int wp, u32 va,
		  volatile u32 *leaf, u32 all_u, u32 all_w)
{
	u32 err = 0;
	int write = op == RING3_WRITE;

	wcr0(wp ? rcr0() | 0x10000 : rcr0() & ~0x10000u);
	flush_tlb();
	int fault = cpl ? (!all_u || (write && !all_w)) : (write && wp && !all_w);
	u32 want = fault ? (P | (write ? 2u : 0) | (cpl ? 4u : 0)) : 0;
	int vec = cpl ? ring3_access(op, va, &err) : kernel_access(op, va, &err);
	u32 addr = cr2();
	u32 e = *leaf;
	int ok = fault ? vec == 14 && err == want && addr == va
		       : vec == -1 && (e & A) && !!(e & D) == write;
	cases++;
	bad += !ok;
	report(ok, "%s-cpl%d-wp%d-%s", what, cpl ? 3 : 0, wp, write ? "write" : "read");
	if (!ok)
		printf("  vector %d error 0x%x cr2 0x%x leaf 0x%x (want %s 0x%x)\n",
		       vec, err, addr, e, fault ? "#PF" : "no fault", want);
}

int main(void)
{
	char what[32];

	idt_install();
	ring3_setup();
	for (u32 i = 0; i < 16; i++)	/* identity 4 MiB user pages: low 64 MiB */
		pd[i] = i << 22 | PS | U | W | P;
	*(volatile u16 *)FRAME4K = 0xe1ff;
	asm volatile("mov %0, %%cr3" :: "r"(pd) : "memory");
	asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");	/* PSE */
	wcr0(rcr0() | 0x80000000u);

	for (int pdeu = 0; pdeu < 2; pdeu++)
	for (int pteu = 0; pteu < 2; pteu++)
	for (int pdew = 0; pdew < 2; pdew++)
	for (int ptew = 0; ptew < 2; ptew++)
	for (int wp = 0; wp < 2; wp++)
	for (int cpl = 0; cpl < 2; cpl++)
	for (int op = RING3_READ; op <= RING3_WRITE; op++) {
		*(volatile u32 *)&pd[VA4K >> 22] = (u32)pt | P | (pdeu ? U : 0) | (pdew ? W : 0);
		*(volatile u32 *)&pt[0] = FRAME4K | P | (pteu ? U : 0) | (ptew ? W : 0);
		char *p = what;
		*p++ = '4'; *p++ = 'k'; *p++ = '-'; *p++ = 'u'; *p++ = '0' + pdeu; *p++ = '0' + pteu;
		*p++ = '-'; *p++ = 'w'; *p++ = '0' + pdew; *p++ = '0' + ptew; *p = 0;
		check(what, cpl, op, wp, VA4K, &pt[0], pdeu && pteu, pdew && ptew);
	}
	for (int u = 0; u < 2; u++)
	for (int w = 0; w < 2; w++)
	for (int wp = 0; wp < 2; wp++)
	for (int cpl = 0; cpl < 2; cpl++)
	for (int op = RING3_READ; op <= RING3_WRITE; op++) {
		*(volatile u32 *)&pd[VA4M >> 22] = FRAME4M | PS | P | (u ? U : 0) | (w ? W : 0);
		char *p = what;
		*p++ = '4'; *p++ = 'm'; *p++ = '-'; *p++ = 'u'; *p++ = '0' + u;
		*p++ = '-'; *p++ = 'w'; *p++ = '0' + w; *p = 0;
		check(what, cpl, op, wp, VA4M, &pd[VA4M >> 22], u, w);
	}
	value("cases", cases);
	value("bad", bad);
	wcr0(rcr0() & ~0x80010000u);	/* paging and WP off */
	return 0;
}
