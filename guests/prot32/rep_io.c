// SPDX-License-Identifier: GPL-2.0
/*
 * rep ins/outs of every size, with DF=0 and DF=1, and with count 0,
 * against the PIO test device's SEQ (in) and SINK (out) registers.
 * Checks memory, and the final EDI/ESI/ECX.
 */
#include "guest.h"

static u8 buf[3 * 4096] __attribute__((aligned(4096)));

static u32 seq_at(u32 i, unsigned int size)
{
	return size == 4 ? i : i & ((1u << (8 * size)) - 1);
}

static u32 get(const u8 *p, unsigned int size)
{
	u32 v = 0;

	memcpy(&v, p, size);
	return v;
}

#define REP_IO(insn, reg, port, ptr, count, df)				\
	asm volatile("cld; testl %3, %3; jz 1f; std; 1: rep " insn "; cld"	\
		     : "+" reg(ptr), "+c"(count) : "d"(port), "r"(df) : "memory", "cc")

static void rep_ins(unsigned int size, int df, u32 count, u32 start)
{
	const char *sfx = size == 1 ? "b" : size == 2 ? "w" : "d";
	u8 *first = buf + 4096 - 40 + (df ? (count ? (count - 1) * size : 0) : 0);
	void *ptr = first;
	u32 n = count, bad = 0;

	memset(buf, 0xcc, sizeof(buf));
	outl(PORT_PIODEV_SEQ, start);
	if (size == 1)
		REP_IO("insb", "D", (u16)PORT_PIODEV_SEQ, ptr, n, df);
	else if (size == 2)
		REP_IO("insw", "D", (u16)PORT_PIODEV_SEQ, ptr, n, df);
	else
		REP_IO("insl", "D", (u16)PORT_PIODEV_SEQ, ptr, n, df);

	for (u32 i = 0; i < count; i++) {
		u8 *p = df ? first - i * size : first + i * size;
		bad += get(p, size) != seq_at(start + i, size);
	}
	/* the bytes just outside the range are untouched */
	u8 *lo = df ? first - count * size + size : first;
	bad += lo[-1] != 0xcc;
	bad += lo[count * size] != 0xcc;
	u8 *end = df ? first - count * size : first + count * size;
	report(bad == 0 && n == 0 && ptr == end && inl(PORT_PIODEV_SEQ) == start + count,
	       "ins%s-df%d-count%u", sfx, df, count);
}

static void rep_outs(unsigned int size, int df, u32 count)
{
	const char *sfx = size == 1 ? "b" : size == 2 ? "w" : "d";
	u8 *first = buf + 4096 - 40 + (df ? (count ? (count - 1) * size : 0) : 0);
	const void *ptr = first;
	u32 n = count, sum = 0;

	for (u32 i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 13 + size + df);
	for (u32 i = 0; i < count; i++)
		sum = PIODEV_FOLD(sum, get(df ? first - i * size : first + i * size, size), size);
	outb(PORT_PIODEV_COUNT, 0);
	if (size == 1)
		REP_IO("outsb", "S", (u16)PORT_PIODEV_SINK, ptr, n, df);
	else if (size == 2)
		REP_IO("outsw", "S", (u16)PORT_PIODEV_SINK, ptr, n, df);
	else
		REP_IO("outsl", "S", (u16)PORT_PIODEV_SINK, ptr, n, df);
	const u8 *end = df ? first - count * size : first + count * size;
	report(inl(PORT_PIODEV_SINK) == sum && inl(PORT_PIODEV_COUNT) == count &&
	       n == 0 && ptr == end, "outs%s-df%d-count%u", sfx, df, count);
}

int main(void)
{
	static const u32 counts[] = { 0, 1, 7, 100, 2000 };	/* 2000 crosses pages */

	for (unsigned int size = 1; size <= 4; size *= 2)
		for (int df = 0; df <= 1; df++)
			for (unsigned int c = 0; c < ARRAY_SIZE(counts); c++) {
				if (counts[c] * size > 4096 + 40 - 8 && df)
					continue;	/* stay inside buf going down */
				rep_ins(size, df, counts[c], 0x100 * size + c);
				rep_outs(size, df, counts[c]);
			}

	/* rep outsb to the console */
	static const char msg[] = "rep outsb to the console\n";
	const void *p = msg;
	u32 n = sizeof(msg) - 1;
	asm volatile("cld; rep outsb" : "+S"(p), "+c"(n) : "d"((u16)PORT_CONSOLE) : "memory");
	report((read_eflags() & 0x400) == 0, "df-clear-at-end");
	return 0;
}
