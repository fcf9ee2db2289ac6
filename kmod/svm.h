/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD-V: the VMCB layout, intercept bits and exit codes (AMD64 APM vol. 2,
 * appendix B and C).  Offsets are pinned by static asserts in svm.c.
 */
#ifndef KVMLAB_SVM_H
#define KVMLAB_SVM_H

#include <linux/types.h>

struct vmcb_control {
	u32 intercept_cr;		/* 0x000: reads 0-15, writes 16-31 */
	u32 intercept_dr;		/* 0x004 */
	u32 intercept_exceptions;	/* 0x008 */
	u32 intercept_misc1;		/* 0x00c */
	u32 intercept_misc2;		/* 0x010 */
	u32 intercept_misc3;		/* 0x014 */
	u8 reserved_1[0x3c - 0x18];
	u16 pause_filter_thresh;	/* 0x03c */
	u16 pause_filter_count;		/* 0x03e */
	u64 iopm_base_pa;		/* 0x040 */
	u64 msrpm_base_pa;		/* 0x048 */
	u64 tsc_offset;			/* 0x050 */
	u32 asid;			/* 0x058 */
	u8 tlb_ctl;			/* 0x05c */
	u8 reserved_2[3];
	u32 int_ctl;			/* 0x060 */
	u32 int_vector;			/* 0x064 */
	u32 int_state;			/* 0x068 */
	u8 reserved_3[4];
	u64 exit_code;			/* 0x070 */
	u64 exit_info_1;		/* 0x078 */
	u64 exit_info_2;		/* 0x080 */
	u32 exit_int_info;		/* 0x088 */
	u32 exit_int_info_err;		/* 0x08c */
	u64 nested_ctl;			/* 0x090 */
	u64 avic_vapic_bar;		/* 0x098 */
	u64 ghcb_gpa;			/* 0x0a0 */
	u32 event_inj;			/* 0x0a8 */
	u32 event_inj_err;		/* 0x0ac */
	u64 nested_cr3;			/* 0x0b0 */
	u64 virt_ext;			/* 0x0b8 */
	u32 clean;			/* 0x0c0 */
	u32 reserved_5;
	u64 next_rip;			/* 0x0c8 */
	u8 insn_len;			/* 0x0d0 */
	u8 insn_bytes[15];
	u8 reserved_6[0x400 - 0x0e0];
} __packed;

struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 */
	u8 reserved_1[0x4cb - 0x4a0];
	u8 cpl;					/* 0x4cb */
	u8 reserved_2[4];
	u64 efer;				/* 0x4d0 */
	u8 reserved_3[0x548 - 0x4d8];
	u64 cr4;				/* 0x548 */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip;				/* 0x578 */
	u8 reserved_4[0x5d8 - 0x580];
	u64 rsp;				/* 0x5d8 */
	u8 reserved_5[0x5f8 - 0x5e0];
	u64 rax;				/* 0x5f8 */
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;				/* 0x640 */
	u8 reserved_6[0x668 - 0x648];
	u64 g_pat;				/* 0x668 */
	u64 dbgctl;
	u64 br_from;
	u64 br_to;
	u64 last_excp_from;
	u64 last_excp_to;			/* 0x690 */
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

/* intercept_misc1: exit code 0x60 + bit */
#define INTERCEPT_INTR		0
#define INTERCEPT_NMI		1
#define INTERCEPT_SMI		2
#define INTERCEPT_INIT		3
#define INTERCEPT_VINTR		4
#define INTERCEPT_RDPMC		15
#define INTERCEPT_CPUID		18
#define INTERCEPT_INVD		22
#define INTERCEPT_PAUSE		23
#define INTERCEPT_IRET		20
#define INTERCEPT_HLT		24
#define INTERCEPT_INVLPG	25
#define INTERCEPT_INVLPGA	26
#define INTERCEPT_IOIO_PROT	27
#define INTERCEPT_MSR_PROT	28
#define INTERCEPT_TASK_SWITCH	29
#define INTERCEPT_SHUTDOWN	31
/* intercept_misc2: exit code 0x80 + bit */
#define INTERCEPT_VMRUN		0
#define INTERCEPT_VMMCALL	1
#define INTERCEPT_VMLOAD	2
#define INTERCEPT_VMSAVE	3
#define INTERCEPT_STGI		4
#define INTERCEPT_CLGI		5
#define INTERCEPT_SKINIT	6
#define INTERCEPT_WBINVD	9
#define INTERCEPT_MONITOR	10
#define INTERCEPT_MWAIT		11
#define INTERCEPT_XSETBV	13
#define INTERCEPT_RDPRU		14

#define TLB_CONTROL_DO_NOTHING		0
#define TLB_CONTROL_FLUSH_ALL_ASID	1

#define V_TPR_MASK		0x0f
#define V_IRQ			(1 << 8)
#define V_INTR_PRIO_SHIFT	16
#define V_INTR_PRIO_MASK	(0xf << V_INTR_PRIO_SHIFT)
#define V_INTR_MASKING		(1 << 24)

#define SVM_NESTED_CTL_NP_ENABLE	1

#define SVM_EVTINJ_VALID	(1u << 31)
#define SVM_EVTINJ_VALID_ERR	(1u << 11)
#define SVM_EVTINJ_TYPE_SHIFT	8
#define SVM_EVTINJ_TYPE_MASK	(7u << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_INTR	(0u << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_NMI	(2u << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_EXEPT	(3u << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_SOFT	(4u << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_VEC_MASK	0xff

