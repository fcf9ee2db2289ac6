// SPDX-License-Identifier: GPL-2.0
/* Spins forever with interrupts off: for timeout, kill and signal tests. */
#include "guest.h"

int main(void)
{
	puts("spinning with interrupts off\n");
	cli();
	for (;;)
		asm volatile("" ::: "memory");
}
