// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the emulator: random instruction bytes, random
 * mode, segments and registers, ops backed by a sparse fake memory in which
 * some pages fault (#PF) and some are MMIO.  Each input is run twice:
 * once with MMIO pages behaving as RAM, once with every MMIO read an
 * IO_NEEDED round trip and every MMIO write an accepted IO_NEEDED (the
 * module's path).  Checked, besides ASan/UBSan: decode length <= 15; the
 * two runs end with the same registers, flags, rip, memory writes and
 * outcome; a completed non-string instruction advances rip by its length;
 * a failed non-string instruction changes no register.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define NOV 1024	/* direct-mapped written bytes */

struct fz {
	struct fake f;		/* first: the CR/DR ops of harness.h */
	int mmio_mode;
	u64 ov_addr[NOV];
	u8 ov_val[NOV];
	u8 ov_used[NOV];
	u64 wlog;		/* hash of the writes, in order */
	u32 pio_done;
	int pio_pending;	/* 1 requested, 2 completed */
	u32 pio_data;
};

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

enum { PG_RAM, PG_MMIO, PG_FAULT };

static int page_kind(u64 a)
{
	u64 h = mix((a >> 12) ^ 0x5bd1e995);

	if ((a >> 12) == 1)		/* the code page is RAM */
		return PG_RAM;
	if (h % 16 == 0)
		return PG_FAULT;
	if (h % 16 < 5)
		return PG_MMIO;
	return PG_RAM;
}

static int access_kind(u64 a, unsigned int n)
{
	int k1 = page_kind(a), k2 = page_kind(a + n - 1);

	if (k1 == PG_FAULT || k2 == PG_FAULT)
		return PG_FAULT;
	if (k1 == PG_MMIO || k2 == PG_MMIO)
		return PG_MMIO;
	return PG_RAM;
}

static u8 byte_at(struct fz *z, u64 a)
{
	unsigned int i = (a * 0x9e3779b97f4a7c15ULL) >> 54;

	if (z->ov_used[i] && z->ov_addr[i] == a)
		return z->ov_val[i];
	return mix(a) & 0xff;
}

static void get_bytes(struct fz *z, u64 a, u8 *v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		v[i] = byte_at(z, a + i);
}

static void put_bytes(struct fz *z, u64 a, const u8 *v, unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		z->wlog = z->wlog * 1000003 + (a + i) * 131 + v[i];
		k = ((a + i) * 0x9e3779b97f4a7c15ULL) >> 54;
		z->ov_addr[k] = a + i;
		z->ov_val[k] = v[i];
		z->ov_used[k] = 1;
	}
}

static int fz_fault(struct x86_emulate_ctxt *c, u64 a, u32 err)
{
	c->exception.vector = 14;
	c->exception.error_code_valid = true;
	c->exception.error_code = err;
	c->exception.address = a;
	return X86EMUL_PROPAGATE_FAULT;
}

static void check_size(unsigned int n)
{
	if (n == 0 || n > 16)
		abort();
}

static int z_read_std(struct x86_emulate_ctxt *c, u64 a, void *v,
		      unsigned int n, bool fetch)
{
	check_size(n);
	if (access_kind(a, n) != PG_RAM)
		return fz_fault(c, a, fetch ? 0x10 : 0);
	get_bytes(c->priv, a, v, n);
	return X86EMUL_CONTINUE;
}

static int z_write_std(struct x86_emulate_ctxt *c, u64 a, const void *v,
		       unsigned int n)
{
	check_size(n);
	if (access_kind(a, n) != PG_RAM)
		return fz_fault(c, a, 2);
	put_bytes(c->priv, a, v, n);
	return X86EMUL_CONTINUE;
}

static int z_read_em(struct x86_emulate_ctxt *c, u64 a, void *v,
		     unsigned int n)
{
	struct fz *z = c->priv;
	int k = access_kind(a, n);

	check_size(n);
	if (k == PG_FAULT)
		return fz_fault(c, a, 0);
	if (k == PG_MMIO && z->mmio_mode) {
		struct fake *f = &z->f;

		if (f->pend_state == 2 && f->pend_addr == a &&
		    f->pend_size == n) {
			memcpy(v, f->pend_data, n);
			f->pend_state = 0;
			return X86EMUL_CONTINUE;
		}
		if (f->pend_state)
			abort();	/* a second read while one is pending */
		f->pend_state = 1;
		f->pend_addr = a;
		f->pend_size = n;
		return X86EMUL_IO_NEEDED;
	}
	get_bytes(z, a, v, n);
	return X86EMUL_CONTINUE;
}

static int z_write_em(struct x86_emulate_ctxt *c, u64 a, const void *v,
		      unsigned int n)
{
	struct fz *z = c->priv;
	int k = access_kind(a, n);

	check_size(n);
	if (k == PG_FAULT)
		return fz_fault(c, a, 2);
	put_bytes(z, a, v, n);
	return k == PG_MMIO && z->mmio_mode ? X86EMUL_IO_NEEDED :
		X86EMUL_CONTINUE;
}

static int z_cmpxchg_em(struct x86_emulate_ctxt *c, u64 a, const void *old,
			const void *new, unsigned int n)
{
	u8 cur[16];

	check_size(n);
	if (access_kind(a, n) == PG_FAULT)
		return fz_fault(c, a, 2);
	get_bytes(c->priv, a, cur, n);
	if (memcmp(cur, old, n))
		abort();	/* nothing else writes: must match */
	return z_write_em(c, a, new, n);
}

static int z_pio_in(struct x86_emulate_ctxt *c, u16 port, void *v,
		    unsigned int n)
{
	struct fz *z = c->priv;
	u32 x;

	if (n != 1 && n != 2 && n != 4)
		abort();
	if (z->mmio_mode) {
		if (z->pio_pending == 2) {
			z->pio_pending = 0;
			memcpy(v, &z->pio_data, n);
			return X86EMUL_CONTINUE;
		}
		if (z->pio_pending)
			abort();
		z->pio_pending = 1;
		z->pio_data = (u32)mix(port + 77 * (u64)z->pio_done++);
		return X86EMUL_IO_NEEDED;
	}
	x = (u32)mix(port + 77 * (u64)z->pio_done++);
	memcpy(v, &x, n);
	return X86EMUL_CONTINUE;
}

static int z_pio_out(struct x86_emulate_ctxt *c, u16 port, const void *v,
		     unsigned int n)
{
	struct fz *z = c->priv;
	u32 x = 0;

	if (n != 1 && n != 2 && n != 4)
		abort();
	memcpy(&x, v, n);
	z->wlog = z->wlog * 1000003 + port * 7 + x;
	return z->mmio_mode ? X86EMUL_IO_NEEDED : X86EMUL_CONTINUE;
}

static struct x86_emulate_ops zops;

/* Input reader */
struct rd {
	const u8 *p;
	size_t n;
};

static u64 take(struct rd *r, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < bytes && r->n; i++, r->p++, r->n--)
		v |= (u64)*r->p << (8 * i);
	return v;
}

