// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the emulator: decode of tricky encodings, and execution in
 * the modes and of the instructions the differential test cannot run from
 * a 64-bit user process (real, 16- and 32-bit modes, segment checks,
 * privileged instructions, port I/O, the MMIO re-run contract, REP chunks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static int checks, failures;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "FAIL line %d: %s\n", __LINE__, #cond);	\
	}								\
} while (0)

#define MEMSZ (2u << 20)
static u8 mem[MEMSZ];
static struct x86_emulate_ctxt c;
static struct fake fk;
static int trace_steps;

static void count_trace(struct x86_emulate_ctxt *ctxt, enum x86emul_step s,
			int rc)
{
	(void)ctxt;
	(void)s;
	(void)rc;
	trace_steps++;
}

static struct x86_emulate_ops ops;

static void reset(int mode)
{
	memset(&c, 0, sizeof(c));
	memset(&fk, 0, sizeof(fk));
	memset(mem, 0, MEMSZ);
	fk.r[0] = (struct region){ 0, MEMSZ, mem };
	fk.nr = 1;
	ops = fake_ops;
	ops.trace = count_trace;
	c.ops = &ops;
	c.priv = &fk;
	c.mode = mode;
	flat_segs(&c, mode);
	c.rip = 0x1000;
	c.rflags = 2;
}

static int put_hex(u64 la, const char *hex)
{
	int n = 0;
	unsigned int b;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		sscanf(hex, "%2x", &b);
		mem[la + n++] = b;
		hex += 2;
	}
	return n;
}

/* Place the instruction at cs:rip and run it to completion. */
static int exec(const char *hex)
{
	u64 la = (c.seg[X86EMUL_CS].base + c.rip) & 0xffffffff;

	put_hex(la, hex);
	return run_to_completion(&c, NULL, 0, 100000);
}

static int decode(const char *hex)
{
	u64 la = (c.seg[X86EMUL_CS].base + c.rip) & 0xffffffff;

	put_hex(la, hex);
	return x86_decode_insn(&c, NULL, 0);
}

static u16 rd16(u64 a)
{
	return mem[a] | mem[a + 1] << 8;
}

static u32 rd32(u64 a)
{
	return rd16(a) | (u32)rd16(a + 2) << 16;
}

