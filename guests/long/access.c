// SPDX-License-Identifier: GPL-2.0
/* The supervisor access permutations of pae/access.c under 4-level paging. */
#include "../pae/access.c"
