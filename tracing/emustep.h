/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMLAB_TRACING_EMUSTEP_H
#define KVMLAB_TRACING_EMUSTEP_H

enum emustep_kind {
	EMUSTEP_STEP = 0,	/* time since the previous step (or the exit),
				 * sub = step: fetch decode execute writeback */
	EMUSTEP_INSN = 1,	/* to the next entry, sub = 0, or 1 when the
				 * in-tree KVM traced the emulation failed */
	EMUSTEP_STEPS = 2,	/* steps per instruction, linear, sub = 0 */
	EMUSTEP_DECODED = 3,	/* in-tree KVM: the exit (or the previous
				 * instruction) to kvm_emulate_insn, sub = 0 */
};

#endif
