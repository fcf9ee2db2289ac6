// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the `cache` MMU variant (KVM from 2.6.21 on): shadow pages
 * outlive CR3 writes and are found again by (guest table frame, role), so
 * switching back to an address space reuses its root.  The guest's page
 * tables are write-protected; a write to one is caught and the shadow of
 * that table dropped.  A fault also maps the present, accessed neighbours
 * of its entry (prefetch, as KVM from 2.6.35).  Shadow pages are recycled,
 * oldest first, under a per-VM limit (module parameter shadow_pages_max).
 */
#include "mmu.h"

KVMLAB_SHADOW_VARIANT(cache, "cache",
		      .keep_on_cr3 = true, .write_protect = true,
		      .invlpg_refill = true, .prefetch = true);
