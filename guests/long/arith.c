// SPDX-License-Identifier: GPL-2.0
/* Long mode: 64-bit arithmetic, registers r8-r15, memory above 4 MiB. */
#include "guest.h"

int main(void)
{
	volatile u64 x = 0x123456789abcdef0ull, y = 0xfedcba98ull;
	u64 hi, lo;
	u32 efer_lo, efer_hi;

	asm volatile("rdmsr" : "=a"(efer_lo), "=d"(efer_hi) : "c"(0xc0000080));
	value("efer", (u64)efer_hi << 32 | efer_lo);
	report((efer_lo & 0x500) == 0x500, "long-mode-active");
	value("add", x + y);
	value("mul", x * y);
	asm("mulq %3" : "=a"(lo), "=d"(hi) : "a"(x), "r"(y));
	value("mulq-rdx", hi);
	value("mulq-rax", lo);
	value("div", x / y);
	value("mod", x % y);
	value("shr", x >> 37);
	u64 r8;
	asm volatile("mov %1, %%r8; add %%r8, %%r8; mov %%r8, %0" : "=r"(r8) : "r"(x) : "r8");
	value("r8-double", r8);
	volatile u64 *p = (volatile u64 *)(12ull << 20);
	*p = 0x0102030405060708ull;
	value("mem64", *p);
	report(*p == 0x0102030405060708ull, "mem64");
	return 0;
}
