// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: every instruction form runs natively on this CPU (in a
 * 64-bit process, on a scratch area mapped at a fixed address, registers and
 * flags seeded at random) and in the emulator in 64-bit mode with ops backed
 * by a copy of the same memory; registers, flags, memory and the fault (if
 * any) must agree.  Odd seeds run the emulator in "MMIO" mode: every data
 * read is an IO_NEEDED round trip completed by the driver loop, every write
 * is an accepted IO_NEEDED, and REP instructions re-enter through a new
 * decode at each chunk: the module's path, checked against the real CPU.
 *
 * Usage: difftest [seeds-per-form] [form-name-filter]
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"

#define SCRATCH		0x10000000ULL
#define SCRATCH_SIZE	0x4000ULL
#define CODE		0x10100000ULL
#define GSBASE		SCRATCH

struct cpu {
	u64 r[16];
	u64 rflags;
};

/* Trampoline state: RIP-relative globals, so no register is needed. */
struct cpu g_in, g_out;
u64 g_code_ptr, g_host_rsp;
u64 g_private_stack[64];

void native_run(void);
void native_ret(void);

__asm__(
	".intel_syntax noprefix\n"
	".text\n"
	".globl native_run\n"
	"native_run:\n"
	"	push rbx\n push rbp\n push r12\n push r13\n push r14\n"
	"	push r15\n"
	"	mov [rip + g_host_rsp], rsp\n"
	"	push qword ptr [rip + g_in + 128]\n"
	"	popfq\n"
	"	mov rax, [rip + g_in + 0]\n"
	"	mov rcx, [rip + g_in + 8]\n"
	"	mov rdx, [rip + g_in + 16]\n"
	"	mov rbx, [rip + g_in + 24]\n"
	"	mov rbp, [rip + g_in + 40]\n"
	"	mov rsi, [rip + g_in + 48]\n"
	"	mov rdi, [rip + g_in + 56]\n"
	"	mov r8, [rip + g_in + 64]\n"
	"	mov r9, [rip + g_in + 72]\n"
	"	mov r10, [rip + g_in + 80]\n"
	"	mov r11, [rip + g_in + 88]\n"
	"	mov r12, [rip + g_in + 96]\n"
	"	mov r13, [rip + g_in + 104]\n"
	"	mov r14, [rip + g_in + 112]\n"
	"	mov r15, [rip + g_in + 120]\n"
	"	mov rsp, [rip + g_in + 32]\n"
	"	jmp qword ptr [rip + g_code_ptr]\n"
	".globl native_ret\n"
	"native_ret:\n"
	"	mov [rip + g_out + 0], rax\n"
	"	mov [rip + g_out + 8], rcx\n"
	"	mov [rip + g_out + 16], rdx\n"
	"	mov [rip + g_out + 24], rbx\n"
	"	mov [rip + g_out + 32], rsp\n"
	"	mov [rip + g_out + 40], rbp\n"
	"	mov [rip + g_out + 48], rsi\n"
	"	mov [rip + g_out + 56], rdi\n"
	"	mov [rip + g_out + 64], r8\n"
	"	mov [rip + g_out + 72], r9\n"
	"	mov [rip + g_out + 80], r10\n"
	"	mov [rip + g_out + 88], r11\n"
	"	mov [rip + g_out + 96], r12\n"
	"	mov [rip + g_out + 104], r13\n"
	"	mov [rip + g_out + 112], r14\n"
	"	mov [rip + g_out + 120], r15\n"
	"	lea rsp, [rip + g_private_stack + 256]\n"
	"	pushfq\n"
	"	pop qword ptr [rip + g_out + 128]\n"
	"	cld\n"
	"	mov rsp, [rip + g_host_rsp]\n"
	"	pop r15\n pop r14\n pop r13\n pop r12\n pop rbp\n pop rbx\n"
	"	ret\n"
	".att_syntax prefix\n");

static sigjmp_buf g_jmp;
static volatile int g_sig, g_sigcode;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	g_sig = sig;
	g_sigcode = si->si_code;
	siglongjmp(g_jmp, 1);
}

/* Runs g_in through the code page; returns 0 or the signal number. */
static int run_native(void)
{
	g_sig = 0;
	if (sigsetjmp(g_jmp, 1) == 0)
		native_run();
	return g_sig;
}

/* xorshift64* */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

/* A register value: fully random or an edge value, for the flags. */
static u64 rnd_val(void)
{
	static const u64 edge[] = {
		0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
		0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, 0x0f, 0x10, 0x100
	};
	u64 v;

	switch (rnd() & 3) {
	case 0:
		v = edge[rnd_below(sizeof(edge) / sizeof(edge[0]))];
		if (rnd() & 1)
			v += rnd_below(3) - 1;
		return v;
	case 1:
		return rnd() & 0xff;
	default:
		return rnd();
	}
}

/* The instruction forms. */
enum {
	M_NONE, M_MEM, M_REG, M_ANY
};

#define SP_STRING	0x0001	/* movs... : rsi/rdi/rcx set up */
#define SP_STACK	0x0002	/* push/pop: rsp points into scratch */
#define SP_MOFFS	0x0004	/* a0-a3: absolute address follows */
#define SP_BTREG	0x0008	/* bt* reg: bit offset in modrm.reg */
#define SP_CMPXCHG	0x0010	/* rax half the time equal to memory */
#define SP_CX8		0x0020	/* rdx:rax half the time equal */
#define SP_UD		0x0040	/* expected #UD */
#define SP_A32		0x0080	/* 67 prefix */
#define SP_GS		0x0100	/* gs: override */
#define SP_RSPBASE	0x0200	/* memory operand based on rsp */
#define SP_SCAS		0x0400	/* fill for scas/cmps termination */
#define SP_NOJUNK	0x0800	/* no extra segment prefix */
#define SP_DIV		0x1000	/* often a dividend that fits */
#define SP_SMALLCL	0x2000	/* half the time cl below the width */

struct form {
	char name[64];
	u8 pfx[3];
	int npfx;
	int rexw;
	int rex_ok;
	u8 opc[3];
	int nopc;
	int modrm;
	int reg;		/* fixed modrm.reg or -1 */
	int imm;		/* immediate bytes */
	int msize;		/* bytes accessed at the target */
	int align;
	u32 sp;
	u16 avoid;		/* registers not to use for addressing */
	u64 flagmask;		/* flags compared */
	u8 undef;		/* U_*: which results the SDM leaves undefined */
};

/*
 * Flags (and results) the SDM leaves undefined differ between vendors and
 * CPU generations: they are not compared (undef_results()).
 */
