// SPDX-License-Identifier: GPL-2.0
/* The MMIO test device from long mode, including 8-byte accesses. */
#include "guest.h"

#define REG(off, type) (*(volatile type *)(uintptr_t)(MMIO_BASE + (off)))

int main(void)
{
	report(REG(MMIO_ID, u32) == MMIO_ID_VALUE, "mmio-id");
	REG(MMIO_SCRATCH, u64) = 0x0123456789abcdefull;
	report(REG(MMIO_SCRATCH, u64) == 0x0123456789abcdefull, "scratch-rw64");
	report(REG(MMIO_SCRATCH + 4, u32) == 0x01234567, "scratch-read32-high");
	REG(MMIO_SCRATCH + 7, u8) = 0xff;
	value("scratch", REG(MMIO_SCRATCH, u64));
	value("count", REG(MMIO_COUNT, u32));
	return 0;
}
