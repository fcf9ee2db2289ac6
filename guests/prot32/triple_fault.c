// SPDX-License-Identifier: GPL-2.0
/* Empty IDT, then an exception: #UD -> #GP -> #DF -> shutdown. */
#include "guest.h"

int main(void)
{
	report(1, "about-to-triple-fault");
	idt_load_empty();
	asm volatile("ud2");
	guest_abort("survived-triple-fault", 0);
}
