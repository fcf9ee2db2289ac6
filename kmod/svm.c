// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the AMD-V (SVM) backend.
 *
 * One VMCB per vCPU.  Every I/O port and MSR access is intercepted (the
 * permission maps are all ones), so the guest touches no host device and
 * no host MSR.  Guest-physical memory comes from the MMU variant through
 * nested paging.  The exit handlers are an array indexed by exit code.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/build_bug.h>
#include <linux/cpu.h>
#include <linux/rcupdate.h>
#include <linux/io.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/fpu/api.h>

#include "kvmlab.h"
#include "svm.h"
#include "trace.h"

#define IOPM_ORDER	2	/* 12 KiB used */
#define MSRPM_ORDER	1	/* 8 KiB */

static_assert(sizeof(struct vmcb_control) == 0x400);
static_assert(offsetof(struct vmcb, control.exit_code) == 0x070);
static_assert(offsetof(struct vmcb, control.event_inj) == 0x0a8);
static_assert(offsetof(struct vmcb, control.nested_cr3) == 0x0b0);
static_assert(offsetof(struct vmcb, save.efer) == 0x4d0);
static_assert(offsetof(struct vmcb, save.cr4) == 0x548);
static_assert(offsetof(struct vmcb, save.rip) == 0x578);
static_assert(offsetof(struct vmcb, save.rsp) == 0x5d8);
static_assert(offsetof(struct vmcb, save.rax) == 0x5f8);
static_assert(offsetof(struct vmcb, save.cr2) == 0x640);
static_assert(offsetof(struct vmcb, save.g_pat) == 0x668);
static_assert(sizeof(struct vmcb) <= PAGE_SIZE);

static inline void clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

struct svm_cpu_data {
	struct page *hsave;	/* VM_HSAVE_PA: VMRUN's own host area */
	struct page *host_vmcb;	/* VMSAVE/VMLOAD of the host's state */
	u64 asid_generation;
	u32 next_asid;
	bool enabled;
};

static DEFINE_PER_CPU(struct svm_cpu_data, svm_data);
static u32 svm_max_asid;
static struct page *iopm_pages;
static struct page *msrpm_pages;
static atomic_t svm_enable_failed;

struct vcpu_svm {
	struct vmcb *vmcb;
	unsigned long vmcb_pa;
	u64 asid_generation;
	int asid_cpu;
	u32 pending_event;	/* event_inj for the next entry */
	u32 pending_event_err;
	bool triple_fault;	/* a fault while delivering #DF */
	/* NMIs without vNMI, as the in-tree KVM: an injected NMI masks
	 * NMIs and intercepts IRET; the mask goes once the guest has moved
	 * past that IRET, which one single step (TF, #DB intercepted)
	 * shows when another NMI waits.
	 */
	bool nmi_masked, nmi_iret, singlestep;
	u64 nmi_iret_rip, ss_rflags;
	/* An STI/MOV SS shadow at shadow_rip that kvmlab steps over: kept
	 * until the step is done (see svm_hold_shadow()).
	 */
	bool shadow_held;
	u64 shadow_rip;
	/* The guest's VM_HSAVE_PA and VM_CR: stored only (no nested SVM),
	 * readable and writable with or without SVM in CPUID, as on the
	 * in-tree KVM; never the host's.
	 */
	u64 vm_hsave_pa, vm_cr;
};

static inline struct vcpu_svm *to_svm(struct kvmlab_vcpu *vcpu)
{
	return vcpu->arch;
}

static inline struct vmcb *to_vmcb(struct kvmlab_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb;
}

/* ---- per-CPU enable ---- */

static void svm_cpu_enable(void *unused)
{
	struct svm_cpu_data *sd = this_cpu_ptr(&svm_data);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		/* Another hypervisor (kvm_amd with a VM) owns this CPU. */
		atomic_inc(&svm_enable_failed);
		return;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_KVMLAB_VM_HSAVE_PA, page_to_phys(sd->hsave));
	sd->asid_generation = 1;
	sd->next_asid = svm_max_asid + 1;
	sd->enabled = true;
}

static void svm_cpu_disable(void *unused)
{
	struct svm_cpu_data *sd = this_cpu_ptr(&svm_data);
	u64 efer;

	if (!sd->enabled)
		return;
	wrmsrl(MSR_KVMLAB_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sd->enabled = false;
}

static void svm_free_cpu_data(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu_data *sd = per_cpu_ptr(&svm_data, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_vmcb)
			__free_page(sd->host_vmcb);
		sd->hsave = NULL;
		sd->host_vmcb = NULL;
	}
	if (iopm_pages)
		__free_pages(iopm_pages, IOPM_ORDER);
	if (msrpm_pages)
		__free_pages(msrpm_pages, MSRPM_ORDER);
	iopm_pages = NULL;
	msrpm_pages = NULL;
}

