// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: real mode on VT-x without unrestricted guest, in virtual-8086
 * mode, as the 2006 driver ran it on the first VT-x CPUs.
 *
 * VM entry wants CR0.PE and CR0.PG without unrestricted guest (which
 * VT-x ties to EPT), so the shadow variants run a real-mode guest with
 * CR0.PE and PG on in the hardware (the guest reads its own CR0 from the
 * read shadow; the shadow MMU's unpaged root maps guest memory one to
 * one), in one of two forms chosen per entry:
 *
 *  - vm86, when every segment is what vm86 loads (base = selector << 4,
 *    a limit of at least 0xffff, 16-bit CS and SS): RFLAGS.VM and IOPL 3
 *    set on entry and taken off at the exit, so the guest sees its own
 *    flags (KVM_GET_REGS, interrupt frames); only PUSHF inside the guest
 *    shows IOPL 3, as on the in-tree KVM.  A larger limit ("unreal" mode,
 *    left from protected mode) runs as 0xffff: an access beyond it faults
 *    (#GP or #SS) and the emulator repeats it with the guest's limit.
 *  - otherwise (right after CR0.PE is cleared, or an unreal segment with
 *    a base vm86 cannot hold) a CPL-0 16-bit protected-mode twin: every
 *    segment with the guest's base and limit, read/write (CS execute/
 *    read), flags as they are; an empty GDT and no LDT make every segment
 *    load fault, and the loads real mode has (MOV and POP to a segment
 *    register, far JMP, CALL, RET, IRET) are done here; a null selector
 *    loads without a fault and is made real mode's selector 0 at the
 *    next exit.  This replaces the 2006 driver's selector rewriting in
 *    enter_rmode, which the guest could see, and stepping the emulator,
 *    which lacks far jumps and segment loads.
 *
 * vmx.c keeps the guest's own segment state; the hardware form is made
 * per entry (vmx_rmode_hw_state) and undone per exit (read_back): a
 * selector loaded in vm86 takes the new base and keeps limit and
 * attributes, as a real-mode load does on the CPU.
 *
 * In both forms the task register points at no memory (limit 0) and the
 * IDT is empty, and every exception is intercepted: INT n faults with
 * #GP and is done here, and in vm86 so are HLT and IN/OUT/INS/OUTS (to
 * the I/O exit path), which fault for want of an I/O bitmap; other
 * privileged instructions (MOV CR, LGDT, ...) go to the emulator.
 * Interrupts and exceptions reach the guest the real-mode way
 * (vmx_rmode_deliver): FLAGS, CS and IP pushed, CS:IP from the IVT, IF,
 * TF and AC cleared.  The in-tree KVM keeps a TSS with I/O and
 * interrupt-redirection bitmaps in the three pages of KVM_SET_TSS_ADDR,
 * backed by a private memory slot, so that I/O and INT n run without
 * the #GP; kvmlab has no private slots and needs no TSS pages.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <asm/processor-flags.h>

#include "kvmlab.h"
#include "vmx.h"
#include "vmx_rmode.h"
#include "trace.h"

#define VM86_AR		0xf3	/* present, DPL 3, read/write, accessed */
#define TSS_BUSY_AR	0x8b	/* present, 32-bit busy TSS */
#define SEG_AR_DB		BIT(14)
#define SEG_AR_G		BIT(15)
#define HIDDEN_FLAGS	(X86_EFLAGS_VM | X86_EFLAGS_IOPL)

/* VMCS segment order to kvmlab's */
static const int seg_id[6] = {
	SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS
};

/* vm86 loads base = selector << 4 and checks a 0xffff limit itself. */
static bool vm86_holds(const struct vmx_seg *s, int i)
{
	if ((i == 1 || i == 2) && (s->ar & SEG_AR_DB))
		return false;		/* 32-bit code or stack */
	return s->base == (u64)s->sel << 4 && s->limit >= 0xffff;
}

/*
 * unrestricted_guest=0 runs real mode this way on EPT too (unrestricted
 * guest then only lets CR0.PG be 0), so both paths are tested on one
 * CPU.  The in-tree kvm_intel's parameter of that name turns the control
 * off altogether.
 */
static bool unrestricted_guest = true;
module_param(unrestricted_guest, bool, 0444);
MODULE_PARM_DESC(unrestricted_guest,
		 "VT-x: 0 runs real mode as without it on EPT too");

