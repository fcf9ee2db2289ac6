// SPDX-License-Identifier: GPL-2.0
/*
 * Debug registers as a guest sees them: DR0-3 round trips, the defined
 * bits of DR6/DR7 (not the reserved ones: the in-tree KVM lets the guest
 * run MOV DR natively after the first one, so there QEMU's emulation of
 * reserved bits answers, not KVM's), DR4/DR5 aliasing DR6/DR7 with CR4.DE clear
 * and #UD with it set.  (tests/hostile/dr-host checks the host's side.)
 */
#include "guest.h"

#define MOVDR(n)							\
	static u32 rd_dr##n(void) { u32 v; asm volatile("mov %%dr" #n ", %0" : "=r"(v)); return v; } \
	static void wr_dr##n(u32 v) { asm volatile("mov %0, %%dr" #n :: "r"(v)); }
MOVDR(0) MOVDR(1) MOVDR(2) MOVDR(3) MOVDR(6) MOVDR(7)

int main(void)
{
	u32 v, cr4;
	int vec;

	idt_install();
	wr_dr0(0x1000); wr_dr1(0xdeadbeef); wr_dr2(0xfffffff0); wr_dr3(0);
	value("dr0", rd_dr0()); value("dr1", rd_dr1());
	value("dr2", rd_dr2()); value("dr3", rd_dr3());
	value("dr6-reset", rd_dr6());
	value("dr7-reset", rd_dr7());
	wr_dr6(0); value("dr6-0", rd_dr6());
	wr_dr6(0xe00f); value("dr6-defined", rd_dr6());
	wr_dr7(0); value("dr7-0", rd_dr7());
	/* L/G 0-3, LE/GE, R/W and LEN 0-3: breakpoints on addresses the
	 * guest never touches */
	wr_dr7(0xffff03ff); value("dr7-defined", rd_dr7());
	wr_dr7(0x400);
	/* DR4/DR5 with CR4.DE clear are DR6/DR7 */
	asm volatile("mov %%dr4, %0" : "=r"(v)); value("dr4-alias", v);
	asm volatile("mov %%dr5, %0" : "=r"(v)); value("dr5-alias", v);
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" :: "r"(cr4 | 8));	/* DE */
	exc_expect(3);
	asm volatile("mov %%dr4, %%eax" ::: "eax", "memory");
	vec = exc_take(NULL);
	value("dr4-with-de-vector", (u32)vec);
	asm volatile("mov %0, %%cr4" :: "r"(cr4));
	return 0;
}
