/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmlab: real mode on VT-x without unrestricted guest (vmx_rmode.c),
 * and the guest segment as vmx.c keeps it.
 */
#ifndef KVMLAB_VMX_RMODE_H
#define KVMLAB_VMX_RMODE_H

#include <linux/types.h>

struct kvmlab_vcpu;

/* A guest segment in the VMCS's terms (ES CS SS DS FS GS LDTR TR). */
struct vmx_seg {
	u16 sel;
	u32 limit;
	u32 ar;
	u64 base;
};

/* How an entry runs a real-mode guest without unrestricted guest. */
enum { RMODE_OFF, RMODE_VM86, RMODE_PM16 };

/* What one entry hid from the guest, to undo at the exit. */
struct vmx_rmode {
	u8 mode;			/* RMODE_* of the last entry */
	bool reloaded;			/* the exit found a null selector load */
	struct vmx_seg guest[8];	/* the guest's segments, as it has them */
	u64 iopl;			/* the guest's RFLAGS.IOPL */
};

u8 vmx_rmode_mode(struct kvmlab_vcpu *vcpu, const struct vmx_seg *seg,
		  bool unrestricted);
void vmx_rmode_hw_state(struct vmx_rmode *rm, struct vmx_seg *seg,
			u64 *rflags);
void vmx_rmode_read_back(struct vmx_rmode *rm, struct vmx_seg *seg,
			 u64 *rflags);
int vmx_rmode_deliver(struct kvmlab_vcpu *vcpu, int vector);
int vmx_rmode_exception(struct kvmlab_vcpu *vcpu, struct vmx_rmode *rm,
			u32 intr_info, u32 err, u32 insn_len);

#endif
