// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the architectural pieces every backend shares: CPUID, the MSR
 * ioctls, the SREGS consistency rules, and port I/O to userspace.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "kvmlab.h"
#include "mmu.h"
#include "trace.h"

/* ---- CPUID ---- */

/* What we let the guest see of the host's features (leaf, reg, mask). */
#define F(x)	BIT(x)
static const u32 leaf1_ecx = F(0) | F(1) | F(9) | F(12) | F(13) | F(19) |
	F(20) | F(22) | F(23) | F(25) | F(30);	/* SSE3..SSE4.2, AES, RDRAND */
static const u32 leaf1_edx = F(0) | F(1) | F(2) | F(3) | F(4) | F(5) |
	F(6) | F(8) | F(9) | F(11) | F(12) | F(13) | F(15) | F(16) | F(17) |
	F(19) | F(23) | F(24) | F(25) | F(26);
static const u32 leaf7_ebx = F(0) | F(3) | F(7) | F(8) | F(9) | F(19) |
	F(23);	/* FSGSBASE BMI1 SMEP BMI2 ERMS ADX CLFLUSHOPT */
static const u32 ext1_ecx = F(0) | F(5) | F(6) | F(8);
static const u32 ext1_edx = (leaf1_edx & ~(F(9) | F(23) | F(24) | F(25) |
	F(26))) | F(11) | F(20) | F(26) | F(29);	/* SYSCALL NX 1G LM */
#undef F

static void host_cpuid(struct kvm_cpuid_entry2 *e, u32 fn, u32 idx)
{
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
}

/* Leaf 0xD: the XSAVE components offered (xsave.c), no XSAVEOPT/C/S. */
static struct kvm_cpuid_entry2 *xsave_cpuid(struct kvm_cpuid_entry2 *p)
{
	u64 xcr0 = kvmlab_supported_xcr0();
	u32 i;

	for (i = 0; i <= 2; i++) {
		if (i == 2 && !(xcr0 & BIT(2)))
			break;
		host_cpuid(p, 0xd, i);
		p->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		if (i == 0) {
			p->eax = (u32)xcr0;
			p->edx = xcr0 >> 32;
			/* sizes: legacy area + header (+ AVX at 576) */
			p->ebx = p->ecx = xcr0 & BIT(2) ? 832 : 576;
		} else if (i == 1) {
			p->eax = p->ebx = p->ecx = p->edx = 0;
		}
		p++;
	}
	return p;
}

static int supported_cpuid(struct kvm_cpuid_entry2 *e)
{
	struct kvm_cpuid_entry2 *p = e;
	u64 xcr0 = kvmlab_supported_xcr0();

	host_cpuid(p, 0, 0);
	p->eax = min(p->eax, xcr0 ? 0xdu : 7u);
	p++;
	host_cpuid(p, 1, 0);
	p->ecx = (p->ecx & leaf1_ecx) | BIT(31);	/* hypervisor */
	if (xcr0)
		p->ecx |= BIT(26);			/* XSAVE */
	if (xcr0 & BIT(2))
		p->ecx |= BIT(28);			/* AVX */
	p->edx &= leaf1_edx;
	p->ebx &= 0x0000ffff;				/* APIC ID 0 */
	p++;
	host_cpuid(p, 7, 0);
	p->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	p->eax = 0;
	p->ebx &= leaf7_ebx;
	p->ecx = 0;
	p->edx = 0;
	p++;
	host_cpuid(p, 0x80000000, 0);
	p->eax = min(p->eax, 0x80000008u);
	p++;
	host_cpuid(p, 0x80000001, 0);
	p->ecx &= ext1_ecx;
	p->edx &= ext1_edx;
	p++;
	host_cpuid(p, 0x80000008, 0);
	p->ebx = p->ecx = p->edx = 0;
	p++;
	if (xcr0)
		p = xsave_cpuid(p);
	return p - e;
}