/* Segment attributes as the VMCB packs them. */
#define SVM_SELECTOR_S_SHIFT	4
#define SVM_SELECTOR_DPL_SHIFT	5
#define SVM_SELECTOR_P_SHIFT	7
#define SVM_SELECTOR_AVL_SHIFT	8
#define SVM_SELECTOR_L_SHIFT	9
#define SVM_SELECTOR_DB_SHIFT	10
#define SVM_SELECTOR_G_SHIFT	11

/* IOIO exit_info_1 */
#define SVM_IOIO_TYPE_IN	(1 << 0)
#define SVM_IOIO_STR		(1 << 2)
#define SVM_IOIO_REP		(1 << 3)
#define SVM_IOIO_SIZE_SHIFT	4
#define SVM_IOIO_ASIZE_SHIFT	7
#define SVM_IOIO_SEG_SHIFT	10

/* Exit codes.  SVM_EXIT_NAMES lists them for the tracepoints. */
#define SVM_EXIT_READ_CR0	0x000
#define SVM_EXIT_WRITE_CR0	0x010
#define SVM_EXIT_READ_DR0	0x020
#define SVM_EXIT_WRITE_DR0	0x030
#define SVM_EXIT_EXCP_BASE	0x040
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_SMI		0x062
#define SVM_EXIT_INIT		0x063
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_RDTSC		0x06e
#define SVM_EXIT_RDPMC		0x06f
#define SVM_EXIT_PUSHF		0x070
#define SVM_EXIT_POPF		0x071
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_RSM		0x073
#define SVM_EXIT_IRET		0x074
#define SVM_EXIT_SWINT		0x075
#define SVM_EXIT_INVD		0x076
#define SVM_EXIT_PAUSE		0x077
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPG		0x079
#define SVM_EXIT_INVLPGA	0x07a
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_TASK_SWITCH	0x07d
#define SVM_EXIT_FERR_FREEZE	0x07e
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_RDTSCP		0x087
#define SVM_EXIT_ICEBP		0x088
#define SVM_EXIT_WBINVD		0x089
#define SVM_EXIT_MONITOR	0x08a
#define SVM_EXIT_MWAIT		0x08b
#define SVM_EXIT_MWAIT_COND	0x08c
#define SVM_EXIT_XSETBV		0x08d
#define SVM_EXIT_RDPRU		0x08e
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_ERR		(~0ULL)

#define SVM_EXIT_NAMES \
	{ SVM_EXIT_READ_CR0,		"read_cr0" },		\
	{ SVM_EXIT_READ_CR0 + 3,	"read_cr3" },		\
	{ SVM_EXIT_READ_CR0 + 4,	"read_cr4" },		\
	{ SVM_EXIT_WRITE_CR0,		"write_cr0" },		\
	{ SVM_EXIT_WRITE_CR0 + 3,	"write_cr3" },		\
	{ SVM_EXIT_WRITE_CR0 + 4,	"write_cr4" },		\
	{ SVM_EXIT_EXCP_BASE + 1,	"DB_excp" },		\
	{ SVM_EXIT_EXCP_BASE + 6,	"UD_excp" },		\
	{ SVM_EXIT_EXCP_BASE + 14,	"PF_excp" },		\
	{ SVM_EXIT_EXCP_BASE + 18,	"MC_excp" },		\
	{ SVM_EXIT_INTR,		"interrupt" },		\
	{ SVM_EXIT_NMI,			"nmi" },		\
	{ SVM_EXIT_SMI,			"smi" },		\
	{ SVM_EXIT_INIT,		"init" },		\
	{ SVM_EXIT_VINTR,		"vintr" },		\
	{ SVM_EXIT_RDPMC,		"rdpmc" },		\
	{ SVM_EXIT_CPUID,		"cpuid" },		\
	{ SVM_EXIT_INVD,		"invd" },		\
	{ SVM_EXIT_HLT,			"hlt" },		\
	{ SVM_EXIT_INVLPG,		"invlpg" },		\
	{ SVM_EXIT_INVLPGA,		"invlpga" },		\
	{ SVM_EXIT_IOIO,		"io" },			\
	{ SVM_EXIT_MSR,			"msr" },		\
	{ SVM_EXIT_TASK_SWITCH,		"task_switch" },	\
	{ SVM_EXIT_SHUTDOWN,		"shutdown" },		\
	{ SVM_EXIT_VMRUN,		"vmrun" },		\
	{ SVM_EXIT_VMMCALL,		"vmmcall" },		\
	{ SVM_EXIT_VMLOAD,		"vmload" },		\
	{ SVM_EXIT_VMSAVE,		"vmsave" },		\
	{ SVM_EXIT_STGI,		"stgi" },		\
	{ SVM_EXIT_CLGI,		"clgi" },		\
	{ SVM_EXIT_SKINIT,		"skinit" },		\
	{ SVM_EXIT_RDTSCP,		"rdtscp" },		\
	{ SVM_EXIT_WBINVD,		"wbinvd" },		\
	{ SVM_EXIT_MONITOR,		"monitor" },		\
	{ SVM_EXIT_MWAIT,		"mwait" },		\
	{ SVM_EXIT_XSETBV,		"xsetbv" },		\
	{ SVM_EXIT_RDPRU,		"rdpru" },		\
	{ SVM_EXIT_NPF,			"npf" },		\
	{ SVM_EXIT_ERR,			"invalid" }

#define MSR_KVMLAB_VM_CR	0xc0010114
#define MSR_KVMLAB_VM_HSAVE_PA	0xc0010117
#define VM_CR_SVMDIS		(1 << 4)

/* svm_vmrun.S */
void kvmlab_svm_vmrun(unsigned long vmcb_pa, unsigned long *regs,
		      unsigned long host_save_pa);

#endif