u8 vmx_rmode_mode(struct kvmlab_vcpu *vcpu, const struct vmx_seg *seg,
		  bool unrestricted)
{
	int i;

	if ((vcpu->cr0 & X86_CR0_PE) || (unrestricted && unrestricted_guest))
		return RMODE_OFF;
	for (i = 0; i < 6; i++)
		if (!vm86_holds(&seg[i], i))
			return RMODE_PM16;
	return RMODE_VM86;
}

/* The CPL-0 protected-mode twin of a real-mode segment. */
static void pm16_seg(struct vmx_seg *s, int i)
{
	u32 type = i == 1 ? 0xb : 0x3;	/* execute/read, read/write */

	s->sel &= ~3;
	if (s->limit > 0xfffff)
		s->limit |= 0xfff;
	s->ar = type | 0x90 | (s->ar & SEG_AR_DB) |
		(s->limit > 0xfffff ? SEG_AR_G : 0);
}

/* @seg (8, VMCS order) and @rflags become what the VMCS gets. */
void vmx_rmode_hw_state(struct vmx_rmode *rm, struct vmx_seg *seg,
			u64 *rflags)
{
	int i;

	memcpy(rm->guest, seg, sizeof(rm->guest));
	for (i = 0; i < 6; i++) {
		struct vmx_seg *s = &seg[i];

		if (rm->mode == RMODE_PM16) {
			pm16_seg(s, i);
			continue;
		}
		s->limit = 0xffff;
		s->ar = VM86_AR;
	}
	if (rm->mode == RMODE_PM16)
		seg[6].ar = VMX_AR_UNUSABLE;	/* no LDT: TI=1 faults */
	seg[7].sel = 0;
	seg[7].base = 0;
	seg[7].limit = 0;
	seg[7].ar = TSS_BUSY_AR;
	rm->iopl = *rflags & X86_EFLAGS_IOPL;
	if (rm->mode == RMODE_VM86)
		*rflags |= HIDDEN_FLAGS;
}

/*
 * @seg and @rflags as the exit left them become the guest's again.  A
 * selector loaded in vm86 takes its base and keeps limit and attributes,
 * as a real-mode load does.  In the CPL-0 form only a null selector
 * loads without a fault: real mode's selector 0, base 0.
 */
void vmx_rmode_read_back(struct vmx_rmode *rm, struct vmx_seg *seg,
			 u64 *rflags)
{
	int i;

	rm->reloaded = false;
	for (i = 0; i < 6; i++) {
		u16 sel = seg[i].sel;
		bool null = seg[i].ar & VMX_AR_UNUSABLE;

		seg[i] = rm->guest[i];
		if (rm->mode == RMODE_VM86 || null) {
			seg[i].sel = null ? 0 : sel;
			seg[i].base = (u64)seg[i].sel << 4;
			rm->reloaded |= null;
		}
	}
	seg[6] = rm->guest[6];
	seg[7] = rm->guest[7];
	if (rm->mode == RMODE_VM86)
		*rflags = (*rflags & ~HIDDEN_FLAGS) | rm->iopl;
}

/* ---- the real-mode stack, segment loads and event delivery ---- */

static u64 sp_mask(struct kvm_segment *ss)
{
	return ss->db ? 0xffffffffUL : 0xffffUL;
}

static int push(struct kvmlab_vcpu *vcpu, u32 val, unsigned int w)
{
	struct kvm_segment ss;
	u64 m, sp;

	kvmlab_arch->get_segment(vcpu, &ss, SEG_SS);
	m = sp_mask(&ss);
	sp = (vcpu->regs[VCPU_RSP] - w) & m;
	if (kvmlab_write_guest(vcpu, (u32)(ss.base + sp), &val, w))
		return -EFAULT;
	vcpu->regs[VCPU_RSP] = (vcpu->regs[VCPU_RSP] & ~m) | sp;
	return 0;
}

static int pop(struct kvmlab_vcpu *vcpu, u32 *val, unsigned int w)
{
	struct kvm_segment ss;
	u64 m, sp;

	kvmlab_arch->get_segment(vcpu, &ss, SEG_SS);
	m = sp_mask(&ss);
	sp = vcpu->regs[VCPU_RSP] & m;
	*val = 0;
	if (kvmlab_read_guest(vcpu, (u32)(ss.base + sp), val, w))
		return -EFAULT;
	vcpu->regs[VCPU_RSP] = (vcpu->regs[VCPU_RSP] & ~m) | ((sp + w) & m);
	return 0;
}