int kvmlab_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 e[12];
	struct kvm_cpuid2 c;
	int n;

	if (copy_from_user(&c, ucpuid, sizeof(c)))
		return -EFAULT;
	n = supported_cpuid(e);
	if (c.nent < n)
		return -E2BIG;
	if (copy_to_user(ucpuid->entries, e, n * sizeof(e[0])))
		return -EFAULT;
	c.nent = n;
	if (copy_to_user(ucpuid, &c, sizeof(c)))
		return -EFAULT;
	return 0;
}

/* The vendor string of the guest's CPUID leaf 0 is "GenuineIntel". */
static bool guest_is_intel(struct kvmlab_vcpu *vcpu)
{
	struct kvm_cpuid_entry2 *base = kvmlab_find_cpuid(vcpu, 0, 0);

	return base && base->ebx == 0x756e6547 && base->ecx == 0x6c65746e &&
	       base->edx == 0x49656e69;
}

int kvmlab_set_cpuid2(struct kvmlab_vcpu *vcpu,
		      struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 c;

	if (copy_from_user(&c, ucpuid, sizeof(c)))
		return -EFAULT;
	if (c.nent > KVMLAB_MAX_CPUID)
		return -E2BIG;
	e = kvmalloc_array(c.nent ?: 1, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	if (copy_from_user(e, ucpuid->entries, c.nent * sizeof(*e))) {
		kvfree(e);
		return -EFAULT;
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->nr_cpuid = c.nent;
	vcpu->guest_intel = guest_is_intel(vcpu);
	return 0;
}

struct kvm_cpuid_entry2 *kvmlab_find_cpuid(struct kvmlab_vcpu *vcpu, u32 fn,
					   u32 idx)
{
	int i;

	for (i = 0; i < vcpu->nr_cpuid; i++) {
		struct kvm_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == idx))
			return e;
	}
	return NULL;
}

/* Out-of-range leaves: Intel CPUs answer with the highest basic leaf,
 * AMD CPUs with zeros; the guest's vendor string decides, as in the
 * in-tree KVM.
 */
static struct kvm_cpuid_entry2 *out_of_range(struct kvmlab_vcpu *vcpu,
					     u32 fn, u32 idx)
{
	struct kvm_cpuid_entry2 *cls;

	if (!vcpu->guest_intel)	/* (so leaf 0 is there) */
		return NULL;
	cls = kvmlab_find_cpuid(vcpu, fn & 0x80000000, 0);
	if (cls && fn <= cls->eax)
		return NULL;
	return kvmlab_find_cpuid(vcpu, kvmlab_find_cpuid(vcpu, 0, 0)->eax, idx);
}

void kvmlab_emulate_cpuid(struct kvmlab_vcpu *vcpu)
{
	u32 fn = vcpu->regs[VCPU_RAX], idx = vcpu->regs[VCPU_RCX];
	struct kvm_cpuid_entry2 *e = kvmlab_find_cpuid(vcpu, fn, idx);
	u32 a = 0, b = 0, c = 0, d = 0;

	if (!e)
		e = out_of_range(vcpu, fn, idx);
	if (e) {
		a = e->eax;
		b = e->ebx;
		c = e->ecx;
		d = e->edx;
	}
	/* What changes with the guest's state: OSXSAVE, XSAVE's size */
	if (fn == 1 && (c & BIT(26))) {
		c &= ~BIT(27);
		if (vcpu->cr4 & X86_CR4_OSXSAVE)
			c |= BIT(27);
	}
	if (fn == 0xd && idx == 0 && e)
		b = vcpu->xcr0 & BIT(2) ? 832 : 576;
	vcpu->regs[VCPU_RAX] = a;
	vcpu->regs[VCPU_RBX] = b;
	vcpu->regs[VCPU_RCX] = c;
	vcpu->regs[VCPU_RDX] = d;
}

/* ---- MSRs ---- */

