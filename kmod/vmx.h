/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmlab: Intel VT-x facts (SDM vol. 3C, appendices B and C, chapters 24
 * to 28): VMCS field encodings, control bits, exit reasons and the
 * layouts of the exit qualifications vmx.c decodes.
 */
#ifndef KVMLAB_VMX_H
#define KVMLAB_VMX_H

#ifdef __KERNEL__
#include <linux/bits.h>
#else	/* tracing/names.c names VMX exits from VMX_EXIT_NAMES */
#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#endif

/* ---- VMCS field encodings (appendix B) ---- */

/* 16-bit guest and host selectors: ES CS SS DS FS GS LDTR TR, 2 apart */
#define GUEST_ES_SELECTOR		0x0800
#define HOST_ES_SELECTOR		0x0c00
#define HOST_CS_SELECTOR		0x0c02
#define HOST_SS_SELECTOR		0x0c04
#define HOST_DS_SELECTOR		0x0c06
#define HOST_FS_SELECTOR		0x0c08
#define HOST_GS_SELECTOR		0x0c0a
#define HOST_TR_SELECTOR		0x0c0c

/* 16-bit control field */
#define VIRTUAL_PROCESSOR_ID		0x0000

/* 64-bit control fields */
#define TSC_OFFSET			0x2010
#define EPT_POINTER			0x201a
/* 64-bit read-only */
#define GUEST_PHYSICAL_ADDRESS		0x2400
/* 64-bit guest state */
#define VMCS_LINK_POINTER		0x2800
#define GUEST_IA32_DEBUGCTL		0x2802
#define GUEST_IA32_PAT			0x2804
#define GUEST_IA32_EFER			0x2806
#define GUEST_PDPTR0			0x280a	/* PDPTR1-3: +2, +4, +6 */
/* 64-bit host state */
#define HOST_IA32_PAT			0x2c00
#define HOST_IA32_EFER			0x2c02

/* 32-bit control fields */
#define PIN_BASED_VM_EXEC_CONTROL	0x4000
#define CPU_BASED_VM_EXEC_CONTROL	0x4002
#define EXCEPTION_BITMAP		0x4004
#define PAGE_FAULT_ERROR_CODE_MASK	0x4006
#define PAGE_FAULT_ERROR_CODE_MATCH	0x4008
#define CR3_TARGET_COUNT		0x400a
#define VM_EXIT_CONTROLS		0x400c
#define VM_EXIT_MSR_STORE_COUNT		0x400e
#define VM_EXIT_MSR_LOAD_COUNT		0x4010
#define VM_ENTRY_CONTROLS		0x4012
#define VM_ENTRY_MSR_LOAD_COUNT		0x4014
#define VM_ENTRY_INTR_INFO_FIELD	0x4016
#define VM_ENTRY_EXCEPTION_ERROR_CODE	0x4018
#define VM_ENTRY_INSTRUCTION_LEN	0x401a
#define SECONDARY_VM_EXEC_CONTROL	0x401e
/* 32-bit read-only */
#define VM_INSTRUCTION_ERROR		0x4400
#define VM_EXIT_REASON			0x4402
#define VM_EXIT_INTR_INFO		0x4404
#define VM_EXIT_INTR_ERROR_CODE		0x4406
#define IDT_VECTORING_INFO_FIELD	0x4408
#define IDT_VECTORING_ERROR_CODE	0x440a
#define VM_EXIT_INSTRUCTION_LEN		0x440c
#define VMX_INSTRUCTION_INFO		0x440e
/* 32-bit guest state: limits and access rights ES..TR, 2 apart */
#define GUEST_ES_LIMIT			0x4800
#define GUEST_GDTR_LIMIT		0x4810
#define GUEST_IDTR_LIMIT		0x4812
#define GUEST_ES_AR_BYTES		0x4814
#define GUEST_INTERRUPTIBILITY_INFO	0x4824
#define GUEST_ACTIVITY_STATE		0x4826
#define GUEST_SYSENTER_CS		0x482a
#define VMX_PREEMPTION_TIMER_VALUE	0x482e
/* 32-bit host state */
#define HOST_IA32_SYSENTER_CS		0x4c00

