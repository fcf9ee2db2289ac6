// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the vCPU side of the x86 emulator (emulate.c).
 *
 * An access to guest-physical memory no slot backs is MMIO: the faulting
 * instruction is decoded and executed here, and each MMIO access it makes
 * becomes a KVM_EXIT_MMIO round trip.  A read completes on the next
 * KVM_RUN by running the same decoded instruction again, which then finds
 * userspace's data; a write is complete when it leaves.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/processor-flags.h>

#include "kvmlab.h"
#include "emulate.h"
#include "mmu.h"
#include "trace.h"

/* An MMIO write still to go out: one exit each, at most 8 bytes. */
struct kvmlab_mmio_frag {
	u64 gpa;
	unsigned int len;
	u8 data[8];
};

struct kvmlab_emul {
	struct x86_emulate_ctxt ctxt;
	bool read_pending;	/* waiting for userspace's MMIO data */
	bool data_valid;	/* run->mmio.data holds it */
	u64 gpa;
	unsigned int len;
	/* the rest of a write that spans pages or exceeds 8 bytes */
	struct kvmlab_mmio_frag frag[4];
	unsigned int nr_frags, next_frag;
	/* the translation the shadow fault path found for this MMIO
	 * instruction: its page needs no second walk
	 */
	bool tc_valid;
	u32 tc_access;		/* PFERR_W/U the walk granted */
	u64 tc_gva, tc_gpa;	/* page frames */
};

static struct kvmlab_vcpu *ctxt_vcpu(struct x86_emulate_ctxt *ctxt)
{
	return ctxt->priv;
}

/* Linear to guest-physical through the guest's page tables; a fault is
 * the #PF the CPU would raise for the access.
 */
static int translate(struct x86_emulate_ctxt *ctxt, u64 addr, u32 access,
		     u64 *gpa)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);
	struct kvmlab_emul *e = vcpu->emul;
	u32 ec;
	int r;

	if (ctxt->cpl == 3)
		access |= PFERR_USER;
	if (e->tc_valid && (addr & PAGE_MASK) == e->tc_gva &&
	    !(access & PFERR_FETCH) &&
	    !(access & (PFERR_WRITE | PFERR_USER) & ~e->tc_access)) {
		*gpa = e->tc_gpa | offset_in_page(addr);
		return X86EMUL_CONTINUE;
	}
	r = kvmlab_gva_to_gpa(vcpu, addr, access, gpa, &ec);
	if (r == WALK_OK)
		return X86EMUL_CONTINUE;
	/* A table outside guest memory reads as not present: the #PF the
	 * shadow fault path and the in-tree KVM give.
	 */
	if (r == WALK_ERROR)
		ec = access;
	ctxt->exception.vector = 14;
	ctxt->exception.error_code_valid = true;
	ctxt->exception.error_code = ec;
	ctxt->exception.address = addr;
	return X86EMUL_PROPAGATE_FAULT;
}

/* Guest RAM by linear address, page by page. */
static int ram_access(struct x86_emulate_ctxt *ctxt, u64 addr, void *val,
		      unsigned int bytes, u32 access)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);
	bool write = access & PFERR_WRITE;

	while (bytes) {
		unsigned int n = min_t(unsigned int, bytes,
				       PAGE_SIZE - offset_in_page(addr));
		u64 gpa;
		int r = translate(ctxt, addr, access, &gpa);

		if (r)
			return r;
		r = write ? kvmlab_write_guest(vcpu, gpa, val, n) :
			    kvmlab_read_guest(vcpu, gpa, val, n);
		if (r)
			return X86EMUL_UNHANDLEABLE;
		/* It may be a guest page table the shadow MMU follows. */
		if (write)
			kvmlab_shadow_guest_write(vcpu, gpa, n);
		addr += n;
		val += n;
		bytes -= n;
	}
	return X86EMUL_CONTINUE;
}