static const u32 kvmlab_msrs[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_TSC, MSR_IA32_CR_PAT, MSR_IA32_APICBASE, MSR_TSC_AUX,
};

int kvmlab_get_msr_index_list(struct kvm_msr_list __user *ulist)
{
	struct kvm_msr_list l;
	u32 n = ARRAY_SIZE(kvmlab_msrs);

	if (copy_from_user(&l, ulist, sizeof(l)))
		return -EFAULT;
	l.nmsrs = n;
	if (copy_to_user(ulist, &l, sizeof(l)))
		return -EFAULT;
	if (l.nmsrs < n)
		return -E2BIG;
	if (copy_to_user(ulist->indices, kvmlab_msrs, sizeof(kvmlab_msrs)))
		return -EFAULT;
	return 0;
}

/* KVM_GET_MSRS/KVM_SET_MSRS: the number of MSRs done, stopping at the
 * first one that fails, as the in-tree KVM.
 */
int kvmlab_get_msrs(struct kvmlab_vcpu *vcpu, struct kvm_msrs __user *umsrs,
		    bool set)
{
	struct kvm_msr_entry e;
	struct kvm_msrs m;
	u32 i;

	if (copy_from_user(&m, umsrs, sizeof(m)))
		return -EFAULT;
	if (m.nmsrs >= 256)	/* MAX_IO_MSRS */
		return -E2BIG;
	for (i = 0; i < m.nmsrs; i++) {
		if (copy_from_user(&e, &umsrs->entries[i], sizeof(e)))
			return -EFAULT;
		if (set) {
			if (kvmlab_set_msr_host(vcpu, e.index, e.data))
				break;
		} else {
			if (kvmlab_get_msr_host(vcpu, e.index, &e.data))
				break;
			if (copy_to_user(&umsrs->entries[i], &e, sizeof(e)))
				return -EFAULT;
		}
	}
	return i;
}

/* ---- SREGS ---- */

#define CR4_VALID	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
			 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
			 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
			 X86_CR4_FSGSBASE | X86_CR4_SMEP | X86_CR4_SMAP | \
			 X86_CR4_OSXSAVE)

/* The in-tree KVM's kvm_is_valid_sregs(), plus reserved CR bits. */
bool kvmlab_valid_sregs(const struct kvm_sregs *s)
{
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
		if (s->cr3 >> boot_cpu_data.x86_phys_bits)
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	if (s->cr4 & ~CR4_VALID)
		return false;
	if ((s->cr0 >> 32) || ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)))
		return false;
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return false;
	if (s->efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return false;
	return true;
}

/* ---- errors to userspace ---- */

void kvmlab_internal_error(struct kvmlab_vcpu *vcpu, u32 suberror,
			   u64 info0, u64 info1)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 3;
	run->internal.data[0] = info0;
	run->internal.data[1] = info1;
	run->internal.data[2] = vcpu->rip;
}

/* ---- port I/O ---- */

static const u8 seg_of_ioio[] = {
	SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_DS, SEG_DS
};

static unsigned long addr_mask(u8 addr_size)
{
	return addr_size == 8 ? ~0UL : (1UL << (addr_size * 8)) - 1;
}

/* The base a string operand's offset adds to: in 64-bit mode (*lm) only
 * FS and GS have one, and nothing wraps; elsewhere the sum wraps at 4 GiB.
 */
static u64 string_base(struct kvmlab_vcpu *vcpu, int seg, bool *lm)
{
	struct kvm_segment s;
	struct kvm_segment cs;

	kvmlab_arch->get_segment(vcpu, &cs, SEG_CS);
	*lm = cs.l;
	if (*lm && seg != SEG_FS && seg != SEG_GS)
		return 0;
	kvmlab_arch->get_segment(vcpu, &s, seg);
	return s.base;
}

static u64 string_la(u64 base, bool lm, unsigned long off)
{
	return lm ? base + off : (u32)(base + off);
}

