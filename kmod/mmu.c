// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the shadow MMU.
 *
 * The CPU walks shadow page tables that map guest-virtual to host-physical
 * addresses.  They start empty; each #PF the guest takes is intercepted:
 * we walk the guest's own tables (walk.c), and either the guest gets the
 * #PF its tables call for, or we install the missing shadow entries and
 * let it go on.  The `flush` variant drops every shadow page on each CR3
 * write (KVM as posted in 2006); `cache` keeps them, finds the shadow of
 * an address space again by (guest table frame, role), and write-protects
 * the guest's page tables so that no shadow entry goes stale.
 */
#include <linux/kernel.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <asm/processor-flags.h>

#include "kvmlab.h"
#include "mmu.h"
#include "trace.h"

#define SPTE_P		BIT_ULL(0)
#define SPTE_RW		BIT_ULL(1)
#define SPTE_US		BIT_ULL(2)
#define SPTE_A		BIT_ULL(5)
#define SPTE_D		BIT_ULL(6)
#define SPTE_NX		BIT_ULL(63)
#define SPTE_ADDR	GENMASK_ULL(51, 12)
#define SPTE_TABLE	(SPTE_P | SPTE_RW | SPTE_US | SPTE_A)

struct rmap_head {
	struct hlist_node node;
	u64 gfn;
	int n, max;
	u64 **sptes;
};

struct shadow {
	const struct kvmlab_shadow_policy *policy;
	DECLARE_HASHTABLE(pages_hash, 10);
	DECLARE_HASHTABLE(rmap_hash, 10);
	struct list_head pages;
	unsigned long nr_pages;
	struct list_head unsync;	/* leaf tables out of sync */
	u64 *sync_buf;			/* a guest table, while syncing */
};

static struct shadow *vm_shadow(struct kvmlab_vm *vm)
{
	return vm->mmu;
}

static struct kvmlab_sp *spte_child(u64 spte)
{
	return (void *)page_private(pfn_to_page((spte & SPTE_ADDR) >> PAGE_SHIFT));
}

static unsigned int shadow_pages_max;
module_param(shadow_pages_max, uint, 0644);
MODULE_PARM_DESC(shadow_pages_max,
		 "shadow pages per VM before the oldest are recycled (0: 2% of guest memory, at least 64, as the in-tree KVM)");

static unsigned long kvmlab_shadow_max_pages(struct kvmlab_vm *vm)
{
	if (shadow_pages_max)
		return max(shadow_pages_max, 8u);
	return max(kvmlab_guest_pages(vm) * 20 / 1000, 64UL);
}

/* ---- parent pointers and reverse maps: small growable arrays ---- */

static int ptr_add(u64 ***arr, int *n, int *max, u64 *p)
{
	if (*n == *max) {
		int m = *max ? *max * 2 : 4;
		u64 **a = krealloc(*arr, m * sizeof(*a), GFP_KERNEL_ACCOUNT);

		if (!a)
			return -ENOMEM;
		*arr = a;
		*max = m;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

static void ptr_del(u64 **arr, int *n, u64 *p)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (arr[i] == p) {
			arr[i] = arr[--(*n)];
			return;
		}
	}
}

static struct rmap_head *rmap_get(struct shadow *s, u64 gfn, bool create)
{
	struct rmap_head *r;

	hash_for_each_possible(s->rmap_hash, r, node, gfn)
		if (r->gfn == gfn)
			return r;
	if (!create)
		return NULL;
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (r) {
		r->gfn = gfn;
		hash_add(s->rmap_hash, &r->node, gfn);
	}
	return r;
}

static void rmap_remove(struct shadow *s, u64 gfn, u64 *spte)
{
	struct rmap_head *r = rmap_get(s, gfn, false);

	if (!r)
		return;
	ptr_del(r->sptes, &r->n, spte);
	if (!r->n) {
		hash_del(&r->node);
		kfree(r->sptes);
		kfree(r);
	}
}

/* ---- shadow pages ---- */

/* Shadowed and in sync: the guest's writes to @gfn must be caught. */
static bool gfn_is_protected(struct shadow *s, u64 gfn)
{
	struct kvmlab_sp *sp;

	hash_for_each_possible(s->pages_hash, sp, hash, gfn)
		if (sp->gfn == gfn && !sp->role.direct && !sp->unsync)
			return true;
	return false;
}

/* The guest may no longer write @gfn directly: it holds a page table. */
static void write_protect_gfn(struct kvmlab_vm *vm, u64 gfn)
{
	struct rmap_head *r = rmap_get(vm_shadow(vm), gfn, false);
	bool flush = false;
	int i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		if (*r->sptes[i] & SPTE_RW) {
			*r->sptes[i] &= ~SPTE_RW;
			flush = true;
		}
	}
	if (flush)
		kvmlab_flush_remote_tlbs(vm);
}

/* The frame leaf @i maps: from the guest entry it was made from (for a
 * direct page, the frame shifted as in an entry).
 */
static u64 leaf_gfn(const struct kvmlab_sp *sp, int i)
{
	return (sp->gptes[i] & SPTE_ADDR) >> PAGE_SHIFT;
}

static void drop_leaf(struct shadow *s, struct kvmlab_sp *sp, int i)
{
	if (s->policy->write_protect)
		rmap_remove(s, leaf_gfn(sp, i), &sp->spt[i]);
	sp->spt[i] = 0;
}

static void free_sp(struct kvmlab_sp *sp)
{
	kvmlab_page_free(sp->spt);
	kvmlab_page_free(sp->gptes);
	kfree(sp->parents);
	kfree(sp);
	kvmlab_acct_dec(shadow_pages);
}

