// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the `cache` MMU variant (KVM from 2.6.21 on): shadow pages
 * outlive CR3 writes and are found again by (guest table frame, role), so
 * switching back to an address space reuses its root.  The guest's page
 * tables are write-protected; a write to one is caught and the shadow of
 * that table dropped.  Shadow pages are recycled, oldest first, under a
 * per-VM limit (module parameter shadow_pages_max).
 */
#include "mmu.h"

static const struct kvmlab_shadow_policy cache_policy = {
	.keep_on_cr3	= true,
	.write_protect	= true,
};

static int cache_init(struct kvmlab_vm *vm)
{
	return kvmlab_shadow_init(vm, &cache_policy);
}

const struct kvmlab_mmu_ops cache_mmu_ops = {
	.name		= "cache",
	.init		= cache_init,
	.destroy	= kvmlab_shadow_destroy,
	.zap_all	= kvmlab_shadow_zap_all,
	.root_hpa	= kvmlab_shadow_root_hpa,
	.page_fault	= kvmlab_shadow_page_fault,
	.new_cr3	= kvmlab_shadow_new_cr3,
	.reset		= kvmlab_shadow_reset,
	.invlpg		= kvmlab_shadow_invlpg,
};
