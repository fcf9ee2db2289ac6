/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walk.h - the guest page-table walker.
 *
 * One template (paging_tmpl.h) included from walk.c once per guest paging
 * format: 32-bit 2-level (4 KiB and 4 MiB PSE pages, PSE-36 optional), PAE
 * 3-level (the four PDPTEs come from the caller: the CPU caches them at CR3
 * load) and 64-bit 4-level (2 MiB and 1 GiB pages).  Like the emulator, the
 * core includes only emu_compat.h, so the same code builds in kvmlab.ko and
 * in the userspace tests in tests/walker/.
 *
 * Glossary: gva = guest linear address, gpa = guest physical address,
 * gfn = gpa >> 12.  Levels count from the leaf: 1 = PTE, 2 = PDE,
 * 3 = PDPTE, 4 = PML4E.  Arrays indexed by level use [level - 1].
 *
 * How the shadow MMU drives it:
 *
 *	struct walk_mode mode = { cr0, cr4, efer, cr3, pdptes, maxphyaddr };
 *	rc = walk_addr(&w, &mode, &ops, vcpu, cr2, error_code & WALK_ACCESS);
 *	WALK_OK:    map w.gfn with w.access (A/D bits already set in the
 *		    guest's tables); walk_table_gfns(&w, ...) lists the
 *		    guest page-table frames to write-protect;
 *	WALK_FAULT: inject #PF with w.error_code, CR2 = gva;
 *	WALK_ERROR: a table lies outside guest memory (or a mode that cannot
 *		    exist, or the A/D update kept racing): the caller decides
 *		    (the 2006 driver's choice: treat as a fault or exit).
 *
 * Not handled here (the caller's job): canonical-address checks in long
 * mode (#GP, not #PF), segmentation, protection keys, 5-level paging.
 */
#ifndef KVMLAB_WALK_H
#define KVMLAB_WALK_H

#include "emu_compat.h"

/* #PF error code bits; the access bits of walk_addr() use the same values. */
#define PFERR_PRESENT	(1u << 0)	/* P: protection (not not-present) */
#define PFERR_WRITE	(1u << 1)	/* W: the access was a write */
#define PFERR_USER	(1u << 2)	/* U: the access was from CPL 3 */
#define PFERR_RSVD	(1u << 3)	/* RSVD: a reserved bit was set */
#define PFERR_FETCH	(1u << 4)	/* I: instruction fetch (NX/SMEP on) */

#define WALK_WRITE	PFERR_WRITE
#define WALK_USER	PFERR_USER
#define WALK_FETCH	PFERR_FETCH
#define WALK_ACCESS	(WALK_WRITE | WALK_USER | WALK_FETCH)

/* Results of walk_addr(). */
#define WALK_OK		0
#define WALK_FAULT	1
#define WALK_ERROR	2

/* Control-register and EFER bits the walker looks at. */
#define WALK_CR0_WP	(1ull << 16)
#define WALK_CR0_PG	(1ull << 31)
#define WALK_CR4_PSE	(1ull << 4)
#define WALK_CR4_PAE	(1ull << 5)
#define WALK_CR4_PGE	(1ull << 7)
#define WALK_CR4_SMEP	(1ull << 20)
#define WALK_CR4_SMAP	(1ull << 21)
#define WALK_EFER_LMA	(1ull << 10)
#define WALK_EFER_NXE	(1ull << 11)

/* Page-table entry bits (the same position in 32- and 64-bit entries). */
#define PT_PRESENT	(1ull << 0)
#define PT_WRITABLE	(1ull << 1)
#define PT_USER		(1ull << 2)
#define PT_ACCESSED	(1ull << 5)
#define PT_DIRTY	(1ull << 6)
#define PT_PAGE_SIZE	(1ull << 7)
#define PT_GLOBAL	(1ull << 8)
#define PT_NX		(1ull << 63)

/* Accumulated permissions of a translation (struct guest_walker.access). */
#define WALK_ACC_WRITE	(1u << 0)	/* R/W set at every level */
#define WALK_ACC_USER	(1u << 1)	/* U/S set at every level */
#define WALK_ACC_EXEC	(1u << 2)	/* no level has NX (or NXE off) */

#define WALK_MAX_LEVELS	4

/* Guest paging formats (struct guest_walker.format). */
enum walk_format {
	WALK_FMT_NONE,		/* paging off: identity */
	WALK_FMT_32,		/* 2-level, 32-bit entries */
	WALK_FMT_PAE,		/* 3-level, PDPTEs from walk_mode */
	WALK_FMT_64,		/* 4-level long mode */
};

/*
 * The guest state that decides a translation.  The paging format follows
 * from cr0.PG, cr4.PAE and efer.LMA as on the CPU.
 */
struct walk_mode {
	u64 cr0;
	u64 cr4;
	u64 efer;
	u64 cr3;
	u64 pdpte[4];		/* PAE only: as loaded at the last CR3 write */
	u8 maxphyaddr;		/* CPUID 0x80000008 EAX[7:0], 32..52 */
	bool amd;		/* PML4E bit 8 is reserved (AMD, not Intel) */
	bool gbpages;		/* 1 GiB pages (CPUID PDPE1GB) */
	bool pse36;		/* 4 MiB pages map above 4 GiB (PSE-36) */
	bool smap_ac;		/* EFLAGS.AC=1, explicit access: no SMAP */
};

/*
 * Guest memory, seen by the walker.  [IN] priv is the caller's cookie.
 * read_gpa: copy len bytes at gpa into buf; nonzero if gpa is outside
 *	guest memory.
 * cmpxchg_gpa: atomically replace the len-byte (4 or 8) little-endian value
 *	old at gpa by new.  0 = done; 1 = memory no longer held old (the walker
 *	walks again); negative = gpa outside guest memory (or not writable).
 */
struct walk_ops {
	int (*read_gpa)(void *priv, u64 gpa, void *buf, unsigned int len);
	int (*cmpxchg_gpa)(void *priv, u64 gpa, u64 old, u64 new,
			   unsigned int len);
};

/*
 * The result of a walk.  [OUT] all of it; on WALK_FAULT the entries down to
 * `level` are valid and error_code is what the guest must see; on
 * WALK_ERROR, gpa holds the address that could not be read or written.
 */
struct guest_walker {
	enum walk_format format;
	int levels;			/* of the format; 0: paging off */
	int level;			/* level of the last entry read */
	u64 table_gfn[WALK_MAX_LEVELS];	/* frame of the table read at level */
	u64 pte_gpa[WALK_MAX_LEVELS];	/* gpa of the entry read at level */
	u64 pte[WALK_MAX_LEVELS];	/* its value (after A/D updates) */
	u64 gpa;			/* translation of the gva */
	u64 gfn;			/* gpa >> 12 */
	u64 page_size;			/* 4 KiB, 2/4 MiB or 1 GiB */
	u32 access;			/* WALK_ACC_*, combined over levels */
	bool global;			/* leaf G bit with CR4.PGE */
	u32 error_code;			/* PFERR_* on WALK_FAULT */
	int retries;			/* walks restarted by a lost cmpxchg */
};

int walk_addr(struct guest_walker *w, const struct walk_mode *mode,
	      const struct walk_ops *ops, void *priv, u64 gva, u32 access);

/*
 * The guest frames of the page-table pages the walk read, outermost
 * first, without duplicates (a self-referencing table appears once); for
 * PAE the page holding the PDPT comes first.  Returns how many were
 * stored in gfns[] (at most max, at most WALK_MAX_LEVELS).
 */
int walk_table_gfns(const struct guest_walker *w, u64 *gfns, int max);

/* The paging format that walk_mode selects (WALK_FMT_*), or -1 if none. */
int walk_format_of(const struct walk_mode *mode);

#endif /* KVMLAB_WALK_H */