static u32 string_cpl_access(struct kvmlab_vcpu *vcpu, u32 access)
{
	struct kvm_segment ss;
	struct kvm_sregs sr;

	kvmlab_arch->get_sregs(vcpu, &sr);
	kvmlab_arch->get_segment(vcpu, &ss, SEG_SS);
	if ((sr.cr0 & X86_CR0_PE) && ss.dpl == 3)
		access |= PFERR_USER;
	return access;
}

/*
 * Copy @n bytes between guest memory at linear @la and @buf through the
 * guest's page tables (which set A/D as the CPU would); @buf NULL only
 * translates.  0 = done, 1 = the access faults (*ec, *fault_la), < 0 =
 * not guest RAM.
 */
static int string_access(struct kvmlab_vcpu *vcpu, u64 la, void *buf,
			 unsigned int n, u32 access, u64 *fault_la, u32 *ec)
{
	while (n) {
		unsigned int part = min_t(unsigned int, n,
					  PAGE_SIZE - offset_in_page(la));
		u64 gpa;
		int r = kvmlab_gva_to_gpa(vcpu, la, access, &gpa, ec);

		if (r == WALK_FAULT) {
			*fault_la = la;
			return 1;
		}
		if (r != WALK_OK)
			return -EFAULT;
		mutex_lock(&vcpu->vm->mmu_lock);
		r = !kvmlab_gfn_to_slot(vcpu->vm, gpa >> PAGE_SHIFT);
		mutex_unlock(&vcpu->vm->mmu_lock);
		if (r)
			return -EOPNOTSUPP;	/* string I/O on MMIO */
		if (buf) {
			r = (access & PFERR_WRITE) ?
			    kvmlab_write_guest(vcpu, gpa, buf, part) :
			    kvmlab_read_guest(vcpu, gpa, buf, part);
			if (r)
				return r;
			if (access & PFERR_WRITE)
				kvmlab_shadow_guest_write(vcpu, gpa, part);
			buf += part;
		}
		la += part;
		n -= part;
	}
	return 0;
}

/*
 * Walk the elements of a string I/O between guest memory and the PIO
 * page (DF walks them downwards).  @probe only checks that each element
 * can be written, to trim the count before an IN reaches userspace.
 * Returns the number of elements that went through; an element that
 * faults ends the walk there, and when it is the first, the #PF is
 * queued and *faulted set, so the guest takes it with nothing done.
 */
static long pio_string_walk(struct kvmlab_vcpu *vcpu, bool to_guest,
			    bool probe, bool *faulted)
{
	struct kvmlab_pio *pio = &vcpu->pio;
	int reg = pio->in ? VCPU_RDI : VCPU_RSI;
	int seg = pio->in ? SEG_ES : seg_of_ioio[pio->seg];
	unsigned long mask = addr_mask(pio->addr_size);
	unsigned long off = vcpu->regs[reg];
	long step = (kvmlab_arch->get_rflags(vcpu) & X86_EFLAGS_DF) ?
		    -pio->size : pio->size;
	u32 access = string_cpl_access(vcpu, to_guest ? PFERR_WRITE : 0);
	u8 *data = vcpu->pio_data;
	u64 fault_la, base;
	u32 i, ec;
	bool lm;

	*faulted = false;
	base = string_base(vcpu, seg, &lm);
	for (i = 0; i < pio->count; i++, off += step) {
		u64 la = string_la(base, lm, off & mask);
		int r = string_access(vcpu, la,
				      probe ? NULL : data + i * pio->size,
				      pio->size, access, &fault_la, &ec);

		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (i == 0) {
			vcpu->cr2 = fault_la;
			kvmlab_arch->queue_exception(vcpu, 14, true, ec);
			*faulted = true;
		}
		break;
	}
	return i;
}

