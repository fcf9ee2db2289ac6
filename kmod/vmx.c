// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the Intel VT-x (VMX) backend.
 *
 * One VMCS per vCPU.  The guest state lives in struct vcpu_vmx, like the
 * VMCB's save area on AMD-V: the accessors (segments, MSRs, RFLAGS) work
 * on it, and each entry writes it, the controls and the host state into
 * the VMCS, which is VMPTRLDed, VMLAUNCHed, read back and VMCLEARed again
 * with interrupts off.  So a VMCS is never current outside one entry and
 * a vCPU moves between CPUs freely; the price is about a hundred
 * VMREAD/VMWRITEs per exit, small next to the exit path itself.
 *
 * Every I/O port and MSR access exits (unconditional I/O exiting, no MSR
 * bitmap), as on AMD-V.  Shadow paging (flush, cache) intercepts CR3
 * loads and stores, INVLPG and #PF, and owns every CR0/CR4 bit (guest/host
 * masks all ones: the guest reads its own values from the read shadows).
 * The nested variant uses EPT (ept.c) and, with unrestricted guest, runs
 * real mode natively.  Without unrestricted guest (early VT-x, and the
 * shadow variants, since VT-x ties it to EPT) real mode runs in vm86
 * mode, as in the 2006 driver: vmx_rmode.c, hooked in at entry, exit and
 * exception.
 * The exit handlers are an array indexed by basic exit reason.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/cpu.h>
#include <linux/rcupdate.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/desc.h>
#include <asm/tlbflush.h>
#include <asm/special_insns.h>
#include <asm/processor-flags.h>
#include <asm/fpu/api.h>
#include <asm/debugreg.h>
#include <asm/tsc.h>

#include "kvmlab.h"
#include "vmx.h"
#include "vmx_rmode.h"
#include "trace.h"

/* ---- VMX instructions ---- */

