/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracing/kvmlab_tp.h: the records of the kvmlab tracepoints, as their
 * format files (events/kvmlab/NAME/format) lay them out.  The module has no
 * BTF, so BPF programs read these as classic tracepoint contexts; every tool
 * checks these offsets against the format files before it loads (see
 * tp_check() in common.c), so a change in kmod/trace.h is an error message,
 * not silently wrong numbers.
 */
#ifndef KVMLAB_TRACING_TP_H
#define KVMLAB_TRACING_TP_H

#include <linux/types.h>

struct tp_common {
	__u16 type;
	__u8 flags;
	__u8 preempt_count;
	__s32 pid;
};

struct kvmlab_entry_rec {
	struct tp_common c;
	__u32 vcpu_id;
	__u64 rip;
};

struct kvmlab_exit_rec {
	struct tp_common c;
	__u32 vcpu_id;
	__u64 exit_code;
	__u64 info1;
	__u64 info2;
	__u64 rip;
	__u64 cr3;
	__u32 mmu;		/* __data_loc char[] */
};

struct kvmlab_shadow_fault_rec {
	struct tp_common c;
	__u32 vcpu_id;
	__u32 error_code;
	__u64 addr;
	__u8 outcome;
};

struct kvmlab_cr3_switch_rec {
	struct tp_common c;
	__u32 vcpu_id;
	__u64 old_cr3;
	__u64 new_cr3;
	__u8 reused;
	__u32 dropped;
};

struct kvmlab_emulate_rec {
	struct tp_common c;
	__u32 vcpu_id;
	__u64 rip;
	__u8 step;
	__u8 rc;
	__u8 len;
	__u8 op_bytes;
	__u8 mode;
	__u8 insn[15];
	__u32 name;		/* __data_loc char[] */
};

/* Values from kmod/trace.h and kmod/emulate.h */
#define SVM_EXIT_PF		0x04e	/* SVM_EXIT_EXCP_BASE + 14 */
#define SVM_EXIT_NPF_CODE	0x400

#define PF_FIXED	0		/* kvmlab_shadow_fault outcome */
#define PF_INJECTED	1
#define PF_MMIO		2
#define PF_EMULATED	3
#define PF_WP_HIT	4
#define PF_OUTCOMES	5		/* fixed injected mmio emulated wp-hit */
#define PF_NONE		PF_OUTCOMES	/* a #PF exit without a shadow fault */
/* faultlat's outcomes on the in-tree KVM beyond kvmlab's (tracing/README) */
#define PF_SPURIOUS	(PF_NONE + 1)	/* fast_page_fault: already mapped */
#define PF_UNKNOWN	(PF_NONE + 2)	/* no event says what happened */

#define EMUL_STEP_FETCH	0
#define EMUL_STEPS	4		/* fetch decode execute writeback */

#endif
