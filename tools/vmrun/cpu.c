// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU set-up: the CPUID table, and the processor mode the guest starts in
 * (segments through KVM_SET_SREGS, a GDT and page tables in guest memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmrun.h"

#define CR0_PE		(1u << 0)
#define CR0_ET		(1u << 4)
#define CR0_PG		(1u << 31)
#define CR4_PAE		(1u << 5)
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)

#define MAX_CPUID	256

static void set_leaf(struct kvm_cpuid2 *c, uint32_t fn, uint32_t a, uint32_t b,
		     uint32_t cx, uint32_t d)
{
	struct kvm_cpuid_entry2 *e = NULL;

	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == 0)
			e = &c->entries[i];
	if (!e) {
		if (c->nent == MAX_CPUID)
			die("CPUID table full");
		e = &c->entries[c->nent++];
	}
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->eax = a;
	e->ebx = b;
	e->ecx = cx;
	e->edx = d;
}

/*
 * The host's supported table with known values on top: leaf 0's max basic
 * leaf is fixed (the vendor stays the host's), the hypervisor range
 * 0x40000000.. is replaced by vmrun's own two leaves.
 */
int setup_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_CPUID * sizeof(c->entries[0]));

	c->nent = MAX_CPUID;
	if (ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c) < 0)
		die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));

	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nent; i++) {
		uint32_t fn = c->entries[i].function;
		if ((fn >> 28) == 4 || (fn < 0x80000000u && fn > VMRUN_CPUID_MAX_BASIC))
			continue;
		c->entries[n++] = c->entries[i];
	}
	c->nent = n;
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0)
			c->entries[i].eax = VMRUN_CPUID_MAX_BASIC;
	/* "kvmlabvmrun " */
	set_leaf(c, VMRUN_CPUID_BASE, VMRUN_CPUID_TEST, 0x6c6d766b, 0x6d766261,
		 0x206e7572);
	set_leaf(c, VMRUN_CPUID_TEST, VMRUN_CPUID_TEST_EAX, VMRUN_CPUID_TEST_EBX,
		 VMRUN_CPUID_TEST_ECX, VMRUN_CPUID_TEST_EDX);
	if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2: %s", strerror(errno));
	free(c);
	return 0;
}

static void seg(struct kvm_segment *s, uint16_t sel, int code, int db, int l)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->type = code ? 0xb : 0x3;	/* execute/read accessed, read/write accessed */
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = 1;
}

