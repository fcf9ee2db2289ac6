/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmlab: the tracepoints, one trace system "kvmlab" in tracefs
 * (events/kvmlab/), for trace-cmd, perf and BPF (tracepoint/kvmlab/...).
 *
 * Every #VMEXIT and VMRUN, every exit handled in the kernel or passed to
 * userspace, every emulator step and, once the shadow MMU calls them,
 * every shadow page fault, shadow page event and CR3 switch.
 * CREATE_TRACE_POINTS is defined in trace.c only.
 *
 * Built with KVMLAB_NOTRACE (make -C kmod KVMLAB_NOTRACE=1) every
 * trace_kvmlab_*() is an empty inline: the module without tracepoints,
 * used only to measure what compiled-in tracepoints cost.
 */

/* Values the callers pass; #defines so the format files show numbers. */
#ifndef KVMLAB_TRACE_DEFS
#define KVMLAB_TRACE_DEFS

#include <linux/bits.h>

/* kvmlab_shadow_fault outcome */
#define KVMLAB_PF_FIXED		0	/* a shadow PTE was built */
#define KVMLAB_PF_INJECTED	1	/* the guest's own: #PF injected */
#define KVMLAB_PF_MMIO		2	/* no memory slot: MMIO */
#define KVMLAB_PF_EMULATED	3	/* the instruction emulated */
#define KVMLAB_PF_WP_HIT	4	/* a write to a shadowed guest PT */

/* kvmlab_mmio type */
#define KVMLAB_MMIO_READ_UNSATISFIED	0	/* data from userspace */
#define KVMLAB_MMIO_READ		1	/* the data arrived */
#define KVMLAB_MMIO_WRITE		2

/* #PF error code bits */
#define KVMLAB_PFERR_PRESENT	BIT(0)
#define KVMLAB_PFERR_WRITE	BIT(1)
#define KVMLAB_PFERR_USER	BIT(2)
#define KVMLAB_PFERR_RSVD	BIT(3)
#define KVMLAB_PFERR_FETCH	BIT(4)
#define KVMLAB_PFERR_PK		BIT(5)

#endif /* KVMLAB_TRACE_DEFS */

#ifdef KVMLAB_NOTRACE
#ifndef KVMLAB_TRACE_H_NOTRACE
#define KVMLAB_TRACE_H_NOTRACE
#include <linux/tracepoint.h>
#undef TRACE_EVENT
#undef DECLARE_EVENT_CLASS
#undef DEFINE_EVENT
#undef TRACE_DEFINE_ENUM
#define TRACE_EVENT(name, proto, args, tstruct, assign, print)	\
	static inline void trace_##name(proto) { }		\
	static inline bool trace_##name##_enabled(void) { return false; }
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args)		\
	static inline void trace_##name(proto) { }		\
	static inline bool trace_##name##_enabled(void) { return false; }
#define TRACE_DEFINE_ENUM(a)
#define KVMLAB_TRACE_BODY
#endif
#elif !defined(_KVMLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KVMLAB_TRACE_H
#define KVMLAB_TRACE_BODY
#include <linux/tracepoint.h>
#endif

#ifdef KVMLAB_TRACE_BODY
#undef KVMLAB_TRACE_BODY

#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvmlab

#include "kvmlab.h"
#include "svm.h"
#include "vmx.h"
#include "emulate.h"

