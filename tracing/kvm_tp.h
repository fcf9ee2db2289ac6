/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracing/kvm_tp.h: values the tools need from the in-tree KVM's events
 * (kvm:*, kvmmmu:*).  Field offsets are not here: they differ between
 * kernels, so each tool reads them from the format files and hands them to
 * its BPF programs as knobs (kvm_field_offset() in common.c).
 */
#ifndef KVMLAB_TRACING_KVM_TP_H
#define KVMLAB_TRACING_KVM_TP_H

#define KVM_ISA_SVM		2	/* kvm:kvm_exit isa (1 is VMX) */
#define KVM_SVM_EXIT_WRITE_CR3	0x013	/* exit_reason of a MOV to CR3 */
#define KVM_PFERR_RSVD		(1ULL << 3)	/* the access hit an MMIO spte */
#define KVM_PF_VECTOR		14	/* kvm:kvm_inj_exception exception */

#endif
