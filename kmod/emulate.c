// SPDX-License-Identifier: GPL-2.0
/*
 * emulate.c - kvmlab's x86 instruction decoder and emulator.
 *
 * Table-driven decode (one flags word per opcode, one table for 0x0f xx),
 * execution by a switch on the opcode, all guest access through ctxt->ops.
 * No global mutable state, no floating point, no libc beyond emu_compat.h.
 */
#include "emulate.h"

/*
 * Decode table flags.  An entry of 0 is an opcode the emulator does not
 * know (UNHANDLEABLE: its length may not even be decodable).
 */
#define ByteOp		(1u << 0)	/* 8-bit operands */
#define ModRM		(1u << 1)	/* a modrm byte follows */
#define DstNone		(0u << 2)
#define DstReg		(1u << 2)	/* modrm.reg */
#define DstMem		(2u << 2)	/* modrm.rm, reg or memory */
#define DstAcc		(3u << 2)	/* al/ax/eax/rax */
#define DstOpReg	(4u << 2)	/* low three opcode bits (+REX.B) */
#define DstMask		(7u << 2)
#define SrcNone		(0u << 5)
#define SrcReg		(1u << 5)	/* modrm.reg */
#define SrcMem		(2u << 5)	/* modrm.rm, reg or memory */
#define SrcImm		(3u << 5)	/* imm16/32, sign-extended */
#define SrcImmByte	(4u << 5)	/* imm8 sign-extended */
#define SrcImmU8	(5u << 5)	/* imm8 zero-extended */
#define SrcAcc		(6u << 5)
#define SrcMem8		(7u << 5)	/* modrm.rm, 8 bits (movzx) */
#define SrcMem16	(8u << 5)	/* modrm.rm, 16 bits (movzx/movsx) */
#define SrcImmFull	(9u << 5)	/* imm of op size, 64 with REX.W */
#define SrcMask		(15u << 5)
#define Mov		(1u << 9)	/* destination only written */
#define NoWrite		(1u << 10)	/* destination only read */
#define Lock		(1u << 11)	/* LOCK allowed on a memory dst */
#define Stack		(1u << 12)	/* 64-bit default operand size */
#define String		(1u << 13)
#define Group		(1u << 14)	/* modrm.reg selects the op */
#define No64		(1u << 15)	/* #UD in long mode */
#define MemOnly		(1u << 16)	/* mod == 3 is #UD */
#define Implicit	(1u << 17)	/* operands handled by the executor */
#define Invalid		(1u << 18)	/* #UD in every mode */
#define Moffs		(1u << 19)	/* memory operand is a moffs */
#define ModRMReg	(1u << 20)	/* mod ignored, always a register */
#define BitOp		(1u << 21)	/* bt*: reg offset moves ea */
#define Src2Imm8	(1u << 22)	/* second source: imm8 in insn.imm */
#define Src2Imm		(1u << 23)	/* a second source: imm16/32 */

#define ALU_ROW(x)							\
	ByteOp | DstMem | SrcReg | ModRM | (x),				\
	DstMem | SrcReg | ModRM | (x),					\
	ByteOp | DstReg | SrcMem | ModRM | ((x) & ~Lock),		\
	DstReg | SrcMem | ModRM | ((x) & ~Lock),			\
	ByteOp | DstAcc | SrcImm | ((x) & ~Lock),			\
	DstAcc | SrcImm | ((x) & ~Lock)

#define X4(x)	x, x, x, x
#define X8(x)	X4(x), X4(x)
#define X16(x)	X8(x), X8(x)

static const u32 opcode_table[256] = {
	/* 0x00 add, push/pop es */
	ALU_ROW(Lock), No64, No64,
	/* 0x08 or, push cs, 0x0f */
	ALU_ROW(Lock), No64, 0,
	/* 0x10 adc, push/pop ss */
	ALU_ROW(Lock), No64, No64,
	/* 0x18 sbb, push/pop ds */
	ALU_ROW(Lock), No64, No64,
	/* 0x20 and, es:, daa */
	ALU_ROW(Lock), 0, No64,
	/* 0x28 sub, cs:, das */
	ALU_ROW(Lock), 0, No64,
	/* 0x30 xor, ss:, aaa */
	ALU_ROW(Lock), 0, No64,
	/* 0x38 cmp, ds:, aas */
	ALU_ROW(NoWrite), 0, No64,
	/* 0x40 inc/dec reg (REX in long mode) */
	X16(DstOpReg),
	/* 0x50 push reg, pop reg */
	X16(Implicit | Stack),
	/* 0x60 pusha, popa, bound/EVEX, arpl/movsxd */
	No64, No64, 0, DstReg | SrcMem | ModRM | Mov,
	/* 0x64 prefixes, push imm, imul, push imm8, imul */
	0, 0, 0, 0,
	Implicit | Stack | SrcImm, DstReg | SrcMem | ModRM | Src2Imm,
	Implicit | Stack | SrcImmByte, DstReg | SrcMem | ModRM | Src2Imm8,
	/* 0x6c ins, outs */
	ByteOp | String | Implicit, String | Implicit,
	ByteOp | String | Implicit, String | Implicit,
	/* 0x70 jcc */
	X16(0),
	/* 0x80 group 1 */
	ByteOp | DstMem | SrcImm | ModRM | Group | Lock,
	DstMem | SrcImm | ModRM | Group | Lock,
	ByteOp | DstMem | SrcImm | ModRM | Group | Lock | No64,
	DstMem | SrcImmByte | ModRM | Group | Lock,
	/* 0x84 test, xchg */
	ByteOp | DstMem | SrcReg | ModRM | NoWrite,
	DstMem | SrcReg | ModRM | NoWrite,
	ByteOp | DstMem | SrcReg | ModRM | Lock,
	DstMem | SrcReg | ModRM | Lock,
	/* 0x88 mov */
	ByteOp | DstMem | SrcReg | ModRM | Mov,
	DstMem | SrcReg | ModRM | Mov,
	ByteOp | DstReg | SrcMem | ModRM | Mov,
	DstReg | SrcMem | ModRM | Mov,
	/* 0x8c mov r/m,sreg; lea; mov sreg,r/m; pop r/m */
	DstMem | ModRM | Mov | Implicit,
	DstReg | ModRM | Mov | MemOnly,
	0,
	DstMem | ModRM | Mov | Stack | Group,
	/* 0x90 xchg with accumulator, nop, pause */
	X8(Implicit),
	/* 0x98 cbw, cwd, callf, fwait, pushf, popf, sahf, lahf */
	Implicit, Implicit, No64, 0, 0, 0, 0, 0,
	/* 0xa0 mov moffs */
	ByteOp | DstAcc | SrcMem | Mov | Moffs,
	DstAcc | SrcMem | Mov | Moffs,
	ByteOp | DstMem | SrcAcc | Mov | Moffs,
	DstMem | SrcAcc | Mov | Moffs,
	/* 0xa4 movs, cmps */
	ByteOp | String | Implicit, String | Implicit,
	ByteOp | String | Implicit, String | Implicit,
	/* 0xa8 test imm, stos, lods, scas */
	ByteOp | DstAcc | SrcImm | NoWrite, DstAcc | SrcImm | NoWrite,
	ByteOp | String | Implicit, String | Implicit,
	ByteOp | String | Implicit, String | Implicit,
	ByteOp | String | Implicit, String | Implicit,
	/* 0xb0 mov reg, imm */
	X8(ByteOp | DstOpReg | SrcImm | Mov),
	X8(DstOpReg | SrcImmFull | Mov),
	/* 0xc0: group 2 by imm8; c4/c5 are VEX in long mode, les/lds */
	ByteOp | DstMem | SrcImmU8 | ModRM | Group,
	DstMem | SrcImmU8 | ModRM | Group,
	0, 0, 0, 0,
	ByteOp | DstMem | SrcImm | ModRM | Mov | Group,
	DstMem | SrcImm | ModRM | Mov | Group,
	/* 0xc8 */
	0, 0, 0, 0, 0, 0, No64, 0,
	/* 0xd0: group 2 by 1 and by cl, aam, aad, salc, xlat */
	ByteOp | DstMem | ModRM | Group, DstMem | ModRM | Group,
	ByteOp | DstMem | ModRM | Group, DstMem | ModRM | Group,
	No64, No64, No64, 0,
	/* 0xd8 x87 */
	X8(0),
	/* 0xe0 loop, jcxz, in/out imm8 */
	0, 0, 0, 0,
	ByteOp | SrcImmU8 | Implicit, SrcImmU8 | Implicit,
	ByteOp | SrcImmU8 | Implicit, SrcImmU8 | Implicit,
	/* 0xe8 call, jmp, jmpf, jmp8, in/out dx */
	0, 0, No64, 0,
	ByteOp | Implicit, Implicit, ByteOp | Implicit, Implicit,
	/* 0xf0 lock, int1, rep, hlt, cmc, group 3 */
	0, 0, 0, 0, 0, Implicit,
	ByteOp | DstMem | ModRM | Group | Lock,
	DstMem | ModRM | Group | Lock,
	/* 0xf8 clc, stc, cli, sti, cld, std, group 4, group 5 */
	Implicit, Implicit, 0, 0, Implicit, Implicit,
	ByteOp | DstMem | ModRM | Group | Lock,
	DstMem | ModRM | Group | Lock,
};

static const u32 twobyte_table[256] = {
	/* 0x00: group 7 (lgdt, lidt, smsw, lmsw, invlpg), clts, ud2 */
	[0x01] = ModRM | Group | Implicit,
	[0x06] = Implicit,
	[0x0b] = Invalid,
	/* 0x1f: nop r/m */
	[0x1f] = ModRM | Implicit,
	/* 0x20: mov to/from CRn and DRn */
	[0x20] = ModRM | ModRMReg | Implicit,
	[0x21] = ModRM | ModRMReg | Implicit,
	[0x22] = ModRM | ModRMReg | Implicit,
	[0x23] = ModRM | ModRMReg | Implicit,
	/* 0x40: cmovcc */
	[0x40 ... 0x4f] = DstReg | SrcMem | ModRM | Mov,
	/* 0x90: setcc (modrm.reg ignored) */
	[0x90 ... 0x9f] = ByteOp | DstMem | ModRM | Mov,
	/* 0xa4: shld, shrd by imm8 and by cl; 0xaf: imul r, r/m */
	[0xa4] = DstMem | SrcReg | ModRM | Src2Imm8,
	[0xa5] = DstMem | SrcReg | ModRM,
	[0xac] = DstMem | SrcReg | ModRM | Src2Imm8,
	[0xad] = DstMem | SrcReg | ModRM,
	[0xaf] = DstReg | SrcMem | ModRM,
	/* 0xb8: popcnt (f3 only); 0xbc/0xbd: bsf/bsr, tzcnt/lzcnt (f3) */
	[0xb8] = DstReg | SrcMem | ModRM | Mov,
	[0xbc] = DstReg | SrcMem | ModRM | Mov,
	[0xbd] = DstReg | SrcMem | ModRM | Mov,
	/* 0xa3: bt, bts, btr, btc with a register offset */
	[0xa3] = DstMem | SrcReg | ModRM | NoWrite | BitOp,
	[0xab] = DstMem | SrcReg | ModRM | Lock | BitOp,
	[0xb3] = DstMem | SrcReg | ModRM | Lock | BitOp,
	[0xbb] = DstMem | SrcReg | ModRM | Lock | BitOp,
	/* 0xb0: cmpxchg */
	[0xb0] = ByteOp | DstMem | SrcReg | ModRM | Lock,
	[0xb1] = DstMem | SrcReg | ModRM | Lock,
	/* 0xb6: movzx, group 8 (bt* imm8), movsx */
	[0xb6] = DstReg | SrcMem8 | ModRM | Mov,
	[0xb7] = DstReg | SrcMem16 | ModRM | Mov,
	[0xba] = DstMem | SrcImmU8 | ModRM | Group | Lock,
	[0xbe] = DstReg | SrcMem8 | ModRM | Mov,
	[0xbf] = DstReg | SrcMem16 | ModRM | Mov,
	/* 0xc0: xadd, movnti, group 9 (cmpxchg8b/16b) */
	[0xc0] = ByteOp | DstMem | SrcReg | ModRM | Lock,
	[0xc1] = DstMem | SrcReg | ModRM | Lock,
	[0xc3] = DstMem | SrcReg | ModRM | Mov | MemOnly,
	[0xc7] = DstMem | ModRM | Group | Lock | MemOnly,
	[0xff] = Invalid,
};