static int svm_hardware_setup(void)
{
	u64 vm_cr;
	int cpu;

	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err("kvmlab: this CPU has no AMD-V (SVM)\n");
		return -EOPNOTSUPP;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("kvmlab: this CPU has no nested paging (NPT)\n");
		return -EOPNOTSUPP;
	}
	rdmsrl(MSR_KVMLAB_VM_CR, vm_cr);
	if (vm_cr & VM_CR_SVMDIS) {
		pr_err("kvmlab: SVM is disabled by the firmware\n");
		return -EOPNOTSUPP;
	}
	svm_max_asid = cpuid_ebx(0x8000000a) - 1;
	if (svm_max_asid < 1)
		return -EOPNOTSUPP;

	iopm_pages = alloc_pages(GFP_KERNEL, IOPM_ORDER);
	msrpm_pages = alloc_pages(GFP_KERNEL, MSRPM_ORDER);
	if (!iopm_pages || !msrpm_pages)
		goto nomem;
	/* Intercept every port and every MSR. */
	memset(page_address(iopm_pages), 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(page_address(msrpm_pages), 0xff, PAGE_SIZE << MSRPM_ORDER);

	for_each_possible_cpu(cpu) {
		struct svm_cpu_data *sd = per_cpu_ptr(&svm_data, cpu);

		sd->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
		sd->host_vmcb = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!sd->hsave || !sd->host_vmcb)
			goto nomem;
	}

	cpus_read_lock();
	atomic_set(&svm_enable_failed, 0);
	on_each_cpu(svm_cpu_enable, NULL, 1);
	if (atomic_read(&svm_enable_failed)) {
		on_each_cpu(svm_cpu_disable, NULL, 1);
		cpus_read_unlock();
		pr_err("kvmlab: SVM is already in use by another hypervisor (kvm_amd running a VM?); stop it and unload kvm_amd first\n");
		svm_free_cpu_data();
		return -EBUSY;
	}
	cpus_read_unlock();
	return 0;

nomem:
	svm_free_cpu_data();
	return -ENOMEM;
}

static void svm_hardware_unsetup(void)
{
	cpus_read_lock();
	on_each_cpu(svm_cpu_disable, NULL, 1);
	cpus_read_unlock();
	svm_free_cpu_data();
}

/* ---- VMCB set-up ---- */

static void set_intercepts(struct vmcb_control *c, bool tdp)
{
	c->intercept_misc1 = BIT(INTERCEPT_INTR) | BIT(INTERCEPT_NMI) |
		BIT(INTERCEPT_SMI) | BIT(INTERCEPT_INIT) |
		BIT(INTERCEPT_RDPMC) | BIT(INTERCEPT_CPUID) |
		BIT(INTERCEPT_INVD) | BIT(INTERCEPT_PAUSE) |
		BIT(INTERCEPT_HLT) | BIT(INTERCEPT_INVLPGA) |
		BIT(INTERCEPT_IOIO_PROT) |
		BIT(INTERCEPT_MSR_PROT) | BIT(INTERCEPT_TASK_SWITCH) |
		BIT(INTERCEPT_SHUTDOWN);
	c->intercept_misc2 = BIT(INTERCEPT_VMRUN) | BIT(INTERCEPT_VMMCALL) |
		BIT(INTERCEPT_VMLOAD) | BIT(INTERCEPT_VMSAVE) |
		BIT(INTERCEPT_STGI) | BIT(INTERCEPT_CLGI) |
		BIT(INTERCEPT_SKINIT) | BIT(INTERCEPT_WBINVD) |
		BIT(INTERCEPT_MONITOR) | BIT(INTERCEPT_MWAIT) |
		BIT(INTERCEPT_XSETBV) | BIT(INTERCEPT_RDPRU);
	/* DR0-3 are the host's (VMRUN swaps only DR6/DR7): every guest
	 * MOV DR is emulated on kvmlab_vcpu's copies (emul.c).
	 */
	c->intercept_dr = 0xffff | 0xffff << 16;
	/* #MC belongs to the host. */
	c->intercept_exceptions = BIT(18);
	if (tdp)
		return;
	/* Shadow paging: the guest's CR0, CR3 and CR4 are not the CPU's,
	 * and its #PFs and INVLPGs are the shadow MMU's to see first.
	 */
	c->intercept_cr = 0x0019 | 0x0019 << 16;
	c->intercept_exceptions |= BIT(14);
	c->intercept_misc1 |= BIT(INTERCEPT_INVLPG);
}

/* What the CPU runs with, from what the guest set. */
static void svm_update_cr(struct kvmlab_vcpu *vcpu)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->save;
	u64 efer = vcpu->efer;

	if (vcpu->vm->mmu_ops->tdp) {
		s->cr0 = vcpu->cr0;
		s->cr3 = vcpu->cr3;
		s->cr4 = vcpu->cr4;
	} else {
		/* Shadow tables are always on, PAE or long-mode format;
		 * CR3 is set from the MMU's root before each entry.
		 */
		s->cr0 = vcpu->cr0 | X86_CR0_PG | X86_CR0_WP;
		s->cr4 = vcpu->cr4 | X86_CR4_PAE;
		if (!(efer & EFER_LMA))
			efer &= ~EFER_LME;
	}
	s->efer = efer | EFER_SVME;
}

static void init_seg(struct vmcb_seg *seg, u16 type)
{
	seg->selector = 0;
	seg->attrib = type | (1 << SVM_SELECTOR_S_SHIFT) |
		      (1 << SVM_SELECTOR_P_SHIFT);
	seg->limit = 0xffff;
	seg->base = 0;
}

static void init_sys_seg(struct vmcb_seg *seg, u16 type)
{
	seg->selector = 0;
	seg->attrib = type | (1 << SVM_SELECTOR_P_SHIFT);
	seg->limit = 0xffff;
	seg->base = 0;
}

/* The architectural reset state (APM vol. 2, 14.1.3). */
static void init_vmcb(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_control *c = &vmcb->control;
	struct vmcb_save *s = &vmcb->save;

	memset(vmcb, 0, PAGE_SIZE);
	set_intercepts(c, vcpu->vm->mmu_ops->tdp);
	c->iopm_base_pa = page_to_phys(iopm_pages);
	c->msrpm_base_pa = page_to_phys(msrpm_pages);
	c->int_ctl = V_INTR_MASKING;
	if (vcpu->vm->mmu_ops->tdp)
		c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;

	init_seg(&s->es, 3);
	init_seg(&s->ss, 3);
	init_seg(&s->ds, 3);
	init_seg(&s->fs, 3);
	init_seg(&s->gs, 3);
	init_seg(&s->cs, 0xb);
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	init_sys_seg(&s->ldtr, 2);
	init_sys_seg(&s->tr, 0xb);

	vcpu->efer = 0;
	vcpu->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	vcpu->cr3 = 0;
	vcpu->cr4 = 0;
	svm_update_cr(vcpu);
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->rflags = X86_EFLAGS_FIXED;
	s->g_pat = 0x0007040600070406ULL;
	vcpu->rip = 0xfff0;
	svm->asid_generation = 0;
	svm->pending_event = 0;
	svm->nmi_masked = svm->nmi_iret = svm->singlestep = false;
	svm->shadow_held = false;
}