static uint64_t gdt_entry(uint32_t base, uint32_t limit, unsigned int access,
			  unsigned int flags)
{
	return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

/* GDT at VMRUN_GDT_ADDR matching the segments given in KVM_SET_SREGS. */
static void write_gdt(struct vm *vm, struct kvm_sregs *sr)
{
	uint64_t gdt[6] = {
		0,
		gdt_entry(0, 0xfffff, 0x9b, 0xc),	/* SEL_CODE32 */
		gdt_entry(0, 0xfffff, 0x93, 0xc),	/* SEL_DATA */
		gdt_entry(0, 0xfffff, 0x9b, 0xa),	/* SEL_CODE64 */
		gdt_entry(0, 0xffff, 0x9b, 0x0),	/* SEL_CODE16 */
		gdt_entry(0, 0xffff, 0x93, 0x0),	/* SEL_DATA16 */
	};

	memcpy(vm->mem + VMRUN_GDT_ADDR, gdt, sizeof(gdt));
	sr->gdt.base = VMRUN_GDT_ADDR;
	sr->gdt.limit = sizeof(gdt) - 1;
}

/*
 * Identity map of the low 4 GiB with 2 MiB pages (so the MMIO window is
 * reachable): PAE uses PDPT at PT+0x1000 and 4 PDs at PT+0x2000..;
 * long mode adds the PML4 at PT.
 */
static uint64_t write_page_tables(struct vm *vm, int longmode)
{
	uint64_t *pml4 = (uint64_t *)(vm->mem + VMRUN_PT_ADDR);
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;
	uint64_t pdpt_gpa = VMRUN_PT_ADDR + 0x1000, pd_gpa = VMRUN_PT_ADDR + 0x2000;

	memset(pml4, 0, 6 * 0x1000);
	pml4[0] = pdpt_gpa | 0x3;
	for (int i = 0; i < 4; i++)	/* PAE PDPTEs take only P: R/W is reserved */
		pdpt[i] = (pd_gpa + i * 0x1000ull) | (longmode ? 0x3 : 0x1);
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83;	/* P, R/W, PS */
	return longmode ? VMRUN_PT_ADDR : pdpt_gpa;
}

int setup_mode(struct vm *vm)
{
	struct kvm_sregs sr;
	struct kvm_regs regs;

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
		die("KVM_GET_SREGS: %s", strerror(errno));
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = vm->entry;

	if (vm->mode == MODE_REAL) {
		struct kvm_segment *all[] = { &sr.cs, &sr.ds, &sr.es, &sr.fs, &sr.gs, &sr.ss };
		for (size_t i = 0; i < 6; i++) {
			seg(all[i], 0, all[i] == &sr.cs, 0, 0);
			all[i]->limit = 0xffff;
			all[i]->g = 0;
		}
		if (vm->entry > 0xffff)
			die("real-mode entry 0x%llx above 64 KiB",
			    (unsigned long long)vm->entry);
		sr.cr0 = CR0_ET;
		sr.cr4 = 0;
		sr.efer = 0;
	} else {
		int lm = vm->mode == MODE_LONG;
		write_gdt(vm, &sr);
		seg(&sr.cs, lm ? SEL_CODE64 : SEL_CODE32, 1, !lm, lm);
		seg(&sr.ds, SEL_DATA, 0, 1, 0);
		sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
		sr.cr0 = CR0_PE | CR0_ET;
		sr.cr4 = 0;
		sr.efer = 0;
		if (vm->mode != MODE_PROT32) {
			sr.cr3 = write_page_tables(vm, lm);
			sr.cr4 |= CR4_PAE;
			sr.cr0 |= CR0_PG;
		}
		if (lm)
			sr.efer |= EFER_LME | EFER_LMA;
	}
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sr) < 0)
		die("KVM_SET_SREGS: %s", strerror(errno));
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

#define R(name) #name, (unsigned long long)regs.name
void print_regs(struct vm *vm, const char *prefix)
{
	struct kvm_regs regs;
	struct kvm_sregs sr;

	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sr) < 0) {
		out(vm, "%sREGS unavailable: %s\n", prefix, strerror(errno));
		return;
	}
	out(vm, "%sREGS %s=0x%llx %s=0x%llx %s=0x%llx %s=0x%llx\n", prefix,
	    R(rax), R(rbx), R(rcx), R(rdx));
	out(vm, "%sREGS %s=0x%llx %s=0x%llx %s=0x%llx %s=0x%llx\n", prefix,
	    R(rsi), R(rdi), R(rsp), R(rbp));
	if (vm->mode == MODE_LONG) {
		out(vm, "%sREGS %s=0x%llx %s=0x%llx %s=0x%llx %s=0x%llx\n", prefix,
		    R(r8), R(r9), R(r10), R(r11));
		out(vm, "%sREGS %s=0x%llx %s=0x%llx %s=0x%llx %s=0x%llx\n", prefix,
		    R(r12), R(r13), R(r14), R(r15));
	}
	out(vm, "%sREGS %s=0x%llx %s=0x%llx\n", prefix, R(rip), R(rflags));
	out(vm, "%sSREGS cs=0x%x ds=0x%x ss=0x%x cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx\n",
	    prefix, sr.cs.selector, sr.ds.selector, sr.ss.selector,
	    (unsigned long long)sr.cr0, (unsigned long long)sr.cr3,
	    (unsigned long long)sr.cr4, (unsigned long long)sr.efer);
}