/*
 * The 0f 38 map: only movbe (f0 load, f1 store); insn.twobyte is 2.
 * f2/f3 make these crc32 or undefined: not emulated.
 */
static u32 threebyte_38_flags(u8 b)
{
	switch (b) {
	case 0xf0:
		return DstReg | SrcMem | ModRM | Mov | MemOnly;
	case 0xf1:
		return DstMem | SrcReg | ModRM | Mov | MemOnly;
	}
	return 0;
}

/* rflags bits */
#define EFLG_CF		0x0001
#define EFLG_PF		0x0004
#define EFLG_AF		0x0010
#define EFLG_ZF		0x0040
#define EFLG_SF		0x0080
#define EFLG_DF		0x0400
#define EFLG_OF		0x0800
#define EFLG_IOPL	0x3000
#define EFLG_ARITH	(EFLG_CF | EFLG_PF | EFLG_AF | EFLG_ZF | EFLG_SF | \
			 EFLG_OF)

#define CR0_TS		0x0008
#define CR4_DE		0x0008

#define VEC_DE		0
#define VEC_DB		1
#define VEC_UD		6
#define VEC_SS		12
#define VEC_GP		13

#define NO_REG		0xff
#define NO_SEG		0xff

/* ALU operations; the first eight in group 1 encoding order. */
enum {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR,
	ALU_CMP, ALU_TEST, ALU_INC, ALU_DEC, ALU_NEG
};

static const char * const alu_names[] = {
	"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "inc",
	"dec", "neg"
};

static inline u64 size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

static inline u64 sign_extend(u64 v, unsigned int bytes)
{
	switch (bytes) {
	case 1:
		return (u64)(s64)(s8)v;
	case 2:
		return (u64)(s64)(s16)v;
	case 4:
		return (u64)(s64)(s32)v;
	}
	return v;
}

static inline bool is_canonical(u64 la)
{
	return (u64)((s64)(la << 16) >> 16) == la;
}

static int raise(struct x86_emulate_ctxt *ctxt, u8 vector, bool has_err,
		 u32 err)
{
	ctxt->exception.vector = vector;
	ctxt->exception.error_code_valid = has_err;
	ctxt->exception.error_code = err;
	ctxt->exception.address = 0;
	return X86EMUL_PROPAGATE_FAULT;
}

static inline int raise_ud(struct x86_emulate_ctxt *ctxt)
{
	return raise(ctxt, VEC_UD, false, 0);
}

static inline int raise_gp(struct x86_emulate_ctxt *ctxt)
{
	return raise(ctxt, VEC_GP, true, 0);
}

static inline bool long_mode(struct x86_emulate_ctxt *ctxt)
{
	return ctxt->mode == X86EMUL_MODE_PROT64;
}

static inline u8 cur_cpl(struct x86_emulate_ctxt *ctxt)
{
	return ctxt->mode == X86EMUL_MODE_REAL ? 0 : ctxt->cpl;
}

/* Registers */

static u64 reg_read(struct x86_emulate_ctxt *ctxt, u8 reg, bool high,
		    unsigned int bytes)
{
	if (high)
		return (ctxt->regs[reg & 3] >> 8) & 0xff;
	return ctxt->regs[reg & 15] & size_mask(bytes);
}

