// SPDX-License-Identifier: GPL-2.0
/* The context-switch sweep guest under 4-level paging (see prot32/cr3sweep.c). */
#include "../prot32/cr3sweep.c"
