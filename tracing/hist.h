/* SPDX-License-Identifier: GPL-2.0 */
/* tracing/hist.h: the histogram shared by the BPF programs and the tools. */
#ifndef KVMLAB_TRACING_HIST_H
#define KVMLAB_TRACING_HIST_H

#define MAX_SLOTS	32

/* One histogram: log2 slots (or linear ones, as the tool says), the number
 * of samples and their sum (in the histogram's unit).
 */
struct hist {
	__u64 slots[MAX_SLOTS];
	__u64 count;
	__u64 sum;
};

/* Which histogram: the vCPU thread (0 unless per-thread), what is measured
 * (the tool's own kinds) and a sub-key (exit reason, fault outcome, ...).
 */
struct hist_key {
	__u32 tid;
	__u32 kind;
	__u64 sub;
};

#endif