static inline int vmxon(u64 pa)
{
	bool fail;

	asm volatile("vmxon %1; setna %0"
		     : "=qm" (fail) : "m" (pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static inline void vmxoff(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

static inline int vmclear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %1; setna %0"
		     : "=qm" (fail) : "m" (pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static inline int vmptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %1; setna %0"
		     : "=qm" (fail) : "m" (pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static unsigned long vmcs_read(unsigned long field)
{
	unsigned long val;

	asm volatile("vmread %1, %0" : "=r" (val) : "r" (field) : "cc");
	return val;
}

static void vmcs_write(unsigned long field, unsigned long val)
{
	bool fail;

	asm volatile("vmwrite %2, %1; setna %0"
		     : "=qm" (fail) : "r" (field), "rm" (val) : "cc");
	WARN_ONCE(fail, "kvmlab: vmwrite 0x%lx <- 0x%lx failed (error %lu)\n",
		  field, val, vmcs_read(VM_INSTRUCTION_ERROR));
}

/* ---- what the CPU offers, found at load ---- */

struct vmx_config {
	u32 revision;
	u32 pin, proc, proc2, exit, entry;
	u32 proc_must;		/* allowed-0 settings: bits that must be 1 */
	bool vnmi;		/* virtual NMIs and NMI-window exiting */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_cap;
	bool ept;		/* EPT with WB, 4 levels and INVEPT */
	bool unrestricted;	/* real mode and unpaged protected mode */
	bool vpid;		/* VPIDs with INVVPID single or all-context */
	bool inout_info;	/* string I/O exits give size and segment */
	u32 preempt_ticks;	/* VMX-preemption timer: one host tick, or 0 */
};

static struct vmx_config vmcfg;

struct vmx_cpu_data {
	void *vmxon_region;
	bool enabled;
};

static DEFINE_PER_CPU(struct vmx_cpu_data, vmx_data);
static atomic_t vmx_enable_failed;

struct vmx_exit_info {
	u32 reason;
	u64 qual;
	u32 intr_info, intr_err;
	u32 idt_info, idt_err;
	u32 insn_len, insn_info;
	u64 gpa;
};

#define NR_SWAP_MSRS	5
static const u32 swap_msrs[NR_SWAP_MSRS] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

struct vcpu_vmx {
	void *vmcs;
	u64 vmcs_pa;
	bool vmcs_ready;	/* VMCLEARed once since allocation */
	bool ran;		/* entered once: EPT TLB flushed */
	u16 vpid;		/* 0: none, entry and exit flush the TLB */
	int last_cpu;		/* where the VPID's TLB entries may live */

	struct vmx_seg seg[8];
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u64 rflags;
	u32 interruptibility;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 msr[NR_SWAP_MSRS];	/* the guest's, swapped around entry */
	u64 pat;
	u64 tsc_offset;
	u64 cr8;

	u32 pending_event;	/* VM-entry interruption information */
	u32 pending_event_err;
	bool triple_fault;

	struct vmx_exit_info exit;
	struct vmx_rmode rm;	/* real mode without unrestricted guest */
};

static inline struct vcpu_vmx *to_vmx(struct kvmlab_vcpu *vcpu)
{
	return vcpu->arch;
}

/* kvmlab's enum kvmlab_seg to the VMCS's segment order */
static int vmcs_seg_index(int seg)
{
	static const int idx[NR_SEGS] = {
		[SEG_ES] = 0, [SEG_CS] = 1, [SEG_SS] = 2, [SEG_DS] = 3,
		[SEG_FS] = 4, [SEG_GS] = 5, [SEG_LDTR] = 6, [SEG_TR] = 7,
	};

	return idx[seg];
}

/*
 * ---- VPIDs ----
 * A vCPU's TLB entries carry its VPID, so VM entry and exit keep them
 * (and the host's, VPID 0) instead of flushing; kvmlab flushes them with
 * INVVPID where svm.c takes a new ASID: on the MMU's request, on the
 * first entry (the VPID may be a freed vCPU's) and on a CPU change.
 */
#define VMX_NR_VPIDS	(1 << 16)

static DECLARE_BITMAP(vpid_bitmap, VMX_NR_VPIDS);
static DEFINE_SPINLOCK(vpid_lock);

static u16 vpid_alloc(void)
{
	unsigned long v;

	if (!vmcfg.vpid)
		return 0;
	spin_lock(&vpid_lock);
	v = find_next_zero_bit(vpid_bitmap, VMX_NR_VPIDS, 1);
	if (v < VMX_NR_VPIDS)
		__set_bit(v, vpid_bitmap);
	else
		v = 0;		/* all taken: this vCPU flushes instead */
	spin_unlock(&vpid_lock);
	return v;
}

static void vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vpid_lock);
	__clear_bit(vpid, vpid_bitmap);
	spin_unlock(&vpid_lock);
}

struct invvpid_desc {
	u64 vpid;
	u64 gva;
};

static void invvpid(u16 vpid)
{
	struct invvpid_desc desc = { vpid, 0 };
	unsigned long type = 1;		/* single context */

	if (!(vmcfg.ept_cap & VMXCAP_INVVPID_SINGLE))
		type = 2;		/* all contexts but VPID 0 */
	asm volatile("invvpid %0, %1" : : "m" (desc), "r" (type)
		     : "cc", "memory");
}

/* ---- per-CPU enable ---- */

static void vmx_cpu_enable(void *unused)
{
	struct vmx_cpu_data *cd = this_cpu_ptr(&vmx_data);

	if (__read_cr4() & X86_CR4_VMXE) {
		/* Another hypervisor (kvm_intel) is in VMX operation here. */
		atomic_inc(&vmx_enable_failed);
		return;
	}
	cr4_set_bits(X86_CR4_VMXE);
	if (vmxon(__pa(cd->vmxon_region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		atomic_inc(&vmx_enable_failed);
		return;
	}
	cd->enabled = true;
}

static void vmx_cpu_disable(void *unused)
{
	struct vmx_cpu_data *cd = this_cpu_ptr(&vmx_data);

	if (!cd->enabled)
		return;
	vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
	cd->enabled = false;
}

static void vmx_free_cpu_data(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu_data *cd = per_cpu_ptr(&vmx_data, cpu);

		if (cd->vmxon_region)
			free_page((unsigned long)cd->vmxon_region);
		cd->vmxon_region = NULL;
	}
}

/*
 * A control word: @min must be settable, @opt is taken where allowed;
 * the allowed-0 settings (low half of the MSR) are forced on.
 */
static int adjust_controls(u32 min, u32 opt, u32 msr, u32 *out)
{
	u32 lo, hi, ctl = min | opt;

	rdmsr(msr, lo, hi);
	ctl &= hi;
	ctl |= lo;
	if (min & ~ctl) {
		pr_err("kvmlab: VMX control MSR 0x%x lacks 0x%x (allowed-1 0x%x)\n",
		       msr, min & ~ctl, hi);
		return -EOPNOTSUPP;
	}
	*out = ctl;
	return 0;
}

static int vmx_setup_config(void)
{
	struct vmx_config *c = &vmcfg;
	u64 basic;
	bool tru;
	u32 lo, hi;
	int r;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	c->revision = basic & VMXCAP_REVISION_MASK;
	if (((basic >> 32) & 0x1fff) > PAGE_SIZE || ((basic >> 50) & 15) != 6) {
		pr_err("kvmlab: VMCS size or memory type unsupported (IA32_VMX_BASIC 0x%llx)\n",
		       basic);
		return -EOPNOTSUPP;
	}
	tru = basic & VMXCAP_TRUE_CTLS;
	c->inout_info = basic & VMXCAP_INOUT_INFO;

	r = adjust_controls(PIN_EXT_INTR_EXITING | PIN_NMI_EXITING,
			    PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER,
			    tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				  MSR_IA32_VMX_PINBASED_CTLS, &c->pin);
	if (r)
		return r;
	c->preempt_ticks = 0;
	if (c->pin & PIN_PREEMPTION_TIMER) {
		u64 misc, t = (u64)tsc_khz * 1000 / HZ;

		rdmsrl(MSR_IA32_VMX_MISC, misc);
		t >>= misc & MSR_IA32_VMX_MISC_PREEMPTION_TIMER_SCALE;
		c->preempt_ticks = clamp_t(u64, t, 1, U32_MAX);
		c->pin &= ~PIN_PREEMPTION_TIMER;	/* per entry */
	}
	r = adjust_controls(CPU_HLT_EXITING | CPU_INVLPG_EXITING |
			    CPU_MWAIT_EXITING | CPU_RDPMC_EXITING |
			    CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING |
			    CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING |
			    CPU_UNCOND_IO_EXITING | CPU_MONITOR_EXITING |
			    CPU_USE_TSC_OFFSETTING | CPU_MOV_DR_EXITING,
			    CPU_SECONDARY_CONTROLS | CPU_NMI_WINDOW_EXITING,
			    tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				  MSR_IA32_VMX_PROCBASED_CTLS, &c->proc);
	if (r)
		return r;
	/* Every I/O port and MSR exits: no bitmaps.  The interrupt window
	 * is opened per entry.
	 */
	c->vnmi = (c->pin & PIN_VIRTUAL_NMIS) &&
		  (c->proc & CPU_NMI_WINDOW_EXITING);
	c->proc &= ~(CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
		     CPU_INTR_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING);
	rdmsr(tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
		    MSR_IA32_VMX_PROCBASED_CTLS, lo, hi);
	c->proc_must = lo;
	c->proc2 = 0;
	if (c->proc & CPU_SECONDARY_CONTROLS) {
		r = adjust_controls(0, SEC_ENABLE_EPT | SEC_UNRESTRICTED_GUEST |
				    SEC_WBINVD_EXITING | SEC_ENABLE_VPID,
				    MSR_IA32_VMX_PROCBASED_CTLS2, &c->proc2);
		if (r)
			return r;
	}
	r = adjust_controls(EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_IA32_PAT |
			    EXIT_LOAD_IA32_EFER, 0,
			    tru ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				  MSR_IA32_VMX_EXIT_CTLS, &c->exit);
	if (r)
		return r;
	c->exit &= ~EXIT_ACK_INTR_ON_EXIT;	/* the host takes it itself */
	r = adjust_controls(ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER, 0,
			    tru ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				  MSR_IA32_VMX_ENTRY_CTLS, &c->entry);
	if (r)
		return r;
	c->entry &= ~ENTRY_IA32E_MODE;		/* per entry */

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);

	c->ept_cap = 0;
	if (c->proc2 & (SEC_ENABLE_EPT | SEC_ENABLE_VPID))
		rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_cap);
	c->ept = (c->proc2 & SEC_ENABLE_EPT) &&
		 (c->ept_cap & VMXCAP_EPT_PWL4) &&
		 (c->ept_cap & VMXCAP_EPT_WB) &&
		 (c->ept_cap & VMXCAP_INVEPT) &&
		 (c->ept_cap & VMXCAP_INVEPT_ALL);
	c->unrestricted = c->ept && (c->proc2 & SEC_UNRESTRICTED_GUEST);
	if (!c->ept)
		c->proc2 &= ~(SEC_ENABLE_EPT | SEC_UNRESTRICTED_GUEST);
	c->vpid = (c->proc2 & SEC_ENABLE_VPID) &&
		  (c->ept_cap & VMXCAP_INVVPID) &&
		  (c->ept_cap & (VMXCAP_INVVPID_SINGLE | VMXCAP_INVVPID_ALL));
	/* per vCPU, when it got a VPID */
	c->proc2 &= ~SEC_ENABLE_VPID;
	return 0;
}

static int vmx_hardware_setup(void)
{
	u64 feat;
	int cpu, r;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("kvmlab: this CPU has no VT-x (VMX), or the firmware disabled it\n");
		return -EOPNOTSUPP;
	}
	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("kvmlab: VMX is disabled in IA32_FEATURE_CONTROL (0x%llx): enable VT-x in the firmware\n",
		       feat);
		return -EOPNOTSUPP;
	}
	r = vmx_setup_config();
	if (r)
		return r;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu_data *cd = per_cpu_ptr(&vmx_data, cpu);

		cd->vmxon_region = (void *)get_zeroed_page(GFP_KERNEL);
		if (!cd->vmxon_region) {
			vmx_free_cpu_data();
			return -ENOMEM;
		}
		*(u32 *)cd->vmxon_region = vmcfg.revision;
	}

	cpus_read_lock();
	atomic_set(&vmx_enable_failed, 0);
	on_each_cpu(vmx_cpu_enable, NULL, 1);
	if (atomic_read(&vmx_enable_failed)) {
		on_each_cpu(vmx_cpu_disable, NULL, 1);
		cpus_read_unlock();
		pr_err("kvmlab: VMX is already in use by another hypervisor (kvm_intel running a VM?) or VMXON failed; unload kvm_intel first\n");
		vmx_free_cpu_data();
		return -EBUSY;
	}
	cpus_read_unlock();
	pr_info("kvmlab: VMX revision %u, EPT %s, unrestricted guest %s, VPID %s, pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x\n",
		vmcfg.revision, vmcfg.ept ? "yes" : "no",
		vmcfg.unrestricted ? "yes" : "no", vmcfg.vpid ? "yes" : "no",
		vmcfg.pin, vmcfg.proc,
		vmcfg.proc2, vmcfg.exit, vmcfg.entry);
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	cpus_read_lock();
	on_each_cpu(vmx_cpu_disable, NULL, 1);
	cpus_read_unlock();
	vmx_free_cpu_data();
}

/* ---- guest state ---- */

static void init_seg(struct vmx_seg *s, u32 ar)
{
	s->sel = 0;
	s->base = 0;
	s->limit = 0xffff;
	s->ar = ar;
}

