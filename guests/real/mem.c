// SPDX-License-Identifier: GPL-2.0
/* Real mode: memory through DS and through segment registers (base =
 * selector * 16), string instructions. */
#include "guest.h"

static u8 buf[1024];

static void far_write(u16 sel, u16 off, u32 v)
{
	asm volatile("movw %0, %%es\n\tmovl %2, %%es:(%1)\n\txorw %%ax, %%ax\n\tmovw %%ax, %%es"
		     :: "r"(sel), "r"((u32)off), "r"(v) : "ax", "memory");
}

static u32 far_read(u16 sel, u16 off)
{
	u32 v;

	asm volatile("movw %1, %%fs\n\tmovl %%fs:(%2), %0" : "=&r"(v) : "r"(sel), "r"((u32)off) : "memory");
	return v;
}

int main(void)
{
	u32 sum = 0;

	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 7 + 3);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		sum = sum * 31 + buf[i];
	value("buf-sum", sum);

	/* linear 0x10010 written as 1000:0010 and read back as 1001:0000 */
	far_write(0x1000, 0x10, 0xcafef00d);
	value("far-read", far_read(0x1001, 0));
	report(far_read(0x1001, 0) == 0xcafef00d, "segment-aliasing");
	report(*(volatile u32 *)0x6000 == 0, "low-memory-zero");

	/* rep stosw / rep movsb */
	u16 w[16];
	u8 copy[64];
	void *d = w;
	u32 n = 16;
	asm volatile("cld; rep stosw" : "+D"(d), "+c"(n) : "a"(0xa55a) : "memory");
	report(w[0] == 0xa55a && w[15] == 0xa55a && n == 0, "rep-stosw");
	const void *s = buf;
	d = copy;
	n = sizeof(copy);
	asm volatile("cld; rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	report(!memcmp(copy, buf, sizeof(copy)), "rep-movsb");
	return 0;
}
