/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMLAB_TRACING_CR3COST_H
#define KVMLAB_TRACING_CR3COST_H

enum cr3cost_kind {
	CR3COST_TIME = 0,	/* exit to entry, sub = 1 reused, 0 rebuilt */
	CR3COST_DROPPED = 1,	/* shadow pages dropped, log2, same sub */
};

#endif