static int svm_vcpu_create(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);

	if (!svm)
		return -ENOMEM;
	svm->vmcb = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	if (!svm->vmcb) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb_pa = __pa(svm->vmcb);
	vcpu->arch = svm;
	init_vmcb(vcpu);
	return 0;
}

static void svm_vcpu_free(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);

	if (!svm)
		return;
	kvmlab_page_free(svm->vmcb);
	kfree(svm);
	vcpu->arch = NULL;
}

/* ---- registers ---- */

static struct vmcb_seg *svm_seg(struct kvmlab_vcpu *vcpu, int seg)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->save;

	switch (seg) {
	case SEG_ES: return &s->es;
	case SEG_CS: return &s->cs;
	case SEG_SS: return &s->ss;
	case SEG_DS: return &s->ds;
	case SEG_FS: return &s->fs;
	case SEG_GS: return &s->gs;
	case SEG_TR: return &s->tr;
	default: return &s->ldtr;
	}
}

static void svm_get_segment(struct kvmlab_vcpu *vcpu, struct kvm_segment *var,
			    int seg)
{
	struct vmcb_seg *s = svm_seg(vcpu, seg);

	memset(var, 0, sizeof(*var));
	var->base = s->base;
	var->limit = s->limit;
	var->selector = s->selector;
	var->type = s->attrib & 0xf;
	var->s = (s->attrib >> SVM_SELECTOR_S_SHIFT) & 1;
	var->dpl = (s->attrib >> SVM_SELECTOR_DPL_SHIFT) & 3;
	var->present = (s->attrib >> SVM_SELECTOR_P_SHIFT) & 1;
	var->avl = (s->attrib >> SVM_SELECTOR_AVL_SHIFT) & 1;
	var->l = (s->attrib >> SVM_SELECTOR_L_SHIFT) & 1;
	var->db = (s->attrib >> SVM_SELECTOR_DB_SHIFT) & 1;
	var->g = (s->attrib >> SVM_SELECTOR_G_SHIFT) & 1;
	var->unusable = !var->present;
}

static void svm_set_segment(struct kvmlab_vcpu *vcpu,
			    const struct kvm_segment *var, int seg)
{
	struct vmcb_seg *s = svm_seg(vcpu, seg);

	s->base = var->base;
	s->limit = var->limit;
	s->selector = var->selector;
	if (var->unusable)
		s->attrib = 0;
	else
		s->attrib = (var->type & 0xf) |
			(var->s & 1) << SVM_SELECTOR_S_SHIFT |
			(var->dpl & 3) << SVM_SELECTOR_DPL_SHIFT |
			(var->present & 1) << SVM_SELECTOR_P_SHIFT |
			(var->avl & 1) << SVM_SELECTOR_AVL_SHIFT |
			(var->l & 1) << SVM_SELECTOR_L_SHIFT |
			(var->db & 1) << SVM_SELECTOR_DB_SHIFT |
			(var->g & 1) << SVM_SELECTOR_G_SHIFT;
	/* On AMD the CPL is SS.DPL. */
	if (seg == SEG_SS)
		to_vmcb(vcpu)->save.cpl = var->dpl & 3;
}

static void svm_get_dtable(struct kvmlab_vcpu *vcpu, struct kvm_dtable *dt,
			   bool idt)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->save;
	struct vmcb_seg *d = idt ? &s->idtr : &s->gdtr;

	memset(dt, 0, sizeof(*dt));
	dt->base = d->base;
	dt->limit = d->limit;
}

static void svm_set_dtable(struct kvmlab_vcpu *vcpu,
			   const struct kvm_dtable *dt, bool idt)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->save;
	struct vmcb_seg *d = idt ? &s->idtr : &s->gdtr;

	d->base = dt->base;
	d->limit = dt->limit;
}

static void svm_get_sregs(struct kvmlab_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct vmcb *vmcb = to_vmcb(vcpu);

	sregs->cr0 = vcpu->cr0;
	sregs->cr2 = vcpu->cr2;
	sregs->cr3 = vcpu->cr3;
	sregs->cr4 = vcpu->cr4;
	sregs->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
	sregs->efer = vcpu->efer;
}

static void svm_set_sregs(struct kvmlab_vcpu *vcpu,
			  const struct kvm_sregs *sregs)
{
	struct vmcb *vmcb = to_vmcb(vcpu);

	vcpu->cr0 = sregs->cr0 | X86_CR0_ET;
	vcpu->cr2 = sregs->cr2;
	vcpu->cr3 = sregs->cr3;
	vcpu->cr4 = sregs->cr4;
	vcpu->efer = sregs->efer;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) |
				(sregs->cr8 & V_TPR_MASK);
	svm_update_cr(vcpu);
}

/* The guest's own TF and RF, not the single step's (NMI or IRQ window). */
static u64 svm_get_rflags(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	u64 rflags = svm->vmcb->save.rflags;

	if (svm->singlestep)
		rflags = (rflags & ~(X86_EFLAGS_TF | X86_EFLAGS_RF)) |
			 (svm->ss_rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF));
	return rflags;
}

static void svm_set_rflags(struct kvmlab_vcpu *vcpu, u64 rflags)
{
	struct vcpu_svm *svm = to_svm(vcpu);

	if (svm->singlestep) {	/* the step goes on; the guest's flags later */
		svm->ss_rflags = rflags;
		rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
	}
	svm->vmcb->save.rflags = rflags | X86_EFLAGS_FIXED;
}