/* Unlink @sp from the tables and free it, or, while a vCPU still runs on
 * it as a root, leave it invalid for that vCPU to drop.
 */
static void zap_sp(struct kvmlab_vm *vm, struct kvmlab_vcpu *vcpu,
		   struct kvmlab_sp *sp)
{
	struct shadow *s = vm_shadow(vm);
	int i;

	if (sp->unsync) {
		sp->unsync = false;
		list_del(&sp->unsync_link);
	}
	while (sp->nr_parents)
		*sp->parents[--sp->nr_parents] = 0;
	for (i = 0; i < 512; i++) {
		u64 e = sp->spt[i];

		if (!(e & SPTE_P))
			continue;
		if (sp->role.level > 1) {
			struct kvmlab_sp *child = spte_child(e);

			ptr_del(child->parents, &child->nr_parents,
				&sp->spt[i]);
			sp->spt[i] = 0;
		} else {
			drop_leaf(s, sp, i);
		}
	}
	if (!sp->invalid) {
		hash_del(&sp->hash);
		list_del(&sp->link);
		vm->stat.shadow_pages = --s->nr_pages;
		trace_kvmlab_sp_zap(sp->gfn, sp->role.word, sp->role.level,
				    s->nr_pages);
	}
	if (vcpu)
		vcpu->stat.mmu_shadow_zapped++;
	if (sp->root_count) {
		sp->invalid = true;
		return;
	}
	free_sp(sp);
}

static struct kvmlab_sp *alloc_sp(struct shadow *s, u64 gfn,
				  union kvmlab_sp_role role)
{
	struct kvmlab_sp *sp = kzalloc(sizeof(*sp), GFP_KERNEL_ACCOUNT);

	if (!sp)
		return NULL;
	kvmlab_acct_inc(shadow_pages);
	sp->spt = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	if (role.level == 1)
		sp->gptes = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	if (!sp->spt || (role.level == 1 && !sp->gptes)) {
		free_sp(sp);
		return NULL;
	}
	set_page_private(virt_to_page(sp->spt), (unsigned long)sp);
	sp->gfn = gfn;
	sp->role = role;
	hash_add(s->pages_hash, &sp->hash, gfn);
	list_add(&sp->link, &s->pages);
	s->nr_pages++;
	trace_kvmlab_sp_create(gfn, role.word, role.level, s->nr_pages);
	return sp;
}

static void sync_sp(struct kvmlab_vcpu *vcpu, struct kvmlab_sp *sp);
static void sync_all(struct kvmlab_vcpu *vcpu);

/* Find the shadow of (gfn, role), or make it.  A table linked in again
 * or shadowed once more is brought in sync first.
 */
static struct kvmlab_sp *get_sp(struct kvmlab_vcpu *vcpu, u64 gfn,
				union kvmlab_sp_role role)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct shadow *s = vm_shadow(vm);
	struct kvmlab_sp *sp;
	struct hlist_node *tmp;
	bool protect;

	hash_for_each_possible(s->pages_hash, sp, hash, gfn) {
		if (sp->gfn == gfn && sp->role.word == role.word) {
			list_move(&sp->link, &s->pages);
			if (sp->unsync)
				sync_sp(vcpu, sp);
			return sp;
		}
	}
	vcpu->stat.mmu_cache_miss++;
	hash_for_each_possible_safe(s->pages_hash, sp, tmp, hash, gfn)
		if (sp->gfn == gfn && sp->unsync)
			sync_sp(vcpu, sp);
	protect = s->policy->write_protect && !role.direct &&
		  !gfn_is_protected(s, gfn);
	sp = alloc_sp(s, gfn, role);
	if (sp)
		vm->stat.shadow_pages = s->nr_pages;
	if (sp && protect)
		write_protect_gfn(vm, gfn);
	return sp;
}

/* Keep the VM under its limit of shadow pages, oldest first. */
static void make_room(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct shadow *s = vm_shadow(vm);
	struct kvmlab_sp *sp, *tmp;
	unsigned long max = kvmlab_shadow_max_pages(vm);

	list_for_each_entry_safe_reverse(sp, tmp, &s->pages, link) {
		if (s->nr_pages + 4 <= max)
			return;
		if (sp->root_count)
			continue;
		trace_kvmlab_sp_recycle(sp->gfn, sp->role.word, sp->role.level,
					s->nr_pages);
		zap_sp(vm, vcpu, sp);
		vcpu->stat.mmu_recycled++;
	}
}

static int link_sp(u64 *spte, struct kvmlab_sp *child, u64 flags)
{
	int r = ptr_add(&child->parents, &child->nr_parents,
			&child->max_parents, spte);

	if (!r)
		*spte = __pa(child->spt) | flags;
	return r;
}

/* ---- roots ---- */

static int guest_levels(struct kvmlab_vcpu *vcpu)
{
	if (!(vcpu->cr0 & X86_CR0_PG))
		return 0;
	if (vcpu->efer & EFER_LMA)
		return 4;
	return (vcpu->cr4 & X86_CR4_PAE) ? 3 : 2;
}

static union kvmlab_sp_role base_role(struct kvmlab_vcpu *vcpu)
{
	union kvmlab_sp_role role = { .word = 0 };

	role.glevels = guest_levels(vcpu);
	role.cr0_wp = !!(vcpu->cr0 & X86_CR0_WP);
	role.nxe = !!(vcpu->efer & EFER_NX);
	return role;
}

static void put_root(struct kvmlab_vcpu *vcpu, struct kvmlab_sp **slot)
{
	struct kvmlab_sp *sp = *slot;

	*slot = NULL;
	if (!sp)
		return;
	if (--sp->root_count == 0 && sp->invalid)
		free_sp(sp);
}

