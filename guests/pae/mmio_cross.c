// SPDX-License-Identifier: GPL-2.0
/*
 * Accesses that straddle RAM and MMIO: through a 4 KiB map at 1 GiB of
 * RAM page, MMIO device page, RAM page, unaligned reads, writes,
 * read-modify-writes and string moves cross both boundaries, so one
 * instruction touches RAM and MMIO (two exits where both halves are
 * MMIO-sized pieces).  Under 4-level paging (long/mmio_cross.c) and
 * --arg 0=1 also CMPXCHG16B on MMIO: two 8-byte reads and two 8-byte
 * writes.  vmrun
 * logs each MMIO access; the sequence is compared with the in-tree KVM.
 */
#include "paging.h"

#define P	PTE_P
#define W	PTE_W
#define VA	0x40000000u
#define FRAME	0x00a00000u

static u64 pt[512] __attribute__((aligned(4096)));

#define RAM0	((volatile u8 *)(uintptr_t)FRAME)		/* VA + 0 */
#define RAM1	((volatile u8 *)(uintptr_t)(FRAME + 0x1000))	/* VA + 0x2000 */
#define AT(off)	((uintptr_t)VA + (off))

int main(void)
{
	u32 v;

	PDE_1G = (uintptr_t)pt | P | W;
	pt[0] = FRAME | P | W;
	pt[1] = MMIO_BASE | P | W;
	pt[2] = (FRAME + 0x1000) | P | W;
	for (int i = 0; i < 0x2000; i++)
		RAM0[i] = (u8)(i * 13 + 1);

	/* a write RAM -> MMIO: 2 bytes to RAM, 2 to the device's ID */
	*(volatile u32 *)AT(0xffe) = 0x11223344;
	value("w-ram-mmio-ram", RAM0[0xffe] | RAM0[0xfff] << 8);
	/* a write MMIO -> RAM: 1 byte to the device, 3 to RAM */
	*(volatile u32 *)AT(0x1fff) = 0xa1b2c3d4;
	value("w-mmio-ram-ram", RAM1[0] | RAM1[1] << 8 | RAM1[2] << 16);
	/* reads across both boundaries */
	value("r-ram-mmio", *(volatile u32 *)AT(0xffd));
	value("r-mmio-ram", *(volatile u32 *)AT(0x1ffe));
	value("r64-ram-mmio", *(volatile u64 *)AT(0xffc));
	/* read-modify-write across RAM -> MMIO */
	asm volatile("addl $0x01010101, (%0)" :: "r"(AT(0xfff)) : "memory", "cc");
	value("rmw-ram-mmio", RAM0[0xfff]);
	/* string moves of unaligned dwords across the boundary */
	{
		uintptr_t si = AT(0xff8), di = AT(0x1ffa);
		unsigned long n = 3;

		asm volatile("cld; rep movsl" : "+S"(si), "+D"(di), "+c"(n) :: "memory");
		value("movsl-dst-ram", RAM1[0] | RAM1[1] << 8 | RAM1[2] << 16 | RAM1[3] << 24);
		value("movsl-si", si - VA);
		value("movsl-di", di - VA);
	}
	/* the device's scratch register, 8 bytes, read as two overlapping
	 * halves of a qword that starts in RAM */
	*(volatile u64 *)(uintptr_t)(MMIO_BASE + MMIO_SCRATCH) = 0x8877665544332211ull;
	v = *(volatile u32 *)AT(0x1006);
	value("r-scratch-straddle", v);
#ifdef __x86_64__
	/*
	 * With --arg 0=1: cmpxchg16b at device offset 0x10 (COUNT reads 0
	 * at 8 bytes, zero above it): a mismatch, written back.  The
	 * in-tree KVM ends this in KVM_EXIT_INTERNAL_ERROR after the two
	 * reads, so it runs on kvmlab only (tests/manifest).
	 */
	if (guest_arg(0, 0)) {
		u64 lo = 1, hi = 2;
		u8 zf;

		asm volatile("lock cmpxchg16b (%4); setz %0"
			     : "=q"(zf), "+a"(lo), "+d"(hi)
			     : "b"(0x55ull), "r"(AT(0x1010)), "c"(0x66ull)
			     : "memory", "cc");
		report(!zf && lo == 0 && hi == 0, "cmpxchg16b-mmio-mismatch");
	}
#endif
	return 0;
}