/* Elements done: RSI/RDI and, under REP, RCX move past them. */
static void pio_string_commit(struct kvmlab_vcpu *vcpu, u32 count)
{
	struct kvmlab_pio *pio = &vcpu->pio;
	int reg = pio->in ? VCPU_RDI : VCPU_RSI;
	unsigned long mask = addr_mask(pio->addr_size);
	long step = (kvmlab_arch->get_rflags(vcpu) & X86_EFLAGS_DF) ?
		    -pio->size : pio->size;
	unsigned long off = vcpu->regs[reg] + step * (long)count;

	vcpu->regs[reg] = (vcpu->regs[reg] & ~mask) | (off & mask);
	if (pio->rep) {
		unsigned long rcx = vcpu->regs[VCPU_RCX];

		vcpu->regs[VCPU_RCX] = (rcx & ~mask) | ((rcx - count) & mask);
	}
}

/*
 * The instruction is done: RIP moves past it.  An STI or MOV SS shadow it
 * ran in ends with it, at the next KVM_RUN (so that KVM_GET_VCPU_EVENTS
 * at this exit still shows it, as the in-tree KVM, which moves RIP then).
 */
static void pio_retire(struct kvmlab_vcpu *vcpu)
{
	vcpu->rip = vcpu->pio.next_rip;
	vcpu->pio.retired = true;
}

/* The string I/O is done when its count runs out: then RIP moves on. */
static void pio_string_advance(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_pio *pio = &vcpu->pio;

	if (!pio->rep || !(vcpu->regs[VCPU_RCX] & addr_mask(pio->addr_size)))
		pio_retire(vcpu);
}

static int pio_fail(struct kvmlab_vcpu *vcpu, int r)
{
	vcpu->pio.pending = false;
	kvmlab_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION, r,
			      vcpu->pio.port);
	return 0;
}

/*
 * CPUs with decode assists report a string I/O's address size and
 * segment in the exit information; TCG's SVM leaves them zero.  Then we
 * read them from the instruction's prefixes ourselves.
 */
static int pio_decode_prefixes(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_pio *pio = &vcpu->pio;
	struct kvm_segment cs;
	unsigned int n;
	u8 insn[15];
	u64 la, fault_la, base;
	u32 ec, access;
	bool lm;
	int i, r;

	kvmlab_arch->get_segment(vcpu, &cs, SEG_CS);
	pio->addr_size = cs.l ? 8 : cs.db ? 4 : 2;
	pio->seg = 3;	/* DS */
	/* the CPU just fetched it: to the page end is mapped, maybe more */
	base = string_base(vcpu, SEG_CS, &lm);
	la = string_la(base, lm, vcpu->rip);
	access = string_cpl_access(vcpu, PFERR_FETCH);
	n = min_t(unsigned int, sizeof(insn), PAGE_SIZE - offset_in_page(la));
	r = string_access(vcpu, la, insn, n, access, &fault_la, &ec);
	if (r)
		return r < 0 ? r : -EFAULT;
	if (n < sizeof(insn) &&
	    string_access(vcpu, la + n, insn + n, sizeof(insn) - n, access,
			  &fault_la, &ec))
		memset(insn + n, 0x90, sizeof(insn) - n);
	for (i = 0; i < sizeof(insn); i++) {
		switch (insn[i]) {
		case 0x67:
			pio->addr_size = cs.l ? 4 : pio->addr_size ^ 6;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			pio->seg = (insn[i] >> 3) & 3;
			continue;
		case 0x64: case 0x65:
			pio->seg = insn[i] - 0x60;
			continue;
		case 0x66: case 0xf0: case 0xf2: case 0xf3:
			continue;
		}
		if (cs.l && (insn[i] & 0xf0) == 0x40)
			continue;	/* REX */
		break;
	}
	return 0;
}