static void reg_write(struct x86_emulate_ctxt *ctxt, u8 reg, bool high,
		      unsigned int bytes, u64 val)
{
	u64 *r = &ctxt->regs[reg & 15];

	if (high) {
		r = &ctxt->regs[reg & 3];
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	switch (bytes) {
	case 1:
		*r = (*r & ~0xffULL) | (val & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffULL) | (val & 0xffff);
		break;
	case 4:
		*r = (u32)val;
		break;
	default:
		*r = val;
		break;
	}
}

/* Register that only an address size of @bytes updates (SI, ESI, RSI). */
static void reg_write_ad(struct x86_emulate_ctxt *ctxt, u8 reg,
			 unsigned int bytes, u64 val)
{
	reg_write(ctxt, reg, false, bytes, val);
}

/* Set an operand to name a register; REX turns 4-7 into spl..dil. */
static void op_reg(struct x86_emulate_ctxt *ctxt, struct x86emul_operand *op,
		   u8 reg, unsigned int bytes)
{
	op->type = X86EMUL_OP_REG;
	op->bytes = bytes;
	op->high = bytes == 1 && !ctxt->insn.rex && reg >= 4 && reg < 8;
	op->reg = op->high ? reg - 4 : reg;
}

/* Segmentation */

static unsigned int stack_bytes(struct x86_emulate_ctxt *ctxt)
{
	if (long_mode(ctxt))
		return 8;
	return (ctxt->seg[X86EMUL_SS].attr & X86EMUL_SEG_DB) ? 4 : 2;
}

static int seg_fault(struct x86_emulate_ctxt *ctxt, int seg)
{
	return raise(ctxt, seg == X86EMUL_SS ? VEC_SS : VEC_GP, true, 0);
}

/*
 * Turn seg:ea into a linear address, with the checks the CPU makes:
 * canonical form in long mode, limit (expand-up or expand-down), type and
 * presence in protected mode.
 */
static int linearize(struct x86_emulate_ctxt *ctxt, int seg, u64 ea,
		     unsigned int size, bool write, u64 *linear)
{
	const struct x86emul_segment *s = &ctxt->seg[seg];
	u64 la, last, hi;
	u16 type = s->attr & X86EMUL_SEG_TYPE_MASK;

	if (long_mode(ctxt)) {
		la = ea;
		if (seg == X86EMUL_FS || seg == X86EMUL_GS)
			la += s->base;
		if (!is_canonical(la) || !is_canonical(la + size - 1))
			return seg_fault(ctxt, seg);
		*linear = la;
		return X86EMUL_CONTINUE;
	}
	if (ctxt->mode != X86EMUL_MODE_REAL) {
		if (!(s->attr & X86EMUL_SEG_P))
			return seg_fault(ctxt, seg);
		if (s->attr & X86EMUL_SEG_S) {
			/* code: not writable, readable only with R */
			if ((type & 8) && (write || !(type & 2)))
				return seg_fault(ctxt, seg);
			/* data: writable only with W */
			if (!(type & 8) && write && !(type & 2))
				return seg_fault(ctxt, seg);
		}
	}
	last = ea + size - 1;
	if ((s->attr & X86EMUL_SEG_S) && (type & 0xc) == 0x4) {
		/* expand-down data segment */
		hi = (s->attr & X86EMUL_SEG_DB) ? 0xffffffffULL : 0xffffULL;
		if (ea <= s->limit || last > hi)
			return seg_fault(ctxt, seg);
	} else if (last > s->limit) {
		return seg_fault(ctxt, seg);
	}
	*linear = (s->base + ea) & 0xffffffffULL;
	return X86EMUL_CONTINUE;
}

/* Memory access helpers */

static int fetch_more(struct x86_emulate_ctxt *ctxt, unsigned int want)
{
	struct x86emul_insn *d = &ctxt->insn;
	unsigned int n;
	u64 ip, la, lim;
	int rc;

	if (want > 15)
		return raise_gp(ctxt);
	while (d->avail < want) {
		ip = ctxt->rip + d->avail;
		if (!long_mode(ctxt))
			ip &= ctxt->mode == X86EMUL_MODE_PROT32 ?
				0xffffffffULL : 0xffffULL;
		if (long_mode(ctxt)) {
			la = ip;
			if (!is_canonical(la))
				return raise_gp(ctxt);
		} else {
			lim = ctxt->seg[X86EMUL_CS].limit;
			if (ip > lim)
				return raise_gp(ctxt);
			la = (ctxt->seg[X86EMUL_CS].base + ip) & 0xffffffffULL;
		}
		/* fetch to the end of the page, at most to byte 15 */
		n = 4096 - (la & 4095);
		if (n > 15u - d->avail)
			n = 15u - d->avail;
		if (!long_mode(ctxt) && n > lim - ip + 1)
			n = lim - ip + 1;
		rc = ctxt->ops->read_std(ctxt, la, d->bytes + d->avail, n,
					 true);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		d->avail += n;
	}
	return X86EMUL_CONTINUE;
}

static int fetch(struct x86_emulate_ctxt *ctxt, unsigned int bytes, u64 *val)
{
	struct x86emul_insn *d = &ctxt->insn;
	u64 v = 0;
	unsigned int i;
	int rc;

	*val = 0;
	rc = fetch_more(ctxt, d->len + bytes);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	for (i = 0; i < bytes; i++)
		v |= (u64)d->bytes[d->len + i] << (8 * i);
	d->len += bytes;
	*val = v;
	return X86EMUL_CONTINUE;
}

/*
 * Reads that may leave for userspace (MMIO, port input) are cached: the
 * instruction runs again when the data is back, and replays the reads
 * that already completed instead of repeating them.
 */
static bool rc_replay(struct x86_emulate_ctxt *ctxt, void *val,
		      unsigned int bytes)
{
	if (ctxt->rc.pos + bytes > ctxt->rc.end)
		return false;
	memcpy(val, ctxt->rc.data + ctxt->rc.pos, bytes);
	ctxt->rc.pos += bytes;
	return true;
}

static int rc_record(struct x86_emulate_ctxt *ctxt, int rc, const void *val,
		     unsigned int bytes)
{
	if (rc == X86EMUL_IO_NEEDED)
		ctxt->io_read_pending = true;
	if (rc != X86EMUL_CONTINUE)
		return rc;
	if (ctxt->rc.end + bytes <= X86EMUL_READ_CACHE) {
		memcpy(ctxt->rc.data + ctxt->rc.end, val, bytes);
		ctxt->rc.end += bytes;
		ctxt->rc.pos = ctxt->rc.end;
	}
	return X86EMUL_CONTINUE;
}

static int read_piece(struct x86_emulate_ctxt *ctxt, u64 la, void *val,
		      unsigned int bytes)
{
	if (rc_replay(ctxt, val, bytes))
		return X86EMUL_CONTINUE;
	return rc_record(ctxt, ctxt->ops->read_emulated(ctxt, la, val, bytes),
			 val, bytes);
}

/*
 * A read in pieces of at most 8 bytes that do not cross a page, each
 * cached on its own: one MMIO exit carries at most 8 bytes of one page,
 * and a re-run replays the pieces that already completed.
 */
static int read_data(struct x86_emulate_ctxt *ctxt, u64 la, void *val,
		     unsigned int bytes)
{
	u8 *p = val;
	int rc;

	while (bytes) {
		unsigned int n = 4096 - (unsigned int)(la & 4095);

		if (n > 8)
			n = 8;
		if (n > bytes)
			n = bytes;
		rc = read_piece(ctxt, la, p, n);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		la += n;
		p += n;
		bytes -= n;
	}
	return X86EMUL_CONTINUE;
}

static int port_in(struct x86_emulate_ctxt *ctxt, u16 port, void *val,
		   unsigned int bytes)
{
	if (rc_replay(ctxt, val, bytes))
		return X86EMUL_CONTINUE;
	if (!ctxt->ops->pio_in)
		return X86EMUL_UNHANDLEABLE;
	return rc_record(ctxt, ctxt->ops->pio_in(ctxt, port, val, bytes),
			 val, bytes);
}

static int read_mem(struct x86_emulate_ctxt *ctxt, int seg, u64 ea,
		    void *val, unsigned int bytes)
{
	u64 la;
	int rc;

	rc = linearize(ctxt, seg, ea, bytes, false, &la);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	return read_data(ctxt, la, val, bytes);
}

static int read_mem_u64(struct x86_emulate_ctxt *ctxt, int seg, u64 ea,
			u64 *val, unsigned int bytes)
{
	u64 v = 0;
	int rc;

	rc = read_mem(ctxt, seg, ea, &v, bytes);
	*val = v & size_mask(bytes);
	return rc;
}

/*
 * The one data write of a step.  IO_NEEDED from the op means accepted:
 * remember it, the caller reports it once the step is committed.
 */
static int write_data(struct x86_emulate_ctxt *ctxt, u64 la, const void *val,
		      const void *old, unsigned int bytes, bool *io)
{
	int rc;

	if (old && ctxt->ops->cmpxchg_emulated)
		rc = ctxt->ops->cmpxchg_emulated(ctxt, la, old, val, bytes);
	else
		rc = ctxt->ops->write_emulated(ctxt, la, val, bytes);
	if (rc == X86EMUL_IO_NEEDED) {
		*io = true;
		rc = X86EMUL_CONTINUE;
	}
	return rc;
}

static int push(struct x86_emulate_ctxt *ctxt, u64 val, unsigned int bytes)
{
	unsigned int sb = stack_bytes(ctxt);
	u64 sp = (ctxt->regs[X86EMUL_RSP] - bytes) & size_mask(sb);
	u64 la;
	int rc;

	rc = linearize(ctxt, X86EMUL_SS, sp, bytes, true, &la);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	rc = ctxt->ops->write_std(ctxt, la, &val, bytes);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	reg_write(ctxt, X86EMUL_RSP, false, sb, sp);
	return X86EMUL_CONTINUE;
}

static int pop(struct x86_emulate_ctxt *ctxt, u64 *val, unsigned int bytes)
{
	unsigned int sb = stack_bytes(ctxt);
	u64 sp = ctxt->regs[X86EMUL_RSP] & size_mask(sb);
	u64 la, v = 0;
	int rc;

	rc = linearize(ctxt, X86EMUL_SS, sp, bytes, false, &la);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	rc = ctxt->ops->read_std(ctxt, la, &v, bytes, false);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	reg_write(ctxt, X86EMUL_RSP, false, sb, sp + bytes);
	*val = v & size_mask(bytes);
	return X86EMUL_CONTINUE;
}

/* Flags */

static u64 parity_flag(u64 r)
{
	u8 v = r & 0xff;

	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return (v & 1) ? 0 : EFLG_PF;
}

/*
 * One ALU operation with the flags the CPU computes.  AF after the logical
 * operations is architecturally undefined: cleared here, as the AMD and
 * Intel parts we compared against do.
 */
static u64 alu(unsigned int op, u64 d, u64 s, unsigned int bytes,
	       u64 *rflags)
{
	u64 m = size_mask(bytes), sign = 1ULL << (bytes * 8 - 1);
	u64 cin = *rflags & EFLG_CF, r, f = 0, c;

	d &= m;
	s &= m;
	switch (op) {
	case ALU_ADD:
	case ALU_ADC:
		c = op == ALU_ADC ? cin : 0;
		r = (d + s + c) & m;
		if (r < d || (c && r == d))
			f |= EFLG_CF;
		if (~(d ^ s) & (d ^ r) & sign)
			f |= EFLG_OF;
		f |= (d ^ s ^ r) & EFLG_AF;
		break;
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP:
		c = op == ALU_SBB ? cin : 0;
		r = (d - s - c) & m;
		if (d < s || (c && d == s))
			f |= EFLG_CF;
		if ((d ^ s) & (d ^ r) & sign)
			f |= EFLG_OF;
		f |= (d ^ s ^ r) & EFLG_AF;
		break;
	case ALU_OR:
		r = d | s;
		break;
	case ALU_AND:
	case ALU_TEST:
		r = d & s;
		break;
	case ALU_XOR:
		r = d ^ s;
		break;
	case ALU_INC:
		r = (d + 1) & m;
		f |= cin;
		if (r == sign)
			f |= EFLG_OF;
		f |= (d ^ r) & EFLG_AF;
		break;
	case ALU_DEC:
		r = (d - 1) & m;
		f |= cin;
		if (d == sign)
			f |= EFLG_OF;
		f |= (d ^ r) & EFLG_AF;
		break;
	default: /* ALU_NEG */
		r = (0 - d) & m;
		if (d)
			f |= EFLG_CF;
		if (d == sign)
			f |= EFLG_OF;
		f |= (d ^ r) & EFLG_AF;
		break;
	}
	if (!r)
		f |= EFLG_ZF;
	if (r & sign)
		f |= EFLG_SF;
	f |= parity_flag(r);
	*rflags = (*rflags & ~(u64)EFLG_ARITH) | f;
	return r;
}

/* Decode */

static const char *insn_name(struct x86emul_insn *d)
{
	u8 b = d->opcode;

	if (d->twobyte == 2)
		return "movbe";
	if (d->twobyte) {
		switch (b) {
		case 0x40 ... 0x4f:
			return "cmovcc";
		case 0x90 ... 0x9f:
			return "setcc";
		case 0xa4: case 0xa5:
			return "shld";
		case 0xac: case 0xad:
			return "shrd";
		case 0xaf:
			return "imul";
		case 0xb8:
			return "popcnt";
		case 0xbc:
			return d->rep == 0xf3 ? "tzcnt" : "bsf";
		case 0xbd:
			return d->rep == 0xf3 ? "lzcnt" : "bsr";
		case 0x01: {
			static const char * const g7[] = {
				"sgdt", "sidt", "lgdt", "lidt", "smsw", "?",
				"lmsw", "invlpg"
			};
			return g7[d->reg & 7];
		}
		case 0x06:
			return "clts";
		case 0x1f:
			return "nop";
		case 0x20: case 0x22:
			return "mov_cr";
		case 0x21: case 0x23:
			return "mov_dr";
		case 0xa3:
			return "bt";
		case 0xab:
			return "bts";
		case 0xb3:
			return "btr";
		case 0xbb:
			return "btc";
		case 0xba: {
			static const char * const g8[] = {
				"?", "?", "?", "?", "bt", "bts", "btr", "btc"
			};
			return g8[d->reg & 7];
		}
		case 0xb0: case 0xb1:
			return "cmpxchg";
		case 0xb6: case 0xb7:
			return "movzx";
		case 0xbe: case 0xbf:
			return "movsx";
		case 0xc0: case 0xc1:
			return "xadd";
		case 0xc3:
			return "movnti";
		case 0xc7:
			return d->rex & 8 ? "cmpxchg16b" : "cmpxchg8b";
		}
		return "?";
	}
	if (b < 0x40 && (b & 7) < 6)
		return alu_names[b >> 3];
	switch (b) {
	case 0x40 ... 0x47:
		return "inc";
	case 0x48 ... 0x4f:
		return "dec";
	case 0x50 ... 0x57: case 0x68: case 0x6a:
		return "push";
	case 0x58 ... 0x5f: case 0x8f:
		return "pop";
	case 0x63:
		return "movsxd";
	case 0x69: case 0x6b:
		return "imul";
	case 0xc0: case 0xc1: case 0xd0 ... 0xd3: {
		static const char * const g2[] = {
			"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"
		};
		return g2[d->reg & 7];
	}
	case 0x6c: case 0x6d:
		return "ins";
	case 0x6e: case 0x6f:
		return "outs";
	case 0x80 ... 0x83:
		return alu_names[d->reg & 7];
	case 0x84: case 0x85: case 0xa8: case 0xa9:
		return "test";
	case 0x86: case 0x87: case 0x91 ... 0x97:
		return "xchg";
	case 0x88 ... 0x8c: case 0xa0 ... 0xa3: case 0xb0 ... 0xbf:
	case 0xc6: case 0xc7:
		return "mov";
	case 0x8d:
		return "lea";
	case 0x90:
		return "nop";
	case 0x98:
		return "cbw";
	case 0x99:
		return "cwd";
	case 0xa4: case 0xa5:
		return "movs";
	case 0xa6: case 0xa7:
		return "cmps";
	case 0xaa: case 0xab:
		return "stos";
	case 0xac: case 0xad:
		return "lods";
	case 0xae: case 0xaf:
		return "scas";
	case 0xe4: case 0xe5: case 0xec: case 0xed:
		return "in";
	case 0xe6: case 0xe7: case 0xee: case 0xef:
		return "out";
	case 0xf5:
		return "cmc";
	case 0xf8:
		return "clc";
	case 0xf9:
		return "stc";
	case 0xfc:
		return "cld";
	case 0xfd:
		return "std";
	case 0xf6: case 0xf7: {
		static const char * const g3[] = {
			"test", "test", "not", "neg", "mul", "imul", "div",
			"idiv"
		};
		return g3[d->reg & 7];
	}
	case 0xfe: case 0xff: {
		static const char * const g5[] = {
			"inc", "dec", "call", "callf", "jmp", "jmpf", "push",
			"?"
		};
		return g5[d->reg & 7];
	}
	}
	return "?";
}

static const u8 modrm16_base[8] = {
	X86EMUL_RBX, X86EMUL_RBX, X86EMUL_RBP, X86EMUL_RBP,
	X86EMUL_RSI, X86EMUL_RDI, X86EMUL_RBP, X86EMUL_RBX
};

static const u8 modrm16_index[8] = {
	X86EMUL_RSI, X86EMUL_RDI, X86EMUL_RSI, X86EMUL_RDI,
	NO_REG, NO_REG, NO_REG, NO_REG
};

/* Decode modrm (and sib, displacement) into d->dst or d->src memory ea. */
static int decode_modrm(struct x86_emulate_ctxt *ctxt, u64 *ea, u8 *defseg)
{
	struct x86emul_insn *d = &ctxt->insn;
	u8 rex = d->rex, base = NO_REG, index = NO_REG, scale = 0, sib;
	u64 v, disp = 0, addr = 0;
	int rc;

	rc = fetch(ctxt, 1, &v);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	d->modrm = v;
	d->mod = d->modrm >> 6;
	d->reg = ((d->modrm >> 3) & 7) | ((rex & 4) << 1);
	d->rm = (d->modrm & 7) | ((rex & 1) << 3);
	*defseg = X86EMUL_DS;
	if ((d->flags & ModRMReg) || d->mod == 3) {
		d->mod = 3;
		return X86EMUL_CONTINUE;
	}
	if (d->ad_bytes == 2) {
		u8 rm = d->modrm & 7;

		if (d->mod == 0 && rm == 6) {
			rc = fetch(ctxt, 2, &disp);
			disp = sign_extend(disp, 2);
		} else {
			base = modrm16_base[rm];
			index = modrm16_index[rm];
			if (rm == 2 || rm == 3 || rm == 6)
				*defseg = X86EMUL_SS;
			if (d->mod == 1) {
				rc = fetch(ctxt, 1, &disp);
				disp = sign_extend(disp, 1);
			} else if (d->mod == 2) {
				rc = fetch(ctxt, 2, &disp);
				disp = sign_extend(disp, 2);
			}
		}
		if (rc != X86EMUL_CONTINUE)
			return rc;
		if (base != NO_REG)
			addr += ctxt->regs[base];
		if (index != NO_REG)
			addr += ctxt->regs[index];
		d->base_reg = NO_REG;	/* SP is never a 16-bit base */
		*ea = (addr + disp) & 0xffff;
		return X86EMUL_CONTINUE;
	}
	if ((d->modrm & 7) == 4) {
		rc = fetch(ctxt, 1, &v);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		sib = v;
		scale = sib >> 6;
		index = ((sib >> 3) & 7) | ((rex & 2) << 2);
		if (index == 4)
			index = NO_REG;
		base = (sib & 7) | ((rex & 1) << 3);
		if ((sib & 7) == 5 && d->mod == 0) {
			base = NO_REG;
			rc = fetch(ctxt, 4, &disp);
			disp = sign_extend(disp, 4);
		}
	} else if ((d->modrm & 7) == 5 && d->mod == 0) {
		rc = fetch(ctxt, 4, &disp);
		disp = sign_extend(disp, 4);
		if (long_mode(ctxt))
			d->rip_rel = 1;
	} else {
		base = d->rm;
	}
	if (rc != X86EMUL_CONTINUE)
		return rc;
	if (d->mod == 1) {
		rc = fetch(ctxt, 1, &disp);
		disp = sign_extend(disp, 1);
	} else if (d->mod == 2) {
		rc = fetch(ctxt, 4, &disp);
		disp = sign_extend(disp, 4);
	}
	if (rc != X86EMUL_CONTINUE)
		return rc;
	if (base == X86EMUL_RSP || base == X86EMUL_RBP)
		*defseg = X86EMUL_SS;
	d->base_reg = base;
	if (base != NO_REG)
		addr += ctxt->regs[base];
	if (index != NO_REG)
		addr += ctxt->regs[index] << scale;
	*ea = (addr + disp) & size_mask(d->ad_bytes);
	return X86EMUL_CONTINUE;
}

static bool is_lockable(struct x86emul_insn *d)
{
	u8 r = d->reg & 7;

	if (!(d->flags & Lock) || d->dst.type != X86EMUL_OP_MEM)
		return false;
	if (!(d->flags & Group))
		return true;
	if (!d->twobyte) {
		switch (d->opcode) {
		case 0x80 ... 0x83:
			return r != ALU_CMP;
		case 0xf6: case 0xf7:
			return r == 2 || r == 3;
		case 0xfe: case 0xff:
			return r <= 1;
		}
		return false;
	}
	if (d->opcode == 0xba)
		return r >= 5;
	return d->opcode == 0xc7 && r == 1;
}

/*
 * Group members that are invalid (#UD) or not emulated (UNHANDLEABLE);
 * checked at decode so nothing is read before we know we can finish.
 */
static int check_group(struct x86_emulate_ctxt *ctxt)
{
	struct x86emul_insn *d = &ctxt->insn;
	u8 r = d->reg & 7;

	if (!(d->flags & Group))
		return X86EMUL_CONTINUE;
	if (d->twobyte) {
		switch (d->opcode) {
		case 0x01:
			/* register forms: smsw, lmsw (the rest are other
			 * instructions: vmrun, swapgs, ...)
			 */
			if (d->mod == 3)
				return r == 4 || r == 6 ? X86EMUL_CONTINUE :
					X86EMUL_UNHANDLEABLE;
			if (r == 2 || r == 3 || r == 4 || r == 6 || r == 7)
				return X86EMUL_CONTINUE;
			return X86EMUL_UNHANDLEABLE;
		case 0xba:
			return r >= 4 ? X86EMUL_CONTINUE : raise_ud(ctxt);
		case 0xc7:
			return r == 1 ? X86EMUL_CONTINUE : X86EMUL_UNHANDLEABLE;
		}
		return X86EMUL_CONTINUE;
	}
	switch (d->opcode) {
	case 0x8f:
		return r == 0 ? X86EMUL_CONTINUE : X86EMUL_UNHANDLEABLE;
	case 0xc6: case 0xc7:
		if (r == 0)
			return X86EMUL_CONTINUE;
		return d->modrm == 0xf8 ? X86EMUL_UNHANDLEABLE :
			raise_ud(ctxt);
	case 0xfe:
		return r <= 1 ? X86EMUL_CONTINUE : raise_ud(ctxt);
	case 0xff:
		if (r == 7)
			return raise_ud(ctxt);
		return (r <= 1 || r == 6) ? X86EMUL_CONTINUE :
			X86EMUL_UNHANDLEABLE;
	}
	return X86EMUL_CONTINUE;
}

static int decode_immediate(struct x86_emulate_ctxt *ctxt)
{
	struct x86emul_insn *d = &ctxt->insn;
	unsigned int n;
	u32 src = d->flags & SrcMask;
	u64 v;
	int rc;

	switch (src) {
	case SrcImm:
		n = d->op_bytes > 4 ? 4 : d->op_bytes;
		rc = fetch(ctxt, n, &v);
		v = sign_extend(v, n) & size_mask(d->op_bytes);
		break;
	case SrcImmFull:
		rc = fetch(ctxt, d->op_bytes, &v);
		break;
	case SrcImmByte:
		rc = fetch(ctxt, 1, &v);
		v = sign_extend(v, 1) & size_mask(d->op_bytes);
		break;
	case SrcImmU8:
		rc = fetch(ctxt, 1, &v);
		break;
	default:
		return X86EMUL_CONTINUE;
	}
	if (rc != X86EMUL_CONTINUE)
		return rc;
	d->imm = v;
	d->src.type = X86EMUL_OP_IMM;
	d->src.val = v;
	return X86EMUL_CONTINUE;
}

static void set_mem_operand(struct x86emul_insn *d, struct x86emul_operand *op,
			    u64 ea, unsigned int bytes)
{
	op->type = X86EMUL_OP_MEM;
	op->bytes = bytes;
	op->seg = d->seg;
	op->ea = ea;
}

/* Operand size and table fix-ups that depend on the opcode. */
static int decode_sizes(struct x86_emulate_ctxt *ctxt)
{
	struct x86emul_insn *d = &ctxt->insn;
	u8 b = d->opcode;

	if (d->rex & 8)
		d->op_bytes = 8;
	if ((d->flags & Stack) && long_mode(ctxt))
		d->op_bytes = d->op_bytes == 2 ? 2 : 8;
	if (d->flags & ByteOp)
		d->op_bytes = 1;
	if (d->twobyte) {
		if (b >= 0x20 && b <= 0x23)
			d->op_bytes = long_mode(ctxt) ? 8 : 4;
		if (b == 0xc3 && d->op_bytes == 2)
			return raise_ud(ctxt);	/* no 16-bit movnti */
		return X86EMUL_CONTINUE;
	}
	switch (b) {
	case 0x63:
		if (!long_mode(ctxt))
			return X86EMUL_UNHANDLEABLE;	/* arpl */
		break;
	case 0x6c ... 0x6f:
	case 0xe4 ... 0xe7:
	case 0xec ... 0xef:
		if (d->op_bytes == 8)
			d->op_bytes = 4;
		break;
	case 0x8c:
		if (d->op_bytes == 8 && !(d->rex & 8))
			d->op_bytes = 4;
		break;
	}
	return X86EMUL_CONTINUE;
}

static int decode_operands(struct x86_emulate_ctxt *ctxt, u64 ea, u8 defseg)
{
	struct x86emul_insn *d = &ctxt->insn;
	unsigned int ob = d->op_bytes, n;
	u32 f = d->flags;
	u64 v;
	int rc;

	d->seg = d->seg_override != NO_SEG ? d->seg_override : defseg;
	if (f & Moffs) {
		rc = fetch(ctxt, d->ad_bytes, &v);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		ea = v & size_mask(d->ad_bytes);
	}
	rc = decode_immediate(ctxt);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	/* F6/F7 /0 and /1 are test with an immediate */
	if (!d->twobyte && (d->opcode == 0xf6 || d->opcode == 0xf7) &&
	    (d->reg & 7) < 2) {
		d->flags |= SrcImm | NoWrite;
		d->flags &= ~Lock;
		f = d->flags;
		rc = decode_immediate(ctxt);
		if (rc != X86EMUL_CONTINUE)
			return rc;
	}
	if (d->flags & (Src2Imm8 | Src2Imm)) {
		n = (d->flags & Src2Imm8) ? 1 : d->op_bytes > 4 ? 4 :
			d->op_bytes;
		rc = fetch(ctxt, n, &v);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		d->imm = v;
	}
	if (d->rip_rel) {
		ea = ctxt->rip + d->len + ea;
		ea &= size_mask(d->ad_bytes);
	}
	d->ea = ea;

	switch (f & DstMask) {
	case DstReg:
		op_reg(ctxt, &d->dst, d->reg, ob);
		break;
	case DstMem:
		if ((f & ModRM) && d->mod == 3)
			op_reg(ctxt, &d->dst, d->rm, ob);
		else
			set_mem_operand(d, &d->dst, ea, ob);
		break;
	case DstAcc:
		op_reg(ctxt, &d->dst, X86EMUL_RAX, ob);
		break;
	case DstOpReg:
		op_reg(ctxt, &d->dst, (d->opcode & 7) | ((d->rex & 1) << 3),
		       ob);
		break;
	}

	switch (f & SrcMask) {
	case SrcReg:
		op_reg(ctxt, &d->src, d->reg, ob);
		break;
	case SrcAcc:
		op_reg(ctxt, &d->src, X86EMUL_RAX, ob);
		break;
	case SrcMem:
	case SrcMem8:
	case SrcMem16: {
		unsigned int sb = (f & SrcMask) == SrcMem8 ? 1 :
			(f & SrcMask) == SrcMem16 ? 2 : ob;

		if (!d->twobyte && d->opcode == 0x63 && !(d->rex & 8))
			sb = ob;
		else if (!d->twobyte && d->opcode == 0x63)
			sb = 4;
		if ((f & ModRM) && d->mod == 3)
			op_reg(ctxt, &d->src, d->rm, sb);
		else
			set_mem_operand(d, &d->src, ea, sb);
		break;
	}
	}
	/* implicit memory operands of ModRM instructions (lea, group 7...) */
	if ((f & ModRM) && d->mod != 3 && d->dst.type != X86EMUL_OP_MEM &&
	    d->src.type != X86EMUL_OP_MEM) {
		d->dst.seg = d->seg;
		d->dst.ea = ea;
		if (d->dst.type == X86EMUL_OP_NONE)
			set_mem_operand(d, &d->dst, ea, ob);
	}
	/* ... and their register forms (smsw r, lmsw r) */
	if ((f & ModRM) && d->mod == 3 && d->dst.type == X86EMUL_OP_NONE)
		op_reg(ctxt, &d->dst, d->rm, ob);
	return X86EMUL_CONTINUE;
}

static int decode_prefixes(struct x86_emulate_ctxt *ctxt)
{
	struct x86emul_insn *d = &ctxt->insn;
	u64 b;
	int rc;

	for (;;) {
		rc = fetch(ctxt, 1, &b);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		switch (b) {
		case 0x66:
			d->op_bytes = d->op_bytes == 2 ? 4 : 2;
			if (long_mode(ctxt))
				d->op_bytes = 2;
			break;
		case 0x67:
			if (long_mode(ctxt))
				d->ad_bytes = 4;
			else
				d->ad_bytes = ctxt->mode ==
					X86EMUL_MODE_PROT32 ? 2 : 4;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/* es, cs, ss, ds: ignored in long mode */
			if (!long_mode(ctxt))
				d->seg_override = (b >> 3) & 3;
			break;
		case 0x64: case 0x65:
			d->seg_override = b == 0x64 ? X86EMUL_FS : X86EMUL_GS;
			break;
		case 0xf0:
			d->lock = 1;
			break;
		case 0xf2: case 0xf3:
			d->rep = b;
			break;
		case 0x40 ... 0x4f:
			if (!long_mode(ctxt))
				goto opcode;
			d->rex = b;
			/* a REX counts only right before the opcode */
			continue;
		default:
			goto opcode;
		}
		d->rex = 0;
	}
opcode:
	d->opcode = b;
	return X86EMUL_CONTINUE;
}

static void trace(struct x86_emulate_ctxt *ctxt, enum x86emul_step step,
		  int rc)
{
	if (ctxt->ops->trace)
		ctxt->ops->trace(ctxt, step, rc);
}

static int finish(struct x86_emulate_ctxt *ctxt, int rc)
{
	if (rc == X86EMUL_PROPAGATE_FAULT && ctxt->ops->inject_exception)
		ctxt->ops->inject_exception(ctxt, ctxt->exception.vector,
					    ctxt->exception.error_code,
					    ctxt->exception.error_code_valid);
	return rc;
}

static int do_decode(struct x86_emulate_ctxt *ctxt)
{
	struct x86emul_insn *d = &ctxt->insn;
	u8 defseg = X86EMUL_DS;
	u64 ea = 0, v;
	int rc;

	switch (ctxt->mode) {
	case X86EMUL_MODE_REAL:
	case X86EMUL_MODE_PROT16:
		d->op_bytes = d->ad_bytes = 2;
		break;
	case X86EMUL_MODE_PROT32:
		d->op_bytes = d->ad_bytes = 4;
		break;
	case X86EMUL_MODE_PROT64:
		d->op_bytes = 4;
		d->ad_bytes = 8;
		break;
	default:
		return X86EMUL_UNHANDLEABLE;
	}
	rc = decode_prefixes(ctxt);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	if (d->opcode == 0x0f) {
		d->twobyte = 1;
		rc = fetch(ctxt, 1, &v);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		d->opcode = v;
		d->flags = twobyte_table[d->opcode];
		if (d->opcode == 0x38) {
			d->twobyte = 2;
			rc = fetch(ctxt, 1, &v);
			if (rc != X86EMUL_CONTINUE)
				return rc;
			d->opcode = v;
			d->flags = d->rep ? 0 : threebyte_38_flags(v);
		}
		/* popcnt exists only with f3 (0f b8 alone is jmpe: #UD) */
		if (d->twobyte == 1 && d->opcode == 0xb8 && d->rep != 0xf3)
			return raise_ud(ctxt);
	} else {
		d->flags = opcode_table[d->opcode];
	}
	if (d->flags & Invalid)
		return raise_ud(ctxt);
	if ((d->flags & No64) && long_mode(ctxt))
		return raise_ud(ctxt);
	if (!d->flags || d->flags == No64)
		return X86EMUL_UNHANDLEABLE;
	rc = decode_sizes(ctxt);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	if (d->flags & ModRM) {
		rc = decode_modrm(ctxt, &ea, &defseg);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		if ((d->flags & MemOnly) && d->mod == 3)
			return d->twobyte && d->opcode == 0xc7 ?
				X86EMUL_UNHANDLEABLE : raise_ud(ctxt);
	}
	d->name = insn_name(d);
	rc = check_group(ctxt);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	rc = decode_operands(ctxt, ea, defseg);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	/* LOCK: #UD unless a lockable op on memory (AMD: lock mov cr0=cr8) */
	if (d->lock && !is_lockable(d) &&
	    !(d->twobyte && (d->opcode == 0x20 || d->opcode == 0x22)))
		return raise_ud(ctxt);
	return X86EMUL_CONTINUE;
}

int x86_decode_insn(struct x86_emulate_ctxt *ctxt, const void *insn,
		    unsigned int len)
{
	struct x86emul_insn *d = &ctxt->insn;
	int rc;

	memset(d, 0, sizeof(*d));
	d->seg_override = NO_SEG;
	d->base_reg = NO_REG;
	d->name = "?";
	ctxt->rc.pos = ctxt->rc.end = 0;
	ctxt->io_read_pending = false;
	ctxt->rep_pending = false;
	ctxt->iterations = 0;
	memset(&ctxt->exception, 0, sizeof(ctxt->exception));
	if (insn && len) {
		d->avail = len > sizeof(d->bytes) ? sizeof(d->bytes) : len;
		memcpy(d->bytes, insn, d->avail);
	} else {
		rc = fetch_more(ctxt, 1);
		trace(ctxt, X86EMUL_STEP_FETCH, rc);
		if (rc != X86EMUL_CONTINUE)
			return finish(ctxt, rc);
	}
	rc = do_decode(ctxt);
	trace(ctxt, X86EMUL_STEP_DECODE, rc);
	return finish(ctxt, rc);
}

/* Execute */

static u64 next_ip(struct x86_emulate_ctxt *ctxt)
{
	u64 ip = ctxt->rip + ctxt->insn.len;

	switch (ctxt->mode) {
	case X86EMUL_MODE_PROT64:
		return ip;
	case X86EMUL_MODE_PROT32:
		return ip & 0xffffffffULL;
	}
	return ip & 0xffff;
}

static int read_operand(struct x86_emulate_ctxt *ctxt,
			struct x86emul_operand *op)
{
	switch (op->type) {
	case X86EMUL_OP_REG:
		op->val = reg_read(ctxt, op->reg, op->high, op->bytes);
		break;
	case X86EMUL_OP_MEM:
		return read_mem_u64(ctxt, op->seg, op->ea, &op->val,
				    op->bytes);
	}
	return X86EMUL_CONTINUE;
}

/* Write back the destination; @old set for a locked/atomic write. */
static int write_operand(struct x86_emulate_ctxt *ctxt,
			 struct x86emul_operand *op, bool atomic, bool *io)
{
	u64 la, v = op->val, old = op->orig;
	int rc;

	switch (op->type) {
	case X86EMUL_OP_REG:
		reg_write(ctxt, op->reg, op->high, op->bytes, op->val);
		break;
	case X86EMUL_OP_MEM:
		rc = linearize(ctxt, op->seg, op->ea, op->bytes, true, &la);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		return write_data(ctxt, la, &v, atomic ? &old : NULL,
				  op->bytes, io);
	}
	return X86EMUL_CONTINUE;
}

static int check_io_perm(struct x86_emulate_ctxt *ctxt)
{
	u8 iopl = (ctxt->rflags & EFLG_IOPL) >> 12;

	if (ctxt->mode != X86EMUL_MODE_REAL && cur_cpl(ctxt) > iopl)
		return X86EMUL_UNHANDLEABLE;	/* no TSS bitmap */
	return X86EMUL_CONTINUE;
}

/* One iteration of a string instruction. */
static int string_step(struct x86_emulate_ctxt *ctxt, u64 *src_la,
		       u64 *dst_la, bool *io)
{
	struct x86emul_insn *d = &ctxt->insn;
	unsigned int sz = d->op_bytes, ab = d->ad_bytes;
	u64 am = size_mask(ab), si = ctxt->regs[X86EMUL_RSI] & am;
	u64 di = ctxt->regs[X86EMUL_RDI] & am, a = 0, b = 0, la;
	s64 step = (ctxt->rflags & EFLG_DF) ? -(s64)sz : (s64)sz;
	u8 srcseg = d->seg_override != NO_SEG ? d->seg_override : X86EMUL_DS;
	u16 port = ctxt->regs[X86EMUL_RDX];
	int rc = X86EMUL_CONTINUE;

	la = ~0ULL;
	*src_la = *dst_la = ~0ULL;
	switch (d->opcode) {
	case 0x6c: case 0x6d:	/* ins */
		rc = check_io_perm(ctxt);
		if (rc == X86EMUL_CONTINUE)
			rc = linearize(ctxt, X86EMUL_ES, di, sz, true, &la);
		if (rc == X86EMUL_CONTINUE)
			rc = port_in(ctxt, port, &a, sz);
		if (rc == X86EMUL_CONTINUE)
			rc = write_data(ctxt, la, &a, NULL, sz, io);
		*dst_la = la;
		break;
	case 0x6e: case 0x6f:	/* outs */
		rc = check_io_perm(ctxt);
		if (rc == X86EMUL_CONTINUE)
			rc = linearize(ctxt, srcseg, si, sz, false, &la);
		if (rc == X86EMUL_CONTINUE)
			rc = read_data(ctxt, la, &a, sz);
		if (rc == X86EMUL_CONTINUE) {
			rc = X86EMUL_UNHANDLEABLE;
			if (ctxt->ops->pio_out)
				rc = ctxt->ops->pio_out(ctxt, port, &a, sz);
			/* accepted: userspace performs it */
			if (rc == X86EMUL_IO_NEEDED) {
				*io = true;
				rc = X86EMUL_CONTINUE;
			}
		}
		*src_la = la;
		break;
	case 0xa4: case 0xa5:	/* movs */
		rc = linearize(ctxt, srcseg, si, sz, false, src_la);
		if (rc == X86EMUL_CONTINUE)
			rc = linearize(ctxt, X86EMUL_ES, di, sz, true, dst_la);
		if (rc == X86EMUL_CONTINUE)
			rc = read_data(ctxt, *src_la, &a, sz);
		if (rc == X86EMUL_CONTINUE)
			rc = write_data(ctxt, *dst_la, &a, NULL, sz, io);
		break;
	case 0xa6: case 0xa7:	/* cmps */
		rc = linearize(ctxt, srcseg, si, sz, false, src_la);
		if (rc == X86EMUL_CONTINUE)
			rc = linearize(ctxt, X86EMUL_ES, di, sz, false,
				       dst_la);
		if (rc == X86EMUL_CONTINUE)
			rc = read_data(ctxt, *src_la, &a, sz);
		if (rc == X86EMUL_CONTINUE)
			rc = read_data(ctxt, *dst_la, &b, sz);
		if (rc == X86EMUL_CONTINUE)
			alu(ALU_CMP, a, b, sz, &ctxt->rflags);
		break;
	case 0xaa: case 0xab:	/* stos */
		rc = linearize(ctxt, X86EMUL_ES, di, sz, true, dst_la);
		a = ctxt->regs[X86EMUL_RAX];
		if (rc == X86EMUL_CONTINUE)
			rc = write_data(ctxt, *dst_la, &a, NULL, sz, io);
		break;
	case 0xac: case 0xad:	/* lods */
		rc = linearize(ctxt, srcseg, si, sz, false, src_la);
		if (rc == X86EMUL_CONTINUE)
			rc = read_data(ctxt, *src_la, &a, sz);
		if (rc == X86EMUL_CONTINUE)
			reg_write(ctxt, X86EMUL_RAX, false, sz, a);
		break;
	default:		/* scas */
		rc = linearize(ctxt, X86EMUL_ES, di, sz, false, dst_la);
		if (rc == X86EMUL_CONTINUE)
			rc = read_data(ctxt, *dst_la, &b, sz);
		if (rc == X86EMUL_CONTINUE)
			alu(ALU_CMP, ctxt->regs[X86EMUL_RAX], b, sz,
			    &ctxt->rflags);
		break;
	}
	if (rc != X86EMUL_CONTINUE)
		return rc;
	switch (d->opcode) {
	case 0x6e: case 0x6f: case 0xa4 ... 0xa7: case 0xac: case 0xad:
		reg_write_ad(ctxt, X86EMUL_RSI, ab, si + step);
		break;
	}
	switch (d->opcode) {
	case 0x6c: case 0x6d: case 0xa4 ... 0xab: case 0xae: case 0xaf:
		reg_write_ad(ctxt, X86EMUL_RDI, ab, di + step);
		break;
	}
	return X86EMUL_CONTINUE;
}

/* Would the next element of a string operand start a new page? */
static bool crosses_page(u64 la, s64 step, unsigned int sz)
{
	u64 n = la + step;

	if (la == ~0ULL)
		return false;
	return (n >> 12) != (la >> 12) || ((n + sz - 1) >> 12) != (la >> 12);
}

bool x86_page_table_writing_insn(const struct x86_emulate_ctxt *ctxt)
{
	const struct x86emul_insn *d = &ctxt->insn;
	bool two_mem = !d->twobyte && d->opcode >= 0xa4 && d->opcode <= 0xa7;

	return !(d->flags & String) || (!d->rep && !two_mem);
}

/* The most iterations one call does, a page's worth of bytes. */
#define REP_CHUNK_MAX	4096

/*
 * A REP string instruction with a 32-bit address size and ECX = 0 in 64-bit
 * mode does nothing on AMD CPUs; Intel CPUs still write RCX, and RDI (STOS,
 * MOVS) and RSI (MOVS) as 32-bit registers, clearing their upper halves
 * (tests/emulator/difftest sees it on an Intel host, as the in-tree KVM's
 * string_registers_quirk() models it).
 */
static void rep_zero_count(struct x86_emulate_ctxt *ctxt)
{
	u8 op = ctxt->insn.opcode & ~1;

	if (!ctxt->intel || ctxt->mode != X86EMUL_MODE_PROT64 ||
	    ctxt->insn.ad_bytes != 4)
		return;
	ctxt->regs[X86EMUL_RCX] = 0;
	if (op == 0xa4 || op == 0xaa)
		ctxt->regs[X86EMUL_RDI] = (u32)ctxt->regs[X86EMUL_RDI];
	if (op == 0xa4)
		ctxt->regs[X86EMUL_RSI] = (u32)ctxt->regs[X86EMUL_RSI];
}

static int emulate_string(struct x86_emulate_ctxt *ctxt)
{
	struct x86emul_insn *d = &ctxt->insn;
	unsigned int ab = d->ad_bytes, sz = d->op_bytes;
	u64 am = size_mask(ab), save[4], src_la, dst_la;
	s64 step = (ctxt->rflags & EFLG_DF) ? -(s64)sz : (s64)sz;
	bool rep = d->rep != 0, cmp = d->opcode >= 0xa6 &&
		(d->opcode <= 0xa7 || d->opcode >= 0xae);
	bool io = false;
	int rc;

	for (;;) {
		if (rep && !(ctxt->regs[X86EMUL_RCX] & am)) {
			/* only before the first iteration: a count that
			 * reaches 0 ends the loop below
			 */
			rep_zero_count(ctxt);
			break;
		}
		save[0] = ctxt->regs[X86EMUL_RAX];
		save[1] = ctxt->regs[X86EMUL_RSI];
		save[2] = ctxt->regs[X86EMUL_RDI];
		save[3] = ctxt->rflags;
		ctxt->rc.pos = 0;
		rc = string_step(ctxt, &src_la, &dst_la, &io);
		if (rc != X86EMUL_CONTINUE) {
			ctxt->regs[X86EMUL_RAX] = save[0];
			ctxt->regs[X86EMUL_RSI] = save[1];
			ctxt->regs[X86EMUL_RDI] = save[2];
			ctxt->rflags = save[3];
			return rc;
		}
		/* the iteration is committed */
		ctxt->rc.pos = ctxt->rc.end = 0;
		ctxt->iterations++;
		if (!rep)
			break;
		reg_write_ad(ctxt, X86EMUL_RCX, ab,
			     ctxt->regs[X86EMUL_RCX] - 1);
		if (cmp && d->rep == 0xf3 && !(ctxt->rflags & EFLG_ZF))
			break;
		if (cmp && d->rep == 0xf2 && (ctxt->rflags & EFLG_ZF))
			break;
		if (!(ctxt->regs[X86EMUL_RCX] & am))
			break;
		if (io || crosses_page(src_la, step, sz) ||
		    crosses_page(dst_la, step, sz) ||
		    ctxt->iterations >= REP_CHUNK_MAX) {
			/* more to do: leave rip on the instruction */
			ctxt->rep_pending = true;
			return io ? X86EMUL_IO_NEEDED : X86EMUL_CONTINUE;
		}
	}
	ctxt->rip = next_ip(ctxt);
	return io ? X86EMUL_IO_NEEDED : X86EMUL_CONTINUE;
}

static int em_mov_cr_dr(struct x86_emulate_ctxt *ctxt)
{
	struct x86emul_insn *d = &ctxt->insn;
	bool is_cr = d->opcode == 0x20 || d->opcode == 0x22;
	bool to_reg = d->opcode == 0x20 || d->opcode == 0x21;
	int n = d->reg, rc;
	u64 v, cr4;

	if (is_cr) {
		if (d->lock && n == 0)
			n = 8;		/* AMD: lock mov cr0 = cr8 */
		else if (d->lock)
			return raise_ud(ctxt);
		if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8)
			return raise_ud(ctxt);
		if (n == 8 && !long_mode(ctxt) && !d->lock)
			return raise_ud(ctxt);
	} else {
		if (d->lock || n > 7)
			return raise_ud(ctxt);
		if (n == 4 || n == 5) {
			rc = ctxt->ops->get_cr(ctxt, 4, &cr4);
			if (rc != X86EMUL_CONTINUE)
				return rc;
			if (cr4 & CR4_DE)
				return raise_ud(ctxt);
			n += 2;
		}
	}
	if (cur_cpl(ctxt))
		return raise_gp(ctxt);
	if (to_reg) {
		rc = is_cr ? ctxt->ops->get_cr(ctxt, n, &v) :
			ctxt->ops->get_dr(ctxt, n, &v);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		reg_write(ctxt, d->rm, false, d->op_bytes, v);
		return X86EMUL_CONTINUE;
	}
	v = reg_read(ctxt, d->rm, false, d->op_bytes);
	return is_cr ? ctxt->ops->set_cr(ctxt, n, v) :
		ctxt->ops->set_dr(ctxt, n, v);
}

