// SPDX-License-Identifier: GPL-2.0
/*
 * Exit micro-benchmark: N CPUIDs (handled in the kernel), N PIO OUTs
 * (exits to userspace), N loop iterations with no exit.  Counts are
 * values (deterministic); TSC deltas are stats ("# " lines).
 */
#include "guest.h"

#define N 1000

int main(void)
{
	u32 a, b, c, d, i;
	u64 t0, t1;

	t0 = rdtsc();
	for (i = 0; i < N; i++)
		cpuid(0, 0, &a, &b, &c, &d);
	t1 = rdtsc();
	value("cpuid-count", i);
	stat("cpuid-tsc-per-op", (u32)(t1 - t0) / N);

	t0 = rdtsc();
	for (i = 0; i < N; i++)
		outl(PORT_PIODEV_ECHO, i);
	t1 = rdtsc();
	value("pio-out-count", i);
	stat("pio-out-tsc-per-op", (u32)(t1 - t0) / N);

	volatile u32 sink = 0;
	t0 = rdtsc();
	for (i = 0; i < N; i++)
		sink += i;
	t1 = rdtsc();
	value("loop-count", i);
	stat("loop-tsc-per-op", (u32)(t1 - t0) / N);
	report(sink == N * (N - 1) / 2, "loop-sum");
	return 0;
}