#define KVMLAB_EXIT_REASONS					\
	{ KVM_EXIT_UNKNOWN,		"UNKNOWN" },		\
	{ KVM_EXIT_EXCEPTION,		"EXCEPTION" },		\
	{ KVM_EXIT_IO,			"IO" },			\
	{ KVM_EXIT_HYPERCALL,		"HYPERCALL" },		\
	{ KVM_EXIT_DEBUG,		"DEBUG" },		\
	{ KVM_EXIT_HLT,			"HLT" },		\
	{ KVM_EXIT_MMIO,		"MMIO" },		\
	{ KVM_EXIT_IRQ_WINDOW_OPEN,	"IRQ_WINDOW_OPEN" },	\
	{ KVM_EXIT_SHUTDOWN,		"SHUTDOWN" },		\
	{ KVM_EXIT_FAIL_ENTRY,		"FAIL_ENTRY" },		\
	{ KVM_EXIT_INTR,		"INTR" },		\
	{ KVM_EXIT_SET_TPR,		"SET_TPR" },		\
	{ KVM_EXIT_TPR_ACCESS,		"TPR_ACCESS" },		\
	{ KVM_EXIT_NMI,			"NMI" },		\
	{ KVM_EXIT_INTERNAL_ERROR,	"INTERNAL_ERROR" },	\
	{ KVM_EXIT_SYSTEM_EVENT,	"SYSTEM_EVENT" }

#define KVMLAB_EXCEPTIONS					\
	{ 0, "DE" }, { 1, "DB" }, { 2, "NMI" }, { 3, "BP" },	\
	{ 4, "OF" }, { 5, "BR" }, { 6, "UD" }, { 7, "NM" },	\
	{ 8, "DF" }, { 10, "TS" }, { 11, "NP" }, { 12, "SS" },	\
	{ 13, "GP" }, { 14, "PF" }, { 16, "MF" }, { 17, "AC" },	\
	{ 18, "MC" }, { 19, "XM" }

#define KVMLAB_PFERR_FLAGS					\
	{ KVMLAB_PFERR_PRESENT,	"P" },				\
	{ KVMLAB_PFERR_WRITE,	"W" },				\
	{ KVMLAB_PFERR_USER,	"U" },				\
	{ KVMLAB_PFERR_RSVD,	"RSVD" },			\
	{ KVMLAB_PFERR_FETCH,	"F" },				\
	{ KVMLAB_PFERR_PK,	"PK" }

#define KVMLAB_PF_OUTCOMES					\
	{ KVMLAB_PF_FIXED,	"fixed" },			\
	{ KVMLAB_PF_INJECTED,	"injected" },			\
	{ KVMLAB_PF_MMIO,	"mmio" },			\
	{ KVMLAB_PF_EMULATED,	"emulated" },			\
	{ KVMLAB_PF_WP_HIT,	"wp-hit" }

TRACE_DEFINE_ENUM(X86EMUL_STEP_FETCH);
TRACE_DEFINE_ENUM(X86EMUL_STEP_DECODE);
TRACE_DEFINE_ENUM(X86EMUL_STEP_EXECUTE);
TRACE_DEFINE_ENUM(X86EMUL_STEP_WRITEBACK);

#define KVMLAB_EMUL_STEPS					\
	{ X86EMUL_STEP_FETCH,		"fetch" },		\
	{ X86EMUL_STEP_DECODE,		"decode" },		\
	{ X86EMUL_STEP_EXECUTE,		"execute" },		\
	{ X86EMUL_STEP_WRITEBACK,	"writeback" }

#define KVMLAB_EMUL_RESULTS					\
	{ X86EMUL_CONTINUE,		"ok" },			\
	{ X86EMUL_UNHANDLEABLE,		"unhandleable" },	\
	{ X86EMUL_PROPAGATE_FAULT,	"fault" },		\
	{ X86EMUL_IO_NEEDED,		"io-needed" },		\
	{ X86EMUL_RETRY,		"retry" }

/* ---- entry and exit ---- */

TRACE_EVENT(kvmlab_entry,
	TP_PROTO(const struct kvmlab_vcpu *vcpu),
	TP_ARGS(vcpu),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, rip)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu->vcpu_id;
		__entry->rip = vcpu->rip;
	),

	TP_printk("vcpu %u rip 0x%llx", __entry->vcpu_id, __entry->rip)
);

