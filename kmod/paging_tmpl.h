/* SPDX-License-Identifier: GPL-2.0 */
/*
 * paging_tmpl.h - the guest page-table walker, one copy per paging format.
 *
 * Included from walk.c with PTTYPE set to 32 (2-level, 32-bit entries),
 * PTTYPE_PAE (3-level, 64-bit entries, PDPTEs from the caller) or 64
 * (4-level long mode).  Maps pt_element_t, FNAME() and the level constants
 * for the format, and #undefs all of them at the end, so the next
 * inclusion starts clean.  Needs from walk.c: rsvd_bits(), walk_fault(),
 * walk_permission_fault(), walk_set_ad().
 */

#if PTTYPE == 64
#define pt_element_t		u64
#define FNAME(name)		paging64_##name
#define PT_FORMAT		WALK_FMT_64
#define PT_LEVELS		4
#define PT_LEVEL_BITS		9
#define PT_VA_MASK		((1ull << 48) - 1)
#define PT_ADDR_MASK		0x000ffffffffff000ull
#define PT_HAS_NX		1
#elif PTTYPE == PTTYPE_PAE
#define pt_element_t		u64
#define FNAME(name)		pagingpae_##name
#define PT_FORMAT		WALK_FMT_PAE
#define PT_LEVELS		3
#define PT_LEVEL_BITS		9
#define PT_VA_MASK		0xffffffffull
#define PT_ADDR_MASK		0x000ffffffffff000ull
#define PT_HAS_NX		1
#elif PTTYPE == 32
#define pt_element_t		u32
#define FNAME(name)		paging32_##name
#define PT_FORMAT		WALK_FMT_32
#define PT_LEVELS		2
#define PT_LEVEL_BITS		10
#define PT_VA_MASK		0xffffffffull
#define PT_ADDR_MASK		0xfffff000ull
#define PT_HAS_NX		0
#else
#error "paging_tmpl.h: PTTYPE must be 32, PTTYPE_PAE or 64"
#endif

#define PT_ENTRIES		(1u << PT_LEVEL_BITS)
#define PT_LEVEL_SHIFT(l)	(12 + PT_LEVEL_BITS * ((l) - 1))
#define PT_INDEX(va, l)		(((va) >> PT_LEVEL_SHIFT(l)) & (PT_ENTRIES - 1))
#define PT_PAGE_BYTES(l)	(1ull << PT_LEVEL_SHIFT(l))

/* Guest-physical address of the top-level table. */
static u64 FNAME(root)(const struct walk_mode *m)
{
#if PTTYPE == PTTYPE_PAE
	return m->cr3 & 0xffffffe0ull;		/* the PDPT, 32-byte aligned */
#else
	return m->cr3 & PT_ADDR_MASK;
#endif
}

/* Does a present entry at this level map a page (rather than a table)? */
static bool FNAME(is_large)(const struct walk_mode *m, int level,
			    pt_element_t pte)
{
	if (!(pte & PT_PAGE_SIZE))
		return false;
#if PTTYPE == 32
	return level == 2 && (m->cr4 & WALK_CR4_PSE);
#elif PTTYPE == PTTYPE_PAE
	(void)m;
	return level == 2;
#else
	return level == 2 || (level == 3 && m->gbpages);
#endif
}

/* Reserved bits of an entry at this level (large: it maps a page). */
static u64 FNAME(rsvd_mask)(const struct walk_mode *m, int mp, int level,
			    bool large)
{
#if PTTYPE == 32
	int top = mp < 40 ? mp : 40;

	(void)level;
	if (!large)
		return 0;
	/* PDE bits 20:13 are PA bits 39:32 with PSE-36 */
	return m->pse36 ? rsvd_bits(13 + top - 32, 21) : rsvd_bits(13, 21);
#else
	u64 nx = (m->efer & WALK_EFER_NXE) ? 0 : PT_NX;
#if PTTYPE == PTTYPE_PAE
	u64 high = rsvd_bits(mp, 62) | nx;

	if (level == 3)
		return rsvd_bits(mp, 63) | rsvd_bits(5, 8) | rsvd_bits(1, 2);
#else
	u64 high = rsvd_bits(mp, 51) | nx;

	if (level == 4)
		return high | PT_PAGE_SIZE | (m->amd ? PT_GLOBAL : 0);
	if (level == 3 && !large)
		return high | (m->gbpages ? 0 : PT_PAGE_SIZE);
#endif
	if (large)
		return high | rsvd_bits(13, PT_LEVEL_SHIFT(level) - 1);
	return high;
#endif
}

/* The permissions one entry grants (WALK_ACC_*). */
static u32 FNAME(pte_access)(const struct walk_mode *m, int level,
			     pt_element_t pte)
{
	u32 acc = WALK_ACC_EXEC;

#if PTTYPE == PTTYPE_PAE
	if (level == 3)		/* PDPTEs carry no permissions */
		return WALK_ACC_WRITE | WALK_ACC_USER | WALK_ACC_EXEC;
#endif
	(void)level;
	if (pte & PT_WRITABLE)
		acc |= WALK_ACC_WRITE;
	if (pte & PT_USER)
		acc |= WALK_ACC_USER;
#if PT_HAS_NX
	if ((m->efer & WALK_EFER_NXE) && (pte & PT_NX))
		acc &= ~WALK_ACC_EXEC;
#else
	(void)m;
#endif
	return acc;
}

