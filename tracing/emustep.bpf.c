// SPDX-License-Identifier: GPL-2.0
/* emustep: the emulator's steps.  An instruction starts at its fetch step
 * and ends at the next kvmlab_entry (an MMIO read's trip to userspace is
 * part of it) or at the next fetch; a step's time runs from the previous
 * step, or from the exit for the first one.
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