#define EFER_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/* The MSRs a guest keeps in the VMCB; everything else is x86.c's. */
static u64 *svm_msr_slot(struct kvmlab_vcpu *vcpu, u32 index)
{
	struct vmcb_save *s = &to_vmcb(vcpu)->save;

	switch (index) {
	case MSR_STAR: return &s->star;
	case MSR_LSTAR: return &s->lstar;
	case MSR_CSTAR: return &s->cstar;
	case MSR_SYSCALL_MASK: return &s->sfmask;
	case MSR_KERNEL_GS_BASE: return &s->kernel_gs_base;
	case MSR_IA32_SYSENTER_CS: return &s->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP: return &s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP: return &s->sysenter_eip;
	case MSR_FS_BASE: return &s->fs.base;
	case MSR_GS_BASE: return &s->gs.base;
	case MSR_IA32_CR_PAT: return &s->g_pat;
	default: return NULL;
	}
}

static int svm_get_msr(struct kvmlab_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *slot = svm_msr_slot(vcpu, index);

	if (slot) {
		*data = *slot;
		return 0;
	}
	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc() + to_vmcb(vcpu)->control.tsc_offset;
		return 0;
	case MSR_KVMLAB_VM_HSAVE_PA:
		*data = to_svm(vcpu)->vm_hsave_pa;
		return 0;
	case MSR_KVMLAB_VM_CR:
		*data = to_svm(vcpu)->vm_cr;
		return 0;
	}
	return kvmlab_get_msr_common(vcpu, index, data);
}

/* 0 = done, 1 = the guest gets #GP. */
static int svm_set_msr(struct kvmlab_vcpu *vcpu, u32 index, u64 data,
		       bool host)
{
	struct vmcb *vmcb = to_vmcb(vcpu);
	u64 *slot = svm_msr_slot(vcpu, index);

	if (slot)
		return kvmlab_set_msr_slot(slot, index, data, false);
	switch (index) {
	case MSR_IA32_TSC:
		vmcb->control.tsc_offset = data - rdtsc();
		return 0;
	case MSR_KVMLAB_VM_HSAVE_PA:
		/* a page address the guest could have: the in-tree checks */
		if (!host && (data & ~PAGE_MASK || data >> boot_cpu_data.x86_phys_bits))
			return 1;
		to_svm(vcpu)->vm_hsave_pa = data;
		return 0;
	case MSR_KVMLAB_VM_CR:
		/* only SVM_LOCK (3) and SVMDIS (4) exist */
		if (data & ~0x18ULL)
			return 1;
		to_svm(vcpu)->vm_cr = data;
		return 0;
	}
	return kvmlab_set_msr_common(vcpu, index, data, host);
}

static void svm_queue_exception(struct kvmlab_vcpu *vcpu, int vector,
				bool has_error, u32 error_code)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	u32 ev = kvmlab_exception_event(svm->pending_event, vector, has_error,
					&error_code);

	BUILD_BUG_ON(SVM_EVTINJ_VALID != KVMLAB_EV_VALID ||
		     SVM_EVTINJ_TYPE_EXEPT != KVMLAB_EV_EXCEPT ||
		     SVM_EVTINJ_VALID_ERR != KVMLAB_EV_HAS_ERR);
	if (!ev) {
		svm->triple_fault = true;
		svm->pending_event = 0;
		return;
	}
	svm->pending_event = ev;
	svm->pending_event_err = error_code;
	trace_kvmlab_inj_exception(vcpu->vcpu_id, ev & KVMLAB_EV_VECTOR,
				   !!(ev & KVMLAB_EV_HAS_ERR), error_code);
}

/* ---- interrupts from userspace (irq.c) ---- */

static bool svm_interrupt_allowed(struct kvmlab_vcpu *vcpu)
{
	struct vmcb *vmcb = to_vmcb(vcpu);

	return (vmcb->save.rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & 1);
}

static bool svm_event_pending(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);

	return (svm->pending_event & SVM_EVTINJ_VALID) || svm->triple_fault;
}

static u8 svm_get_tpr(struct kvmlab_vcpu *vcpu)
{
	return to_vmcb(vcpu)->control.int_ctl & V_TPR_MASK;
}

static void svm_set_tpr(struct kvmlab_vcpu *vcpu, u8 tpr)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->control;

	c->int_ctl = (c->int_ctl & ~V_TPR_MASK) | (tpr & V_TPR_MASK);
}

/* ---- events and NMIs (events.c) ---- */

static u32 svm_get_event(struct kvmlab_vcpu *vcpu, u32 *err)
{
	*err = to_svm(vcpu)->pending_event_err;
	return to_svm(vcpu)->pending_event;
}

static void svm_set_event(struct kvmlab_vcpu *vcpu, u32 info, u32 err)
{
	to_svm(vcpu)->pending_event = info;
	to_svm(vcpu)->pending_event_err = err;
}

/* SVM has one shadow bit: reported as both kinds, as the in-tree KVM. */
static int svm_get_shadow(struct kvmlab_vcpu *vcpu)
{
	return to_vmcb(vcpu)->control.int_state & 1 ?
	       KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS : 0;
}

static void svm_set_shadow(struct kvmlab_vcpu *vcpu, int mask)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->control;

	c->int_state = mask ? c->int_state | 1 : c->int_state & ~1;
	if (!mask)
		to_svm(vcpu)->shadow_held = false;
}

static bool svm_get_nmi_mask(struct kvmlab_vcpu *vcpu)
{
	return to_svm(vcpu)->nmi_masked;
}

