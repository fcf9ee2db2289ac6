// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction forms on MMIO, for the emulator: MOV of every size and
 * direction (register, immediate, moffs), MOVZX/MOVSX, ALU ops with a
 * memory source and destination, TEST, CMP, XCHG, BT, and string
 * instructions (MOVS, STOS, LODS) with and without REP.  Every access is
 * logged by vmrun, so the order and size of the accesses are compared too.
 */
#include "guest.h"

#define SCR	(MMIO_BASE + MMIO_SCRATCH)
#define S8	(*(volatile u8 *)(uintptr_t)SCR)
#define S16	(*(volatile u16 *)(uintptr_t)SCR)
#define S32	(*(volatile u32 *)(uintptr_t)SCR)

static void set32(u32 v) { S32 = v; }

int main(void)
{
	u32 v, w;
	u8 buf[16];

	/* MOV: register, immediate, moffs (A1/A3), every size */
	asm volatile("movl %0, (%1)" :: "r"(0x11223344u), "r"(SCR) : "memory");
	asm volatile("movl (%1), %0" : "=r"(v) : "r"(SCR) : "memory");
	report(v == 0x11223344, "mov32-r-m-r");
	asm volatile("movb $0x55, (%0)" :: "r"(SCR) : "memory");
	asm volatile("movw $0x6677, 2(%0)" :: "r"(SCR) : "memory");
	value("after-imm", S32);
	asm volatile("movl %1, %%eax; movl %%eax, 0xd0000008; movl 0xd0000008, %0"
		     : "=r"(v) : "i"(0xa1a2a3a4u) : "eax", "memory");
	report(v == 0xa1a2a3a4, "mov-moffs32");
	asm volatile("movb 0xd0000009, %%al; movzbl %%al, %0" : "=r"(v) :: "eax", "memory");
	report(v == 0xa3, "mov-moffs8");

	/* MOVZX / MOVSX */
	set32(0x8081f2f3);
	asm volatile("movzbl (%1), %0" : "=r"(v) : "r"(SCR) : "memory");
	asm volatile("movsbl (%1), %0" : "=r"(w) : "r"(SCR) : "memory");
	report(v == 0xf3 && w == 0xfffffff3, "movzx-movsx-8");
	asm volatile("movzwl 2(%1), %0" : "=r"(v) : "r"(SCR) : "memory");
	asm volatile("movswl 2(%1), %0" : "=r"(w) : "r"(SCR) : "memory");
	report(v == 0x8081 && w == 0xffff8081, "movzx-movsx-16");

	/* ALU with a memory source, and read-modify-write destinations */
	set32(100);
	v = 5;
	asm volatile("addl (%1), %0" : "+r"(v) : "r"(SCR) : "memory", "cc");
	report(v == 105, "add-m-to-r");
	asm volatile("addl $7, (%0)" :: "r"(SCR) : "memory", "cc");
	asm volatile("subl $2, (%0)" :: "r"(SCR) : "memory", "cc");
	asm volatile("orl $0x100, (%0)" :: "r"(SCR) : "memory", "cc");
	asm volatile("andl $0xffff01ff, (%0)" :: "r"(SCR) : "memory", "cc");
	asm volatile("xorl $0x3, (%0)" :: "r"(SCR) : "memory", "cc");
	asm volatile("incl (%0); decb (%0); notw (%0); negw (%0)" :: "r"(SCR) : "memory", "cc");
	value("rmw-result", S32);
	asm volatile("shll $3, (%0); sarl $1, (%0)" :: "r"(SCR) : "memory", "cc");
	value("shift-result", S32);

	/* TEST / CMP set flags from MMIO */
	u32 f;
	set32(0x80000000);
	asm volatile("testl $0x80000000, (%1); pushf; pop %0" : "=r"(f) : "r"(SCR) : "memory", "cc");
	report(!(f & 0x40) && (f & 0x80), "test-m-imm-flags");
	asm volatile("cmpl $0x80000000, (%1); pushf; pop %0" : "=r"(f) : "r"(SCR) : "memory", "cc");
	report(f & 0x40, "cmp-m-imm-zf");

	/* XCHG, BT */
	set32(0xcafe);
	v = 0xbeef;
	asm volatile("xchgl %0, (%1)" : "+r"(v) : "r"(SCR) : "memory");
	report(v == 0xcafe && S32 == 0xbeef, "xchg");
	asm volatile("btl $3, (%1); setc %b0; movzbl %b0, %0" : "=q"(v) : "r"(SCR) : "memory", "cc");
	report(v == 1, "bt-m-imm");

	/* string instructions */
	set32(0x01020304);
	void *d = buf;
	const void *s = (const void *)(uintptr_t)SCR;
	u32 n = 4;
	memset(buf, 0, sizeof(buf));
	asm volatile("cld; rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	report(!memcmp(buf, "\x04\x03\x02\x01", 4) && n == 0, "rep-movsb-mmio-to-ram");
	d = (void *)(uintptr_t)SCR;
	s = "\xaa\xbb\xcc\xdd";
	n = 2;
	asm volatile("cld; rep movsw" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	report(S32 == 0xddccbbaa, "rep-movsw-ram-to-mmio");
	d = (void *)(uintptr_t)SCR;
	asm volatile("cld; stosl" : "+D"(d) : "a"(0x5a5a5a5au) : "memory");
	report(S32 == 0x5a5a5a5a, "stosl-mmio");
	s = (const void *)(uintptr_t)(MMIO_BASE + MMIO_ID);
	asm volatile("cld; lodsl" : "=a"(v), "+S"(s) :: "memory");
	report(v == MMIO_ID_VALUE, "lodsl-mmio");
	d = (void *)(uintptr_t)SCR;
	n = 8;
	asm volatile("cld; rep stosb" : "+D"(d), "+c"(n) : "a"(0x77) : "memory");
	report(S32 == 0x77777777, "rep-stosb-mmio");
	return 0;
}
