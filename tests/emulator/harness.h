/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the emulator tests: a flat fake guest memory behind the
 * ops table, with an optional "MMIO" mode in which every data read first
 * answers X86EMUL_IO_NEEDED and is completed by the driver loop, the way
 * the module completes a KVM_EXIT_MMIO.
 */
#ifndef EMU_TEST_HARNESS_H
#define EMU_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include "../../kmod/emulate.h"

struct region {
	u64 base;
	u64 size;
	u8 *mem;
};

struct fake {
	struct region r[4];
	int nr;
	int mmio;		/* reads go through IO_NEEDED round trips */
	/* a pending MMIO read: requested, then completed by the driver */
	int pend_state;		/* 0 none, 1 requested, 2 completed */
	u64 pend_addr;
	unsigned int pend_size;
	u8 pend_data[16];
	unsigned int io_reads, io_writes, io_rounds;
	/* PIO: port reads return port ^ counter; writes are logged */
	u32 pio_counter;
	u64 pio_out_log;
	unsigned int pio_outs;
	/* control state for CR/DR/descriptor-table tests */
	u64 cr[9], dr[8];
	u64 gdt_base, idt_base;
	u16 gdt_limit, idt_limit;
	u64 invlpg_addr;
	int invlpg_count;
	int cr_fault;		/* set_cr returns #GP */
};

static inline u8 *fake_ptr(struct fake *f, u64 a, unsigned int n)
{
	int i;

	for (i = 0; i < f->nr; i++)
		if (a >= f->r[i].base && a - f->r[i].base + n <= f->r[i].size &&
		    a + n > a)
			return f->r[i].mem + (a - f->r[i].base);
	return NULL;
}

static inline int fake_pf(struct x86_emulate_ctxt *c, u64 a, u32 err)
{
	c->exception.vector = 14;
	c->exception.error_code_valid = true;
	c->exception.error_code = err;
	c->exception.address = a;
	return X86EMUL_PROPAGATE_FAULT;
}

static int f_read_std(struct x86_emulate_ctxt *c, u64 a, void *v,
		      unsigned int n, bool fetch)
{
	struct fake *f = c->priv;
	u8 *p = fake_ptr(f, a, n);

	if (!p)
		return fake_pf(c, a, fetch ? 0x14 : 0x4);
	memcpy(v, p, n);
	return X86EMUL_CONTINUE;
}

static int f_write_std(struct x86_emulate_ctxt *c, u64 a, const void *v,
		       unsigned int n)
{
	struct fake *f = c->priv;
	u8 *p = fake_ptr(f, a, n);

	if (!p)
		return fake_pf(c, a, 0x6);
	memcpy(p, v, n);
	return X86EMUL_CONTINUE;
}

static int f_read_em(struct x86_emulate_ctxt *c, u64 a, void *v,
		     unsigned int n)
{
	struct fake *f = c->priv;
	u8 *p = fake_ptr(f, a, n);

	if (!p)
		return fake_pf(c, a, 0x4);
	if (f->mmio) {
		if (f->pend_state == 2 && f->pend_addr == a &&
		    f->pend_size == n) {
			memcpy(v, f->pend_data, n);
			f->pend_state = 0;
			return X86EMUL_CONTINUE;
		}
		if (f->pend_state != 0) {
			fprintf(stderr, "harness: read %llx/%u while %llx/%u "
				"pending\n", (unsigned long long)a, n,
				(unsigned long long)f->pend_addr,
				f->pend_size);
			abort();
		}
		f->pend_state = 1;
		f->pend_addr = a;
		f->pend_size = n;
		f->io_reads++;
		return X86EMUL_IO_NEEDED;
	}
	memcpy(v, p, n);
	return X86EMUL_CONTINUE;
}

static int f_write_em(struct x86_emulate_ctxt *c, u64 a, const void *v,
		      unsigned int n)
{
	struct fake *f = c->priv;
	u8 *p = fake_ptr(f, a, n);

	if (!p)
		return fake_pf(c, a, 0x6);
	memcpy(p, v, n);
	if (f->mmio) {
		f->io_writes++;
		return X86EMUL_IO_NEEDED;
	}
	return X86EMUL_CONTINUE;
}

static int f_cmpxchg_em(struct x86_emulate_ctxt *c, u64 a, const void *old,
			const void *new, unsigned int n)
{
	struct fake *f = c->priv;
	u8 *p = fake_ptr(f, a, n);

	if (!p)
		return fake_pf(c, a, 0x6);
	if (f->mmio)
		return f_write_em(c, a, new, n);
	if (memcmp(p, old, n))
		return X86EMUL_RETRY;
	memcpy(p, new, n);
	return X86EMUL_CONTINUE;
}

static int f_pio_in(struct x86_emulate_ctxt *c, u16 port, void *v,
		    unsigned int n)
{
	struct fake *f = c->priv;
	u32 x = port ^ (0x11111111u * ++f->pio_counter);

	memcpy(v, &x, n);
	return X86EMUL_CONTINUE;
}

static int f_pio_out(struct x86_emulate_ctxt *c, u16 port, const void *v,
		     unsigned int n)
{
	struct fake *f = c->priv;
	u32 x = 0;

	memcpy(&x, v, n);
	f->pio_out_log = f->pio_out_log * 31 + x + port;
	f->pio_outs++;
	return X86EMUL_CONTINUE;
}

