// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the nested page table shared by npt.c and ept.c (see tdp.h).
 * The guest's own page tables, CR3 writes and #PFs never reach us.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "tdp.h"

int tdp_init(struct kvmlab_vm *vm, const struct tdp_format *fmt, int levels)
{
	struct tdp *tdp = kzalloc(sizeof(*tdp), GFP_KERNEL_ACCOUNT);

	if (!tdp)
		return -ENOMEM;
	tdp->root = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	if (!tdp->root) {
		kfree(tdp);
		return -ENOMEM;
	}
	kvmlab_acct_inc(npt_tables);
	tdp->levels = levels;
	tdp->fmt = fmt;
	vm->mmu = tdp;
	return 0;
}

/* Free the tables below @table (a table of @level), not @table itself. */
static void tdp_free_below(struct tdp *tdp, u64 *table, int level)
{
	const struct tdp_format *fmt = tdp->fmt;
	int i;

	if (level == 1)
		return;
	for (i = 0; i < 512; i++) {
		u64 *child;

		if (!(table[i] & fmt->present))
			continue;
		child = __va(table[i] & fmt->addr_mask);
		tdp_free_below(tdp, child, level - 1);
		kvmlab_page_free(child);
		kvmlab_acct_dec(npt_tables);
		tdp->table_pages--;
		table[i] = 0;
	}
}

void tdp_zap_all(struct kvmlab_vm *vm)
{
	struct tdp *tdp = vm->mmu;

	tdp_free_below(tdp, tdp->root, tdp->levels);
}

void tdp_destroy(struct kvmlab_vm *vm)
{
	struct tdp *tdp = vm->mmu;

	tdp_zap_all(vm);
	kvmlab_page_free(tdp->root);
	kvmlab_acct_dec(npt_tables);
	kfree(tdp);
	vm->mmu = NULL;
}

u64 tdp_root_hpa(struct kvmlab_vcpu *vcpu)
{
	struct tdp *tdp = vcpu->vm->mmu;

	return __pa(tdp->root);
}

/* Map the frame of @gpa: 1, 0 when no memslot has it, or -errno. */
static int tdp_map(struct kvmlab_vcpu *vcpu, u64 gpa)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct tdp *tdp = vm->mmu;
	const struct tdp_format *fmt = tdp->fmt;
	u64 *table = tdp->root;
	unsigned long pfn;
	int level, r;

	r = kvmlab_gfn_to_pfn(vm, gpa >> PAGE_SHIFT, &pfn);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r;
	for (level = tdp->levels; level > 1; level--) {
		u64 *e = &table[(gpa >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & fmt->present)) {
			u64 *child = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);

			if (!child)
				return -ENOMEM;
			tdp->table_pages++;
			kvmlab_acct_inc(npt_tables);
			*e = __pa(child) | fmt->table;
		}
		table = __va(*e & fmt->addr_mask);
	}
	table[(gpa >> 12) & 511] = ((u64)pfn << PAGE_SHIFT) | fmt->leaf;
	vcpu->stat.pf_fixed++;
	return 1;
}

int tdp_page_fault(struct kvmlab_vcpu *vcpu, u64 gpa, u64 error_code)
{
	struct kvmlab_vm *vm = vcpu->vm;
	int r;

	mutex_lock(&vm->mmu_lock);
	r = tdp_map(vcpu, gpa);
	mutex_unlock(&vm->mmu_lock);
	return r;
}
