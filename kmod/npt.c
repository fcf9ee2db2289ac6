// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the `npt` MMU variant.  AMD nested paging translates guest
 * physical to host physical in hardware; we only fill a table in the
 * host's own format (four levels, or five when the host runs LA57: the
 * CPU walks nested tables in the paging mode of the host that ran
 * VMRUN), one 4 KiB frame per nested page fault.  The table itself is
 * tdp.c's.  The guest's own page tables, CR3 writes and #PFs never
 * reach us.
 */
#include "tdp.h"

#define NPT_PRESENT	BIT_ULL(0)
#define NPT_WRITABLE	BIT_ULL(1)
#define NPT_USER	BIT_ULL(2)	/* nested walks are user accesses */
#define NPT_ACCESSED	BIT_ULL(5)
#define NPT_DIRTY	BIT_ULL(6)
#define NPT_TABLE	(NPT_PRESENT | NPT_WRITABLE | NPT_USER | NPT_ACCESSED)

static const struct tdp_format npt_format = {
	.present	= NPT_PRESENT,
	.addr_mask	= GENMASK_ULL(51, 12),
	.table		= NPT_TABLE,
	.leaf		= NPT_TABLE | NPT_DIRTY,
};

static int npt_init(struct kvmlab_vm *vm)
{
	return tdp_init(vm, &npt_format, pgtable_l5_enabled() ? 5 : 4);
}

const struct kvmlab_mmu_ops npt_mmu_ops = {
	.name		= "npt",
	.init		= npt_init,
	TDP_MMU_OPS,
};