/* The architectural reset state (SDM vol. 3A, 9.1.1). */
static void init_state(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	int i;

	for (i = 0; i < 6; i++)
		init_seg(&vmx->seg[i], 0x93);	/* read/write, accessed */
	vmx->seg[1].ar = 0x9b;			/* CS: execute/read */
	vmx->seg[1].sel = 0xf000;
	vmx->seg[1].base = 0xffff0000;
	init_seg(&vmx->seg[6], 0x82);		/* LDT */
	init_seg(&vmx->seg[7], 0x8b);		/* busy 32-bit TSS */
	vmx->gdtr_base = vmx->idtr_base = 0;
	vmx->gdtr_limit = vmx->idtr_limit = 0xffff;
	vmx->rflags = X86_EFLAGS_FIXED;
	vmx->interruptibility = 0;
	vmx->sysenter_cs = vmx->sysenter_esp = vmx->sysenter_eip = 0;
	memset(vmx->msr, 0, sizeof(vmx->msr));
	vmx->pat = 0x0007040600070406ULL;
	vmx->cr8 = 0;
	vmx->pending_event = 0;
	vmx->triple_fault = false;

	vcpu->efer = 0;
	vcpu->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	vcpu->cr3 = 0;
	vcpu->cr4 = 0;
	vcpu->rip = 0xfff0;
}

static int vmx_vcpu_create(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);

	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = kvmlab_page_alloc(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs) {
		kfree(vmx);
		return -ENOMEM;
	}
	*(u32 *)vmx->vmcs = vmcfg.revision;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->vpid = vpid_alloc();
	vmx->last_cpu = -1;
	vcpu->arch = vmx;
	init_state(vcpu);
	return 0;
}

static void vmx_vcpu_free(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	if (!vmx)
		return;
	/* Never current outside an entry: nothing to VMCLEAR here. */
	kvmlab_page_free(vmx->vmcs);
	vpid_free(vmx->vpid);
	kfree(vmx);
	vcpu->arch = NULL;
}

static void vmx_get_segment(struct kvmlab_vcpu *vcpu, struct kvm_segment *var,
			    int seg)
{
	struct vmx_seg *s = &to_vmx(vcpu)->seg[vmcs_seg_index(seg)];

	memset(var, 0, sizeof(*var));
	var->base = s->base;
	var->limit = s->limit;
	var->selector = s->sel;
	var->unusable = (s->ar & VMX_AR_UNUSABLE) ? 1 : 0;
	if (var->unusable)
		return;
	var->type = s->ar & 15;
	var->s = (s->ar >> 4) & 1;
	var->dpl = (s->ar >> 5) & 3;
	var->present = (s->ar >> 7) & 1;
	var->avl = (s->ar >> 12) & 1;
	var->l = (s->ar >> 13) & 1;
	var->db = (s->ar >> 14) & 1;
	var->g = (s->ar >> 15) & 1;
}

static void vmx_set_segment(struct kvmlab_vcpu *vcpu,
			    const struct kvm_segment *var, int seg)
{
	struct vmx_seg *s = &to_vmx(vcpu)->seg[vmcs_seg_index(seg)];
	u32 type = var->type & 15;

	s->base = var->base;
	s->limit = var->limit;
	s->sel = var->selector;
	if (var->unusable || !var->present) {
		s->ar = VMX_AR_UNUSABLE;
		return;
	}
	/*
	 * VM entry wants loaded code and data segments accessed and TR
	 * busy, which is what the CPU itself makes of them when it loads
	 * them; AMD-V does not check, so userspace may leave them clear.
	 */
	if (var->s)
		type |= 1;
	else if (seg == SEG_TR && (type == 1 || type == 9))
		type |= 2;
	s->ar = type | (var->s & 1) << 4 | (var->dpl & 3) << 5 |
		(var->present & 1) << 7 | (var->avl & 1) << 12 |
		(var->l & 1) << 13 | (var->db & 1) << 14 | (var->g & 1) << 15;
}

static void vmx_get_dtable(struct kvmlab_vcpu *vcpu, struct kvm_dtable *dt,
			   bool idt)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	memset(dt, 0, sizeof(*dt));
	dt->base = idt ? vmx->idtr_base : vmx->gdtr_base;
	dt->limit = idt ? vmx->idtr_limit : vmx->gdtr_limit;
}

static void vmx_set_dtable(struct kvmlab_vcpu *vcpu,
			   const struct kvm_dtable *dt, bool idt)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	if (idt) {
		vmx->idtr_base = dt->base;
		vmx->idtr_limit = dt->limit;
	} else {
		vmx->gdtr_base = dt->base;
		vmx->gdtr_limit = dt->limit;
	}
}

static void vmx_get_sregs(struct kvmlab_vcpu *vcpu, struct kvm_sregs *sregs)
{
	sregs->cr0 = vcpu->cr0;
	sregs->cr2 = vcpu->cr2;
	sregs->cr3 = vcpu->cr3;
	sregs->cr4 = vcpu->cr4;
	sregs->cr8 = to_vmx(vcpu)->cr8;
	sregs->efer = vcpu->efer;
}

static void vmx_set_sregs(struct kvmlab_vcpu *vcpu,
			  const struct kvm_sregs *sregs)
{
	vcpu->cr0 = sregs->cr0 | X86_CR0_ET;
	vcpu->cr2 = sregs->cr2;
	vcpu->cr3 = sregs->cr3;
	vcpu->cr4 = sregs->cr4;
	vcpu->efer = sregs->efer;
	to_vmx(vcpu)->cr8 = sregs->cr8 & 15;
}

/* Every entry writes CR0/CR3/CR4/EFER from the vCPU: nothing to do. */
static void vmx_update_cr(struct kvmlab_vcpu *vcpu)
{
}

static u64 vmx_get_rflags(struct kvmlab_vcpu *vcpu)
{
	return to_vmx(vcpu)->rflags;
}

static void vmx_set_rflags(struct kvmlab_vcpu *vcpu, u64 rflags)
{
	to_vmx(vcpu)->rflags = rflags | X86_EFLAGS_FIXED;
}

/* The MSRs a guest keeps in struct vcpu_vmx; the rest are x86.c's. */
static u64 *vmx_msr_slot(struct kvmlab_vcpu *vcpu, u32 index)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	int i;

	for (i = 0; i < NR_SWAP_MSRS; i++)
		if (swap_msrs[i] == index)
			return &vmx->msr[i];
	switch (index) {
	case MSR_IA32_SYSENTER_CS: return &vmx->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP: return &vmx->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP: return &vmx->sysenter_eip;
	case MSR_FS_BASE: return &vmx->seg[4].base;
	case MSR_GS_BASE: return &vmx->seg[5].base;
	case MSR_IA32_CR_PAT: return &vmx->pat;
	default: return NULL;
	}
}

static int vmx_get_msr(struct kvmlab_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *slot = vmx_msr_slot(vcpu, index);

	if (slot) {
		*data = *slot;
		return 0;
	}
	if (index == MSR_IA32_TSC) {
		*data = rdtsc() + to_vmx(vcpu)->tsc_offset;
		return 0;
	}
	return kvmlab_get_msr_common(vcpu, index, data);
}

/* 0 = done, 1 = the guest gets #GP. */
static int vmx_set_msr(struct kvmlab_vcpu *vcpu, u32 index, u64 data,
		       bool host)
{
	u64 *slot = vmx_msr_slot(vcpu, index);

	if (slot)
		return kvmlab_set_msr_slot(slot, index, data, true);
	if (index == MSR_IA32_TSC) {
		to_vmx(vcpu)->tsc_offset = data - rdtsc();
		return 0;
	}
	return kvmlab_set_msr_common(vcpu, index, data, host);
}

