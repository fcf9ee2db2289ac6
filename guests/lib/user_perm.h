/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPL-3 page-permission permutations shared by pae/user.c and
 * long/user.c: PDE.U x PTE.U x PDE.W x PTE.W x PTE.NX x {read, write,
 * fetch} on one 4 KiB page at 1 GiB.  Each case checks fault or not, the
 * #PF error code (U bit included), CR2 and the accessed/dirty bits.
 * The includer defines PDE_1G (the PDE of the test page's table) before
 * including this, and user_access(op, &err) (run the access in ring 3:
 * the vector it raised, or -1) after.
 */
#ifndef GUESTS_USER_PERM_H
#define GUESTS_USER_PERM_H

#define P	(1ull << 0)
#define W	(1ull << 1)
#define U	(1ull << 2)
#define A	(1ull << 5)
#define D	(1ull << 6)
#define NX	(1ull << 63)
#define VA	0x40000000u
#define FRAME	0x00a00000u

static u64 pt[512] __attribute__((aligned(4096)));

static unsigned long cr2(void)
{
	unsigned long v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static void flush_tlb(void)
{
	unsigned long v;

	asm volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(v) :: "memory");
}

enum { READ, WRITE, FETCH };
static const char *const op_name[] = { "read", "write", "fetch" };

static int user_access(int op, u32 *err);

static void user_perm_run(u32 *cases, u32 *bad)
{
	u32 err;
	int vec;

	*(volatile u64 *)&pt[0] = FRAME | P | W | U;
	PDE_1G = (uintptr_t)pt | P | W | U;
	flush_tlb();
	vec = user_access(READ, &err);
	report(vec == -1, "ring3-round-trip");

	*(volatile u16 *)(uintptr_t)FRAME = 0xe1ff;	/* jmp *%ecx / *%rcx */
	for (int pdeu = 0; pdeu < 2; pdeu++)
	for (int pteu = 0; pteu < 2; pteu++)
	for (int pdew = 0; pdew < 2; pdew++)
	for (int ptew = 0; ptew < 2; ptew++)
	for (int nx = 0; nx < 2; nx++)
	for (int op = READ; op <= FETCH; op++) {
		PDE_1G = (uintptr_t)pt | P | (pdeu ? U : 0) | (pdew ? W : 0);
		*(volatile u64 *)&pt[0] = FRAME | P | (pteu ? U : 0) | (ptew ? W : 0) | (nx ? NX : 0);
		flush_tlb();

		u32 type = (op == WRITE ? 0x2 : 0) | (op == FETCH ? 0x10 : 0);
		int fault = !(pdeu && pteu) ||
			    (op == WRITE && !(pdew && ptew)) ||
			    (op == FETCH && nx);
		u32 want_err = fault ? 0x5 | type : 0;
		err = 0;
		vec = user_access(op, &err);
		unsigned long fault_addr = cr2();
		u64 pte = *(volatile u64 *)&pt[0];
		int ok;
		if (fault)
			ok = vec == 14 && err == want_err && fault_addr == VA;
		else
			ok = vec == -1 && (pte & A) && !!(pte & D) == (op == WRITE);
		(*cases)++;
		*bad += !ok;
		report(ok, "u%d%d-w%d%d-nx%d-%s", pdeu, pteu, pdew, ptew, nx, op_name[op]);
		if (!ok)
			printf("  vector %d error 0x%x cr2 0x%lx pte 0x%x%08x (want %s 0x%x)\n",
			       vec, err, fault_addr, (u32)(pte >> 32), (u32)pte,
			       fault ? "#PF" : "no fault", want_err);
	}
}

#endif