static void test_decode(void)
{
	static const struct {
		int mode;
		const char *hex;
		int len;
	} lens[] = {
		{ X86EMUL_MODE_PROT64, "8b 04 25 00 20 00 00", 7 },
		{ X86EMUL_MODE_PROT64, "8b 05 10 00 00 00", 6 },
		{ X86EMUL_MODE_PROT64, "41 8b 45 00", 4 },
		{ X86EMUL_MODE_PROT64, "42 8b 04 25 00 20 00 00", 8 },
		{ X86EMUL_MODE_PROT64, "48 b8 11 22 33 44 55 66 77 88", 10 },
		{ X86EMUL_MODE_PROT64, "48 a1 00 20 00 00 00 00 00 00", 10 },
		{ X86EMUL_MODE_PROT64, "67 a1 00 20 00 00", 6 },
		{ X86EMUL_MODE_PROT64, "66 c7 00 34 12", 5 },
		{ X86EMUL_MODE_PROT64, "48 c7 00 01 02 03 04", 7 },
		{ X86EMUL_MODE_PROT64, "48 81 84 88 00 01 00 00 01 02 03 04",
		  12 },
		{ X86EMUL_MODE_PROT64, "f6 00 12", 3 },
		{ X86EMUL_MODE_PROT64, "f7 00 12 34 56 78", 6 },
		{ X86EMUL_MODE_PROT64, "66 f7 00 12 34", 5 },
		{ X86EMUL_MODE_PROT64, "f6 10", 2 },
		{ X86EMUL_MODE_PROT64, "0f 20 d8", 3 },
		{ X86EMUL_MODE_PROT64, "0f 20 18", 3 },	/* mod ignored */
		{ X86EMUL_MODE_PROT64, "0f ba 20 05", 4 },
		{ X86EMUL_MODE_PROT64, "0f c7 0e", 3 },
		{ X86EMUL_MODE_PROT64, "f3 48 a5", 3 },
		{ X86EMUL_MODE_PROT64,
		  "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", 15 },
		{ X86EMUL_MODE_PROT16, "8b 46 02", 3 },
		{ X86EMUL_MODE_PROT16, "c7 06 34 12 78 56", 6 },
		{ X86EMUL_MODE_PROT16, "66 67 8b 04 24", 5 },
		{ X86EMUL_MODE_PROT16, "66 b8 01 02 03 04", 6 },
		{ X86EMUL_MODE_REAL, "a1 34 12", 3 },
		{ X86EMUL_MODE_REAL, "67 a1 34 12 00 00", 6 },
		{ X86EMUL_MODE_PROT32, "67 8b 07", 3 },
		{ X86EMUL_MODE_PROT32, "8b 80 00 01 00 00", 6 },
		{ X86EMUL_MODE_PROT32, "66 0f 01 15 00 20 00 00", 8 },
		{ X86EMUL_MODE_PROT32, "0f 01 38", 3 },
	};
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		reset(lens[i].mode);
		rc = decode(lens[i].hex);
		CHECK(rc == X86EMUL_CONTINUE);
		CHECK(c.insn.len == lens[i].len);
		if (rc != X86EMUL_CONTINUE || c.insn.len != lens[i].len)
			fprintf(stderr, "  decode %s: rc %d len %d\n",
				lens[i].hex, rc, c.insn.len);
	}

	/* 16 bytes is #GP */
	reset(X86EMUL_MODE_PROT64);
	rc = decode("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);

	/* rip-relative: ea = next rip + disp */
	reset(X86EMUL_MODE_PROT64);
	decode("8b 05 10 00 00 00");
	CHECK(c.insn.src.type == X86EMUL_OP_MEM);
	CHECK(c.insn.src.ea == 0x1000 + 6 + 0x10);
	reset(X86EMUL_MODE_PROT64);
	decode("c7 05 10 00 00 00 78 56 34 12");	/* imm after disp */
	CHECK(c.insn.dst.ea == 0x1000 + 10 + 0x10);
	CHECK(c.insn.src.val == 0x12345678);

	/* a REX before a legacy prefix is ignored */
	reset(X86EMUL_MODE_PROT64);
	decode("48 66 89 c0");
	CHECK(c.insn.op_bytes == 2 && c.insn.rex == 0);

	/* high byte registers vs spl..dil */
	reset(X86EMUL_MODE_PROT64);
	decode("88 e0");
	CHECK(c.insn.src.high && c.insn.src.reg == 0);	/* ah */
	reset(X86EMUL_MODE_PROT64);
	decode("40 88 e0");
	CHECK(!c.insn.src.high && c.insn.src.reg == 4);	/* spl */

	/* 16-bit [bp+disp] defaults to SS */
	reset(X86EMUL_MODE_PROT16);
	decode("8b 46 02");
	CHECK(c.insn.src.seg == X86EMUL_SS);
	/* 32-bit [ebp+...] too, overridable */
	reset(X86EMUL_MODE_PROT32);
	decode("3e 8b 45 02");
	CHECK(c.insn.src.seg == X86EMUL_DS);

	/* invalid and unknown opcodes */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("0f 0b") == X86EMUL_PROPAGATE_FAULT &&
	      c.exception.vector == 6);
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("0f a2") == X86EMUL_UNHANDLEABLE);	/* cpuid */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("06") == X86EMUL_PROPAGATE_FAULT &&
	      c.exception.vector == 6);		/* push es in long mode */
	reset(X86EMUL_MODE_PROT32);
	CHECK(decode("06") == X86EMUL_UNHANDLEABLE);
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("c4 e1 79 6e c0") == X86EMUL_UNHANDLEABLE);  /* VEX */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("f0 8b 00") == X86EMUL_PROPAGATE_FAULT &&
	      c.exception.vector == 6);		/* lock mov */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("f0 01 c0") == X86EMUL_PROPAGATE_FAULT);
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("f0 01 00") == X86EMUL_CONTINUE);
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("8d c0") == X86EMUL_PROPAGATE_FAULT);  /* lea reg */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("f7 30") == X86EMUL_CONTINUE);	   /* div */
	/* which writes to a page table the shadow MMU emulates: not the
	 * REP string ones nor memory-to-memory moves (run natively)
	 */
	{
		static const struct { const char *hex; bool pt; } pw[] = {
			{ "48 89 07", true },		/* mov [rdi], rax */
			{ "f0 48 0f b1 0f", true },	/* lock cmpxchg */
			{ "48 87 07", true },		/* xchg */
			{ "f0 80 27 fd", true },	/* lock and byte */
			{ "48 ab", true },		/* stosq */
			{ "f3 48 ab", false },		/* rep stosq */
			{ "f3 aa", false },		/* rep stosb */
			{ "f3 48 a5", false },		/* rep movsq */
			{ "a5", false },		/* movsd */
			{ "a6", false },		/* cmpsb */
			{ "f3 ad", false },		/* rep lodsd */
		};
		unsigned int i;

		for (i = 0; i < sizeof(pw) / sizeof(pw[0]); i++) {
			reset(X86EMUL_MODE_PROT64);
			CHECK(decode(pw[i].hex) == X86EMUL_CONTINUE &&
			      x86_page_table_writing_insn(&c) == pw[i].pt);
		}
	}
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("0f b8 00") == X86EMUL_PROPAGATE_FAULT &&
	      c.exception.vector == 6);		/* jmpe: popcnt is f3 */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("f2 0f 38 f0 00") == X86EMUL_UNHANDLEABLE); /* crc32 */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("0f 38 f0 c0") == X86EMUL_PROPAGATE_FAULT &&
	      c.exception.vector == 6);		/* movbe reg, reg */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("f0 d1 20") == X86EMUL_PROPAGATE_FAULT &&
	      c.exception.vector == 6);		/* lock shl */
	reset(X86EMUL_MODE_PROT64);
	CHECK(decode("0f ba 00 01") == X86EMUL_PROPAGATE_FAULT);

	/* bytes supplied by the caller, rest fetched */
	reset(X86EMUL_MODE_PROT64);
	put_hex(0x1000, "48 b8 11 22 33 44 55 66 77 88");
	CHECK(x86_decode_insn(&c, "\x48\xb8", 2) == X86EMUL_CONTINUE &&
	      c.insn.len == 10 && c.insn.src.val == 0x8877665544332211ULL);

	/* fetch #PF carries the address and the I/D bit */
	reset(X86EMUL_MODE_PROT64);
	c.rip = MEMSZ - 2;
	mem[MEMSZ - 2] = 0x48;
	mem[MEMSZ - 1] = 0xb8;
	CHECK(x86_decode_insn(&c, NULL, 0) == X86EMUL_PROPAGATE_FAULT &&
	      c.exception.vector == 14 && c.exception.address == MEMSZ &&
	      (c.exception.error_code & 0x10));
	/* ... but a short insn before an unmapped page is fine */
	reset(X86EMUL_MODE_PROT64);
	c.rip = MEMSZ - 1;
	mem[MEMSZ - 1] = 0x90;
	CHECK(x86_decode_insn(&c, NULL, 0) == X86EMUL_CONTINUE);
	CHECK(trace_steps >= 2);
	CHECK(!strcmp(c.insn.name, "nop"));
}

