// SPDX-License-Identifier: GPL-2.0
/* The SVM instructions raise #UD in a guest with EFER.SVME clear. */
#include "guest.h"

#define TRY(name, bytes)						\
	do {								\
		u32 err;						\
		exc_expect(3);						\
		asm volatile(".byte " bytes :: "a"(0) : "memory");	\
		int v = exc_take(&err);					\
		value(name "-vector", (u32)v);				\
		report(v == 6, name "-ud");				\
	} while (0)

int main(void)
{
	idt_install();
	exc_expect(2);
	asm volatile("ud2");
	report(exc_take(NULL) == 6, "ud2-ud");
	TRY("vmrun", "0x0f, 0x01, 0xd8");
	TRY("vmload", "0x0f, 0x01, 0xda");
	TRY("vmsave", "0x0f, 0x01, 0xdb");
	TRY("stgi", "0x0f, 0x01, 0xdc");
	TRY("clgi", "0x0f, 0x01, 0xdd");
	TRY("skinit", "0x0f, 0x01, 0xde");
	TRY("invlpga", "0x0f, 0x01, 0xdf");
	return 0;
}