static u64 take_val(struct rd *r)
{
	switch (take(r, 1) & 7) {
	case 0:
		return 0;
	case 1:
		return (u64)(s64)(s8)take(r, 1);
	case 2:
		return take(r, 2);
	case 3:
		return (u64)(s64)(s32)take(r, 4);
	case 4:
		return 0x2000 + take(r, 2);	/* near the code page */
	default:
		return take(r, 8);
	}
}

struct result {
	int rc;
	u64 regs[16], rip, rflags, wlog;
	int vec;
	bool done;
};

static void run(struct x86_emulate_ctxt *init, const u8 *insn,
		unsigned int len, int mmio, struct result *res)
{
	static struct fz z;
	struct x86_emulate_ctxt c = *init;
	int rounds = 0, rc;
	u64 rip0 = init->rip, iters = 0;

	memset(&z, 0, sizeof(z));
	z.mmio_mode = mmio;
	c.priv = &z;
	memset(res, 0, sizeof(*res));
	rc = x86_decode_insn(&c, insn, len);
	if (rc == X86EMUL_CONTINUE && c.insn.len > 15)
		abort();
	while (rc == X86EMUL_CONTINUE) {
		unsigned int ilen = c.insn.len;
		bool string = c.insn.flags & (1u << 13);

		if (++rounds > 200)
			return;	/* not finished: no comparison */
		memcpy(res->regs, c.regs, sizeof(res->regs));
		rc = x86_emulate_insn(&c);
		iters += c.iterations;
		if (iters > 512)
			return;	/* long REP: no comparison */
		if (rc == X86EMUL_IO_NEEDED && c.io_read_pending) {
			if (z.f.pend_state == 1) {
				get_bytes(&z, z.f.pend_addr, z.f.pend_data,
					  z.f.pend_size);
				z.f.pend_state = 2;
			} else if (z.pio_pending == 1) {
				z.pio_pending = 2;
			} else {
				abort();	/* IO_NEEDED from nowhere */
			}
			rc = X86EMUL_CONTINUE;
			continue;
		}
		if (!string && rc != X86EMUL_CONTINUE &&
		    rc != X86EMUL_IO_NEEDED &&
		    memcmp(res->regs, c.regs, sizeof(c.regs)))
			abort();	/* failed step changed registers */
		if ((rc == X86EMUL_CONTINUE || rc == X86EMUL_IO_NEEDED) &&
		    c.rep_pending) {
			if (!string || c.rip != rip0)
				abort();
			if (rounds > (mmio ? 150 : 4))
				return;
			rc = x86_decode_insn(&c, insn, len);
			continue;
		}
		if (rc == X86EMUL_IO_NEEDED)
			rc = X86EMUL_CONTINUE;
		if (rc == X86EMUL_CONTINUE && !string) {
			u64 want = rip0 + ilen;

			if (c.mode != X86EMUL_MODE_PROT64)
				want &= c.mode == X86EMUL_MODE_PROT32 ?
					0xffffffffULL : 0xffffULL;
			if (c.rip != want)
				abort();
		}
		break;
	}
	res->rc = rc;
	res->vec = rc == X86EMUL_PROPAGATE_FAULT ? c.exception.vector : -1;
	memcpy(res->regs, c.regs, sizeof(res->regs));
	res->rip = c.rip;
	res->rflags = c.rflags;
	res->wlog = z.wlog;
	res->done = true;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const int modes[] = {
		X86EMUL_MODE_REAL, X86EMUL_MODE_PROT16, X86EMUL_MODE_PROT32,
		X86EMUL_MODE_PROT64
	};
	struct x86_emulate_ctxt c;
	struct result a, b;
	struct rd r = { data, size };
	u8 insn[15];
	unsigned int len, i;
	u64 ctl;

	if (size < 2)
		return 0;
	zops = fake_ops;
	zops.read_std = z_read_std;
	zops.write_std = z_write_std;
	zops.read_emulated = z_read_em;
	zops.write_emulated = z_write_em;
	zops.cmpxchg_emulated = z_cmpxchg_em;
	zops.pio_in = z_pio_in;
	zops.pio_out = z_pio_out;

	ctl = take(&r, 2);
	len = take(&r, 1) % 16;
	memset(insn, 0, sizeof(insn));
	for (i = 0; i < len; i++)
		insn[i] = take(&r, 1);
	memset(&c, 0, sizeof(c));
	c.ops = &zops;
	c.mode = modes[ctl & 3];
	c.cpl = (ctl >> 2) & 3;
	flat_segs(&c, c.mode);
	if (ctl & 0x10) {	/* odd segments */
		for (i = 0; i < X86EMUL_NR_SEGS; i++) {
			c.seg[i].base = take_val(&r);
			c.seg[i].limit = take_val(&r);
			c.seg[i].attr = take(&r, 2) & 0xfff;
		}
	}
	for (i = 0; i < 16; i++)
		c.regs[i] = take_val(&r);
	if (!(ctl & 0x20))
		c.regs[X86EMUL_RCX] &= 0x3f;
	c.rflags = (take(&r, 4) & 0x3fd7) | 2;
	c.rip = 0x1000 + (take(&r, 2) & 0xfff);
	if (c.mode != X86EMUL_MODE_PROT64 && !(ctl & 0x10))
		c.seg[X86EMUL_CS].base = 0;

	run(&c, len ? insn : NULL, len, 0, &a);
	run(&c, len ? insn : NULL, len, 1, &b);
	if (a.done && b.done) {
		if (a.rc != b.rc || a.vec != b.vec)
			abort();
		if (a.rc == X86EMUL_CONTINUE &&
		    (memcmp(a.regs, b.regs, sizeof(a.regs)) ||
		     a.rip != b.rip || a.rflags != b.rflags ||
		     a.wlog != b.wlog))
			abort();
	}
	return 0;
}