static void test_real_mode(void)
{
	int rc;

	/* mov [bx+si+4], ax with DS = 0x1000 */
	reset(X86EMUL_MODE_REAL);
	c.seg[X86EMUL_DS].base = 0x10000;
	c.regs[X86EMUL_RBX] = 0x100;
	c.regs[X86EMUL_RSI] = 0x20;
	c.regs[X86EMUL_RAX] = 0xbeef;
	rc = exec("89 40 04");
	CHECK(rc == X86EMUL_CONTINUE && rd16(0x10124) == 0xbeef);
	CHECK(c.rip == 0x1003);

	/* a word at offset 0xffff crosses the 64K limit: #GP(0) */
	reset(X86EMUL_MODE_REAL);
	rc = exec("a1 ff ff");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	/* ... on SS it is #SS */
	reset(X86EMUL_MODE_REAL);
	c.regs[X86EMUL_RBP] = 0xffff;
	rc = exec("8b 46 00");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 12);

	/* 16-bit ea wraps: [bx+si] = 0xfff0 + 0x20 -> 0x0010 */
	reset(X86EMUL_MODE_REAL);
	c.regs[X86EMUL_RBX] = 0xfff0;
	c.regs[X86EMUL_RSI] = 0x20;
	c.regs[X86EMUL_RAX] = 0x1234;
	rc = exec("89 00");
	CHECK(rc == X86EMUL_CONTINUE && rd16(0x10) == 0x1234);

	/* push word [bp+2] uses SS:SP, SP only */
	reset(X86EMUL_MODE_REAL);
	c.seg[X86EMUL_SS].base = 0x20000;
	c.regs[X86EMUL_RSP] = 0xabcd0000ULL | 0x100;
	c.regs[X86EMUL_RBP] = 0x50;
	mem[0x20052] = 0x34;
	mem[0x20053] = 0x12;
	rc = exec("ff 76 02");
	CHECK(rc == X86EMUL_CONTINUE && rd16(0x200fe) == 0x1234 &&
	      c.regs[X86EMUL_RSP] == (0xabcd0000ULL | 0xfe));

	/* lgdt with a 16-bit operand size loads a 24-bit base */
	reset(X86EMUL_MODE_REAL);
	put_hex(0x2000, "ff 00 44 33 22 11");
	rc = exec("0f 01 16 00 20");
	CHECK(rc == X86EMUL_CONTINUE && fk.gdt_base == 0x223344 &&
	      fk.gdt_limit == 0xff);
	reset(X86EMUL_MODE_REAL);
	put_hex(0x2000, "ff 07 44 33 22 11");
	rc = exec("66 0f 01 1e 00 20");
	CHECK(rc == X86EMUL_CONTINUE && fk.idt_base == 0x11223344 &&
	      fk.idt_limit == 0x7ff);

	/* 67 in real mode: 32-bit addressing, still limit-checked */
	reset(X86EMUL_MODE_REAL);
	c.regs[X86EMUL_RAX] = 0x55;
	c.regs[X86EMUL_RBX] = 0x3000;
	rc = exec("67 88 03");
	CHECK(rc == X86EMUL_CONTINUE && mem[0x3000] == 0x55);
	reset(X86EMUL_MODE_REAL);
	c.regs[X86EMUL_RBX] = 0x13000;
	rc = exec("67 88 03");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	/* big real mode: a 4G limit makes it legal */
	reset(X86EMUL_MODE_REAL);
	c.seg[X86EMUL_DS].limit = 0xffffffff;
	c.regs[X86EMUL_RAX] = 0x66;
	c.regs[X86EMUL_RBX] = 0x13000;
	rc = exec("67 88 03");
	CHECK(rc == X86EMUL_CONTINUE && mem[0x13000] == 0x66);

	/* rep movsw with 16-bit si/di/cx, DF=1 */
	reset(X86EMUL_MODE_REAL);
	c.seg[X86EMUL_DS].base = 0x10000;
	c.seg[X86EMUL_ES].base = 0x20000;
	c.regs[X86EMUL_RSI] = 0x77770104;
	c.regs[X86EMUL_RDI] = 0x204;
	c.regs[X86EMUL_RCX] = 0x55550003;
	c.rflags |= 0x400;
	put_hex(0x10100, "01 00 02 00 03 00");
	rc = exec("f3 a5");
	CHECK(rc == X86EMUL_CONTINUE && rd16(0x20200) == 1 &&
	      rd16(0x20202) == 2 && rd16(0x20204) == 3);
	CHECK(c.regs[X86EMUL_RCX] == 0x55550000 &&
	      c.regs[X86EMUL_RSI] == 0x777700fe &&
	      c.regs[X86EMUL_RDI] == 0x1fe && c.rip == 0x1002);

	/* IP wraps at 64K */
	reset(X86EMUL_MODE_REAL);
	c.rip = 0xfffe;
	rc = exec("f8 90");
	CHECK(rc == X86EMUL_CONTINUE && c.rip == 0xffff);
}

