/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmlab: the shadow MMU shared by the `flush` and `cache` variants.
 *
 * A shadow page (struct kvmlab_sp) is one host page table that the CPU
 * walks in guest mode instead of the guest's own table.  It is named by
 * the guest table it shadows (gfn) and its role:
 *
 *   level    1 = PTE table .. 4 = PML4; the shadow format is PAE for
 *            guests outside long mode (so every host frame is reachable)
 *            and four-level for long-mode guests;
 *   glevels  the guest's format: 0 paging off, 2 two-level 32-bit,
 *            3 PAE, 4 long mode;
 *   quadrant a 32-bit guest table has 1024 entries, a shadow table 512:
 *            which part of the guest table this shadow page covers;
 *   direct   no guest table behind it: paging off, or the inside of a
 *            guest large page; gfn is then the first frame it maps;
 *   access   the permissions the guest's entries above grant (all of
 *            them for a direct page: the guest large page's own);
 *   cr0_wp, nxe: they change what a guest entry means.
 */
#ifndef KVMLAB_MMU_H
#define KVMLAB_MMU_H

#include "kvmlab.h"
#include "walk.h"

union kvmlab_sp_role {
	u32 word;
	struct {
		u32 level:3;
		u32 glevels:3;
		u32 quadrant:2;
		u32 direct:1;
		u32 access:3;
		u32 cr0_wp:1;
		u32 nxe:1;
	};
};

struct kvmlab_sp {
	struct hlist_node hash;		/* by gfn */
	struct list_head link;		/* every page of the VM, newest first */
	u64 gfn;
	union kvmlab_sp_role role;
	u64 *spt;			/* the shadow table */
	u64 *gptes;			/* level 1: each leaf's guest entry */
	int root_count;
	int write_count;		/* guest writes since last used */
	bool invalid;			/* zapped while still a root */
	bool unsync;			/* guest table writable, stale */
	struct list_head unsync_link;
	int nr_parents;
	int max_parents;
	u64 **parents;			/* entries that point to this page */
};

/* A variant's policy: what a CR3 write and a guest TLB flush cost it. */
struct kvmlab_shadow_policy {
	bool keep_on_cr3;	/* cache: keep shadow pages across CR3 writes */
	bool write_protect;	/* cache: catch writes to guest page tables */
	bool invlpg_refill;	/* cache: INVLPG re-reads the guest's entry */
	bool prefetch;		/* cache: a fault maps neighbours too */
	bool unsync;		/* unsync: leaf tables go out of sync */
};

int kvmlab_shadow_init(struct kvmlab_vm *vm,
		       const struct kvmlab_shadow_policy *policy);
void kvmlab_shadow_destroy(struct kvmlab_vm *vm);
void kvmlab_shadow_zap_all(struct kvmlab_vm *vm);
u64 kvmlab_shadow_root_hpa(struct kvmlab_vcpu *vcpu);
int kvmlab_shadow_page_fault(struct kvmlab_vcpu *vcpu, u64 gva, u64 ec);
void kvmlab_shadow_new_cr3(struct kvmlab_vcpu *vcpu);
void kvmlab_shadow_reset(struct kvmlab_vcpu *vcpu);
void kvmlab_shadow_invlpg(struct kvmlab_vcpu *vcpu, u64 gva);

/*
 * A shadow variant is a policy and this ops table: mmu_flush.c and
 * mmu_cache.c are one line each.
 */
#define KVMLAB_SHADOW_VARIANT(var, vname, ...)				\
static const struct kvmlab_shadow_policy var##_policy = { __VA_ARGS__ };	\
static int var##_init(struct kvmlab_vm *vm)				\
{									\
	return kvmlab_shadow_init(vm, &var##_policy);			\
}									\
const struct kvmlab_mmu_ops var##_mmu_ops = {				\
	.name		= vname,					\
	.init		= var##_init,					\
	.destroy	= kvmlab_shadow_destroy,			\
	.zap_all	= kvmlab_shadow_zap_all,			\
	.root_hpa	= kvmlab_shadow_root_hpa,			\
	.page_fault	= kvmlab_shadow_page_fault,			\
	.new_cr3	= kvmlab_shadow_new_cr3,			\
	.reset		= kvmlab_shadow_reset,				\
	.invlpg		= kvmlab_shadow_invlpg,				\
}

/* The guest's paging state, for the walker. */
void kvmlab_walk_mode(struct kvmlab_vcpu *vcpu, struct walk_mode *mode);
extern const struct walk_ops kvmlab_walk_ops;
/* gva -> gpa as the guest's page tables say: WALK_OK/FAULT/ERROR */
int kvmlab_shadow_read(struct kvmlab_vcpu *vcpu, u64 la, void *buf,
		       unsigned int len);
int kvmlab_gva_to_gpa(struct kvmlab_vcpu *vcpu, u64 gva, u32 access,
		      u64 *gpa, u32 *error_code);

#endif
