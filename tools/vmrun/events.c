// SPDX-License-Identifier: GPL-2.0
/*
 * The event port (guests/lib/ports.h, PORT_EVENT): NMIs, interrupts and
 * exceptions injected through KVM_NMI, KVM_INTERRUPT and
 * KVM_SET_VCPU_EVENTS, and the events in flight printed from
 * KVM_GET_VCPU_EVENTS.  The interrupt follows the userspace-irqchip
 * protocol QEMU uses: KVM_INTERRUPT only when the driver says the guest is
 * ready, the interrupt window asked for until then.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmrun.h"

static int get_events(struct vm *vm, struct kvm_vcpu_events *e)
{
	memset(e, 0, sizeof(*e));
	if (ioctl(vm->vcpu_fd, KVM_GET_VCPU_EVENTS, e) == 0)
		return 0;
	out(vm, "FAIL events-get: %s\n", strerrorname_np(errno));
	vm->fails++;
	return -1;
}

static int set_events(struct vm *vm, struct kvm_vcpu_events *e,
		      const char *what)
{
	if (ioctl(vm->vcpu_fd, KVM_SET_VCPU_EVENTS, e) == 0)
		return 0;
	out(vm, "EVENTS %s: %s\n", what, strerrorname_np(errno));
	return -1;
}

/* The guest-visible meaning only: no stale vector, the shadow as a bit. */
static void show(struct vm *vm, const struct kvm_vcpu_events *e)
{
	out(vm, "EVENTS exception=%u", e->exception.injected);
	if (e->exception.injected)
		out(vm, "/%u/%u/0x%x", e->exception.nr,
		    e->exception.has_error_code, e->exception.error_code);
	out(vm, " interrupt=%u", e->interrupt.injected);
	if (e->interrupt.injected)
		out(vm, "/%u", e->interrupt.nr);
	out(vm, " shadow=%u nmi=%u/%u/%u\n", !!e->interrupt.shadow,
	    e->nmi.injected, e->nmi.pending, e->nmi.masked);
}

/*
 * The guest says whether its OUT sits in an STI shadow: a check of its
 * own, so that a TCG artifact on the in-tree KVM is a FAIL the lab suite
 * retries, not only a line that differs.
 */
static void show_round_trip(struct vm *vm, int want_shadow)
{
	struct kvm_vcpu_events a, b;

	if (get_events(vm, &a) || set_events(vm, &a, "set-same") ||
	    get_events(vm, &b))
		return;
	if (memcmp(&a, &b, sizeof(a))) {
		out(vm, "FAIL events-round-trip\n");
		vm->fails++;
	}
	if (!!a.interrupt.shadow != want_shadow) {
		out(vm, "FAIL events-shadow: the OUT is %sin an STI shadow, KVM_GET_VCPU_EVENTS says shadow=%u\n",
		    want_shadow ? "" : "not ", a.interrupt.shadow);
		vm->fails++;
	}
	show(vm, &b);
}

void event_port(struct vm *vm, uint32_t v)
{
	uint32_t arg = v & 0xffffff;
	struct kvm_vcpu_events e;

	console_flush(vm);
	switch (v >> 24) {
	case EVENT_NMI:
		while (arg--)
			if (ioctl(vm->vcpu_fd, KVM_NMI, 0) < 0)
				out(vm, "EVENTS nmi: %s\n",
				    strerrorname_np(errno));
		break;
	case EVENT_IRQ:
		vm->irq_vector = (int)(arg & 0xff);
		break;
	case EVENT_EXC:
		if (get_events(vm, &e))
			break;
		e.exception.injected = 1;
		e.exception.nr = arg & 0xff;
		e.exception.has_error_code = !!(arg & EVENT_EXC_ERR);
		e.exception.error_code = e.exception.has_error_code ?
					 (arg >> 8) & 0x7fff : 0;
		set_events(vm, &e, "set-exception");
		break;
	case EVENT_SHOW:
		show_round_trip(vm, arg & EVENT_SHOW_SHADOW);
		break;
	case EVENT_NMI_MASK:
	case EVENT_NMI_PENDING:
		if (get_events(vm, &e))
			break;
		if (v >> 24 == EVENT_NMI_MASK) {
			e.nmi.masked = arg & 1;
		} else {
			e.nmi.pending = arg & 1;
			e.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING;
		}
		set_events(vm, &e, "set-nmi");
		break;
	default:
		out(vm, "PIO unhandled out port=0x%x size=4 value=0x%x\n",
		    PORT_EVENT, v);
	}
}

/* Before each KVM_RUN: the interrupt in, or the window asked for. */
void event_pre_run(struct vm *vm)
{
	struct kvm_interrupt irq;

	vm->run->request_interrupt_window = 0;
	if (vm->irq_vector < 0)
		return;
	if (!vm->run->ready_for_interrupt_injection) {
		vm->run->request_interrupt_window = 1;
		return;
	}
	irq.irq = (uint32_t)vm->irq_vector;
	if (ioctl(vm->vcpu_fd, KVM_INTERRUPT, &irq) < 0)
		out(vm, "EVENTS interrupt: %s\n", strerrorname_np(errno));
	vm->irq_vector = -1;
}