/* A real-mode segment load: the base follows, limit and type stay. */
static void load_sreg(struct kvmlab_vcpu *vcpu, int seg, u16 sel)
{
	struct kvm_segment s;

	kvmlab_arch->get_segment(vcpu, &s, seg);
	s.selector = sel;
	s.base = (u64)sel << 4;
	s.present = 1;
	s.unusable = 0;
	kvmlab_arch->set_segment(vcpu, &s, seg);
}

static void far_jump(struct kvmlab_vcpu *vcpu, u16 cs, u32 ip)
{
	load_sreg(vcpu, SEG_CS, cs);
	vcpu->rip = ip;
}

/*
 * Interrupt or exception @vector the real-mode way, from the current
 * CS:IP.  0, or -EFAULT: the IVT or the stack is not guest memory (the
 * CPU would shut down).
 */
int vmx_rmode_deliver(struct kvmlab_vcpu *vcpu, int vector)
{
	u64 flags = kvmlab_arch->get_rflags(vcpu);
	struct kvm_segment cs;
	struct kvm_dtable idt;
	u16 ivt[2];

	kvmlab_arch->get_dtable(vcpu, &idt, true);
	if (vector * 4 + 3 > idt.limit ||
	    kvmlab_read_guest(vcpu, (u32)(idt.base + vector * 4), ivt, 4))
		return -EFAULT;
	kvmlab_arch->get_segment(vcpu, &cs, SEG_CS);
	if (push(vcpu, flags, 2) || push(vcpu, cs.selector, 2) ||
	    push(vcpu, vcpu->rip, 2))
		return -EFAULT;
	far_jump(vcpu, ivt[1], ivt[0]);
	kvmlab_arch->set_rflags(vcpu, flags & ~(X86_EFLAGS_IF | X86_EFLAGS_TF |
						X86_EFLAGS_AC | X86_EFLAGS_RF));
	return 0;
}

static unsigned int skip_prefixes(const u8 *b, unsigned int n, bool *op32,
				  bool *rep)
{
	unsigned int i;

	for (i = 0; i < n - 1; i++) {
		switch (b[i]) {
		case 0x66:
			*op32 = true;
			continue;
		case 0xf2: case 0xf3:
			*rep = true;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64:
		case 0x65: case 0x67: case 0xf0:
			continue;
		}
		break;
	}
	return i;
}

/*
 * The segment loads the CPL-0 form stops (its GDT is empty): MOV to a
 * segment register from a register, POP of one, far JMP, CALL and RET
 * with an immediate or on the stack, IRET.  1 = done, -1 = not one of
 * them (memory forms, LDS and friends: the emulator's), 0 via shutdown.
 */
static int rmode_far(struct kvmlab_vcpu *vcpu, const u8 *b, unsigned int n)
{
	bool op32 = false, rep = false;
	unsigned int i = skip_prefixes(b, n, &op32, &rep), w = op32 ? 4 : 2;
	u64 fl;
	u32 ip, cs, v;
	int seg;

	if (i + 7 > n)
		return -1;
	switch (b[i]) {
	case 0x8e:
		seg = (b[i + 1] >> 3) & 7;
		if ((b[i + 1] >> 6) != 3 || seg == 1 || seg > 5)
			return -1;
		vcpu->rip += i + 2;
		load_sreg(vcpu, seg_id[seg], vcpu->regs[b[i + 1] & 7]);
		return 1;
	case 0x07: case 0x17: case 0x1f:
	case 0x0f:
		if (b[i] == 0x0f && b[i + 1] != 0xa1 && b[i + 1] != 0xa9)
			return -1;
		seg = b[i] != 0x0f ? b[i] >> 3 : b[i + 1] == 0xa1 ? 4 : 5;
		if (pop(vcpu, &v, w))
			return -EFAULT;
		vcpu->rip += i + (b[i] == 0x0f ? 2 : 1);
		load_sreg(vcpu, seg_id[seg], v);
		return 1;
	case 0xea: case 0x9a:
		ip = op32 ? get_unaligned_le32(b + i + 1) :
			    get_unaligned_le16(b + i + 1);
		cs = get_unaligned_le16(b + i + 1 + w);
		if (b[i] == 0x9a) {
			struct kvm_segment c;

			kvmlab_arch->get_segment(vcpu, &c, SEG_CS);
			if (push(vcpu, c.selector, w) ||
			    push(vcpu, vcpu->rip + i + 3 + w, w))
				return -EFAULT;
		}
		far_jump(vcpu, cs, ip);
		return 1;
	case 0xca: case 0xcb: case 0xcf:
		if (pop(vcpu, &ip, w) || pop(vcpu, &cs, w))
			return -EFAULT;
		if (b[i] == 0xca)
			vcpu->regs[VCPU_RSP] += get_unaligned_le16(b + i + 1);
		if (b[i] == 0xcf) {
			if (pop(vcpu, &v, w))
				return -EFAULT;
			fl = kvmlab_arch->get_rflags(vcpu);
			fl = op32 ? (v & 0x257fd5) | (fl & 0x1a0000) :
				    (fl & ~0xffffULL) | (u16)v;
			kvmlab_arch->set_rflags(vcpu, fl);
			kvmlab_arch->set_nmi_mask(vcpu, false);
		}
		far_jump(vcpu, cs, ip);
		return 1;
	}
	return -1;
}

