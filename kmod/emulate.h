/* SPDX-License-Identifier: GPL-2.0 */
/*
 * emulate.h - kvmlab's x86 instruction decoder and emulator.
 *
 * Written for kvmlab after the shape of the 2006 driver's x86_emulate.h: a
 * context holding the guest's registers, an ops table through which every
 * memory, port and control-register access goes, and a handful of return
 * codes.  The core (emulate.c) includes only emu_compat.h, so the same file
 * builds into kvmlab.ko and into the userspace tests in tests/emulator/.
 *
 * How the module drives it (one instruction):
 *
 *	fill ctxt->mode, cpl, regs[], rip, rflags, seg[] from the VMCB;
 *	rc = x86_decode_insn(ctxt, bytes, len);    (len 0: fetch via read_std)
 *	if (rc == X86EMUL_CONTINUE)
 *		rc = x86_emulate_insn(ctxt);
 *	copy regs[], rip, rflags back (always: see IO_NEEDED below);
 *	switch (rc) {
 *	CONTINUE:	  done; if ctxt->rep_pending, rip was left on the
 *			  REP instruction: re-enter the guest, it restarts it;
 *	IO_NEEDED:	  exit to userspace (KVM_EXIT_MMIO or _IO) with
 *			  the access the op queued.  If ctxt->io_read_pending,
 *			  on the next KVM_RUN make the data available to the
 *			  read op and call x86_emulate_insn(ctxt) again on the
 *			  SAME ctxt, without decoding again (its read cache
 *			  replays earlier reads of the interrupted step).  If
 *			  not, the access was a write that the emulator has
 *			  already accounted for: just resume the guest.
 *	PROPAGATE_FAULT:  inject ctxt->exception into the guest;
 *	RETRY:		  re-enter the guest at the same rip;
 *	UNHANDLEABLE:	  KVM_EXIT_INTERNAL_ERROR with ctxt->insn.bytes.
 *	}
 *
 * Nothing of an instruction (or of one REP iteration) is committed to
 * ctxt->regs/rip/rflags or to memory unless the whole step succeeds: a step
 * that faults or needs read data leaves the state as it was before it.
 */
#ifndef KVMLAB_EMULATE_H
#define KVMLAB_EMULATE_H

#include "emu_compat.h"

/* Return codes of the emulator and of the ops. */
#define X86EMUL_CONTINUE	0 /* success: go on */
#define X86EMUL_UNHANDLEABLE	1 /* not emulated: internal error exit */
#define X86EMUL_PROPAGATE_FAULT	2 /* ctxt->exception is to be injected */
#define X86EMUL_IO_NEEDED	3 /* an MMIO/PIO access must go to userspace */
#define X86EMUL_RETRY		4 /* re-enter the guest, restart insn */

/* Execution modes (values as in the 2006 header). */
#define X86EMUL_MODE_REAL	0 /* real mode (and big real mode) */
#define X86EMUL_MODE_PROT16	2 /* protected mode, CS.D = 0 */
#define X86EMUL_MODE_PROT32	4 /* protected mode, CS.D = 1 */
#define X86EMUL_MODE_PROT64	8 /* long mode, CS.L = 1 */

/* General purpose registers, in encoding order. */
enum {
	X86EMUL_RAX, X86EMUL_RCX, X86EMUL_RDX, X86EMUL_RBX,
	X86EMUL_RSP, X86EMUL_RBP, X86EMUL_RSI, X86EMUL_RDI,
	X86EMUL_R8, X86EMUL_R9, X86EMUL_R10, X86EMUL_R11,
	X86EMUL_R12, X86EMUL_R13, X86EMUL_R14, X86EMUL_R15,
	X86EMUL_NR_REGS
};

/* Segment registers, in encoding order. */
enum {
	X86EMUL_ES, X86EMUL_CS, X86EMUL_SS, X86EMUL_DS, X86EMUL_FS,
	X86EMUL_GS, X86EMUL_NR_SEGS
};

/*
 * A segment as the VMCB holds it: base, byte-granular limit (G already
 * applied), selector, and the 12 attribute bits in the VMCB's compressed
 * format: type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11.
 * The emulator uses the base (all modes; FS/GS only in long mode), the limit
 * and type (limit, expand-down and writable/readable checks, not in long
 * mode), P (a segment with P clear is unusable in protected mode) and SS's
 * D/B bit (stack width outside long mode).
 */