enum {
	U_NONE, U_ROT, U_SHIFT, U_SAR, U_SHXD, U_MUL, U_DIV, U_CNT, U_BSX,
	U_BT
};

#define MAX_FORMS 1024
static struct form forms[MAX_FORMS];
static int nforms;

#define ALLFLAGS 0xcd5ULL	/* CF PF AF ZF SF DF OF */

static struct form *add(const char *name, int nopc, const u8 *opc)
{
	struct form *f = &forms[nforms++];

	if (nforms > MAX_FORMS) {
		fprintf(stderr, "too many forms\n");
		exit(2);
	}
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	memcpy(f->opc, opc, nopc);
	f->nopc = nopc;
	f->rex_ok = 1;
	f->reg = -1;
	f->align = 1;
	f->flagmask = ALLFLAGS;
	return f;
}

/* Operand-size variants: 1 for byte forms, else 16, 32, 64. */
static const char *const szname[] = { "", "b", "w", "", "d", "", "", "",
				      "q" };

static void sized(struct form *f, int size)
{
	char buf[48];

	if (size == 2)
		f->pfx[f->npfx++] = 0x66;
	if (size == 8)
		f->rexw = 1;
	snprintf(buf, sizeof(buf), "%.40s%s", f->name, szname[size]);
	snprintf(f->name, sizeof(f->name), "%s", buf);
	if (!f->msize)
		f->msize = size;
}

static struct form *form1(const char *name, u8 op, int size, int modrm,
			  int reg, int imm)
{
	u8 o[1] = { op };
	struct form *f = add(name, 1, o);

	f->modrm = modrm;
	f->reg = reg;
	f->imm = imm;
	sized(f, size);
	return f;
}

static struct form *form2(const char *name, u8 op, int size, int modrm,
			  int reg, int imm)
{
	u8 o[2] = { 0x0f, op };
	struct form *f = add(name, 2, o);

	f->modrm = modrm;
	f->reg = reg;
	f->imm = imm;
	sized(f, size);
	return f;
}

static void a32_variant(struct form *f)
{
	struct form *g = &forms[nforms++];
	char buf[48];

	*g = *f;
	g->pfx[g->npfx++] = 0x67;
	g->sp |= SP_A32;
	snprintf(buf, sizeof(buf), "%.40s.a32", f->name);
	snprintf(g->name, sizeof(g->name), "%s", buf);
}

static void lock_variant(struct form *f)
{
	struct form *g = &forms[nforms++];
	char buf[48];

	*g = *f;
	memmove(g->pfx + 1, g->pfx, g->npfx);
	g->pfx[0] = 0xf0;
	g->npfx++;
	g->modrm = M_MEM;
	snprintf(buf, sizeof(buf), "lock.%.40s", f->name);
	snprintf(g->name, sizeof(g->name), "%s", buf);
}

static void gs_variant(struct form *f)
{
	struct form *g = &forms[nforms++];
	char buf[48];

	*g = *f;
	g->pfx[g->npfx++] = 0x65;
	g->sp |= SP_GS | SP_NOJUNK;
	g->modrm = g->modrm == M_ANY ? M_MEM : g->modrm;
	snprintf(buf, sizeof(buf), "gs.%.40s", f->name);
	snprintf(g->name, sizeof(g->name), "%s", buf);
}

static const char *const alu_name[] = {
	"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"
};

/* Group 2, mul/div, imul, setcc, cmovcc, movbe, shld/shrd, bit scans. */
static void build_forms_wide(void)
{
	static const char *const g2[] = {
		"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"
	};
	static const char *const g3[] = { "mul", "imul", "div", "idiv" };
	static const char *const cc[] = {
		"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p",
		"np", "l", "ge", "le", "g"
	};
	static const int all[] = { 1, 2, 4, 8 };
	struct form *f;
	char n[32];
	int op, i, s;

	for (op = 0; op < 8; op++) {
		u8 u = op < 4 ? U_ROT : op < 7 ? U_SHIFT : U_SAR;

		for (i = 0; i < 4; i++) {
			s = all[i];
			snprintf(n, sizeof(n), "%s_1", g2[op]);
			f = form1(n, s == 1 ? 0xd0 : 0xd1, s, M_ANY, op, 0);
			f->undef = u;
			if (op == 4 && s == 4)
				a32_variant(f);
			snprintf(n, sizeof(n), "%s_cl", g2[op]);
			f = form1(n, s == 1 ? 0xd2 : 0xd3, s, M_ANY, op, 0);
			f->undef = u;
			f->avoid = 1 << 1;
			f->sp |= SP_SMALLCL;
			if (op == 7 && s == 8)
				gs_variant(f);
			snprintf(n, sizeof(n), "%s_imm", g2[op]);
			f = form1(n, s == 1 ? 0xc0 : 0xc1, s, M_ANY, op, 1);
			f->undef = u;
		}
	}
	f = form1("lock.shl_1", 0xd1, 4, M_MEM, 4, 0);
	memmove(f->pfx + 1, f->pfx, f->npfx);
	f->pfx[0] = 0xf0;
	f->npfx++;
	f->sp |= SP_UD;
	for (op = 0; op < 4; op++) {
		for (i = 0; i < 4; i++) {
			s = all[i];
			f = form1(g3[op], s == 1 ? 0xf6 : 0xf7, s, M_ANY,
				  op + 4, 0);
			f->undef = op < 2 ? U_MUL : U_DIV;
			f->avoid = (1 << 0) | (1 << 2);
			f->sp |= SP_DIV;
			if (s == 4 && op >= 2)
				a32_variant(f);
		}
	}
	for (i = 1; i < 4; i++) {
		s = all[i];
		form2("imul_r_rm", 0xaf, s, M_ANY, -1, 0)->undef = U_MUL;
		f = form1("imul_r_rm_imm", 0x69, s, M_ANY, -1, s == 2 ? 2 : 4);
		f->undef = U_MUL;
		f = form1("imul_r_rm_imm8", 0x6b, s, M_ANY, -1, 1);
		f->undef = U_MUL;
		if (s == 8)
			gs_variant(f);
		f = form2("shld_imm", 0xa4, s, M_ANY, -1, 1);
		f->undef = U_SHXD;
		f = form2("shld_cl", 0xa5, s, M_ANY, -1, 0);
		f->undef = U_SHXD;
		f->avoid = 1 << 1;
		f->sp |= SP_SMALLCL;
		f = form2("shrd_imm", 0xac, s, M_ANY, -1, 1);
		f->undef = U_SHXD;
		f = form2("shrd_cl", 0xad, s, M_ANY, -1, 0);
		f->undef = U_SHXD;
		f->avoid = 1 << 1;
		f->sp |= SP_SMALLCL;
		if (s == 4)
			a32_variant(f);
		form2("bsf", 0xbc, s, M_ANY, -1, 0)->undef = U_BSX;
		form2("bsr", 0xbd, s, M_ANY, -1, 0)->undef = U_BSX;
		{
			static const u8 o3[][2] = {
				{ 0xbc, 0 }, { 0xbd, 0 }, { 0xb8, 0 }
			};
			static const char *const n3[] = {
				"tzcnt", "lzcnt", "popcnt"
			};
			int k;

			for (k = 0; k < 3; k++) {
				u8 o[2] = { 0x0f, o3[k][0] };

				f = add(n3[k], 2, o);
				f->undef = k < 2 ? U_CNT : U_NONE;
				f->pfx[f->npfx++] = 0xf3;
				f->modrm = M_ANY;
				sized(f, s);
			}
		}
		{
			u8 o[3] = { 0x0f, 0x38, 0xf0 };

			f = add("movbe_r_m", 3, o);
			f->modrm = M_MEM;
			sized(f, s);
			o[2] = 0xf1;
			f = add("movbe_m_r", 3, o);
			f->modrm = M_MEM;
			sized(f, s);
			if (s == 4)
				a32_variant(f);
		}
	}
	for (op = 0; op < 16; op++) {
		snprintf(n, sizeof(n), "set%s", cc[op]);
		f = form2(n, 0x90 + op, 1, M_ANY, -1, 0);
		if (op == 4)
			gs_variant(f);
		for (i = 1; i < 4; i++) {
			snprintf(n, sizeof(n), "cmov%s", cc[op]);
			f = form2(n, 0x40 + op, all[i], M_ANY, -1, 0);
			if (op == 5 && i == 2)
				a32_variant(f);
		}
	}
}

