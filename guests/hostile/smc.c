// SPDX-License-Identifier: GPL-2.0
/*
 * Self-modifying code: a function in RAM is rewritten between calls (its
 * immediate, then its opcode), an instruction is rewritten just ahead of
 * the one executing (within the prefetch window: x86 must see the new
 * bytes), and code straddling a page boundary is patched on both pages.
 */
#include "guest.h"

static u8 code[2 * 4096] __attribute__((aligned(4096)));

typedef u32 (*fn_t)(void);

static void put_mov_ret(u8 *p, u32 imm)
{
	p[0] = 0xb8;			/* mov eax, imm32 */
	memcpy(p + 1, &imm, 4);
	p[5] = 0xc3;			/* ret */
}

int main(void)
{
	fn_t f = (fn_t)(uintptr_t)code;
	u32 r, i;

	put_mov_ret(code, 1);
	value("call-1", f());
	for (i = 2; i < 50; i++) {
		*(volatile u32 *)(code + 1) = i;
		r = f();
		if (r != i)
			break;
	}
	report(i == 50, "patched-immediate-48-times");

	/* new opcode: xor eax, eax; dec eax; ret */
	code[0] = 0x31; code[1] = 0xc0; code[2] = 0x48; code[3] = 0xc3;
	value("call-new-opcode", f());

	/* the instruction after the store is the one rewritten:
	 * movb $0x42, next+1; next: mov $0x00, %al -> executes mov $0x42 */
	asm volatile("movb $0x42, 1f+1\n\t"
		     "1: movb $0x00, %%al\n\t"
		     : "=a"(r) : "0"(0) : "memory");
	/* the code is in .text (RAM, writable under vmrun's flat GDT) */
	value("prefetch-window", r & 0xff);

	/* straddling: mov eax, imm32 whose bytes cross into the next page */
	fn_t g = (fn_t)(uintptr_t)(code + 4096 - 3);
	put_mov_ret(code + 4096 - 3, 0x12345678);
	value("straddle-1", g());
	*(volatile u32 *)(code + 4096 - 2) = 0x87654321;
	value("straddle-2", g());
	return 0;
}
