/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmlab: the core objects shared by every file of the driver.
 *
 * Glossary (as in the 2006 driver):
 *   gva - guest virtual address      gpa - guest physical address
 *   gfn - guest frame number         hva - host virtual address
 *   hpa - host physical address      hfn - host frame number
 *
 * A VM is a file descriptor (struct kvmlab_vm), owned by the process that
 * created it; a vCPU is a file descriptor (struct kvmlab_vcpu) whose
 * KVM_RUN runs in the calling thread.  The backend (svm.c or vmx.c) sits behind
 * struct kvmlab_arch_ops; the guest-physical mapping (npt.c, later the
 * shadow MMU variants) behind struct kvmlab_mmu_ops.
 */
#ifndef KVMLAB_H
#define KVMLAB_H

#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/list.h>

#include "account.h"

#define KVMLAB_API_VERSION	12
#define KVMLAB_MAX_VCPUS	16
#define KVMLAB_MAX_VCPU_ID	KVMLAB_MAX_VCPUS
#define KVMLAB_USER_MEM_SLOTS	32
#define KVMLAB_MAX_CPUID	256
#define KVMLAB_MCE_BANKS	32	/* the in-tree KVM's KVM_MAX_MCE_BANKS */
#define KVMLAB_MAX_SLOT_PAGES	(1UL << 22)	/* 16 GiB per slot */
#define KVMLAB_FPU_SIZE		4096	/* struct kvm_xsave: the XSAVE area */

enum kvmlab_reg {
	VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX,
	VCPU_RSP, VCPU_RBP, VCPU_RSI, VCPU_RDI,
	VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11,
	VCPU_R12, VCPU_R13, VCPU_R14, VCPU_R15,
	NR_VCPU_REGS
};

enum kvmlab_seg {
	SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_TR, SEG_LDTR,
	NR_SEGS
};

struct kvmlab_memslot {
	u32 id;
	u64 base_gfn;
	u64 npages;
	unsigned long hva;
	struct page **pages;	/* pinned lazily, on first guest access */
};

/* Counters: one u64 each, named like the in-tree KVM's where they mean
 * the same thing.  stats.c turns this list into debugfs files.
 */
#define KVMLAB_VCPU_STATS(X)	\
	X(exits)		\
	X(io_exits)		\
	X(mmio_exits)		\
	X(halt_exits)		\
	X(irq_exits)		\
	X(signal_exits)		\
	X(request_irq_exits)	\
	X(cpuid_exits)		\
	X(msr_exits)		\
	X(npf_exits)		\
	X(shutdown_exits)	\
	X(insn_ud)		\
	X(pf_fixed)		\
	X(pf_guest)		\
	X(pf_mmio)		\
	X(cr_exits)		\
	X(insn_emulation)	\
	X(mmu_cache_miss)	\
	X(mmu_shadow_zapped)	\
	X(mmu_pte_write)	\
	X(mmu_pte_updated)	\
	X(mmu_recycled)		\
	X(mmu_flooded)		\
	X(mmu_unsync)		\
	X(mmu_prefetch)		\
	X(tlb_flush)		\
	X(invlpg)		\
	X(cr3_switch)		\
	X(root_reused)

struct kvmlab_vcpu_stat {
#define X(name) u64 name;
	KVMLAB_VCPU_STATS(X)
#undef X
};

/* VM-wide counters: X() counts events, I() is a level (instantaneous). */
#define KVMLAB_VM_STATS(X, I)	\
	X(remote_tlb_flush)	\
	I(shadow_pages)

struct kvmlab_vm_stat {
#define X(name) u64 name;
	KVMLAB_VM_STATS(X, X)
#undef X
};

enum kvmlab_vcpu_mode { OUTSIDE_GUEST_MODE, IN_GUEST_MODE };

#define KVMLAB_REQ_TLB_FLUSH	0

/* A string PIO instruction in flight between two KVM_RUNs. */
struct kvmlab_pio {
	bool pending;
	bool in;
	bool string;
	bool rep;
	u8 size;
	u8 seg;
	u8 addr_size;		/* 2, 4 or 8 */
	u16 port;
	u32 count;
	u64 next_rip;
	bool retired;		/* RIP moved past it: its shadow ends */
};

struct kvmlab_vm;
struct kvmlab_emul;
struct kvmlab_sp;