static void build_forms(void)
{
	static const int sizes[] = { 2, 4, 8 };
	struct form *f;
	char n[32];
	int op, i, s;

	for (op = 0; op < 8; op++) {
		const char *an = alu_name[op];
		u8 b = op << 3;

		snprintf(n, sizeof(n), "%s_rm_r", an);
		f = form1(n, b, 1, M_ANY, -1, 0);
		if (op != 7)
			lock_variant(f);
		for (i = 0; i < 3; i++) {
			f = form1(n, b + 1, sizes[i], M_ANY, -1, 0);
			if (op != 7)
				lock_variant(f);
			if (i == 1)
				a32_variant(f);
		}
		snprintf(n, sizeof(n), "%s_r_rm", an);
		form1(n, b + 2, 1, M_ANY, -1, 0);
		for (i = 0; i < 3; i++) {
			f = form1(n, b + 3, sizes[i], M_ANY, -1, 0);
			if (i == 2)
				gs_variant(f);
		}
		snprintf(n, sizeof(n), "%s_acc_imm", an);
		form1(n, b + 4, 1, M_NONE, -1, 1);
		for (i = 0; i < 3; i++)
			form1(n, b + 5, sizes[i], M_NONE, -1,
			      sizes[i] == 2 ? 2 : 4);
		snprintf(n, sizeof(n), "%s_rm_imm", an);
		f = form1(n, 0x80, 1, M_ANY, op, 1);
		if (op != 7)
			lock_variant(f);
		for (i = 0; i < 3; i++) {
			f = form1(n, 0x81, sizes[i], M_ANY, op,
				  sizes[i] == 2 ? 2 : 4);
			if (op != 7 && i == 2)
				lock_variant(f);
		}
		snprintf(n, sizeof(n), "%s_rm_imm8", an);
		for (i = 0; i < 3; i++) {
			f = form1(n, 0x83, sizes[i], M_ANY, op, 1);
			if (i == 0)
				a32_variant(f);
		}
	}
	/* lock on a compare is #UD */
	f = form1("lock.cmp_rm_r", 0x39, 4, M_MEM, -1, 0);
	memmove(f->pfx + 1, f->pfx, f->npfx);
	f->pfx[0] = 0xf0;
	f->npfx++;
	f->sp |= SP_UD;
	f = form1("lock.mov_rm_r", 0x89, 8, M_MEM, -1, 0);
	f->pfx[f->npfx++] = 0xf0;
	f->sp |= SP_UD;
	f = form1("lock.add_r_r", 0x01, 4, M_REG, -1, 0);
	f->pfx[f->npfx++] = 0xf0;
	f->sp |= SP_UD;

	/* test */
	form1("test_rm_r", 0x84, 1, M_ANY, -1, 0);
	form1("test_rm_imm", 0xf6, 1, M_ANY, 0, 1);
	form1("test_acc_imm", 0xa8, 1, M_NONE, -1, 1);
	for (i = 0; i < 3; i++) {
		form1("test_rm_r", 0x85, sizes[i], M_ANY, -1, 0);
		form1("test_rm_imm", 0xf7, sizes[i], M_ANY, 0,
		      sizes[i] == 2 ? 2 : 4);
		form1("test_rm_imm.r1", 0xf7, sizes[i], M_ANY, 1,
		      sizes[i] == 2 ? 2 : 4);
		form1("test_acc_imm", 0xa9, sizes[i], M_NONE, -1,
		      sizes[i] == 2 ? 2 : 4);
	}
	/* inc dec not neg */
	for (op = 0; op < 4; op++) {
		static const char *const nm[] = { "inc", "dec", "not", "neg" };
		u8 b8 = op < 2 ? 0xfe : 0xf6, bv = op < 2 ? 0xff : 0xf7;
		int r = op < 2 ? op : op;

		f = form1(nm[op], b8, 1, M_ANY, r, 0);
		lock_variant(f);
		for (i = 0; i < 3; i++) {
			f = form1(nm[op], bv, sizes[i], M_ANY, r, 0);
			lock_variant(f);
			if (i == 1)
				a32_variant(f);
		}
	}
	/* mov */
	f = form1("mov_rm_r", 0x88, 1, M_ANY, -1, 0);
	gs_variant(f);
	form1("mov_r_rm", 0x8a, 1, M_ANY, -1, 0);
	f = form1("mov_rm_imm", 0xc6, 1, M_ANY, 0, 1);
	a32_variant(f);
	f = form1("mov_r_imm", 0xb0, 1, M_NONE, -1, 1);
	for (i = 0; i < 3; i++) {
		s = sizes[i];
		f = form1("mov_rm_r", 0x89, s, M_ANY, -1, 0);
		a32_variant(f);
		f = form1("mov_r_rm", 0x8b, s, M_ANY, -1, 0);
		gs_variant(f);
		form1("mov_rm_imm", 0xc7, s, M_ANY, 0, s == 2 ? 2 : 4);
		form1("mov_r_imm", 0xbb, s, M_NONE, -1, s);
		f = form2("movzx_b", 0xb6, s, M_ANY, -1, 0);
		f->msize = 1;
		f = form2("movsx_b", 0xbe, s, M_ANY, -1, 0);
		f->msize = 1;
		a32_variant(f);
		if (s != 2) {
			f = form2("movzx_w", 0xb7, s, M_ANY, -1, 0);
			f->msize = 2;
			f = form2("movsx_w", 0xbf, s, M_ANY, -1, 0);
			f->msize = 2;
		}
		form1("movsxd", 0x63, s, M_ANY, -1, 0);
		if (s != 2)
			form2("movnti", 0xc3, s, M_MEM, -1, 0);
		f = form1("lea", 0x8d, s, M_MEM, -1, 0);
		a32_variant(f);
	}
	for (i = 0; i < 4; i++) {
		u8 op2 = 0xa0 + i;
		int sz = (i & 1) ? 4 : 1;

		f = form1(i < 2 ? "mov_acc_moffs" : "mov_moffs_acc", op2, sz,
			  M_NONE, -1, 0);
		f->sp |= SP_MOFFS;
		a32_variant(f);
		if (i & 1) {
			f = form1(i < 2 ? "mov_acc_moffs" : "mov_moffs_acc",
				  op2, 8, M_NONE, -1, 0);
			f->sp |= SP_MOFFS;
			f = form1(i < 2 ? "mov_acc_moffs" : "mov_moffs_acc",
				  op2, 2, M_NONE, -1, 0);
			f->sp |= SP_MOFFS;
			gs_variant(f);
		}
	}
	f = form1("mov_rm_sreg", 0x8c, 4, M_ANY, 3, 0);
	f = form1("mov_rm_sreg", 0x8c, 2, M_MEM, 2, 0);
	f = form1("mov_rm_sreg", 0x8c, 8, M_REG, 1, 0);
	/* xchg, cmpxchg, xadd */
	form1("xchg_rm_r", 0x86, 1, M_ANY, -1, 0);
	form1("xchg_acc_r", 0x93, 4, M_NONE, -1, 0);
	form1("xchg_acc_r", 0x96, 8, M_NONE, -1, 0);
	form1("nop", 0x90, 4, M_NONE, -1, 0);
	f = form2("cmpxchg", 0xb0, 1, M_ANY, -1, 0);
	f->sp |= SP_CMPXCHG;
	f->avoid = 1;
	lock_variant(f);
	f = form2("xadd", 0xc0, 1, M_ANY, -1, 0);
	lock_variant(f);
	for (i = 0; i < 3; i++) {
		s = sizes[i];
		f = form1("xchg_rm_r", 0x87, s, M_ANY, -1, 0);
		lock_variant(f);
		f = form2("cmpxchg", 0xb1, s, M_ANY, -1, 0);
		f->sp |= SP_CMPXCHG;
		f->avoid = 1;
		lock_variant(f);
		f = form2("xadd", 0xc1, s, M_ANY, -1, 0);
		lock_variant(f);
	}
	f = form2("cmpxchg8b", 0xc7, 4, M_MEM, 1, 0);
	f->msize = 8;
	f->sp |= SP_CX8;
	f->avoid = 0xf;
	lock_variant(f);
	f = form2("cmpxchg16b", 0xc7, 8, M_MEM, 1, 0);
	f->msize = 16;
	f->align = 16;
	f->sp |= SP_CX8;
	f->avoid = 0xf;
	lock_variant(f);
	/* bt bts btr btc */
	for (op = 0; op < 4; op++) {
		static const char *const nm[] = { "bt", "bts", "btr", "btc" };

		for (i = 0; i < 3; i++) {
			s = sizes[i];
			f = form2(nm[op], 0xa3 + 8 * op, s, M_ANY, -1, 0);
			f->undef = U_BT;
			f->sp |= SP_BTREG;
			if (op)
				lock_variant(f);
			if (i == 1)
				a32_variant(f);
			f = form2(nm[op], 0xba, s, M_ANY, 4 + op, 1);
			f->undef = U_BT;
			snprintf(f->name, sizeof(f->name), "%s_imm%s", nm[op],
				 szname[s]);
			if (op && i == 2)
				lock_variant(f);
		}
	}
	/* push / pop */
	f = form1("push_rm", 0xff, 8, M_ANY, 6, 0);
	f->sp |= SP_STACK;
	f->rexw = 0;
	f = form1("push_rm", 0xff, 2, M_ANY, 6, 0);
	f->sp |= SP_STACK;
	f = form1("pop_rm", 0x8f, 8, M_ANY, 0, 0);
	f->sp |= SP_STACK;
	f->rexw = 0;
	f = form1("pop_rm", 0x8f, 2, M_ANY, 0, 0);
	f->sp |= SP_STACK;
	f = form1("pop_rsp_based", 0x8f, 8, M_MEM, 0, 0);
	f->sp |= SP_STACK | SP_RSPBASE;
	f->rexw = 0;
	f->rex_ok = 0;
	f = form1("push_rsp_based", 0xff, 8, M_MEM, 6, 0);
	f->sp |= SP_STACK | SP_RSPBASE;
	f->rexw = 0;
	f->rex_ok = 0;
	f = form1("push_r", 0x53, 8, M_NONE, -1, 0);
	f->sp |= SP_STACK;
	f->rexw = 0;
	f = form1("push_rsp", 0x54, 8, M_NONE, -1, 0);
	f->sp |= SP_STACK;
	f->rexw = 0;
	f->rex_ok = 0;
	f = form1("pop_r", 0x5e, 8, M_NONE, -1, 0);
	f->sp |= SP_STACK;
	f->rexw = 0;
	f = form1("pop_rsp", 0x5c, 8, M_NONE, -1, 0);
	f->sp |= SP_STACK;
	f->rexw = 0;
	f->rex_ok = 0;
	f = form1("pop_r", 0x58, 2, M_NONE, -1, 0);
	f->sp |= SP_STACK;
	f = form1("push_imm", 0x68, 8, M_NONE, -1, 4);
	f->sp |= SP_STACK;
	f->rexw = 0;
	f = form1("push_imm8", 0x6a, 2, M_NONE, -1, 1);
	f->sp |= SP_STACK;
	/* misc */
	for (i = 0; i < 3; i++) {
		form1("cbw", 0x98, sizes[i], M_NONE, -1, 0);
		form1("cwd", 0x99, sizes[i], M_NONE, -1, 0);
	}
	form1("cmc", 0xf5, 4, M_NONE, -1, 0);
	form1("clc", 0xf8, 4, M_NONE, -1, 0);
	form1("stc", 0xf9, 4, M_NONE, -1, 0);
	form1("cld", 0xfc, 4, M_NONE, -1, 0);
	form1("std", 0xfd, 4, M_NONE, -1, 0);
	form2("nop_rm", 0x1f, 4, M_ANY, 0, 0);
	build_forms_wide();
	/* strings */
	{
		static const struct { const char *n; u8 op; int scas; } st[] = {
			{ "movs", 0xa4, 0 }, { "cmps", 0xa6, 1 },
			{ "stos", 0xaa, 0 }, { "lods", 0xac, 0 },
			{ "scas", 0xae, 1 },
		};
		int k, rep;

		for (k = 0; k < 5; k++) {
			for (s = 1; s <= 8; s *= 2) {
				for (rep = 0; rep < 3; rep++) {
					u8 op2 = st[k].op + (s > 1);

					if (rep == 2 && !st[k].scas)
						continue;
					snprintf(n, sizeof(n), "%s%s",
						 rep == 0 ? "" : rep == 1 ?
						 "rep." : "repne.", st[k].n);
					f = form1(n, op2, s, M_NONE, -1, 0);
					f->sp |= SP_STRING |
						(st[k].scas ? SP_SCAS : 0);
					f->avoid = 0xcf;
					if (rep)
						f->pfx[f->npfx++] =
							rep == 1 ? 0xf3 : 0xf2;
					if (s == 4 || s == 1)
						a32_variant(f);
					if (s == 2 && st[k].op != 0xaa &&
					    st[k].op != 0xae)
						gs_variant(f);
				}
			}
		}
	}
}

