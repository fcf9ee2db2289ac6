// SPDX-License-Identifier: GPL-2.0
/*
 * walk.c - the guest page-table walker (see walk.h), generated from
 * paging_tmpl.h for each paging format.  Includes only walk.h (and through
 * it emu_compat.h): it builds in kvmlab.ko and in tests/walker/.
 *
 * Facts from the AMD APM vol. 2 ch. 5 and the Intel SDM vol. 3 ch. 4:
 * U/S and R/W are ANDed over the levels, NX is ORed; a supervisor write
 * ignores R/W when CR0.WP=0; the walk stops at the first entry that is not
 * present (P=0 in the error code) or has a reserved bit set (P=1, RSVD=1);
 * the I bit is reported only with SMEP or with NX usable (PAE and NXE);
 * accessed bits are set on a walk that succeeds, the dirty bit on the leaf
 * for a write.
 */
#include "walk.h"

#define PTTYPE_PAE	3	/* any value other than 32 and 64 */
#define WALK_MAX_RETRIES 16	/* A/D updates lost to concurrent writers */

/* Bits lo..hi set (none when lo > hi). */
static u64 rsvd_bits(int lo, int hi)
{
	if (lo > hi)
		return 0;
	return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

static int walk_fault(struct guest_walker *w, const struct walk_mode *m,
		      u32 access, u32 bits)
{
	u32 ec = bits | (access & (PFERR_WRITE | PFERR_USER));
	bool nx = (m->cr4 & WALK_CR4_PAE) && (m->efer & WALK_EFER_NXE);

	if ((access & WALK_FETCH) && (nx || (m->cr4 & WALK_CR4_SMEP)))
		ec |= PFERR_FETCH;
	w->error_code = ec;
	return WALK_FAULT;
}

/* Would the CPU refuse `access` to a page with permissions acc? */
static bool walk_permission_fault(const struct walk_mode *m, u32 acc,
				  u32 access)
{
	bool user_page = acc & WALK_ACC_USER;
	bool write_ok = acc & WALK_ACC_WRITE;

	if (access & WALK_FETCH) {
		if (!(acc & WALK_ACC_EXEC))
			return true;
		if (access & WALK_USER)
			return !user_page;
		return user_page && (m->cr4 & WALK_CR4_SMEP);
	}
	if (access & WALK_USER)
		return !user_page || ((access & WALK_WRITE) && !write_ok);
	if (user_page && (m->cr4 & WALK_CR4_SMAP) && !m->smap_ac)
		return true;
	return (access & WALK_WRITE) && !write_ok && (m->cr0 & WALK_CR0_WP);
}

#define PTTYPE 32
#include "paging_tmpl.h"
#undef PTTYPE

#define PTTYPE PTTYPE_PAE
#include "paging_tmpl.h"
#undef PTTYPE

#define PTTYPE 64
#include "paging_tmpl.h"
#undef PTTYPE

int walk_format_of(const struct walk_mode *m)
{
	bool lma = m->efer & WALK_EFER_LMA;

	if (!(m->cr0 & WALK_CR0_PG))
		return lma ? -1 : WALK_FMT_NONE;
	if (!(m->cr4 & WALK_CR4_PAE))
		return lma ? -1 : WALK_FMT_32;
	return lma ? WALK_FMT_64 : WALK_FMT_PAE;
}

static int walk_once(struct guest_walker *w, const struct walk_mode *m,
		     int mp, const struct walk_ops *ops, void *priv,
		     u64 gva, u32 access)
{
	switch (walk_format_of(m)) {
	case WALK_FMT_NONE:
		w->format = WALK_FMT_NONE;
		w->gpa = gva & 0xffffffffull;
		w->gfn = w->gpa >> 12;
		w->page_size = 4096;
		w->access = WALK_ACC_WRITE | WALK_ACC_USER | WALK_ACC_EXEC;
		return WALK_OK;
	case WALK_FMT_32:
		return paging32_walk(w, m, mp, ops, priv, gva, access);
	case WALK_FMT_PAE:
		return pagingpae_walk(w, m, mp, ops, priv, gva, access);
	case WALK_FMT_64:
		return paging64_walk(w, m, mp, ops, priv, gva, access);
	}
	return WALK_ERROR;
}

int walk_addr(struct guest_walker *w, const struct walk_mode *mode,
	      const struct walk_ops *ops, void *priv, u64 gva, u32 access)
{
	int mp = mode->maxphyaddr;
	int retries;
	int rc;

	if (mp < 32)
		mp = 32;
	if (mp > 52)
		mp = 52;
	access &= WALK_ACCESS;
	for (retries = 0; retries <= WALK_MAX_RETRIES; retries++) {
		memset(w, 0, sizeof(*w));
		w->retries = retries;
		rc = walk_once(w, mode, mp, ops, priv, gva, access);
		if (rc >= 0)
			return rc;
	}
	return WALK_ERROR;
}

int walk_table_gfns(const struct guest_walker *w, u64 *gfns, int max)
{
	int n = 0;
	int level;
	int i;

	if (w->format == WALK_FMT_NONE)
		return 0;
	for (level = w->levels; level >= w->level && level >= 1; level--) {
		u64 gfn = w->table_gfn[level - 1];
		bool seen = false;

		for (i = 0; i < n; i++)
			seen |= gfns[i] == gfn;
		if (seen)
			continue;
		if (n == max)
			break;
		gfns[n++] = gfn;
	}
	return n;
}
