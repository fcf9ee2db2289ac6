/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmlab: the module's own live allocations, by kind.
 *
 * Debian's kernel has no kmemleak or KASAN, so the module counts what it
 * holds: every object and page made for a VM is counted up where it is
 * made and down where it is freed.  With no VM left (every fd closed)
 * every count must be 0; /sys/kernel/debug/kvmlab/accounting shows them
 * and module unload warns about any that is not.
 */
#ifndef KVMLAB_ACCOUNT_H
#define KVMLAB_ACCOUNT_H

#include <linux/atomic.h>
#include <linux/gfp.h>

#define KVMLAB_ACCT_KINDS(X)						\
	X(vms)			/* struct kvmlab_vm */			\
	X(vcpus)		/* struct kvmlab_vcpu */		\
	X(memslots)		/* struct kvmlab_memslot */		\
	X(shadow_pages)		/* struct kvmlab_sp (flush, cache) */	\
	X(npt_tables)		/* npt table pages, root included */	\
	X(stats_fds)		/* KVM_GET_STATS_FD files */		\
	X(pinned_pages)		/* guest frames pinned (pin_user_pages) */ \
	X(pages)		/* pages the module allocated for VMs */

enum kvmlab_acct_kind {
#define X(n) KVMLAB_ACCT_##n,
	KVMLAB_ACCT_KINDS(X)
#undef X
	KVMLAB_NR_ACCT
};

extern atomic_long_t kvmlab_acct[KVMLAB_NR_ACCT];

static inline void kvmlab_acct_add(enum kvmlab_acct_kind k, long n)
{
	atomic_long_add(n, &kvmlab_acct[k]);
}

#define kvmlab_acct_inc(k)	kvmlab_acct_add(KVMLAB_ACCT_##k, 1)
#define kvmlab_acct_dec(k)	kvmlab_acct_add(KVMLAB_ACCT_##k, -1)

/* A zeroed page for a VM, counted in "pages"; NULL if none. */
static inline void *kvmlab_page_alloc(gfp_t gfp)
{
	void *p = (void *)get_zeroed_page(gfp);

	if (p)
		kvmlab_acct_inc(pages);
	return p;
}

/* Free a page of kvmlab_page_alloc(); NULL is ignored. */
static inline void kvmlab_page_free(void *p)
{
	if (!p)
		return;
	kvmlab_acct_dec(pages);
	free_page((unsigned long)p);
}

struct dentry;
void kvmlab_account_init(struct dentry *dir);
void kvmlab_account_check(void);

#endif