/*
 * IN, OUT, INS, OUTS, which fault in vm86 without an I/O bitmap: to the
 * I/O exit path with what VT-x's exit qualification would have said.
 * -1: not one of them.
 */
static int rmode_pio(struct kvmlab_vcpu *vcpu, const u8 *b, unsigned int n)
{
	struct kvmlab_pio *pio = &vcpu->pio;
	bool op32 = false, rep = false;
	unsigned int i = skip_prefixes(b, n, &op32, &rep), len;
	u8 op = b[i];

	switch (op) {
	case 0xe4 ... 0xe7:
		pio->port = b[i + 1];
		len = i + 2;
		break;
	case 0x6c ... 0x6f: case 0xec ... 0xef:
		pio->port = vcpu->regs[VCPU_RDX];
		len = i + 1;
		break;
	default:
		return -1;
	}
	vcpu->stat.io_exits++;
	pio->in = !(op & 2);
	pio->string = op < 0x70;
	pio->rep = rep;
	pio->size = !(op & 1) ? 1 : op32 ? 4 : 2;
	pio->addr_size = 0;	/* x86.c reads the prefixes */
	pio->seg = 3;
	pio->next_rip = vcpu->rip + len;
	return kvmlab_pio_exit(vcpu);
}

static int rmode_hlt(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.halt_exits++;
	trace_kvmlab_hlt(vcpu->vcpu_id, vcpu->rip);
	vcpu->rip += 1;
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

static int shutdown(struct kvmlab_vcpu *vcpu)
{
	/* vmx_queue_exception: a fault while delivering #DF */
	kvmlab_arch->queue_exception(vcpu, 8, false, 0);
	kvmlab_arch->queue_exception(vcpu, 13, false, 0);
	return 1;
}

/*
 * An exception exit of a real-mode guest; 1 = back to the guest, 0 = to
 * userspace.  #GP with the IDT bit is INT n, which the empty IDT
 * stopped.  #GP (or #SS) otherwise is an instruction the vm86 or CPL-0
 * form may not run, or an access beyond 0xffff that a big real-mode
 * segment allows: done here or by the emulator.  Every other exception
 * is the guest's.
 */
int vmx_rmode_exception(struct kvmlab_vcpu *vcpu, struct vmx_rmode *rm,
			u32 intr_info, u32 err, u32 insn_len)
{
	u32 type = intr_info & INTR_INFO_TYPE_MASK;
	int vector = intr_info & INTR_INFO_VECTOR_MASK;
	u8 b[15];
	int r;

	if (type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION) {
		/* INT3, INTO, INT1: the frame returns past them */
		vcpu->rip += insn_len;
	} else if (vector == 13 && (err & 3) == 2) {
		if (kvmlab_read_insn(vcpu, b, 2) || b[0] != 0xcd ||
		    b[1] != err >> 3)
			return kvmlab_emulate_insn(vcpu);
		vcpu->rip += 2;
		return vmx_rmode_deliver(vcpu, b[1]) ? shutdown(vcpu) : 1;
	} else if ((vector == 13 || vector == 12) && !(err & 3)) {
		if (rm->reloaded)
			return 1;	/* a null selector now real mode's */
		if (!kvmlab_read_insn(vcpu, b, sizeof(b))) {
			if (b[0] == 0xf4)
				return rmode_hlt(vcpu);
			if (rm->mode == RMODE_PM16)
				r = rmode_far(vcpu, b, sizeof(b));
			else
				r = rmode_pio(vcpu, b, sizeof(b));
			if (r >= 0)
				return r;
			if (r == -EFAULT)
				return shutdown(vcpu);
		}
		return kvmlab_emulate_insn(vcpu);
	}
	kvmlab_arch->queue_exception(vcpu, vector, false, 0);
	return 1;
}
