/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMLAB_TRACING_CR3COST_H
#define KVMLAB_TRACING_CR3COST_H

enum cr3cost_kind {
	CR3COST_TIME = 0,	/* exit to entry, sub = enum cr3cost_root */
	CR3COST_DROPPED = 1,	/* shadow pages dropped, log2, same sub */
};

enum cr3cost_root {
	ROOT_REBUILT = 0,	/* a new shadow page made for the root */
	ROOT_REUSED = 1,	/* the root's shadow pages found again */
	ROOT_CACHED = 2,	/* in-tree KVM: a cached root (prev_roots), no
				 * shadow page looked up at all */
};

#endif