static int emul_read_std(struct x86_emulate_ctxt *ctxt, u64 addr, void *val,
			 unsigned int bytes, bool fetch)
{
	/* the instruction the guest just fetched through the shadow */
	if (fetch && !kvmlab_shadow_read(ctxt_vcpu(ctxt), addr, val, bytes))
		return X86EMUL_CONTINUE;
	return ram_access(ctxt, addr, val, bytes, fetch ? PFERR_FETCH : 0);
}

static int emul_write_std(struct x86_emulate_ctxt *ctxt, u64 addr,
			  const void *val, unsigned int bytes)
{
	return ram_access(ctxt, addr, (void *)val, bytes, PFERR_WRITE);
}

static int mmio_exit(struct kvmlab_vcpu *vcpu, u64 gpa, const void *val,
		     unsigned int bytes, bool write);

/* 1 = MMIO at *gpa, 0 = RAM, < 0 = an X86EMUL code to return. */
static int classify(struct x86_emulate_ctxt *ctxt, u64 addr,
		    unsigned int bytes, u64 *gpa, u32 access)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);
	bool mmio;
	int r = translate(ctxt, addr, access, gpa);

	if (r)
		return -r;
	mutex_lock(&vcpu->vm->mmu_lock);
	mmio = !kvmlab_gfn_to_slot(vcpu->vm, *gpa >> PAGE_SHIFT);
	mutex_unlock(&vcpu->vm->mmu_lock);
	if (!mmio)
		return 0;
	/* One exit carries at most 8 bytes, within one page. */
	if (bytes > 8 || offset_in_page(*gpa) + bytes > PAGE_SIZE)
		return -X86EMUL_UNHANDLEABLE;
	return 1;
}

/*
 * A write: every page it touches is translated first (a #PF leaves
 * memory untouched, as on the CPU), then RAM is written and the MMIO
 * parts go out in exits of at most 8 bytes, the first now and the rest
 * on the following KVM_RUNs (kvmlab_emulate_complete()).
 */
static int write_pages(struct x86_emulate_ctxt *ctxt, u64 addr,
		       const void *val, unsigned int bytes)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);
	struct kvmlab_emul *e = vcpu->emul;
	unsigned int len[2], npages = 0, i, off;
	u64 gpa[2], a = addr;
	int mmio[2];

	if (bytes > 16)
		return X86EMUL_UNHANDLEABLE;
	for (off = 0; off < bytes; off += len[npages++]) {
		len[npages] = min_t(unsigned int, bytes - off,
				    PAGE_SIZE - offset_in_page(a + off));
		mmio[npages] = classify(ctxt, a + off, min(len[npages], 8u),
					&gpa[npages], PFERR_WRITE);
		if (mmio[npages] < 0)
			return -mmio[npages];
	}
	e->nr_frags = 0;
	e->next_frag = 0;
	for (i = 0, off = 0; i < npages; off += len[i++]) {
		unsigned int done;
		int r;

		if (!mmio[i]) {
			r = ram_access(ctxt, a + off, (void *)val + off,
				       len[i], PFERR_WRITE);
			if (r)
				return r;
			continue;
		}
		for (done = 0; done < len[i]; done += 8) {
			struct kvmlab_mmio_frag *f = &e->frag[e->nr_frags++];

			f->gpa = gpa[i] + done;
			f->len = min(len[i] - done, 8u);
			memcpy(f->data, val + off + done, f->len);
		}
	}
	if (!e->nr_frags)
		return X86EMUL_CONTINUE;
	e->next_frag = 1;
	return mmio_exit(vcpu, e->frag[0].gpa, e->frag[0].data,
			 e->frag[0].len, true);
}