TRACE_EVENT(kvmlab_exit,
	TP_PROTO(const struct kvmlab_vcpu *vcpu, u64 exit_code, u64 info1,
		 u64 info2, u64 cr3),
	TP_ARGS(vcpu, exit_code, info1, info2, cr3),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, exit_code)
		__field(u64, info1)
		__field(u64, info2)
		__field(u64, rip)
		__field(u64, cr3)
		__string(mmu, vcpu->vm->mmu_ops->name)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu->vcpu_id;
		__entry->exit_code = exit_code;
		__entry->info1 = info1;
		__entry->info2 = info2;
		__entry->rip = vcpu->rip;
		__entry->cr3 = cr3;
		__assign_str(mmu, vcpu->vm->mmu_ops->name);
	),

	TP_printk("vcpu %u reason %s rip 0x%llx info1 0x%llx info2 0x%llx cr3 0x%llx mmu %s",
		  __entry->vcpu_id,
		  __print_symbolic(__entry->exit_code, SVM_EXIT_NAMES,
				   VMX_EXIT_NAMES),
		  __entry->rip, __entry->info1, __entry->info2, __entry->cr3,
		  __get_str(mmu))
);

TRACE_EVENT(kvmlab_userspace_exit,
	TP_PROTO(const struct kvmlab_vcpu *vcpu, int ret),
	TP_ARGS(vcpu, ret),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u32, reason)
		__field(int, errno)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu->vcpu_id;
		__entry->reason = vcpu->run->exit_reason;
		__entry->errno = ret < 0 ? -ret : 0;
	),

	TP_printk("vcpu %u reason %s errno %d", __entry->vcpu_id,
		  __print_symbolic(__entry->reason, KVMLAB_EXIT_REASONS),
		  __entry->errno)
);

/* ---- exits handled in the kernel ---- */

TRACE_EVENT(kvmlab_pio,
	TP_PROTO(u32 vcpu_id, bool in, u16 port, u8 size, u32 count,
		 const void *data),
	TP_ARGS(vcpu_id, in, port, size, count, data),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u8, in)
		__field(u8, size)
		__field(u16, port)
		__field(u32, count)
		__field(u64, val)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->in = in;
		__entry->size = size;
		__entry->port = port;
		__entry->count = count;
		__entry->val = 0;
		if (data)
			memcpy(&__entry->val, data, min_t(u8, size, 8));
	),

	TP_printk("vcpu %u pio_%s at 0x%x size %u count %u val 0x%llx%s",
		  __entry->vcpu_id, __entry->in ? "read" : "write",
		  __entry->port, __entry->size, __entry->count, __entry->val,
		  __entry->count > 1 ? " (...)" : "")
);

TRACE_EVENT(kvmlab_mmio,
	TP_PROTO(u32 vcpu_id, int type, u64 gpa, unsigned int len,
		 const void *data),
	TP_ARGS(vcpu_id, type, gpa, len, data),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u32, type)
		__field(u32, len)
		__field(u64, gpa)
		__field(u64, val)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->type = type;
		__entry->len = len;
		__entry->gpa = gpa;
		__entry->val = 0;
		if (data)
			memcpy(&__entry->val, data, min_t(u32, len, 8));
	),

	TP_printk("vcpu %u mmio %s len %u gpa 0x%llx val 0x%llx",
		  __entry->vcpu_id,
		  __print_symbolic(__entry->type,
			{ KVMLAB_MMIO_READ_UNSATISFIED, "unsatisfied-read" },
			{ KVMLAB_MMIO_READ, "read" },
			{ KVMLAB_MMIO_WRITE, "write" }),
		  __entry->len, __entry->gpa, __entry->val)
);