static void test_prot_modes(void)
{
	int rc;

	/* 32-bit: limit violation #GP, on SS #SS, expand-down */
	reset(X86EMUL_MODE_PROT32);
	c.seg[X86EMUL_DS].limit = 0xfff;
	c.regs[X86EMUL_RBX] = 0xffe;
	rc = exec("8b 03");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13 &&
	      c.exception.error_code_valid && c.exception.error_code == 0);
	reset(X86EMUL_MODE_PROT32);
	c.seg[X86EMUL_SS].limit = 0xfff;
	c.regs[X86EMUL_RBP] = 0x2000;
	rc = exec("89 45 00");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 12);
	reset(X86EMUL_MODE_PROT32);
	c.seg[X86EMUL_DS].limit = 0xfff;
	c.seg[X86EMUL_DS].attr = 0x0c97;	/* expand-down, writable */
	c.regs[X86EMUL_RBX] = 0x800;
	c.regs[X86EMUL_RAX] = 7;
	rc = exec("89 03");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	c.regs[X86EMUL_RBX] = 0x1800;
	c.rip = 0x1000;
	rc = exec("89 03");
	CHECK(rc == X86EMUL_CONTINUE && rd32(0x1800) == 7);
	/* write to a read-only data segment, read of execute-only code */
	reset(X86EMUL_MODE_PROT32);
	c.seg[X86EMUL_DS].attr = 0x0c91;
	rc = exec("89 03");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	reset(X86EMUL_MODE_PROT32);
	c.seg[X86EMUL_CS].attr = 0x0c99;
	rc = exec("2e 8b 03");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	/* unusable segment */
	reset(X86EMUL_MODE_PROT32);
	c.seg[X86EMUL_ES].attr = 0;
	rc = exec("26 8b 03");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	/* segment base and override */
	reset(X86EMUL_MODE_PROT32);
	c.seg[X86EMUL_FS].base = 0x40000;
	c.regs[X86EMUL_RAX] = 0xdeadbeef;
	rc = exec("64 a3 10 00 00 00");
	CHECK(rc == X86EMUL_CONTINUE && rd32(0x40010) == 0xdeadbeef);

	/* 16-bit protected mode with a 32-bit stack (SS.B) */
	reset(X86EMUL_MODE_PROT16);
	c.seg[X86EMUL_SS].attr = ATTR_DATA32;
	c.seg[X86EMUL_SS].limit = 0xfffff;
	c.regs[X86EMUL_RSP] = 0x20000;
	rc = exec("66 6a ff");		/* push dword -1 */
	CHECK(rc == X86EMUL_CONTINUE && rd32(0x1fffc) == 0xffffffff &&
	      c.regs[X86EMUL_RSP] == 0x1fffc);

	/* 32-bit: cmpxchg8b success and failure */
	reset(X86EMUL_MODE_PROT32);
	put_hex(0x3000, "11 11 11 11 22 22 22 22");
	c.regs[X86EMUL_RAX] = 0x11111111;
	c.regs[X86EMUL_RDX] = 0x22222222;
	c.regs[X86EMUL_RBX] = 0xaaaaaaaa;
	c.regs[X86EMUL_RCX] = 0xbbbbbbbb;
	c.regs[X86EMUL_RSI] = 0x3000;
	rc = exec("f0 0f c7 0e");
	CHECK(rc == X86EMUL_CONTINUE && rd32(0x3000) == 0xaaaaaaaa &&
	      rd32(0x3004) == 0xbbbbbbbb && (c.rflags & 0x40));
	c.rip = 0x1000;
	rc = exec("0f c7 0e");
	CHECK(rc == X86EMUL_CONTINUE && !(c.rflags & 0x40) &&
	      c.regs[X86EMUL_RAX] == 0xaaaaaaaa);

	/* 64-bit: non-canonical #GP, #SS when rsp/rbp based */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RBX] = 0x0000800000000000ULL;
	rc = exec("8b 03");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RBP] = 0x0000800000000000ULL;
	rc = exec("8b 45 00");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 12);
	/* an access whose last byte is non-canonical */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RBX] = 0x00007ffffffffffeULL;
	rc = exec("8b 03");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	/* #PF from memory leaves registers untouched */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RBX] = 0x40000000;
	c.regs[X86EMUL_RAX] = 5;
	rc = exec("48 0f c1 03");	/* xadd [rbx], rax */
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 14 &&
	      c.exception.address == 0x40000000 && c.regs[X86EMUL_RAX] == 5 &&
	      c.rip == 0x1000);
	/* cmpxchg16b needs 16-byte alignment */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RSI] = 0x3008;
	rc = exec("48 0f c7 0e");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	/* 32-bit mode: 0x40 is inc eax, not REX */
	reset(X86EMUL_MODE_PROT32);
	c.regs[X86EMUL_RAX] = 0xffffffff;
	rc = exec("40");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 0 &&
	      (c.rflags & 0x40));
	/* bt with a negative register offset reaches below the operand */
	reset(X86EMUL_MODE_PROT32);
	mem[0x2ffc] = 0x80;
	c.regs[X86EMUL_RBX] = 0x3000;
	c.regs[X86EMUL_RCX] = (u32)-25;		/* bit 7 of 0x2ffc */
	rc = exec("0f ab 0b");			/* bts [ebx], ecx */
	CHECK(rc == X86EMUL_CONTINUE && (c.rflags & 1) && mem[0x2ffc] == 0x80);
	c.regs[X86EMUL_RCX] = (u32)-26;
	c.rip = 0x1000;
	rc = exec("0f ab 0b");
	CHECK(rc == X86EMUL_CONTINUE && !(c.rflags & 1) && mem[0x2ffc] == 0xc0);
}