/* The shadow MMU's per-vCPU state: the roots the CPU walks. */
struct kvmlab_vcpu_mmu {
	u64 root_hpa;			/* 0: to be (re)built before entry */
	struct kvmlab_sp *root_sp;	/* long mode: the PML4 shadow */
	u64 *pae_root;			/* otherwise: four PDPTEs, below 4G */
	struct kvmlab_sp *pae_sps[4];
	u64 last_cr3;			/* for the cr3_switch event */
	u64 retry_rip, retry_gfn;	/* the last page-table write retried */
};

struct kvmlab_vcpu {
	struct kvmlab_vm *vm;
	u32 vcpu_id;
	struct mutex mutex;	/* every vCPU ioctl, KVM_RUN included */
	struct kvm_run *run;
	void *pio_data;		/* the second page of the vCPU mmap */

	unsigned long regs[NR_VCPU_REGS];
	unsigned long rip;
	unsigned long cr2;
	u64 cr0, cr3, cr4;	/* as the guest sees them */
	u64 pdptes[4];		/* PAE: loaded at the last CR3 write */
	u64 efer;		/* as the guest sees it (no SVME) */
	u64 apic_base;
	u64 tsc_aux;
	/* Debug registers as the guest sees them: never loaded into the
	 * CPU (DR0-3 are the host's, VMRUN does not swap them), every MOV
	 * DR is intercepted and emulated; guest breakpoints do not fire.
	 */
	u64 db[4], dr6, dr7;

	int mode;		/* enum kvmlab_vcpu_mode */
	int cpu;		/* where it last entered the guest */
	unsigned long requests;

	struct kvmlab_vcpu_mmu mmu;
	struct kvmlab_pio pio;
	struct kvmlab_emul *emul;	/* an instruction in the emulator */

	int nr_cpuid;
	struct kvm_cpuid_entry2 *cpuid;
	bool guest_intel;	/* CPUID's vendor: what the emulator mimics */

	/* An external interrupt from userspace's PIC/APIC (KVM_INTERRUPT),
	 * not yet handed to the CPU: irq.c.
	 */
	bool irq_queued;
	u8 irq_vector;
	/* NMIs from KVM_NMI or KVM_SET_VCPU_EVENTS not injected yet: at most
	 * one in service and one latched, as the in-tree KVM (events.c).
	 */
	u8 nmi_pending;

	/* Machine check: registers only, no error is ever reported (msr.c) */
	u64 mcg_cap, mcg_status, mcg_ctl;
	u64 mce_banks[4 * KVMLAB_MCE_BANKS];	/* CTL, STATUS, ADDR, MISC */

	/* MTRRs: kept, not applied (msr.c) */
	u64 mtrr_deftype;
	u64 mtrr_fixed[11];
	u64 mtrr_var[16];

	void *fpu;		/* the guest's XSAVE area (xsave.c), 4 KiB */
	u64 xcr0;		/* the guest's XCR0 */

	struct kvmlab_vcpu_stat stat;
	void *arch;		/* backend private (vcpu_svm, vcpu_vmx) */
};

struct kvmlab_vm {
	refcount_t refcount;
	struct mm_struct *mm;	/* the owner: every ioctl checks it */
	struct list_head list;
	struct mutex lock;	/* vCPU creation */
	struct mutex mmu_lock;	/* memslots, the guest-physical map, pins */
	int nr_vcpus;
	struct kvmlab_vcpu *vcpus[KVMLAB_MAX_VCPUS];
	struct kvmlab_memslot *slots[KVMLAB_USER_MEM_SLOTS];
	void *mmu;		/* the MMU variant's private state */
	const struct kvmlab_mmu_ops *mmu_ops;
	u64 pinned_pages;
	struct kvmlab_vm_stat stat;
	pid_t pid;			/* the creator, for the stats ids */
	struct dentry *debugfs_dentry;	/* kvmlab/PID-FD/ */
	void *debugfs_files;
};

