// SPDX-License-Identifier: GPL-2.0
/* exitlat: time in the hypervisor per exit reason (exit to next entry) and
 * time in the guest (entry to exit), per vCPU thread.
 */
#include "common.bpf.h"
#include "exitlat.h"

struct vcpu_state {
	__u64 ts;
	__u64 reason;
	__u32 in_guest;		/* an entry was seen, no exit yet */
	__u32 in_hyp;		/* an exit was seen, no entry yet */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct vcpu_state);
} vcpus SEC(".maps");

__u64 exits_seen;
__u64 entries_seen;

static __always_inline int on_exit(__u64 reason)
{
	__u32 tid = current_tid();
	__u64 now = bpf_ktime_get_ns();
	struct vcpu_state *s, ns = { .ts = now, .reason = reason, .in_hyp = 1 };

	if (!tid)
		return 0;
	__sync_fetch_and_add(&exits_seen, 1);
	s = bpf_map_lookup_elem(&vcpus, &tid);
	if (s && s->in_guest)
		hist_time(tid, EXITLAT_GUEST, 0, now - s->ts);
	bpf_map_update_elem(&vcpus, &tid, &ns, BPF_ANY);
	return 0;
}

static __always_inline int on_entry(void)
{
	__u32 tid = current_tid();
	__u64 now = bpf_ktime_get_ns();
	struct vcpu_state *s, ns = { .ts = now, .in_guest = 1 };

	if (!tid)
		return 0;
	__sync_fetch_and_add(&entries_seen, 1);
	s = bpf_map_lookup_elem(&vcpus, &tid);
	if (s && s->in_hyp)
		hist_time(tid, EXITLAT_HYP, s->reason, now - s->ts);
	bpf_map_update_elem(&vcpus, &tid, &ns, BPF_ANY);
	return 0;
}

SEC("tracepoint/kvmlab/kvmlab_exit")
int tp_kvmlab_exit(struct kvmlab_exit_rec *ctx)
{
	return on_exit(ctx->exit_code);
}

SEC("tracepoint/kvmlab/kvmlab_entry")
int tp_kvmlab_entry(struct kvmlab_entry_rec *ctx)
{
	(void)ctx;
	return on_entry();
}

SEC("tracepoint/kvm/kvm_exit")
int tp_kvm_exit(void *ctx)
{
	return on_exit(kvm_exit_reason(ctx));
}

SEC("tracepoint/kvm/kvm_entry")
int tp_kvm_entry(void *ctx)
{
	(void)ctx;
	return on_entry();
}
