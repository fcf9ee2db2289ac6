// SPDX-License-Identifier: GPL-2.0
/* cr3cost: the cost of a CR3 switch, from the kvmlab_exit before a
 * kvmlab_cr3_switch to the next kvmlab_entry on the same thread, split by
 * root reused / rebuilt, with the shadow pages the switch dropped.
 */
#include "common.bpf.h"
#include "cr3cost.h"

struct switch_state {
	__u64 ts;		/* of the last exit */
	__u32 switches;		/* kvmlab_cr3_switch events since it */
	__u32 reused;		/* every one of them reused the root */
	__u64 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct switch_state);
} state SEC(".maps");

__u64 switch_events;	/* kvmlab_cr3_switch events seen */
__u64 multi;		/* exits with more than one switch */
__u64 dropped_total;

SEC("tracepoint/kvmlab/kvmlab_exit")
int tp_kvmlab_exit(struct kvmlab_exit_rec *ctx)
{
	__u32 tid = current_tid();
	struct switch_state s = { .ts = bpf_ktime_get_ns(), .reused = 1 };

	(void)ctx;
	if (!tid)
		return 0;
	bpf_map_update_elem(&state, &tid, &s, BPF_ANY);
	return 0;
}

SEC("tracepoint/kvmlab/kvmlab_cr3_switch")
int tp_kvmlab_cr3_switch(struct kvmlab_cr3_switch_rec *ctx)
{
	__u32 tid = current_tid();
	struct switch_state *s;

	if (!tid)
		return 0;
	__sync_fetch_and_add(&switch_events, 1);
	__sync_fetch_and_add(&dropped_total, ctx->dropped);
	s = bpf_map_lookup_elem(&state, &tid);
	if (!s)
		return 0;
	if (s->switches)
		__sync_fetch_and_add(&multi, 1);
	s->switches++;
	s->reused &= ctx->reused ? 1 : 0;
	s->dropped += ctx->dropped;
	return 0;
}

SEC("tracepoint/kvmlab/kvmlab_entry")
int tp_kvmlab_entry(struct kvmlab_entry_rec *ctx)
{
	__u32 tid = current_tid();
	struct switch_state *s;

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&state, &tid);
	if (!s || !s->switches)
		return 0;
	hist_time(tid, CR3COST_TIME, s->reused, bpf_ktime_get_ns() - s->ts);
	hist_value(tid, CR3COST_DROPPED, s->reused, s->dropped, false);
	s->switches = 0;
	s->dropped = 0;
	s->reused = 1;
	return 0;
}