/* natural-width control fields */
#define CR0_GUEST_HOST_MASK		0x6000
#define CR4_GUEST_HOST_MASK		0x6002
#define CR0_READ_SHADOW			0x6004
#define CR4_READ_SHADOW			0x6006
/* natural-width read-only */
#define EXIT_QUALIFICATION		0x6400
#define GUEST_LINEAR_ADDRESS		0x640a
/* natural-width guest state: bases ES..TR, 2 apart */
#define GUEST_CR0			0x6800
#define GUEST_CR3			0x6802
#define GUEST_CR4			0x6804
#define GUEST_ES_BASE			0x6806
#define GUEST_GDTR_BASE			0x6816
#define GUEST_IDTR_BASE			0x6818
#define GUEST_DR7			0x681a
#define GUEST_RSP			0x681c
#define GUEST_RIP			0x681e
#define GUEST_RFLAGS			0x6820
#define GUEST_PENDING_DBG_EXCEPTIONS	0x6822
#define GUEST_SYSENTER_ESP		0x6824
#define GUEST_SYSENTER_EIP		0x6826
/* natural-width host state */
#define HOST_CR0			0x6c00
#define HOST_CR3			0x6c02
#define HOST_CR4			0x6c04
#define HOST_FS_BASE			0x6c06
#define HOST_GS_BASE			0x6c08
#define HOST_TR_BASE			0x6c0a
#define HOST_GDTR_BASE			0x6c0c
#define HOST_IDTR_BASE			0x6c0e
#define HOST_IA32_SYSENTER_ESP		0x6c10
#define HOST_IA32_SYSENTER_EIP		0x6c12
#define HOST_RSP			0x6c14
#define HOST_RIP			0x6c16

/* ---- controls (chapter 24.6-24.8) ---- */

#define PIN_EXT_INTR_EXITING		BIT(0)
#define PIN_NMI_EXITING			BIT(3)
#define PIN_VIRTUAL_NMIS		BIT(5)
#define PIN_PREEMPTION_TIMER		BIT(6)

#define CPU_INTR_WINDOW_EXITING		BIT(2)
#define CPU_USE_TSC_OFFSETTING		BIT(3)
#define CPU_HLT_EXITING			BIT(7)
#define CPU_INVLPG_EXITING		BIT(9)
#define CPU_MWAIT_EXITING		BIT(10)
#define CPU_RDPMC_EXITING		BIT(11)
#define CPU_CR3_LOAD_EXITING		BIT(15)
#define CPU_CR3_STORE_EXITING		BIT(16)
#define CPU_CR8_LOAD_EXITING		BIT(19)
#define CPU_CR8_STORE_EXITING		BIT(20)
#define CPU_MOV_DR_EXITING		BIT(23)
#define CPU_UNCOND_IO_EXITING		BIT(24)
#define CPU_USE_IO_BITMAPS		BIT(25)
#define CPU_USE_MSR_BITMAPS		BIT(28)
#define CPU_MONITOR_EXITING		BIT(29)
#define CPU_NMI_WINDOW_EXITING		BIT(22)
#define CPU_SECONDARY_CONTROLS		BIT(31)

#define SEC_ENABLE_EPT			BIT(1)
#define SEC_ENABLE_VPID			BIT(5)
#define SEC_WBINVD_EXITING		BIT(6)
#define SEC_UNRESTRICTED_GUEST		BIT(7)

#define EXIT_SAVE_DEBUG_CONTROLS	BIT(2)
#define EXIT_HOST_ADDR_SPACE_SIZE	BIT(9)
#define EXIT_ACK_INTR_ON_EXIT		BIT(15)
#define EXIT_LOAD_IA32_PAT		BIT(19)
#define EXIT_LOAD_IA32_EFER		BIT(21)

#define ENTRY_LOAD_DEBUG_CONTROLS	BIT(2)
#define ENTRY_IA32E_MODE		BIT(9)
#define ENTRY_LOAD_IA32_PAT		BIT(14)
#define ENTRY_LOAD_IA32_EFER		BIT(15)

/* DR7 after every VM exit (28.5.1) */
#define VMX_EXIT_DR7			0x400UL