static void vmx_queue_exception(struct kvmlab_vcpu *vcpu, int vector,
				bool has_error, u32 error_code)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	u32 ev = kvmlab_exception_event(vmx->pending_event, vector, has_error,
					&error_code);

	BUILD_BUG_ON(INTR_INFO_VALID != KVMLAB_EV_VALID ||
		     INTR_TYPE_HARD_EXCEPTION != KVMLAB_EV_EXCEPT ||
		     INTR_INFO_DELIVER_CODE != KVMLAB_EV_HAS_ERR);
	if (!ev) {
		vmx->triple_fault = true;
		vmx->pending_event = 0;
		return;
	}
	vmx->pending_event = ev;
	vmx->pending_event_err = error_code;
	trace_kvmlab_inj_exception(vcpu->vcpu_id, ev & KVMLAB_EV_VECTOR,
				   !!(ev & KVMLAB_EV_HAS_ERR), error_code);
}

/* ---- interrupts from userspace (irq.c) ---- */

static bool vmx_interrupt_allowed(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	return (vmx->rflags & X86_EFLAGS_IF) &&
	       !(vmx->interruptibility & (GUEST_INTR_STI | GUEST_INTR_MOV_SS));
}

static bool vmx_event_pending(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	return (vmx->pending_event & INTR_INFO_VALID) || vmx->triple_fault;
}

static u8 vmx_get_tpr(struct kvmlab_vcpu *vcpu)
{
	return to_vmx(vcpu)->cr8;
}

static void vmx_set_tpr(struct kvmlab_vcpu *vcpu, u8 tpr)
{
	to_vmx(vcpu)->cr8 = tpr & 15;
}

/* ---- events and NMIs (events.c): virtual NMIs ---- */

static u32 vmx_get_event(struct kvmlab_vcpu *vcpu, u32 *err)
{
	*err = to_vmx(vcpu)->pending_event_err;
	return to_vmx(vcpu)->pending_event;
}

static void vmx_set_event(struct kvmlab_vcpu *vcpu, u32 info, u32 err)
{
	to_vmx(vcpu)->pending_event = info;
	to_vmx(vcpu)->pending_event_err = err;
}

static int vmx_get_shadow(struct kvmlab_vcpu *vcpu)
{
	u32 i = to_vmx(vcpu)->interruptibility;

	return (i & GUEST_INTR_STI ? KVM_X86_SHADOW_INT_STI : 0) |
	       (i & GUEST_INTR_MOV_SS ? KVM_X86_SHADOW_INT_MOV_SS : 0);
}

static void vmx_set_shadow(struct kvmlab_vcpu *vcpu, int mask)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	vmx->interruptibility &= ~(GUEST_INTR_STI | GUEST_INTR_MOV_SS);
	if (mask & KVM_X86_SHADOW_INT_MOV_SS)
		vmx->interruptibility |= GUEST_INTR_MOV_SS;
	else if (mask & KVM_X86_SHADOW_INT_STI)
		vmx->interruptibility |= GUEST_INTR_STI;
}

/* Blocking by NMI: set by the CPU at an NMI's delivery, gone at IRET. */
static bool vmx_get_nmi_mask(struct kvmlab_vcpu *vcpu)
{
	return to_vmx(vcpu)->interruptibility & GUEST_INTR_NMI;
}

static void vmx_set_nmi_mask(struct kvmlab_vcpu *vcpu, bool masked)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	if (masked)
		vmx->interruptibility |= GUEST_INTR_NMI;
	else
		vmx->interruptibility &= ~GUEST_INTR_NMI;
}

static bool vmx_nmi_supported(void)
{
	return vmcfg.vnmi;
}

/*
 * An NMI goes in before an interrupt when nothing blocks it (NMI, STI or
 * MOV SS blocking, another event first).  True: another waits, open the
 * NMI window (the CPU exits once the blocking by NMI is over).
 */
static bool vmx_inject_nmi(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	if (!vcpu->nmi_pending)
		return false;
	if (!(vmx->pending_event & INTR_INFO_VALID) &&
	    !(vmx->interruptibility &
	      (GUEST_INTR_STI | GUEST_INTR_MOV_SS | GUEST_INTR_NMI))) {
		vmx->pending_event = INTR_INFO_VALID | INTR_TYPE_NMI | 2;
		vcpu->nmi_pending--;
	}
	return vcpu->nmi_pending;
}

/*
 * Before an entry: hand a queued interrupt to the CPU if the guest can
 * take it and no other event goes first.  True: open the interrupt
 * window (an interrupt still waits, or userspace asked for the window):
 * the CPU exits as soon as the guest could take one.
 */
static bool vmx_inject_irq(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	if (vcpu->irq_queued && !(vmx->pending_event & INTR_INFO_VALID) &&
	    vmx_interrupt_allowed(vcpu)) {
		vmx->pending_event = INTR_INFO_VALID | INTR_TYPE_EXT_INTR |
				     vcpu->irq_vector;
		vcpu->irq_queued = false;
	}
	return kvmlab_want_irq_window(vcpu);
}

/* ---- exit handlers: 1 = back to the guest, 0 = to userspace ---- */

static void skip_insn(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);

	/* VT-x gives every intercepted instruction's length. */
	vcpu->rip += vmx->exit.insn_len;
	vmx->interruptibility &= ~(GUEST_INTR_STI | GUEST_INTR_MOV_SS);
}

static int ud_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.insn_ud++;
	vmx_queue_exception(vcpu, 6, false, 0);
	return 1;
}

static int nop_interception(struct kvmlab_vcpu *vcpu)
{
	skip_insn(vcpu);	/* monitor, mwait, invd, wbinvd */
	return 1;
}

static int gp_interception(struct kvmlab_vcpu *vcpu)
{
	vmx_queue_exception(vcpu, 13, true, 0);
	return 1;
}

static int intr_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.irq_exits++;
	return 1;	/* the host takes it as soon as IRQs are on */
}

static int ignore_interception(struct kvmlab_vcpu *vcpu)
{
	return 1;	/* INIT, SIPI, SMI: nothing the guest sees */
}

static int cpuid_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.cpuid_exits++;
	kvmlab_emulate_cpuid(vcpu);
	skip_insn(vcpu);
	return 1;
}