static void release_roots(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_vcpu_mmu *m = &vcpu->mmu;
	int i;

	put_root(vcpu, &m->root_sp);
	for (i = 0; i < 4; i++) {
		if (m->pae_root)
			m->pae_root[i] = 0;
		put_root(vcpu, &m->pae_sps[i]);
	}
	m->root_hpa = 0;
}

static bool roots_valid(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_vcpu_mmu *m = &vcpu->mmu;
	int i;

	if (!m->root_hpa)
		return false;
	if (m->root_sp && m->root_sp->invalid)
		return false;
	for (i = 0; i < 4; i++)
		if (m->pae_sps[i] && m->pae_sps[i]->invalid)
			return false;
	return true;
}

static struct kvmlab_sp *get_root(struct kvmlab_vcpu *vcpu, u64 gfn,
				  union kvmlab_sp_role role)
{
	struct kvmlab_sp *sp = get_sp(vcpu, gfn, role);

	if (sp)
		sp->root_count++;
	return sp;
}

/* Long mode: one four-level root.  Otherwise a PAE root of four entries,
 * each a level-2 shadow: of the guest's PD (PAE, or a quarter of a 32-bit
 * guest's PD) or of a gigabyte of guest-physical memory (paging off).
 */
static int build_roots(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_vcpu_mmu *m = &vcpu->mmu;
	union kvmlab_sp_role role = base_role(vcpu);
	u64 gfn = vcpu->cr3 >> PAGE_SHIFT;
	int i;

	if (role.glevels == 4) {
		role.level = 4;
		m->root_sp = get_root(vcpu, gfn & (BIT_ULL(40) - 1), role);
		if (!m->root_sp)
			return -ENOMEM;
		m->root_hpa = __pa(m->root_sp->spt);
		return 0;
	}
	if (!m->pae_root) {
		/* Outside long mode CR3 holds a 32-bit address. */
		m->pae_root = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT |
						GFP_DMA32);
		if (!m->pae_root)
			return -ENOMEM;
	}
	role.level = 2;
	for (i = 0; i < 4; i++) {
		union kvmlab_sp_role r = role;
		u64 g;

		switch (role.glevels) {
		case 0:
			r.direct = 1;
			r.access = 7;
			g = (u64)i << 18;
			break;
		case 2:
			r.quadrant = i;
			g = (u32)vcpu->cr3 >> PAGE_SHIFT;
			break;
		default:
			if (!(vcpu->pdptes[i] & SPTE_P))
				continue;
			g = (vcpu->pdptes[i] & SPTE_ADDR) >> PAGE_SHIFT;
			break;
		}
		m->pae_sps[i] = get_root(vcpu, g, r);
		if (!m->pae_sps[i])
			return -ENOMEM;
		m->pae_root[i] = __pa(m->pae_sps[i]->spt) | SPTE_P;
	}
	m->root_hpa = __pa(m->pae_root);
	return 0;
}

/* Before each entry: the root the CPU walks; 0 if none could be made. */
u64 kvmlab_shadow_root_hpa(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_vm *vm = vcpu->vm;
	int r;

	if (likely(roots_valid(vcpu)))
		return vcpu->mmu.root_hpa;
	mutex_lock(&vm->mmu_lock);
	release_roots(vcpu);
	make_room(vcpu);
	r = build_roots(vcpu);
	if (r)
		release_roots(vcpu);
	mutex_unlock(&vm->mmu_lock);
	kvmlab_request_tlb_flush(vcpu);
	return vcpu->mmu.root_hpa;
}

static void zap_all_locked(struct kvmlab_vm *vm, struct kvmlab_vcpu *vcpu)
{
	struct shadow *s = vm_shadow(vm);
	struct kvmlab_sp *sp, *tmp;

	list_for_each_entry_safe(sp, tmp, &s->pages, link)
		zap_sp(vm, vcpu, sp);
	kvmlab_flush_remote_tlbs(vm);
}

/* Memory slots changed: caller holds mmu_lock. */
void kvmlab_shadow_zap_all(struct kvmlab_vm *vm)
{
	zap_all_locked(vm, NULL);
}

/* The guest loaded CR3.  flush: every shadow page goes (2006).  cache:
 * the new address space's shadow is found again if it is still there.
 */
void kvmlab_shadow_new_cr3(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct shadow *s = vm_shadow(vm);
	u64 misses, zapped = vcpu->stat.mmu_shadow_zapped;
	bool reused = false;

	mutex_lock(&vm->mmu_lock);
	release_roots(vcpu);
	if (!s->policy->keep_on_cr3)
		zap_all_locked(vm, vcpu);
	sync_all(vcpu);
	make_room(vcpu);
	misses = vcpu->stat.mmu_cache_miss;
	if (build_roots(vcpu))
		release_roots(vcpu);
	else
		reused = vcpu->stat.mmu_cache_miss == misses;
	vcpu->stat.root_reused += reused;
	mutex_unlock(&vm->mmu_lock);
	trace_kvmlab_cr3_switch(vcpu->vcpu_id, vcpu->mmu.last_cr3, vcpu->cr3,
				reused, vcpu->stat.mmu_shadow_zapped - zapped);
	vcpu->mmu.last_cr3 = vcpu->cr3;
	kvmlab_request_tlb_flush(vcpu);
}

/* Paging mode or a full TLB flush: the roots are rebuilt; flush drops
 * every shadow page with them.
 */
void kvmlab_shadow_reset(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_vm *vm = vcpu->vm;

	mutex_lock(&vm->mmu_lock);
	release_roots(vcpu);
	if (!vm_shadow(vm)->policy->keep_on_cr3)
		zap_all_locked(vm, vcpu);
	sync_all(vcpu);
	mutex_unlock(&vm->mmu_lock);
	kvmlab_request_tlb_flush(vcpu);
}