/* Building one test case. */
struct tcase {
	u8 bytes[16];
	int len;
	struct cpu in;
	int rm_reg;		/* the r/m operand's register, -1: memory */
	u64 target;		/* the memory operand's linear address */
};

/* Emit a random memory modrm for @reg; returns base/index/scale/disp. */
struct addr {
	int mod, rm, sib, base, index, scale, ripr, dispsz;
	s64 disp;
};

static void pick_addr(const struct form *f, struct addr *a, u8 rex, int reg)
{
	int kind;
	u16 avoid = f->avoid | (1 << 4);

	if (f->sp & SP_BTREG)
		avoid |= 1 << reg;
again:
	memset(a, 0, sizeof(*a));
	a->base = a->index = -1;
	kind = rnd_below(8);
	if (f->sp & SP_RSPBASE)
		kind = 3;
	switch (kind) {
	case 0:	/* [base] */
	case 1:	/* [base + disp8] */
	case 2:	/* [base + disp32] */
		a->mod = kind;
		a->rm = rnd_below(8);
		if (a->rm == 4)
			a->rm = 3;
		if (a->rm == 5 && a->mod == 0)
			a->mod = 1;
		a->base = a->rm | ((rex & 1) << 3);
		break;
	case 3:	/* [base + index*s + disp] via sib */
	case 4:
		a->mod = rnd_below(3);
		a->rm = 4;
		a->sib = 1;
		a->base = rnd_below(8);
		if (a->base == 5 && a->mod == 0)
			a->mod = 1;
		a->index = rnd_below(8);
		a->scale = rnd_below(4);
		a->base |= (rex & 1) << 3;
		a->index |= (rex & 2) << 2;
		if (a->index == 4)
			a->index = -1;
		if (f->sp & SP_RSPBASE) {
			a->base = 4;
			if (rex & 1)
				goto again;
		}
		break;
	case 5:	/* [index*s + disp32] */
		a->mod = 0;
		a->rm = 4;
		a->sib = 1;
		a->index = rnd_below(8) | ((rex & 2) << 2);
		a->scale = rnd_below(4);
		a->base = -1;
		a->dispsz = 4;
		if (a->index == 4)
			a->index = -1;
		break;
	default: /* rip-relative */
		a->mod = 0;
		a->rm = 5;
		a->ripr = 1;
		a->dispsz = 4;
		break;
	}
	if (a->mod == 1)
		a->dispsz = 1;
	if (a->mod == 2)
		a->dispsz = 4;
	if (!(f->sp & SP_RSPBASE) && a->base >= 0 && (avoid >> a->base) & 1)
		goto again;
	if (a->index >= 0 && (avoid >> a->index) & 1)
		goto again;
	if (a->index >= 0 && a->index == a->base)
		goto again;
	if (a->dispsz == 1)
		a->disp = (s8)rnd();
	else if (a->dispsz == 4)
		a->disp = (s32)rnd_below(0x2000) - 0x1000;
}

