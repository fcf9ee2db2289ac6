// SPDX-License-Identifier: GPL-2.0
/*
 * Ring 3 for 32-bit guests: a GDT with ring-3 segments and a TSS (ring-0
 * stack for exceptions), an INT 0x30 gate back to ring 0, and one access
 * from ring 3.  ring3_setup() needs idt_install() first; the pages of the
 * guest's code, data and stacks must be user pages.
 */
#ifndef __x86_64__
#include "guest.h"

struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap;
};

static struct tss32 tss;
static u64 gdt[6];
static u8 ring0_stack[4096] __attribute__((aligned(16)));
static u8 user_stack[4096] __attribute__((aligned(16)));

/*
 * ring3_enter(eip, esp, ebx): IRET to ring 3 at eip with %ebx = the third
 * argument; ring 3 ends with INT 0x30, whose handler (ring3_return) puts
 * the kernel stack back and returns from ring3_enter.
 */
void ring3_enter(u32 eip, u32 esp, u32 ebx);
void ring3_return(void);
extern char ring3_read[], ring3_write[], ring3_fetch[], ring3_done[];
u32 ring3_saved_esp;
asm(".text\n"
    ".globl ring3_enter\n"
    "ring3_enter:\n\t"
    "push %ebp; push %ebx; push %esi; push %edi\n\t"
    "mov %esp, ring3_saved_esp\n\t"
    "mov 20(%esp), %eax\n\t"
    "mov 24(%esp), %ecx\n\t"
    "mov 28(%esp), %ebx\n\t"
    "mov $0x23, %edx\n\t"
    "mov %dx, %ds; mov %dx, %es\n\t"
    "push $0x23; push %ecx; pushf; push $0x1b; push %eax\n\t"
    "iret\n"
    ".globl ring3_return\n"
    "ring3_return:\n\t"
    "mov $0x10, %eax; mov %ax, %ds; mov %ax, %es\n\t"
    "mov ring3_saved_esp, %esp\n\t"
    "pop %edi; pop %esi; pop %ebx; pop %ebp\n\t"
    "ret\n"
    /* ring-3 code: one access to (%ebx), then back */
    ".globl ring3_read\n"
    "ring3_read: mov (%ebx), %eax; int $0x30\n"
    ".globl ring3_write\n"
    "ring3_write: movl $0xe1ff, (%ebx); int $0x30\n"
    ".globl ring3_fetch\n"
    "ring3_fetch: mov $ring3_done, %ecx; jmp *%ebx\n"
    ".globl ring3_done\n"
    "ring3_done: int $0x30\n");

static u64 seg(u32 base, u32 limit, u32 access, u32 flags)
{
	return (u64)(limit & 0xffff) | (u64)(base & 0xffffff) << 16 |
	       (u64)access << 40 | (u64)((limit >> 16) & 0xf) << 48 |
	       (u64)flags << 52 | (u64)(base >> 24) << 56;
}

void ring3_setup(void)
{
	struct __attribute__((packed)) { u16 limit; u32 base; } d;

	gdt[1] = seg(0, 0xfffff, 0x9b, 0xc);	/* 0x08 ring-0 code */
	gdt[2] = seg(0, 0xfffff, 0x93, 0xc);	/* 0x10 ring-0 data */
	gdt[3] = seg(0, 0xfffff, 0xfb, 0xc);	/* 0x1b ring-3 code */
	gdt[4] = seg(0, 0xfffff, 0xf3, 0xc);	/* 0x23 ring-3 data */
	gdt[5] = seg((u32)&tss, sizeof(tss) - 1, 0x89, 0);	/* 0x28 TSS */
	tss.ss0 = SEL_DATA;
	tss.esp0 = (u32)(ring0_stack + sizeof(ring0_stack));
	tss.iomap = sizeof(tss);		/* no I/O bitmap: ring 3 has no ports */
	d.limit = sizeof(gdt) - 1;
	d.base = (u32)gdt;
	asm volatile("lgdt %0\n\t"
		     "ljmp $0x08, $1f\n1:\n\t"
		     "mov $0x10, %%eax; mov %%ax, %%ds; mov %%ax, %%es; mov %%ax, %%ss\n\t"
		     "mov $0x28, %%eax; ltr %%ax"
		     :: "m"(d) : "eax", "memory");
	idt_set_gate(0x30, ring3_return, 3);
}

/*
 * One ring-3 access to va: RING3_READ, RING3_WRITE (writes 0xe1ff) or
 * RING3_FETCH (va must hold "jmp *%ecx", ff e1).  Returns the vector of
 * the exception it raised (-1: none), its error code in *err.
 */
int ring3_access(int op, u32 va, u32 *err)
{
	static char *const entry[] = { ring3_read, ring3_write, ring3_fetch };

	exc_expect_resume((uintptr_t)ring3_done);	/* a fault ends the ring-3 run */
	ring3_enter((u32)entry[op], (u32)(user_stack + sizeof(user_stack)), va);
	return exc_take(err);
}
#endif
