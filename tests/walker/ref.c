// SPDX-License-Identifier: GPL-2.0
/*
 * ref.c - the reference the walker is checked against.  Written from the
 * rules as the manuals state them, one rule per line, with no code shared
 * with kmod/paging_tmpl.h: the geometry is a table, reserved bits a
 * predicate over (format, level, leaf, bit number), permissions the
 * access-rights prose of AMD APM vol. 2 5.6 / Intel SDM vol. 3 4.6.
 */
#include "ref.h"

/* Geometry: {shift, bits} of the index at each level, per format. */
static const struct { int shift, bits; } geometry[4][5] = {
	[F32]  = { [1] = {12, 10}, [2] = {22, 10} },
	[FPAE] = { [1] = {12, 9}, [2] = {21, 9}, [3] = {30, 2} },
	[F64]  = { [1] = {12, 9}, [2] = {21, 9}, [3] = {30, 9}, [4] = {39, 9} },
};

int ref_top_level(int fmt)
{
	return fmt == F32 ? 2 : fmt == FPAE ? 3 : 4;
}

int ref_index_shift(int fmt, int level)
{
	return geometry[fmt][level].shift;
}

int ref_index_bits(int fmt, int level)
{
	return geometry[fmt][level].bits;
}

static bool in(int bit, int lo, int hi)
{
	return bit >= lo && bit <= hi;
}

/* Is bit `bit` of the entry at `level` reserved (must be zero)? */
bool ref_bit_reserved(const struct tcase *c, int level, bool leaf, int bit)
{
	int m = c->maxphy;

	switch (c->fmt) {
	case F32:
		/* only 4 MiB pages have reserved bits */
		if (level != 2 || !leaf)
			return false;
		if (!c->pse36)
			return in(bit, 13, 21);
		/* PSE-36/40: bits 20:13 give address bits 39:32 */
		return in(bit, 13 + (m < 40 ? m : 40) - 32, 21);
	case FPAE:
		if (level == 3)		/* PDPTE */
			return bit == 1 || bit == 2 || in(bit, 5, 8) ||
			       in(bit, m, 63);
		if (bit == 63)
			return !c->nxe;
		if (in(bit, m, 62))
			return true;
		return leaf && level == 2 && in(bit, 13, 20);
	case F64:
		if (bit == 63)
			return !c->nxe;
		if (in(bit, m, 51))
			return true;
		if (level == 4)
			return bit == 7 || (bit == 8 && c->amd);
		if (level == 3 && leaf)
			return in(bit, 13, 29);
		if (level == 2 && leaf)
			return in(bit, 13, 20);
		return false;
	}
	return false;
}

/* Does the entry at `level` hold a reserved bit the CPU checks? */
static bool entry_reserved(const struct tcase *c, int level)
{
	const struct lvl *l = &c->lv[level];
	bool leaf = level == c->leaf;

	if (l->extra_bit >= 0 && ref_bit_reserved(c, level, leaf, l->extra_bit))
		return true;
	if (c->fmt != F32 && l->nx && ref_bit_reserved(c, level, leaf, 63))
		return true;
	/* PS in a PDPTE maps 1 GiB only with the feature */
	if (c->fmt == F64 && level == 3 && leaf && !c->gbpages)
		return true;
	return false;
}

static uint32_t fault_code(const struct tcase *c, uint32_t bits)
{
	uint32_t ec = bits;

	if (c->access & 2)
		ec |= 2;
	if (c->access & 4)
		ec |= 4;
	/* I is reported when NX is usable (PAE paging + NXE) or SMEP is on */
	if ((c->access & 16) && ((c->fmt != F32 && c->nxe) || c->smep))
		ec |= 16;
	return ec;
}

/* May the access go ahead, given the combined rights of the chain? */
static bool allowed(const struct tcase *c, bool user_addr, bool writable,
		    bool no_exec)
{
	bool user = c->access & 4;
	bool write = c->access & 2;
	bool fetch = c->access & 16;

	if (user) {
		/* CPL 3: only user addresses; writes need R/W; no NX fetch */
		if (!user_addr)
			return false;
		if (write && !writable)
			return false;
		if (fetch && no_exec)
			return false;
		return true;
	}
	/* supervisor */
	if (fetch) {
		if (no_exec)
			return false;
		if (user_addr && c->smep)
			return false;
		return true;
	}
	if (user_addr && c->smap && !c->ac)
		return false;
	if (write && !writable && c->wp)
		return false;
	return true;
}

void ref_expect(const struct tcase *c, struct expect *e)
{
	int top = ref_top_level(c->fmt);
	bool user_addr = true, writable = true, no_exec = false;
	int level;
	int shift;

	*e = (struct expect){0};
	for (level = top; level >= c->leaf; level--) {
		const struct lvl *l = &c->lv[level];

		if (!l->p) {
			e->rc = 1;
			e->ec = fault_code(c, 0);
			return;
		}
		if (entry_reserved(c, level)) {
			e->rc = 1;
			e->ec = fault_code(c, 1 | 8);
			return;
		}
		if (c->fmt == FPAE && level == 3)
			continue;	/* a PDPTE has no rights bits */
		user_addr = user_addr && l->u;
		writable = writable && l->w;
		/* bit 63 is XD with NXE, set through nx or the extra bit */
		if (c->fmt != F32 && c->nxe && (l->nx || l->extra_bit == 63))
			no_exec = true;
	}
	if (!allowed(c, user_addr, writable, no_exec)) {
		e->rc = 1;
		e->ec = fault_code(c, 1);
		return;
	}

	shift = ref_index_shift(c->fmt, c->leaf);
	e->page_size = 1ull << shift;
	e->gpa = c->target + (c->gva & (e->page_size - 1));
	if (c->fmt == F32 && c->leaf == 2 && c->pse36) {
		int b = c->lv[2].extra_bit;

		/* a PSE-36 address bit set in PDE bits 20:13 */
		if (b >= 13 && b <= 20)
			e->gpa |= 1ull << (b - 13 + 32);
	}
	e->global = c->pge && c->lv[c->leaf].g;
	for (level = top; level >= c->leaf; level--) {
		if (c->fmt == FPAE && level == 3)
			continue;
		e->set_a[level] = !c->lv[level].a;
	}
	e->set_d[c->leaf] = (c->access & 2) && !c->lv[c->leaf].d;
}