static void build_case(const struct form *f, struct tcase *t)
{
	struct addr a;
	u8 rex = 0, *p = t->bytes;
	int i, reg, rm = 0, mem = 0, disp_at = -1;
	u64 target, scratch_lo = SCRATCH + 0x400, span, ea;

	for (i = 0; i < 16; i++)
		t->in.r[i] = rnd_val();
	t->rm_reg = -1;
	t->in.rflags = 0x202 | (rnd() & ALLFLAGS);
	if ((f->sp & SP_DIV) && (rnd() & 1)) {
		/* a dividend whose high half is 0 or the sign of the low */
		u64 sx = (rnd() & 1) ? ~0ULL : 0;

		if (f->msize == 1)
			t->in.r[0] = (t->in.r[0] & ~0xff00ULL) |
				(sx & 0xff00);
		else
			t->in.r[2] = sx;
	}
	if ((f->sp & SP_SMALLCL) && (rnd() & 1))
		t->in.r[1] = (t->in.r[1] & ~0xffULL) |
			rnd_below(f->msize * 8 + 2);

	if (!(f->sp & SP_NOJUNK) && !(rnd() & 3))
		*p++ = 0x26 + 8 * rnd_below(4);	/* ignored in long mode */
	for (i = 0; i < f->npfx; i++)
		*p++ = f->pfx[i];
	if (f->rexw)
		rex = 0x48;
	if (f->rex_ok && (rnd() & 1))
		rex |= 0x40 | (rnd() & 7);
	if (rex)
		*p++ = rex;
	for (i = 0; i < f->nopc; i++)
		*p++ = f->opc[i];
	reg = f->reg >= 0 ? f->reg : (int)rnd_below(8);
	if (f->modrm != M_NONE) {
		mem = f->modrm == M_MEM || (f->modrm == M_ANY && (rnd() & 3));
		if (!mem) {
			rm = rnd_below(8);
			t->rm_reg = rm | ((rex & 1) << 3);
			*p++ = 0xc0 | (reg << 3) | rm;
		} else {
			pick_addr(f, &a, rex, reg | ((rex & 4) << 1));
			*p++ = (a.mod << 6) | (reg << 3) | a.rm;
			if (a.sib)
				*p++ = (a.scale << 6) |
					((a.index < 0 ? 4 : a.index) & 7) << 3 |
					(a.base < 0 ? 5 : a.base & 7);
			disp_at = p - t->bytes;
			for (i = 0; i < a.dispsz; i++)
				*p++ = a.disp >> (8 * i);
		}
	}
	if (f->sp & SP_MOFFS) {
		disp_at = p - t->bytes;
		p += (f->sp & SP_A32) ? 4 : 8;
	}
	for (i = 0; i < f->imm; i++)
		*p++ = rnd();
	t->len = p - t->bytes;

	/* the data target */
	span = 0x2800 - f->msize - 16;
	target = scratch_lo + rnd_below(span);
	if (f->align > 1)
		target &= ~(u64)(f->align - 1);
	if (f->sp & SP_BTREG) {
		target = SCRATCH + 0x1800 + rnd_below(0x400);
		t->in.r[reg | ((rex & 4) << 1)] = (u64)(s64)(
			(s32)rnd_below(0x4000 * 2) - 0x4000);
		if (f->msize == 2)
			t->in.r[reg | ((rex & 4) << 1)] =
				(t->in.r[reg | ((rex & 4) << 1)] & 0xffff) |
				(rnd() << 16);
		target &= ~(u64)(f->msize - 1);
	}
	t->target = target;
	ea = (f->sp & SP_GS) ? target - GSBASE : target;
	if (f->sp & SP_STACK) {
		u64 sp = SCRATCH + 0x2c00 + rnd_below(0x800);

		if (rnd() & 1)
			sp &= ~7ULL;
		t->in.r[4] = sp;
	}
	if (mem) {
		u64 idx = 0, base;

		if (a.index >= 0) {
			idx = rnd_below(0x100) - 0x80;
			t->in.r[a.index] = idx;
			if (f->sp & SP_A32)
				t->in.r[a.index] = (rnd() << 32) | (u32)idx;
		}
		if (a.ripr) {
			s64 d = (s64)(ea - (CODE + t->len));

			memcpy(t->bytes + disp_at, &d, 4);
		} else if (a.base >= 0) {
			base = ea - a.disp - (idx << a.scale);
			if (f->sp & SP_RSPBASE) {
				/* rsp is also the stack: keep it as set */
				s64 d = (s64)(ea - t->in.r[4]);

				d = (s32)rnd_below(0x200) - 0x100;
				if (a.dispsz == 0) {
					a.dispsz = 0;
					d = 0;
				} else if (a.dispsz == 1) {
					d = (s8)d;
				}
				for (i = 0; i < a.dispsz; i++)
					t->bytes[disp_at + i] = d >> (8 * i);
				a.disp = d;
				if (a.index >= 0)
					t->in.r[a.index] = 0;
			} else {
				t->in.r[a.base] = base;
				if (f->sp & SP_A32)
					t->in.r[a.base] = (rnd() << 32) |
						(u32)base;
			}
		} else {
			s64 d = (s64)(ea - (idx << a.scale));

			memcpy(t->bytes + disp_at, &d, 4);
		}
	}
	if (f->sp & SP_MOFFS)
		memcpy(t->bytes + disp_at, &ea, (f->sp & SP_A32) ? 4 : 8);
	if (f->sp & SP_STRING) {
		u64 n = rnd_below(12), df = rnd() & 1, sz = f->msize;
		u64 si = SCRATCH + 0x400 + rnd_below(0x2000);
		u64 di = SCRATCH + 0x400 + rnd_below(0x2000);

		if (!(rnd() & 3)) {	/* straddle a page boundary */
			si = SCRATCH + 0x1000 * (1 + rnd_below(2)) -
				rnd_below(24);
			di = SCRATCH + 0x1000 * (1 + rnd_below(2)) -
				rnd_below(24);
		}
		t->in.rflags = (t->in.rflags & ~0x400ULL) | (df << 10);
		t->in.r[1] = (f->sp & SP_A32) ? (rnd() << 32) | n : n;
		if ((f->sp & SP_A32) && n == 0 && (rnd() & 1))
			t->in.r[1] = 1ULL << 32;  /* ecx 0, rcx not */
		if (f->sp & SP_GS)
			si -= GSBASE;
		t->in.r[6] = (f->sp & SP_A32) ? (rnd() << 32) | si : si;
		t->in.r[7] = (f->sp & SP_A32) ? (rnd() << 32) | di : di;
		(void)sz;
	}
}