static int hlt_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.halt_exits++;
	trace_kvmlab_hlt(vcpu->vcpu_id, vcpu->rip);
	skip_insn(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

static int io_interception(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	u64 q = vmx->exit.qual;
	struct kvmlab_pio *pio = &vcpu->pio;

	vcpu->stat.io_exits++;
	pio->in = q & IO_QUAL_IN;
	pio->string = q & IO_QUAL_STRING;
	pio->rep = q & IO_QUAL_REP;
	pio->size = IO_QUAL_SIZE(q);
	pio->port = IO_QUAL_PORT(q);
	pio->addr_size = 0;	/* x86.c reads the prefixes */
	pio->seg = 3;
	if (pio->string && vmcfg.inout_info &&
	    INSN_INFO_ADDR_SIZE(vmx->exit.insn_info) <= 2) {
		pio->addr_size = 2 << INSN_INFO_ADDR_SIZE(vmx->exit.insn_info);
		pio->seg = INSN_INFO_SEG(vmx->exit.insn_info);
	}
	pio->next_rip = vcpu->rip + vmx->exit.insn_len;
	return kvmlab_pio_exit(vcpu);
}

static int msr_interception(struct kvmlab_vcpu *vcpu)
{
	bool write = (to_vmx(vcpu)->exit.reason & 0xffff) ==
		     EXIT_REASON_MSR_WRITE;
	u32 index = vcpu->regs[VCPU_RCX];
	u64 data;

	vcpu->stat.msr_exits++;
	if (write) {
		data = (vcpu->regs[VCPU_RDX] << 32) |
		       (u32)vcpu->regs[VCPU_RAX];
		if (vmx_set_msr(vcpu, index, data, false)) {
			trace_kvmlab_msr(vcpu->vcpu_id, true, index, data, true);
			return gp_interception(vcpu);
		}
	} else {
		if (vmx_get_msr(vcpu, index, &data)) {
			trace_kvmlab_msr(vcpu->vcpu_id, false, index, 0, true);
			return gp_interception(vcpu);
		}
		vcpu->regs[VCPU_RAX] = (u32)data;
		vcpu->regs[VCPU_RDX] = data >> 32;
	}
	trace_kvmlab_msr(vcpu->vcpu_id, write, index, data, false);
	skip_insn(vcpu);
	return 1;
}

static int shutdown_interception(struct kvmlab_vcpu *vcpu)
{
	vcpu->stat.shutdown_exits++;
	/* A triple fault: the next KVM_RUN starts from reset. */
	init_state(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static bool long_mode_code(struct kvmlab_vcpu *vcpu)
{
	return (vcpu->efer & EFER_LMA) && (to_vmx(vcpu)->seg[1].ar & BIT(13));
}

/*
 * MOV to or from CR0/CR3/CR4/CR8, CLTS, LMSW: the exit qualification
 * says which and with which register, so nothing is decoded here.
 */
static int cr_interception(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	u64 q = vmx->exit.qual;
	int cr = CR_QUAL_CR(q), gpr = CR_QUAL_GPR(q);
	bool lm = long_mode_code(vcpu);
	u64 val;
	int r = 0;

	vcpu->stat.cr_exits++;
	switch (CR_QUAL_TYPE(q)) {
	case CR_TYPE_MOV_TO:
		val = lm ? vcpu->regs[gpr] : (u32)vcpu->regs[gpr];
		trace_kvmlab_cr(vcpu->vcpu_id, true, cr, val);
		switch (cr) {
		case 0: r = kvmlab_set_cr0(vcpu, val); break;
		case 3: r = kvmlab_set_cr3(vcpu, val); break;
		case 4: r = kvmlab_set_cr4(vcpu, val); break;
		case 8:
			r = val > 15;
			if (!r)
				vmx->cr8 = val;
			break;
		default: r = 1;
		}
		break;
	case CR_TYPE_MOV_FROM:
		val = cr == 3 ? vcpu->cr3 : vmx->cr8;
		trace_kvmlab_cr(vcpu->vcpu_id, false, cr, val);
		vcpu->regs[gpr] = lm ? val : (u32)val;
		break;
	case CR_TYPE_CLTS:
		r = kvmlab_set_cr0(vcpu, vcpu->cr0 & ~X86_CR0_TS);
		break;
	case CR_TYPE_LMSW:
		/* PE, MP, EM, TS; LMSW sets PE but never clears it */
		val = CR_QUAL_LMSW_DATA(q) & 15;
		r = kvmlab_set_cr0(vcpu, (vcpu->cr0 & ~14ULL) | val);
		break;
	}
	if (r)
		return gp_interception(vcpu);
	skip_insn(vcpu);
	return 1;
}

/* INVLPG; MOV to or from DRn on kvmlab_vcpu's copies (DR0-3 are the
 * host's: VM entry and exit swap only DR7).
 */
static int emulate_interception(struct kvmlab_vcpu *vcpu)
{
	return kvmlab_emulate_insn(vcpu);
}

/* The timer armed for a guest entered with IF=0 (write_controls). */
static int preempt_interception(struct kvmlab_vcpu *vcpu)
{
	return 1;	/* the host took its interrupts: run on */
}

/* The window opened: the run loop injects, or tells userspace. */
static int intr_window_interception(struct kvmlab_vcpu *vcpu)
{
	return 1;
}

/* NMIs unblocked: the run loop injects the next one. */
static int nmi_window_interception(struct kvmlab_vcpu *vcpu)
{
	return 1;
}

static int nmi_host(void)
{
	/* The host's NMI, taken in the guest: hand it to the host. */
	asm volatile("int $2");
	return 1;
}

static int exception_interception(struct kvmlab_vcpu *vcpu)
{
	struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	u32 vector = e->intr_info & INTR_INFO_VECTOR_MASK;

	if ((e->intr_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
		return 1;	/* handled before interrupts were enabled */
	if (to_vmx(vcpu)->rm.mode && vector != 14 && vector != 18)
		return vmx_rmode_exception(vcpu, &to_vmx(vcpu)->rm,
					   e->intr_info, e->intr_err,
					   e->insn_len);
	switch (vector) {
	case 14:
		return vcpu->vm->mmu_ops->page_fault(vcpu, e->qual, e->intr_err);
	case 18:
		return 1;	/* #MC: the machine's, not the guest's */
	}
	kvmlab_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
			      e->reason, e->intr_info);
	return 0;
}

static int ept_violation_interception(struct kvmlab_vcpu *vcpu)
{
	struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	int r;

	vcpu->stat.npf_exits++;
	r = vcpu->vm->mmu_ops->page_fault(vcpu, e->gpa, e->qual);
	if (r)
		return r < 0 ? r : 1;
	/* No memory slot: MMIO, done by the emulator. */
	return kvmlab_emulate_insn(vcpu);
}

static int xsetbv_interception(struct kvmlab_vcpu *vcpu)
{
	if (kvmlab_emulate_xsetbv(vcpu))
		return gp_interception(vcpu);
	skip_insn(vcpu);
	return 1;
}

static int (*const vmx_exit_handlers[])(struct kvmlab_vcpu *vcpu) = {
	[EXIT_REASON_EXCEPTION_NMI]	= exception_interception,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = intr_interception,
	[EXIT_REASON_TRIPLE_FAULT]	= shutdown_interception,
	[EXIT_REASON_INIT]		= ignore_interception,
	[EXIT_REASON_INTR_WINDOW]	= intr_window_interception,
	[EXIT_REASON_NMI_WINDOW]	= nmi_window_interception,
	[EXIT_REASON_SIPI]		= ignore_interception,
	[EXIT_REASON_IO_SMI]		= ignore_interception,
	[EXIT_REASON_OTHER_SMI]		= ignore_interception,
	[EXIT_REASON_CPUID]		= cpuid_interception,
	[EXIT_REASON_GETSEC]		= ud_interception,
	[EXIT_REASON_HLT]		= hlt_interception,
	[EXIT_REASON_INVD]		= nop_interception,
	[EXIT_REASON_INVLPG]		= emulate_interception,
	[EXIT_REASON_RDPMC]		= gp_interception,
	[EXIT_REASON_VMCALL]		= ud_interception,
	[EXIT_REASON_VMCLEAR]		= ud_interception,
	[EXIT_REASON_VMLAUNCH]		= ud_interception,
	[EXIT_REASON_VMPTRLD]		= ud_interception,
	[EXIT_REASON_VMPTRST]		= ud_interception,
	[EXIT_REASON_VMREAD]		= ud_interception,
	[EXIT_REASON_VMRESUME]		= ud_interception,
	[EXIT_REASON_VMWRITE]		= ud_interception,
	[EXIT_REASON_VMXOFF]		= ud_interception,
	[EXIT_REASON_VMXON]		= ud_interception,
	[EXIT_REASON_CR_ACCESS]		= cr_interception,
	[EXIT_REASON_DR_ACCESS]		= emulate_interception,
	[EXIT_REASON_IO_INSTRUCTION]	= io_interception,
	[EXIT_REASON_MSR_READ]		= msr_interception,
	[EXIT_REASON_MSR_WRITE]		= msr_interception,
	[EXIT_REASON_MWAIT]		= nop_interception,
	[EXIT_REASON_MONITOR]		= nop_interception,
	[EXIT_REASON_EPT_VIOLATION]	= ept_violation_interception,
	[EXIT_REASON_INVEPT]		= ud_interception,
	[EXIT_REASON_PREEMPTION_TIMER]	= preempt_interception,
	[EXIT_REASON_INVVPID]		= ud_interception,
	[EXIT_REASON_WBINVD]		= nop_interception,
	[EXIT_REASON_XSETBV]		= xsetbv_interception,
	[EXIT_REASON_VMFUNC]		= ud_interception,
};

static int fail_entry(struct kvmlab_vcpu *vcpu, u64 reason)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = vcpu->cpu;
	return 0;
}

static int handle_exit(struct kvmlab_vcpu *vcpu)
{
	struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	u32 basic = e->reason & 0xffff;

	if (e->reason & VMX_EXIT_REASONS_FAILED_ENTRY) {
		pr_warn_ratelimited("kvmlab: VM entry failed, exit reason 0x%x qualification 0x%llx\n",
				    e->reason, e->qual);
		return fail_entry(vcpu, e->reason);
	}
	if (basic >= ARRAY_SIZE(vmx_exit_handlers) ||
	    !vmx_exit_handlers[basic]) {
		kvmlab_internal_error(vcpu,
				      KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				      e->reason, e->qual);
		return 0;
	}
	return vmx_exit_handlers[basic](vcpu);
}

/* ---- the VMCS, written before each entry and read after ---- */

static bool pae_paging(struct kvmlab_vcpu *vcpu)
{
	return (vcpu->cr0 & X86_CR0_PG) && (vcpu->cr4 & X86_CR4_PAE) &&
	       !(vcpu->efer & EFER_LMA);
}

static void write_controls(struct kvmlab_vcpu *vcpu, u64 root, bool window,
			   bool nmi_window)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	bool tdp = vcpu->vm->mmu_ops->tdp;
	u32 pin = vmcfg.pin, proc = vmcfg.proc, proc2 = vmcfg.proc2;
	u32 exceptions = BIT(18);	/* #MC belongs to the host */

	if (tdp) {
		/* The guest's own page tables and CR3: no intercepts. */
		proc &= ~(CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING |
			  CPU_INVLPG_EXITING);
		proc |= vmcfg.proc_must;
		vmcs_write(EPT_POINTER, root | 6 | (3 << 3));
	} else {
		proc2 &= ~(SEC_ENABLE_EPT | SEC_UNRESTRICTED_GUEST);
		exceptions |= BIT(14);
	}
	if (window)
		proc |= CPU_INTR_WINDOW_EXITING;
	if (nmi_window)
		proc |= CPU_NMI_WINDOW_EXITING;
	/*
	 * Bochs 2.7 loads the guest's RFLAGS before it counts itself in
	 * VMX non-root operation: a guest entered with IF=0 has the host's
	 * interrupts masked, not turned into exits, until it sets IF.  A
	 * guest spinning with IF=0 (cli; jmp .) froze the lab's kernel.  The
	 * VMX-preemption timer ends such a run after one host tick; the
	 * host then takes what is pending.  Real CPUs need no help here.
	 */
	if (vmcfg.preempt_ticks && !(vmx->rflags & X86_EFLAGS_IF)) {
		pin |= PIN_PREEMPTION_TIMER;
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmcfg.preempt_ticks);
	}
	if (vmx->vpid) {
		proc2 |= SEC_ENABLE_VPID;
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	}
	if (vmx->rm.mode)
		exceptions = ~0u;	/* all delivered the real-mode way */
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
	if (proc & CPU_SECONDARY_CONTROLS)
		vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write(EXCEPTION_BITMAP, exceptions);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_CONTROLS, vmcfg.exit);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_CONTROLS, vmcfg.entry |
		   ((vcpu->efer & EFER_LMA) ? ENTRY_IA32E_MODE : 0));
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(TSC_OFFSET, vmx->tsc_offset);
	/* The guest owns no CR0/CR4 bit: it reads the shadows. */
	vmcs_write(CR0_GUEST_HOST_MASK, ~0UL);
	vmcs_write(CR4_GUEST_HOST_MASK, ~0UL);
}

