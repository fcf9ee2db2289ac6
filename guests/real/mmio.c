// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO from real mode, for the emulator's 16-bit forms.  A trip through
 * protected mode leaves FS with base MMIO_BASE and a 64 KiB limit (the
 * hidden part survives the return to real mode, as in "unreal mode"), so
 * real-mode code reaches the MMIO device through FS with 16-bit
 * addressing ([bx], [bx+si+disp8], [bp+di] with an FS override, disp16)
 * and 16-bit operands, plus 66-prefixed 32-bit operands: mov, movzx,
 * movsx, the ALU group, inc/dec/not/neg, xchg, cmpxchg, bts/btr,
 * setcc, push/pop of memory, rep movsw and lodsw through FS, and
 * cmpsw.  vmrun logs every access, so the exit sequence is compared
 * with the in-tree KVM's too.
 */
#include "guest.h"

void fs_to_mmio(void);

asm(".section .data\n"
    ".balign 8\n"
    "mm_gdt:\n\t"
    ".quad 0\n\t"
    ".quad 0x00009b000000ffff\n\t"	/* 0x08 code16, base 0 */
    ".quad 0xd00093000000ffff\n"	/* 0x10 data16, base MMIO_BASE */
    "mm_gdt_end:\n"
    "mm_gdt_desc:\n\t"
    ".word mm_gdt_end - mm_gdt - 1\n\t"
    ".long mm_gdt\n"
    ".text\n"
    ".code16gcc\n"
    ".globl fs_to_mmio\n"
    "fs_to_mmio:\n\t"
    "cli\n\t"
    "lgdtl mm_gdt_desc\n\t"
    "movl %cr0, %eax\n\t"
    "orl $1, %eax\n\t"
    "movl %eax, %cr0\n\t"
    "ljmp $0x08, $1f\n"
    ".code16\n"
    "1:\n\t"
    "movw $0x10, %ax\n\t"
    "movw %ax, %fs\n\t"
    "movl %cr0, %eax\n\t"
    "andl $0xfffffffe, %eax\n\t"
    "movl %eax, %cr0\n\t"
    "ljmp $0, $2f\n"
    "2:\n\t"
    "retl\n"
    ".code16gcc\n");

/* The device's registers as FS offsets. */
#define ID	0x00
#define SCR	0x08
#define CNT	0x10

static void set_scr(u32 lo, u32 hi)
{
	asm volatile("movl %0, %%fs:0x08; movl %1, %%fs:0x0c"
		     :: "r"(lo), "r"(hi) : "memory");
}

static u32 get_scr(void)
{
	u32 v;

	asm volatile("movl %%fs:0x08, %0" : "=r"(v) :: "memory");
	return v;
}

#define FL_MASK	0x8d5u	/* CF PF AF ZF SF OF */

