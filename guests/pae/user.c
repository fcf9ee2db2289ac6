// SPDX-License-Identifier: GPL-2.0
/*
 * User-mode (CPL 3) access permutations under PAE paging: PDE.U x PTE.U x
 * PDE.W x PTE.W x PTE.NX x {read, write, fetch} on one 4 KiB page at
 * 1 GiB.  The guest brings its own GDT (ring-3 segments, a TSS for the
 * ring-0 stack), enters ring 3 with IRET and comes back with INT 0x30.
 * Each case checks fault or not, the #PF error code (U bit included),
 * CR2 and the accessed/dirty bits.
 */
#include "guest.h"

#define P	(1ull << 0)
#define W	(1ull << 1)
#define U	(1ull << 2)
#define A	(1ull << 5)
#define D	(1ull << 6)
#define NX	(1ull << 63)
#define VA	0x40000000u
#define FRAME	0x00a00000u

#define KCODE	0x08
#define KDATA	0x10
#define UCODE	0x1b	/* GDT index 3, RPL 3 */
#define UDATA	0x23	/* GDT index 4, RPL 3 */
#define TSS_SEL	0x28

struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap;
};

static struct tss32 tss;
static u64 gdt[6];
static u64 pt[512] __attribute__((aligned(4096)));
static u8 ring0_stack[4096] __attribute__((aligned(16)));
static u8 user_stack[4096] __attribute__((aligned(16)));
#define PDE_0	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x2000))
#define PDE_1G	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x3000))

/*
 * enter_user(eip, esp, ebx): IRET to ring 3 at eip with %ebx = the third
 * argument; ring 3 ends with INT 0x30, whose handler (user_return) puts
 * the kernel stack back and returns from enter_user.
 */
void enter_user(u32 eip, u32 esp, u32 ebx);
void user_return(void);
extern char user_read[], user_write[], user_fetch[], user_done[];
u32 kernel_saved_esp;
asm(".text\n"
    ".globl enter_user\n"
    "enter_user:\n\t"
    "push %ebp; push %ebx; push %esi; push %edi\n\t"
    "mov %esp, kernel_saved_esp\n\t"
    "mov 20(%esp), %eax\n\t"
    "mov 24(%esp), %ecx\n\t"
    "mov 28(%esp), %ebx\n\t"
    "mov $" "0x23" ", %edx\n\t"
    "mov %dx, %ds; mov %dx, %es\n\t"
    "push $0x23; push %ecx; pushf; push $0x1b; push %eax\n\t"
    "iret\n"
    ".globl user_return\n"
    "user_return:\n\t"
    "mov $0x10, %eax; mov %ax, %ds; mov %ax, %es\n\t"
    "mov kernel_saved_esp, %esp\n\t"
    "pop %edi; pop %esi; pop %ebx; pop %ebp\n\t"
    "ret\n"
    /* ring-3 code: one access to (%ebx), then back */
    ".globl user_read\n"
    "user_read: mov (%ebx), %eax; int $0x30\n"
    ".globl user_write\n"
    "user_write: movl $0xe1ff, (%ebx); int $0x30\n"
    ".globl user_fetch\n"
    "user_fetch: mov $user_done, %ecx; jmp *%ebx\n"	/* page: jmp *%ecx */
    ".globl user_done\n"
    "user_done: int $0x30\n");

static u64 seg(u32 base, u32 limit, u32 access, u32 flags)
{
	return (u64)(limit & 0xffff) | (u64)(base & 0xffffff) << 16 |
	       (u64)access << 40 | (u64)((limit >> 16) & 0xf) << 48 |
	       (u64)flags << 52 | (u64)(base >> 24) << 56;
}

