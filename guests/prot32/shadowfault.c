// SPDX-License-Identifier: GPL-2.0
/*
 * An interrupt waits (IF=0, vmrun asked for the window) while the guest
 * runs STI and then an instruction whose first touch of a page exits
 * (shadow fault, or nested page fault): that exit comes inside the STI
 * shadow.  The interrupt must still arrive after the shadowed
 * instruction, not on it.
 *
 * kvmlab only: under QEMU's TCG, VMRUN does not reload the shadow saved
 * at the exit, so a hypervisor that arms a virtual interrupt (V_IRQ) for
 * the window gets it on the shadowed instruction; the in-tree KVM does,
 * and fails here in the lab (not on a real CPU).  kvmlab steps over the
 * shadowed instruction first (svm_step_shadow()).
 */
#include "guest.h"

#define IRQ_VEC	0x41
#define ROUNDS	4

static volatile u32 irqs, irq_eip;

void irq_entry(void);
void irq_c(const u32 *frame);

asm(".globl irq_entry\nirq_entry:\n\t"
    "pushal\n\tlea 32(%esp), %eax\n\tpush %eax\n\tcall irq_c\n\t"
    "add $4, %esp\n\tpopal\n\tiretl\n");

void irq_c(const u32 *frame)
{
	irqs++;
	irq_eip = frame[0];
}

int main(void)
{
	u32 i, after, v;

	idt_install();
	idt_set_gate(IRQ_VEC, irq_entry, 0);
	cli();
	for (i = 0; i < ROUNDS; i++) {
		/* a page no one touched yet, each in its own 2 MiB */
		volatile u32 *fresh = (volatile u32 *)((6 + 2 * i) << 20);

		asm volatile("outl %0, %1" ::
			     "a"(EVENT_CMD(EVENT_IRQ, IRQ_VEC)),
			     "Nd"(PORT_EVENT) : "memory");
		asm volatile("sti\n\tmovl (%2), %1\n.Lafter%=:\n\tcli\n\t"
			     "movl $.Lafter%=, %0"
			     : "=r"(after), "=r"(v) : "r"(fresh) : "memory");
		report(irqs == i + 1, "irq-%u-taken", i);
		report(irq_eip == after, "irq-%u-after-shadowed-fault", i);
		if (irq_eip != after)
			value("irq-eip-minus-after", irq_eip - after);
		report(v == 0, "irq-%u-load-done", i);
	}
	value("irqs", irqs);
	return 0;
}