static void svm_set_nmi_mask(struct kvmlab_vcpu *vcpu, bool masked)
{
	struct vcpu_svm *svm = to_svm(vcpu);

	svm->nmi_masked = masked;
	svm->nmi_iret = false;
	if (masked)
		svm->vmcb->control.intercept_misc1 |= BIT(INTERCEPT_IRET);
	else
		svm->vmcb->control.intercept_misc1 &= ~BIT(INTERCEPT_IRET);
}

/* Exit after one guest instruction: the IRET, or the shadowed one. */
static void svm_singlestep(struct vcpu_svm *svm)
{
	struct vmcb *vmcb = svm->vmcb;

	if (svm->singlestep)
		return;
	svm->singlestep = true;
	svm->ss_rflags = vmcb->save.rflags;
	vmcb->save.rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
	vmcb->control.intercept_exceptions |= BIT(1);
}

/* The step is over, or an event goes in first: the guest's TF and RF back. */
static void svm_end_step(struct vcpu_svm *svm)
{
	struct vmcb *vmcb = svm->vmcb;

	if (!svm->singlestep)
		return;
	vmcb->save.rflags = (vmcb->save.rflags & ~(X86_EFLAGS_TF | X86_EFLAGS_RF)) |
			    (svm->ss_rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF));
	svm->singlestep = false;
	vmcb->control.intercept_exceptions &= ~BIT(1);
}

/*
 * Step over the instruction in an STI/MOV SS shadow whenever the guest
 * enters in one.  TCG's VMRUN drops the shadow, so an exit before that
 * instruction is done (a host interrupt) would report none, and the
 * instruction would run outside it: svm_hold_shadow() keeps it at that
 * RIP until the step's #DB.  A real CPU keeps it itself.
 */
static void svm_step_shadow(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);

	svm_singlestep(svm);
	svm->shadow_held = true;
	svm->shadow_rip = vcpu->rip;
}

/* After an exit: the shadow holds while the stepped instruction waits. */
static void svm_hold_shadow(struct kvmlab_vcpu *vcpu, bool injected)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;

	if (!svm->shadow_held)
		return;
	if (injected || vcpu->rip != svm->shadow_rip ||
	    c->exit_code == SVM_EXIT_EXCP_BASE + 1)
		svm->shadow_held = false;
	else
		c->int_state |= 1;
}

/*
 * An NMI goes in before an interrupt, when NMIs are unmasked, no shadow
 * holds and no other event goes first.  While another waits: the IRET
 * intercept shows the end of the handler, a single step its completion
 * (and the end of a shadow).  An exception in the way delays the NMI to
 * the next exit (the in-tree KVM forces an immediate one).
 */
static void svm_inject_nmi(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	bool shadow = svm->vmcb->control.int_state & 1;

	if (!vcpu->nmi_pending)
		return;
	if (!(svm->pending_event & SVM_EVTINJ_VALID) && !svm->nmi_masked &&
	    !shadow) {
		svm->pending_event = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | 2;
		vcpu->nmi_pending--;
		svm_set_nmi_mask(vcpu, true);
	}
	if (!vcpu->nmi_pending || (svm->pending_event & SVM_EVTINJ_VALID &&
				   !svm->nmi_masked))
		return;
	/* (a shadow is stepped over by svm_inject_irq()) */
	if (svm->nmi_masked && svm->nmi_iret)
		svm_singlestep(svm);
}

/* After each exit: the guest moved past the IRET, NMIs are unmasked. */
static void svm_nmi_post_exit(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);

	if (svm->nmi_iret && vcpu->rip != svm->nmi_iret_rip)
		svm_set_nmi_mask(vcpu, false);
}

/*
 * Before an entry: hand a queued interrupt to the CPU if the guest can take
 * it and no other event goes first; and if an interrupt still waits, or
 * userspace asked for the window, arm a virtual interrupt of the highest
 * priority: the CPU exits (VINTR) as soon as the guest could take one.
 */
static void svm_inject_irq(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;
	bool window;

	svm_inject_nmi(vcpu);
	if (vcpu->irq_queued && !(svm->pending_event & SVM_EVTINJ_VALID) &&
	    svm_interrupt_allowed(vcpu)) {
		svm->pending_event = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR |
				     vcpu->irq_vector;
		vcpu->irq_queued = false;
	}
	window = kvmlab_want_irq_window(vcpu);
	if ((c->int_state & 1) && !(svm->pending_event & SVM_EVTINJ_VALID)) {
		/* TCG's VMRUN drops the shadow: without the step, its
		 * instruction would run (and exit) outside it and a V_IRQ
		 * come inside it.  The step's #DB brings the window back.
		 */
		svm_step_shadow(vcpu);
		window = false;
	}
	if (window) {
		c->int_ctl = (c->int_ctl & ~V_INTR_PRIO_MASK) | V_IRQ |
			     (0xf << V_INTR_PRIO_SHIFT);
		c->int_vector = 0;
		c->intercept_misc1 |= BIT(INTERCEPT_VINTR);
	} else {
		c->int_ctl &= ~(V_IRQ | V_INTR_PRIO_MASK);
		c->intercept_misc1 &= ~BIT(INTERCEPT_VINTR);
	}
}

/* ---- exit handlers: 1 = back to the guest, 0 = to userspace ---- */

/* The window opened: the run loop injects, or tells userspace. */
static int vintr_interception(struct kvmlab_vcpu *vcpu)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->control;

	c->int_ctl &= ~(V_IRQ | V_INTR_PRIO_MASK);
	c->intercept_misc1 &= ~BIT(INTERCEPT_VINTR);
	return 1;
}

static void skip_insn(struct kvmlab_vcpu *vcpu, int len)
{
	struct vmcb *vmcb = to_vmcb(vcpu);

	/* TCG's SVM has no NRIP-save: the intercepted forms have fixed
	 * lengths.  The emulator will measure prefixed forms.
	 */
	vcpu->rip += len;
	vmcb->control.int_state &= ~1;	/* the STI/MOV SS shadow ends */
	to_svm(vcpu)->shadow_held = false;
}

