// SPDX-License-Identifier: GPL-2.0
/*
 * Real mode to protected mode and back, as a boot loader or BIOS does:
 * the guest's own GDT, CR0.PE, a far jump into 32-bit code (which writes
 * above 1 MiB), a 16-bit protected-mode segment, CR0.PE off, a far jump
 * back to real mode.  FS keeps its 4 GiB limit from protected mode
 * ("unreal mode"), so real-mode code then reads above 1 MiB through it.
 */
#include "guest.h"

u32 pm_cr0, pm_readback, pm_cs;
void prot_and_back(void);

asm(".section .data\n"
    ".balign 8\n"
    "pm_gdt:\n\t"
    ".quad 0\n\t"
    ".quad 0x00cf9b000000ffff\n\t"	/* 0x08 code32, 4 GiB */
    ".quad 0x00009b000000ffff\n\t"	/* 0x10 code16, 64 KiB */
    ".quad 0x000093000000ffff\n\t"	/* 0x18 data16, 64 KiB */
    ".quad 0x00cf93000000ffff\n"	/* 0x20 data32, 4 GiB */
    "pm_gdt_end:\n"
    "pm_gdt_desc:\n\t"
    ".word pm_gdt_end - pm_gdt - 1\n\t"
    ".long pm_gdt\n"
    ".text\n"
    ".code16gcc\n"
    ".globl prot_and_back\n"
    "prot_and_back:\n\t"
    "pushl %ebx\n\t"
    "cli\n\t"
    "lgdtl pm_gdt_desc\n\t"
    "movl %cr0, %eax\n\t"
    "orl $1, %eax\n\t"
    "movl %eax, %cr0\n\t"
    "ljmpl $0x08, $1f\n"
    ".code32\n"
    "1:\n\t"
    "movw $0x20, %ax\n\t"
    "movw %ax, %ds\n\t"
    "movw %ax, %es\n\t"
    "movw %ax, %fs\n\t"
    "movw %ax, %ss\n\t"
    "movl %cr0, %eax\n\t"
    "movl %eax, pm_cr0\n\t"
    "movl %cs, %eax\n\t"
    "movl %eax, pm_cs\n\t"
    "movl $0x600dcafe, 0x200000\n\t"
    "movl 0x200000, %eax\n\t"
    "movl %eax, pm_readback\n\t"
    "ljmp $0x10, $2f\n"
    ".code16\n"
    "2:\n\t"
    "movw $0x18, %ax\n\t"
    "movw %ax, %ds\n\t"
    "movw %ax, %es\n\t"
    "movw %ax, %ss\n\t"		/* FS keeps the 4 GiB data32 limit */
    "movl %cr0, %eax\n\t"
    "andl $0xfffffffe, %eax\n\t"
    "movl %eax, %cr0\n\t"
    "ljmp $0, $3f\n"
    "3:\n\t"
    "xorw %ax, %ax\n\t"
    "movw %ax, %ds\n\t"
    "movw %ax, %es\n\t"
    "movw %ax, %fs\n\t"
    "movw %ax, %ss\n\t"
    "popl %ebx\n\t"
    "retl\n"
    ".code16gcc\n");

static u16 smsw(void)
{
	u16 v;

	asm volatile("smsw %0" : "=r"(v));
	return v;
}

int main(void)
{
	u32 v;

	prot_and_back();
	value("pm-cr0", pm_cr0);
	value("pm-cs", pm_cs);
	value("pm-readback", pm_readback);
	report((pm_cr0 & 1) && pm_cs == 0x08 && pm_readback == 0x600dcafe, "protected-mode-ran");
	report(!(smsw() & 1), "back-in-real-mode");
	asm volatile("movl %%fs:(%1), %0" : "=r"(v) : "r"(0x200000u) : "memory");
	value("unreal-read", v);
	report(v == 0x600dcafe, "unreal-mode-fs-4g-limit");
	return 0;
}
