/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - guest memory as a byte array, the walker's ops over it, a
 * PRNG and the group reporting shared by walktest.c and walkfuzz.c.
 */
#ifndef WALKER_HARNESS_H
#define WALKER_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include "walk.h"

#define MEM_SIZE	(1u << 20)

struct gmem {
	uint8_t *bytes;
	uint64_t size;
	unsigned long reads;
	unsigned long writes;	/* successful cmpxchg */
	int races;		/* next cmpxchg calls that report a lost race */
	bool readonly;		/* cmpxchg fails as outside memory */
};

static inline int gm_read(void *priv, u64 gpa, void *buf, unsigned int len)
{
	struct gmem *g = priv;

	g->reads++;
	if (gpa >= g->size || g->size - gpa < len)
		return 1;
	memcpy(buf, g->bytes + gpa, len);
	return 0;
}

static inline int gm_cmpxchg(void *priv, u64 gpa, u64 old, u64 new,
			     unsigned int len)
{
	struct gmem *g = priv;
	u64 cur = 0;

	if (gpa >= g->size || g->size - gpa < len || g->readonly)
		return -1;
	if (g->races) {
		if (g->races > 0)
			g->races--;
		/* another vCPU sets an ignored bit (bit 9, AVL) meanwhile */
		g->bytes[gpa + 1] ^= 0x02;
		return 1;
	}
	memcpy(&cur, g->bytes + gpa, len);
	if (cur != old)
		return 1;
	memcpy(g->bytes + gpa, &new, len);
	g->writes++;
	return 0;
}

static const struct walk_ops gm_ops = {
	.read_gpa = gm_read,
	.cmpxchg_gpa = gm_cmpxchg,
};

static inline u64 rd64(const struct gmem *g, u64 gpa, unsigned int len)
{
	u64 v = 0;

	memcpy(&v, g->bytes + gpa, len);
	return v;
}

static inline void wr64(struct gmem *g, u64 gpa, u64 v, unsigned int len)
{
	memcpy(g->bytes + gpa, &v, len);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* One group: counts, and the first few failures on stderr. */
struct group {
	const char *name;
	unsigned long cases;
	unsigned long failed;
};

static int total_failed_groups;

static inline void group_end(struct group *gr)
{
	if (gr->failed) {
		total_failed_groups++;
		printf("FAIL %s (%lu of %lu cases failed)\n", gr->name,
		       gr->failed, gr->cases);
	} else {
		printf("PASS %s (%lu cases)\n", gr->name, gr->cases);
	}
	fflush(stdout);
}

#define CHECK(gr, cond, ...)						\
	do {								\
		if (!(cond)) {						\
			if ((gr)->failed++ < 5) {			\
				fprintf(stderr, "%s: %s: ", (gr)->name,	\
					#cond);				\
				fprintf(stderr, __VA_ARGS__);		\
				fputc('\n', stderr);			\
			}						\
			return false;					\
		}							\
	} while (0)

#endif