/* ---- the fault path ---- */

static int leaf_level(const struct guest_walker *w)
{
	if (w->page_size >= (1ULL << 30))
		return 3;
	if (w->page_size > PAGE_SIZE)
		return 2;
	return 1;
}

/* What the guest's entries above level @child grant: R/W and U/S are
 * ANDed over the levels, NX ORed, as the CPU combines them.  (PAE
 * PDPTEs carry no permissions.)
 */
static u32 upper_access(const struct guest_walker *w, int child)
{
	u32 acc = WALK_ACC_WRITE | WALK_ACC_USER | WALK_ACC_EXEC;
	int lvl;

	for (lvl = w->levels; lvl > child; lvl--) {
		u64 pte = w->pte[lvl - 1];

		if (w->format == WALK_FMT_PAE && lvl == 3)
			continue;
		if (!(pte & PT_WRITABLE))
			acc &= ~WALK_ACC_WRITE;
		if (!(pte & PT_USER))
			acc &= ~WALK_ACC_USER;
		if (pte & PT_NX)
			acc &= ~WALK_ACC_EXEC;
	}
	return acc;
}

/* The role and frame of the shadow page below an entry at @level. */
static void child_of(struct kvmlab_vcpu *vcpu, const struct guest_walker *w,
		     u64 gva, int level, u64 *gfn, union kvmlab_sp_role *role)
{
	int child = level - 1;

	*role = base_role(vcpu);
	role->level = child;
	if (role->glevels == 0 || child < leaf_level(w)) {
		role->direct = 1;
		role->access = role->glevels ? w->access : 7;
		*gfn = w->gfn & ~((1ULL << (9 * child)) - 1);
		return;
	}
	*gfn = w->table_gfn[child - 1];
	role->access = upper_access(w, child);
	if (role->glevels == 2)
		role->quadrant = (gva >> 21) & 1;
}

static u64 leaf_spte(struct kvmlab_vcpu *vcpu, const struct guest_walker *w,
		     unsigned long pfn, u32 pfec)
{
	struct shadow *s = vm_shadow(vcpu->vm);
	bool paging = guest_levels(vcpu) != 0;
	u32 acc = paging ? w->access : 7;
	u64 pte = paging ? w->pte[leaf_level(w) - 1] : PT_DIRTY;
	u64 spte = ((u64)pfn << PAGE_SHIFT) | SPTE_P | SPTE_A | SPTE_D;

	/* CR0.WP=0: a supervisor write to a read-only page is allowed; the
	 * entry is writable for the kernel only, and a user access faults
	 * again and gets the guest's own permissions.
	 */
	if ((pfec & PFERR_WRITE) && !(pfec & PFERR_USER) &&
	    !(vcpu->cr0 & X86_CR0_WP) && !(acc & WALK_ACC_WRITE))
		acc = (acc | WALK_ACC_WRITE) & ~WALK_ACC_USER;
	/* A clean guest page stays read-only: its first write must fault
	 * so that the guest's dirty bit is set.
	 */
	if ((acc & WALK_ACC_WRITE) && ((pte & PT_DIRTY) || (pfec & PFERR_WRITE)) &&
	    !(s->policy->write_protect && gfn_is_protected(s, w->gfn)))
		spte |= SPTE_RW;
	if (acc & WALK_ACC_USER)
		spte |= SPTE_US;
	if (!(acc & WALK_ACC_EXEC) && (vcpu->efer & EFER_NX))
		spte |= SPTE_NX;
	return spte;
}

static void prefetch_leaves(struct kvmlab_vcpu *vcpu, struct kvmlab_sp *sp,
			    int i);

/* Install the shadow entries for @gva.  Caller holds mmu_lock. */
static int shadow_map(struct kvmlab_vcpu *vcpu, const struct guest_walker *w,
		      u64 gva, u32 pfec, unsigned long pfn)
{
	struct shadow *s = vm_shadow(vcpu->vm);
	struct kvmlab_vcpu_mmu *m = &vcpu->mmu;
	struct kvmlab_sp *sp;
	int level, i;

	if (m->root_sp) {
		sp = m->root_sp;
		level = 4;
	} else {
		sp = m->pae_sps[(gva >> 30) & 3];
		level = 2;
	}
	if (!sp || sp->invalid)
		return 0;	/* the root goes before the next entry */
	for (; level > 1; level--) {
		u64 *e = &sp->spt[(gva >> (12 + 9 * (level - 1))) & 511];
		union kvmlab_sp_role role;
		struct kvmlab_sp *child;
		u64 gfn;

		sp->write_count = 0;	/* used: not a flood */
		if (*e & SPTE_P) {
			sp = spte_child(*e);
			continue;
		}
		child_of(vcpu, w, gva, level, &gfn, &role);
		child = get_sp(vcpu, gfn, role);
		if (!child || link_sp(e, child, SPTE_TABLE))
			return -ENOMEM;
		sp = child;
	}
	i = (gva >> 12) & 511;
	if (sp->spt[i] & SPTE_P)
		drop_leaf(s, sp, i);
	sp->gptes[i] = sp->role.direct ? w->gfn << PAGE_SHIFT : w->pte[0];
	if (s->policy->write_protect) {
		struct rmap_head *r = rmap_get(s, w->gfn, true);

		if (!r || ptr_add(&r->sptes, &r->n, &r->max, &sp->spt[i]))
			return -ENOMEM;
	}
	sp->spt[i] = leaf_spte(vcpu, w, pfn, pfec);
	if (s->policy->prefetch && !sp->role.direct)
		prefetch_leaves(vcpu, sp, i);
	return 0;
}

