// SPDX-License-Identifier: GPL-2.0
/*
 * Events from userspace in real mode (vmrun's event port): an NMI
 * (KVM_NMI), an interrupt (KVM_INTERRUPT, held back by IF=0 and the STI
 * shadow) and an exception (KVM_SET_VCPU_EVENTS), each through the IVT
 * with the real-mode frame: IP, CS, FLAGS.  The handlers record the
 * frame's IP and FLAGS (IF and IOPL: VT-x's vm86 mode must not show its
 * IOPL 3 there) and IF inside the handler.
 */
#include "guest.h"
#include "ivt.h"

#define IRQ_VEC	0x40

volatile u16 nmi_n, nmi_ip, nmi_fl, nmi_in;
volatile u16 irq_n, irq_ip, irq_fl, irq_in;
volatile u16 ud_n, ud_ip, ud_fl, ud_in;
void nmi_handler(void);
void irq_handler(void);
void ud_handler(void);
extern char after_nmi[], irq_at[], after_ud[];

/* One handler per event: count, frame IP and FLAGS, FLAGS inside. */
#define HANDLER(name, pfx)						\
	".globl " name "\n" name ":\n\t"				\
	"pushw %bp\n\tpushw %ax\n\tmovw %sp, %bp\n\t"			\
	"incw " pfx "_n\n\t"						\
	"movw 4(%bp), %ax\n\tmovw %ax, " pfx "_ip\n\t"			\
	"movw 8(%bp), %ax\n\tmovw %ax, " pfx "_fl\n\t"			\
	"pushfw\n\tpopw %ax\n\tmovw %ax, " pfx "_in\n\t"		\
	"popw %ax\n\tpopw %bp\n\tiretw\n"

asm(".code16gcc\n"
    HANDLER("nmi_handler", "nmi")
    HANDLER("irq_handler", "irq")
    HANDLER("ud_handler", "ud"));

int main(void)
{
	set_vector(2, nmi_handler);
	set_vector(IRQ_VEC, irq_handler);
	set_vector(6, ud_handler);

	/* NMI: right after the OUT, IF=0 or not */
	asm volatile("outl %0, %1\n.globl after_nmi\nafter_nmi:"
		     :: "a"(EVENT_CMD(EVENT_NMI, 1)), "d"(PORT_EVENT)
		     : "memory");
	value("nmi-count", nmi_n);
	report(nmi_ip == (u16)(uintptr_t)after_nmi, "nmi-frame-ip");
	value("nmi-frame-flags", nmi_fl & 0x3200);
	value("nmi-handler-if", nmi_in & 0x200);

	/* IRQ: queued with IF=0; taken after STI's shadow (the NOP) */
	asm volatile("outl %0, %1" :: "a"(EVENT_CMD(EVENT_IRQ, IRQ_VEC)),
		     "d"(PORT_EVENT) : "memory");
	value("irq-count-cli", irq_n);
	asm volatile("sti\n\tnop\n.globl irq_at\nirq_at:\n\tcli" ::: "memory");
	value("irq-count", irq_n);
	report(irq_ip == (u16)(uintptr_t)irq_at, "irq-after-sti-shadow");
	value("irq-frame-flags", irq_fl & 0x3200);
	value("irq-handler-if", irq_in & 0x200);

	/* exception from KVM_SET_VCPU_EVENTS: #UD, no error code */
	asm volatile("outl %0, %1\n.globl after_ud\nafter_ud:"
		     :: "a"(EVENT_CMD(EVENT_EXC, 6)), "d"(PORT_EVENT)
		     : "memory");
	value("ud-count", ud_n);
	report(ud_ip == (u16)(uintptr_t)after_ud, "ud-frame-ip");
	value("ud-frame-flags", ud_fl & 0x3200);
	return 0;
}
