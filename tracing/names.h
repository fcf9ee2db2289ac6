/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMLAB_TRACING_NAMES_H
#define KVMLAB_TRACING_NAMES_H

#include <linux/types.h>

const char *svm_exit_name(__u64 code);
const char *exit_name(__u64 code);
const char *pf_outcome_name(__u64 outcome);
const char *emul_step_name(__u64 step);

#endif
