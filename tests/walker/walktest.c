// SPDX-License-Identifier: GPL-2.0
/*
 * walktest.c - unit tests of kmod/walk.c in the spirit of kvm-unit-tests'
 * x86/access.c: build one chain of guest page-table entries in a byte
 * array from a description (struct tcase), walk it, and compare the
 * result, the error code and the A/D bits left in memory with what ref.c
 * says the CPU does.  One PASS/FAIL line per group.
 */
#include "harness.h"
#include "ref.h"

static uint8_t memory[MEM_SIZE];
static struct gmem gm = { .bytes = memory, .size = MEM_SIZE };

#define PDPT_GPA	0x13060ull	/* PAE: 32-byte aligned, not page */

static const char *const fmt_name[] = { "", "32", "pae", "64" };

static u64 table_gpa(int level)
{
	return 0x10000ull + (u64)level * 0x1000;
}

static unsigned int esize(const struct tcase *c)
{
	return c->fmt == F32 ? 4 : 8;
}

static u64 index_of(const struct tcase *c, int level)
{
	int bits = ref_index_bits(c->fmt, level);

	return (c->gva >> ref_index_shift(c->fmt, level)) &
	       ((1ull << bits) - 1);
}

static u64 entry_gpa(const struct tcase *c, int level)
{
	u64 base = table_gpa(level);

	if (c->fmt == FPAE && level == 3)
		base = PDPT_GPA;
	return base + index_of(c, level) * esize(c);
}

static u64 entry_value(const struct tcase *c, int level)
{
	const struct lvl *l = &c->lv[level];
	bool leaf = level == c->leaf;
	u64 v = leaf ? c->target : table_gpa(level - 1);

	if (l->extra_bit >= 0)
		v |= 1ull << l->extra_bit;
	if (l->p)
		v |= PT_PRESENT;
	if (c->fmt == FPAE && level == 3)
		return v;
	if (l->w)
		v |= PT_WRITABLE;
	if (l->u)
		v |= PT_USER;
	if (l->a)
		v |= PT_ACCESSED;
	if (leaf && l->d)
		v |= PT_DIRTY;
	if (leaf && l->g)
		v |= PT_GLOBAL;
	if (l->nx && c->fmt != F32)
		v |= PT_NX;
	if (leaf && level > 1)
		v |= PT_PAGE_SIZE;
	if (c->fmt == F32 && level == 2 && !leaf && c->ps_ignored)
		v |= PT_PAGE_SIZE;
	return v;
}

static void build(const struct tcase *c, struct walk_mode *m, u64 *built)
{
	int top = ref_top_level(c->fmt);
	int level;

	for (level = 1; level <= 4; level++)
		memset(memory + table_gpa(level), 0, 4096);
	*m = (struct walk_mode){0};
	for (level = top; level >= c->leaf; level--) {
		built[level] = entry_value(c, level);
		wr64(&gm, entry_gpa(c, level), built[level], esize(c));
	}
	m->cr0 = WALK_CR0_PG | 1 | (c->wp ? WALK_CR0_WP : 0);
	m->cr4 = (c->pse ? WALK_CR4_PSE : 0) | (c->pge ? WALK_CR4_PGE : 0) |
		 (c->smep ? WALK_CR4_SMEP : 0) | (c->smap ? WALK_CR4_SMAP : 0);
	if (c->fmt != F32)
		m->cr4 |= WALK_CR4_PAE;
	m->efer = c->nxe ? WALK_EFER_NXE : 0;
	if (c->fmt == F64)
		m->efer |= WALK_EFER_LMA | (1ull << 8);
	/* PWT/PCD set in CR3: the walker must mask them */
	m->cr3 = c->fmt == FPAE ? PDPT_GPA : table_gpa(top) | 0x18;
	if (c->fmt == FPAE)
		m->pdpte[index_of(c, 3)] = built[3];
	m->maxphyaddr = c->maxphy;
	m->amd = c->amd;
	m->gbpages = c->gbpages;
	m->pse36 = c->pse36;
	m->smap_ac = c->ac;
}

