// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the `flush` MMU variant, KVM as first posted (2006): every
 * guest CR3 write and every full TLB flush drops all shadow pages, and
 * the new address space is shadowed again fault by fault.  No guest page
 * table is write-protected: the shadow is a TLB, kept coherent by the
 * guest's own INVLPG and CR3 writes.
 */
#include "mmu.h"

static const struct kvmlab_shadow_policy flush_policy = {
	.keep_on_cr3	= false,
	.write_protect	= false,
};

static int flush_init(struct kvmlab_vm *vm)
{
	return kvmlab_shadow_init(vm, &flush_policy);
}

const struct kvmlab_mmu_ops flush_mmu_ops = {
	.name		= "flush",
	.init		= flush_init,
	.destroy	= kvmlab_shadow_destroy,
	.zap_all	= kvmlab_shadow_zap_all,
	.root_hpa	= kvmlab_shadow_root_hpa,
	.page_fault	= kvmlab_shadow_page_fault,
	.new_cr3	= kvmlab_shadow_new_cr3,
	.reset		= kvmlab_shadow_reset,
	.invlpg		= kvmlab_shadow_invlpg,
};