static int mmio_exit(struct kvmlab_vcpu *vcpu, u64 gpa, const void *val,
		     unsigned int bytes, bool write)
{
	struct kvmlab_emul *e = vcpu->emul;
	struct kvm_run *run = vcpu->run;

	vcpu->stat.mmio_exits++;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = bytes;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, val, bytes);
	e->gpa = gpa;
	e->len = bytes;
	trace_kvmlab_mmio(vcpu->vcpu_id, write ? KVMLAB_MMIO_WRITE :
			  KVMLAB_MMIO_READ_UNSATISFIED, gpa, bytes, val);
	return X86EMUL_IO_NEEDED;
}

static int emul_read_emulated(struct x86_emulate_ctxt *ctxt, u64 addr,
			      void *val, unsigned int bytes)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);
	struct kvmlab_emul *e = vcpu->emul;
	u64 gpa;
	int r = classify(ctxt, addr, bytes, &gpa, 0);

	if (r < 0)
		return -r;
	if (!r)
		return ram_access(ctxt, addr, val, bytes, 0);
	if (e->data_valid && e->gpa == gpa && e->len == bytes) {
		e->data_valid = false;
		memcpy(val, vcpu->run->mmio.data, bytes);
		trace_kvmlab_mmio(vcpu->vcpu_id, KVMLAB_MMIO_READ, gpa, bytes,
				  val);
		return X86EMUL_CONTINUE;
	}
	return mmio_exit(vcpu, gpa, NULL, bytes, false);
}

static int emul_write_emulated(struct x86_emulate_ctxt *ctxt, u64 addr,
			       const void *val, unsigned int bytes)
{
	return write_pages(ctxt, addr, val, bytes);
}

/* One vCPU per VM runs guest code that touches a given page here, so a
 * compare then write is atomic enough until SMP guests (issue 9).
 */
static int emul_cmpxchg_emulated(struct x86_emulate_ctxt *ctxt, u64 addr,
				 const void *old, const void *new,
				 unsigned int bytes)
{
	u8 cur[16];
	u64 gpa;
	int r = classify(ctxt, addr, min(bytes, 8u), &gpa, PFERR_WRITE);

	if (r < 0)
		return -r;
	/* MMIO, or a RAM operand crossing a page: no atomicity to keep */
	if (r || offset_in_page(addr) + bytes > PAGE_SIZE)
		return write_pages(ctxt, addr, new, bytes);
	if (bytes > sizeof(cur))
		return X86EMUL_UNHANDLEABLE;
	r = ram_access(ctxt, addr, cur, bytes, 0);
	if (r)
		return r;
	if (memcmp(cur, old, bytes))
		return X86EMUL_RETRY;
	return ram_access(ctxt, addr, (void *)new, bytes, PFERR_WRITE);
}

static int emul_unhandleable_pio(struct x86_emulate_ctxt *ctxt, u16 port,
				 void *val, unsigned int bytes)
{
	return X86EMUL_UNHANDLEABLE;	/* port I/O has its own exit path */
}

static int emul_pio_out(struct x86_emulate_ctxt *ctxt, u16 port,
			const void *val, unsigned int bytes)
{
	return X86EMUL_UNHANDLEABLE;
}

static int emul_get_cr(struct x86_emulate_ctxt *ctxt, int cr, u64 *val)
{
	struct kvm_sregs sr;

	kvmlab_arch->get_sregs(ctxt_vcpu(ctxt), &sr);
	switch (cr) {
	case 0: *val = sr.cr0; break;
	case 2: *val = sr.cr2; break;
	case 3: *val = sr.cr3; break;
	case 4: *val = sr.cr4; break;
	case 8: *val = sr.cr8; break;
	default: return X86EMUL_UNHANDLEABLE;
	}
	return X86EMUL_CONTINUE;
}

/* Control register writes reach the emulator with the shadow MMU, which
 * intercepts them.
 */