static void describe(const struct tcase *c)
{
	int level;

	fprintf(stderr, "  fmt %s leaf %d gva %#llx acc %#x wp%d nxe%d smep%d "
		"smap%d ac%d pse%d pse36%d gb%d amd%d mp%d psign%d\n",
		fmt_name[c->fmt], c->leaf, (unsigned long long)c->gva,
		c->access, c->wp, c->nxe, c->smep, c->smap, c->ac, c->pse,
		c->pse36, c->gbpages, c->amd, c->maxphy, c->ps_ignored);
	for (level = ref_top_level(c->fmt); level >= c->leaf; level--) {
		const struct lvl *l = &c->lv[level];

		fprintf(stderr, "  L%d p%d w%d u%d nx%d a%d d%d g%d extra %d "
			"entry %#llx\n", level, l->p, l->w, l->u, l->nx, l->a,
			l->d, l->g, l->extra_bit,
			(unsigned long long)entry_value(c, level));
	}
}

static bool check_case(struct group *gr, const struct tcase *c)
{
	struct guest_walker w;
	struct walk_mode m;
	struct expect e;
	u64 built[5] = {0};
	int top = ref_top_level(c->fmt);
	unsigned long writes0;
	unsigned long nwrites = 0;
	int level;
	int rc;

	gr->cases++;
	build(c, &m, built);
	ref_expect(c, &e);
	writes0 = gm.writes;
	rc = walk_addr(&w, &m, &gm_ops, &gm, c->gva, c->access);
	if (rc != (e.rc ? WALK_FAULT : WALK_OK) ||
	    (e.rc && w.error_code != e.ec) ||
	    (!e.rc && (w.gpa != e.gpa || w.page_size != e.page_size ||
		       w.gfn != e.gpa >> 12 || w.global != e.global))) {
		if (gr->failed++ < 5) {
			fprintf(stderr, "%s: rc %d ec %#x gpa %#llx size %#llx "
				"g%d; expected rc %d ec %#x gpa %#llx size "
				"%#llx g%d\n", gr->name, rc, w.error_code,
				(unsigned long long)w.gpa,
				(unsigned long long)w.page_size, w.global,
				e.rc, e.ec, (unsigned long long)e.gpa,
				(unsigned long long)e.page_size, e.global);
			describe(c);
		}
		return false;
	}
	for (level = top; level >= c->leaf; level--) {
		u64 want = built[level];
		u64 got = rd64(&gm, entry_gpa(c, level), esize(c));

		if (!e.rc && e.set_a[level])
			want |= PT_ACCESSED;
		if (!e.rc && e.set_d[level])
			want |= PT_DIRTY;
		nwrites += want != built[level];
		if (got != want) {
			if (gr->failed++ < 5) {
				fprintf(stderr, "%s: L%d entry %#llx, expected "
					"%#llx\n", gr->name, level,
					(unsigned long long)got,
					(unsigned long long)want);
				describe(c);
			}
			return false;
		}
		if (!e.rc)
			CHECK(gr, w.pte_gpa[level - 1] == entry_gpa(c, level) &&
			      w.pte[level - 1] == want, "L%d", level);
	}
	CHECK(gr, gm.writes - writes0 == nwrites, "%lu writes, expected %lu",
	      gm.writes - writes0, nwrites);
	if (!e.rc)
		CHECK(gr, w.level == c->leaf && w.levels == top, "level %d",
		      w.level);
	return true;
}

/* A random gva for the format (canonical in 64-bit mode). */
static u64 random_gva(int fmt)
{
	u64 v = rnd();

	if (fmt != F64)
		return v & 0xffffffffull;
	v &= (1ull << 48) - 1;
	if (v & (1ull << 47))
		v |= 0xffffull << 48;
	return v;
}

static u64 target_for(int fmt, int leaf)
{
	if (fmt == F32)
		return leaf == 1 ? 0x87654000ull : 0x87400000ull;
	return leaf == 1 ? 0x845678000ull :
	       leaf == 2 ? 0x845600000ull : 0x840000000ull;
}

