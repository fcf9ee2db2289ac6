// SPDX-License-Identifier: GPL-2.0
/*
 * String instructions whose memory operand crosses a page boundary that
 * is also the end of the only memory slot (vmrun's default 16 MiB): the
 * part in RAM must land in RAM, the rest must leave as MMIO exits (vmrun
 * prints each "unhandled" access, reads of nothing return all-ones),
 * element by element, with an element straddling the boundary split.
 * Then the same across the end of the MMIO test device's page.  Both
 * drivers must produce the same exits and values.
 */
#include "guest.h"

#define END	0x01000000u	/* vmrun's default --mem 16 */

static u32 ram32(u32 a) { return *(volatile u32 *)(uintptr_t)a; }

static void rep_stosl(u32 dst, u32 v, u32 n, int down)
{
	if (down)
		asm volatile("std; rep stosl; cld" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
	else
		asm volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

static void rep_movsb(u32 dst, u32 src, u32 n)
{
	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) :: "memory");
}

static void rep_movsl(u32 dst, u32 src, u32 n)
{
	asm volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) :: "memory");
}

int main(void)
{
	static u8 src[16], buf[32];
	u32 i, v, n;

	for (i = 0; i < sizeof(src); i++)
		src[i] = 0xa0 + i;

	rep_stosl(END - 8, 0x11223344, 4, 0);
	value("stosl-ram0", ram32(END - 8));
	value("stosl-ram1", ram32(END - 4));

	rep_movsb(END - 5, (u32)(uintptr_t)src, 10);
	value("movsb-ram", ram32(END - 4) >> 8);

	/* one element straddling the boundary: 2 bytes RAM, 2 MMIO */
	rep_movsl(END - 2, (u32)(uintptr_t)src, 1);
	value("movsl-split-ram", ram32(END - 4));

	memset(buf, 0, sizeof(buf));
	rep_movsl((u32)(uintptr_t)buf, END - 8, 4);
	for (i = 0; i < 4; i++)
		value("movsl-from-end", ((u32 *)buf)[i]);

	rep_stosl(END + 4, 0x55667788, 4, 1);
	value("stosl-down-ram", ram32(END - 4));

	n = 3;
	v = 0;
	i = END - 4;
	asm volatile("rep lodsl" : "+S"(i), "+c"(n), "=a"(v) :: "memory");
	value("lodsl-last", v);

	/* across the end of the MMIO device's page into nothing */
	rep_stosl(MMIO_BASE + MMIO_SIZE - 8, 0x99aabbcc, 4, 0);
	rep_movsl((u32)(uintptr_t)buf, MMIO_BASE + MMIO_SIZE - 4, 2);
	value("mmio-page-end-0", ((u32 *)buf)[0]);
	value("mmio-page-end-1", ((u32 *)buf)[1]);
	return 0;
}
