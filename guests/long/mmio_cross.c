// SPDX-License-Identifier: GPL-2.0
/* pae/mmio_cross.c under 4-level paging, with CMPXCHG16B. */
#include "../pae/mmio_cross.c"