static int emul_set_cr(struct x86_emulate_ctxt *ctxt, int cr, u64 val)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);
	int r;

	trace_kvmlab_cr(vcpu->vcpu_id, true, cr, val);
	switch (cr) {
	case 0: r = kvmlab_set_cr0(vcpu, val); break;
	case 3: r = kvmlab_set_cr3(vcpu, val); break;
	case 4: r = kvmlab_set_cr4(vcpu, val); break;
	default: return X86EMUL_UNHANDLEABLE;
	}
	if (!r)
		return X86EMUL_CONTINUE;
	ctxt->exception.vector = 13;
	ctxt->exception.error_code_valid = true;
	ctxt->exception.error_code = 0;
	return X86EMUL_PROPAGATE_FAULT;
}

/* The in-tree KVM's DR6/DR7 masks (no RTM, no bus-lock detect). */
#define DR6_FIXED	0xffff0ff0ULL
#define DR6_VOLATILE	0x0000e00fULL
#define DR7_FIXED	0x400ULL
#define DR7_VOLATILE	0xffff2bffULL

/* The emulator maps DR4/5 to DR6/7 (or raises #UD) before calling. */
static int emul_get_dr(struct x86_emulate_ctxt *ctxt, int dr, u64 *val)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);

	*val = dr < 4 ? vcpu->db[dr] : dr == 6 ? vcpu->dr6 : vcpu->dr7;
	return X86EMUL_CONTINUE;
}

static int emul_set_dr(struct x86_emulate_ctxt *ctxt, int dr, u64 val)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);

	if (dr < 4) {
		vcpu->db[dr] = val;
		return X86EMUL_CONTINUE;
	}
	if (val >> 32) {
		ctxt->exception.vector = 13;
		ctxt->exception.error_code_valid = true;
		ctxt->exception.error_code = 0;
		return X86EMUL_PROPAGATE_FAULT;
	}
	if (dr == 6)
		vcpu->dr6 = (val & DR6_VOLATILE) | DR6_FIXED;
	else
		vcpu->dr7 = (val & DR7_VOLATILE) | DR7_FIXED;
	return X86EMUL_CONTINUE;
}

static int emul_invlpg(struct x86_emulate_ctxt *ctxt, u64 addr)
{
	struct kvmlab_vcpu *vcpu = ctxt_vcpu(ctxt);

	trace_kvmlab_invlpg(vcpu->vcpu_id, ctxt->rip, addr);
	if (vcpu->vm->mmu_ops->invlpg)
		vcpu->vm->mmu_ops->invlpg(vcpu, addr);
	else
		kvmlab_request_tlb_flush(vcpu);	/* nested paging */
	return X86EMUL_CONTINUE;
}

static int emul_set_table(struct x86_emulate_ctxt *ctxt, u64 base, u16 limit,
			  bool idt)
{
	struct kvm_dtable dt = { .base = base, .limit = limit };

	kvmlab_arch->set_dtable(ctxt_vcpu(ctxt), &dt, idt);
	return X86EMUL_CONTINUE;
}

static int emul_set_gdt(struct x86_emulate_ctxt *ctxt, u64 base, u16 limit)
{
	return emul_set_table(ctxt, base, limit, false);
}

static int emul_set_idt(struct x86_emulate_ctxt *ctxt, u64 base, u16 limit)
{
	return emul_set_table(ctxt, base, limit, true);
}

#ifndef KVMLAB_NOTRACE
/* Each step of each emulated instruction: the kvmlab_emulate event. */
static void emul_trace(struct x86_emulate_ctxt *ctxt, enum x86emul_step step,
		       int rc)
{
	trace_kvmlab_emulate(ctxt_vcpu(ctxt)->vcpu_id, ctxt, step, rc);
}
#endif

