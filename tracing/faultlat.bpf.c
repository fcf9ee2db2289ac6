// SPDX-License-Identifier: GPL-2.0
/* faultlat: shadow-fault handling time, from the kvmlab_exit with the #PF
 * exception code to the next kvmlab_entry on the same thread, keyed by the
 * first kvmlab_shadow_fault outcome seen in between (a wp-hit that is then
 * mapped is a wp-hit; a #PF exit without a shadow fault is "none").
 *
 * In-tree KVM: from the kvm_exit before a kvm:kvm_page_fault (#PF intercept
 * with npt=0, #NPF with npt=1) to the next kvm_entry, keyed by the strongest
 * evidence of what the fault became among the events in between (see
 * kvm_outcome() and tracing/README.md).
 */
#include "common.bpf.h"
#include "kvm_tp.h"
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

/* ---- the in-tree KVM ---- */

const volatile __u32 kvm_pf_error_off = 32;	/* kvm_page_fault error_code */
const volatile __u32 kvm_inj_vector_off = 8;	/* kvm_inj_exception exception */
const volatile __u32 kvm_inj_reinj_off = 16;	/* ... reinjected */
const volatile __u32 kvm_fast_ret_off = 56;	/* fast_page_fault ret */
const volatile __s32 kvm_ret_fixed = 4;		/* RET_PF_FIXED, from the fmt */
const volatile __s32 kvm_ret_spurious = 5;	/* RET_PF_SPURIOUS */

/* What the events between the page fault and the entry showed. */
#define EV_MMIO		(1u << 0)	/* MMIO spte made or hit */
#define EV_INJECTED	(1u << 1)	/* a #PF delivered to the guest */
#define EV_EMULATED	(1u << 2)	/* an instruction emulated */
#define EV_FIXED	(1u << 3)	/* the MMU asked for a mapping */
#define EV_SPURIOUS	(1u << 4)	/* fast path: nothing to fix */

struct kvm_fault_state {
	__u64 exit_ts;		/* the last kvm_exit, 0 after an entry */
	__u64 ts;		/* the fault's start */
	__u32 active;		/* a kvm_page_fault, no entry yet */
	__u32 evidence;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct kvm_fault_state);
} kvm_faults SEC(".maps");

__u64 kvm_pf_events;	/* kvm:kvm_page_fault events seen */
__u64 kvm_unended;	/* faults followed by another exit, no entry */

/* The strongest evidence wins: an MMIO access is emulated after the MMU
 * looked at it, a write to a shadowed page table is mapped (spte
 * requested) and then emulated.
 */
static __always_inline __u32 kvm_outcome(__u32 ev)
{
	if (ev & EV_MMIO)
		return PF_MMIO;
	if (ev & EV_INJECTED)
		return PF_INJECTED;
	if (ev & EV_EMULATED)
		return PF_WP_HIT;
	if (ev & EV_FIXED)
		return PF_FIXED;
	if (ev & EV_SPURIOUS)
		return PF_SPURIOUS;
	return PF_UNKNOWN;
}

static __always_inline struct kvm_fault_state *kvm_fault(__u32 tid)
{
	struct kvm_fault_state *s = bpf_map_lookup_elem(&kvm_faults, &tid);

	return s && s->active ? s : NULL;
}

static __always_inline void kvm_evidence(__u32 ev)
{
	__u32 tid = current_tid();
	struct kvm_fault_state *s;

	if (!tid)
		return;
	s = kvm_fault(tid);
	if (s)
		s->evidence |= ev;
}

SEC("tracepoint/kvm/kvm_exit")
int tp_kvm_exit(void *ctx)
{
	__u32 tid = current_tid();
	struct kvm_fault_state *s, ns = { .exit_ts = bpf_ktime_get_ns() };

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&kvm_faults, &tid);
	if (s && s->active)
		__sync_fetch_and_add(&kvm_unended, 1);
	bpf_map_update_elem(&kvm_faults, &tid, &ns, BPF_ANY);
	return 0;
}

SEC("tracepoint/kvm/kvm_page_fault")
int tp_kvm_page_fault(void *ctx)
{
	__u32 tid = current_tid();
	__u64 now = bpf_ktime_get_ns();
	struct kvm_fault_state *s, ns = { .ts = now };

	if (!tid)
		return 0;
	__sync_fetch_and_add(&kvm_pf_events, 1);
	s = bpf_map_lookup_elem(&kvm_faults, &tid);
	if (s && s->exit_ts)		/* time it from the exit, as kvmlab */
		ns.ts = s->exit_ts;
	ns.exit_ts = ns.ts;
	ns.active = 1;
	/* RSVD: an MMIO spte, handled from the vCPU's MMIO cache with no
	 * kvmmmu event before the instruction is emulated.
	 */
	if (tp_u64(ctx, kvm_pf_error_off) & KVM_PFERR_RSVD)
		ns.evidence = EV_MMIO;
	bpf_map_update_elem(&kvm_faults, &tid, &ns, BPF_ANY);
	return 0;
}

SEC("tracepoint/kvmmmu/mark_mmio_spte")
int tp_kvm_mark_mmio_spte(void *ctx)
{
	(void)ctx;
	kvm_evidence(EV_MMIO);
	return 0;
}

SEC("tracepoint/kvmmmu/handle_mmio_page_fault")
int tp_kvm_handle_mmio_page_fault(void *ctx)
{
	(void)ctx;
	kvm_evidence(EV_MMIO);
	return 0;
}

SEC("tracepoint/kvm/kvm_inj_exception")
int tp_kvm_inj_exception(void *ctx)
{
	if (tp_u8(ctx, kvm_inj_vector_off) == KVM_PF_VECTOR &&
	    !tp_u8(ctx, kvm_inj_reinj_off))
		kvm_evidence(EV_INJECTED);
	return 0;
}

SEC("tracepoint/kvm/kvm_emulate_insn")
int tp_kvm_emulate_insn(void *ctx)
{
	(void)ctx;
	kvm_evidence(EV_EMULATED);
	return 0;
}

SEC("tracepoint/kvmmmu/kvm_mmu_spte_requested")
int tp_kvm_mmu_spte_requested(void *ctx)
{
	(void)ctx;
	kvm_evidence(EV_FIXED);
	return 0;
}

SEC("tracepoint/kvmmmu/fast_page_fault")
int tp_kvm_fast_page_fault(void *ctx)
{
	__s32 ret = (__s32)tp_u32(ctx, kvm_fast_ret_off);

	if (ret == kvm_ret_fixed)
		kvm_evidence(EV_FIXED);
	else if (ret == kvm_ret_spurious)
		kvm_evidence(EV_SPURIOUS);
	return 0;
}

SEC("tracepoint/kvm/kvm_entry")
int tp_kvm_entry(void *ctx)
{
	__u32 tid = current_tid();
	struct kvm_fault_state *s;

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&kvm_faults, &tid);
	if (!s)
		return 0;
	if (s->active)
		hist_time(tid, FAULTLAT_TIME, kvm_outcome(s->evidence),
			  bpf_ktime_get_ns() - s->ts);
	s->active = 0;
	s->exit_ts = 0;
	return 0;
}