/* A plain, permitted chain: every entry P, W, U, A preset randomly. */
static void base_case(struct tcase *c, int fmt, int leaf)
{
	int level;

	*c = (struct tcase){ .fmt = fmt, .leaf = leaf, .maxphy = 40,
			     .gbpages = true, .pse = true };
	for (level = 1; level <= 4; level++)
		c->lv[level] = (struct lvl){ .p = true, .w = true, .u = true,
					     .a = rnd() & 1, .extra_bit = -1 };
	c->gva = random_gva(fmt);
	c->target = target_for(fmt, leaf);
	c->amd = rnd() & 1;
}

static int max_leaf(int fmt)
{
	return fmt == F64 ? 3 : 2;
}

static const u32 accesses[6] = { 0, 2, 16, 4, 4 | 2, 4 | 16 };

/*
 * Leaf and parent rights, A/D presets, page size, CR0.WP, EFER.NXE, SMEP,
 * SMAP/AC and every access kind; the levels above the parent random.
 */
static void group_perm(int fmt)
{
	char name[32];
	struct group gr = { name, 0, 0 };
	unsigned int leafbits, pbits, mbits, a;
	int leaf, level;

	snprintf(name, sizeof(name), "perm-%s", fmt_name[fmt]);
	for (leaf = 1; leaf <= max_leaf(fmt); leaf++)
	for (leafbits = 0; leafbits < 32; leafbits++)
	for (pbits = 0; pbits < 8; pbits++)
	for (mbits = 0; mbits < 32; mbits++)
	for (a = 0; a < 6; a++) {
		struct tcase c;
		struct lvl *l, *p;

		base_case(&c, fmt, leaf);
		l = &c.lv[leaf];
		p = &c.lv[leaf + 1];
		l->u = leafbits & 1;
		l->w = leafbits & 2;
		l->nx = leafbits & 4;
		l->a = leafbits & 8;
		l->d = leafbits & 16;
		l->g = rnd() & 1;
		p->u = pbits & 1;
		p->w = pbits & 2;
		p->nx = pbits & 4;
		if (fmt == F32 && (l->nx || p->nx))
			continue;	/* no NX bit in 32-bit entries */
		if (fmt == FPAE && leaf == 2 && pbits)
			continue;	/* the parent is a PDPTE */
		if (leaf == ref_top_level(fmt) && pbits)
			continue;	/* no parent */
		if (fmt == FPAE && leaf == 2)
			p->u = p->w = true;
		for (level = leaf + 2; level <= 4; level++) {
			if (fmt == FPAE && level == 3)
				break;	/* PDPTE: rights bits are reserved */
			c.lv[level].u = rnd() % 4 != 0;
			c.lv[level].w = rnd() % 4 != 0;
			c.lv[level].nx = fmt != F32 && rnd() % 4 == 0;
		}
		c.wp = mbits & 1;
		c.nxe = mbits & 2;
		c.smep = mbits & 4;
		c.smap = mbits & 8;
		c.ac = mbits & 16;
		c.pge = rnd() & 1;
		c.access = accesses[a];
		if (fmt == F32 && leaf == 1 && (rnd() & 1)) {
			c.pse = false;
			c.ps_ignored = rnd() & 1;
		}
		if (fmt != F32 && !c.nxe) {
			/* keep NX-without-NXE for the reserved-bit group */
			for (level = 1; level <= 4; level++)
				c.lv[level].nx = false;
		}
		check_case(&gr, &c);
	}
	group_end(&gr);
}

/* U/S, R/W, NX at every level, each combination: AND / OR over levels. */
static void group_levels(int fmt)
{
	char name[32];
	struct group gr = { name, 0, 0 };
	int top = ref_top_level(fmt);
	int first = fmt == FPAE ? 2 : top;	/* PDPTEs have no rights */
	int nbits = 3 * first;
	unsigned int bits, mbits, a;
	int level;

	snprintf(name, sizeof(name), "levels-%s", fmt_name[fmt]);
	for (bits = 0; bits < (1u << nbits); bits++)
	for (mbits = 0; mbits < 8; mbits++)
	for (a = 0; a < 6; a++) {
		struct tcase c;

		base_case(&c, fmt, 1);
		for (level = 1; level <= first; level++) {
			unsigned int b = bits >> (3 * (level - 1));

			c.lv[level].u = b & 1;
			c.lv[level].w = b & 2;
			c.lv[level].nx = b & 4;
		}
		c.wp = mbits & 1;
		c.nxe = true;
		c.smep = mbits & 2;
		c.smap = mbits & 4;
		if (fmt == F32 && (bits & 0444))
			continue;
		c.access = accesses[a];
		check_case(&gr, &c);
	}
	group_end(&gr);
}