/* The base of the descriptor at @sel in the GDT at @gdt (16 bytes: TSS) */
static unsigned long tss_base(unsigned long gdt, u16 sel)
{
	struct desc_struct *d = (struct desc_struct *)(gdt + (sel & ~7));

	return get_desc_base(d) | ((unsigned long)*(u32 *)(d + 1) << 32);
}

struct vmx_host_save {
	u16 ds, es, fs, gs, ldt;
	unsigned long fs_base, kernel_gs_base;
	unsigned long dr6, dr7;
	u64 msr[NR_SWAP_MSRS];
};

/*
 * VM exit sets DR7 to 0x400, and a #DB taken in the guest (TF, ICEBP)
 * sets bits in DR6: the host's breakpoints and its next #DB's status
 * would be lost.  DR0-3 stay the host's: every MOV DR exits and works on
 * the vCPU's copies (emul.c).  (VM exit also clears IA32_DEBUGCTL, which
 * is left alone: Bochs has no such MSR and logs every read of it.)
 */
static void save_host_debug(struct vmx_host_save *h)
{
	get_debugreg(h->dr6, 6);
	get_debugreg(h->dr7, 7);
}

static void restore_host_debug(struct vmx_host_save *h)
{
	unsigned long dr6;

	if (h->dr7 != VMX_EXIT_DR7)
		set_debugreg(h->dr7, 7);
	get_debugreg(dr6, 6);
	if (dr6 != h->dr6)
		set_debugreg(h->dr6, 6);
}

static void write_host_state(struct vmx_host_save *h)
{
	struct desc_ptr gdt, idt;
	u64 v;

	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, __read_cr3());
	vmcs_write(HOST_CR4, __read_cr4());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	/* Only RPL-0 GDT selectors may be loaded by VM exit: the rest are
	 * null in the VMCS and put back by restore_host_state().
	 */
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=rm" (h->ldt));
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	vmcs_write(HOST_FS_BASE, h->fs_base);
	rdmsrl(MSR_GS_BASE, v);
	vmcs_write(HOST_GS_BASE, v);
	native_store_gdt(&gdt);
	store_idt(&idt);
	vmcs_write(HOST_GDTR_BASE, gdt.address);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_TR_BASE, tss_base(gdt.address, GDT_ENTRY_TSS * 8));
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write(HOST_IA32_PAT, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write(HOST_IA32_EFER, v);
	vmcs_write(HOST_RIP, (unsigned long)kvmlab_vmx_return);
}

/* VM exit left null selectors, a 0xffff GDT limit and a 0x67 TSS limit. */
static void restore_host_state(struct vmx_host_save *h)
{
	if (h->ldt)
		asm volatile("lldt %0" : : "rm" (h->ldt));
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs) {
		/* load_gs_index keeps the kernel's GS base */
		load_gs_index(h->gs);
	}
	load_fixmap_gdt(raw_smp_processor_id());
	invalidate_tss_limit();
}

