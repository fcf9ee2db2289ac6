// SPDX-License-Identifier: GPL-2.0
#include "../prot32/cr3grid.c"
