// SPDX-License-Identifier: GPL-2.0
/* pae/global.c under 4-level paging. */
#include "../pae/global.c"