/* Zap every shadow page of @gfn: the guest writes it as data now. */
static void unprotect_gfn(struct kvmlab_vcpu *vcpu, u64 gfn)
{
	struct shadow *s = vm_shadow(vcpu->vm);
	struct kvmlab_sp *sp;
	struct hlist_node *tmp;

	hash_for_each_possible_safe(s->pages_hash, sp, tmp, hash, gfn) {
		if (sp->gfn == gfn && !sp->role.direct) {
			trace_kvmlab_sp_unprotect(gfn, sp->role.word,
						  sp->role.level, s->nr_pages);
			zap_sp(vcpu->vm, vcpu, sp);
		}
	}
	kvmlab_flush_remote_tlbs(vcpu->vm);
}

static bool gfn_is_root(struct shadow *s, u64 gfn)
{
	struct kvmlab_sp *sp;

	hash_for_each_possible(s->pages_hash, sp, hash, gfn)
		if (sp->gfn == gfn && sp->root_count)
			return true;
	return false;
}

static bool in_walk_path(const struct guest_walker *w, u64 gfn)
{
	u64 gfns[WALK_MAX_LEVELS + 1];
	int i, n = walk_table_gfns(w, gfns, ARRAY_SIZE(gfns));

	for (i = 0; i < n; i++)
		if (gfns[i] == gfn)
			return true;
	return false;
}

/*
 * unsync: the guest writes leaf table @gfn.  Let it, and let its shadows
 * go out of sync until the guest flushes its TLB; not a table shadowed
 * at an upper level, whose entries the shadow links must follow.
 */
static bool unsync_gfn(struct kvmlab_vcpu *vcpu, u64 gfn)
{
	struct shadow *s = vm_shadow(vcpu->vm);
	struct kvmlab_sp *sp;

	hash_for_each_possible(s->pages_hash, sp, hash, gfn)
		if (sp->gfn == gfn && !sp->role.direct && sp->role.level > 1)
			return false;
	hash_for_each_possible(s->pages_hash, sp, hash, gfn) {
		if (sp->gfn != gfn || sp->role.direct || sp->unsync)
			continue;
		sp->unsync = true;
		list_add(&sp->unsync_link, &s->unsync);
		vcpu->stat.mmu_unsync++;
		trace_kvmlab_sp_unsync(gfn, sp->role.word, sp->role.level,
				       sp->nr_parents);
	}
	return true;
}

/*
 * A #PF in the guest.  1 = handled (fixed, or the guest gets its #PF),
 * 0 = exit to userspace (MMIO done by the emulator), < 0 = error.
 */
int kvmlab_shadow_page_fault(struct kvmlab_vcpu *vcpu, u64 gva, u64 ec)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct shadow *s = vm_shadow(vm);
	u32 pfec = ec & WALK_ACCESS;
	struct guest_walker w;
	struct walk_mode mode;
	unsigned long pfn;
	int r;

	kvmlab_walk_mode(vcpu, &mode);
	r = walk_addr(&w, &mode, &kvmlab_walk_ops, vcpu, gva, pfec);
	if (r != WALK_OK) {
		u32 err = r == WALK_FAULT ? w.error_code : pfec;

		vcpu->stat.pf_guest++;
		trace_kvmlab_shadow_fault(vcpu->vcpu_id, gva, ec,
					  KVMLAB_PF_INJECTED);
		vcpu->cr2 = gva;
		kvmlab_arch->queue_exception(vcpu, 14, true, err);
		return 1;
	}

	mutex_lock(&vm->mmu_lock);
	r = kvmlab_gfn_to_pfn(vm, w.gfn, &pfn);
	if (r == -ENOENT) {
		mutex_unlock(&vm->mmu_lock);
		vcpu->stat.pf_mmio++;
		trace_kvmlab_shadow_fault(vcpu->vcpu_id, gva, ec, KVMLAB_PF_MMIO);
		return kvmlab_emulate_mmio(vcpu, gva, w.gpa, pfec);
	}
	if (r)
		goto out;
	if ((pfec & PFERR_WRITE) && s->policy->write_protect &&
	    gfn_is_protected(s, w.gfn)) {
		struct kvmlab_vcpu_mmu *m = &vcpu->mmu;
		bool must = in_walk_path(&w, w.gfn) || gfn_is_root(s, w.gfn);
		bool again = m->retry_rip == vcpu->rip && m->retry_gfn == w.gfn;

		if (s->policy->unsync && !must && unsync_gfn(vcpu, w.gfn))
			goto map;

		/* A write to a guest page table: emulate it, and update
		 * the shadow entries it changes (kvmlab_shadow_guest_write).
		 * An instruction that clears or copies the page as data
		 * (REP STOS, MOVS), or one the emulator cannot do, runs
		 * natively on an unprotected page instead, unless that
		 * would fault again at once (the table maps itself, or it
		 * is a root, or this very retry came back).
		 */
		vcpu->stat.mmu_pte_write++;
		trace_kvmlab_shadow_fault(vcpu->vcpu_id, gva, ec,
					  KVMLAB_PF_WP_HIT);
		mutex_unlock(&vm->mmu_lock);
		m->retry_rip = 0;
		m->retry_gfn = 0;
		r = kvmlab_emulate_pt_write(vcpu, !must && !again);
		if (r == KVMLAB_EMUL_RETRY) {
			m->retry_rip = vcpu->rip;
			m->retry_gfn = w.gfn;
		} else if (r || must ||
			   vcpu->run->exit_reason != KVM_EXIT_INTERNAL_ERROR) {
			return r;
		}
		mutex_lock(&vm->mmu_lock);
		unprotect_gfn(vcpu, w.gfn);
		mutex_unlock(&vm->mmu_lock);
		return 1;
	}
