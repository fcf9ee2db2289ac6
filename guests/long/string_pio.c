// SPDX-License-Identifier: GPL-2.0
/* pae/string_pio.c under 4-level paging. */
#include "../pae/string_pio.c"