TRACE_EVENT(kvmlab_msr,
	TP_PROTO(u32 vcpu_id, bool write, u32 index, u64 data, bool fault),
	TP_ARGS(vcpu_id, write, index, data, fault),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u32, index)
		__field(u64, data)
		__field(u8, write)
		__field(u8, fault)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->index = index;
		__entry->data = data;
		__entry->write = write;
		__entry->fault = fault;
	),

	TP_printk("vcpu %u msr_%s 0x%x = 0x%llx%s", __entry->vcpu_id,
		  __entry->write ? "write" : "read", __entry->index,
		  __entry->data, __entry->fault ? " (#GP)" : "")
);

TRACE_EVENT(kvmlab_cr,
	TP_PROTO(u32 vcpu_id, bool write, int cr, u64 val),
	TP_ARGS(vcpu_id, write, cr, val),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u8, write)
		__field(u8, cr)
		__field(u64, val)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->write = write;
		__entry->cr = cr;
		__entry->val = val;
	),

	TP_printk("vcpu %u cr_%s %u = 0x%llx", __entry->vcpu_id,
		  __entry->write ? "write" : "read", __entry->cr,
		  __entry->val)
);

TRACE_EVENT(kvmlab_invlpg,
	TP_PROTO(u32 vcpu_id, u64 rip, u64 addr),
	TP_ARGS(vcpu_id, rip, addr),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, rip)
		__field(u64, addr)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->rip = rip;
		__entry->addr = addr;
	),

	TP_printk("vcpu %u rip 0x%llx address 0x%llx", __entry->vcpu_id,
		  __entry->rip, __entry->addr)
);

TRACE_EVENT(kvmlab_inj_exception,
	TP_PROTO(u32 vcpu_id, u8 vector, bool has_error, u32 error_code),
	TP_ARGS(vcpu_id, vector, has_error, error_code),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u8, vector)
		__field(u8, has_error)
		__field(u32, error_code)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->vector = vector;
		__entry->has_error = has_error;
		__entry->error_code = error_code;
	),

	TP_printk("vcpu %u %s%s0x%x", __entry->vcpu_id,
		  __print_symbolic(__entry->vector, KVMLAB_EXCEPTIONS),
		  __entry->has_error ? " error " : " no error ",
		  __entry->error_code)
);

TRACE_EVENT(kvmlab_hlt,
	TP_PROTO(u32 vcpu_id, u64 rip),
	TP_ARGS(vcpu_id, rip),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, rip)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->rip = rip;
	),

	TP_printk("vcpu %u rip 0x%llx", __entry->vcpu_id, __entry->rip)
);

/* ---- the emulator: one event per step ---- */

TRACE_EVENT(kvmlab_emulate,
	TP_PROTO(u32 vcpu_id, const struct x86_emulate_ctxt *ctxt, int step,
		 int rc),
	TP_ARGS(vcpu_id, ctxt, step, rc),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, rip)
		__field(u8, step)
		__field(u8, rc)
		__field(u8, len)
		__field(u8, op_bytes)
		__field(u8, mode)
		__array(u8, insn, 15)
		__string(name, ctxt->insn.name ?: "?")
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->rip = ctxt->rip;
		__entry->step = step;
		__entry->rc = rc;
		__entry->len = ctxt->insn.len ?: ctxt->insn.avail;
		__entry->op_bytes = ctxt->insn.op_bytes;
		__entry->mode = ctxt->mode;
		memcpy(__entry->insn, ctxt->insn.bytes, 15);
		__assign_str(name, ctxt->insn.name ?: "?");
	),

	TP_printk("vcpu %u rip 0x%llx %s %s insn %s op %u bytes %s",
		  __entry->vcpu_id, __entry->rip,
		  __print_symbolic(__entry->step, KVMLAB_EMUL_STEPS),
		  __get_str(name),
		  __print_hex(__entry->insn, min_t(u8, __entry->len, 15)),
		  __entry->op_bytes,
		  __print_symbolic(__entry->rc, KVMLAB_EMUL_RESULTS))
);

/* ---- the shadow MMU (called by mmu*.c and paging_tmpl.h) ---- */