map:
	make_room(vcpu);
	r = shadow_map(vcpu, &w, gva, pfec, pfn);
	if (!r) {
		vcpu->stat.pf_fixed++;
		trace_kvmlab_shadow_fault(vcpu->vcpu_id, gva, ec,
					  KVMLAB_PF_FIXED);
	}
out:
	mutex_unlock(&vm->mmu_lock);
	return r < 0 ? r : 1;
}

/* Drop one shadow entry: a leaf, or the link to a lower table. */
static void drop_spte(struct shadow *s, struct kvmlab_sp *sp, int i)
{
	if (!(sp->spt[i] & SPTE_P))
		return;
	if (sp->role.level > 1) {
		struct kvmlab_sp *child = spte_child(sp->spt[i]);

		ptr_del(child->parents, &child->nr_parents, &sp->spt[i]);
		sp->spt[i] = 0;
	} else {
		drop_leaf(s, sp, i);
	}
}

/* The shadow of guest entry @gpte in leaf table @sp, and its frame;
 * false for an entry the fault path must see first (not present, not yet
 * accessed, reserved bits, MMIO).
 */
static bool leaf_from_gpte(struct kvmlab_vcpu *vcpu, struct kvmlab_sp *sp,
			   u64 gpte, u64 *gfnp, u64 *sptep)
{
	struct shadow *s = vm_shadow(vcpu->vm);
	u64 gfn = (gpte & SPTE_ADDR) >> PAGE_SHIFT;
	u32 acc = sp->role.access;
	unsigned long pfn;
	u64 spte;

	if (!(gpte & PT_PRESENT) || !(gpte & PT_ACCESSED) ||
	    (gpte & GENMASK_ULL(51, boot_cpu_data.x86_phys_bits)) ||
	    (!sp->role.nxe && (gpte & PT_NX)))
		return false;
	if (kvmlab_gfn_to_pfn(vcpu->vm, gfn, &pfn))
		return false;
	if (!(gpte & PT_WRITABLE))
		acc &= ~WALK_ACC_WRITE;
	if (!(gpte & PT_USER))
		acc &= ~WALK_ACC_USER;
	if (gpte & PT_NX)
		acc &= ~WALK_ACC_EXEC;
	spte = ((u64)pfn << PAGE_SHIFT) | SPTE_P | SPTE_A | SPTE_D;
	if ((acc & WALK_ACC_WRITE) && (gpte & PT_DIRTY) &&
	    !gfn_is_protected(s, gfn))
		spte |= SPTE_RW;
	if (acc & WALK_ACC_USER)
		spte |= SPTE_US;
	if (!(acc & WALK_ACC_EXEC) && sp->role.nxe)
		spte |= SPTE_NX;
	*gfnp = gfn;
	*sptep = spte;
	return true;
}

/* The guest wrote @gpte into entry @i of the table @sp shadows: build the
 * new leaf now rather than on the next fault (an unchanged one stays).
 */
static bool update_leaf(struct kvmlab_vcpu *vcpu, struct kvmlab_sp *sp,
			int i, u64 gpte)
{
	struct shadow *s = vm_shadow(vcpu->vm);
	bool ok;
	struct rmap_head *r;
	u64 gfn, spte;

	/* made from this very entry: nothing to do (the common case when
	 * syncing a table of which a few entries changed)
	 */
	if ((sp->spt[i] & SPTE_P) && sp->gptes[i] == gpte)
		return true;
	ok = leaf_from_gpte(vcpu, sp, gpte, &gfn, &spte);
	drop_leaf(s, sp, i);
	if (!ok)
		return false;
	r = rmap_get(s, gfn, true);
	if (!r || ptr_add(&r->sptes, &r->n, &r->max, &sp->spt[i]))
		return false;
	sp->gptes[i] = gpte;
	sp->spt[i] = spte;
	return true;
}

/*
 * Guest entries @first .. @first + @n - 1 of the table leaf @sp shadows,
 * widened to 64 bits in @out (a 32-bit guest's table has 4-byte entries,
 * the second half of them in quadrant 1).  Nonzero: not in guest memory.
 */
static int read_gptes(struct kvmlab_vm *vm, const struct kvmlab_sp *sp,
		      int first, int n, u64 *out)
{
	unsigned int esz = sp->role.glevels == 2 ? 4 : 8;
	unsigned int gi = first + (esz == 4 ? sp->role.quadrant * 512 : 0);
	int r = kvmlab_read_guest_locked(vm, (sp->gfn << PAGE_SHIFT) + gi * esz,
					 out, n * esz);

	if (r || esz == 8)
		return r;
	while (n--)		/* from the end: no entry is overwritten unread */
		out[n] = ((u32 *)out)[n];
	return 0;
}

/* Shadow entry @i of leaf table @sp from the guest's entry as it is now. */
static bool refill_leaf(struct kvmlab_vcpu *vcpu, struct kvmlab_sp *sp, int i)
{
	u64 gpte;

	if (read_gptes(vcpu->vm, sp, i, 1, &gpte)) {
		drop_leaf(vm_shadow(vcpu->vm), sp, i);
		return false;
	}
	return update_leaf(vcpu, sp, i, gpte);
}

#define KVMLAB_PREFETCH	8

/*
 * After a fault on entry @i of leaf table @sp: map the empty neighbours
 * of its aligned group of eight whose guest entries are present and
 * accessed, so that a sequential walk (exec, fault-around) takes one
 * fault per group, as with the in-tree KVM's pte_prefetch.  A clean page
 * is mapped read-only, so its first write still sets the dirty bit.
 */
