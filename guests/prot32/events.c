// SPDX-License-Identifier: GPL-2.0
/*
 * Events from userspace (vmrun's event port): NMIs (KVM_NMI), an
 * interrupt (KVM_INTERRUPT) and exceptions (KVM_SET_VCPU_EVENTS).  When
 * each arrives, NMIs blocked until IRET and coalesced to two, the NMI
 * before the interrupt, the STI shadow holding the interrupt back, and
 * the NMI state set from userspace; vmrun prints what
 * KVM_GET_VCPU_EVENTS reports on the way (EVENTS lines).
 */
#include "guest.h"

#define IRQ_VEC	0x40

static volatile u32 nmis, depth, nested, reenter, inner;
static volatile u32 irqs, irq_eip, gps, gp_err, gp_eip, uds, ud_eip;
static volatile char order[8];
static volatile u32 norder;

void nmi_entry(void);
void irq_entry(void);
void gp_entry(void);
void ud_entry(void);
void nmi_c(void);
void irq_c(const u32 *frame);
void gp_c(const u32 *frame);
void ud_c(const u32 *frame);

/* 32-bit interrupt-gate stubs: frame = [error code,] EIP, CS, EFLAGS */
asm(".globl nmi_entry\nnmi_entry:\n\t"
    "pushal\n\tcall nmi_c\n\tpopal\n\tiretl\n"
    ".globl irq_entry\nirq_entry:\n\t"
    "pushal\n\tlea 32(%esp), %eax\n\tpush %eax\n\tcall irq_c\n\t"
    "add $4, %esp\n\tpopal\n\tiretl\n"
    ".globl gp_entry\ngp_entry:\n\t"
    "pushal\n\tlea 32(%esp), %eax\n\tpush %eax\n\tcall gp_c\n\t"
    "add $4, %esp\n\tpopal\n\tadd $4, %esp\n\tiretl\n"
    ".globl ud_entry\nud_entry:\n\t"
    "pushal\n\tlea 32(%esp), %eax\n\tpush %eax\n\tcall ud_c\n\t"
    "add $4, %esp\n\tpopal\n\tiretl\n");

static void event(u32 cmd, u32 arg)
{
	asm volatile("outl %0, %1" :: "a"(EVENT_CMD(cmd, arg)),
		     "Nd"(PORT_EVENT) : "memory");
}

/* The event, and the address the guest goes on at after its OUT. */
static u32 event_at(u32 cmd, u32 arg)
{
	u32 after;

	asm volatile("outl %1, %2\n.Lafter%=:\n\tmovl $.Lafter%=, %0"
		     : "=&r"(after) : "a"(EVENT_CMD(cmd, arg)),
		       "d"(PORT_EVENT) : "memory");
	return after;
}

static void log_event(char c)
{
	if (norder < sizeof(order) - 1)
		order[norder++] = c;
}

void nmi_c(void)
{
	if (++depth > 1)
		nested++;
	nmis++;
	log_event('N');
	if (reenter) {
		/* NMIs are blocked here: this one waits for the IRET */
		reenter = 0;
		event(EVENT_NMI, 1);
		inner = nmis;
		event(EVENT_SHOW, 0);
	}
	depth--;
}

void irq_c(const u32 *frame)
{
	irqs++;
	irq_eip = frame[0];
	log_event('I');
}

void gp_c(const u32 *frame)
{
	gps++;
	gp_err = frame[0];
	gp_eip = frame[1];
}

void ud_c(const u32 *frame)
{
	uds++;
	ud_eip = frame[0];
}

static void test_nmis(void)
{
	u32 n0 = nmis;

	event(EVENT_NMI, 1);
	report(nmis - n0 == 1, "nmi-right-after-out");
	n0 = nmis;
	event(EVENT_NMI, 3);
	value("nmis-of-three", nmis - n0);
	report(nmis - n0 == 2, "nmi-three-coalesce-to-two");
	event(EVENT_SHOW, 0);

	n0 = nmis;
	reenter = 1;
	event(EVENT_NMI, 1);
	value("nmis-in-handler", inner - n0);
	report(inner - n0 == 1, "nmi-blocked-until-iret");
	report(nmis - n0 == 2, "nmi-right-after-iret");
	report(nested == 0, "nmi-never-nested");
}