/* The hardware backend, as the 2006 driver's kvm_arch_ops. */
struct kvmlab_arch_ops {
	const char *name;
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	int (*vcpu_create)(struct kvmlab_vcpu *vcpu);
	void (*vcpu_free)(struct kvmlab_vcpu *vcpu);
	void (*get_segment)(struct kvmlab_vcpu *vcpu, struct kvm_segment *var,
			    int seg);
	void (*set_segment)(struct kvmlab_vcpu *vcpu,
			    const struct kvm_segment *var, int seg);
	void (*get_dtable)(struct kvmlab_vcpu *vcpu, struct kvm_dtable *dt,
			   bool idt);
	void (*set_dtable)(struct kvmlab_vcpu *vcpu,
			   const struct kvm_dtable *dt, bool idt);
	void (*get_sregs)(struct kvmlab_vcpu *vcpu, struct kvm_sregs *sregs);
	void (*set_sregs)(struct kvmlab_vcpu *vcpu,
			  const struct kvm_sregs *sregs);
	/* vcpu->cr0/cr3/cr4/efer changed: reflect them in the hardware */
	void (*update_cr)(struct kvmlab_vcpu *vcpu);
	u64 (*get_rflags)(struct kvmlab_vcpu *vcpu);
	void (*set_rflags)(struct kvmlab_vcpu *vcpu, u64 rflags);
	int (*get_msr)(struct kvmlab_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct kvmlab_vcpu *vcpu, u32 index, u64 data,
		       bool host);
	void (*queue_exception)(struct kvmlab_vcpu *vcpu, int vector,
				bool has_error, u32 error_code);
	/* Interrupts from userspace (irq.c); optional: NULL = none */
	/* RFLAGS.IF set, no interrupt shadow: an interrupt can go in */
	bool (*interrupt_allowed)(struct kvmlab_vcpu *vcpu);
	/* an event (exception, interrupt) waits for the next entry */
	bool (*event_pending)(struct kvmlab_vcpu *vcpu);
	/*
	 * KVM_GET/SET_VCPU_EVENTS and KVM_NMI (events.c); optional: NULL =
	 * none.  The event for the next entry is one word in the layout
	 * SVM's EVENTINJ and VT-x's entry interruption information share
	 * (KVMLAB_EV_*); the shadow is a KVM_X86_SHADOW_INT_* mask.
	 */
	u32 (*get_event)(struct kvmlab_vcpu *vcpu, u32 *err);
	void (*set_event)(struct kvmlab_vcpu *vcpu, u32 info, u32 err);
	int (*get_shadow)(struct kvmlab_vcpu *vcpu);
	void (*set_shadow)(struct kvmlab_vcpu *vcpu, int mask);
	bool (*get_nmi_mask)(struct kvmlab_vcpu *vcpu);
	void (*set_nmi_mask)(struct kvmlab_vcpu *vcpu, bool masked);
	bool (*nmi_supported)(void);	/* NULL: always */
	u8 (*get_tpr)(struct kvmlab_vcpu *vcpu);	/* CR8 */
	void (*set_tpr)(struct kvmlab_vcpu *vcpu, u8 tpr);
	/* Enter the guest once and handle the exit: 1 = enter again,
	 * 0 = return to userspace (run->exit_reason set), < 0 = errno.
	 */
	int (*run)(struct kvmlab_vcpu *vcpu);
	/* The nested-paging MMU of this backend (mmu=npt); NULL: npt.c */
	const struct kvmlab_mmu_ops *tdp_mmu;
};

/*
 * The MMU variant of a VM (npt.c, mmu_flush.c, mmu_cache.c): one name, one
 * ops table.  page_fault is called without mmu_lock held.
 */
struct kvmlab_mmu_ops {
	const char *name;
	bool tdp;		/* nested paging: no CR3 or #PF intercepts */
	int (*init)(struct kvmlab_vm *vm);
	void (*destroy)(struct kvmlab_vm *vm);
	/* Drop every mapping: memslots changed. Caller holds mmu_lock. */
	void (*zap_all)(struct kvmlab_vm *vm);
	/* The table the CPU walks, checked before every entry; 0 = no memory */
	u64 (*root_hpa)(struct kvmlab_vcpu *vcpu);
	/* npt: a guest-physical address; shadow: a #PF at a guest-virtual
	 * one.  1 = handled, 0 = exit to userspace, < 0 = errno.
	 */
	int (*page_fault)(struct kvmlab_vcpu *vcpu, u64 addr, u64 error_code);
	void (*new_cr3)(struct kvmlab_vcpu *vcpu);
	void (*reset)(struct kvmlab_vcpu *vcpu);	/* paging mode changed */
	void (*invlpg)(struct kvmlab_vcpu *vcpu, u64 gva);
};