static const struct x86_emulate_ops kvmlab_emulate_ops = {
	.read_std		= emul_read_std,
	.write_std		= emul_write_std,
	.read_emulated		= emul_read_emulated,
	.write_emulated		= emul_write_emulated,
	.cmpxchg_emulated	= emul_cmpxchg_emulated,
	.pio_in			= emul_unhandleable_pio,
	.pio_out		= emul_pio_out,
	.get_cr			= emul_get_cr,
	.set_cr			= emul_set_cr,
	.get_dr			= emul_get_dr,
	.set_dr			= emul_set_dr,
	.invlpg			= emul_invlpg,
	.set_gdt		= emul_set_gdt,
	.set_idt		= emul_set_idt,
#ifndef KVMLAB_NOTRACE
	.trace			= emul_trace,
#endif
};

static void load_ctxt(struct kvmlab_vcpu *vcpu, struct x86_emulate_ctxt *c)
{
	static const int segs[X86EMUL_NR_SEGS] = {
		SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS
	};
	struct kvm_segment s;
	struct kvm_sregs sr;
	int i;

	memset(c, 0, sizeof(*c));
	c->ops = &kvmlab_emulate_ops;
	c->priv = vcpu;
	for (i = 0; i < X86EMUL_NR_SEGS; i++) {
		kvmlab_arch->get_segment(vcpu, &s, segs[i]);
		c->seg[i].base = s.base;
		c->seg[i].limit = s.limit;
		c->seg[i].selector = s.selector;
		c->seg[i].attr = s.type | s.s << 4 | s.dpl << 5 |
				 s.present << 7 | s.avl << 8 | s.l << 9 |
				 s.db << 10 | s.g << 11;
	}
	kvmlab_arch->get_sregs(vcpu, &sr);
	kvmlab_arch->get_segment(vcpu, &s, SEG_CS);
	if (!(sr.cr0 & X86_CR0_PE))
		c->mode = X86EMUL_MODE_REAL;
	else if ((sr.efer & EFER_LMA) && s.l)
		c->mode = X86EMUL_MODE_PROT64;
	else
		c->mode = s.db ? X86EMUL_MODE_PROT32 : X86EMUL_MODE_PROT16;
	kvmlab_arch->get_segment(vcpu, &s, SEG_SS);
	c->cpl = c->mode == X86EMUL_MODE_REAL ? 0 : s.dpl;
	c->intel = vcpu->guest_intel;
	memcpy(c->regs, vcpu->regs, sizeof(c->regs));
	c->rip = vcpu->rip;
	c->rflags = kvmlab_arch->get_rflags(vcpu);
}

static int finish(struct kvmlab_vcpu *vcpu, int rc)
{
	struct kvmlab_emul *e = vcpu->emul;
	struct x86_emulate_ctxt *c = &e->ctxt;

	memcpy(vcpu->regs, c->regs, sizeof(c->regs));
	/* Done: an STI/MOV SS shadow it ran in ends (the emulator runs
	 * neither), as the in-tree KVM's toggle_interruptibility().
	 */
	if (c->rip != vcpu->rip)
		kvmlab_arch->set_shadow(vcpu, 0);
	vcpu->rip = c->rip;
	kvmlab_arch->set_rflags(vcpu, c->rflags);
	e->read_pending = false;

	switch (rc) {
	case X86EMUL_CONTINUE:
	case X86EMUL_RETRY:
		return 1;
	case X86EMUL_IO_NEEDED:
		e->read_pending = c->io_read_pending;
		return 0;
	case X86EMUL_PROPAGATE_FAULT:
		if (c->exception.vector == 14)
			vcpu->cr2 = c->exception.address;
		kvmlab_arch->queue_exception(vcpu, c->exception.vector,
					     c->exception.error_code_valid,
					     c->exception.error_code);
		return 1;
	default:
		kvmlab_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
				      c->insn.avail, 0);
		vcpu->run->internal.ndata = 4;
		memcpy(&vcpu->run->internal.data[3], c->insn.bytes,
		       min_t(unsigned int, c->insn.avail, 8));
		return 0;
	}
}

/* Emulate the instruction at RIP: 1 = enter again, 0 = to userspace;
 * KVMLAB_EMUL_RETRY (@pt_retry only): not a page-table write, nothing done.
 */