static void test_system(void)
{
	int rc;

	/* mov cr3, rax; mov rax, cr0; cr8 through REX.R */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RAX] = 0x123000;
	rc = exec("0f 22 d8");
	CHECK(rc == X86EMUL_CONTINUE && fk.cr[3] == 0x123000 &&
	      c.rip == 0x1003);
	fk.cr[0] = 0x80050033;
	c.rip = 0x1000;
	rc = exec("0f 20 c1");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RCX] == 0x80050033);
	c.regs[X86EMUL_RDX] = 0xf;
	c.rip = 0x1000;
	rc = exec("44 0f 22 c2");
	CHECK(rc == X86EMUL_CONTINUE && fk.cr[8] == 0xf);
	/* cr1, cr5: #UD; cpl 3: #GP; set_cr refusing: its #GP */
	c.rip = 0x1000;
	rc = exec("0f 22 c8");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 6);
	c.rip = 0x1000;
	c.cpl = 3;
	rc = exec("0f 22 d8");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13);
	c.cpl = 0;
	fk.cr_fault = 1;
	c.rip = 0x1000;
	rc = exec("0f 22 d8");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 13 &&
	      c.rip == 0x1000);
	/* 32-bit: cr values are 32-bit; lock mov cr0 is cr8 (AMD) */
	reset(X86EMUL_MODE_PROT32);
	c.regs[X86EMUL_RAX] = 0xffffffff00000011ULL;
	rc = exec("0f 22 c0");
	CHECK(rc == X86EMUL_CONTINUE && fk.cr[0] == 0x11);
	c.regs[X86EMUL_RAX] = 3;
	c.rip = 0x1000;
	rc = exec("f0 0f 22 c0");
	CHECK(rc == X86EMUL_CONTINUE && fk.cr[8] == 3);
	/* debug registers: dr4 aliases dr6 unless CR4.DE */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RAX] = 0x400;
	rc = exec("0f 23 f8");
	CHECK(rc == X86EMUL_CONTINUE && fk.dr[7] == 0x400);
	fk.dr[6] = 0xffff0ff0;
	c.rip = 0x1000;
	rc = exec("0f 21 e3");		/* mov rbx, dr4 */
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RBX] == 0xffff0ff0);
	fk.cr[4] = 8;
	c.rip = 0x1000;
	rc = exec("0f 21 e3");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 6);
	/* clts */
	reset(X86EMUL_MODE_PROT32);
	fk.cr[0] = 0x8000003b;
	rc = exec("0f 06");
	CHECK(rc == X86EMUL_CONTINUE && fk.cr[0] == 0x80000033);
	/* invlpg: linear address, fs base in long mode */
	reset(X86EMUL_MODE_PROT64);
	c.seg[X86EMUL_FS].base = 0x7f0000000000ULL;
	c.regs[X86EMUL_RAX] = 0x1234;
	rc = exec("64 0f 01 38");
	CHECK(rc == X86EMUL_CONTINUE && fk.invlpg_addr == 0x7f0000001234ULL);
	reset(X86EMUL_MODE_PROT32);
	c.seg[X86EMUL_DS].base = 0x1000;
	c.regs[X86EMUL_RAX] = 0x234;
	rc = exec("0f 01 38");
	CHECK(rc == X86EMUL_CONTINUE && fk.invlpg_addr == 0x1234);
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RAX] = 0x8000000000000000ULL;
	rc = exec("0f 01 38");		/* non-canonical: a nop */
	CHECK(rc == X86EMUL_CONTINUE && fk.invlpg_count == 0);
	/* lgdt in long mode: 10 bytes */
	reset(X86EMUL_MODE_PROT64);
	put_hex(0x2000, "ff 0f 00 10 20 30 40 80 ff ff");
	c.regs[X86EMUL_RAX] = 0x2000;
	rc = exec("0f 01 10");
	CHECK(rc == X86EMUL_CONTINUE && fk.gdt_base == 0xffff804030201000ULL &&
	      fk.gdt_limit == 0xfff);
	/* lgdt 32-bit */
	reset(X86EMUL_MODE_PROT32);
	put_hex(0x2000, "17 00 00 10 20 30");
	rc = exec("0f 01 15 00 20 00 00");
	CHECK(rc == X86EMUL_CONTINUE && fk.gdt_base == 0x30201000 &&
	      fk.gdt_limit == 0x17);
	/* smsw / lmsw */
	reset(X86EMUL_MODE_PROT32);
	fk.cr[0] = 0x80000011;
	rc = exec("0f 01 25 00 20 00 00");
	CHECK(rc == X86EMUL_CONTINUE && rd16(0x2000) == 0x0011);
	put_hex(0x2000, "0e 00");
	c.rip = 0x1000;
	rc = exec("0f 01 35 00 20 00 00");	/* PE stays set */
	CHECK(rc == X86EMUL_CONTINUE && fk.cr[0] == 0x8000001f);
}

static void test_io(void)
{
	int rc;

	reset(X86EMUL_MODE_PROT32);
	rc = exec("e4 60");
	CHECK(rc == X86EMUL_CONTINUE && (c.regs[X86EMUL_RAX] & 0xff) ==
	      ((0x60 ^ 0x11111111) & 0xff));
	c.regs[X86EMUL_RDX] = 0x3f8;
	c.regs[X86EMUL_RAX] = 0x41;
	c.rip = 0x1000;
	rc = exec("ee");
	CHECK(rc == X86EMUL_CONTINUE && fk.pio_outs == 1);
	/* rep outsw: 3 words, rep insb: 4 bytes */
	put_hex(0x3000, "01 00 02 00 03 00");
	c.regs[X86EMUL_RSI] = 0x3000;
	c.regs[X86EMUL_RCX] = 3;
	c.rip = 0x1000;
	rc = exec("66 f3 6f");
	CHECK(rc == X86EMUL_CONTINUE && fk.pio_outs == 4 &&
	      c.regs[X86EMUL_RSI] == 0x3006 && c.regs[X86EMUL_RCX] == 0);
	c.regs[X86EMUL_RDI] = 0x4000;
	c.regs[X86EMUL_RCX] = 4;
	c.rip = 0x1000;
	rc = exec("f3 6c");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RDI] == 0x4004 &&
	      mem[0x4003] == (u8)(0x3f8 ^ (0x11111111u * 5)));
	/* cpl > iopl: the TSS bitmap is not modelled -> unhandleable */
	c.cpl = 3;
	c.rip = 0x1000;
	rc = exec("ee");
	CHECK(rc == X86EMUL_UNHANDLEABLE);
}