/* Candidate bits to set in an entry, without changing what it points to. */
static int candidates(const struct tcase *c, int level, int *out)
{
	static const int b32_leaf4k[] = { 7, 9, 11 };
	static const int b32_table[] = { 8, 9, 11 };
	static const int b32_large[] = { 9, 12, 13, 14, 16, 17, 19, 20, 21 };
	static const int b64_any[] = { 9, 11, 51, 52, 58, 62, 63 };
	static const int pdpte[] = { 1, 2, 5, 6, 7, 8, 9, 11, 51, 52, 62, 63 };
	const int *list;
	int n, i, k = 0;
	bool leaf = level == c->leaf;

	if (c->fmt == F32) {
		list = leaf && level == 2 ? b32_large :
		       leaf ? b32_leaf4k : b32_table;
		n = leaf && level == 2 ? 9 : 3;
		for (i = 0; i < n; i++)
			out[k++] = list[i];
		return k;
	}
	if (c->fmt == FPAE && level == 3) {
		for (i = 0; i < 12; i++)
			out[k++] = pdpte[i];
		out[k++] = c->maxphy;
		return k;
	}
	for (i = 0; i < 7; i++)
		out[k++] = b64_any[i];
	out[k++] = c->maxphy;
	if (level == 1)
		out[k++] = 7;		/* PAT */
	if (!leaf && level != 4)
		out[k++] = 8;		/* G, ignored in a non-leaf */
	if (level == 4) {
		out[k++] = 7;
		out[k++] = 8;
	}
	if (leaf && level >= 2) {
		out[k++] = 12;		/* PAT of a large page */
		out[k++] = 13;
		out[k++] = 16;
		out[k++] = 20;
		if (level == 3) {
			out[k++] = 21;
			out[k++] = 29;
		}
	}
	return k;
}

static void group_rsvd(int fmt)
{
	static const int maxphys[] = { 36, 40, 46 };
	static const u32 accs[] = { 0, 4 | 2, 16 };
	char name[32];
	struct group gr = { name, 0, 0 };
	int top = ref_top_level(fmt);
	int leaf, level, mp, opt, a, i, n;
	int bits[32];

	snprintf(name, sizeof(name), "rsvd-%s", fmt_name[fmt]);
	for (leaf = 1; leaf <= max_leaf(fmt); leaf++)
	for (level = top; level >= leaf; level--)
	for (mp = 0; mp < 3; mp++)
	for (opt = 0; opt < 16; opt++)
	for (a = 0; a < 3; a++) {
		struct tcase c;

		base_case(&c, fmt, leaf);
		c.maxphy = maxphys[mp];
		c.nxe = opt & 1;
		c.amd = opt & 2;
		c.gbpages = fmt != F64 || (opt & 4);
		c.pse36 = opt & 8;
		c.access = accs[a];
		n = candidates(&c, level, bits);
		for (i = 0; i < n; i++) {
			if (fmt == F32 && bits[i] > 31)
				continue;
			c.lv[level].extra_bit = bits[i];
			c.gva = random_gva(fmt);
			check_case(&gr, &c);
		}
		/* NX set with EFER.NXE clear: reserved, NXE set: rights */
		if (fmt != F32 && !(fmt == FPAE && level == 3)) {
			c.lv[level].extra_bit = -1;
			c.lv[level].nx = true;
			check_case(&gr, &c);
		}
	}
	group_end(&gr);
}