static int emulate(struct kvmlab_vcpu *vcpu, bool pt_retry)
{
	struct kvmlab_emul *e = vcpu->emul;
	int rc;

	load_ctxt(vcpu, &e->ctxt);
	e->data_valid = false;
	e->nr_frags = 0;
	e->next_frag = 0;
	rc = x86_decode_insn(&e->ctxt, NULL, 0);
	if (rc == X86EMUL_CONTINUE && pt_retry &&
	    !x86_page_table_writing_insn(&e->ctxt))
		return KVMLAB_EMUL_RETRY;
	vcpu->stat.insn_emulation++;
	if (rc == X86EMUL_CONTINUE)
		rc = x86_emulate_insn(&e->ctxt);
	return finish(vcpu, rc);
}

int kvmlab_emulate_insn(struct kvmlab_vcpu *vcpu)
{
	vcpu->emul->tc_valid = false;
	return emulate(vcpu, false);
}

/* The guest wrote a write-protected page table (shadow fault path). */
int kvmlab_emulate_pt_write(struct kvmlab_vcpu *vcpu, bool may_retry)
{
	vcpu->emul->tc_valid = false;
	return emulate(vcpu, may_retry);
}

/*
 * The shadow fault path met MMIO at @gva -> @gpa, walking for @pfec:
 * the emulator's access to that page (not a fetch, and asking for no more
 * than the fault's write/user rights) uses this translation.
 */
int kvmlab_emulate_mmio(struct kvmlab_vcpu *vcpu, u64 gva, u64 gpa, u32 pfec)
{
	struct kvmlab_emul *e = vcpu->emul;

	e->tc_valid = !(pfec & PFERR_FETCH);
	e->tc_access = pfec & (PFERR_WRITE | PFERR_USER);
	e->tc_gva = gva & PAGE_MASK;
	e->tc_gpa = gpa & PAGE_MASK;
	return emulate(vcpu, false);
}

/* On KVM_RUN: finish an instruction that waited for MMIO read data. */
int kvmlab_emulate_complete(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_emul *e = vcpu->emul;

	if (e && e->next_frag < e->nr_frags) {
		struct kvmlab_mmio_frag *f = &e->frag[e->next_frag++];

		mmio_exit(vcpu, f->gpa, f->data, f->len, true);
		return 0;
	}
	if (!e || !e->read_pending)
		return 1;
	e->data_valid = true;
	return finish(vcpu, x86_emulate_insn(&e->ctxt));
}

int kvmlab_emul_init(struct kvmlab_vcpu *vcpu)
{
	vcpu->emul = kzalloc(sizeof(struct kvmlab_emul), GFP_KERNEL_ACCOUNT);
	return vcpu->emul ? 0 : -ENOMEM;
}

void kvmlab_emul_free(struct kvmlab_vcpu *vcpu)
{
	kfree(vcpu->emul);
	vcpu->emul = NULL;
}

/* The bytes at CS:RIP, for the fast paths that need no full decode:
 * through the shadow page tables the guest just fetched them with when
 * they map them, else through the guest's own.
 */
int kvmlab_read_insn(struct kvmlab_vcpu *vcpu, u8 *buf, unsigned int len)
{
	struct kvmlab_emul *e = vcpu->emul;
	struct kvm_segment cs;
	u64 la;

	kvmlab_arch->get_segment(vcpu, &cs, SEG_CS);
	if ((vcpu->efer & EFER_LMA) && cs.l)
		la = vcpu->rip;
	else
		la = (u32)(cs.base + vcpu->rip);
	if (!kvmlab_shadow_read(vcpu, la, buf, len))
		return 0;
	load_ctxt(vcpu, &e->ctxt);
	return ram_access(&e->ctxt, e->ctxt.seg[X86EMUL_CS].base + vcpu->rip,
			  buf, len, PFERR_FETCH);
}
