// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the `unsync` MMU variant (KVM from 2.6.28 on): `cache`, except
 * that a guest leaf page table the guest writes is not write-protected
 * any more but let go out of sync with its shadow.  The guest then
 * writes it at full speed (fork, exec, exit, page-fault handling), and
 * the shadow is brought back in sync at the points where the guest itself
 * must expect stale translations to go: a CR3 load, a full TLB flush,
 * and INVLPG for its one entry.
 */
#include "mmu.h"

KVMLAB_SHADOW_VARIANT(unsync, "unsync",
		      .keep_on_cr3 = true, .write_protect = true,
		      .invlpg_refill = true, .prefetch = true, .unsync = true);
