/* SPDX-License-Identifier: GPL-2.0 */
/* tracing/common.bpf.h: the BPF side the tools share (maps, knobs, log2). */
#ifndef KVMLAB_TRACING_COMMON_BPF_H
#define KVMLAB_TRACING_COMMON_BPF_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hist.h"
#include "kvmlab_tp.h"

const volatile bool targ_ns = false;		/* else microseconds */
const volatile bool targ_per_thread = false;
const volatile __u32 targ_tgid = 0;		/* 0: every process */
const volatile __u32 kvm_exit_reason_off = 8;	/* from kvm:kvm_exit's format */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

static const struct hist zero_hist;

static __always_inline __u64 log2_u64(__u64 v)
{
	__u64 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* The calling thread, or 0 when it is filtered out. */
static __always_inline __u32 current_tid(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (targ_tgid && (id >> 32) != targ_tgid)
		return 0;
	return (__u32)id;
}

static __always_inline struct hist *hist_get(__u32 tid, __u32 kind, __u64 sub)
{
	struct hist_key key = {
		.tid = targ_per_thread ? tid : 0,
		.kind = kind,
		.sub = sub,
	};
	struct hist *h = bpf_map_lookup_elem(&hists, &key);

	if (h)
		return h;
	bpf_map_update_elem(&hists, &key, &zero_hist, BPF_NOEXIST);
	return bpf_map_lookup_elem(&hists, &key);
}

/* A time in ns into the log2 histogram, in the chosen unit. */
static __always_inline void hist_time(__u32 tid, __u32 kind, __u64 sub,
				      __u64 delta_ns)
{
	struct hist *h = hist_get(tid, kind, sub);
	__u64 v = targ_ns ? delta_ns : delta_ns / 1000, slot;

	if (!h)
		return;
	slot = log2_u64(v);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum, v);
}

/* A count into a histogram: log2 slots, or linear ones (v, capped). */
static __always_inline void hist_value(__u32 tid, __u32 kind, __u64 sub,
				       __u64 v, bool linear)
{
	struct hist *h = hist_get(tid, kind, sub);
	__u64 slot = linear ? v : log2_u64(v);

	if (!h)
		return;
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum, v);
}

/* A field of an in-tree KVM record at OFF, an offset the tool read from
 * the event's format file (the layouts differ between kernels, and a
 * tracepoint context only takes constant offsets).
 */
static __always_inline __u64 tp_u64(void *ctx, __u32 off)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (char *)ctx + off);
	return v;
}

static __always_inline __u32 tp_u32(void *ctx, __u32 off)
{
	__u32 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (char *)ctx + off);
	return v;
}

static __always_inline __u8 tp_u8(void *ctx, __u32 off)
{
	__u8 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (char *)ctx + off);
	return v;
}

/* kvm:kvm_exit's exit_reason (its offset differs between kernels). */
static __always_inline __u64 kvm_exit_reason(void *ctx)
{
	return tp_u32(ctx, kvm_exit_reason_off);
}

char LICENSE[] SEC("license") = "GPL";

#endif
