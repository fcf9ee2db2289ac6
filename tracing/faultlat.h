/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KVMLAB_TRACING_FAULTLAT_H
#define KVMLAB_TRACING_FAULTLAT_H

enum faultlat_kind {
	FAULTLAT_TIME = 0,	/* #PF exit to next entry, sub = outcome */
};

#endif
