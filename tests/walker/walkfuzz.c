// SPDX-License-Identifier: GPL-2.0
/*
 * walkfuzz.c - random page tables, random modes, random addresses.
 *
 * Guest memory is 16 pages of entries that mostly point back into those
 * pages (so tables alias and reference themselves) and sometimes outside.
 * For every walk: it ends (the depth is fixed, lost races are bounded),
 * the result is one of the three codes, and
 *   WALK_FAULT: the error code has only P/W/U/RSVD/I, W and U are the
 *		 access's, RSVD implies P, I implies a fetch; memory unchanged;
 *   WALK_ERROR: the reported gpa is outside guest memory (or the mode is
 *		 impossible, or the races never ended);
 *   WALK_OK:	 the offset in the page is the gva's, the leaf is present,
 *		 every entry read has A set in memory, the leaf D for a write;
 *		 walking again gives the same answer and writes nothing.
 * Usage: walkfuzz [iterations]
 */
#include "harness.h"

#define FUZZ_PAGES	16
#define FUZZ_SIZE	(FUZZ_PAGES * 4096u)

static uint8_t memory[FUZZ_SIZE];
static struct gmem gm = { .bytes = memory, .size = FUZZ_SIZE };

static u64 random_entry(void)
{
	u64 r = rnd();
	u64 frame = rnd() % (FUZZ_PAGES + 4);	/* a few land outside */
	u64 v = (frame << 12) | (r & 0xfff);

	if (rnd() % 10)
		v |= PT_PRESENT;
	switch (rnd() % 8) {
	case 0:
		v |= 1ull << (rnd() % 64);	/* any bit at all */
		break;
	case 1:
		v |= PT_NX;
		break;
	case 2:
		v |= rnd() & 0x001fe000ull;	/* large-page low bits */
		break;
	}
	return v;
}

static void fill(void)
{
	u64 gpa;

	for (gpa = 0; gpa < FUZZ_SIZE; gpa += 8)
		wr64(&gm, gpa, random_entry(), 8);
}

static void random_mode(struct walk_mode *m)
{
	static const u8 mps[] = { 32, 36, 40, 46, 52, 0, 60 };
	u64 r = rnd();
	int i;

	*m = (struct walk_mode){0};
	m->cr0 = (r & 1 ? WALK_CR0_PG : 0) | (r & 2 ? WALK_CR0_WP : 0);
	if (r & 0x1c)			/* mostly paging on */
		m->cr0 |= WALK_CR0_PG;
	m->cr4 = (r & 0x20 ? WALK_CR4_PSE : 0) | (r & 0x40 ? WALK_CR4_PAE : 0) |
		 (r & 0x80 ? WALK_CR4_PGE : 0) |
		 (r & 0x100 ? WALK_CR4_SMEP : 0) |
		 (r & 0x200 ? WALK_CR4_SMAP : 0);
	m->efer = (r & 0x400 ? WALK_EFER_NXE : 0) |
		  (r & 0x800 ? WALK_EFER_LMA : 0);
	m->cr3 = (rnd() % (FUZZ_PAGES + 1)) << 12 | (rnd() & 0xfe0);
	if (rnd() % 16 == 0)
		m->cr3 = rnd();
	for (i = 0; i < 4; i++)
		m->pdpte[i] = random_entry();
	m->maxphyaddr = mps[rnd() % sizeof(mps)];
	m->amd = r & 0x1000;
	m->gbpages = r & 0x2000;
	m->pse36 = r & 0x4000;
	m->smap_ac = r & 0x8000;
}

