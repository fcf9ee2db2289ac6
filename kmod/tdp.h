/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmlab: the two-dimensional page table of the nested-paging variants,
 * npt.c (AMD) and ept.c (Intel): guest physical to host physical, tables
 * of 512 8-byte entries, one 4 KiB frame mapped per nested fault.  The
 * two formats differ only in their bits, which struct tdp_format names.
 */
#ifndef KVMLAB_TDP_H
#define KVMLAB_TDP_H

#include "kvmlab.h"

struct tdp_format {
	u64 present;	/* an entry is present if any of these bits is set */
	u64 addr_mask;	/* the address of the table or frame in an entry */
	u64 table;	/* the flags of an entry that points to a table */
	u64 leaf;	/* the flags of an entry that maps a 4 KiB frame */
};

/* vm->mmu of a nested-paging variant */
struct tdp {
	u64 *root;
	int levels;
	unsigned long table_pages;	/* below the root */
	const struct tdp_format *fmt;
};

int tdp_init(struct kvmlab_vm *vm, const struct tdp_format *fmt, int levels);
void tdp_destroy(struct kvmlab_vm *vm);
void tdp_zap_all(struct kvmlab_vm *vm);
u64 tdp_root_hpa(struct kvmlab_vcpu *vcpu);
/* A nested fault at @gpa (@error_code: the exit's, unused) */
int tdp_page_fault(struct kvmlab_vcpu *vcpu, u64 gpa, u64 error_code);

/* The rest of a nested-paging variant's kvmlab_mmu_ops, after .init */
#define TDP_MMU_OPS					\
	.tdp		= true,				\
	.destroy	= tdp_destroy,			\
	.zap_all	= tdp_zap_all,			\
	.root_hpa	= tdp_root_hpa,			\
	.page_fault	= tdp_page_fault

#endif