static void write_guest_state(struct kvmlab_vcpu *vcpu, u64 root)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	bool tdp = vcpu->vm->mmu_ops->tdp;
	u64 cr0, cr4, efer = vcpu->efer, fixed0 = vmcfg.cr0_fixed0;
	u32 event = vmx->pending_event;
	u64 rflags = vmx->rflags;
	struct vmx_seg hw[8];
	int i;

	memcpy(hw, vmx->seg, sizeof(hw));
	if (vmx->rm.mode)
		vmx_rmode_hw_state(&vmx->rm, hw, &rflags);
	for (i = 0; i < 8; i++) {
		struct vmx_seg *s = &hw[i];

		vmcs_write(GUEST_ES_SELECTOR + 2 * i, s->sel);
		vmcs_write(GUEST_ES_LIMIT + 2 * i, s->limit);
		vmcs_write(GUEST_ES_AR_BYTES + 2 * i, s->ar);
		vmcs_write(GUEST_ES_BASE + 2 * i, s->base);
	}
	vmcs_write(GUEST_GDTR_BASE, vmx->gdtr_base);
	/* real mode: segment loads and INT n meet empty tables and exit */
	vmcs_write(GUEST_GDTR_LIMIT,
		   vmx->rm.mode == RMODE_PM16 ? 0 : vmx->gdtr_limit);
	vmcs_write(GUEST_IDTR_BASE, vmx->idtr_base);
	vmcs_write(GUEST_IDTR_LIMIT, vmx->rm.mode ? 0 : vmx->idtr_limit);

	if (tdp) {
		/* Caching is the host's business; PE and PG the guest's. */
		if (vmcfg.unrestricted)
			fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
		cr0 = (vcpu->cr0 & ~(X86_CR0_CD | X86_CR0_NW)) | fixed0;
		cr4 = vcpu->cr4 | vmcfg.cr4_fixed0;
		vmcs_write(GUEST_CR3, vcpu->cr3);
		if (pae_paging(vcpu))
			for (i = 0; i < 4; i++)
				vmcs_write(GUEST_PDPTR0 + 2 * i, vcpu->pdptes[i]);
	} else {
		/* Shadow tables are always on, PAE or long-mode format. */
		cr0 = (vcpu->cr0 & ~(X86_CR0_CD | X86_CR0_NW)) | fixed0 |
		      X86_CR0_PG | X86_CR0_WP;
		cr4 = vcpu->cr4 | vmcfg.cr4_fixed0 | X86_CR4_PAE;
		if (!(efer & EFER_LMA))
			efer &= ~EFER_LME;
		vmcs_write(GUEST_CR3, root);
	}
	if (vmx->rm.mode) {
		/* vm86 or the CPL-0 form (vmx_rmode.c) */
		cr0 |= X86_CR0_PE;
		cr4 &= ~(X86_CR4_VME | X86_CR4_PVI);
	}
	vmcs_write(GUEST_CR0, cr0 & vmcfg.cr0_fixed1);
	vmcs_write(GUEST_CR4, cr4 & vmcfg.cr4_fixed1);
	vmcs_write(CR0_READ_SHADOW, vcpu->cr0);
	vmcs_write(CR4_READ_SHADOW, vcpu->cr4);
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(GUEST_IA32_PAT, vmx->pat);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_RSP, vcpu->regs[VCPU_RSP]);
	vmcs_write(GUEST_RIP, vcpu->rip);
	vmcs_write(GUEST_RFLAGS, rflags);
	vmcs_write(GUEST_SYSENTER_CS, vmx->sysenter_cs);
	vmcs_write(GUEST_SYSENTER_ESP, vmx->sysenter_esp);
	vmcs_write(GUEST_SYSENTER_EIP, vmx->sysenter_eip);
	vmcs_write(VMCS_LINK_POINTER, ~0UL);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	/* STI blocking needs IF set: userspace may have cleared IF. */
	if (!(vmx->rflags & X86_EFLAGS_IF))
		vmx->interruptibility &= ~GUEST_INTR_STI;
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vmx->interruptibility);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);

	/* Real mode delivers no error codes. */
	if (!(vcpu->cr0 & X86_CR0_PE))
		event &= ~INTR_INFO_DELIVER_CODE;
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, event);
	vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmx->pending_event_err);
	vmcs_write(VM_ENTRY_INSTRUCTION_LEN, 0);
}