static void test_mmio_contract(void)
{
	int rc;

	/* a read: IO_NEEDED, nothing committed; re-run consumes the data */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	put_hex(0x5000, "78 56 34 12");
	c.regs[X86EMUL_RBX] = 0x5000;
	c.regs[X86EMUL_RAX] = 1;
	put_hex(0x1000, "03 03");	/* add eax, [rbx] */
	CHECK(x86_decode_insn(&c, NULL, 0) == X86EMUL_CONTINUE);
	rc = x86_emulate_insn(&c);
	CHECK(rc == X86EMUL_IO_NEEDED && c.io_read_pending &&
	      c.rip == 0x1000 && c.regs[X86EMUL_RAX] == 1);
	CHECK(fk.pend_state == 1 && fk.pend_addr == 0x5000 &&
	      fk.pend_size == 4);
	memcpy(fk.pend_data, "\x01\x00\x00\x00", 4);	/* device says 1 */
	fk.pend_state = 2;
	rc = x86_emulate_insn(&c);
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 2 &&
	      c.rip == 0x1002);

	/* a write: IO_NEEDED with the insn complete, not repeated */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	c.regs[X86EMUL_RBX] = 0x5000;
	c.regs[X86EMUL_RAX] = 0xabcd;
	put_hex(0x1000, "66 89 03");
	CHECK(x86_decode_insn(&c, NULL, 0) == X86EMUL_CONTINUE);
	rc = x86_emulate_insn(&c);
	CHECK(rc == X86EMUL_IO_NEEDED && !c.io_read_pending &&
	      c.rip == 0x1003 && fk.io_writes == 1 && rd16(0x5000) == 0xabcd);

	/* rmw on MMIO: read round trip, then the write */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	put_hex(0x5000, "ff 00 00 00");
	c.regs[X86EMUL_RBX] = 0x5000;
	rc = exec("ff 03");		/* inc dword [rbx] */
	CHECK(rc == X86EMUL_CONTINUE && rd32(0x5000) == 0x100 &&
	      fk.io_reads == 1 && fk.io_writes == 1 && fk.io_rounds == 1);

	/* cmpxchg8b on MMIO: one 8-byte read, and the locked cycle writes
	 * 8 bytes back whether or not the comparison matched */
	reset(X86EMUL_MODE_PROT32);
	fk.mmio = 1;
	put_hex(0x5000, "01 00 00 00 02 00 00 00");
	c.regs[X86EMUL_RSI] = 0x5000;
	c.regs[X86EMUL_RAX] = 7;
	rc = exec("0f c7 0e");		/* cmpxchg8b [esi], mismatch */
	CHECK(rc == X86EMUL_CONTINUE && !(c.rflags & 0x40) &&
	      c.regs[X86EMUL_RAX] == 1 && c.regs[X86EMUL_RDX] == 2 &&
	      fk.io_reads == 1 && fk.io_writes == 1 &&
	      rd32(0x5000) == 1 && rd32(0x5004) == 2);
	reset(X86EMUL_MODE_PROT32);
	fk.mmio = 1;
	put_hex(0x5000, "01 00 00 00 02 00 00 00");
	c.regs[X86EMUL_RSI] = 0x5000;
	c.regs[X86EMUL_RAX] = 1;
	c.regs[X86EMUL_RDX] = 2;
	c.regs[X86EMUL_RBX] = 0x33;
	c.regs[X86EMUL_RCX] = 0x44;
	rc = exec("f0 0f c7 0e");	/* lock cmpxchg8b [esi], match */
	CHECK(rc == X86EMUL_CONTINUE && (c.rflags & 0x40) &&
	      fk.io_reads == 1 && fk.io_writes == 1 &&
	      rd32(0x5000) == 0x33 && rd32(0x5004) == 0x44);
	/* an MMIO read crossing a page: two pieces, two round trips, the
	 * first replayed from the read cache on the second re-run */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	put_hex(0x5ffe, "11 22 33 44");
	c.regs[X86EMUL_RBX] = 0x5ffe;
	rc = exec("8b 03");		/* mov eax, [rbx] */
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 0x44332211 &&
	      fk.io_reads == 2 && fk.io_rounds == 2);
	/* cmpxchg16b on MMIO: two 8-byte reads */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	put_hex(0x5000, "01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00");
	c.regs[X86EMUL_RSI] = 0x5000;
	rc = exec("48 0f c7 0e");	/* cmpxchg16b [rsi], mismatch */
	CHECK(rc == X86EMUL_CONTINUE && !(c.rflags & 0x40) &&
	      c.regs[X86EMUL_RAX] == 1 && c.regs[X86EMUL_RDX] == 2 &&
	      fk.io_reads == 2);

	/* cmps from MMIO to MMIO: two reads per iteration, the first
	 * replayed from the read cache on the second re-run */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	put_hex(0x5000, "01 02 03 04");
	put_hex(0x6000, "01 02 09 04");
	c.regs[X86EMUL_RSI] = 0x5000;
	c.regs[X86EMUL_RDI] = 0x6000;
	c.regs[X86EMUL_RCX] = 4;
	rc = exec("f3 a6");		/* repe cmpsb */
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RCX] == 1 &&
	      c.regs[X86EMUL_RSI] == 0x5003 && c.rip == 0x1002 &&
	      fk.io_reads == 6);

	/* rep stosb into MMIO: one write per exit, rip kept until done */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	c.regs[X86EMUL_RDI] = 0x5000;
	c.regs[X86EMUL_RCX] = 3;
	c.regs[X86EMUL_RAX] = 0x77;
	put_hex(0x1000, "f3 aa");
	x86_decode_insn(&c, NULL, 0);
	rc = x86_emulate_insn(&c);
	CHECK(rc == X86EMUL_IO_NEEDED && !c.io_read_pending &&
	      c.rep_pending && c.regs[X86EMUL_RCX] == 2 && c.rip == 0x1000);
	x86_decode_insn(&c, NULL, 0);
	rc = x86_emulate_insn(&c);
	x86_decode_insn(&c, NULL, 0);
	rc = x86_emulate_insn(&c);
	CHECK(rc == X86EMUL_IO_NEEDED && !c.rep_pending &&
	      c.regs[X86EMUL_RCX] == 0 && c.rip == 0x1002 &&
	      mem[0x5002] == 0x77);
}