static int ud_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.insn_ud++;
	svm_queue_exception(vcpu, 6, false, 0);
	return 1;
}

static int nop3_interception(struct kvmlab_vcpu *vcpu)
{
	skip_insn(vcpu, 3);	/* monitor, mwait: a NOP, as the in-tree KVM */
	return 1;
}

static int nop2_interception(struct kvmlab_vcpu *vcpu)
{
	skip_insn(vcpu, 2);	/* invd, wbinvd */
	return 1;
}

static int gp_interception(struct kvmlab_vcpu *vcpu)
{
	svm_queue_exception(vcpu, 13, true, 0);
	return 1;
}

static int intr_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.irq_exits++;
	return 1;	/* the host takes it as soon as IRQs are on */
}

static int cpuid_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.cpuid_exits++;
	kvmlab_emulate_cpuid(vcpu);
	skip_insn(vcpu, 2);
	return 1;
}

static int hlt_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.halt_exits++;
	trace_kvmlab_hlt(vcpu->vcpu_id, vcpu->rip);
	skip_insn(vcpu, 1);
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

static int io_interception(struct kvmlab_vcpu *vcpu)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->control;
	u32 info = c->exit_info_1;
	struct kvmlab_pio *pio = &vcpu->pio;

	vcpu->stat.io_exits++;
	pio->in = info & SVM_IOIO_TYPE_IN;
	pio->string = info & SVM_IOIO_STR;
	pio->rep = info & SVM_IOIO_REP;
	pio->size = (info >> SVM_IOIO_SIZE_SHIFT) & 7;
	pio->addr_size = ((info >> SVM_IOIO_ASIZE_SHIFT) & 7) << 1;
	pio->seg = (info >> SVM_IOIO_SEG_SHIFT) & 7;
	pio->port = info >> 16;
	pio->next_rip = c->exit_info_2;	/* IOIO always gives it */
	return kvmlab_pio_exit(vcpu);
}

static int msr_interception(struct kvmlab_vcpu *vcpu)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->control;
	u32 index = vcpu->regs[VCPU_RCX];
	u64 data;

	vcpu->stat.msr_exits++;
	if (c->exit_info_1) {
		data = (vcpu->regs[VCPU_RDX] << 32) |
		       (u32)vcpu->regs[VCPU_RAX];
		if (svm_set_msr(vcpu, index, data, false)) {
			trace_kvmlab_msr(vcpu->vcpu_id, true, index, data, true);
			return gp_interception(vcpu);
		}
	} else {
		if (svm_get_msr(vcpu, index, &data)) {
			trace_kvmlab_msr(vcpu->vcpu_id, false, index, 0, true);
			return gp_interception(vcpu);
		}
		vcpu->regs[VCPU_RAX] = (u32)data;
		vcpu->regs[VCPU_RDX] = data >> 32;
	}
	trace_kvmlab_msr(vcpu->vcpu_id, c->exit_info_1, index, data, false);
	skip_insn(vcpu, 2);
	return 1;
}

static int shutdown_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.shutdown_exits++;
	/* The VMCB is undefined after a shutdown: start from reset. */
	init_vmcb(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int npf_interception(struct kvmlab_vcpu *vcpu)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->control;
	struct kvmlab_vm *vm = vcpu->vm;
	int r;

	vcpu->stat.npf_exits++;
	r = vm->mmu_ops->page_fault(vcpu, c->exit_info_2, c->exit_info_1);
	if (r)
		return r < 0 ? r : 1;
	/* No memory slot: MMIO, done by the emulator. */
	return kvmlab_emulate_insn(vcpu);
}

/*
 * Shadow paging: MOV to or from CR0/CR3/CR4, CLTS, LMSW.  TCG gives no
 * decode assist, so the instruction is read; the plain MOV forms (MOV to
 * CR3 is the context switch this project measures) are done here without
 * the full emulator, the rest goes to it.
 */
static int cr_interception(struct kvmlab_vcpu *vcpu)
{
	u32 code = to_vmcb(vcpu)->control.exit_code;
	bool write = code >= SVM_EXIT_WRITE_CR0;
	int cr = code - (write ? SVM_EXIT_WRITE_CR0 : SVM_EXIT_READ_CR0);
	bool lm = (vcpu->efer & EFER_LMA) && (to_vmcb(vcpu)->save.cs.attrib &
					       (1 << SVM_SELECTOR_L_SHIFT));
	u8 insn[4] = { 0 };
	int rex = 0, rm, r;
	u64 val;

	vcpu->stat.cr_exits++;
	if (kvmlab_read_insn(vcpu, insn, sizeof(insn)))
		return kvmlab_emulate_insn(vcpu);
	if (lm && (insn[0] & 0xf0) == 0x40)
		rex = 1;
	/* 0f 22 /r (to CR), 0f 20 /r (from CR), register form, no REX.R */
	if (insn[rex] != 0x0f || insn[rex + 1] != (write ? 0x22 : 0x20) ||
	    (insn[rex + 2] & 0xc0) != 0xc0 ||
	    ((insn[rex + 2] >> 3) & 7) != cr || (rex && (insn[0] & 4)))
		return kvmlab_emulate_insn(vcpu);
	rm = (insn[rex + 2] & 7) | (rex && (insn[0] & 1) ? 8 : 0);
	if (!write) {
		val = cr == 0 ? vcpu->cr0 : cr == 3 ? vcpu->cr3 : vcpu->cr4;
		vcpu->regs[rm] = lm ? val : (u32)val;
		skip_insn(vcpu, rex + 3);
		return 1;
	}
	val = lm ? vcpu->regs[rm] : (u32)vcpu->regs[rm];
	trace_kvmlab_cr(vcpu->vcpu_id, true, cr, val);
	if (cr == 0)
		r = kvmlab_set_cr0(vcpu, val);
	else if (cr == 3)
		r = kvmlab_set_cr3(vcpu, val);
	else
		r = kvmlab_set_cr4(vcpu, val);
	if (r)
		return gp_interception(vcpu);
	skip_insn(vcpu, rex + 3);
	return 1;
}

