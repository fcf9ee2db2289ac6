// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile page tables: CR3 outside every memory slot.  The guest points
 * CR3 at 3 GiB (no memory there) and turns 2-level paging on: the next
 * fetch walks a page directory that does not exist.  Whatever the
 * in-tree KVM gives (the manifest's expected ending) is the expectation;
 * the driver must not crash, hang or leak.  --arg 0=1: turn paging on
 * with a valid directory first, then load the bad CR3.
 */
#include "guest.h"

static u32 pd[1024] __attribute__((aligned(4096)));

int main(void)
{
	idt_install();
	for (u32 i = 0; i < 16; i++)
		pd[i] = i << 22 | 0x83;
	printf("cr3 -> 3 GiB\n");
	if (guest_arg(0, 0)) {
		asm volatile("mov %0, %%cr3" :: "r"(pd) : "memory");
		asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
		asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");
		asm volatile("mov %0, %%cr3" :: "r"(0xc0000000u) : "memory");
	} else {
		asm volatile("mov %0, %%cr3" :: "r"(0xc0000000u) : "memory");
		asm volatile("mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4" ::: "eax");
		asm volatile("mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0" ::: "eax");
	}
	report(0, "cr3-oob-still-running");
	return 0;
}