static void prefetch_leaves(struct kvmlab_vcpu *vcpu, struct kvmlab_sp *sp,
			    int i)
{
	int first = i & ~(KVMLAB_PREFETCH - 1), j;
	u64 gpte[KVMLAB_PREFETCH];

	if (read_gptes(vcpu->vm, sp, first, KVMLAB_PREFETCH, gpte))
		return;
	for (j = 0; j < KVMLAB_PREFETCH; j++) {
		if (first + j == i || (sp->spt[first + j] & SPTE_P))
			continue;
		if (update_leaf(vcpu, sp, first + j, gpte[j]))
			vcpu->stat.mmu_prefetch++;
	}
}

/*
 * Bring unsync leaf table @sp back in sync: every entry it maps is made
 * again from the guest's entry as it is now, and the guest's table is
 * write-protected again.
 */
static void sync_sp(struct kvmlab_vcpu *vcpu, struct kvmlab_sp *sp)
{
	struct shadow *s = vm_shadow(vcpu->vm);
	bool gone;
	int i;

	sp->unsync = false;
	list_del(&sp->unsync_link);
	trace_kvmlab_sp_sync(sp->gfn, sp->role.word, sp->role.level,
			     sp->nr_parents);
	gone = read_gptes(vcpu->vm, sp, 0, 512, s->sync_buf);
	for (i = 0; i < 512; i++) {
		if (!(sp->spt[i] & SPTE_P))
			continue;
		if (gone)
			drop_leaf(s, sp, i);
		else
			update_leaf(vcpu, sp, i, s->sync_buf[i]);
	}
	write_protect_gfn(vcpu->vm, sp->gfn);
}

/* The guest flushed its TLB: every unsync table still linked in is
 * brought in sync (one unlinked waits until get_sp links it again).
 */
static void sync_all(struct kvmlab_vcpu *vcpu)
{
	struct shadow *s = vm_shadow(vcpu->vm);
	struct kvmlab_sp *sp, *tmp;
	bool synced = false;

	list_for_each_entry_safe(sp, tmp, &s->unsync, unsync_link) {
		if (!sp->nr_parents)
			continue;
		sync_sp(vcpu, sp);
		synced = true;
	}
	if (synced)
		kvmlab_flush_remote_tlbs(vcpu->vm);
}

/* The entries of @sp that guest bytes [off, off + len) of its table
 * describe: first and last index, or false if none.
 */
static bool written_entries(struct kvmlab_sp *sp, unsigned int off,
			    unsigned int len, int *first, int *last)
{
	int g0, g1, base;

	if (sp->role.glevels != 2) {		/* 8-byte entries, 1:1 */
		*first = off / 8;
		*last = (off + len - 1) / 8;
		return true;
	}
	g0 = off / 4;				/* 32-bit: 1024 entries */
	g1 = (off + len - 1) / 4;
	if (sp->role.level == 1) {		/* half a guest PT */
		base = sp->role.quadrant * 512;
		g0 = max(g0, base);
		g1 = min(g1, base + 511);
		*first = g0 - base;
		*last = g1 - base;
	} else {				/* a quarter of the guest PD */
		base = sp->role.quadrant * 256;
		g0 = max(g0, base);
		g1 = min(g1, base + 255);
		*first = 2 * (g0 - base);	/* a 4 MiB PDE: two 2 MiB */
		*last = 2 * (g1 - base) + 1;
	}
	return g0 <= g1;
}

#define KVMLAB_FLOOD_WRITES	3

/*
 * The emulator wrote @len bytes at @gpa, which may hold a shadowed guest
 * page table: the shadow entries they describe are rebuilt in place.  A
 * table written again and again without being used for a translation is
 * not one any more (a page reused as data): its shadow goes and the page
 * is no longer write-protected.
 */
void kvmlab_shadow_guest_write(struct kvmlab_vcpu *vcpu, u64 gpa,
			       unsigned int len)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct shadow *s = vm_shadow(vm);
	unsigned int off = offset_in_page(gpa);
	u64 gfn = gpa >> PAGE_SHIFT;
	struct kvmlab_sp *sp;
	struct hlist_node *tmp;
	bool flush = false;

	if (vm->mmu_ops->tdp || !s->policy->write_protect)
		return;
	mutex_lock(&vm->mmu_lock);
	hash_for_each_possible_safe(s->pages_hash, sp, tmp, hash, gfn) {
		int i, first, last;

		/* an unsync table is synced at the guest's TLB flush */
		if (sp->gfn != gfn || sp->role.direct || sp->unsync)
			continue;
		flush = true;
		if (++sp->write_count >= KVMLAB_FLOOD_WRITES) {
			vcpu->stat.mmu_flooded++;
			trace_kvmlab_sp_unprotect(gfn, sp->role.word,
						  sp->role.level, s->nr_pages);
			zap_sp(vm, vcpu, sp);
			continue;
		}
		if (!written_entries(sp, off, len, &first, &last))
			continue;
		for (i = first; i <= last; i++) {
			if (sp->role.level != 1)
				drop_spte(s, sp, i);
			else if (refill_leaf(vcpu, sp, i))
				vcpu->stat.mmu_pte_updated++;
		}
	}
	mutex_unlock(&vm->mmu_lock);
	if (flush)
		kvmlab_flush_remote_tlbs(vm);
}