static void test_rep_chunks(void)
{
	int rc;

	/* rep stosb over 0x1800 bytes from 0x10f00: stops at 0x11000 */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RDI] = 0x10f00;
	c.regs[X86EMUL_RCX] = 0x1800;
	c.regs[X86EMUL_RAX] = 0x5a;
	put_hex(0x1000, "f3 aa");
	x86_decode_insn(&c, NULL, 0);
	rc = x86_emulate_insn(&c);
	CHECK(rc == X86EMUL_CONTINUE && c.rep_pending && c.rip == 0x1000 &&
	      c.regs[X86EMUL_RDI] == 0x11000 &&
	      c.regs[X86EMUL_RCX] == 0x1700);
	rc = run_to_completion(&c, NULL, 0, 100);
	CHECK(rc == X86EMUL_CONTINUE && !c.rep_pending &&
	      c.regs[X86EMUL_RCX] == 0 && c.regs[X86EMUL_RDI] == 0x12700 &&
	      mem[0x126ff] == 0x5a && mem[0x12700] == 0 && c.rip == 0x1002);
	/* a fault in the middle keeps the progress made, rip unchanged */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RSI] = MEMSZ - 8;
	c.regs[X86EMUL_RDI] = 0x3000;
	c.regs[X86EMUL_RCX] = 4;
	rc = exec("f3 48 a5");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 14 &&
	      c.regs[X86EMUL_RCX] == 3 && c.regs[X86EMUL_RDI] == 0x3008 &&
	      c.rip == 0x1000);
	/* rcx = 0: nothing, rip advances; a32 uses ecx only */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RCX] = 0x100000000ULL;
	rc = exec("67 f3 aa");
	CHECK(rc == X86EMUL_CONTINUE && c.rip == 0x1003 &&
	      c.regs[X86EMUL_RCX] == 0x100000000ULL);
	/* the same on an Intel guest: RCX, RDI (stos, movs) and RSI (movs)
	 * written as 32-bit registers; lods and cmps only RCX
	 */
	{
		static const struct { const char *hex; bool si, di; } q[] = {
			{ "67 f3 aa", false, true },
			{ "67 f3 a5", true, true },
			{ "67 f3 ad", false, false },
			{ "67 f3 a6", false, false },
		};
		const u64 hi = 0x500000000ULL;
		int i;

		for (i = 0; i < 4; i++) {
			reset(X86EMUL_MODE_PROT64);
			c.intel = true;
			c.regs[X86EMUL_RCX] = 0x100000000ULL;
			c.regs[X86EMUL_RSI] = hi | 0x2000;
			c.regs[X86EMUL_RDI] = hi | 0x3000;
			rc = exec(q[i].hex);
			CHECK(rc == X86EMUL_CONTINUE && c.rip == 0x1003 &&
			      c.regs[X86EMUL_RCX] == 0 &&
			      c.regs[X86EMUL_RSI] == (q[i].si ? 0 : hi) + 0x2000 &&
			      c.regs[X86EMUL_RDI] == (q[i].di ? 0 : hi) + 0x3000);
		}
		/* a 64-bit address size is no quirk */
		reset(X86EMUL_MODE_PROT64);
		c.intel = true;
		c.regs[X86EMUL_RDI] = hi;
		rc = exec("f3 aa");
		CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RDI] == hi &&
		      c.regs[X86EMUL_RCX] == 0);
	}
}