static bool fuzz_one(struct group *gr)
{
	struct walk_mode m;
	struct guest_walker w, w2;
	u32 access = rnd() & (WALK_ACCESS | 1 | 8);	/* stray bits too */
	u64 gva = rnd();
	unsigned long writes;
	u64 gfns[WALK_MAX_LEVELS];
	int rc, rc2, level, n;
	u64 sum;

	gr->cases++;
	random_mode(&m);
	if (access & WALK_FETCH)
		access &= ~WALK_WRITE;
	gm.races = rnd() % 8 == 0 ? (int)(rnd() % 4) : 0;
	writes = gm.writes;
	rc = walk_addr(&w, &m, &gm_ops, &gm, gva, access);
	gm.races = 0;
	access &= WALK_ACCESS;
	CHECK(gr, rc == WALK_OK || rc == WALK_FAULT || rc == WALK_ERROR,
	      "rc %d", rc);
	n = walk_table_gfns(&w, gfns, WALK_MAX_LEVELS);
	CHECK(gr, n >= 0 && n <= WALK_MAX_LEVELS, "n %d", n);
	if (rc == WALK_ERROR) {
		CHECK(gr, walk_format_of(&m) < 0 || w.retries > 0 ||
		      w.gpa + 8 > FUZZ_SIZE, "error at gpa %#llx",
		      (unsigned long long)w.gpa);
		return true;
	}
	if (rc == WALK_FAULT) {
		u32 ec = w.error_code;

		CHECK(gr, !(ec & ~0x1fu), "ec %#x", ec);
		CHECK(gr, (ec & (PFERR_WRITE | PFERR_USER)) ==
		      (access & (WALK_WRITE | WALK_USER)), "ec %#x acc %#x",
		      ec, access);
		CHECK(gr, !(ec & PFERR_RSVD) || (ec & PFERR_PRESENT), "ec %#x",
		      ec);
		CHECK(gr, !(ec & PFERR_FETCH) || (access & WALK_FETCH),
		      "ec %#x", ec);
		CHECK(gr, w.retries > 0 || gm.writes == writes,
		      "fault wrote memory");
		return true;
	}
	CHECK(gr, w.page_size >= 4096 && (w.page_size & (w.page_size - 1)) == 0,
	      "size %#llx", (unsigned long long)w.page_size);
	CHECK(gr, (w.gpa & (w.page_size - 1)) == (gva & (w.page_size - 1)),
	      "offset");
	if (w.format != WALK_FMT_NONE) {
		CHECK(gr, w.level >= 1 && w.level <= w.levels, "level");
		CHECK(gr, w.pte[w.level - 1] & PT_PRESENT, "leaf not present");
		for (level = w.levels; level >= w.level; level--) {
			u64 v;

			if (w.format == WALK_FMT_PAE && level == 3)
				continue;	/* not read from memory */
			v = rd64(&gm, w.pte_gpa[level - 1],
				 w.format == WALK_FMT_32 ? 4 : 8);
			CHECK(gr, v & PT_ACCESSED, "A clear at L%d", level);
			if (level == w.level && (access & WALK_WRITE))
				CHECK(gr, v & PT_DIRTY, "D clear");
		}
	}
	sum = gm.writes;
	rc2 = walk_addr(&w2, &m, &gm_ops, &gm, gva, access);
	CHECK(gr, rc2 == rc && w2.gpa == w.gpa && w2.access == w.access &&
	      w2.page_size == w.page_size, "second walk differs: rc %d", rc2);
	CHECK(gr, gm.writes == sum, "second walk wrote");
	return true;
}

int main(int argc, char **argv)
{
	struct group gr = { "walker-fuzz", 0, 0 };
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 300000;
	unsigned long i;
	unsigned long rcs[3] = {0};

	fill();
	for (i = 0; i < iters; i++) {
		if (i % 64 == 0)
			fill();
		else
			wr64(&gm, (rnd() % (FUZZ_SIZE / 8)) * 8,
			     random_entry(), 8);
		fuzz_one(&gr);
	}
	/* the distribution, so a run that never translates is visible */
	for (i = 0; i < 3000; i++) {
		struct walk_mode m;
		struct guest_walker w;
		int rc;

		random_mode(&m);
		rc = walk_addr(&w, &m, &gm_ops, &gm, rnd(), rnd() & 6);
		rcs[rc]++;
	}
	fprintf(stderr, "walker-fuzz: ok %lu fault %lu error %lu of 3000\n",
		rcs[0], rcs[1], rcs[2]);
	group_end(&gr);
	return total_failed_groups ? 1 : 0;
}
