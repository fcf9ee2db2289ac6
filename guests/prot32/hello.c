// SPDX-License-Identifier: GPL-2.0
/* The smallest guest: a console line, one PASS, one VALUE. */
#include "guest.h"

int main(void)
{
	printf("hello from prot32, %d + %d = %d, 0x%x\n", 2, 3, 2 + 3, 0xbeef);
	report(1, "hello");
	value("answer", 42);
	return 0;
}
