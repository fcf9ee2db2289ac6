// SPDX-License-Identifier: GPL-2.0
/* The context-switch sweep guest under PAE paging (see prot32/cr3sweep.c). */
#include "../prot32/cr3sweep.c"