static void setup_rings(void)
{
	struct __attribute__((packed)) { u16 limit; u32 base; } d;

	gdt[1] = seg(0, 0xfffff, 0x9b, 0xc);	/* ring-0 code */
	gdt[2] = seg(0, 0xfffff, 0x93, 0xc);	/* ring-0 data */
	gdt[3] = seg(0, 0xfffff, 0xfb, 0xc);	/* ring-3 code */
	gdt[4] = seg(0, 0xfffff, 0xf3, 0xc);	/* ring-3 data */
	gdt[5] = seg((u32)&tss, sizeof(tss) - 1, 0x89, 0);	/* 32-bit TSS */
	tss.ss0 = KDATA;
	tss.esp0 = (u32)(ring0_stack + sizeof(ring0_stack));
	tss.iomap = sizeof(tss);		/* no I/O bitmap: ring 3 has no ports */
	d.limit = sizeof(gdt) - 1;
	d.base = (u32)gdt;
	asm volatile("lgdt %0\n\t"
		     "ljmp $0x08, $1f\n1:\n\t"
		     "mov $0x10, %%eax; mov %%ax, %%ds; mov %%ax, %%es; mov %%ax, %%ss\n\t"
		     "mov $0x28, %%eax; ltr %%ax"
		     :: "m"(d) : "eax", "memory");
	idt_set_gate(0x30, user_return, 3);
}

static u32 cr2(void) { u32 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static void flush_tlb(void)
{
	u32 v;

	asm volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(v) :: "memory");
}

enum { READ, WRITE, FETCH };
static const char *const op_name[] = { "read", "write", "fetch" };

static int user_access(int op, u32 *err)
{
	static char *const entry[] = { user_read, user_write, user_fetch };

	exc_expect_resume((uintptr_t)user_done);	/* a #PF ends the ring-3 run */
	enter_user((u32)entry[op], (u32)(user_stack + sizeof(user_stack)), VA);
	return exc_take(err);
}

int main(void)
{
	u32 lo, hi, bad = 0, cases = 0;

	idt_install();
	setup_rings();
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
	asm volatile("wrmsr" :: "a"(lo | 0x800), "d"(hi), "c"(0xc0000080));	/* NXE */
	PDE_0 |= U;			/* the guest's code, data and stacks: user */
	flush_tlb();

	u32 err;
	*(volatile u64 *)&pt[0] = FRAME | P | W | U;
	PDE_1G = (u32)pt | P | W | U;
	flush_tlb();
	int vec = user_access(READ, &err);
	report(vec == -1, "ring3-round-trip");

	*(volatile u16 *)FRAME = 0xe1ff;	/* jmp *%ecx */
	for (int pdeu = 0; pdeu < 2; pdeu++)
	for (int pteu = 0; pteu < 2; pteu++)
	for (int pdew = 0; pdew < 2; pdew++)
	for (int ptew = 0; ptew < 2; ptew++)
	for (int nx = 0; nx < 2; nx++)
	for (int op = READ; op <= FETCH; op++) {
		PDE_1G = (u32)pt | P | (pdeu ? U : 0) | (pdew ? W : 0);
		*(volatile u64 *)&pt[0] = FRAME | P | (pteu ? U : 0) | (ptew ? W : 0) | (nx ? NX : 0);
		flush_tlb();

		u32 type = (op == WRITE ? 0x2 : 0) | (op == FETCH ? 0x10 : 0);
		int fault = !(pdeu && pteu) ||
			    (op == WRITE && !(pdew && ptew)) ||
			    (op == FETCH && nx);
		u32 want_err = fault ? 0x5 | type : 0;
		err = 0;
		vec = user_access(op, &err);
		u32 fault_addr = cr2();
		u64 pte = *(volatile u64 *)&pt[0];
		int ok;
		if (fault)
			ok = vec == 14 && err == want_err && fault_addr == VA;
		else
			ok = vec == -1 && (pte & A) && !!(pte & D) == (op == WRITE);
		cases++;
		bad += !ok;
		report(ok, "u%d%d-w%d%d-nx%d-%s", pdeu, pteu, pdew, ptew, nx, op_name[op]);
		if (!ok)
			printf("  vector %d error 0x%x cr2 0x%x pte 0x%x%08x (want %s 0x%x)\n",
			       vec, err, fault_addr, (u32)(pte >> 32), (u32)pte,
			       fault ? "#PF" : "no fault", want_err);
	}
	value("cases", cases);
	value("bad", bad);
	PDE_1G = (1ull << 30) | P | W | (1 << 7);
	PDE_0 &= ~U;
	flush_tlb();
	return 0;
}