static int em_group7(struct x86_emulate_ctxt *ctxt, bool *io)
{
	struct x86emul_insn *d = &ctxt->insn;
	struct x86emul_operand *op = &d->dst;
	u8 buf[10] = { 0 };
	u64 base = 0, cr0, la, v;
	u16 limit;
	int rc = X86EMUL_CONTINUE;

	switch (d->reg & 7) {
	case 2: case 3:		/* lgdt, lidt */
		if (cur_cpl(ctxt))
			return raise_gp(ctxt);
		rc = read_mem(ctxt, op->seg, op->ea, buf,
			      long_mode(ctxt) ? 10 : 6);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		limit = buf[0] | (buf[1] << 8);
		memcpy(&base, buf + 2, long_mode(ctxt) ? 8 : 4);
		if (!long_mode(ctxt) && d->op_bytes == 2)
			base &= 0xffffff;
		if (long_mode(ctxt) && !is_canonical(base))
			return raise_gp(ctxt);
		return (d->reg & 7) == 2 ?
			ctxt->ops->set_gdt(ctxt, base, limit) :
			ctxt->ops->set_idt(ctxt, base, limit);
	case 4:			/* smsw m16, smsw r16/r32/r64 */
		rc = ctxt->ops->get_cr(ctxt, 0, &cr0);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		/* a register gets CR0 itself, as the CPU does */
		if (op->type == X86EMUL_OP_MEM)
			op->bytes = 2;
		op->val = op->type == X86EMUL_OP_MEM ? cr0 & 0xffff : cr0;
		return write_operand(ctxt, op, false, io);
	case 6:			/* lmsw m16 */
		if (cur_cpl(ctxt))
			return raise_gp(ctxt);
		if (op->type == X86EMUL_OP_MEM)
			rc = read_mem_u64(ctxt, op->seg, op->ea, &v, 2);
		else
			v = ctxt->regs[op->reg];
		if (rc != X86EMUL_CONTINUE)
			return rc;
		rc = ctxt->ops->get_cr(ctxt, 0, &cr0);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		/* PE can be set but not cleared; MP, EM, TS follow v */
		v = (cr0 & ~0xeULL) | (v & 0xf) | (cr0 & 1);
		return ctxt->ops->set_cr(ctxt, 0, v);
	default:		/* invlpg */
		if (cur_cpl(ctxt))
			return raise_gp(ctxt);
		la = op->ea;
		if (long_mode(ctxt)) {
			if (op->seg == X86EMUL_FS || op->seg == X86EMUL_GS)
				la += ctxt->seg[op->seg].base;
			if (!is_canonical(la))
				return X86EMUL_CONTINUE;	/* a nop */
		} else {
			la = (la + ctxt->seg[op->seg].base) & 0xffffffffULL;
		}
		return ctxt->ops->invlpg(ctxt, la);
	}
}