/* Scratch memory images: native (the real mapping) and the emulator's. */
static u8 *native_mem;
static u8 emu_mem[SCRATCH_SIZE];
static u8 *code_page;

static void fill_memory(const struct form *f, const struct tcase *t)
{
	u64 *q = (u64 *)native_mem;
	unsigned int i;

	for (i = 0; i < SCRATCH_SIZE / 8; i++)
		q[i] = rnd_val();
	if (f->sp & SP_SCAS) {
		/* long runs of equal elements so repe/repne run a while */
		u8 v = t->in.r[0];
		u64 si = t->in.r[6] + ((f->sp & SP_GS) ? GSBASE : 0);
		u64 di = t->in.r[7];

		if (f->sp & SP_A32) {
			si = (u32)si;
			di = (u32)di;
		}
		if (rnd() & 1) {
			for (i = 0; i < SCRATCH_SIZE; i++)
				native_mem[i] = (rnd() & 7) ? v : rnd();
		} else if (si >= SCRATCH && di >= SCRATCH) {
			for (i = 0; i < 128; i++) {
				u64 a = si - 64 + i, b = di - 64 + i;

				if (a - SCRATCH < SCRATCH_SIZE &&
				    b - SCRATCH < SCRATCH_SIZE)
					native_mem[b - SCRATCH] =
						(rnd() & 15) ?
						native_mem[a - SCRATCH] : rnd();
			}
		}
	}
}