/* P=0 at each level, whatever else the entry holds. */
static void group_notpresent(int fmt)
{
	char name[32];
	struct group gr = { name, 0, 0 };
	int top = ref_top_level(fmt);
	int leaf, level, a, opt;

	snprintf(name, sizeof(name), "notpresent-%s", fmt_name[fmt]);
	for (leaf = 1; leaf <= max_leaf(fmt); leaf++)
	for (level = top; level >= leaf; level--)
	for (opt = 0; opt < 8; opt++)
	for (a = 0; a < 6; a++) {
		struct tcase c;

		base_case(&c, fmt, leaf);
		c.lv[level].p = false;
		c.nxe = opt & 1;
		c.smep = opt & 2;
		if (opt & 4)	/* a reserved bit in the not-present entry */
			c.lv[level].extra_bit = fmt == F32 ? 21 : 51;
		if ((opt & 4) && level < top)	/* and one above: RSVD wins */
			c.lv[top].extra_bit = fmt == F32 ? -1 : 51;
		c.access = accesses[a];
		check_case(&gr, &c);
	}
	group_end(&gr);
}

static bool paging_off_case(struct group *gr, u64 gva, u32 acc)
{
	struct guest_walker w;
	struct walk_mode m = { .cr0 = 1, .cr4 = WALK_CR4_PAE };
	unsigned long reads = gm.reads;

	gr->cases++;
	CHECK(gr, walk_addr(&w, &m, &gm_ops, &gm, gva, acc) == WALK_OK,
	      "gva %#llx", (unsigned long long)gva);
	CHECK(gr, w.gpa == (gva & 0xffffffffull) && w.gfn == w.gpa >> 12 &&
	      w.access == (WALK_ACC_WRITE | WALK_ACC_USER | WALK_ACC_EXEC),
	      "gpa %#llx", (unsigned long long)w.gpa);
	CHECK(gr, gm.reads == reads, "paging off read memory");
	CHECK(gr, walk_table_gfns(&w, (u64[4]){0}, 4) == 0, "table gfns");
	return true;
}

static void group_paging_off(void)
{
	struct group gr = { "paging-off", 0, 0 };
	int i;

	for (i = 0; i < 1000; i++)
		paging_off_case(&gr, rnd() & 0xffffffffull, accesses[i % 6]);
	paging_off_case(&gr, 0xfffffffffull, 2);
	group_end(&gr);
}

static bool gfns_case(struct group *gr, int fmt, bool selfref)
{
	struct tcase c;
	struct walk_mode m;
	struct guest_walker w;
	u64 built[5] = {0};
	u64 gfns[4];
	u64 i = 5;
	int top = ref_top_level(fmt);
	int n, level, rc;

	gr->cases++;
	base_case(&c, fmt, 1);
	c.access = 2;
	if (selfref)	/* the same index at every level */
		c.gva = i << 39 | i << 30 | i << 21 | i << 12;
	build(&c, &m, built);
	if (selfref)	/* PML4[5] -> the PML4 itself: every level reads it */
		wr64(&gm, table_gpa(4) + 8 * i, table_gpa(4) | 0x67, 8);
	rc = walk_addr(&w, &m, &gm_ops, &gm, c.gva, c.access);
	CHECK(gr, rc == WALK_OK, "rc %d", rc);
	n = walk_table_gfns(&w, gfns, 4);
	if (selfref) {
		CHECK(gr, n == 1 && gfns[0] == table_gpa(4) >> 12 &&
		      w.gpa == table_gpa(4) + (c.gva & 0xfff),
		      "n %d gfn0 %#llx", n, (unsigned long long)gfns[0]);
		return true;
	}
	CHECK(gr, n == top, "n %d", n);
	for (level = top; level >= 1; level--) {
		u64 want = table_gpa(level) >> 12;

		if (fmt == FPAE && level == 3)
			want = PDPT_GPA >> 12;
		CHECK(gr, gfns[top - level] == want, "level %d gfn %#llx",
		      level, (unsigned long long)gfns[top - level]);
	}
	CHECK(gr, walk_table_gfns(&w, gfns, 2) == 2, "max");
	return true;
}

static void group_table_gfns(void)
{
	struct group gr = { "table-gfns", 0, 0 };
	int fmt;

	for (fmt = F32; fmt <= F64; fmt++)
		gfns_case(&gr, fmt, false);
	gfns_case(&gr, F64, true);
	group_end(&gr);
}