/* IA32_VMX_BASIC */
#define VMXCAP_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMXCAP_INOUT_INFO		BIT_ULL(54)	/* string I/O info */
#define VMXCAP_TRUE_CTLS		BIT_ULL(55)

/* IA32_VMX_EPT_VPID_CAP */
#define VMXCAP_EPT_PWL4			BIT_ULL(6)
#define VMXCAP_EPT_WB			BIT_ULL(14)
#define VMXCAP_INVEPT			BIT_ULL(20)
#define VMXCAP_INVEPT_ALL		BIT_ULL(26)
#define VMXCAP_INVVPID			BIT_ULL(32)
#define VMXCAP_INVVPID_SINGLE		BIT_ULL(41)
#define VMXCAP_INVVPID_ALL		BIT_ULL(42)

/* ---- event information (24.8.3, 24.9.2-3) ---- */

#define INTR_INFO_VECTOR_MASK		0xff
#define INTR_INFO_TYPE_MASK		(7 << 8)
#define INTR_TYPE_EXT_INTR		(0 << 8)
#define INTR_TYPE_NMI			(2 << 8)
#define INTR_TYPE_HARD_EXCEPTION	(3 << 8)
#define INTR_TYPE_SOFT_INTR		(4 << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION	(5 << 8)
#define INTR_TYPE_SOFT_EXCEPTION	(6 << 8)
#define INTR_INFO_DELIVER_CODE		BIT(11)
#define INTR_INFO_VALID			BIT(31)

/* guest interruptibility: blocking by STI, by MOV SS */
#define GUEST_INTR_STI			BIT(0)
#define GUEST_INTR_MOV_SS		BIT(1)
#define GUEST_INTR_NMI			BIT(3)
/* exit interruption info / EPT qualification: IRET unblocked NMIs */
#define INTR_INFO_UNBLOCK_NMI		BIT(12)

/* segment access rights (24.4.1) */
#define VMX_AR_UNUSABLE			BIT(16)

/* ---- exit qualifications (27.2.1) ---- */

/* control-register accesses */
#define CR_QUAL_CR(q)			((q) & 15)
#define CR_QUAL_TYPE(q)			(((q) >> 4) & 3)
#define CR_TYPE_MOV_TO			0
#define CR_TYPE_MOV_FROM		1
#define CR_TYPE_CLTS			2
#define CR_TYPE_LMSW			3
#define CR_QUAL_GPR(q)			(((q) >> 8) & 15)
#define CR_QUAL_LMSW_DATA(q)		(((q) >> 16) & 0xffff)

/* I/O instructions */
#define IO_QUAL_SIZE(q)			(((q) & 7) + 1)
#define IO_QUAL_IN			BIT(3)
#define IO_QUAL_STRING			BIT(4)
#define IO_QUAL_REP			BIT(5)
#define IO_QUAL_PORT(q)			(((q) >> 16) & 0xffff)

/* EPT violations */
#define EPT_QUAL_READ			BIT(0)
#define EPT_QUAL_WRITE			BIT(1)
#define EPT_QUAL_FETCH			BIT(2)
#define EPT_QUAL_PRESENT		(BIT(3) | BIT(4) | BIT(5))

/* VM-exit instruction information for INS/OUTS (27.2.5) */
#define INSN_INFO_ADDR_SIZE(i)		(((i) >> 7) & 7)	/* 0,1,2: 16,32,64 */
#define INSN_INFO_SEG(i)		(((i) >> 15) & 7)

/* ---- basic exit reasons (appendix C) ---- */

