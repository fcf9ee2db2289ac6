/* SPDX-License-Identifier: GPL-2.0 */
/* Real-mode guests: point interrupt vector @vec of the IVT at @fn (CS 0). */
#ifndef GUEST_IVT_H
#define GUEST_IVT_H

#include "guest.h"

static inline void set_vector(int vec, void (*fn)(void))
{
	volatile u16 *ivt;

	/* address 0 is the IVT: hide it from the null-pointer checks */
	asm("" : "=r"(ivt) : "0"((uintptr_t)(vec * 4)));
	ivt[0] = (u16)(uintptr_t)fn;
	ivt[1] = 0;
}

#endif