/* Lost cmpxchg races are retried; endless ones and ROM end the walk. */
static bool race_case(struct group *gr, int fmt, int races, bool rom)
{
	struct tcase c;
	struct walk_mode m;
	struct guest_walker w;
	u64 built[5] = {0};
	int level, rc;

	gr->cases++;
	base_case(&c, fmt, 1);
	for (level = 2; level <= 4; level++)
		c.lv[level].a = true;	/* the leaf is the only update */
	c.lv[1].a = false;
	c.access = 2;
	build(&c, &m, built);
	gm.races = races;
	gm.readonly = rom;
	rc = walk_addr(&w, &m, &gm_ops, &gm, c.gva, c.access);
	gm.races = 0;
	gm.readonly = false;
	if (rom || races < 0) {
		CHECK(gr, rc == WALK_ERROR, "rc %d", rc);
		return true;
	}
	CHECK(gr, rc == WALK_OK && w.retries == races, "rc %d retries %d", rc,
	      w.retries);
	CHECK(gr, (rd64(&gm, entry_gpa(&c, 1), esize(&c)) & 0x260) == 0x60u +
	      ((races & 1) ? 0x200u : 0u), "leaf %#llx",
	      (unsigned long long)rd64(&gm, entry_gpa(&c, 1), esize(&c)));
	return true;
}

static void group_ad_race(void)
{
	struct group gr = { "ad-race", 0, 0 };
	int fmt, races;

	for (fmt = F32; fmt <= F64; fmt++) {
		for (races = 0; races <= 3; races++)
			race_case(&gr, fmt, races, false);
		race_case(&gr, fmt, -1, false);	/* races forever */
		race_case(&gr, fmt, 0, true);
	}
	group_end(&gr);
}

/* Tables outside guest memory: WALK_ERROR with the gpa, never a fault. */
static bool outside_case(struct group *gr, int fmt, int level)
{
	struct tcase c;
	struct walk_mode m;
	struct guest_walker w;
	u64 built[5] = {0};
	u64 bad = 0x7ff00000ull;	/* above MEM_SIZE, below 4 GiB */
	int top = ref_top_level(fmt);
	int rc;

	gr->cases++;
	base_case(&c, fmt, 1);
	build(&c, &m, built);
	if (level == top + 1) {
		m.cr3 = bad;	/* PAE: the PDPTEs are already loaded */
	} else {
		u64 v = (built[level] & ~0xfffff000ull) | bad;

		wr64(&gm, entry_gpa(&c, level), v, esize(&c));
		if (fmt == FPAE && level == 3)
			m.pdpte[index_of(&c, 3)] = v;
	}
	rc = walk_addr(&w, &m, &gm_ops, &gm, c.gva, 0);
	if (fmt == FPAE && level == top + 1) {
		CHECK(gr, rc == WALK_OK, "PAE with loaded PDPTEs: rc %d", rc);
		return true;
	}
	CHECK(gr, rc == WALK_ERROR, "level %d rc %d", level, rc);
	CHECK(gr, (w.gpa & ~0xfffull) == bad, "gpa %#llx",
	      (unsigned long long)w.gpa);
	return true;
}

static void group_outside(void)
{
	struct group gr = { "outside-memory", 0, 0 };
	struct walk_mode m = { .cr0 = WALK_CR0_PG, .efer = WALK_EFER_LMA };
	struct guest_walker w;
	int fmt, level;

	for (fmt = F32; fmt <= F64; fmt++)
		for (level = ref_top_level(fmt) + 1; level >= 2; level--)
			outside_case(&gr, fmt, level);
	/* LMA without PAE cannot exist: an error, not a walk */
	gr.cases++;
	if (walk_addr(&w, &m, &gm_ops, &gm, 0, 0) != WALK_ERROR)
		gr.failed++;
	group_end(&gr);
}

int main(void)
{
	int fmt;

	for (fmt = F32; fmt <= F64; fmt++) {
		group_perm(fmt);
		group_levels(fmt);
		group_rsvd(fmt);
		group_notpresent(fmt);
	}
	group_paging_off();
	group_table_gfns();
	group_ad_race();
	group_outside();
	return total_failed_groups ? 1 : 0;
}