extern const struct kvmlab_arch_ops *kvmlab_arch;
extern const struct kvmlab_arch_ops svm_arch_ops;
extern const struct kvmlab_arch_ops vmx_arch_ops;
extern const struct kvmlab_mmu_ops ept_mmu_ops;
bool vmx_ept_usable(void);
extern const struct kvmlab_mmu_ops npt_mmu_ops;
extern const struct kvmlab_mmu_ops flush_mmu_ops;
extern const struct kvmlab_mmu_ops cache_mmu_ops;
extern const struct kvmlab_mmu_ops unsync_mmu_ops;
const struct kvmlab_mmu_ops *kvmlab_mmu_variant(void);

static inline void kvmlab_request_tlb_flush(struct kvmlab_vcpu *vcpu)
{
	set_bit(KVMLAB_REQ_TLB_FLUSH, &vcpu->requests);
}

/* main.c */
void kvmlab_vm_put(struct kvmlab_vm *vm);
void kvmlab_flush_remote_tlbs(struct kvmlab_vm *vm);

/* vcpu.c */
int kvmlab_create_vcpu(struct kvmlab_vm *vm, unsigned long id);
void kvmlab_vcpu_free(struct kvmlab_vcpu *vcpu);
bool kvmlab_vcpu_enter_check(struct kvmlab_vcpu *vcpu);

/* memslot.c */
int kvmlab_set_memory_region(struct kvmlab_vm *vm,
			     struct kvm_userspace_memory_region *mem);
void kvmlab_free_memslots(struct kvmlab_vm *vm);
struct kvmlab_memslot *kvmlab_gfn_to_slot(struct kvmlab_vm *vm, u64 gfn);
int kvmlab_gfn_to_pfn(struct kvmlab_vm *vm, u64 gfn, unsigned long *pfn);
int kvmlab_read_guest(struct kvmlab_vcpu *vcpu, u64 gpa, void *buf,
		      unsigned int len);
int kvmlab_write_guest(struct kvmlab_vcpu *vcpu, u64 gpa, const void *buf,
		       unsigned int len);
int kvmlab_cmpxchg_guest(struct kvmlab_vm *vm, u64 gpa, u64 old, u64 new,
			 unsigned int len);
unsigned long kvmlab_guest_pages(struct kvmlab_vm *vm);
int kvmlab_read_guest_locked(struct kvmlab_vm *vm, u64 gpa, void *buf,
			     unsigned int len);

/* x86.c: architectural pieces shared by the backends */
int kvmlab_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid);
int kvmlab_set_cpuid2(struct kvmlab_vcpu *vcpu,
		      struct kvm_cpuid2 __user *ucpuid);
void kvmlab_emulate_cpuid(struct kvmlab_vcpu *vcpu);
struct kvm_cpuid_entry2 *kvmlab_find_cpuid(struct kvmlab_vcpu *vcpu, u32 fn,
					   u32 idx);
int kvmlab_get_msrs(struct kvmlab_vcpu *vcpu, struct kvm_msrs __user *umsrs,
		    bool set);
int kvmlab_get_msr_index_list(struct kvm_msr_list __user *ulist);
bool kvmlab_valid_sregs(const struct kvm_sregs *sregs);
void kvmlab_sregs_changed(struct kvmlab_vcpu *vcpu);
int kvmlab_set_cr0(struct kvmlab_vcpu *vcpu, u64 val);
int kvmlab_set_cr3(struct kvmlab_vcpu *vcpu, u64 val);
int kvmlab_set_cr4(struct kvmlab_vcpu *vcpu, u64 val);
int kvmlab_set_efer(struct kvmlab_vcpu *vcpu, u64 val, bool host);
int kvmlab_pio_exit(struct kvmlab_vcpu *vcpu);
int kvmlab_complete_pio(struct kvmlab_vcpu *vcpu);
void kvmlab_internal_error(struct kvmlab_vcpu *vcpu, u32 suberror,
			   u64 info0, u64 info1);

/* irq.c: interrupts from userspace's interrupt controllers */
int kvmlab_interrupt(struct kvmlab_vcpu *vcpu, struct kvm_interrupt __user *u);
bool kvmlab_ready_for_interrupt(struct kvmlab_vcpu *vcpu);
bool kvmlab_want_irq_window(struct kvmlab_vcpu *vcpu);
void kvmlab_irq_pre_run(struct kvmlab_vcpu *vcpu);
void kvmlab_irq_post_run(struct kvmlab_vcpu *vcpu);
bool kvmlab_irq_window_open(struct kvmlab_vcpu *vcpu);