#define EXIT_REASON_EXCEPTION_NMI	0
#define EXIT_REASON_EXTERNAL_INTERRUPT	1
#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_INIT		3
#define EXIT_REASON_SIPI		4
#define EXIT_REASON_IO_SMI		5
#define EXIT_REASON_OTHER_SMI		6
#define EXIT_REASON_INTR_WINDOW		7
#define EXIT_REASON_NMI_WINDOW		8
#define EXIT_REASON_TASK_SWITCH		9
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_GETSEC		11
#define EXIT_REASON_HLT			12
#define EXIT_REASON_INVD		13
#define EXIT_REASON_INVLPG		14
#define EXIT_REASON_RDPMC		15
#define EXIT_REASON_RDTSC		16
#define EXIT_REASON_RSM			17
#define EXIT_REASON_VMCALL		18
#define EXIT_REASON_VMCLEAR		19
#define EXIT_REASON_VMLAUNCH		20
#define EXIT_REASON_VMPTRLD		21
#define EXIT_REASON_VMPTRST		22
#define EXIT_REASON_VMREAD		23
#define EXIT_REASON_VMRESUME		24
#define EXIT_REASON_VMWRITE		25
#define EXIT_REASON_VMXOFF		26
#define EXIT_REASON_VMXON		27
#define EXIT_REASON_CR_ACCESS		28
#define EXIT_REASON_DR_ACCESS		29
#define EXIT_REASON_IO_INSTRUCTION	30
#define EXIT_REASON_MSR_READ		31
#define EXIT_REASON_MSR_WRITE		32
#define EXIT_REASON_INVALID_STATE	33
#define EXIT_REASON_MSR_LOAD_FAIL	34
#define EXIT_REASON_MWAIT		36
#define EXIT_REASON_MTF			37
#define EXIT_REASON_MONITOR		39
#define EXIT_REASON_PAUSE		40
#define EXIT_REASON_MCE_DURING_ENTRY	41
#define EXIT_REASON_TPR_BELOW_THRESHOLD	43
#define EXIT_REASON_APIC_ACCESS		44
#define EXIT_REASON_EOI_INDUCED		45
#define EXIT_REASON_GDTR_IDTR		46
#define EXIT_REASON_LDTR_TR		47
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49
#define EXIT_REASON_INVEPT		50
#define EXIT_REASON_RDTSCP		51
#define EXIT_REASON_PREEMPTION_TIMER	52
#define EXIT_REASON_INVVPID		53
#define EXIT_REASON_WBINVD		54
#define EXIT_REASON_XSETBV		55
#define EXIT_REASON_APIC_WRITE		56
#define EXIT_REASON_RDRAND		57
#define EXIT_REASON_INVPCID		58
#define EXIT_REASON_VMFUNC		59
#define EXIT_REASON_ENCLS		60
#define EXIT_REASON_RDSEED		61
#define EXIT_REASON_PML_FULL		62
#define EXIT_REASON_XSAVES		63
#define EXIT_REASON_XRSTORS		64
#define VMX_EXIT_REASONS_FAILED_ENTRY	BIT(31)

/*
 * The kvmlab_exit tracepoint carries one exit code for both backends:
 * VMX reasons are traced as KVMLAB_VMX_EXIT_BASE + reason (SVM codes stay
 * below 0x1000, or are -1), so one symbolic table names both.  A failed
 * VM entry keeps bit 31 of the hardware's reason.
 */
#define KVMLAB_VMX_EXIT_BASE		0x10000

