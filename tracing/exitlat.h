/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMLAB_TRACING_EXITLAT_H
#define KVMLAB_TRACING_EXITLAT_H

enum exitlat_kind {
	EXITLAT_HYP = 0,	/* exit to next entry, sub = exit reason */
	EXITLAT_GUEST = 1,	/* entry to exit, sub = 0 */
};

#endif