static void read_exit(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	struct vmx_exit_info *e = &vmx->exit;
	int i;

	e->reason = vmcs_read(VM_EXIT_REASON);
	e->qual = vmcs_read(EXIT_QUALIFICATION);
	e->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
	e->intr_err = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
	e->idt_info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	e->idt_err = vmcs_read(IDT_VECTORING_ERROR_CODE);
	e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	e->insn_info = vmcs_read(VMX_INSTRUCTION_INFO);
	e->gpa = 0;
	if ((e->reason & 0xffff) == EXIT_REASON_EPT_VIOLATION ||
	    (e->reason & 0xffff) == EXIT_REASON_EPT_MISCONFIG)
		e->gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	if (e->reason & VMX_EXIT_REASONS_FAILED_ENTRY)
		return;		/* the guest state is as we wrote it */

	for (i = 0; i < 8; i++) {
		struct vmx_seg *s = &vmx->seg[i];

		s->sel = vmcs_read(GUEST_ES_SELECTOR + 2 * i);
		s->limit = vmcs_read(GUEST_ES_LIMIT + 2 * i);
		s->ar = vmcs_read(GUEST_ES_AR_BYTES + 2 * i);
		s->base = vmcs_read(GUEST_ES_BASE + 2 * i);
	}
	/* an empty table of vmx_rmode.c's stays unless the guest loaded one */
	if (vmx->rm.mode != RMODE_PM16 || vmcs_read(GUEST_GDTR_LIMIT)) {
		vmx->gdtr_base = vmcs_read(GUEST_GDTR_BASE);
		vmx->gdtr_limit = vmcs_read(GUEST_GDTR_LIMIT);
	}
	if (!vmx->rm.mode || vmcs_read(GUEST_IDTR_LIMIT)) {
		vmx->idtr_base = vmcs_read(GUEST_IDTR_BASE);
		vmx->idtr_limit = vmcs_read(GUEST_IDTR_LIMIT);
	}
	vcpu->regs[VCPU_RSP] = vmcs_read(GUEST_RSP);
	vcpu->rip = vmcs_read(GUEST_RIP);
	vmx->rflags = vmcs_read(GUEST_RFLAGS);
	if (vmx->rm.mode)
		vmx_rmode_read_back(&vmx->rm, vmx->seg, &vmx->rflags);
	vmx->interruptibility = vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
				(GUEST_INTR_STI | GUEST_INTR_MOV_SS |
				 GUEST_INTR_NMI);
	/* A fault in an IRET that unblocked NMIs: blocked again, since the
	 * IRET runs again (SDM 27.2.3; not after #DF or during delivery).
	 */
	if (!(e->idt_info & INTR_INFO_VALID) &&
	    (((e->reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI &&
	      (e->intr_info & INTR_INFO_UNBLOCK_NMI) &&
	      (e->intr_info & INTR_INFO_VECTOR_MASK) != 8) ||
	     ((e->reason & 0xffff) == EXIT_REASON_EPT_VIOLATION &&
	      (e->qual & INTR_INFO_UNBLOCK_NMI))))
		vmx->interruptibility |= GUEST_INTR_NMI;
	if (vcpu->vm->mmu_ops->tdp) {
		/* EPT: the guest loads CR3 (and the PDPTEs) itself. */
		vcpu->cr3 = vmcs_read(GUEST_CR3);
		if (pae_paging(vcpu))
			for (i = 0; i < 4; i++)
				vcpu->pdptes[i] =
					vmcs_read(GUEST_PDPTR0 + 2 * i);
	}
}

/* An event the exit interrupted is delivered again on the next entry. */
static void complete_interrupts(struct vcpu_vmx *vmx)
{
	u32 info = vmx->exit.idt_info;
	u32 type = info & INTR_INFO_TYPE_MASK;

	if (!(info & INTR_INFO_VALID) ||
	    (vmx->exit.reason & VMX_EXIT_REASONS_FAILED_ENTRY))
		return;
	/* INTn, INT3, INTO and ICEBP are re-executed from the same RIP.
	 * An exception, an NMI, or an interrupt from KVM_INTERRUPT, whose
	 * delivery the exit cut short goes again (an NMI unblocked: its
	 * delivery blocks NMIs again).
	 */
	if (type != INTR_TYPE_HARD_EXCEPTION && type != INTR_TYPE_EXT_INTR &&
	    type != INTR_TYPE_NMI)
		return;
	if (type == INTR_TYPE_NMI)
		vmx->interruptibility &= ~GUEST_INTR_NMI;
	vmx->pending_event = info & (INTR_INFO_VALID | INTR_INFO_TYPE_MASK |
				     INTR_INFO_DELIVER_CODE |
				     INTR_INFO_VECTOR_MASK);
	vmx->pending_event_err = vmx->exit.idt_err;
}

struct invept_desc {
	u64 eptp;
	u64 reserved;
};

static void invept_all(u64 eptp)
{
	struct invept_desc desc = { eptp, 0 };
	unsigned long type = 2;		/* all contexts */

	asm volatile("invept %0, %1" : : "m" (desc), "r" (type)
		     : "cc", "memory");
}

static int vmx_run(struct kvmlab_vcpu *vcpu)
{
	struct vcpu_vmx *vmx = to_vmx(vcpu);
	bool tdp = vcpu->vm->mmu_ops->tdp;
	struct vmx_host_save host;
	u64 root;
	bool window, nmi_window, flush;
	int i, cpu, failed;
	u32 insn_err = 0;

	if (vmx->triple_fault) {
		vmx->triple_fault = false;
		return shutdown_interception(vcpu);
	}
	root = vcpu->vm->mmu_ops->root_hpa(vcpu);
	if (!root)
		return -ENOMEM;

	nmi_window = vmx_inject_nmi(vcpu);
	window = vmx_inject_irq(vcpu);
	vmx->rm.mode = vmx_rmode_mode(vcpu, vmx->seg,
				      tdp && vmcfg.unrestricted);
	if (vmx->rm.mode && (vmx->pending_event & INTR_INFO_VALID)) {
		/* No injection: the event goes through the IVT here. */
		if (vmx_rmode_deliver(vcpu, vmx->pending_event &
					    INTR_INFO_VECTOR_MASK))
			return shutdown_interception(vcpu);
		/* blocked until IRET, which the CPU or vmx_rmode.c does */
		if ((vmx->pending_event & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
			vmx->interruptibility |= GUEST_INTR_NMI;
		vmx->pending_event = 0;
		vmx->rm.mode = vmx_rmode_mode(vcpu, vmx->seg,
					      tdp && vmcfg.unrestricted);
	}
	if (vmx->rm.mode && tdp && !vmcfg.unrestricted) {
		/* EPT without unrestricted guest wants CR0.PG=1 and an
		 * identity page table in guest memory: not done.
		 */
		pr_warn_once("kvmlab: real mode on EPT needs unrestricted guest; use mmu=flush or cache\n");
		return fail_entry(vcpu, VMX_EXIT_REASONS_FAILED_ENTRY |
					EXIT_REASON_INVALID_STATE);
	}

	kernel_fpu_begin();
	kvmlab_fpu_load(vcpu);
	local_irq_disable();

	if (!kvmlab_vcpu_enter_check(vcpu)) {
		local_irq_enable();
		kernel_fpu_end();
		return 1;
	}
	cpu = smp_processor_id();
	if (!vmx->vmcs_ready) {
		vmclear(vmx->vmcs_pa);
		vmx->vmcs_ready = true;
	}
	if (vmptrld(vmx->vmcs_pa)) {
		WRITE_ONCE(vcpu->mode, OUTSIDE_GUEST_MODE);
		local_irq_enable();
		kernel_fpu_end();
		pr_err("kvmlab: VMPTRLD failed on CPU %d\n", cpu);
		return -EIO;
	}
	write_controls(vcpu, root, window, nmi_window);
	write_host_state(&host);
	write_guest_state(vcpu, root);
	vmx->pending_event = 0;
	/*
	 * What outlives VM entry and exit is flushed when the MMU asks, on
	 * the first entry (the VPID may be a freed vCPU's) and on a new CPU
	 * (the old one's entries may predate a flush done elsewhere): EPT's
	 * guest-physical and combined mappings (INVEPT), or the VPID's
	 * linear ones.  Without a VPID, entry and exit flush those.
	 */
	flush = test_and_clear_bit(KVMLAB_REQ_TLB_FLUSH, &vcpu->requests);
	if (flush || !vmx->ran || vmx->last_cpu != cpu) {
		if (tdp)
			invept_all(0);
		else if (vmx->vpid)
			invvpid(vmx->vpid);
	}
	vmx->ran = true;
	vmx->last_cpu = cpu;
	/* Guest mode is a quiescent state for RCU, as user mode is. */
	rcu_virt_note_context_switch(cpu);
	trace_kvmlab_entry(vcpu);

	for (i = 0; i < NR_SWAP_MSRS; i++) {
		rdmsrl(swap_msrs[i], host.msr[i]);
		wrmsrl(swap_msrs[i], vmx->msr[i]);
	}
	native_write_cr2(vcpu->cr2);
	save_host_debug(&host);
	kvmlab_xcr0_guest(vcpu);

	failed = kvmlab_vmx_vmrun(vcpu->regs);

	kvmlab_xcr0_host(vcpu);
	restore_host_debug(&host);
	vcpu->cr2 = native_read_cr2();
	for (i = 0; i < NR_SWAP_MSRS; i++) {
		rdmsrl(swap_msrs[i], vmx->msr[i]);
		wrmsrl(swap_msrs[i], host.msr[i]);
	}
	if (failed)
		insn_err = vmcs_read(VM_INSTRUCTION_ERROR);
	else
		read_exit(vcpu);
	vmclear(vmx->vmcs_pa);
	restore_host_state(&host);
	if (!failed && (vmx->exit.reason & 0xffff) ==
			EXIT_REASON_EXCEPTION_NMI &&
	    (vmx->exit.intr_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI)
		nmi_host();

	WRITE_ONCE(vcpu->mode, OUTSIDE_GUEST_MODE);
	local_irq_enable();
	kvmlab_fpu_save(vcpu);
	kernel_fpu_end();

	if (failed) {
		/* VMfailValid: the VMCS's controls or host state are wrong. */
		pr_err_ratelimited("kvmlab: VMLAUNCH failed, VM-instruction error %u\n",
				   insn_err);
		vmx->exit.reason = VMX_EXIT_REASONS_FAILED_ENTRY;
		return fail_entry(vcpu, 0x10000 | insn_err);
	}
	complete_interrupts(vmx);

	vcpu->stat.exits++;
	trace_kvmlab_exit(vcpu, KVMLAB_VMX_EXIT_BASE + vmx->exit.reason,
			  vmx->exit.qual,
			  vmx->exit.gpa ? vmx->exit.gpa : vmx->exit.intr_info,
			  vcpu->cr3);
	return handle_exit(vcpu);
}

bool vmx_ept_usable(void)
{
	return vmcfg.ept;
}

const struct kvmlab_arch_ops vmx_arch_ops = {
	.name			= "vmx",
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_free		= vmx_vcpu_free,
	.get_segment		= vmx_get_segment,
	.set_segment		= vmx_set_segment,
	.get_dtable		= vmx_get_dtable,
	.set_dtable		= vmx_set_dtable,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.update_cr		= vmx_update_cr,
	.get_rflags		= vmx_get_rflags,
	.set_rflags		= vmx_set_rflags,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.queue_exception	= vmx_queue_exception,
	.interrupt_allowed	= vmx_interrupt_allowed,
	.event_pending		= vmx_event_pending,
	.get_event		= vmx_get_event,
	.set_event		= vmx_set_event,
	.get_shadow		= vmx_get_shadow,
	.set_shadow		= vmx_set_shadow,
	.get_nmi_mask		= vmx_get_nmi_mask,
	.set_nmi_mask		= vmx_set_nmi_mask,
	.nmi_supported		= vmx_nmi_supported,
	.get_tpr		= vmx_get_tpr,
	.set_tpr		= vmx_set_tpr,
	.run			= vmx_run,
	.tdp_mmu		= &ept_mmu_ops,
};