/*
 * cmpxchg8b/16b read the whole operand in accesses of at most 8 bytes
 * (one 8-byte MMIO read for cmpxchg8b, as the in-tree KVM does) and,
 * like the CPU's locked cycle, write it back whether or not it matched:
 * the old value on a mismatch.
 */
static int em_cmpxchg8b(struct x86_emulate_ctxt *ctxt, bool *io)
{
	struct x86emul_insn *d = &ctxt->insn;
	struct x86emul_operand *op = &d->dst;
	unsigned int half = (d->rex & 8) ? 8 : 4, i;
	u64 m = size_mask(half), la, cur[2] = { 0, 0 }, want[2], val[2];
	u8 oldb[16], newb[16];
	bool match;
	int rc;

	if (half == 8 && (op->ea & 15))
		return raise_gp(ctxt);
	rc = linearize(ctxt, op->seg, op->ea, 2 * half, true, &la);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	for (i = 0; i < 2 * half; i += 8) {
		rc = read_data(ctxt, la + i, &val[i / 8], 8);
		if (rc != X86EMUL_CONTINUE)
			return rc;
	}
	memcpy(oldb, val, 2 * half);
	memcpy(&cur[0], oldb, half);
	memcpy(&cur[1], oldb + half, half);
	want[0] = ctxt->regs[X86EMUL_RAX] & m;
	want[1] = ctxt->regs[X86EMUL_RDX] & m;
	match = cur[0] == want[0] && cur[1] == want[1];
	if (match) {
		val[0] = ctxt->regs[X86EMUL_RBX] & m;
		val[1] = ctxt->regs[X86EMUL_RCX] & m;
		memcpy(newb, &val[0], half);
		memcpy(newb + half, &val[1], half);
	} else {
		memcpy(newb, oldb, 2 * half);
	}
	rc = write_data(ctxt, la, newb, oldb, 2 * half, io);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	if (match) {
		ctxt->rflags |= EFLG_ZF;
	} else {
		reg_write(ctxt, X86EMUL_RAX, false, half, cur[0]);
		reg_write(ctxt, X86EMUL_RDX, false, half, cur[1]);
		ctxt->rflags &= ~(u64)EFLG_ZF;
	}
	return X86EMUL_CONTINUE;
}