TRACE_EVENT(kvmlab_shadow_fault,
	TP_PROTO(u32 vcpu_id, u64 addr, u32 error_code, int outcome),
	TP_ARGS(vcpu_id, addr, error_code, outcome),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u32, error_code)
		__field(u64, addr)
		__field(u8, outcome)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->error_code = error_code;
		__entry->addr = addr;
		__entry->outcome = outcome;
	),

	TP_printk("vcpu %u addr 0x%llx error %s (0x%x) %s",
		  __entry->vcpu_id, __entry->addr,
		  __print_flags(__entry->error_code, "|", KVMLAB_PFERR_FLAGS),
		  __entry->error_code,
		  __print_symbolic(__entry->outcome, KVMLAB_PF_OUTCOMES))
);

/* A shadow page: the guest frame it shadows, its role word, its level
 * and a count (its users for create/sync, the pages zapped with it, the
 * pages left on recycle: what the caller finds telling).
 */
DECLARE_EVENT_CLASS(kvmlab_sp_class,
	TP_PROTO(u64 gfn, u64 role, int level, u32 count),
	TP_ARGS(gfn, role, level, count),

	TP_STRUCT__entry(
		__field(u64, gfn)
		__field(u64, role)
		__field(u8, level)
		__field(u32, count)
	),

	TP_fast_assign(
		__entry->gfn = gfn;
		__entry->role = role;
		__entry->level = level;
		__entry->count = count;
	),

	TP_printk("gfn 0x%llx role 0x%llx level %u count %u",
		  __entry->gfn, __entry->role, __entry->level,
		  __entry->count)
);

DEFINE_EVENT(kvmlab_sp_class, kvmlab_sp_create,
	TP_PROTO(u64 gfn, u64 role, int level, u32 count),
	TP_ARGS(gfn, role, level, count));

DEFINE_EVENT(kvmlab_sp_class, kvmlab_sp_zap,
	TP_PROTO(u64 gfn, u64 role, int level, u32 count),
	TP_ARGS(gfn, role, level, count));

DEFINE_EVENT(kvmlab_sp_class, kvmlab_sp_sync,
	TP_PROTO(u64 gfn, u64 role, int level, u32 count),
	TP_ARGS(gfn, role, level, count));

DEFINE_EVENT(kvmlab_sp_class, kvmlab_sp_unsync,
	TP_PROTO(u64 gfn, u64 role, int level, u32 count),
	TP_ARGS(gfn, role, level, count));

DEFINE_EVENT(kvmlab_sp_class, kvmlab_sp_recycle,
	TP_PROTO(u64 gfn, u64 role, int level, u32 count),
	TP_ARGS(gfn, role, level, count));

DEFINE_EVENT(kvmlab_sp_class, kvmlab_sp_unprotect,
	TP_PROTO(u64 gfn, u64 role, int level, u32 count),
	TP_ARGS(gfn, role, level, count));

TRACE_EVENT(kvmlab_cr3_switch,
	TP_PROTO(u32 vcpu_id, u64 old_cr3, u64 new_cr3, bool reused,
		 u32 dropped),
	TP_ARGS(vcpu_id, old_cr3, new_cr3, reused, dropped),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, old_cr3)
		__field(u64, new_cr3)
		__field(u8, reused)
		__field(u32, dropped)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->old_cr3 = old_cr3;
		__entry->new_cr3 = new_cr3;
		__entry->reused = reused;
		__entry->dropped = dropped;
	),

	TP_printk("vcpu %u cr3 0x%llx -> 0x%llx root %s dropped %u",
		  __entry->vcpu_id, __entry->old_cr3, __entry->new_cr3,
		  __entry->reused ? "reused" : "rebuilt", __entry->dropped)
);

#endif /* KVMLAB_TRACE_BODY */

#if !defined(KVMLAB_NOTRACE)
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
#endif