/* INVLPG: drop the shadow entry of @gva in the current root. */
void kvmlab_shadow_invlpg(struct kvmlab_vcpu *vcpu, u64 gva)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct shadow *s = vm_shadow(vm);
	struct kvmlab_vcpu_mmu *m = &vcpu->mmu;
	struct kvmlab_sp *sp;
	int level;

	vcpu->stat.invlpg++;
	mutex_lock(&vm->mmu_lock);
	sp = m->root_sp ? m->root_sp : m->pae_sps[(gva >> 30) & 3];
	level = m->root_sp ? 4 : 2;
	for (; sp && !sp->invalid && level >= 1; level--) {
		u64 *e = &sp->spt[(gva >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & SPTE_P))
			break;
		if (level == 1) {
			/* As the in-tree KVM: the entry the guest just
			 * changed is mapped again without another fault;
			 * and a table the guest flushes through is in use
			 * as one, not a flood.
			 */
			if (s->policy->invlpg_refill) {
				sp->write_count = 0;
				refill_leaf(vcpu, sp, (gva >> 12) & 511);
			}
			else
				drop_leaf(s, sp, (gva >> 12) & 511);
			break;
		}
		sp = spte_child(*e);
		/* A direct page maps a guest large page: drop all of it. */
		if (sp->role.direct && guest_levels(vcpu)) {
			zap_sp(vm, vcpu, sp);
			break;
		}
	}
	mutex_unlock(&vm->mmu_lock);
	kvmlab_request_tlb_flush(vcpu);
}

int kvmlab_shadow_init(struct kvmlab_vm *vm,
		       const struct kvmlab_shadow_policy *policy)
{
	struct shadow *s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);

	if (!s)
		return -ENOMEM;
	s->policy = policy;
	hash_init(s->pages_hash);
	hash_init(s->rmap_hash);
	INIT_LIST_HEAD(&s->pages);
	INIT_LIST_HEAD(&s->unsync);
	if (policy->unsync) {
		s->sync_buf = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
		if (!s->sync_buf) {
			kfree(s);
			return -ENOMEM;
		}
	}
	vm->mmu = s;
	return 0;
}

void kvmlab_shadow_destroy(struct kvmlab_vm *vm)
{
	struct shadow *s = vm_shadow(vm);
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		release_roots(vm->vcpus[i]);
		kvmlab_page_free(vm->vcpus[i]->mmu.pae_root);
		vm->vcpus[i]->mmu.pae_root = NULL;
	}
	zap_all_locked(vm, NULL);
	kvmlab_page_free(s->sync_buf);
	kfree(s);
	vm->mmu = NULL;
}

/* ---- the guest's page tables, for the walker ---- */

void kvmlab_walk_mode(struct kvmlab_vcpu *vcpu, struct walk_mode *mode)
{
	memset(mode, 0, sizeof(*mode));
	mode->cr0 = vcpu->cr0;
	mode->cr4 = vcpu->cr4;
	mode->efer = vcpu->efer;
	mode->cr3 = vcpu->cr3;
	memcpy(mode->pdpte, vcpu->pdptes, sizeof(mode->pdpte));
	mode->maxphyaddr = boot_cpu_data.x86_phys_bits;
	mode->amd = true;
	mode->gbpages = true;
	mode->pse36 = true;
	mode->smap_ac = kvmlab_arch->get_rflags(vcpu) & X86_EFLAGS_AC;
}

static int walk_read_gpa(void *priv, u64 gpa, void *buf, unsigned int len)
{
	return kvmlab_read_guest(priv, gpa, buf, len);
}

static int walk_cmpxchg_gpa(void *priv, u64 gpa, u64 old, u64 new,
			    unsigned int len)
{
	struct kvmlab_vcpu *vcpu = priv;

	return kvmlab_cmpxchg_guest(vcpu->vm, gpa, old, new, len);
}

const struct walk_ops kvmlab_walk_ops = {
	.read_gpa	= walk_read_gpa,
	.cmpxchg_gpa	= walk_cmpxchg_gpa,
};

/*
 * Copy @len bytes at linear @la through the shadow page tables of the
 * current root, when they map it: for the instruction the guest has just
 * fetched through them, cheaper than walking the guest's own tables.
 * 0, or -ENOENT: not mapped there (walk the guest's tables instead).
 */
int kvmlab_shadow_read(struct kvmlab_vcpu *vcpu, u64 la, void *buf,
		       unsigned int len)
{
	struct kvmlab_vm *vm = vcpu->vm;
	struct kvmlab_vcpu_mmu *m = &vcpu->mmu;
	struct kvmlab_sp *sp;
	int level, r = -ENOENT;

	if (vm->mmu_ops->tdp || offset_in_page(la) + len > PAGE_SIZE)
		return -ENOENT;
	mutex_lock(&vm->mmu_lock);
	if (!roots_valid(vcpu))
		goto out;
	if (m->root_sp) {
		sp = m->root_sp;
		level = 4;
	} else {
		la = (u32)la;
		sp = m->pae_sps[(la >> 30) & 3];
		level = 2;
	}
	for (; sp && !sp->invalid; level--) {
		u64 e = sp->spt[(la >> (12 + 9 * (level - 1))) & 511];

		if (!(e & SPTE_P))
			break;
		if (level == 1) {
			memcpy(buf, __va(e & SPTE_ADDR) + offset_in_page(la),
			       len);
			r = 0;
			break;
		}
		sp = spte_child(e);
	}
out:
	mutex_unlock(&vm->mmu_lock);
	return r;
}

int kvmlab_gva_to_gpa(struct kvmlab_vcpu *vcpu, u64 gva, u32 access,
		      u64 *gpa, u32 *error_code)
{
	struct guest_walker w;
	struct walk_mode mode;
	int r;

	kvmlab_walk_mode(vcpu, &mode);
	r = walk_addr(&w, &mode, &kvmlab_walk_ops, vcpu, gva, access);
	*gpa = w.gpa;
	*error_code = r == WALK_FAULT ? w.error_code : access;
	return r;
}