/* bt, bts, btr, btc: @op 4..7 as in group 8. */
static void bit_op(struct x86_emulate_ctxt *ctxt, unsigned int op, u64 off)
{
	struct x86emul_operand *dst = &ctxt->insn.dst;
	u64 bit = 1ULL << (off & (dst->bytes * 8 - 1));

	if (dst->val & bit)
		ctxt->rflags |= EFLG_CF;
	else
		ctxt->rflags &= ~(u64)EFLG_CF;
	switch (op) {
	case 5:
		dst->val |= bit;
		break;
	case 6:
		dst->val &= ~bit;
		break;
	case 7:
		dst->val ^= bit;
		break;
	}
}

/* A register bit offset addresses memory beyond the operand. */
static void bit_offset_ea(struct x86emul_insn *d)
{
	unsigned int shift = d->dst.bytes == 2 ? 4 : d->dst.bytes == 4 ? 5 : 6;
	s64 off = (s64)sign_extend(d->src.val, d->src.bytes);
	/* arithmetic shift: the offset is signed */
	s64 q = off >> shift;

	d->dst.ea = (d->dst.ea + (u64)q * d->dst.bytes) &
		size_mask(d->ad_bytes);
	d->src.val = (u64)off & ((1u << shift) - 1);
}

static int em_in_out(struct x86_emulate_ctxt *ctxt, bool *io)
{
	struct x86emul_insn *d = &ctxt->insn;
	u8 b = d->opcode;
	u16 port = (b & 8) ? (u16)ctxt->regs[X86EMUL_RDX] : (u16)d->imm;
	u64 v = 0;
	int rc;

	rc = check_io_perm(ctxt);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	if (!(b & 2)) {
		rc = port_in(ctxt, port, &v, d->op_bytes);
		if (rc == X86EMUL_CONTINUE)
			reg_write(ctxt, X86EMUL_RAX, false, d->op_bytes, v);
		return rc;
	}
	if (!ctxt->ops->pio_out)
		return X86EMUL_UNHANDLEABLE;
	v = ctxt->regs[X86EMUL_RAX];
	rc = ctxt->ops->pio_out(ctxt, port, &v, d->op_bytes);
	if (rc == X86EMUL_IO_NEEDED) {
		*io = true;
		rc = X86EMUL_CONTINUE;
	}
	return rc;
}

/* Instructions whose operands the executor handles itself. */
static int em_implicit(struct x86_emulate_ctxt *ctxt, bool *io)
{
	struct x86emul_insn *d = &ctxt->insn;
	u8 b = d->opcode, r;
	unsigned int ob = d->op_bytes;
	u64 v, cr0, a;
	int rc;

	if (d->twobyte) {
		switch (b) {
		case 0x01:
			return em_group7(ctxt, io);
		case 0x06:
			if (cur_cpl(ctxt))
				return raise_gp(ctxt);
			rc = ctxt->ops->get_cr(ctxt, 0, &cr0);
			if (rc != X86EMUL_CONTINUE)
				return rc;
			return ctxt->ops->set_cr(ctxt, 0, cr0 & ~CR0_TS);
		case 0x1f:
			return X86EMUL_CONTINUE;
		default:
			return em_mov_cr_dr(ctxt);
		}
	}
	switch (b) {
	case 0x50 ... 0x57:
		r = (b & 7) | ((d->rex & 1) << 3);
		return push(ctxt, reg_read(ctxt, r, false, ob), ob);
	case 0x58 ... 0x5f:
		r = (b & 7) | ((d->rex & 1) << 3);
		rc = pop(ctxt, &v, ob);
		if (rc == X86EMUL_CONTINUE)
			reg_write(ctxt, r, false, ob, v);
		return rc;
	case 0x68: case 0x6a:
		return push(ctxt, d->imm, ob);
	case 0x8c:
		if ((d->reg & 7) > 5)
			return raise_ud(ctxt);
		if (d->dst.type == X86EMUL_OP_MEM)
			d->dst.bytes = 2;
		d->dst.val = ctxt->seg[d->reg & 7].selector;
		return write_operand(ctxt, &d->dst, false, io);
	case 0x90 ... 0x97:
		r = (b & 7) | ((d->rex & 1) << 3);
		if (r == X86EMUL_RAX)
			return X86EMUL_CONTINUE;	/* nop, pause */
		v = reg_read(ctxt, r, false, ob);
		a = reg_read(ctxt, X86EMUL_RAX, false, ob);
		reg_write(ctxt, r, false, ob, a);
		reg_write(ctxt, X86EMUL_RAX, false, ob, v);
		return X86EMUL_CONTINUE;
	case 0x98:
		v = sign_extend(ctxt->regs[X86EMUL_RAX], ob / 2);
		reg_write(ctxt, X86EMUL_RAX, false, ob, v);
		return X86EMUL_CONTINUE;
	case 0x99:
		v = sign_extend(ctxt->regs[X86EMUL_RAX], ob);
		reg_write(ctxt, X86EMUL_RDX, false, ob,
			  (v >> 63) ? ~0ULL : 0);
		return X86EMUL_CONTINUE;
	case 0xe4 ... 0xe7: case 0xec ... 0xef:
		return em_in_out(ctxt, io);
	case 0xf5:
		ctxt->rflags ^= EFLG_CF;
		return X86EMUL_CONTINUE;
	case 0xf8: case 0xf9:
		ctxt->rflags = (ctxt->rflags & ~(u64)EFLG_CF) | (b & 1);
		return X86EMUL_CONTINUE;
	case 0xfc:
		ctxt->rflags &= ~(u64)EFLG_DF;
		return X86EMUL_CONTINUE;
	case 0xfd:
		ctxt->rflags |= EFLG_DF;
		return X86EMUL_CONTINUE;
	}
	return X86EMUL_UNHANDLEABLE;
}

