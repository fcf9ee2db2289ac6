// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the one place the tracepoints of trace.h are instantiated.
 */
#ifndef KVMLAB_NOTRACE
#define CREATE_TRACE_POINTS
#endif
#include "trace.h"