struct x86emul_segment {
	u64 base;
	u32 limit;
	u16 selector;
	u16 attr;
};

#define X86EMUL_SEG_TYPE_MASK	0x000f
#define X86EMUL_SEG_S		0x0010
#define X86EMUL_SEG_P		0x0080
#define X86EMUL_SEG_DB		0x0400

/* The exception to inject when an emulation step returns PROPAGATE_FAULT. */
struct x86emul_exception {
	u8 vector;		/* 6 #UD, 12 #SS, 13 #GP, 14 #PF, ... */
	bool error_code_valid;
	u32 error_code;
	u64 address;		/* #PF: the faulting linear address (CR2) */
};

/* Operand descriptor of the decoded instruction. */
enum { X86EMUL_OP_NONE, X86EMUL_OP_REG, X86EMUL_OP_MEM, X86EMUL_OP_IMM };

struct x86emul_operand {
	u8 type;		/* X86EMUL_OP_* */
	u8 bytes;		/* operand size */
	u8 reg;			/* OP_REG: register number */
	u8 high;		/* OP_REG: AH, CH, DH or BH */
	u8 seg;			/* OP_MEM: segment register */
	u64 ea;			/* OP_MEM: effective address */
	u64 val;		/* value read or to write */
	u64 orig;		/* value before the operation */
};

/* Decode state of one instruction. */
struct x86emul_insn {
	u8 bytes[15];		/* instruction bytes, len valid */
	u8 len;
	u8 avail;		/* bytes[] known (given or fetched) */
	u8 rep;			/* 0, 0xf2 (REPNE) or 0xf3 (REP/REPE) */
	u8 lock;
	u8 rex;			/* REX prefix or 0 */
	u8 seg;			/* segment of the memory operand */
	u8 seg_override;
	u8 op_bytes;		/* operand size: 1, 2, 4, 8 */
	u8 ad_bytes;		/* address size: 2, 4, 8 */
	u8 twobyte;		/* opcode follows 0x0f */
	u8 opcode;
	u8 modrm;
	u8 mod, reg, rm;	/* modrm fields, reg and rm with REX.R/B */
	u8 rip_rel;
	u8 base_reg;		/* 0xff: none */
	u32 flags;		/* decode table entry */
	u64 imm;
	u64 ea;			/* effective address (modrm/moffs) */
	struct x86emul_operand src, dst;
	const char *name;	/* mnemonic, for tracing */
};

/* Steps reported to ops->trace. */
enum x86emul_step {
	X86EMUL_STEP_FETCH,
	X86EMUL_STEP_DECODE,
	X86EMUL_STEP_EXECUTE,
	X86EMUL_STEP_WRITEBACK,
};

struct x86_emulate_ctxt;

/*
 * x86_emulate_ops: the emulator's only way out.
 *
 * Every op returns an X86EMUL_* code.  An op that returns
 * X86EMUL_PROPAGATE_FAULT must first fill ctxt->exception (for a #PF:
 * vector 14, the architectural error code, address = the faulting linear
 * address); the emulator stops at once and undoes the step.
 *
 * Memory is addressed by linear address (segmentation is done by the
 * emulator).  Accesses may be unaligned and may cross a page boundary.
 * Sizes are 1, 2, 4, 8, 10 (lgdt/lidt in long mode) or 16 (cmpxchg16b).
 *
 * Two classes of memory, as in 2006:
 *  - *_std: instruction fetch and the implicit stack accesses of push/pop.
 *    Must be ordinary guest RAM; no side effects; may be repeated.
 *  - *_emulated: every explicit data operand (modrm, moffs, string
 *    operands, the lgdt/lidt table pointer).  The backend decides whether the
 *    address is RAM (shadow-page-table write protection included) or MMIO.
 *    read_emulated may return X86EMUL_IO_NEEDED when the data must come
 *    from userspace: the emulator undoes the step and returns IO_NEEDED;
 *    after completion the caller re-runs x86_emulate_insn(), which calls
 *    read_emulated again with the same address and size, and the op then
 *    returns the completed data.  write_emulated may return IO_NEEDED
 *    meaning "accepted, userspace must perform it before any further
 *    MMIO": the emulator counts the write as done, finishes the instruction
 *    (or REP iteration) and returns IO_NEEDED with io_read_pending clear.
 */
