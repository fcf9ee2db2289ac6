// SPDX-License-Identifier: GPL-2.0
/*
 * Supervisor access permutations under PAE paging (and, built from
 * long/access.c, under 4-level paging), kvm-unit-tests
 * access.c style: PDE.W x PTE.W x PDE.NX x PTE.NX x CR0.WP x {read, write,
 * fetch} on one 4 KiB page at 1 GiB, with EFER.NXE set; each case checks
 * fault or no fault, the #PF error code, CR2, and the accessed/dirty bits.
 * (User-mode cases need ring 3 and are not here yet.)
 */
#include "paging.h"

#define P	PTE_P
#define W	PTE_W
#define A	PTE_A
#define D	PTE_D
#define NX	PTE_NX
#define VA	0x40000000u
#define FRAME	0x00a00000u	/* the test page's frame: 10 MiB */

static u64 pt[512] __attribute__((aligned(4096)));

enum { READ, WRITE, FETCH };
static const char *const op_name[] = { "read", "write", "fetch" };

/* the test page holds "jmp *%ecx": back to fetch_resume, or a #PF on the
 * fetch resumes there */
extern char fetch_resume[];
static __attribute__((noinline, noclone)) void do_fetch(void)
{
	exc_expect_resume((uintptr_t)fetch_resume);
	asm volatile("movl $fetch_resume, %%ecx\n\t"
#ifdef __x86_64__
		     "jmp *%%rax\n"
#else
		     "jmp *%%eax\n"
#endif
		     ".globl fetch_resume\n"
		     "fetch_resume:"
		     :: "a"((uintptr_t)VA) : "ecx", "memory", "cc");
}

/* one access; returns the vector (-1 none), error code in *err */
static int access(int op, u32 *err)
{
	u32 v = 0xe1ff;	/* writes keep the instruction in the page */

	switch (op) {
	case READ:
		exc_expect(2);
		asm volatile(".byte 0x8b, 0x03" : "+a"(v) : "b"((uintptr_t)VA) : "memory");
		break;
	case WRITE:
		exc_expect(2);
		asm volatile(".byte 0x89, 0x03" :: "a"(v), "b"((uintptr_t)VA) : "memory");
		break;
	case FETCH:
		do_fetch();
		break;
	}
	return exc_take(err);
}

int main(void)
{
	u32 lo, hi, bad = 0, cases = 0;

	idt_install();
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
	asm volatile("wrmsr" :: "a"(lo | 0x800), "d"(hi), "c"(0xc0000080));	/* NXE */
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
	report(lo & 0x800, "efer-nxe-set");

	*(volatile u16 *)FRAME = 0xe1ff;	/* jmp *%ecx */
	for (int pdew = 0; pdew < 2; pdew++)
	for (int ptew = 0; ptew < 2; ptew++)
	for (int pdenx = 0; pdenx < 2; pdenx++)
	for (int ptenx = 0; ptenx < 2; ptenx++)
	for (int wp = 0; wp < 2; wp++)
	for (int op = READ; op <= FETCH; op++) {
		u32 err = 0;
		PDE_1G = (uintptr_t)pt | P | (pdew ? W : 0) | (pdenx ? NX : 0);
		*(volatile u64 *)&pt[0] = FRAME | P | (ptew ? W : 0) | (ptenx ? NX : 0);
		write_cr0(wp ? read_cr0() | 0x10000 : read_cr0() & ~0x10000ul);
		flush_tlb();

		int fault_w = op == WRITE && wp && !(pdew && ptew);
		int fault_x = op == FETCH && (pdenx || ptenx);
		u32 want_err = fault_w ? 0x3 : fault_x ? 0x11 : 0;
		int vec = access(op, &err);
		u32 fault_addr = (u32)read_cr2();
		u64 pte = *(volatile u64 *)&pt[0];
		int ok;
		if (fault_w || fault_x)
			ok = vec == 14 && err == want_err && fault_addr == VA;
		else
			ok = vec == -1 && (pte & A) && !!(pte & D) == (op == WRITE);
		cases++;
		bad += !ok;
		report(ok, "pdew%d-ptew%d-pdenx%d-ptenx%d-wp%d-%s", pdew, ptew, pdenx,
		       ptenx, wp, op_name[op]);
		if (!ok)
			printf("  vector %d error 0x%x cr2 0x%x pte 0x%x%08x (want %s 0x%x)\n",
			       vec, err, fault_addr, (u32)(pte >> 32), (u32)pte,
			       fault_w || fault_x ? "#PF" : "no fault", want_err);
	}
	/* not present: read and write */
	*(volatile u64 *)&pt[0] = 0;
	flush_tlb();
	u32 err;
	int vec = access(READ, &err);
	report(vec == 14 && err == 0 && read_cr2() == VA, "not-present-read");
	vec = access(WRITE, &err);
	report(vec == 14 && err == 2 && read_cr2() == VA, "not-present-write");
	value("cases", cases);
	value("bad", bad);
	PDE_1G = PDE_1G_VMRUN;
	flush_tlb();
	return 0;
}
