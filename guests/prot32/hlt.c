// SPDX-License-Identifier: GPL-2.0
/* HLT with known registers: vmrun prints them after the HLT exit, so the
 * guest-visible state (GPRs, RIP past the HLT, RFLAGS) is compared. */
#include "guest.h"

int main(void)
{
	report(1, "before-hlt");
	done();
	asm volatile("cli\n\t"
		     "movl $0x11111111, %%eax\n\t"
		     "movl $0x22222222, %%ebx\n\t"
		     "movl $0x33333333, %%ecx\n\t"
		     "movl $0x44444444, %%edx\n\t"
		     "movl $0x55555555, %%esi\n\t"
		     "movl $0x66666666, %%edi\n\t"
		     "pushl %%ebp\n\t"
		     "movl $0x77777777, %%ebp\n\t"
		     "hlt\n\t"
		     "popl %%ebp"
		     ::: "eax", "ebx", "ecx", "edx", "esi", "edi", "memory");
	guest_abort("returned-after-hlt", 0);
}
