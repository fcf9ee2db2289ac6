// SPDX-License-Identifier: GPL-2.0
/*
 * User-mode (CPL 3) access permutations under 4-level paging, the 64-bit
 * counterpart of pae/user.c: PDE.U x PTE.U x PDE.W x PTE.W x PTE.NX x
 * {read, write, fetch} on one 4 KiB page at 1 GiB, from ring 3.
 * Ring 3 in long mode is set up here: the guest's own GDT (vmrun's
 * selectors for ring 0, user data and 64-bit user code with DPL 3, a
 * 64-bit TSS whose RSP0 is the ring-0 stack for exceptions), IRETQ to
 * ring 3 and INT 0x30 (a DPL-3 gate) back.  The PML4E and PDPTEs above
 * the test page and the guest's own pages get U set, so the PDE and PTE
 * U bits decide.
 * Each case checks fault or not, the #PF error code (U bit included),
 * CR2 and the accessed/dirty bits.
 */
#include "guest.h"

#define PS	(1ull << 7)
/* vmrun's long-mode map: PML4 at VMRUN_PT_ADDR, PDPT at +0x1000, one PD
 * per GiB from +0x2000 */
#define PML4E_0	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR))
#define PDPTE_0	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x1000))
#define PDPTE_1	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x1008))
#define PDE_0	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x2000))
#define PDE_1G	(*(volatile u64 *)(uintptr_t)(VMRUN_PT_ADDR + 0x3000))
#include "user_perm.h"

/* ---- ring 3 in long mode ---- */

#define SEL_UDATA	0x23	/* GDT slot 4, RPL 3 */
#define SEL_UCODE64	0x2b	/* GDT slot 5, RPL 3 */
#define SEL_TSS		0x30	/* GDT slots 6-7 */

struct __attribute__((packed)) tss64 {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2;
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3, iomap;
};

static struct tss64 tss;
static u64 gdt[8];
static u8 ring0_stack[4096] __attribute__((aligned(16)));
static u8 user_stack[4096] __attribute__((aligned(16)));

/*
 * user_enter(rip, rsp, rbx): IRETQ to ring 3 at rip with %rbx = the third
 * argument; ring 3 ends with INT 0x30, whose handler (user_return) puts
 * the kernel stack back and returns from user_enter.
 */
void user_enter(u64 rip, u64 rsp, u64 rbx);
void user_return(void);
extern char user_read[], user_write[], user_fetch[], user_done[];
u64 user_saved_rsp;
asm(".text\n"
    ".globl user_enter\n"
    "user_enter:\n\t"
    "push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n\t"
    "mov %rsp, user_saved_rsp(%rip)\n\t"
    "mov %rdx, %rbx\n\t"
    "pushq $0x23; push %rsi; pushfq; pushq $0x2b; push %rdi\n\t"
    "iretq\n"
    ".globl user_return\n"
    "user_return:\n\t"
    "mov $0x10, %eax; mov %ax, %ds; mov %ax, %es; mov %ax, %ss\n\t"
    "mov user_saved_rsp(%rip), %rsp\n\t"
    "pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n\t"
    "ret\n"
    /* ring-3 code: one access to (%rbx), then back */
    ".globl user_read\n"
    "user_read: mov (%rbx), %eax; int $0x30\n"
    ".globl user_write\n"
    "user_write: movl $0xe1ff, (%rbx); int $0x30\n"
    ".globl user_fetch\n"
    "user_fetch: lea user_done(%rip), %rcx; jmp *%rbx\n"
    ".globl user_done\n"
    "user_done: int $0x30\n");

static u64 seg(u32 base, u32 limit, u32 access, u32 flags)
{
	return (u64)(limit & 0xffff) | (u64)(base & 0xffffff) << 16 |
	       (u64)access << 40 | (u64)((limit >> 16) & 0xf) << 48 |
	       (u64)flags << 52 | (u64)(base >> 24) << 56;
}

static void user_setup(void)
{
	struct __attribute__((packed)) { u16 limit; u64 base; } d;
	u64 t = (uintptr_t)&tss;

	gdt[1] = seg(0, 0xfffff, 0x9b, 0xc);	/* 0x08 ring-0 code, 32-bit */
	gdt[2] = seg(0, 0xfffff, 0x93, 0xc);	/* 0x10 ring-0 data */
	gdt[3] = seg(0, 0xfffff, 0x9b, 0xa);	/* 0x18 ring-0 code, 64-bit */
	gdt[4] = seg(0, 0xfffff, 0xf3, 0xc);	/* 0x23 ring-3 data */
	gdt[5] = seg(0, 0xfffff, 0xfb, 0xa);	/* 0x2b ring-3 code, 64-bit */
	gdt[6] = seg((u32)t, sizeof(tss) - 1, 0x89, 0);	/* 0x30 64-bit TSS */
	gdt[7] = t >> 32;
	tss.rsp0 = (uintptr_t)(ring0_stack + sizeof(ring0_stack));
	tss.iomap = sizeof(tss);		/* no I/O bitmap: ring 3 has no ports */
	d.limit = sizeof(gdt) - 1;
	d.base = (uintptr_t)gdt;
	asm volatile("lgdt %0\n\t"
		     "pushq $0x18\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n1:\n\t"
		     "mov $0x10, %%eax; mov %%ax, %%ds; mov %%ax, %%es; mov %%ax, %%ss\n\t"
		     "mov $0x30, %%eax; ltr %%ax"
		     :: "m"(d) : "rax", "memory");
	idt_set_gate(0x30, user_return, 3);
}

/*
 * One ring-3 access to VA: read, write (writes 0xe1ff) or fetch (VA holds
 * "jmp *%rcx", ff e1).  Returns the vector of the exception it raised
 * (-1: none), its error code in *err.
 */
static int user_access(int op, u32 *err)
{
	static char *const entry[] = { user_read, user_write, user_fetch };

	exc_expect_resume((uintptr_t)user_done);	/* a fault ends the ring-3 run */
	user_enter((uintptr_t)entry[op], (uintptr_t)(user_stack + sizeof(user_stack)), VA);
	return exc_take(err);
}

int main(void)
{
	u32 lo, hi, bad = 0, cases = 0;

	idt_install();
	user_setup();
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
	asm volatile("wrmsr" :: "a"(lo | 0x800), "d"(hi), "c"(0xc0000080));	/* NXE */
	PML4E_0 |= U;			/* the upper levels: user */
	PDPTE_0 |= U;
	PDPTE_1 |= U;
	PDE_0 |= U;			/* the guest's code, data and stacks: user */
	flush_tlb();

	user_perm_run(&cases, &bad);
	value("cases", cases);
	value("bad", bad);
	PDE_1G = (1ull << 30) | P | W | PS;
	PDE_0 &= ~U;
	PDPTE_1 &= ~U;
	PDPTE_0 &= ~U;
	PML4E_0 &= ~U;
	flush_tlb();
	return 0;
}