static int f_get_cr(struct x86_emulate_ctxt *c, int n, u64 *v)
{
	*v = ((struct fake *)c->priv)->cr[n];
	return X86EMUL_CONTINUE;
}

static int f_set_cr(struct x86_emulate_ctxt *c, int n, u64 v)
{
	struct fake *f = c->priv;

	if (f->cr_fault) {
		c->exception.vector = 13;
		c->exception.error_code_valid = true;
		c->exception.error_code = 0;
		return X86EMUL_PROPAGATE_FAULT;
	}
	f->cr[n] = v;
	return X86EMUL_CONTINUE;
}

static int f_get_dr(struct x86_emulate_ctxt *c, int n, u64 *v)
{
	*v = ((struct fake *)c->priv)->dr[n];
	return X86EMUL_CONTINUE;
}

static int f_set_dr(struct x86_emulate_ctxt *c, int n, u64 v)
{
	((struct fake *)c->priv)->dr[n] = v;
	return X86EMUL_CONTINUE;
}

static int f_invlpg(struct x86_emulate_ctxt *c, u64 a)
{
	struct fake *f = c->priv;

	f->invlpg_addr = a;
	f->invlpg_count++;
	return X86EMUL_CONTINUE;
}

static int f_set_gdt(struct x86_emulate_ctxt *c, u64 b, u16 l)
{
	struct fake *f = c->priv;

	f->gdt_base = b;
	f->gdt_limit = l;
	return X86EMUL_CONTINUE;
}

static int f_set_idt(struct x86_emulate_ctxt *c, u64 b, u16 l)
{
	struct fake *f = c->priv;

	f->idt_base = b;
	f->idt_limit = l;
	return X86EMUL_CONTINUE;
}

static const struct x86_emulate_ops fake_ops = {
	.read_std = f_read_std,
	.write_std = f_write_std,
	.read_emulated = f_read_em,
	.write_emulated = f_write_em,
	.cmpxchg_emulated = f_cmpxchg_em,
	.pio_in = f_pio_in,
	.pio_out = f_pio_out,
	.get_cr = f_get_cr,
	.set_cr = f_set_cr,
	.get_dr = f_get_dr,
	.set_dr = f_set_dr,
	.invlpg = f_invlpg,
	.set_gdt = f_set_gdt,
	.set_idt = f_set_idt,
};

/* Flat segments in the VMCB attribute format. */
#define ATTR_DATA32	0x0c93	/* G D P S type 3 */
#define ATTR_CODE32	0x0c9b
#define ATTR_CODE64	0x0a9b	/* G L P S type b */
#define ATTR_DATA16	0x0093
#define ATTR_CODE16	0x009b

static inline void flat_segs(struct x86_emulate_ctxt *c, int mode)
{
	int i;

	for (i = 0; i < X86EMUL_NR_SEGS; i++) {
		c->seg[i].base = 0;
		if (mode == X86EMUL_MODE_REAL || mode == X86EMUL_MODE_PROT16) {
			c->seg[i].limit = 0xffff;
			c->seg[i].attr = i == X86EMUL_CS ? ATTR_CODE16 :
				ATTR_DATA16;
		} else {
			c->seg[i].limit = 0xffffffff;
			c->seg[i].attr = i == X86EMUL_CS ?
				(mode == X86EMUL_MODE_PROT64 ? ATTR_CODE64 :
				 ATTR_CODE32) : ATTR_DATA32;
		}
	}
}

/*
 * Run the instruction at rip to completion the way the module would:
 * complete MMIO reads and re-run the same ctxt, re-decode when a REP
 * instruction stopped at a chunk boundary (the guest re-executes it).
 * Returns the final X86EMUL_* code (CONTINUE when the insn completed).
 */
static inline int run_to_completion(struct x86_emulate_ctxt *c,
				    const void *bytes, unsigned int len,
				    int max_rounds)
{
	struct fake *f = c->priv;
	int rc, rounds = 0;

	f->pend_state = 0;
	rc = x86_decode_insn(c, bytes, len);
	if (rc != X86EMUL_CONTINUE)
		return rc;
	for (;;) {
		if (++rounds > max_rounds)
			return -1;
		rc = x86_emulate_insn(c);
		if (rc == X86EMUL_IO_NEEDED && c->io_read_pending) {
			u8 *p = fake_ptr(f, f->pend_addr, f->pend_size);

			if (f->pend_state != 1 || !p)
				return -2;
			memcpy(f->pend_data, p, f->pend_size);
			f->pend_state = 2;
			f->io_rounds++;
			continue;
		}
		if ((rc == X86EMUL_IO_NEEDED || rc == X86EMUL_CONTINUE) &&
		    c->rep_pending) {
			rc = x86_decode_insn(c, bytes, len);
			if (rc != X86EMUL_CONTINUE)
				return rc;
			continue;
		}
		if (rc == X86EMUL_IO_NEEDED)
			rc = X86EMUL_CONTINUE;
		return rc;
	}
}

#endif /* EMU_TEST_HARNESS_H */
