// SPDX-License-Identifier: GPL-2.0
/* The SVM instructions raise #UD in long mode too (EFER.SVME clear). */
#include "../prot32/svm_ud.c"
