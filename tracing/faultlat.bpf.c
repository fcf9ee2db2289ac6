// SPDX-License-Identifier: GPL-2.0
/* faultlat: shadow-fault handling time, from the kvmlab_exit with the #PF
 * exception code to the next kvmlab_entry on the same thread, keyed by the
 * first kvmlab_shadow_fault outcome seen in between (a wp-hit that is then
 * mapped is a wp-hit; a #PF exit without a shadow fault is "none").
 */
#include "common.bpf.h"
#include "faultlat.h"

struct fault_state {
	__u64 ts;
	__u32 active;
	__u32 outcome;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct fault_state);
} faults SEC(".maps");

__u64 pf_exits;		/* #PF exits seen */
__u64 fault_events;	/* kvmlab_shadow_fault events seen */
__u64 outside;		/* shadow faults outside a #PF exit */

SEC("tracepoint/kvmlab/kvmlab_exit")
int tp_kvmlab_exit(struct kvmlab_exit_rec *ctx)
{
	__u32 tid = current_tid();
	struct fault_state s = { .ts = bpf_ktime_get_ns(), .outcome = PF_NONE };

	if (!tid)
		return 0;
	if (ctx->exit_code != SVM_EXIT_PF) {
		bpf_map_delete_elem(&faults, &tid);
		return 0;
	}
	__sync_fetch_and_add(&pf_exits, 1);
	s.active = 1;
	bpf_map_update_elem(&faults, &tid, &s, BPF_ANY);
	return 0;
}

SEC("tracepoint/kvmlab/kvmlab_shadow_fault")
int tp_kvmlab_shadow_fault(struct kvmlab_shadow_fault_rec *ctx)
{
	__u32 tid = current_tid();
	struct fault_state *s;

	if (!tid)
		return 0;
	__sync_fetch_and_add(&fault_events, 1);
	s = bpf_map_lookup_elem(&faults, &tid);
	if (!s || !s->active) {
		__sync_fetch_and_add(&outside, 1);
		return 0;
	}
	if (s->outcome == PF_NONE)
		s->outcome = ctx->outcome < PF_NONE ? ctx->outcome : PF_NONE;
	return 0;
}

SEC("tracepoint/kvmlab/kvmlab_entry")
int tp_kvmlab_entry(struct kvmlab_entry_rec *ctx)
{
	__u32 tid = current_tid();
	struct fault_state *s;

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&faults, &tid);
	if (!s || !s->active)
		return 0;
	hist_time(tid, FAULTLAT_TIME, s->outcome, bpf_ktime_get_ns() - s->ts);
	bpf_map_delete_elem(&faults, &tid);
	return 0;
}
