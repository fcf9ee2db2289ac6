// SPDX-License-Identifier: GPL-2.0
/* 32-bit protected mode: memory patterns across the guest's RAM. */
#include "guest.h"

static u32 big[16384];	/* 64 KiB in .bss */

int main(void)
{
	u32 sum = 0;

	for (u32 i = 0; i < ARRAY_SIZE(big); i++)
		big[i] = i * 2654435761u;
	for (u32 i = 0; i < ARRAY_SIZE(big); i++)
		sum ^= big[i] + i;
	value("bss-xorsum", sum);

	/* one word in every 64 KiB from 2 MiB to 15 MiB: write, then read */
	u32 bad = 0, n = 0;
	for (u32 a = 2 << 20; a < 15 << 20; a += 0x10000, n++)
		*(volatile u32 *)a = a ^ 0x5a5a5a5a;
	for (u32 a = 2 << 20; a < 15 << 20; a += 0x10000)
		bad += *(volatile u32 *)a != (a ^ 0x5a5a5a5a);
	value("words-checked", n);
	report(bad == 0, "ram-2M-15M");

	/* byte/word/dword views of the same memory */
	volatile u32 *p = (volatile u32 *)(8 << 20);
	*p = 0x11223344;
	((volatile u8 *)p)[1] = 0xaa;
	((volatile u16 *)p)[1] = 0xbbcc;
	value("mixed-sizes", *p);
	report(*p == 0xbbccaa44, "mixed-sizes");
	report(*(volatile u32 *)(15 << 20) == 0, "untouched-zero");
	return 0;
}