/* Shifts, mul/div, setcc, cmovcc, movbe, shld/shrd, bit scans. */
static void test_wide(void)
{
	int rc;

	/* the prot32/mmio_insn guest: shll $3,(mem); sarl $1,(mem) on MMIO */
	reset(X86EMUL_MODE_PROT32);
	fk.mmio = 1;
	put_hex(0x5000, "81 00 00 90");
	c.regs[X86EMUL_RAX] = 0x5000;
	rc = exec("c1 20 03");
	CHECK(rc == X86EMUL_CONTINUE && rd32(0x5000) == 0x80000408 &&
	      c.rip == 0x1003 && fk.io_reads == 1 && fk.io_writes == 1 &&
	      (c.rflags & 0x8d5) == 0x890);	/* OF SF AF */
	rc = exec("d1 38");
	CHECK(rc == X86EMUL_CONTINUE && rd32(0x5000) == 0xc0000204 &&
	      c.rip == 0x1005 && fk.io_reads == 2 && fk.io_writes == 2 &&
	      (c.rflags & 0x8d5) == 0x090);	/* SF AF, PF odd */
	/* the read round trip leaves nothing committed */
	reset(X86EMUL_MODE_PROT32);
	fk.mmio = 1;
	c.regs[X86EMUL_RAX] = 0x5000;
	put_hex(0x1000, "d3 20");
	CHECK(x86_decode_insn(&c, NULL, 0) == X86EMUL_CONTINUE);
	rc = x86_emulate_insn(&c);
	CHECK(rc == X86EMUL_IO_NEEDED && c.io_read_pending &&
	      c.rip == 0x1000 && c.rflags == 2 && fk.io_writes == 0);

	/* a count that masks to 0: no flags, memory written back as is */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	c.rflags = 0x8d7;
	c.regs[X86EMUL_RCX] = 0x20;
	put_hex(0x5000, "34 12");
	c.regs[X86EMUL_RBX] = 0x5000;
	rc = exec("66 d3 23");
	CHECK(rc == X86EMUL_CONTINUE && rd16(0x5000) == 0x1234 &&
	      c.rflags == 0x8d7 && fk.io_writes == 1);

	/* real mode: rcl byte [bx], cl; shl word [bx+2], 1 */
	reset(X86EMUL_MODE_REAL);
	c.rflags = 2 | 1;
	c.regs[X86EMUL_RBX] = 0x200;
	c.regs[X86EMUL_RCX] = 9;		/* rcl by 9 = width + 1 */
	mem[0x200] = 0x81;
	put_hex(0x202, "00 c0");
	rc = exec("d2 17");
	CHECK(rc == X86EMUL_CONTINUE && mem[0x200] == 0x81 &&
	      (c.rflags & 0x801) == 0x001);
	rc = exec("d1 67 02");
	CHECK(rc == X86EMUL_CONTINUE && rd16(0x202) == 0x8000 &&
	      (c.rflags & 0x801) == 0x001);

	/* 16-bit: div word [si]; divide by zero is #DE, nothing changed */
	reset(X86EMUL_MODE_PROT16);
	c.regs[X86EMUL_RSI] = 0x300;
	c.regs[X86EMUL_RDX] = 0x0001;
	c.regs[X86EMUL_RAX] = 0x0005;		/* dx:ax = 0x10005 */
	put_hex(0x300, "10 00");
	rc = exec("f7 34");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 0x1000 &&
	      c.regs[X86EMUL_RDX] == 5 && c.rip == 0x1002);
	put_hex(0x300, "00 00");
	rc = exec("f7 34");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 0 &&
	      !c.exception.error_code_valid && c.rip == 0x1002 &&
	      c.regs[X86EMUL_RAX] == 0x1000);
	/* quotient overflow: dx:ax / 1 with dx != 0 */
	put_hex(0x300, "01 00");
	c.regs[X86EMUL_RDX] = 1;
	rc = exec("f7 34");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 0);

	/* 64-bit idiv of a 128-bit dividend; mul of the largest values */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RDX] = ~0ULL;
	c.regs[X86EMUL_RAX] = 0;		/* -2^64 */
	c.regs[X86EMUL_RBX] = 0x5000;
	put_hex(0x5000, "00 00 00 00 02 00 00 00");	/* 2^33 */
	rc = exec("48 f7 3b");
	CHECK(rc == X86EMUL_CONTINUE &&
	      c.regs[X86EMUL_RAX] == 0xffffffff80000000ULL &&
	      c.regs[X86EMUL_RDX] == 0);
	c.regs[X86EMUL_RDX] = ~0ULL;
	c.regs[X86EMUL_RAX] = 0;
	put_hex(0x5000, "01 00 00 00 00 00 00 00");	/* -2^64 / 1 */
	rc = exec("48 f7 3b");
	CHECK(rc == X86EMUL_PROPAGATE_FAULT && c.exception.vector == 0);
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RAX] = ~0ULL;
	c.regs[X86EMUL_RBX] = 0x5000;
	put_hex(0x5000, "ff ff ff ff ff ff ff ff");
	rc = exec("48 f7 23");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 1 &&
	      c.regs[X86EMUL_RDX] == 0xfffffffffffffffeULL &&
	      (c.rflags & 0x801) == 0x801);

	/* imul r, [rip+disp], imm8: the displacement counts the imm8 */
	reset(X86EMUL_MODE_PROT64);
	put_hex(0x1000 + 7 + 0x20, "07 00 00 00");
	rc = exec("6b 05 20 00 00 00 fd");	/* imul eax, [rip+0x20], -3 */
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 0xffffffeb &&
	      !(c.rflags & 0x801));

	/* movbe on MMIO, both ways */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	c.regs[X86EMUL_RBX] = 0x5000;
	put_hex(0x5000, "11 22 33 44");
	c.regs[X86EMUL_RAX] = ~0ULL;
	rc = exec("0f 38 f0 03");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 0x11223344 &&
	      fk.io_reads == 1);
	c.regs[X86EMUL_RCX] = 0xa1b2;
	rc = exec("66 0f 38 f1 0b");
	CHECK(rc == X86EMUL_CONTINUE && mem[0x5000] == 0xa1 &&
	      mem[0x5001] == 0xb2 && mem[0x5002] == 0x33 && fk.io_writes == 1);

	/* setcc writes MMIO without reading it; cmovcc reads it anyway */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	c.rflags = 2 | 0x40;
	c.regs[X86EMUL_RBX] = 0x5000;
	mem[0x5000] = 0x55;
	rc = exec("0f 94 03");			/* sete [rbx] */
	CHECK(rc == X86EMUL_CONTINUE && mem[0x5000] == 1 &&
	      fk.io_reads == 0 && fk.io_writes == 1);
	c.regs[X86EMUL_RAX] = 0xffffffff00000007ULL;
	rc = exec("0f 45 03");			/* cmovne: not taken */
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 7 &&
	      fk.io_reads == 1);

	/* shrd [rbx], cx, cl on MMIO */
	reset(X86EMUL_MODE_PROT64);
	fk.mmio = 1;
	c.regs[X86EMUL_RBX] = 0x5000;
	c.regs[X86EMUL_RCX] = 0x0004;
	put_hex(0x5000, "34 12");
	rc = exec("66 0f ad 0b");
	CHECK(rc == X86EMUL_CONTINUE && rd16(0x5000) == 0x4123 &&
	      fk.io_reads == 1 && fk.io_writes == 1);

	/* bsf of 0 keeps even the upper half; tzcnt of 0 is the width */
	reset(X86EMUL_MODE_PROT64);
	c.regs[X86EMUL_RAX] = 0xffffffff00000000ULL;
	c.regs[X86EMUL_RBX] = 0x5000;
	rc = exec("0f bc 03");
	CHECK(rc == X86EMUL_CONTINUE &&
	      c.regs[X86EMUL_RAX] == 0xffffffff00000000ULL &&
	      (c.rflags & 0x40));
	rc = exec("f3 0f bc 03");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 32 &&
	      (c.rflags & 1) && !strcmp(c.insn.name, "tzcnt"));
	put_hex(0x5000, "00 f0 00 00");
	rc = exec("f3 0f b8 03");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 4 &&
	      !(c.rflags & 0x8d5));
	rc = exec("f3 0f bd 03");
	CHECK(rc == X86EMUL_CONTINUE && c.regs[X86EMUL_RAX] == 16);
}

int main(void)
{
	test_decode();
	test_real_mode();
	test_prot_modes();
	test_system();
	test_io();
	test_mmio_contract();
	test_rep_chunks();
	test_wide();
	printf("unittest: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