/* Condition codes of jcc/setcc/cmovcc, low four opcode bits. */
static bool test_cc(unsigned int cc, u64 fl)
{
	bool r;

	switch ((cc >> 1) & 7) {
	case 0:
		r = fl & EFLG_OF;
		break;
	case 1:
		r = fl & EFLG_CF;
		break;
	case 2:
		r = fl & EFLG_ZF;
		break;
	case 3:
		r = fl & (EFLG_CF | EFLG_ZF);
		break;
	case 4:
		r = fl & EFLG_SF;
		break;
	case 5:
		r = fl & EFLG_PF;
		break;
	case 6:
		r = !(fl & EFLG_SF) != !(fl & EFLG_OF);
		break;
	default:
		r = (fl & EFLG_ZF) || !(fl & EFLG_SF) != !(fl & EFLG_OF);
		break;
	}
	return (cc & 1) ? !r : r;
}

static inline u64 flag_if(bool c, u64 flag)
{
	return c ? flag : 0;
}

/* SF, ZF and PF of a result of @bytes. */
static u64 szp_flags(u64 r, unsigned int bytes)
{
	u64 sign = 1ULL << (bytes * 8 - 1);

	return flag_if(!(r & size_mask(bytes)), EFLG_ZF) |
		flag_if(r & sign, EFLG_SF) | parity_flag(r);
}

/* Group 2 operations, in modrm.reg order (6 is sal, the same as shl). */
enum {
	SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR
};

/*
 * Shift or rotate @v of @bytes by @cnt (masked here as the CPU does).
 * A masked count of 0 changes no flag.  Flags the architecture leaves
 * undefined follow this build machine's CPU (AMD EPYC):
 *  - shl/sal, shr, sar: AF is set; OF is computed by the count-1 formula
 *    for every count (shl: MSB(result) ^ CF; shr: the top two result
 *    bits differ; sar: 0); a count above the width shifts out 0 (CF 0,
 *    sar: the sign);
 *  - rotates change only CF and OF, OF by the count-1 formula for every
 *    count (rol/rcl: MSB(result) ^ CF; ror/rcr: the top two result bits
 *    differ), also when the count is a multiple of the width.
 */
static u64 shift_rotate(unsigned int op, u64 v, unsigned int cnt,
			unsigned int bytes, u64 *rflags)
{
	unsigned int bits = bytes * 8, n, i;
	u64 m = size_mask(bytes), sign = 1ULL << (bits - 1), r, f, c, t;
	s64 sv;

	v &= m;
	cnt &= bytes == 8 ? 63 : 31;
	if (!cnt)
		return v;
	f = *rflags;
	c = f & EFLG_CF;
	switch (op) {
	case SH_ROL:
		n = cnt % bits;
		r = n ? ((v << n) | (v >> (bits - n))) & m : v;
		c = r & 1;
		break;
	case SH_ROR:
		n = cnt % bits;
		r = n ? ((v >> n) | (v << (bits - n))) & m : v;
		c = !!(r & sign);
		break;
	case SH_RCL:
		n = bits < 32 ? cnt % (bits + 1) : cnt;
		r = v;
		for (i = 0; i < n; i++) {
			t = !!(r & sign);
			r = ((r << 1) | c) & m;
			c = t;
		}
		break;
	case SH_RCR:
		n = bits < 32 ? cnt % (bits + 1) : cnt;
		r = v;
		for (i = 0; i < n; i++) {
			t = r & 1;
			r = (r >> 1) | (c ? sign : 0);
			c = t;
		}
		break;
	case SH_SHL:
	case SH_SAL:
		r = cnt >= bits ? 0 : (v << cnt) & m;
		c = cnt <= bits ? (v >> (bits - cnt)) & 1 : 0;
		break;
	case SH_SHR:
		r = cnt >= bits ? 0 : v >> cnt;
		c = cnt <= bits ? (v >> (cnt - 1)) & 1 : 0;
		break;
	default: /* SH_SAR */
		sv = (s64)sign_extend(v, bytes);
		r = (u64)(sv >> (cnt > 63 ? 63 : cnt)) & m;
		c = (u64)(sv >> (cnt - 1 > 63 ? 63 : cnt - 1)) & 1;
		break;
	}
	f &= ~(u64)(EFLG_CF | EFLG_OF);
	f |= c;
	switch (op) {
	case SH_ROL:
	case SH_RCL:
		f |= flag_if(!!(r & sign) != !!c, EFLG_OF);
		*rflags = f;
		return r;
	case SH_ROR:
	case SH_RCR:
		f |= flag_if(!(r & sign) != !(r & (sign >> 1)), EFLG_OF);
		*rflags = f;
		return r;
	case SH_SHL:
	case SH_SAL:
		f |= flag_if(!!(r & sign) != !!c, EFLG_OF);
		break;
	case SH_SHR:
		f |= flag_if(!(r & sign) != !(r & (sign >> 1)), EFLG_OF);
		break;
	}
	f &= ~(u64)(EFLG_PF | EFLG_ZF | EFLG_SF);
	*rflags = f | EFLG_AF | szp_flags(r, bytes);
	return r;
}

/*
 * shld/shrd: shift @d by @cnt, filling from @s.  Flags as for shl/shr
 * (OF by the count-1 formula for every count), AF set.  For 16 bits with
 * a count above 16 (undefined) this CPU shifts through d:s:s (shld) or
 * s:s:d (shrd), clears CF, and for shld clears OF; shld by exactly 16
 * sets OF equal to CF.
 */
static u64 shift_double(bool left, u64 d, u64 s, unsigned int cnt,
			unsigned int bytes, u64 *rflags)
{
	unsigned int bits = bytes * 8;
	u64 m = size_mask(bytes), sign = 1ULL << (bits - 1), r, c, f;

	d &= m;
	s &= m;
	cnt &= bytes == 8 ? 63 : 31;
	if (!cnt)
		return d;
	if (bits == 16 && cnt > 16) {
		/* a 48-bit shift */
		u64 t = left ? (d << 32) | (s << 16) | s :
			(s << 32) | (s << 16) | d;

		r = left ? (t >> (32 - cnt)) & m : (t >> cnt) & m;
		c = 0;
	} else if (left) {
		r = ((d << cnt) | (s >> (bits - cnt))) & m;
		c = (d >> (bits - cnt)) & 1;
	} else {
		r = ((d >> cnt) | (s << (bits - cnt))) & m;
		c = (d >> (cnt - 1)) & 1;
	}
	f = *rflags & ~(u64)EFLG_ARITH;
	f |= c | EFLG_AF | szp_flags(r, bytes);
	if (left && bits == 16 && cnt >= 16)
		f |= flag_if(c, EFLG_OF);
	else if (left)
		f |= flag_if(!!(r & sign) != !!c, EFLG_OF);
	else
		f |= flag_if(!(r & sign) != !(r & (sign >> 1)), EFLG_OF);
	*rflags = f;
	return r;
}

/* 64 x 64 -> 128 unsigned multiply, from 32-bit halves. */
static u64 mul_u64(u64 a, u64 b, u64 *hi)
{
	u64 al = (u32)a, ah = a >> 32, bl = (u32)b, bh = b >> 32;
	u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	u64 mid = (ll >> 32) + (u32)lh + (u32)hl;

	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	return (mid << 32) | (u32)ll;
}

/* Signed product of @a and @b (@bytes wide, sign-extended): lo, *hi. */
static u64 imul_full(u64 a, u64 b, unsigned int bytes, u64 *hi)
{
	s64 sa = (s64)sign_extend(a, bytes), sb = (s64)sign_extend(b, bytes);
	u64 lo = mul_u64((u64)sa, (u64)sb, hi);

	if (sa < 0)
		*hi -= (u64)sb;
	if (sb < 0)
		*hi -= (u64)sa;
	return lo;
}

/* Does the signed 128-bit hi:lo fit in @bytes? */
static bool imul_fits(u64 lo, u64 hi, unsigned int bytes)
{
	u64 t = sign_extend(lo, bytes);

	if (bytes < 8)
		return t == lo && hi == ((s64)lo < 0 ? ~0ULL : 0);
	return hi == ((s64)lo < 0 ? ~0ULL : 0);
}

/*
 * 128 / 64 unsigned division, bit by bit (no compiler helper needed in
 * the kernel).  Returns false if the quotient does not fit in 64 bits.
 */
static bool div_u128(u64 hi, u64 lo, u64 d, u64 *q, u64 *r)
{
	unsigned int i;
	u64 carry;

	if (!d || hi >= d)
		return false;
	for (i = 0; i < 64; i++) {
		carry = hi >> 63;
		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		if (carry || hi >= d) {
			hi -= d;
			lo |= 1;
		}
	}
	*q = lo;
	*r = hi;
	return true;
}

/*
 * Group 3 /4-/7: mul, imul, div, idiv of the accumulator by @v.  #DE on
 * a zero divisor or a quotient that does not fit.  Flags as this CPU
 * leaves them: mul/imul change only CF and OF; div/idiv clear SF, ZF
 * and PF, set AF and leave CF and OF.
 */
static int em_muldiv(struct x86_emulate_ctxt *ctxt, unsigned int op, u64 v,
		     unsigned int bytes)
{
	unsigned int bits = bytes * 8;
	u64 m = size_mask(bytes), sign = 1ULL << (bits - 1);
	u64 a = ctxt->regs[X86EMUL_RAX] & m, dx, lo, hi, q, r, nh, nl, dm;
	bool neg_n, neg_d, ov;

	v &= m;
	dx = bytes == 1 ? (ctxt->regs[X86EMUL_RAX] >> 8) & 0xff :
		ctxt->regs[X86EMUL_RDX] & m;
	switch (op) {
	case 4:		/* mul */
	case 5:		/* imul */
		if (op == 4) {
			lo = mul_u64(a, v, &hi);
			if (bytes < 8) {
				hi = lo >> bits;
				lo &= m;
			}
			ov = hi != 0;
		} else {
			lo = imul_full(a, v, bytes, &hi);
			ov = !imul_fits(lo, hi, bytes);
			if (bytes < 8)
				hi = lo >> bits;
			lo &= m;
		}
		if (bytes == 1)
			reg_write(ctxt, X86EMUL_RAX, false, 2,
				  (lo & 0xff) | ((hi & 0xff) << 8));
		else {
			reg_write(ctxt, X86EMUL_RAX, false, bytes, lo);
			reg_write(ctxt, X86EMUL_RDX, false, bytes, hi);
		}
		ctxt->rflags &= ~(u64)(EFLG_CF | EFLG_OF);
		if (ov)
			ctxt->rflags |= EFLG_CF | EFLG_OF;
		return X86EMUL_CONTINUE;
	}
	/* div, idiv: the dividend dx:a as a sign/magnitude pair */
	if (!v)
		return raise(ctxt, VEC_DE, false, 0);
	neg_n = op == 7 && (dx & sign);
	neg_d = op == 7 && (v & sign);
	if (bytes < 8) {
		nl = (dx << bits) | a;
		if (neg_n)
			nl = (0 - (nl | ~size_mask(2 * bytes))) &
				size_mask(2 * bytes);
		dm = neg_d ? (0 - v) & m : v;
		q = nl / dm;
		r = nl % dm;
	} else {
		nh = dx;
		nl = a;
		if (neg_n) {
			nl = 0 - a;
			nh = ~dx + (a == 0);
		}
		dm = neg_d ? 0 - v : v;
		if (!div_u128(nh, nl, dm, &q, &r))
			return raise(ctxt, VEC_DE, false, 0);
	}
	if (op == 6 && q > m)
		return raise(ctxt, VEC_DE, false, 0);
	if (op == 7) {
		if (neg_n != neg_d ? q > sign : q > sign - 1)
			return raise(ctxt, VEC_DE, false, 0);
		if (neg_n != neg_d)
			q = 0 - q;
		if (neg_n)
			r = 0 - r;
	}
	if (bytes == 1) {
		reg_write(ctxt, X86EMUL_RAX, false, 2,
			  (q & 0xff) | ((r & 0xff) << 8));
	} else {
		reg_write(ctxt, X86EMUL_RAX, false, bytes, q);
		reg_write(ctxt, X86EMUL_RDX, false, bytes, r);
	}
	ctxt->rflags &= ~(u64)(EFLG_SF | EFLG_ZF | EFLG_PF);
	ctxt->rflags |= EFLG_AF;
	return X86EMUL_CONTINUE;
}

/* Byte-swap the low @bytes of @v (movbe). */
static u64 swap_bytes(u64 v, unsigned int bytes)
{
	u64 r = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		r = (r << 8) | ((v >> (8 * i)) & 0xff);
	return r;
}

/*
 * bsf, bsr, tzcnt, lzcnt, popcnt.  Sets *write false when the destination
 * keeps its value (bsf/bsr of 0: not even a 32-bit zero extension).
 * Flags as this CPU computes them: bsf/bsr clear CF, OF, SF, AF, set ZF
 * for a zero source, PF by the result (set for a zero source);
 * tzcnt/lzcnt set CF for a zero source, ZF for a zero result, clear SF,
 * AF, PF, leave OF; popcnt clears all but ZF.
 */