struct x86_emulate_ops {
	/*
	 * read_std: read ordinary guest memory.
	 * @addr:  [IN ] linear address
	 * @val:   [OUT] bytes read
	 * @bytes: [IN ] number of bytes
	 * @fetch: [IN ] true for an instruction fetch (#PF error code I/D bit)
	 */
	int (*read_std)(struct x86_emulate_ctxt *ctxt, u64 addr, void *val,
			unsigned int bytes, bool fetch);
	/*
	 * write_std: write ordinary guest memory (the stack of push).
	 * @addr:  [IN ] linear address
	 * @val:   [IN ] bytes to write
	 * @bytes: [IN ] number of bytes
	 */
	int (*write_std)(struct x86_emulate_ctxt *ctxt, u64 addr,
			 const void *val, unsigned int bytes);
	/*
	 * read_emulated: read a data operand (RAM or MMIO).
	 * @addr:  [IN ] linear address
	 * @val:   [OUT] bytes read (on X86EMUL_CONTINUE)
	 * @bytes: [IN ] number of bytes
	 */
	int (*read_emulated)(struct x86_emulate_ctxt *ctxt, u64 addr,
			     void *val, unsigned int bytes);
	/*
	 * write_emulated: write a data operand (RAM or MMIO).
	 * @addr:  [IN ] linear address
	 * @val:   [IN ] bytes to write
	 * @bytes: [IN ] number of bytes
	 */
	int (*write_emulated)(struct x86_emulate_ctxt *ctxt, u64 addr,
			      const void *val, unsigned int bytes);
	/*
	 * cmpxchg_emulated: the write of a LOCKed read-modify-write (and of
	 * xchg with memory).  Store @new only if memory still holds @old;
	 * return X86EMUL_RETRY if it does not (the guest then re-executes
	 * the instruction).  On MMIO it may behave as write_emulated.
	 * @addr:  [IN ] linear address
	 * @old:   [IN ] value the emulator read
	 * @new:   [IN ] value to store
	 * @bytes: [IN ] number of bytes
	 */
	int (*cmpxchg_emulated)(struct x86_emulate_ctxt *ctxt, u64 addr,
				const void *old, const void *new,
				unsigned int bytes);
	/*
	 * pio_in: one port read (in, ins).  May return IO_NEEDED, like
	 * read_emulated, and then returns the data on the re-run.
	 * @port:  [IN ] port number
	 * @val:   [OUT] data
	 * @bytes: [IN ] 1, 2 or 4
	 */
	int (*pio_in)(struct x86_emulate_ctxt *ctxt, u16 port, void *val,
		      unsigned int bytes);
	/*
	 * pio_out: one port write (out, outs).  IO_NEEDED means accepted,
	 * like write_emulated.
	 * @port:  [IN ] port number
	 * @val:   [IN ] data
	 * @bytes: [IN ] 1, 2 or 4
	 */
	int (*pio_out)(struct x86_emulate_ctxt *ctxt, u16 port,
		       const void *val, unsigned int bytes);
	/*
	 * get_cr/set_cr: control registers 0, 2, 3, 4, 8 as the guest sees
	 * them.  set_cr validates the value and returns PROPAGATE_FAULT
	 * (#GP) for a bad one; it performs the side effects (paging mode
	 * change, shadow root switch, TLB flush).
	 * @cr:  [IN ] register number
	 * @val: [OUT] (get) / [IN ] (set) value
	 */
	int (*get_cr)(struct x86_emulate_ctxt *ctxt, int cr, u64 *val);
	int (*set_cr)(struct x86_emulate_ctxt *ctxt, int cr, u64 val);
	/*
	 * get_dr/set_dr: debug registers 0-3, 6, 7 (4 and 5 are mapped to 6
	 * and 7 by the emulator when CR4.DE is clear).
	 * @dr:  [IN ] register number
	 * @val: [OUT] (get) / [IN ] (set) value
	 */
	int (*get_dr)(struct x86_emulate_ctxt *ctxt, int dr, u64 *val);
	int (*set_dr)(struct x86_emulate_ctxt *ctxt, int dr, u64 val);
	/*
	 * invlpg: invalidate the translation of one linear address.
	 * @addr: [IN ] linear address
	 */
	int (*invlpg)(struct x86_emulate_ctxt *ctxt, u64 addr);
	/*
	 * set_gdt/set_idt: load GDTR/IDTR (lgdt/lidt).
	 * @base:  [IN ] table base (24 bits with a 16-bit operand size)
	 * @limit: [IN ] table limit
	 */
	int (*set_gdt)(struct x86_emulate_ctxt *ctxt, u64 base, u16 limit);
	int (*set_idt)(struct x86_emulate_ctxt *ctxt, u64 base, u16 limit);
	/*
	 * inject_exception: optional.  If set, called once when an emulation
	 * call is about to return PROPAGATE_FAULT (ctxt->exception holds the
	 * same event).  The module may instead inject from ctxt->exception.
	 */
	void (*inject_exception)(struct x86_emulate_ctxt *ctxt, u8 vector,
				 u32 error_code, bool has_error);
	/*
	 * trace: optional.  Called after each step (fetch, decode, execute,
	 * writeback) with its outcome, for the kvmlab_emulate tracepoint;
	 * ctxt->insn has the bytes and the mnemonic.
	 */
	void (*trace)(struct x86_emulate_ctxt *ctxt, enum x86emul_step step,
		      int rc);
};

