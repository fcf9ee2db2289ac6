// SPDX-License-Identifier: GPL-2.0
/* Real mode: software interrupts and #DE through the IVT at 0. */
#include "guest.h"
#include "ivt.h"

volatile u32 int80_count, de_count;
void int80_handler(void);
void de_handler(void);

/* IVT handlers: 16-bit IRET frames (IP, CS, FLAGS) */
asm(".globl int80_handler\n"
    "int80_handler:\n\t"
    "incl int80_count\n\t"
    "movl $0x12345678, %eax\n\t"
    "iretw\n"
    ".globl de_handler\n"
    "de_handler:\n\t"
    "incl de_count\n\t"
    "pushw %bp\n\t"
    "movw %sp, %bp\n\t"
    "addw $2, 2(%bp)\n\t"		/* skip the 2-byte DIV */
    "popw %bp\n\t"
    "iretw\n");

int main(void)
{
	u32 v;

	set_vector(0x80, int80_handler);
	set_vector(0, de_handler);

	asm volatile("int $0x80" : "=a"(v) :: "memory");
	asm volatile("int $0x80" : "=a"(v) :: "memory");
	value("int80-eax", v);
	value("int80-count", int80_count);
	report(v == 0x12345678 && int80_count == 2, "int80-through-ivt");

	u32 flags0 = read_eflags() & 0x200;
	asm volatile("sti; int $0x80; cli" : "=a"(v) :: "memory");
	report((read_eflags() & 0x200) == 0 && !flags0, "iret-restores-flags");

	/* divide by zero: 8-bit DIV is f6 f3 (div %bl), two bytes */
	asm volatile("movw $100, %%ax; xorb %%bl, %%bl; .byte 0xf6, 0xf3"
		     ::: "eax", "ebx", "memory");
	value("de-count", de_count);
	report(de_count == 1, "divide-error-through-ivt");
	return 0;
}
