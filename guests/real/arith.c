// SPDX-License-Identifier: GPL-2.0
/* Real mode: 16- and 32-bit arithmetic; results as values. */
#include "guest.h"

static u16 smsw(void)
{
	u16 v;

	asm volatile("smsw %0" : "=r"(v));
	return v;
}

int main(void)
{
	volatile u16 a = 1234, b = 56;
	volatile u32 x = 1000003, y = 97;
	u16 lo, hi;

	report(!(smsw() & 1), "real-mode-pe-clear");
	value("add16", (u16)(a + b));
	value("sub16", (u16)(b - a));
	value("mul16", (u16)(a * b));
	/* 16-bit MUL: DX:AX = AX * r16 */
	asm("mulw %3" : "=a"(lo), "=d"(hi) : "a"((u16)0xfedc), "r"((u16)0x1234));
	value("mulw-dx-ax", (u32)hi << 16 | lo);
	value("div32", x / y);
	value("mod32", x % y);
	value("shl32", x << 7);
	value("sar32", (u32)((int32_t)-x >> 3));
	value("xor32", x ^ 0x5a5a5a5a);
	report((u16)(a * b) == 3568 && x / y == 10309, "arith");
	return 0;
}
