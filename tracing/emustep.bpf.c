// SPDX-License-Identifier: GPL-2.0
/* emustep: the emulator's steps.  An instruction starts at its fetch step
 * and ends at the next kvmlab_entry (an MMIO read's trip to userspace is
 * part of it) or at the next fetch; a step's time runs from the previous
 * step, or from the exit for the first one.
 *
 * In-tree KVM: one kvm:kvm_emulate_insn per instruction, traced once it is
 * decoded (failed=1 a second time if the emulation fails); an instruction
 * runs from that event to the next entry or the next instruction, and the
 * "decoded" time is from the exit (or the previous instruction) to it.
 */
#include "common.bpf.h"
#include "emustep.h"

struct emu_state {
	__u64 last;		/* the exit or the previous step */
	__u64 start;		/* this instruction's fetch */
	__u32 steps;		/* steps of this instruction, 0: none open */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct emu_state);
} state SEC(".maps");

__u64 step_events;	/* kvmlab_emulate events seen */
__u64 fetches;		/* instructions: fetch steps */

static __always_inline void insn_done(__u32 tid, struct emu_state *s, __u64 now)
{
	if (!s->steps)
		return;
	hist_time(tid, EMUSTEP_INSN, 0, now - s->start);
	hist_value(tid, EMUSTEP_STEPS, 0, s->steps, true);
	s->steps = 0;
}

SEC("tracepoint/kvmlab/kvmlab_exit")
int tp_kvmlab_exit(struct kvmlab_exit_rec *ctx)
{
	__u32 tid = current_tid();
	__u64 now = bpf_ktime_get_ns();
	struct emu_state *s, ns = { .last = now };

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&state, &tid);
	if (s) {
		insn_done(tid, s, now);
		s->last = now;
		return 0;
	}
	bpf_map_update_elem(&state, &tid, &ns, BPF_ANY);
	return 0;
}

SEC("tracepoint/kvmlab/kvmlab_emulate")
int tp_kvmlab_emulate(struct kvmlab_emulate_rec *ctx)
{
	__u32 tid = current_tid();
	__u64 now = bpf_ktime_get_ns();
	struct emu_state *s, ns = { .last = now, .start = now };
	__u8 step = ctx->step;

	if (!tid)
		return 0;
	__sync_fetch_and_add(&step_events, 1);
	s = bpf_map_lookup_elem(&state, &tid);
	if (!s) {	/* tracing began inside an exit */
		bpf_map_update_elem(&state, &tid, &ns, BPF_ANY);
		s = bpf_map_lookup_elem(&state, &tid);
		if (!s)
			return 0;
	}
	if (step == EMUL_STEP_FETCH) {
		__sync_fetch_and_add(&fetches, 1);
		insn_done(tid, s, now);
		s->start = now;
	}
	hist_time(tid, EMUSTEP_STEP, step, now - s->last);
	s->steps++;
	s->last = now;
	return 0;
}

SEC("tracepoint/kvmlab/kvmlab_entry")
int tp_kvmlab_entry(struct kvmlab_entry_rec *ctx)
{
	__u32 tid = current_tid();
	struct emu_state *s;

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&state, &tid);
	if (s)
		insn_done(tid, s, bpf_ktime_get_ns());
	return 0;
}

/* ---- the in-tree KVM ---- */

const volatile __u32 kvm_failed_off = 37;	/* kvm_emulate_insn failed */

struct kvm_emu_state {
	__u64 last;		/* the exit, or the previous instruction */
	__u64 start;		/* this instruction's kvm_emulate_insn */
	__u32 open;		/* an instruction not yet ended */
	__u32 failed;		/* ... whose emulation failed */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct kvm_emu_state);
} kvm_state SEC(".maps");

__u64 kvm_insns;	/* kvm_emulate_insn events, failed=0 */
__u64 kvm_failed;	/* kvm_emulate_insn events, failed=1 */

static __always_inline void kvm_insn_done(__u32 tid, struct kvm_emu_state *s,
					  __u64 now)
{
	if (!s->open)
		return;
	hist_time(tid, EMUSTEP_INSN, s->failed, now - s->start);
	s->open = 0;
}

SEC("tracepoint/kvm/kvm_exit")
int tp_kvm_exit(void *ctx)
{
	__u32 tid = current_tid();
	__u64 now = bpf_ktime_get_ns();
	struct kvm_emu_state *s, ns = { .last = now };

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&kvm_state, &tid);
	if (s) {
		kvm_insn_done(tid, s, now);
		s->last = now;
		return 0;
	}
	bpf_map_update_elem(&kvm_state, &tid, &ns, BPF_ANY);
	return 0;
}

SEC("tracepoint/kvm/kvm_emulate_insn")
int tp_kvm_emulate_insn(void *ctx)
{
	__u32 tid = current_tid();
	__u64 now = bpf_ktime_get_ns();
	struct kvm_emu_state *s, ns = { .last = now };

	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&kvm_state, &tid);
	if (tp_u8(ctx, kvm_failed_off)) {
		__sync_fetch_and_add(&kvm_failed, 1);
		if (s && s->open)
			s->failed = 1;
		return 0;
	}
	__sync_fetch_and_add(&kvm_insns, 1);
	if (!s) {	/* tracing began inside an exit */
		bpf_map_update_elem(&kvm_state, &tid, &ns, BPF_ANY);
		s = bpf_map_lookup_elem(&kvm_state, &tid);
		if (!s)
			return 0;
	}
	kvm_insn_done(tid, s, now);
	hist_time(tid, EMUSTEP_DECODED, 0, now - s->last);
	s->start = now;
	s->last = now;
	s->open = 1;
	s->failed = 0;
	return 0;
}

SEC("tracepoint/kvm/kvm_entry")
int tp_kvm_entry(void *ctx)
{
	__u32 tid = current_tid();
	struct kvm_emu_state *s;

	(void)ctx;
	if (!tid)
		return 0;
	s = bpf_map_lookup_elem(&kvm_state, &tid);
	if (s)
		kvm_insn_done(tid, s, bpf_ktime_get_ns());
	return 0;
}
