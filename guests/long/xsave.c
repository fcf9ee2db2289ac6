// SPDX-License-Identifier: GPL-2.0
/*
 * XSAVE offered to the guest: CPUID (XSAVE, AVX, OSXSAVE following
 * CR4, leaf 0xD's sizes following XCR0), XGETBV/XSETBV #UD without
 * CR4.OSXSAVE, XSETBV's #GP rules, XCR0 really loaded (XGETBV is not
 * intercepted), the YMM registers kept across exits, and the guest's own
 * XSAVE image.
 */
#include "guest.h"

#define X86_CR4_OSXSAVE	(1ul << 18)

static u8 ymm_in[16][32] __attribute__((aligned(32)));
static u8 ymm_out[16][32] __attribute__((aligned(32)));
static u8 area[1024] __attribute__((aligned(64)));

static void xsetbv(u32 idx, u64 v)
{
	asm volatile("xsetbv" :: "c"(idx), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
}

static u64 xgetbv(u32 idx)
{
	u32 a, d;

	asm volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(idx) : "memory");
	return a | (u64)d << 32;
}

/* The vector XSETBV raised (-1: none), with its error code. */
static int try_xsetbv(u32 idx, u64 v, u32 *err)
{
	exc_expect(3);			/* 0f 01 d1 */
	xsetbv(idx, v);
	return exc_take(err);
}

static int try_xgetbv(void)
{
	exc_expect(3);			/* 0f 01 d0 */
	xgetbv(0);
	return exc_take(NULL);
}

static void set_cr4(u64 set)
{
	u64 cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" :: "r"(cr4 | set) : "memory");
}

#define YMM_LOAD(i) asm volatile("vmovdqa %0, %%ymm" #i :: "m"(ymm_in[i]))
#define YMM_STORE(i) asm volatile("vmovdqa %%ymm" #i ", %0" : "=m"(ymm_out[i]))

static void ymm_load_all(void)
{
	YMM_LOAD(0); YMM_LOAD(1); YMM_LOAD(2); YMM_LOAD(3);
	YMM_LOAD(4); YMM_LOAD(5); YMM_LOAD(6); YMM_LOAD(7);
	YMM_LOAD(8); YMM_LOAD(9); YMM_LOAD(10); YMM_LOAD(11);
	YMM_LOAD(12); YMM_LOAD(13); YMM_LOAD(14); YMM_LOAD(15);
}

static void ymm_store_all(void)
{
	YMM_STORE(0); YMM_STORE(1); YMM_STORE(2); YMM_STORE(3);
	YMM_STORE(4); YMM_STORE(5); YMM_STORE(6); YMM_STORE(7);
	YMM_STORE(8); YMM_STORE(9); YMM_STORE(10); YMM_STORE(11);
	YMM_STORE(12); YMM_STORE(13); YMM_STORE(14); YMM_STORE(15);
}

static void test_rules(void)
{
	u32 a, b, c, d, err = 0;
	int v;

	v = try_xsetbv(0, 0, &err);
	report(v == 13 && err == 0, "xsetbv-0-gp");
	v = try_xsetbv(0, 5, &err);
	report(v == 13, "xsetbv-avx-without-sse-gp");
	v = try_xsetbv(0, 0xf, &err);
	report(v == 13, "xsetbv-unoffered-bit3-gp");
	v = try_xsetbv(1, 7, &err);
	report(v == 13, "xsetbv-xcr1-gp");
	value("xcr0-after-refusals", xgetbv(0));
	v = try_xsetbv(0, 3, &err);
	report(v == -1 && xgetbv(0) == 3, "xsetbv-x87-sse");
	cpuid(0xd, 0, &a, &b, &c, &d);
	value("leaf-d-ebx-xcr0-3", b);
	exc_expect(4);			/* c5 fc 57 c0 */
	asm volatile("vxorps %%ymm0, %%ymm0, %%ymm0" ::: "memory");
	report(exc_take(NULL) == 6, "avx-disabled-ud");
	v = try_xsetbv(0, 7, &err);
	report(v == -1 && xgetbv(0) == 7, "xsetbv-x87-sse-avx");
	cpuid(0xd, 0, &a, &b, &c, &d);
	value("leaf-d-ebx-xcr0-7", b);
}

static void test_ymm_kept(void)
{
	int bad = 0;

	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 32; j++)
			ymm_in[i][j] = (u8)(i * 37 + j * 11 + 1);
	ymm_load_all();
	for (int i = 0; i < 200; i++) {
		u32 a, b, c, d;

		outl(PORT_PIODEV_ECHO, i);	/* an exit to userspace */
		cpuid(0, 0, &a, &b, &c, &d);	/* one handled in the driver */
	}
	ymm_store_all();
	for (int i = 0; i < 16; i++)
		bad += memcmp(ymm_in[i], ymm_out[i], 32) != 0;
	value("ymm-registers-changed", bad);
	report(bad == 0, "ymm-kept-across-400-exits");

	/* the guest's own XSAVE: YMM1's upper half at 576 + 16.  XSTATE_BV
	 * has SSE and AVX (the registers hold data); x87, untouched, may
	 * read as in its initial state (Bochs: bit 0 clear, TCG: set).
	 */
	memset(area, 0, sizeof(area));
	asm volatile("xsave %0" : "+m"(area) : "a"(7), "d"(0));
	report((area[512] & 6) == 6, "xsave-xstate-bv-sse-avx");
	report(!memcmp(area + 576 + 16, &ymm_in[1][16], 16),
	       "xsave-ymm1-upper-half");
}

int main(void)
{
	u32 a, b, c, d;

	idt_install();
	cpuid(1, 0, &a, &b, &c, &d);
	value("cpuid1-ecx-xsave-osxsave-avx", (c >> 26) & 7);
	if (!(c & (1u << 26)) || !(c & (1u << 28))) {
		report(0, "xsave-and-avx-offered");
		return 0;
	}
	report(try_xgetbv() == 6, "xgetbv-without-osxsave-ud");
	set_cr4(X86_CR4_OSXSAVE);
	cpuid(1, 0, &a, &b, &c, &d);
	report(c & (1u << 27), "cpuid-osxsave-follows-cr4");
	value("xcr0-at-start", xgetbv(0));
	cpuid(0xd, 0, &a, &b, &c, &d);
	value("leaf-d-eax-low-3-bits", a & 7);
	value("leaf-d-ebx-xcr0-1", b);
	test_rules();
	test_ymm_kept();
	return 0;
}
