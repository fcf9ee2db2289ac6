// SPDX-License-Identifier: GPL-2.0
/*
 * Exit micro-benchmarks in the style of kvm-unit-tests' x86/vmexit.c, in
 * 64-bit paging (vmrun's identity map of the low 4 GiB): OPS (--arg 0,
 * default 1000) times each of
 *   cpuid      CPUID leaf 0 (handled in the driver)
 *   pio        32-bit OUT to the PIO test device (exits to vmrun)
 *   mmio-read  32-bit read of the MMIO test device's ID (to vmrun)
 *   mmio-write 32-bit write of its SCRATCH register (to vmrun)
 *   cr3        MOV to CR3 of the current value (shadow paging: a CR3
 *              exit and a root switch; nested paging: no exit)
 *   hlt        HLT, which vmrun resumes after (PORT_HLT_CONTINUE)
 *   msr        RDMSR of EFER (intercepted by both drivers)
 *   pf         a load from a non-present page (PML4 entry 2), the #PF
 *              handled by the guest's IDT handler, which skips the load
 *   nop        an empty loop iteration (no exit: the floor)
 * each one benchmark segment "op=NAME:ops=OPS" (vmrun prints the
 * driver's counter deltas and the TSC delta, emulated time under icount).
 * Run with --quiet: vmrun logs every MMIO access otherwise.
 */
#include "guest.h"

#define NOT_PRESENT	0x10000000000ull	/* 1 TiB: PML4 entry 2 */

static inline u64 read_cr3(void) { u64 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }

static void op_cpuid(void) { u32 a, b, c, d; cpuid(0, 0, &a, &b, &c, &d); }
static void op_pio(void) { outl(PORT_PIODEV_ECHO, 1); }
static void op_mmio_read(void) { (void)*(volatile u32 *)(uintptr_t)(MMIO_BASE + MMIO_ID); }
static void op_mmio_write(void) { *(volatile u32 *)(uintptr_t)(MMIO_BASE + MMIO_SCRATCH) = 1; }
static void op_cr3(void) { write_cr3(read_cr3()); }
static void op_hlt(void) { hlt(); }
static void op_nop(void) { asm volatile("" ::: "memory"); }

static void op_msr(void)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
}

static u32 pf_seen;

static void op_pf(void)
{
	u32 v;

	exc_expect(2);	/* mov (%rbx), %eax: 8b 03 */
	asm volatile("mov (%%rbx), %%eax" : "=a"(v) : "b"(NOT_PRESENT) : "memory");
	pf_seen += exc_take(NULL) == 14;
}

static const struct {
	const char *name;
	void (*fn)(void);
} ops[] = {
	{ "cpuid", op_cpuid }, { "pio", op_pio }, { "mmio-read", op_mmio_read },
	{ "mmio-write", op_mmio_write }, { "cr3", op_cr3 }, { "hlt", op_hlt },
	{ "msr", op_msr }, { "pf", op_pf }, { "nop", op_nop },
};

int main(void)
{
	u32 n = guest_arg(0, 1000);
	char name[UCALL_NAME_LEN];
	u64 t0, t1;

	idt_install();
	value("ops", n);
	for (u32 i = 0; i < ARRAY_SIZE(ops); i++) {
		void (*fn)(void) = ops[i].fn;

		snprintf_(name, sizeof(name), "op=%s:ops=%u", ops[i].name, n);
		if (fn == op_hlt)
			outl(PORT_HLT_CONTINUE, n);
		fn();	/* warm-up: the shadow MMU maps code and data */
		if (fn == op_hlt)
			outl(PORT_HLT_CONTINUE, n);
		mark_begin(name);
		t0 = rdtsc();
		for (u32 j = 0; j < n; j++)
			fn();
		t1 = rdtsc();
		mark_end(name, t1 - t0);
	}
	report(pf_seen == n + 1, "vmexit-pf-delivered");
	report(inl(PORT_PIODEV_ECHO) == 1, "vmexit-pio-echo");
	return 0;
}
