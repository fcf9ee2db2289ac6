// SPDX-License-Identifier: GPL-2.0
/* pae/large.c under 4-level paging, with 1 GiB pages. */
#include "../pae/large.c"