/* Read cache: data operands read during the current, uncommitted step. */
#define X86EMUL_READ_CACHE	64

struct x86_emulate_ctxt {
	const struct x86_emulate_ops *ops;	/* [IN ] */
	void *priv;				/* [IN ] the caller's */

	/* Guest state: [IN ] before decode, [OUT] after emulate. */
	int mode;				/* X86EMUL_MODE_* */
	u8 cpl;					/* 0 in real mode */
	bool intel;		/* the guest's CPUID vendor is Intel: its quirks */
	u64 regs[X86EMUL_NR_REGS];
	u64 rip;
	u64 rflags;
	struct x86emul_segment seg[X86EMUL_NR_SEGS];
	u64 cr2;		/* [IN ] fault address if known, for tracing */

	/* Results: [OUT] */
	struct x86emul_exception exception;
	bool io_read_pending;	/* IO_NEEDED: re-run after the read */
	bool rep_pending;	/* CONTINUE: REP insn not finished, rip kept */
	u32 iterations;		/* REP iterations of the last call */

	/* Decoder state, private to emulate.c. */
	struct x86emul_insn insn;
	struct {
		u8 data[X86EMUL_READ_CACHE];
		unsigned int pos, end;
	} rc;
};

/*
 * x86_decode_insn: decode the instruction at cs:rip.
 * @insn: bytes already known (e.g. from the exit information), or NULL
 * @len:  how many; missing bytes are fetched with ops->read_std
 * Returns CONTINUE, PROPAGATE_FAULT (#UD, #GP for > 15 bytes or a CS
 * limit, #PF from the fetch) or UNHANDLEABLE (an opcode not emulated).
 * Resets the read cache: decode once per guest instruction.
 */
int x86_decode_insn(struct x86_emulate_ctxt *ctxt, const void *insn,
		    unsigned int len);

/*
 * x86_emulate_insn: execute the decoded instruction.  On CONTINUE,
 * regs/rip/rflags are updated (rip advanced unless ctxt->rep_pending).
 */
int x86_emulate_insn(struct x86_emulate_ctxt *ctxt);

/*
 * x86_page_table_writing_insn: after decode, false for a REP string
 * instruction or a memory-to-memory move (MOVS, CMPS).  Those that write
 * a guest page table are clearing or copying the page as data (a freed
 * table reused), and emulating them walks the guest's tables for every
 * element: the shadow MMU lets the guest run them on the unprotected
 * page instead, as the in-tree KVM does.
 */
bool x86_page_table_writing_insn(const struct x86_emulate_ctxt *ctxt);

/* Convenience: decode then emulate (no re-run state kept in between). */
int x86_emulate_one(struct x86_emulate_ctxt *ctxt, const void *insn,
		    unsigned int len);

#endif /* KVMLAB_EMULATE_H */
