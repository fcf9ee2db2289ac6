// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the nested-paging variant on VT-x, EPT (the Intel counterpart
 * of npt.c).  Guest physical to host physical in hardware, four levels,
 * one 4 KiB frame per EPT violation, write-back memory type; the guest's
 * own page tables, CR3 writes and #PFs never reach us.  Chosen with
 * mmu=npt (or its alias mmu=ept) when the backend is vmx.c.  Dropping
 * mappings (zap_all) is followed by the MMU's remote TLB flush, which
 * vmx.c turns into an INVEPT.  The table itself is tdp.c's.
 */
#include "tdp.h"

#define EPT_READ	BIT_ULL(0)
#define EPT_WRITE	BIT_ULL(1)
#define EPT_EXEC	BIT_ULL(2)
#define EPT_RWX		(EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MT_WB	(6ULL << 3)	/* leaf: memory type write-back */
#define EPT_LEVELS	4

/* An entry with none of R, W, X is not present. */
static const struct tdp_format ept_format = {
	.present	= EPT_RWX,
	.addr_mask	= GENMASK_ULL(51, 12),
	.table		= EPT_RWX,
	.leaf		= EPT_MT_WB | EPT_RWX,
};

static int ept_init(struct kvmlab_vm *vm)
{
	if (!vmx_ept_usable()) {
		pr_err_ratelimited("kvmlab: this CPU has no usable EPT (4 levels, write-back, INVEPT): load with mmu=flush or mmu=cache\n");
		return -EOPNOTSUPP;
	}
	return tdp_init(vm, &ept_format, EPT_LEVELS);
}

const struct kvmlab_mmu_ops ept_mmu_ops = {
	.name		= "ept",
	.init		= ept_init,
	TDP_MMU_OPS,
};