static int pf_interception(struct kvmlab_vcpu *vcpu)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->control;

	return vcpu->vm->mmu_ops->page_fault(vcpu, c->exit_info_2,
					     c->exit_info_1);
}

static int emulate_interception(struct kvmlab_vcpu *vcpu)
{
	return kvmlab_emulate_insn(vcpu);
}

/*
 * PAUSE: a guest spinning in a cpu_relax() loop exits on each one, as
 * with the in-tree KVM's pause filter at its shortest.  In the lab, TCG
 * left a pending host timer interrupt untaken (no INTR exit) while a
 * nested Linux spun, waiting for a tick only the host's QEMU could give
 * it: the whole lab froze.  The emulator steps over it (prefixes too).
 */
static int pause_interception(struct kvmlab_vcpu *vcpu)
{
	return kvmlab_emulate_insn(vcpu);
}

static int dr_interception(struct kvmlab_vcpu *vcpu)
{
	return kvmlab_emulate_insn(vcpu);
}

static int xsetbv_interception(struct kvmlab_vcpu *vcpu)
{
	if (kvmlab_emulate_xsetbv(vcpu))
		return gp_interception(vcpu);
	skip_insn(vcpu, 3);	/* 0f 01 d1 */
	return 1;
}

/* The NMI handler's IRET, before it runs: svm_nmi_post_exit unmasks. */
static int iret_interception(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);

	svm->vmcb->control.intercept_misc1 &= ~BIT(INTERCEPT_IRET);
	svm->nmi_iret = true;
	svm->nmi_iret_rip = vcpu->rip;
	return 1;
}

/* The single step of svm_singlestep() is over (#DB is intercepted only
 * then): the guest's TF and RF back, as the in-tree KVM.
 */
static int db_interception(struct kvmlab_vcpu *vcpu)
{
	svm_end_step(to_svm(vcpu));
	return 1;
}

static int (*const svm_exit_handlers[])(struct kvmlab_vcpu *vcpu) = {
	[SVM_EXIT_READ_CR0]	= cr_interception,
	[SVM_EXIT_READ_CR0 + 3]	= cr_interception,
	[SVM_EXIT_READ_CR0 + 4]	= cr_interception,
	[SVM_EXIT_WRITE_CR0]	= cr_interception,
	[SVM_EXIT_WRITE_CR0 + 3] = cr_interception,
	[SVM_EXIT_WRITE_CR0 + 4] = cr_interception,
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR0 + 15] = dr_interception,
	[SVM_EXIT_EXCP_BASE + 1] = db_interception,
	[SVM_EXIT_EXCP_BASE + 14] = pf_interception,
	[SVM_EXIT_IRET]		= iret_interception,
	[SVM_EXIT_INVLPG]	= emulate_interception,
	[SVM_EXIT_INTR]		= intr_interception,
	[SVM_EXIT_NMI]		= intr_interception,
	[SVM_EXIT_SMI]		= intr_interception,
	[SVM_EXIT_INIT]		= intr_interception,
	[SVM_EXIT_VINTR]	= vintr_interception,
	[SVM_EXIT_RDPMC]	= gp_interception,
	[SVM_EXIT_CPUID]	= cpuid_interception,
	[SVM_EXIT_INVD]		= nop2_interception,
	[SVM_EXIT_PAUSE]	= pause_interception,
	[SVM_EXIT_HLT]		= hlt_interception,
	[SVM_EXIT_INVLPGA]	= ud_interception,
	[SVM_EXIT_IOIO]		= io_interception,
	[SVM_EXIT_MSR]		= msr_interception,
	[SVM_EXIT_SHUTDOWN]	= shutdown_interception,
	[SVM_EXIT_VMRUN]	= ud_interception,
	[SVM_EXIT_VMMCALL]	= ud_interception,
	[SVM_EXIT_VMLOAD]	= ud_interception,
	[SVM_EXIT_VMSAVE]	= ud_interception,
	[SVM_EXIT_STGI]		= ud_interception,
	[SVM_EXIT_CLGI]		= ud_interception,
	[SVM_EXIT_SKINIT]	= ud_interception,
	[SVM_EXIT_WBINVD]	= nop2_interception,
	[SVM_EXIT_MONITOR]	= nop3_interception,
	[SVM_EXIT_MWAIT]	= nop3_interception,
	[SVM_EXIT_XSETBV]	= xsetbv_interception,
	[SVM_EXIT_RDPRU]	= ud_interception,
	[SVM_EXIT_NPF]		= npf_interception,
};

static int handle_exit(struct kvmlab_vcpu *vcpu)
{
	struct vmcb_control *c = &to_vmcb(vcpu)->control;
	u64 code = c->exit_code;


	if (code == SVM_EXIT_ERR) {
		struct kvm_run *run = vcpu->run;

		run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = code;
		run->fail_entry.cpu = vcpu->cpu;
		return 0;
	}
	if (code == SVM_EXIT_EXCP_BASE + 18)
		return 1;	/* #MC: the host's handler already ran */
	if (code >= ARRAY_SIZE(svm_exit_handlers) ||
	    !svm_exit_handlers[code]) {
		kvmlab_internal_error(vcpu,
				      KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				      code, c->exit_info_1);
		return 0;
	}
	return svm_exit_handlers[code](vcpu);
}