/* Translation through a leaf entry at this level. */
static u64 FNAME(leaf_gpa)(const struct walk_mode *m, int level,
			   pt_element_t pte, u64 va)
{
	u64 offset = va & (PT_PAGE_BYTES(level) - 1);

#if PTTYPE == 32
	if (level == 2) {
		u64 base = pte & 0xffc00000ull;

		if (m->pse36)
			base |= (u64)((pte >> 13) & 0xff) << 32;
		return base | offset;
	}
#else
	(void)m;
#endif
	return (pte & PT_ADDR_MASK & ~(PT_PAGE_BYTES(level) - 1)) | offset;
}

/* Record the entry at `level` of the walk. */
static void FNAME(record)(struct guest_walker *w, int level, u64 table,
			  u64 pte_gpa, pt_element_t pte)
{
	w->level = level;
	w->table_gfn[level - 1] = table >> 12;
	w->pte_gpa[level - 1] = pte_gpa;
	w->pte[level - 1] = pte;
}

/*
 * Set the accessed bits of every entry of a successful walk (the PDPTEs
 * of PAE excepted: the CPU reads them at CR3 load, not here) and the
 * dirty bit of the leaf for a write.  Returns 0, 1 (lost a race: walk
 * again) or WALK_ERROR.
 */
static int FNAME(update_ad)(struct guest_walker *w, const struct walk_ops *ops,
			    void *priv, bool write)
{
	int level;

	for (level = PT_LEVELS; level >= w->level; level--) {
		u64 old = w->pte[level - 1];
		u64 new = old | PT_ACCESSED;
		int rc;

#if PTTYPE == PTTYPE_PAE
		if (level == 3)
			continue;
#endif
		if (level == w->level && write)
			new |= PT_DIRTY;
		if (new == old)
			continue;
		rc = ops->cmpxchg_gpa(priv, w->pte_gpa[level - 1], old, new,
				      sizeof(pt_element_t));
		if (rc < 0) {
			w->gpa = w->pte_gpa[level - 1];
			return WALK_ERROR;
		}
		if (rc > 0)
			return 1;
		w->pte[level - 1] = new;
	}
	return 0;
}

/*
 * One walk.  Returns WALK_OK, WALK_FAULT, WALK_ERROR, or -1 when an A/D
 * update lost a race and the walk must be redone.
 */
static int FNAME(walk)(struct guest_walker *w, const struct walk_mode *m,
		       int mp, const struct walk_ops *ops, void *priv,
		       u64 gva, u32 access)
{
	u64 va = gva & PT_VA_MASK;
	u64 table = FNAME(root)(m);
	u32 acc = WALK_ACC_WRITE | WALK_ACC_USER | WALK_ACC_EXEC;
	int level = PT_LEVELS;
	pt_element_t pte;
	bool large = false;
	int rc;

	w->format = PT_FORMAT;
	w->levels = PT_LEVELS;
#if PTTYPE == PTTYPE_PAE
	pte = m->pdpte[PT_INDEX(va, 3)];
	FNAME(record)(w, 3, table, table + PT_INDEX(va, 3) * 8, pte);
	if (!(pte & PT_PRESENT))
		return walk_fault(w, m, access, 0);
	if (pte & FNAME(rsvd_mask)(m, mp, 3, false))
		return walk_fault(w, m, access, PFERR_PRESENT | PFERR_RSVD);
	table = pte & PT_ADDR_MASK;
	level = 2;
#endif
	for (;; level--) {
		u64 pte_gpa = table + PT_INDEX(va, level) * sizeof(pte);

		FNAME(record)(w, level, table, pte_gpa, 0);
		if (ops->read_gpa(priv, pte_gpa, &pte, sizeof(pte))) {
			w->gpa = pte_gpa;
			return WALK_ERROR;
		}
		w->pte[level - 1] = pte;
		if (!(pte & PT_PRESENT))
			return walk_fault(w, m, access, 0);
		large = FNAME(is_large)(m, level, pte);
		if (pte & FNAME(rsvd_mask)(m, mp, level, large))
			return walk_fault(w, m, access,
					  PFERR_PRESENT | PFERR_RSVD);
		acc &= FNAME(pte_access)(m, level, pte);
		if (level == 1 || large)
			break;
		table = pte & PT_ADDR_MASK;
	}

	w->access = acc;
	if (walk_permission_fault(m, acc, access))
		return walk_fault(w, m, access, PFERR_PRESENT);
	rc = FNAME(update_ad)(w, ops, priv, access & WALK_WRITE);
	if (rc)
		return rc == 1 ? -1 : rc;
	w->gpa = FNAME(leaf_gpa)(m, level, pte, va);
	w->gfn = w->gpa >> 12;
	w->page_size = PT_PAGE_BYTES(level);
	w->global = (m->cr4 & WALK_CR4_PGE) && (pte & PT_GLOBAL);
	return WALK_OK;
}

#undef pt_element_t
#undef FNAME
#undef PT_FORMAT
#undef PT_LEVELS
#undef PT_LEVEL_BITS
#undef PT_VA_MASK
#undef PT_ADDR_MASK
#undef PT_HAS_NX
#undef PT_ENTRIES
#undef PT_LEVEL_SHIFT
#undef PT_INDEX
#undef PT_PAGE_BYTES