int kvmlab_pio_exit(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_pio *pio = &vcpu->pio;
	struct kvm_run *run = vcpu->run;
	int r;

	if (pio->string && !pio->addr_size) {
		r = pio_decode_prefixes(vcpu);
		if (r)
			return pio_fail(vcpu, r);
	}
	pio->count = 1;
	if (pio->string && pio->rep) {
		unsigned long n = vcpu->regs[VCPU_RCX] &
				  addr_mask(pio->addr_size);

		if (!n) {
			vcpu->rip = pio->next_rip;
			kvmlab_arch->set_shadow(vcpu, 0);
			return 1;
		}
		pio->count = min_t(unsigned long, n, PAGE_SIZE / pio->size);
	}
	if (pio->string) {
		bool faulted;
		long n = pio_string_walk(vcpu, pio->in, pio->in, &faulted);

		if (n < 0)
			return pio_fail(vcpu, n);
		if (faulted)
			return 1;	/* the guest takes its #PF */
		/* up to the first element that faults: it faults next time */
		pio->count = n;
		if (!pio->in) {
			pio_string_commit(vcpu, n);
			pio_string_advance(vcpu);
		}
	} else {
		if (!pio->in)
			memcpy(vcpu->pio_data, &vcpu->regs[VCPU_RAX], pio->size);
		pio_retire(vcpu);
	}
	if (!pio->in)
		trace_kvmlab_pio(vcpu->vcpu_id, false, pio->port, pio->size,
				 pio->count, vcpu->pio_data);
	pio->pending = pio->in;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = pio->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = pio->size;
	run->io.port = pio->port;
	run->io.count = pio->count;
	run->io.data_offset = PAGE_SIZE;
	return 0;
}

/* On the KVM_RUN after an IN exit: the data userspace left us. */
int kvmlab_complete_pio(struct kvmlab_vcpu *vcpu)
{
	struct kvmlab_pio *pio = &vcpu->pio;
	unsigned long *rax = &vcpu->regs[VCPU_RAX];
	bool faulted;
	long r;

	pio->pending = false;
	trace_kvmlab_pio(vcpu->vcpu_id, true, pio->port, pio->size, pio->count,
			 vcpu->pio_data);
	if (!pio->string) {
		unsigned long v = 0;

		memcpy(&v, vcpu->pio_data, pio->size);
		if (pio->size == 4)
			*rax = (u32)v;	/* 32-bit results zero-extend */
		else
			*rax = (*rax & ~((1UL << (pio->size * 8)) - 1)) | v;
		return 1;
	}
	/* probed before the exit: every element can be written */
	r = pio_string_walk(vcpu, true, false, &faulted);
	if (r != pio->count)
		return pio_fail(vcpu, r < 0 ? r : -EFAULT);
	pio_string_commit(vcpu, pio->count);
	pio_string_advance(vcpu);
	return 1;
}

/* ---- control registers: the architectural checks, then the backend
 * and the MMU hear of the change.  1 = the guest gets #GP.
 */

static void mmu_reset(struct kvmlab_vcpu *vcpu)
{
	if (vcpu->vm->mmu_ops->reset)
		vcpu->vm->mmu_ops->reset(vcpu);
}

/* PAE: the CPU loads the four PDPTEs when CR3 is written. */
static int load_pdptes(struct kvmlab_vcpu *vcpu, u64 cr3)
{
	u64 pdpte[4];
	int i;

	if (kvmlab_read_guest(vcpu, cr3 & 0xffffffe0, pdpte, sizeof(pdpte)))
		return 1;
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & (0x1e6 |
		    ~GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 0))))
			return 1;
	memcpy(vcpu->pdptes, pdpte, sizeof(pdpte));
	return 0;
}

static bool pae_paging(struct kvmlab_vcpu *vcpu, u64 cr0, u64 cr4)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) &&
	       !(vcpu->efer & EFER_LMA);
}