static void bit_scan(struct x86_emulate_ctxt *ctxt, bool *write)
{
	struct x86emul_insn *d = &ctxt->insn;
	unsigned int bytes = d->dst.bytes, bits = bytes * 8, n = 0;
	u64 s = d->src.val & size_mask(bytes), f = ctxt->rflags;
	bool f3 = d->rep == 0xf3;

	if (d->opcode == 0xb8) {
		for (; s; s &= s - 1)
			n++;
		f &= ~(u64)EFLG_ARITH;
		f |= flag_if(!n, EFLG_ZF);
	} else if (f3) {
		if (!s)
			n = bits;
		else if (d->opcode == 0xbc)
			while (!((s >> n) & 1))
				n++;
		else
			while (!((s << n) & (1ULL << (bits - 1))))
				n++;
		f &= ~(u64)(EFLG_ARITH & ~EFLG_OF);
		f |= flag_if(!s, EFLG_CF) | flag_if(!n, EFLG_ZF);
	} else {
		f &= ~(u64)EFLG_ARITH;
		if (!s) {
			*write = false;
			ctxt->rflags = f | EFLG_ZF | EFLG_PF;
			return;
		}
		if (d->opcode == 0xbc) {
			while (!((s >> n) & 1))
				n++;
		} else {
			n = bits - 1;
			while (!((s >> n) & 1))
				n--;
		}
		f |= parity_flag(n);
	}
	d->dst.val = n;
	ctxt->rflags = f;
}

/*
 * Operate on d->src/d->dst (read) and leave the result in d->dst.val.
 * Sets *write to whether the destination must be written back, *atomic to
 * whether the write must be a compare-and-exchange.
 */
static int em_alu_forms(struct x86_emulate_ctxt *ctxt, bool *write,
			bool *atomic)
{
	struct x86emul_insn *d = &ctxt->insn;
	struct x86emul_operand *src = &d->src, *dst = &d->dst;
	u8 b = d->opcode, r = d->reg & 7;
	u64 *fl = &ctxt->rflags, t;

	*write = !(d->flags & NoWrite);
	*atomic = d->lock;
	if (d->twobyte == 2) {
		/* movbe */
		dst->val = swap_bytes(src->val, dst->bytes);
		return X86EMUL_CONTINUE;
	}
	if (d->twobyte) {
		switch (b) {
		case 0x40 ... 0x4f:
			/* the source is read either way; 32 bits zero-extend */
			if (!test_cc(b, *fl))
				dst->val = reg_read(ctxt, dst->reg, dst->high,
						    dst->bytes);
			else
				dst->val = src->val;
			return X86EMUL_CONTINUE;
		case 0x90 ... 0x9f:
			dst->val = test_cc(b, *fl);
			return X86EMUL_CONTINUE;
		case 0xa4: case 0xa5: case 0xac: case 0xad:
			t = (b & 1) ? ctxt->regs[X86EMUL_RCX] : d->imm;
			dst->val = shift_double(b < 0xa8, dst->val, src->val,
						t & 0xff, dst->bytes, fl);
			return X86EMUL_CONTINUE;
		case 0xaf:
			dst->val = imul_full(dst->val, src->val, dst->bytes,
					     &t);
			*fl &= ~(u64)(EFLG_CF | EFLG_OF);
			if (!imul_fits(dst->val, t, dst->bytes))
				*fl |= EFLG_CF | EFLG_OF;
			return X86EMUL_CONTINUE;
		case 0xb8: case 0xbc: case 0xbd:
			bit_scan(ctxt, write);
			return X86EMUL_CONTINUE;
		case 0xa3: case 0xab: case 0xb3: case 0xbb:
			bit_op(ctxt, 4 + ((b >> 3) & 3), src->val);
			*write = b != 0xa3;
			return X86EMUL_CONTINUE;
		case 0xba:
			bit_op(ctxt, r, src->val);
			*write = r != 4;
			return X86EMUL_CONTINUE;
		case 0xb0: case 0xb1:
			t = reg_read(ctxt, X86EMUL_RAX, false, dst->bytes);
			alu(ALU_CMP, t, dst->val, dst->bytes, fl);
			if (*fl & EFLG_ZF) {
				dst->val = src->val;
				return X86EMUL_CONTINUE;
			}
			/*
			 * Failure loads the accumulator.  Memory is written
			 * back unchanged (as the in-tree KVM does, one write
			 * cycle); a register destination is not written, as
			 * on the AMD CPUs we compared with (the upper half of
			 * a 32-bit register stays).
			 */
			reg_write(ctxt, X86EMUL_RAX, false, dst->bytes,
				  dst->val);
			if (dst->type == X86EMUL_OP_REG)
				*write = false;
			return X86EMUL_CONTINUE;
		case 0xb6: case 0xb7:
			dst->val = src->val;
			return X86EMUL_CONTINUE;
		case 0xbe: case 0xbf:
			dst->val = sign_extend(src->val, src->bytes);
			return X86EMUL_CONTINUE;
		case 0xc0: case 0xc1:
			t = alu(ALU_ADD, dst->val, src->val, dst->bytes, fl);
			src->val = dst->val;
			dst->val = t;
			reg_write(ctxt, src->reg, src->high, src->bytes,
				  src->val);
			return X86EMUL_CONTINUE;
		case 0xc3:
			dst->val = src->val;
			return X86EMUL_CONTINUE;
		}
		return X86EMUL_UNHANDLEABLE;
	}
	switch (b) {
	case 0x00 ... 0x3f:
		dst->val = alu(b >> 3, dst->val, src->val, dst->bytes, fl);
		return X86EMUL_CONTINUE;
	case 0x40 ... 0x4f:
		dst->val = alu(b < 0x48 ? ALU_INC : ALU_DEC, dst->val, 0,
			       dst->bytes, fl);
		return X86EMUL_CONTINUE;
	case 0x63:
		dst->val = sign_extend(src->val, src->bytes);
		return X86EMUL_CONTINUE;
	case 0x69: case 0x6b:
		dst->val = imul_full(src->val, b == 0x6b ?
				     sign_extend(d->imm, 1) :
				     sign_extend(d->imm, 4), dst->bytes, &t);
		*fl &= ~(u64)(EFLG_CF | EFLG_OF);
		if (!imul_fits(dst->val, t, dst->bytes))
			*fl |= EFLG_CF | EFLG_OF;
		return X86EMUL_CONTINUE;
	case 0xc0: case 0xc1: case 0xd0 ... 0xd3:
		t = b >= 0xd2 ? ctxt->regs[X86EMUL_RCX] :
			b >= 0xd0 ? 1 : src->val;
		dst->val = shift_rotate(r, dst->val, t & 0xff, dst->bytes, fl);
		return X86EMUL_CONTINUE;
	case 0x80 ... 0x83:
		dst->val = alu(r, dst->val, src->val, dst->bytes, fl);
		*write = r != ALU_CMP;
		return X86EMUL_CONTINUE;
	case 0x84: case 0x85: case 0xa8: case 0xa9:
		alu(ALU_TEST, dst->val, src->val, dst->bytes, fl);
		return X86EMUL_CONTINUE;
	case 0x86: case 0x87:
		/* xchg: the memory write is always atomic */
		reg_write(ctxt, src->reg, src->high, src->bytes, dst->val);
		dst->val = src->val;
		*atomic = dst->type == X86EMUL_OP_MEM;
		return X86EMUL_CONTINUE;
	case 0x88 ... 0x8b: case 0xa0 ... 0xa3: case 0xb0 ... 0xbf:
	case 0xc6: case 0xc7:
		dst->val = src->val;
		return X86EMUL_CONTINUE;
	case 0xf6: case 0xf7:
		if (r < 2) {
			alu(ALU_TEST, dst->val, src->val, dst->bytes, fl);
			*write = false;
		} else if (r == 2) {
			dst->val = ~dst->val & size_mask(dst->bytes);
		} else if (r == 3) {
			dst->val = alu(ALU_NEG, dst->val, 0, dst->bytes, fl);
		} else {
			*write = false;
			return em_muldiv(ctxt, r, dst->val, dst->bytes);
		}
		return X86EMUL_CONTINUE;
	case 0xfe: case 0xff:
		dst->val = alu(r ? ALU_DEC : ALU_INC, dst->val, 0, dst->bytes,
			       fl);
		return X86EMUL_CONTINUE;
	}
	return X86EMUL_UNHANDLEABLE;
}

static int execute(struct x86_emulate_ctxt *ctxt, bool *io)
{
	struct x86emul_insn *d = &ctxt->insn;
	bool write, atomic;
	u64 v;
	int rc;

	if (d->flags & Implicit)
		return em_implicit(ctxt, io);
	if (d->twobyte && d->opcode == 0xc7)
		return em_cmpxchg8b(ctxt, io);
	if (!d->twobyte && d->opcode == 0x8d) {
		d->dst.val = d->ea;
		return write_operand(ctxt, &d->dst, false, io);
	}
	/* push r/m (ff /6) and pop r/m (8f /0) */
	if (!d->twobyte && d->opcode == 0xff && (d->reg & 7) == 6) {
		d->dst.bytes = long_mode(ctxt) && d->op_bytes != 2 ? 8 :
			d->op_bytes;
		rc = read_operand(ctxt, &d->dst);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		return push(ctxt, d->dst.val, d->dst.bytes);
	}
	if (!d->twobyte && d->opcode == 0x8f) {
		rc = pop(ctxt, &v, d->op_bytes);
		if (rc != X86EMUL_CONTINUE)
			return rc;
		if (d->dst.type == X86EMUL_OP_MEM &&
		    d->base_reg == X86EMUL_RSP)
			d->dst.ea = (d->dst.ea + d->op_bytes) &
				size_mask(d->ad_bytes);
		d->dst.val = v;
		return write_operand(ctxt, &d->dst, false, io);
	}
	if (d->src.type != X86EMUL_OP_IMM) {
		rc = read_operand(ctxt, &d->src);
		if (rc != X86EMUL_CONTINUE)
			return rc;
	}
	if ((d->flags & BitOp) && d->dst.type == X86EMUL_OP_MEM)
		bit_offset_ea(d);
	if (!(d->flags & Mov)) {
		rc = read_operand(ctxt, &d->dst);
		if (rc != X86EMUL_CONTINUE)
			return rc;
	}
	d->dst.orig = d->dst.val;
	rc = em_alu_forms(ctxt, &write, &atomic);
	trace(ctxt, X86EMUL_STEP_EXECUTE, rc);
	if (rc != X86EMUL_CONTINUE || !write)
		return rc;
	rc = write_operand(ctxt, &d->dst, atomic, io);
	trace(ctxt, X86EMUL_STEP_WRITEBACK, rc);
	return rc;
}

int x86_emulate_insn(struct x86_emulate_ctxt *ctxt)
{
	struct x86emul_insn *d = &ctxt->insn;
	u64 regs[X86EMUL_NR_REGS], rflags = ctxt->rflags;
	struct x86emul_operand src, dst;
	bool io = false;
	int rc;

	ctxt->io_read_pending = false;
	ctxt->rep_pending = false;
	ctxt->iterations = 0;
	if (d->flags & String) {
		rc = emulate_string(ctxt);
		trace(ctxt, X86EMUL_STEP_EXECUTE, rc);
		return finish(ctxt, rc);
	}
	memcpy(regs, ctxt->regs, sizeof(regs));
	src = d->src;
	dst = d->dst;
	ctxt->rc.pos = 0;
	rc = execute(ctxt, &io);
	if (rc != X86EMUL_CONTINUE) {
		/* undo the step: the caller may re-run or inject */
		memcpy(ctxt->regs, regs, sizeof(regs));
		ctxt->rflags = rflags;
		d->src = src;
		d->dst = dst;
		if (rc == X86EMUL_IO_NEEDED && !ctxt->io_read_pending)
			rc = X86EMUL_UNHANDLEABLE; /* bad op */
		return finish(ctxt, rc);
	}
	ctxt->rc.pos = ctxt->rc.end = 0;
	ctxt->rip = next_ip(ctxt);
	return io ? X86EMUL_IO_NEEDED : X86EMUL_CONTINUE;
}

int x86_emulate_one(struct x86_emulate_ctxt *ctxt, const void *insn,
		    unsigned int len)
{
	int rc = x86_decode_insn(ctxt, insn, len);

	if (rc != X86EMUL_CONTINUE)
		return rc;
	return x86_emulate_insn(ctxt);
}