#define VMX_EXIT_NAME(r, n)	{ KVMLAB_VMX_EXIT_BASE + (r), n }
#define VMX_EXIT_NAMES \
	VMX_EXIT_NAME(EXIT_REASON_EXCEPTION_NMI,	"vmx_exception_nmi"), \
	VMX_EXIT_NAME(EXIT_REASON_EXTERNAL_INTERRUPT,	"vmx_external_interrupt"), \
	VMX_EXIT_NAME(EXIT_REASON_TRIPLE_FAULT,	"vmx_triple_fault"),	\
	VMX_EXIT_NAME(EXIT_REASON_INIT,		"vmx_init"),		\
	VMX_EXIT_NAME(EXIT_REASON_OTHER_SMI,	"vmx_other_smi"),	\
	VMX_EXIT_NAME(EXIT_REASON_TASK_SWITCH,	"vmx_task_switch"),	\
	VMX_EXIT_NAME(EXIT_REASON_CPUID,	"vmx_cpuid"),		\
	VMX_EXIT_NAME(EXIT_REASON_GETSEC,	"vmx_getsec"),		\
	VMX_EXIT_NAME(EXIT_REASON_HLT,		"vmx_hlt"),		\
	VMX_EXIT_NAME(EXIT_REASON_INVD,		"vmx_invd"),		\
	VMX_EXIT_NAME(EXIT_REASON_INVLPG,	"vmx_invlpg"),		\
	VMX_EXIT_NAME(EXIT_REASON_RDPMC,	"vmx_rdpmc"),		\
	VMX_EXIT_NAME(EXIT_REASON_RDTSC,	"vmx_rdtsc"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMCALL,	"vmx_vmcall"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMCLEAR,	"vmx_vmclear"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMLAUNCH,	"vmx_vmlaunch"),	\
	VMX_EXIT_NAME(EXIT_REASON_VMPTRLD,	"vmx_vmptrld"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMPTRST,	"vmx_vmptrst"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMREAD,	"vmx_vmread"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMRESUME,	"vmx_vmresume"),	\
	VMX_EXIT_NAME(EXIT_REASON_VMWRITE,	"vmx_vmwrite"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMXOFF,	"vmx_vmxoff"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMXON,	"vmx_vmxon"),		\
	VMX_EXIT_NAME(EXIT_REASON_CR_ACCESS,	"vmx_cr_access"),	\
	VMX_EXIT_NAME(EXIT_REASON_DR_ACCESS,	"vmx_dr_access"),	\
	VMX_EXIT_NAME(EXIT_REASON_IO_INSTRUCTION, "vmx_io"),		\
	VMX_EXIT_NAME(EXIT_REASON_MSR_READ,	"vmx_rdmsr"),		\
	VMX_EXIT_NAME(EXIT_REASON_MSR_WRITE,	"vmx_wrmsr"),		\
	VMX_EXIT_NAME(EXIT_REASON_MWAIT,	"vmx_mwait"),		\
	VMX_EXIT_NAME(EXIT_REASON_MONITOR,	"vmx_monitor"),		\
	VMX_EXIT_NAME(EXIT_REASON_PAUSE,	"vmx_pause"),		\
	VMX_EXIT_NAME(EXIT_REASON_EPT_VIOLATION, "vmx_ept_violation"),	\
	VMX_EXIT_NAME(EXIT_REASON_EPT_MISCONFIG, "vmx_ept_misconfig"),	\
	VMX_EXIT_NAME(EXIT_REASON_INVEPT,	"vmx_invept"),		\
	VMX_EXIT_NAME(EXIT_REASON_RDTSCP,	"vmx_rdtscp"),		\
	VMX_EXIT_NAME(EXIT_REASON_PREEMPTION_TIMER, "vmx_preemption_timer"), \
	VMX_EXIT_NAME(EXIT_REASON_INVVPID,	"vmx_invvpid"),		\
	VMX_EXIT_NAME(EXIT_REASON_WBINVD,	"vmx_wbinvd"),		\
	VMX_EXIT_NAME(EXIT_REASON_XSETBV,	"vmx_xsetbv"),		\
	VMX_EXIT_NAME(EXIT_REASON_RDRAND,	"vmx_rdrand"),		\
	VMX_EXIT_NAME(EXIT_REASON_INVPCID,	"vmx_invpcid"),		\
	VMX_EXIT_NAME(EXIT_REASON_VMFUNC,	"vmx_vmfunc"),		\
	VMX_EXIT_NAME(EXIT_REASON_RDSEED,	"vmx_rdseed"),		\
	VMX_EXIT_NAME(VMX_EXIT_REASONS_FAILED_ENTRY | EXIT_REASON_INVALID_STATE, \
		      "vmx_fail_invalid_guest_state"),			\
	VMX_EXIT_NAME(VMX_EXIT_REASONS_FAILED_ENTRY | EXIT_REASON_MSR_LOAD_FAIL, \
		      "vmx_fail_msr_load"),				\
	VMX_EXIT_NAME(VMX_EXIT_REASONS_FAILED_ENTRY |			\
		      EXIT_REASON_MCE_DURING_ENTRY, "vmx_fail_mce")

/* vmx_vmrun.S */
int kvmlab_vmx_vmrun(unsigned long *regs);
void kvmlab_vmx_return(void);

#endif
