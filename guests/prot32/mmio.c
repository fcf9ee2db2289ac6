// SPDX-License-Identifier: GPL-2.0
/* The MMIO test device: ID, every access size on SCRATCH, access count. */
#include "guest.h"

#define REG(off, type) (*(volatile type *)(uintptr_t)(MMIO_BASE + (off)))

int main(void)
{
	report(REG(MMIO_ID, u32) == MMIO_ID_VALUE, "mmio-id");
	report(REG(MMIO_VERSION, u32) == 1, "mmio-version");
	REG(MMIO_SCRATCH, u32) = 0x11223344;
	REG(MMIO_SCRATCH + 4, u32) = 0x55667788;
	report(REG(MMIO_SCRATCH, u8) == 0x44, "scratch-read8");
	report(REG(MMIO_SCRATCH + 3, u8) == 0x11, "scratch-read8-offset3");
	report(REG(MMIO_SCRATCH + 2, u16) == 0x1122, "scratch-read16");
	report(REG(MMIO_SCRATCH + 4, u32) == 0x55667788, "scratch-read32-high");
	REG(MMIO_SCRATCH + 1, u8) = 0xaa;
	REG(MMIO_SCRATCH + 6, u16) = 0xbbcc;
	value("scratch-lo", REG(MMIO_SCRATCH, u32));
	value("scratch-hi", REG(MMIO_SCRATCH + 4, u32));
	report(REG(MMIO_SCRATCH, u32) == 0x1122aa44 && REG(MMIO_SCRATCH + 4, u32) == 0xbbcc7788,
	       "scratch-mixed");
	value("count", REG(MMIO_COUNT, u32));
	report(REG(MMIO_COUNT + 0x100, u32) == 0, "unused-offset-zero");
	/* an instruction with a memory source operand: add from MMIO */
	u32 x = 1;
	asm volatile("addl %1, %0" : "+r"(x) : "m"(REG(MMIO_ID, u32)));
	report(x == MMIO_ID_VALUE + 1, "alu-from-mmio");
	return 0;
}