/* events.c: vCPU state ioctls for full-system VMMs */
long kvmlab_events_ioctl(struct kvmlab_vcpu *vcpu, unsigned int ioctl,
			 void __user *argp);
bool kvmlab_nmi_supported(void);
u32 kvmlab_exception_event(u32 prev, int vector, bool has_error, u32 *err);
u32 kvmlab_mxcsr_valid(void);

/* xsave.c: the guest's extended state and XCR0 */
void kvmlab_xsave_init(void);
u64 kvmlab_supported_xcr0(void);
void kvmlab_fpu_reset(struct kvmlab_vcpu *vcpu);
void kvmlab_fpu_legacy_written(struct kvmlab_vcpu *vcpu);
void kvmlab_fpu_load(struct kvmlab_vcpu *vcpu);
void kvmlab_fpu_save(struct kvmlab_vcpu *vcpu);
void kvmlab_xcr0_guest(struct kvmlab_vcpu *vcpu);
void kvmlab_xcr0_host(struct kvmlab_vcpu *vcpu);
int kvmlab_set_xcr(struct kvmlab_vcpu *vcpu, u32 index, u64 xcr0);
int kvmlab_emulate_xsetbv(struct kvmlab_vcpu *vcpu);
int kvmlab_get_xsave(struct kvmlab_vcpu *vcpu, struct kvm_xsave __user *u);
int kvmlab_set_xsave(struct kvmlab_vcpu *vcpu, struct kvm_xsave __user *u);
int kvmlab_get_xcrs(struct kvmlab_vcpu *vcpu, struct kvm_xcrs __user *u);
int kvmlab_set_xcrs(struct kvmlab_vcpu *vcpu, struct kvm_xcrs __user *u);

/* An event for the next entry (SVM EVENTINJ = VT-x interruption info) */
#define KVMLAB_EV_VECTOR	0xffu
#define KVMLAB_EV_TYPE_MASK	(7u << 8)
#define KVMLAB_EV_INTR		(0u << 8)
#define KVMLAB_EV_NMI		(2u << 8)
#define KVMLAB_EV_EXCEPT	(3u << 8)
#define KVMLAB_EV_SOFT		(4u << 8)	/* INTn */
#define KVMLAB_EV_HAS_ERR	(1u << 11)
#define KVMLAB_EV_VALID		(1u << 31)

/* msr.c: MSRs no backend owns */
void kvmlab_msr_init(struct kvmlab_vcpu *vcpu);
int kvmlab_set_msr_slot(u64 *slot, u32 index, u64 data, bool wide_sysenter);
int kvmlab_get_msr_common(struct kvmlab_vcpu *vcpu, u32 index, u64 *data);
int kvmlab_set_msr_common(struct kvmlab_vcpu *vcpu, u32 index, u64 data,
			  bool host);
/* KVM_GET_MSRS/KVM_SET_MSRS: also what only userspace may touch */
int kvmlab_get_msr_host(struct kvmlab_vcpu *vcpu, u32 index, u64 *data);
int kvmlab_set_msr_host(struct kvmlab_vcpu *vcpu, u32 index, u64 data);

/* emul.c: the emulator (emulate.c) applied to a vCPU */
int kvmlab_emul_init(struct kvmlab_vcpu *vcpu);
void kvmlab_emul_free(struct kvmlab_vcpu *vcpu);
int kvmlab_emulate_insn(struct kvmlab_vcpu *vcpu);
#define KVMLAB_EMUL_RETRY	2	/* not a page-table write: run it */
int kvmlab_emulate_pt_write(struct kvmlab_vcpu *vcpu, bool may_retry);
int kvmlab_emulate_mmio(struct kvmlab_vcpu *vcpu, u64 gva, u64 gpa, u32 pfec);
int kvmlab_emulate_complete(struct kvmlab_vcpu *vcpu);
int kvmlab_read_insn(struct kvmlab_vcpu *vcpu, u8 *buf, unsigned int len);
void kvmlab_shadow_guest_write(struct kvmlab_vcpu *vcpu, u64 gpa,
			       unsigned int len);

/* stats.c */
int kvmlab_stats_init(void);
void kvmlab_stats_exit(void);
void kvmlab_stats_vm_create(struct kvmlab_vm *vm, int fd);
void kvmlab_stats_vm_destroy(struct kvmlab_vm *vm);
int kvmlab_get_stats_fd(struct kvmlab_vm *vm, struct kvmlab_vcpu *vcpu);

#endif
