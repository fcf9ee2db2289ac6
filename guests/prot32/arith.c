// SPDX-License-Identifier: GPL-2.0
/* 32-bit protected mode: arithmetic, flags, values the guest computes. */
#include "guest.h"

static u32 cr0(void)
{
	unsigned long v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

int main(void)
{
	volatile u32 x = 0x12345678, y = 0x9abc;
	u32 lo, hi, f;

	value("cr0", cr0());
	report((cr0() & 0x80000001) == 1, "protected-no-paging");
	value("add", x + y);
	value("sub", y - x);
	value("mul", x * y);
	asm("mull %3" : "=a"(lo), "=d"(hi) : "a"(x), "r"(y));
	value("mull-edx", hi);
	value("mull-eax", lo);
	value("div", x / y);
	value("mod", x % y);
	value("idiv", (u32)((int32_t)-x / (int32_t)y));
	value("rol", x << 13 | x >> 19);
	asm("addl %2, %1; pushf; pop %0" : "=r"(f), "+r"(lo) : "r"(0xffffffffu) : "cc");
	value("flags-after-add", f & 0x8d5);	/* OF SF ZF AF PF CF */
	u32 bsr;
	asm("bsrl %1, %0" : "=r"(bsr) : "r"(x));
	value("bsr", bsr);
	u32 fib = 0, next = 1;
	for (int i = 0; i < 40; i++) {
		u32 t = fib + next;
		fib = next;
		next = t;
	}
	value("fib40", fib);
	report(fib == 102334155, "fib40");
	return 0;
}
