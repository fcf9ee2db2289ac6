/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ref.h - an independent, deliberately plain model of x86 paging for the
 * walker tests.  It does not read page tables: it reads the description
 * of the one chain of entries a test builds (struct tcase) and states
 * what the CPU does with it, rule by rule, from the manuals' prose.
 */
#ifndef WALKER_REF_H
#define WALKER_REF_H

#include <stdbool.h>
#include <stdint.h>

enum { F32 = 1, FPAE, F64 };

/* One entry of the chain: its flag bits and at most one extra bit set. */
struct lvl {
	bool p, w, u, nx, a, d, g;
	int extra_bit;		/* -1: none; else this bit is also set */
};

struct tcase {
	int fmt;		/* F32, FPAE, F64 */
	int leaf;		/* level of the leaf: 1 4K, 2 2M/4M, 3 1G */
	struct lvl lv[5];	/* by level 1..4 */
	bool wp, nxe, pse, pge, smep, smap, ac, pse36, gbpages, amd;
	bool ps_ignored;	/* F32 with PSE=0: the PDE also has PS set */
	int maxphy;
	uint32_t access;	/* W=2, U=4, I=16 */
	uint64_t gva;
	uint64_t target;	/* gpa of the mapped page, size-aligned */
};

struct expect {
	int rc;			/* 0 ok, 1 #PF (as WALK_OK, WALK_FAULT) */
	uint32_t ec;
	uint64_t gpa;
	uint64_t page_size;
	bool global;
	bool set_a[5];		/* by level: the walk sets A there */
	bool set_d[5];		/* by level: the walk sets D there */
};

int ref_top_level(int fmt);
int ref_index_shift(int fmt, int level);
int ref_index_bits(int fmt, int level);
bool ref_bit_reserved(const struct tcase *c, int level, bool leaf, int bit);
void ref_expect(const struct tcase *c, struct expect *e);

#endif