/* Prepare registers that depend on memory (cmpxchg equal half the time). */
static void fix_regs(const struct form *f, struct tcase *t)
{
	struct x86_emulate_ctxt c;
	struct fake fk;
	u64 v = 0;
	int rc;

	if (!(f->sp & (SP_CMPXCHG | SP_CX8)) || (rnd() & 1))
		return;
	/* decode to find the address, then load rax (rdx) from it */
	memset(&c, 0, sizeof(c));
	memset(&fk, 0, sizeof(fk));
	fk.r[0] = (struct region){ SCRATCH, SCRATCH_SIZE, native_mem };
	fk.r[1] = (struct region){ CODE, 4096, code_page };
	fk.nr = 2;
	c.ops = &fake_ops;
	c.priv = &fk;
	c.mode = X86EMUL_MODE_PROT64;
	flat_segs(&c, c.mode);
	c.seg[X86EMUL_GS].base = GSBASE;
	memcpy(c.regs, t->in.r, sizeof(c.regs));
	c.rip = CODE;
	rc = x86_decode_insn(&c, t->bytes, t->len);
	if (rc != X86EMUL_CONTINUE || c.insn.dst.type != X86EMUL_OP_MEM)
		return;
	{
		u64 la = c.insn.dst.ea +
			(c.insn.dst.seg == X86EMUL_GS ? GSBASE : 0);
		u8 *m = fake_ptr(&fk, la, f->msize);

		if (!m)
			return;
		if (f->sp & SP_CX8) {
			int h = f->msize / 2;

			memcpy(&v, m, h);
			t->in.r[0] = (t->in.r[0] & ~((~0ULL) >> (64 - 8 * h)))
				| v;
			if (h == 8)
				t->in.r[0] = v;
			v = 0;
			memcpy(&v, m + h, h);
			if (h == 8)
				t->in.r[2] = v;
			else
				t->in.r[2] = (t->in.r[2] & ~0xffffffffULL) | v;
		} else {
			memcpy(&v, m, f->msize);
			if (f->msize == 8)
				t->in.r[0] = v;
			else
				t->in.r[0] = (t->in.r[0] &
					~((1ULL << (8 * f->msize)) - 1)) | v;
		}
	}
}

static int sig_to_vector(int sig, int code)
{
	switch (sig) {
	case 0:
		return -1;
	case SIGFPE:
		return 0;
	case SIGILL:
		return 6;
	case SIGBUS:
		return 12;
	case SIGSEGV:
		return code == SI_KERNEL ? 13 : 14;
	}
	return 100 + sig;
}

static u64 g_sel[6];

static const char *const regname[] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"
};

static void dump_case(const struct form *f, const struct tcase *t, int mmio)
{
	int i;

	fprintf(stderr, "  form %s mmio=%d bytes:", f->name, mmio);
	for (i = 0; i < t->len; i++)
		fprintf(stderr, " %02x", t->bytes[i]);
	fprintf(stderr, "\n  in rflags=%llx\n",
		(unsigned long long)t->in.rflags);
	for (i = 0; i < 16; i++)
		fprintf(stderr, "  in %s=%016llx\n", regname[i],
			(unsigned long long)t->in.r[i]);
}

/* Runs one case both ways; returns 0 if they agree. */
#define F_CF 0x001ULL
#define F_PF 0x004ULL
#define F_AF 0x010ULL
#define F_ZF 0x040ULL
#define F_SF 0x080ULL
#define F_OF 0x800ULL
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/*
 * The flags the SDM leaves undefined for this case (after fix_regs: the
 * count of a CL form is the case's CL); *dst: the result is undefined too
 * (SHLD/SHRD of a 16-bit operand by more than 16).
 */
static u64 undef_results(const struct form *f, const struct tcase *t,
			 bool *dst)
{
	unsigned int bits = f->msize * 8, cnt = 1;
	u8 op = f->opc[f->nopc - 1];

	*dst = false;
	if (f->undef == U_ROT || f->undef == U_SHIFT || f->undef == U_SAR ||
	    f->undef == U_SHXD) {
		if (op == 0xd2 || op == 0xd3 || op == 0xa5 || op == 0xad)
			cnt = t->in.r[1] & 0xff;
		else if (op == 0xc0 || op == 0xc1 || op == 0xa4 || op == 0xac)
			cnt = t->bytes[t->len - 1];
		cnt &= bits == 64 ? 0x3f : 0x1f;
		if (!cnt)
			return 0;	/* flags unaffected */
	}
	switch (f->undef) {
	case U_ROT:
		return cnt > 1 ? F_OF : 0;
	case U_SHIFT:
	case U_SAR:
		return F_AF | (cnt > 1 ? F_OF : 0) |
		       (f->undef == U_SHIFT && cnt >= bits ? F_CF : 0);
	case U_SHXD:
		if (cnt > bits) {
			*dst = true;
			return F_ARITH;
		}
		return F_AF | (cnt > 1 ? F_OF : 0);
	case U_MUL:
		return F_PF | F_AF | F_ZF | F_SF;
	case U_DIV:
		return F_ARITH;
	case U_CNT:
		return F_PF | F_AF | F_SF | F_OF;
	case U_BSX:
		return F_CF | F_PF | F_AF | F_SF | F_OF;
	case U_BT:
		return F_PF | F_AF | F_SF | F_OF;
	}
	return 0;
}

/* The emulator follows the vendor's quirks: this CPU's. */
static bool host_intel;

static bool cpu_is_intel(void)
{
	unsigned int a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0), "c"(0));
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
}

/* Cases that differ from this CPU only where the SDM leaves it undefined. */
static long undef_only;

