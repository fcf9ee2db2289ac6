// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the nested-paging variant on VT-x, EPT (the Intel counterpart
 * of npt.c).  Guest physical to host physical in hardware, four levels,
 * one 4 KiB frame per EPT violation, write-back memory type; the guest's
 * own page tables, CR3 writes and #PFs never reach us.  Chosen with
 * mmu=npt (or its alias mmu=ept) when the backend is vmx.c.  Dropping
 * mappings (zap_all) is followed by the MMU's remote TLB flush, which
 * vmx.c turns into an INVEPT.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "kvmlab.h"

#define EPT_READ	BIT_ULL(0)
#define EPT_WRITE	BIT_ULL(1)
#define EPT_EXEC	BIT_ULL(2)
#define EPT_RWX		(EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MT_WB	(6ULL << 3)	/* leaf: memory type write-back */
#define EPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define EPT_LEVELS	4

struct ept {
	u64 *root;
	unsigned long table_pages;
};

static int ept_init(struct kvmlab_vm *vm)
{
	struct ept *ept;

	if (!vmx_ept_usable()) {
		pr_err_ratelimited("kvmlab: this CPU has no usable EPT (4 levels, write-back, INVEPT): load with mmu=flush or mmu=cache\n");
		return -EOPNOTSUPP;
	}
	ept = kzalloc(sizeof(*ept), GFP_KERNEL_ACCOUNT);
	if (!ept)
		return -ENOMEM;
	ept->root = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	if (!ept->root) {
		kfree(ept);
		return -ENOMEM;
	}
	kvmlab_acct_inc(npt_tables);
	vm->mmu = ept;
	return 0;
}

/* Free the tables below @table (a table of @level), not @table itself. */
static void ept_free_below(struct ept *ept, u64 *table, int level)
{
	int i;

	if (level == 1)
		return;
	for (i = 0; i < 512; i++) {
		u64 *child;

		if (!(table[i] & EPT_RWX))
			continue;
		child = __va(table[i] & EPT_ADDR_MASK);
		ept_free_below(ept, child, level - 1);
		kvmlab_page_free(child);
		kvmlab_acct_dec(npt_tables);
		ept->table_pages--;
		table[i] = 0;
	}
}

static void ept_zap_all(struct kvmlab_vm *vm)
{
	struct ept *ept = vm->mmu;

	ept_free_below(ept, ept->root, EPT_LEVELS);
}

static void ept_destroy(struct kvmlab_vm *vm)
{
	struct ept *ept = vm->mmu;

	ept_zap_all(vm);
	kvmlab_page_free(ept->root);
	kvmlab_acct_dec(npt_tables);
	kfree(ept);
	vm->mmu = NULL;
}

static u64 ept_root_hpa(struct kvmlab_vcpu *vcpu)
{
	struct ept *ept = vcpu->vm->mmu;

	return __pa(ept->root);
}

static int ept_map(struct kvmlab_vcpu *vcpu, u64 gpa)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct ept *ept = vm->mmu;
	u64 *table = ept->root;
	unsigned long pfn;
	int level, r;

	r = kvmlab_gfn_to_pfn(vm, gpa >> PAGE_SHIFT, &pfn);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r;
	for (level = EPT_LEVELS; level > 1; level--) {
		u64 *e = &table[(gpa >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & EPT_RWX)) {
			u64 *child = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);

			if (!child)
				return -ENOMEM;
			ept->table_pages++;
			kvmlab_acct_inc(npt_tables);
			*e = __pa(child) | EPT_RWX;
		}
		table = __va(*e & EPT_ADDR_MASK);
	}
	table[(gpa >> 12) & 511] = ((u64)pfn << PAGE_SHIFT) | EPT_MT_WB |
				   EPT_RWX;
	vcpu->stat.pf_fixed++;
	return 1;
}

/* An EPT violation at @gpa (@qual: the exit qualification). */
static int ept_page_fault(struct kvmlab_vcpu *vcpu, u64 gpa, u64 qual)
{
	struct kvmlab_vm *vm = vcpu->vm;
	int r;

	mutex_lock(&vm->mmu_lock);
	r = ept_map(vcpu, gpa);
	mutex_unlock(&vm->mmu_lock);
	return r;
}

const struct kvmlab_mmu_ops ept_mmu_ops = {
	.name		= "ept",
	.tdp		= true,
	.init		= ept_init,
	.destroy	= ept_destroy,
	.zap_all	= ept_zap_all,
	.root_hpa	= ept_root_hpa,
	.page_fault	= ept_page_fault,
};
