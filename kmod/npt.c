// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the `npt` MMU variant.  AMD nested paging translates guest
 * physical to host physical in hardware; we only fill a table in the
 * host's own format (four levels, or five when the host runs LA57: the
 * CPU walks nested tables in the paging mode of the host that ran
 * VMRUN), one 4 KiB frame per nested page fault.
 * The guest's own page tables, CR3 writes and #PFs never reach us.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "kvmlab.h"

#define NPT_PRESENT	BIT_ULL(0)
#define NPT_WRITABLE	BIT_ULL(1)
#define NPT_USER	BIT_ULL(2)	/* nested walks are user accesses */
#define NPT_ACCESSED	BIT_ULL(5)
#define NPT_DIRTY	BIT_ULL(6)
#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define NPT_TABLE	(NPT_PRESENT | NPT_WRITABLE | NPT_USER | NPT_ACCESSED)
#define NPT_LEAF	(NPT_TABLE | NPT_DIRTY)

struct npt {
	u64 *root;
	int levels;
	unsigned long table_pages;
};

static int npt_init(struct kvmlab_vm *vm)
{
	struct npt *npt = kzalloc(sizeof(*npt), GFP_KERNEL_ACCOUNT);

	if (!npt)
		return -ENOMEM;
	npt->root = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	if (!npt->root) {
		kfree(npt);
		return -ENOMEM;
	}
	kvmlab_acct_inc(npt_tables);
	npt->levels = pgtable_l5_enabled() ? 5 : 4;
	vm->mmu = npt;
	return 0;
}

/* Free the tables below @table (a table of @level), not @table itself. */
static void npt_free_below(struct npt *npt, u64 *table, int level)
{
	int i;

	if (level == 1)
		return;
	for (i = 0; i < 512; i++) {
		u64 *child;

		if (!(table[i] & NPT_PRESENT))
			continue;
		child = __va(table[i] & NPT_ADDR_MASK);
		npt_free_below(npt, child, level - 1);
		kvmlab_page_free(child);
		kvmlab_acct_dec(npt_tables);
		npt->table_pages--;
		table[i] = 0;
	}
}

static void npt_zap_all(struct kvmlab_vm *vm)
{
	struct npt *npt = vm->mmu;

	npt_free_below(npt, npt->root, npt->levels);
}

static void npt_destroy(struct kvmlab_vm *vm)
{
	struct npt *npt = vm->mmu;

	npt_zap_all(vm);
	kvmlab_page_free(npt->root);
	kvmlab_acct_dec(npt_tables);
	kfree(npt);
	vm->mmu = NULL;
}

static u64 npt_root_hpa(struct kvmlab_vcpu *vcpu)
{
	struct npt *npt = vcpu->vm->mmu;

	return __pa(npt->root);
}

static int npt_map(struct kvmlab_vcpu *vcpu, u64 gpa);

static int npt_page_fault(struct kvmlab_vcpu *vcpu, u64 gpa, u64 error_code)
{
	struct kvmlab_vm *vm = vcpu->vm;
	int r;

	mutex_lock(&vm->mmu_lock);
	r = npt_map(vcpu, gpa);
	mutex_unlock(&vm->mmu_lock);
	return r;
}

static int npt_map(struct kvmlab_vcpu *vcpu, u64 gpa)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct npt *npt = vm->mmu;
	u64 *table = npt->root;
	unsigned long pfn;
	int level, r;

	r = kvmlab_gfn_to_pfn(vm, gpa >> PAGE_SHIFT, &pfn);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r;
	for (level = npt->levels; level > 1; level--) {
		u64 *e = &table[(gpa >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & NPT_PRESENT)) {
			u64 *child = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);

			if (!child)
				return -ENOMEM;
			npt->table_pages++;
			kvmlab_acct_inc(npt_tables);
			*e = __pa(child) | NPT_TABLE;
		}
		table = __va(*e & NPT_ADDR_MASK);
	}
	table[(gpa >> 12) & 511] = ((u64)pfn << PAGE_SHIFT) | NPT_LEAF;
	vcpu->stat.pf_fixed++;
	return 1;
}

const struct kvmlab_mmu_ops npt_mmu_ops = {
	.name		= "npt",
	.tdp		= true,
	.init		= npt_init,
	.destroy	= npt_destroy,
	.zap_all	= npt_zap_all,
	.root_hpa	= npt_root_hpa,
	.page_fault	= npt_page_fault,
};
