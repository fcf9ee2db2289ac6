/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMLAB_TRACING_EMUSTEP_H
#define KVMLAB_TRACING_EMUSTEP_H

enum emustep_kind {
	EMUSTEP_STEP = 0,	/* time since the previous step (or the exit),
				 * sub = step: fetch decode execute writeback */
	EMUSTEP_INSN = 1,	/* fetch to the next entry, sub = 0 */
	EMUSTEP_STEPS = 2,	/* steps per instruction, linear, sub = 0 */
};

#endif
