// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the `flush` MMU variant, KVM as first posted (2006): every
 * guest CR3 write and every full TLB flush drops all shadow pages, and
 * the new address space is shadowed again fault by fault.  No guest page
 * table is write-protected: the shadow is a TLB, kept coherent by the
 * guest's own INVLPG and CR3 writes.
 */
#include "mmu.h"

KVMLAB_SHADOW_VARIANT(flush, "flush",
		      .keep_on_cr3 = false, .write_protect = false);
