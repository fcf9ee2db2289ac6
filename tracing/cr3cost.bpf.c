// SPDX-License-Identifier: GPL-2.0
/* cr3cost: the cost of a CR3 switch, from the kvmlab_exit before a
 * kvmlab_cr3_switch to the next kvmlab_entry on the same thread, split by
 * root reused / rebuilt, with the shadow pages the switch dropped.
 *
 * In-tree KVM: from a kvm_exit that writes CR3 (SVM's write_cr3 exit, or a
 * kvm:kvm_cr write of CR3 where KVM traces it) to the next kvm_entry; the
 * root is rebuilt if a kvmmmu:kvm_mmu_get_page in between created a page,
 * reused if it found existing ones, cached if none was looked up; dropped
 * pages are the kvmmmu:kvm_mmu_prepare_zap_page events in between.
 */
#include "common.bpf.h"
#include "kvm_tp.h"
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
	hist_time(tid, CR3COST_TIME, s->reused ? ROOT_REUSED : ROOT_REBUILT,
		  bpf_ktime_get_ns() - s->ts);
	hist_value(tid, CR3COST_DROPPED, s->reused ? ROOT_REUSED : ROOT_REBUILT,
		   s->dropped, false);
	s->switches = 0;
	s->dropped = 0;
	s->reused = 1;
	return 0;
}

/* ---- the in-tree KVM ---- */

const volatile __u32 kvm_exit_isa_off = 24;	/* kvm_exit isa */
const volatile __u32 kvm_cr_rw_off = 8;		/* kvm_cr rw */
const volatile __u32 kvm_cr_cr_off = 12;	/* kvm_cr cr */
const volatile __u32 kvm_created_off = 33;	/* kvm_mmu_get_page created */

struct kvm_switch_state {
	__u64 ts;		/* of the exit */
	__u32 cr3_write;	/* this exit writes CR3 */
	__u32 created;		/* shadow pages made since the exit */
	__u32 found;		/* existing shadow pages looked up */
	__u32 dropped;		/* shadow pages zapped */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct kvm_switch_state);
} kvm_state SEC(".maps");

__u64 kvm_cr3_writes;	/* exits that write CR3 */
__u64 kvm_cr_events;	/* kvm:kvm_cr writes of CR3 */
__u64 kvm_dropped;	/* zapped in those exits */

static __always_inline struct kvm_switch_state *kvm_window(void)
{
	__u32 tid = current_tid();

	return tid ? bpf_map_lookup_elem(&kvm_state, &tid) : NULL;
}

/* One CR3 write per exit, whether the exit reason or kvm_cr says so. */
static __always_inline void kvm_mark_write(struct kvm_switch_state *s)
{
	if (s->cr3_write)
		return;
	s->cr3_write = 1;
	__sync_fetch_and_add(&kvm_cr3_writes, 1);
}

SEC("tracepoint/kvm/kvm_exit")
int tp_kvm_exit(void *ctx)
{
	__u32 tid = current_tid();
	struct kvm_switch_state ns = { .ts = bpf_ktime_get_ns() }, *s;

	if (!tid)
		return 0;
	bpf_map_update_elem(&kvm_state, &tid, &ns, BPF_ANY);
	/* SVM without decode assists emulates the MOV, and kvm_cr is not
	 * traced on that path: the exit reason is what says it.
	 */
	if (tp_u32(ctx, kvm_exit_isa_off) == KVM_ISA_SVM &&
	    kvm_exit_reason(ctx) == KVM_SVM_EXIT_WRITE_CR3) {
		s = bpf_map_lookup_elem(&kvm_state, &tid);
		if (s)
			kvm_mark_write(s);
	}
	return 0;
}

SEC("tracepoint/kvm/kvm_cr")
int tp_kvm_cr(void *ctx)
{
	struct kvm_switch_state *s;

	if (!tp_u32(ctx, kvm_cr_rw_off) || tp_u32(ctx, kvm_cr_cr_off) != 3)
		return 0;
	__sync_fetch_and_add(&kvm_cr_events, 1);
	s = kvm_window();
	if (s)
		kvm_mark_write(s);
	return 0;
}

SEC("tracepoint/kvmmmu/kvm_mmu_get_page")
int tp_kvm_mmu_get_page(void *ctx)
{
	struct kvm_switch_state *s = kvm_window();

	if (!s)
		return 0;
	if (tp_u8(ctx, kvm_created_off))
		s->created++;
	else
		s->found++;
	return 0;
}

SEC("tracepoint/kvmmmu/kvm_mmu_prepare_zap_page")
int tp_kvm_mmu_prepare_zap_page(void *ctx)
{
	struct kvm_switch_state *s = kvm_window();

	(void)ctx;
	if (s)
		s->dropped++;
	return 0;
}

SEC("tracepoint/kvm/kvm_entry")
int tp_kvm_entry(void *ctx)
{
	__u32 tid = current_tid();
	struct kvm_switch_state *s;
	__u64 root;

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&kvm_state, &tid);
	if (!s || !s->cr3_write) {
		if (s)
			bpf_map_delete_elem(&kvm_state, &tid);
		return 0;
	}
	root = s->created ? ROOT_REBUILT : s->found ? ROOT_REUSED : ROOT_CACHED;
	hist_time(tid, CR3COST_TIME, root, bpf_ktime_get_ns() - s->ts);
	hist_value(tid, CR3COST_DROPPED, root, s->dropped, false);
	__sync_fetch_and_add(&kvm_dropped, s->dropped);
	bpf_map_delete_elem(&kvm_state, &tid);
	return 0;
}