int main(void)
{
	u16 w, f;
	u32 d;

	fs_to_mmio();

	/* reads: disp16, [bx], [bx+si+disp8], [bp+di] with FS */
	asm volatile("movw %%fs:0x0000, %0" : "=r"(w) :: "memory");
	value("id-lo16", w);
	asm volatile("movw %%fs:(%%bx), %0" : "=r"(w) : "b"((u16)2) : "memory");
	value("id-hi16-bx", w);
	asm volatile("movb %%fs:1(%%bx,%%si), %b0" : "=q"(w) : "b"((u16)1), "S"((u16)1) : "memory");
	value("id-byte3-bx-si-d8", w & 0xff);
	asm volatile("pushw %%bp; xorw %%bp, %%bp; movl %%fs:(%%bp,%%di), %0; popw %%bp"
		     : "=r"(d) : "D"((u16)4) : "memory");
	value("version-bp-di", d);

	/* movzx, movsx, 32-bit write and 16-bit read back */
	set_scr(0x8081f0f1, 0x12345678);
	asm volatile("movzbw %%fs:0x08, %0" : "=r"(w) :: "memory");
	value("movzbw", w);
	asm volatile("movsbl %%fs:0x09, %0" : "=r"(d) :: "memory");
	value("movsbl", d);
	asm volatile("movswl %%fs:0x0a, %0" : "=r"(d) :: "memory");
	value("movswl", d);

	/* ALU with a memory destination and source, 16 and 32 bits */
	set_scr(0x0000fff0, 0);
	asm volatile("addw $0x20, %%fs:0x08; pushfw; popw %0" : "=r"(f) :: "memory", "cc");
	value("addw-m-imm", get_scr());
	value("addw-flags", f & FL_MASK);
	asm volatile("subl $1, %%fs:0x08; pushfw; popw %0" : "=r"(f) :: "memory", "cc");
	value("subl-m-imm", get_scr());
	value("subl-flags", f & FL_MASK);
	w = 0x1111;
	asm volatile("addw %%fs:0x08, %0; pushfw; popw %1" : "+r"(w), "=r"(f) :: "memory", "cc");
	value("addw-r-m", w);
	value("addw-r-m-flags", f & FL_MASK);
	asm volatile("xorw $0x5a5a, %%fs:0x0a" ::: "memory", "cc");
	asm volatile("orb $0x80, %%fs:0x0c" ::: "memory", "cc");
	asm volatile("andw $0x0ff0, %%fs:0x08" ::: "memory", "cc");
	value("logic-lo", get_scr());
	asm volatile("cmpw $0x0010, %%fs:0x08; pushfw; popw %0" : "=r"(f) :: "memory", "cc");
	value("cmpw-flags", f & FL_MASK);
	asm volatile("testb $0x10, %%fs:0x08; pushfw; popw %0" : "=r"(f) :: "memory", "cc");
	value("testb-flags", f & FL_MASK);

	/* unary */
	set_scr(0x7fff, 0);
	asm volatile("incw %%fs:0x08; pushfw; popw %0" : "=r"(f) :: "memory", "cc");
	value("incw", get_scr());
	value("incw-flags", f & FL_MASK);
	asm volatile("negw %%fs:0x08; pushfw; popw %0" : "=r"(f) :: "memory", "cc");
	value("negw", get_scr());
	value("negw-flags", f & FL_MASK);
	asm volatile("notl %%fs:0x08" ::: "memory");
	value("notl", get_scr());
	asm volatile("decb %%fs:0x09" ::: "memory", "cc");
	value("decb", get_scr());

	/* xchg, cmpxchg (both outcomes), bts/btr, setcc */
	set_scr(0x1234, 0);
	w = 0xabcd;
	asm volatile("xchgw %0, %%fs:0x08" : "+r"(w) :: "memory");
	value("xchgw-reg", w);
	value("xchgw-mem", get_scr());
	asm volatile("cmpxchgw %1, %%fs:0x08; pushfw; popw %0"
		     : "=r"(f) : "r"((u16)0x5555), "a"((u16)0xabcd) : "memory", "cc");
	value("cmpxchgw-hit", get_scr());
	value("cmpxchgw-hit-zf", f & 0x40);
	asm volatile("cmpxchgw %2, %%fs:0x08; pushfw; popw %0"
		     : "=r"(f), "+a"(w) : "r"((u16)0x6666) : "memory", "cc");
	value("cmpxchgw-miss-ax", w);
	value("cmpxchgw-miss-mem", get_scr());
	asm volatile("btsw $3, %%fs:0x08; btrw $0, %%fs:0x08; pushfw; popw %0"
		     : "=r"(f) :: "memory", "cc");
	value("bts-btr", get_scr());
	value("btr-cf", f & 1);
	asm volatile("stc; setc %%fs:0x0b; clc; setc %%fs:0x0a" ::: "memory", "cc");
	value("setc", get_scr());

	/* push and pop of an MMIO word */
	set_scr(0xbeef, 0);
	asm volatile("pushw %%fs:0x08; popw %0" : "=r"(w) :: "memory");
	value("push-m16", w);
	asm volatile("pushw $0x4321; popw %%fs:0x0a" ::: "memory");
	value("pop-m16", get_scr());

	/* string forms with FS sources and 16-bit SI/DI/CX */
	u16 buf[4] = { 0, 0, 0, 0 };
	u16 si = SCR, di = (u16)(uintptr_t)buf, cx = 4;
	set_scr(0x22221111, 0x44443333);
	asm volatile("cld; rep movsw %%fs:(%%si), %%es:(%%di)"
		     : "+S"(si), "+D"(di), "+c"(cx) :: "memory");
	value("rep-movsw-0", buf[0]);
	value("rep-movsw-3", buf[3]);
	value("rep-movsw-si", si);
	si = SCR;
	asm volatile("lodsw %%fs:(%%si), %%ax" : "=a"(w), "+S"(si) :: "memory");
	value("lodsw", w);
	si = SCR + 2;
	di = (u16)(uintptr_t)buf + 2;
	asm volatile("cmpsw %%es:(%%di), %%fs:(%%si); pushfw; popw %0"
		     : "=r"(f), "+S"(si), "+D"(di) :: "memory", "cc");
	value("cmpsw-flags", f & FL_MASK);
	asm volatile("movl %%fs:0x10, %0" : "=r"(d) :: "memory");
	value("device-count", d);
	return 0;
}