static void test_order_and_shadow(void)
{
	u32 i0 = irqs, label;

	norder = 0;
	event(EVENT_IRQ, IRQ_VEC);	/* IF=0: vmrun opens the window */
	event(EVENT_NMI, 1);		/* NMIs ignore IF */
	asm volatile("sti; cli" ::: "memory");
	report(irqs == i0, "irq-held-by-sti-shadow");
	asm volatile("sti\n\tnop\n.Lirq%=:\n\tcli\n\tmovl $.Lirq%=, %0"
		     : "=r"(label) :: "memory");
	report(irqs - i0 == 1, "irq-after-sti-shadow");
	report(irq_eip == label, "irq-at-instruction-after-shadow");
	order[norder] = 0;
	report(order[0] == 'N' && order[1] == 'I' && norder == 2,
	       "nmi-before-irq");

	/* the shadow as KVM_GET_VCPU_EVENTS sees it at an OUT */
	asm volatile("sti\n\toutl %0, %1\n\tcli" ::
		     "a"(EVENT_CMD(EVENT_SHOW, EVENT_SHOW_SHADOW)),
		     "Nd"(PORT_EVENT) :
		     "memory");
	event(EVENT_SHOW, 0);
}

/*
 * The shadowed instruction is an MMIO read the driver emulates (KVM_EXIT_MMIO
 * and back): the shadow ends with it, so the interrupt comes right after it
 * and the OUT after it is in no shadow.
 */
static void test_shadow_mmio(void)
{
	u32 i0 = irqs, label, v;

	event(EVENT_IRQ, IRQ_VEC);
	asm volatile("sti\n\tmovl (%2), %1\n.Lmm%=:\n\tnop\n\tcli\n\t"
		     "movl $.Lmm%=, %0"
		     : "=r"(label), "=r"(v) : "r"(MMIO_BASE + MMIO_ID) :
		     "memory");
	report(v == MMIO_ID_VALUE, "mmio-read-in-shadow");
	report(irqs - i0 == 1 && irq_eip == label, "irq-right-after-mmio-in-shadow");
	asm volatile("sti\n\tmovl (%1), %0\n\toutl %2, %3\n\tcli"
		     : "=&r"(v) : "r"(MMIO_BASE + MMIO_ID),
		       "a"(EVENT_CMD(EVENT_SHOW, 0)), "Nd"(PORT_EVENT) : "memory");
}

static void test_exceptions(void)
{
	u32 at;

	at = event_at(EVENT_EXC, 13 | EVENT_EXC_ERR | 0x1234 << 8);
	value("gp-error-code", gp_err);
	report(gps == 1 && gp_err == 0x1234, "set-events-gp-with-error-code");
	report(gp_eip == at, "set-events-gp-after-out");
	at = event_at(EVENT_EXC, 6);
	report(uds == 1 && ud_eip == at, "set-events-ud");
	/* NMI's vector and vectors above 31 are refused: EINVAL */
	event(EVENT_EXC, 2);
	event(EVENT_EXC, 32);
	report(gps == 1 && uds == 1, "set-events-bad-vector-ignored");
}

static void test_nmi_state(void)
{
	u32 n0 = nmis, n1;

	event(EVENT_NMI_PENDING, 1);
	report(nmis - n0 == 1, "set-events-nmi-pending");

	event(EVENT_NMI_MASK, 1);
	n0 = nmis;
	event(EVENT_NMI, 1);
	n1 = nmis;
	event(EVENT_SHOW, 0);
	/* an IRET to the next instruction unmasks NMIs */
	asm volatile("pushfl\n\tpushl %%cs\n\tpushl $1f\n\tiretl\n1:"
		     ::: "memory");
	report(n1 == n0, "set-events-nmi-masked");
	report(nmis - n0 == 1, "nmi-after-iret-unmasks");
	event(EVENT_SHOW, 0);
}

int main(void)
{
	idt_install();
	idt_set_gate(2, nmi_entry, 0);
	idt_set_gate(6, ud_entry, 0);
	idt_set_gate(13, gp_entry, 0);
	idt_set_gate(IRQ_VEC, irq_entry, 0);
	cli();

	test_nmis();
	test_order_and_shadow();
	test_shadow_mmio();
	test_exceptions();
	test_nmi_state();
	value("nmis", nmis);
	value("irqs", irqs);
	return 0;
}
