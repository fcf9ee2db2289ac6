// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table changes made visible by each of the TLB flushes the
 * architecture offers, without INVLPG (32-bit 2-level paging).  The
 * `unsync` shadow MMU lets leaf tables go out of sync and must bring them
 * back at exactly these points; `cache` applies every write at once; and
 * all must show the guest the same thing:
 *   reload   PTEs rewritten, then MOV CR3 with the same value;
 *   switch   the PTEs of address space A rewritten while B runs, then a
 *            switch to A (a table out of sync while not in use);
 *   global   global PTEs rewritten, then CR4.PGE toggled;
 *   reuse    a table unlinked, overwritten as data, rebuilt as a table
 *            for other frames and linked again (a freed table reused).
 * Each reads every page afterwards; a page holds its frame's index.
 */
#include "guest.h"

#define VA	0x40000000u	/* per address space: pt_a / pt_b */
#define GVA	0x40400000u	/* global pages: pt_g, in both */
#define RVA	0x40800000u	/* reused table: pt_r, in A */
#define FRAMES	0x00800000u
#define NFRAMES	16
#define PAGES	8

static u32 pd_a[1024] __attribute__((aligned(4096)));
static u32 pd_b[1024] __attribute__((aligned(4096)));
static u32 pt_a[1024] __attribute__((aligned(4096)));
static u32 pt_b[1024] __attribute__((aligned(4096)));
static u32 pt_g[1024] __attribute__((aligned(4096)));
static u32 pt_r[1024] __attribute__((aligned(4096)));

static inline void set_cr3(u32 v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline u32 rd(u32 va, u32 i) { return *(volatile u32 *)(va + i * 4096); }

static u32 frame(u32 k) { return FRAMES + (k % NFRAMES) * 4096; }

/* every page of @va must show frame (i + @shift) */
static u32 check(u32 va, u32 shift)
{
	u32 bad = 0;

	for (u32 i = 0; i < PAGES; i++)
		bad += rd(va, i) != 0x1000 + (i + shift) % NFRAMES;
	return bad;
}

static void map(u32 *pt, u32 shift, u32 flags)
{
	for (u32 i = 0; i < PAGES; i++)
		pt[i] = frame(i + shift) | flags;
}

int main(void)
{
	u32 cr4;

	for (u32 k = 0; k < NFRAMES; k++)
		*(volatile u32 *)frame(k) = 0x1000 + k;
	for (u32 i = 0; i < 16; i++)
		pd_a[i] = pd_b[i] = i << 22 | 0x83;	/* 4 MiB identity */
	pd_a[VA >> 22] = (u32)pt_a | 0x7;
	pd_b[VA >> 22] = (u32)pt_b | 0x7;
	pd_a[GVA >> 22] = pd_b[GVA >> 22] = (u32)pt_g | 0x7;
	pd_a[RVA >> 22] = (u32)pt_r | 0x7;
	map(pt_a, 0, 0x67);			/* P W U A D */
	map(pt_b, 8, 0x67);
	map(pt_g, 0, 0x167);			/* + G */
	map(pt_r, 0, 0x67);
	set_cr3((u32)pd_a);
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 0x90;				/* PSE, PGE */
	asm volatile("mov %0, %%cr4" :: "r"(cr4));
	asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");

	report(check(VA, 0) + check(GVA, 0) + check(RVA, 0) == 0, "ptsync-warm");
	set_cr3((u32)pd_b);
	report(check(VA, 8) == 0, "ptsync-warm-b");
	set_cr3((u32)pd_a);

	/* reload: the same CR3 again flushes the non-global entries */
	mark_begin("ptsync");
	for (u32 round = 1; round <= 4; round++) {
		map(pt_a, round, 0x67);
		set_cr3((u32)pd_a);
		report(check(VA, round) == 0, "ptsync-reload-%u", round);
	}

	/* switch: A's table rewritten while B runs */
	set_cr3((u32)pd_b);
	(void)check(VA, 8);
	map(pt_a, 11, 0x67);
	map(pt_b, 3, 0x67);
	set_cr3((u32)pd_a);
	report(check(VA, 11) == 0, "ptsync-switch-a");
	set_cr3((u32)pd_b);
	report(check(VA, 3) == 0, "ptsync-switch-b");
	set_cr3((u32)pd_a);

	/* global: a CR3 load need not flush them; a PGE toggle does */
	map(pt_g, 5, 0x167);
	asm volatile("mov %0, %%cr4" :: "r"(cr4 & ~0x80u));
	asm volatile("mov %0, %%cr4" :: "r"(cr4));
	report(check(GVA, 5) == 0, "ptsync-global");

	/* reuse: unlink, scribble, rebuild for other frames, link again */
	pd_a[RVA >> 22] = 0;
	set_cr3((u32)pd_a);
	for (u32 i = 0; i < 1024; i++)
		pt_r[i] = 0xdead0000u | i;
	for (u32 i = 0; i < 1024; i++)
		pt_r[i] = 0;
	map(pt_r, 7, 0x67);
	pd_a[RVA >> 22] = (u32)pt_r | 0x7;
	set_cr3((u32)pd_a);
	report(check(RVA, 7) == 0, "ptsync-reuse");
	mark_end("ptsync", 0);
	return 0;
}