/* ---- the run loop's one iteration ---- */

static void new_asid(struct vcpu_svm *svm, struct svm_cpu_data *sd)
{
	if (sd->next_asid > svm_max_asid) {
		++sd->asid_generation;
		sd->next_asid = 1;
		svm->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	svm->asid_generation = sd->asid_generation;
	svm->vmcb->control.asid = sd->next_asid++;
}

/* An event the exit interrupted is delivered again on the next entry. */
static void complete_interrupts(struct vcpu_svm *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EVTINJ_TYPE_MASK;
	u8 vector = info & SVM_EVTINJ_VEC_MASK;

	if (!(info & SVM_EVTINJ_VALID))
		return;
	/* INTn, INT3 and INTO are re-executed from the same RIP instead. */
	if (type == SVM_EVTINJ_TYPE_SOFT ||
	    (type == SVM_EVTINJ_TYPE_EXEPT && (vector == 3 || vector == 4)))
		return;
	svm->pending_event = info;
	svm->pending_event_err = c->exit_int_info_err;
}

static int svm_run(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_svm *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct svm_cpu_data *sd;
	int cpu;

	if (svm->triple_fault) {
		svm->triple_fault = false;
		return shutdown_interception(vcpu);
	}

	if (vcpu->vm->mmu_ops->tdp) {
		vmcb->control.nested_cr3 = vcpu->vm->mmu_ops->root_hpa(vcpu);
	} else {
		vmcb->save.cr3 = vcpu->vm->mmu_ops->root_hpa(vcpu);
		if (!vmcb->save.cr3)
			return -ENOMEM;
	}
	vmcb->save.rax = vcpu->regs[VCPU_RAX];
	vmcb->save.rsp = vcpu->regs[VCPU_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.cr2 = vcpu->cr2;
	svm_inject_irq(vcpu);
	/* the event's frame gets the guest's TF; the next exit steps again */
	if (svm->pending_event & SVM_EVTINJ_VALID)
		svm_end_step(svm);
	vmcb->control.event_inj = svm->pending_event;
	vmcb->control.event_inj_err = svm->pending_event_err;
	svm->pending_event = 0;

	kernel_fpu_begin();
	kvmlab_fpu_load(vcpu);
	local_irq_disable();

	if (!kvmlab_vcpu_enter_check(vcpu)) {
		local_irq_enable();
		kernel_fpu_end();
		svm->pending_event = vmcb->control.event_inj;
		return 1;
	}
	cpu = smp_processor_id();
	sd = per_cpu_ptr(&svm_data, cpu);
	if (test_and_clear_bit(KVMLAB_REQ_TLB_FLUSH, &vcpu->requests))
		svm->asid_generation = 0;
	if (svm->asid_cpu != cpu || svm->asid_generation != sd->asid_generation)
		new_asid(svm, sd);
	svm->asid_cpu = cpu;
	vmcb->control.clean = 0;
	/* Guest mode is a quiescent state for RCU, as user mode is. */
	rcu_virt_note_context_switch(cpu);
	trace_kvmlab_entry(vcpu);

	kvmlab_xcr0_guest(vcpu);
	clgi();
	kvmlab_svm_vmrun(svm->vmcb_pa, vcpu->regs,
			 page_to_phys(sd->host_vmcb));
	stgi();
	kvmlab_xcr0_host(vcpu);

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	WRITE_ONCE(vcpu->mode, OUTSIDE_GUEST_MODE);
	local_irq_enable();
	kvmlab_fpu_save(vcpu);
	kernel_fpu_end();

	vcpu->regs[VCPU_RAX] = vmcb->save.rax;
	vcpu->regs[VCPU_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->cr2 = vmcb->save.cr2;
	if (vcpu->vm->mmu_ops->tdp) {
		/* Nested paging: the guest changed these freely. */
		vcpu->cr0 = vmcb->save.cr0;
		vcpu->cr3 = vmcb->save.cr3;
		vcpu->cr4 = vmcb->save.cr4;
		vcpu->efer = (vcpu->efer & ~EFER_LMA) |
			     (vmcb->save.efer & EFER_LMA);
	}
	svm_hold_shadow(vcpu, vmcb->control.event_inj & SVM_EVTINJ_VALID);
	vmcb->control.event_inj = 0;
	complete_interrupts(svm);
	svm_nmi_post_exit(vcpu);

	vcpu->stat.exits++;
	trace_kvmlab_exit(vcpu, vmcb->control.exit_code, vmcb->control.exit_info_1,
			  vmcb->control.exit_info_2, vcpu->cr3);
	return handle_exit(vcpu);
}

const struct kvmlab_arch_ops svm_arch_ops = {
	.name			= "svm",
	.hardware_setup		= svm_hardware_setup,
	.hardware_unsetup	= svm_hardware_unsetup,
	.vcpu_create		= svm_vcpu_create,
	.vcpu_free		= svm_vcpu_free,
	.get_segment		= svm_get_segment,
	.set_segment		= svm_set_segment,
	.get_dtable		= svm_get_dtable,
	.set_dtable		= svm_set_dtable,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.update_cr		= svm_update_cr,
	.get_rflags		= svm_get_rflags,
	.set_rflags		= svm_set_rflags,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.queue_exception	= svm_queue_exception,
	.interrupt_allowed	= svm_interrupt_allowed,
	.event_pending		= svm_event_pending,
	.get_event		= svm_get_event,
	.set_event		= svm_set_event,
	.get_shadow		= svm_get_shadow,
	.set_shadow		= svm_set_shadow,
	.get_nmi_mask		= svm_get_nmi_mask,
	.set_nmi_mask		= svm_set_nmi_mask,
	.get_tpr		= svm_get_tpr,
	.set_tpr		= svm_set_tpr,
	.run			= svm_run,
};