int kvmlab_set_cr0(struct kvmlab_vcpu *vcpu, u64 val)
{
	u64 old = vcpu->cr0;

	val |= X86_CR0_ET;
	if ((val >> 32) || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)))
		return 1;
	if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) &&
	    (vcpu->efer & EFER_LME)) {
		struct kvm_segment cs;

		kvmlab_arch->get_segment(vcpu, &cs, SEG_CS);
		if (!(vcpu->cr4 & X86_CR4_PAE) || cs.l)
			return 1;
		vcpu->efer |= EFER_LMA;
	} else if ((old & X86_CR0_PG) && !(val & X86_CR0_PG)) {
		if (vcpu->efer & EFER_LMA)
			vcpu->efer &= ~EFER_LMA;
	}
	if (!(old & X86_CR0_PG) && pae_paging(vcpu, val, vcpu->cr4) &&
	    load_pdptes(vcpu, vcpu->cr3))
		return 1;
	vcpu->cr0 = val;
	kvmlab_arch->update_cr(vcpu);
	if ((old ^ val) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
		mmu_reset(vcpu);
	return 0;
}

int kvmlab_set_cr3(struct kvmlab_vcpu *vcpu, u64 val)
{
	if ((vcpu->efer & EFER_LMA) &&
	    (val >> boot_cpu_data.x86_phys_bits))
		return 1;
	if (pae_paging(vcpu, vcpu->cr0, vcpu->cr4) && load_pdptes(vcpu, val))
		return 1;
	vcpu->cr3 = val;
	vcpu->stat.cr3_switch++;
	kvmlab_arch->update_cr(vcpu);
	if ((vcpu->cr0 & X86_CR0_PG) && vcpu->vm->mmu_ops->new_cr3)
		vcpu->vm->mmu_ops->new_cr3(vcpu);
	return 0;
}

static bool guest_has_xsave(struct kvmlab_vcpu *vcpu)
{
	struct kvm_cpuid_entry2 *e = kvmlab_find_cpuid(vcpu, 1, 0);

	return kvmlab_supported_xcr0() && e && (e->ecx & BIT(26));
}

int kvmlab_set_cr4(struct kvmlab_vcpu *vcpu, u64 val)
{
	u64 old = vcpu->cr4;

	if (val & ~CR4_VALID)
		return 1;
	if ((val & X86_CR4_OSXSAVE) && !guest_has_xsave(vcpu))
		return 1;
	if ((vcpu->efer & EFER_LMA) && !(val & X86_CR4_PAE))
		return 1;
	if (((old ^ val) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE)) &&
	    pae_paging(vcpu, vcpu->cr0, val) && load_pdptes(vcpu, vcpu->cr3))
		return 1;
	vcpu->cr4 = val;
	kvmlab_arch->update_cr(vcpu);
	/* A PGE toggle flushes the whole TLB, globals included. */
	if ((old ^ val) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE |
			   X86_CR4_SMEP | X86_CR4_SMAP))
		mmu_reset(vcpu);
	return 0;
}

int kvmlab_set_efer(struct kvmlab_vcpu *vcpu, u64 val, bool host)
{
	u64 old = vcpu->efer;

	if (val & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return 1;
	if (!host) {
		/* LMA is the CPU's; LME may not change while paging is on */
		val = (val & ~EFER_LMA) | (old & EFER_LMA);
		if ((vcpu->cr0 & X86_CR0_PG) && ((old ^ val) & EFER_LME))
			return 1;
	}
	vcpu->efer = val;
	kvmlab_arch->update_cr(vcpu);
	if ((old ^ val) & (EFER_NX | EFER_LMA))
		mmu_reset(vcpu);
	return 0;
}

/* KVM_SET_SREGS replaced the paging state wholesale. */
void kvmlab_sregs_changed(struct kvmlab_vcpu *vcpu)
{
	if (pae_paging(vcpu, vcpu->cr0, vcpu->cr4))
		load_pdptes(vcpu, vcpu->cr3);
	mmu_reset(vcpu);
}