static int run_case(const struct form *f, struct tcase *t, int mmio,
		    int verbose)
{
	static u8 jmpback[14] = { 0xff, 0x25, 0, 0, 0, 0 };
	struct x86_emulate_ctxt c;
	struct fake fk;
	int sig, code, rc, vec_n, vec_e = -1, bad = 0, undef = 0, i;
	u64 fm = f->flagmask | 0x202;
	u64 ret = (u64)(uintptr_t)native_ret;
	bool dst_undef;

	/* code page: instruction, then jmp [rip] back */
	memcpy(code_page, t->bytes, t->len);
	memcpy(jmpback + 6, &ret, 8);
	memcpy(code_page + t->len, jmpback, sizeof(jmpback));
	fill_memory(f, t);
	fix_regs(f, t);
	memcpy(emu_mem, native_mem, SCRATCH_SIZE);
	fm &= ~undef_results(f, t, &dst_undef);

	g_in = t->in;
	g_code_ptr = CODE;
	sig = run_native();
	code = g_sigcode;
	vec_n = sig_to_vector(sig, code);

	memset(&c, 0, sizeof(c));
	memset(&fk, 0, sizeof(fk));
	fk.r[0] = (struct region){ SCRATCH, SCRATCH_SIZE, emu_mem };
	fk.r[1] = (struct region){ CODE, 4096, code_page };
	fk.nr = 2;
	fk.mmio = mmio;
	c.ops = &fake_ops;
	c.priv = &fk;
	c.mode = X86EMUL_MODE_PROT64;
	flat_segs(&c, c.mode);
	for (i = 0; i < 6; i++)
		c.seg[i].selector = g_sel[i];
	c.seg[X86EMUL_GS].base = GSBASE;
	c.cpl = 3;
	c.intel = host_intel;
	memcpy(c.regs, t->in.r, sizeof(c.regs));
	c.rip = CODE;
	c.rflags = t->in.rflags;
	rc = run_to_completion(&c, (mmio & 2) ? t->bytes : NULL,
			       (mmio & 2) ? t->len : 0, 10000);
	if (rc == X86EMUL_PROPAGATE_FAULT)
		vec_e = c.exception.vector;
	else if (rc != X86EMUL_CONTINUE)
		vec_e = 200 + rc;

	if (vec_n != vec_e) {
		fprintf(stderr, "MISMATCH %s: native fault %d, emulator %d "
			"(rc %d)\n", f->name, vec_n, vec_e, rc);
		bad = 1;
	} else if (vec_n < 0) {
		if (dst_undef && t->rm_reg >= 0) {
			undef |= g_out.r[t->rm_reg] != c.regs[t->rm_reg];
			c.regs[t->rm_reg] = g_out.r[t->rm_reg];
		} else if (dst_undef) {
			u64 at = t->target - SCRATCH;

			undef |= memcmp(emu_mem + at, native_mem + at,
					f->msize) != 0;
			memcpy(emu_mem + at, native_mem + at, f->msize);
		}
		undef |= ((g_out.rflags ^ c.rflags) & (f->flagmask & ~fm)) != 0;
		for (i = 0; i < 16; i++)
			if (g_out.r[i] != c.regs[i]) {
				fprintf(stderr, "MISMATCH %s: %s native %llx "
					"emu %llx\n", f->name, regname[i],
					(unsigned long long)g_out.r[i],
					(unsigned long long)c.regs[i]);
				bad = 1;
			}
		if ((g_out.rflags & fm) != (c.rflags & fm)) {
			fprintf(stderr, "MISMATCH %s: rflags native %llx emu "
				"%llx\n", f->name,
				(unsigned long long)(g_out.rflags & fm),
				(unsigned long long)(c.rflags & fm));
			bad = 1;
		}
		if (c.rip != CODE + t->len) {
			fprintf(stderr, "MISMATCH %s: rip %llx\n", f->name,
				(unsigned long long)c.rip);
			bad = 1;
		}
		if (memcmp(native_mem, emu_mem, SCRATCH_SIZE)) {
			for (i = 0; i < (int)SCRATCH_SIZE; i++)
				if (native_mem[i] != emu_mem[i])
					break;
			fprintf(stderr, "MISMATCH %s: memory at %llx native "
				"%02x emu %02x\n", f->name,
				(unsigned long long)(SCRATCH + i),
				native_mem[i], emu_mem[i]);
			bad = 1;
		}
	} else if (vec_n == 14 && vec_e == 14 &&
		   memcmp(native_mem, emu_mem, SCRATCH_SIZE)) {
		/* partial REP progress is allowed to differ in memory only
		 * where the CPU's fault point differs: not expected here */
		fprintf(stderr, "MISMATCH %s: memory after #PF\n", f->name);
		bad = 1;
	}
	if ((f->sp & SP_UD) && vec_n != 6) {
		fprintf(stderr, "MISMATCH %s: expected #UD natively\n",
			f->name);
		bad = 1;
	}
	if (bad && verbose)
		dump_case(f, t, mmio);
	if (undef && !bad)
		undef_only++;
	return bad;
}

static void setup(void)
{
	struct sigaction sa;
	stack_t ss;
	u16 s[6];

	native_mem = mmap((void *)SCRATCH, SCRATCH_SIZE,
			  PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0);
	code_page = mmap((void *)CODE, 4096,
			 PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
	if (native_mem != (void *)SCRATCH || code_page != (void *)CODE) {
		perror("mmap fixed");
		exit(2);
	}
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, GSBASE)) {
		perror("arch_prctl");
		exit(2);
	}
	ss.ss_sp = malloc(65536);
	ss.ss_size = 65536;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	__asm__ volatile("mov %%es, %0\n mov %%cs, %1\n mov %%ss, %2\n"
			 "mov %%ds, %3\n mov %%fs, %4\n mov %%gs, %5"
			 : "=r"(s[0]), "=r"(s[1]), "=r"(s[2]), "=r"(s[3]),
			   "=r"(s[4]), "=r"(s[5]));
	for (int i = 0; i < 6; i++)
		g_sel[i] = s[i];
}

int main(int argc, char **argv)
{
	int seeds = argc > 1 ? atoi(argv[1]) : 2000;
	const char *filter = argc > 2 ? argv[2] : NULL;
	long total = 0, bad = 0, faults = 0;
	int i, k, badforms = 0, nrun = 0;
	struct tcase t;

	setup();
	host_intel = cpu_is_intel();
	build_forms();
	for (i = 0; i < nforms; i++) {
		int fb = 0;

		if (filter && !strstr(forms[i].name, filter))
			continue;
		nrun++;
		if (getenv("DIFF_VERBOSE"))
			fprintf(stderr, "form %s\n", forms[i].name);
		rng_state = 0x9e3779b97f4a7c15ULL ^ (u64)(i + 1) * 0x1234567;
		for (k = 0; k < seeds; k++) {
			build_case(&forms[i], &t);
			/* bit 0: MMIO round trips, bit 1: bytes supplied */
			if (run_case(&forms[i], &t, k & 3, fb < 2))
				fb++;
			if (g_sig)
				faults++;
			total++;
		}
		if (fb) {
			badforms++;
			bad += fb;
			printf("form %-28s %d/%d mismatches\n", forms[i].name,
			       fb, seeds);
		}
	}
	printf("difftest: %d forms x %d seeds = %ld cases on an %s CPU, "
	       "%ld native faults (matched), %ld mismatches in %d forms "
	       "(%ld more differ only in results the SDM leaves "
	       "undefined)\n", nrun, seeds, total,
	       host_intel ? "Intel" : "AMD", faults, bad, badforms,
	       undef_only);
	return bad ? 1 : 0;
}
