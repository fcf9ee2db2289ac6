// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu-events: KVM_GET/SET_VCPU_EVENTS and KVM_NMI on a vCPU that has not
 * run: the flags and vectors refused (EINVAL), what a GET reports after
 * each SET (round trips), NMIs counted as pending, and the capabilities.
 * Expectations are the in-tree KVM's (Linux 6.1, kvm-amd).  The guest-
 * visible side (delivery) is guests/prot32/events.
 */
#include "abi.h"

#define ALL_FLAGS (KVM_VCPUEVENT_VALID_NMI_PENDING | \
		   KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM)

static int vcpu_fd;

static int get(struct kvm_vcpu_events *e)
{
	memset(e, 0xa5, sizeof(*e));	/* the driver must fill it all */
	return ioctl(vcpu_fd, KVM_GET_VCPU_EVENTS, e);
}

static long set(const struct kvm_vcpu_events *e)
{
	return ioctl(vcpu_fd, KVM_SET_VCPU_EVENTS, e);
}

/* Back to nothing in flight, nothing masked. */
static void clear(void)
{
	struct kvm_vcpu_events e = { .flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
					      KVM_VCPUEVENT_VALID_SHADOW };

	if (set(&e))
		fail("events-clear", "expected 0 got -1/%s",
		     strerrorname_np(errno));
}

static void test_fresh(void)
{
	struct kvm_vcpu_events e, zero;

	if (!check_errno("get-events-fresh-vcpu", get(&e), errno, 0))
		return;
	check_eq("get-events-flags-nmi-pending-shadow-smm", e.flags,
		 ALL_FLAGS);
	memset(&zero, 0, sizeof(zero));
	zero.flags = e.flags;
	check_true("get-events-fresh-all-zero", !memcmp(&e, &zero, sizeof(e)),
		   "all fields 0", "a field set");
	CHECK_ERRNO("set-events-same-as-get", set(&e), 0);
	CHECK_ERRNO("get-events-bad-pointer-efault",
		    ioctl(vcpu_fd, KVM_GET_VCPU_EVENTS, (void *)8), EFAULT);
	CHECK_ERRNO("set-events-bad-pointer-efault",
		    ioctl(vcpu_fd, KVM_SET_VCPU_EVENTS, (void *)8), EFAULT);
}

static void test_refused(void)
{
	struct kvm_vcpu_events e;
	static const struct { unsigned int nr; const char *name; } bad[] = {
		{ 2, "set-events-exception-nmi-vector-einval" },
		{ 32, "set-events-exception-vector-32-einval" },
		{ 255, "set-events-exception-vector-255-einval" },
	};

	memset(&e, 0, sizeof(e));
	e.flags = 0x40;
	CHECK_ERRNO("set-events-unknown-flag-0x40-einval", set(&e), EINVAL);
	e.flags = 0x80000000u;
	CHECK_ERRNO("set-events-unknown-flag-bit31-einval", set(&e), EINVAL);
	e.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	CHECK_ERRNO("set-events-payload-not-enabled-einval", set(&e), EINVAL);
	e.flags = KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
	CHECK_ERRNO("set-events-triple-fault-not-enabled-einval", set(&e),
		    EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		e.exception.injected = 1;
		e.exception.nr = bad[i].nr;
		CHECK_ERRNO(bad[i].name, set(&e), EINVAL);
	}
	/* Without payloads "pending" is dropped: vector 2 is no error then */
	memset(&e, 0, sizeof(e));
	e.exception.pending = 1;
	e.exception.nr = 2;
	CHECK_ERRNO("set-events-exception-pending-ignored", set(&e), 0);
	get(&e);
	check_eq("get-events-pending-exception-dropped",
		 e.exception.injected | e.exception.pending, 0);
	/* Padding and reserved bytes are not checked */
	memset(&e, 0, sizeof(e));
	e.nmi.pad = 0xff;
	memset(e.reserved, 0xff, sizeof(e.reserved));
	e.sipi_vector = 0x12;
	e.flags = KVM_VCPUEVENT_VALID_SIPI_VECTOR;
	CHECK_ERRNO("set-events-padding-reserved-sipi-accepted", set(&e), 0);
	get(&e);
	check_eq("get-events-sipi-vector-not-reported", e.sipi_vector, 0);
	check_eq("get-events-pad-zero", e.nmi.pad, 0);
	clear();
}

static void test_round_trips(void)
{
	struct kvm_vcpu_events e;

	memset(&e, 0, sizeof(e));
	e.exception.injected = 1;
	e.exception.nr = 13;
	e.exception.has_error_code = 1;
	e.exception.error_code = 0x55aa;
	CHECK_ERRNO("set-events-exception-gp", set(&e), 0);
	get(&e);
	check_true("get-events-exception-gp",
		   e.exception.injected == 1 && e.exception.nr == 13 &&
		   e.exception.has_error_code == 1 &&
		   e.exception.error_code == 0x55aa && !e.exception.pending,
		   "injected 13 error 0x55aa", "injected %u nr %u has %u err 0x%x",
		   e.exception.injected, e.exception.nr,
		   e.exception.has_error_code, e.exception.error_code);
	clear();

	memset(&e, 0, sizeof(e));
	e.interrupt.injected = 1;
	e.interrupt.nr = 0x30;
	CHECK_ERRNO("set-events-interrupt", set(&e), 0);
	get(&e);
	check_true("get-events-interrupt", e.interrupt.injected == 1 &&
		   e.interrupt.nr == 0x30 && !e.interrupt.soft,
		   "injected 0x30", "injected %u nr 0x%x soft %u",
		   e.interrupt.injected, e.interrupt.nr, e.interrupt.soft);
	clear();
	get(&e);
	check_eq("get-events-interrupt-cleared", e.interrupt.injected, 0);

	memset(&e, 0, sizeof(e));
	e.nmi.injected = 1;
	CHECK_ERRNO("set-events-nmi-injected", set(&e), 0);
	get(&e);
	check_eq("get-events-nmi-injected", e.nmi.injected, 1);
	clear();

	memset(&e, 0, sizeof(e));
	e.nmi.masked = 1;
	e.nmi.pending = 1;	/* without VALID_NMI_PENDING: ignored */
	CHECK_ERRNO("set-events-nmi-masked", set(&e), 0);
	get(&e);
	check_true("get-events-nmi-masked-not-pending",
		   e.nmi.masked == 1 && e.nmi.pending == 0, "masked 1 pending 0",
		   "masked %u pending %u", e.nmi.masked, e.nmi.pending);
	e.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	e.nmi.pending = 1;
	CHECK_ERRNO("set-events-nmi-pending", set(&e), 0);
	get(&e);
	check_true("get-events-nmi-pending-masked",
		   e.nmi.masked == 1 && e.nmi.pending == 1, "masked 1 pending 1",
		   "masked %u pending %u", e.nmi.masked, e.nmi.pending);
	clear();

	memset(&e, 0, sizeof(e));
	e.flags = KVM_VCPUEVENT_VALID_SHADOW;
	e.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	CHECK_ERRNO("set-events-shadow-sti", set(&e), 0);
	get(&e);
	check_true("get-events-shadow-set", e.interrupt.shadow != 0,
		   "a shadow", "%u", e.interrupt.shadow);
	e.flags = 0;
	e.interrupt.shadow = 0;
	set(&e);
	get(&e);
	check_true("set-events-shadow-needs-valid-shadow",
		   e.interrupt.shadow != 0, "the shadow kept", "%u",
		   e.interrupt.shadow);
	clear();
	get(&e);
	check_eq("get-events-shadow-cleared", e.interrupt.shadow, 0);

	memset(&e, 0, sizeof(e));
	e.flags = KVM_VCPUEVENT_VALID_SMM;
	CHECK_ERRNO("set-events-smm-flag-outside-smm", set(&e), 0);
	clear();
}

static void test_nmi(void)
{
	struct kvm_vcpu_events e;

	CHECK_ERRNO("nmi-ioctl", ioctl(vcpu_fd, KVM_NMI, 0), 0);
	get(&e);
	check_true("get-events-after-nmi", e.nmi.pending == 1 &&
		   !e.nmi.injected && !e.nmi.masked, "pending 1",
		   "pending %u injected %u masked %u", e.nmi.pending,
		   e.nmi.injected, e.nmi.masked);
	ioctl(vcpu_fd, KVM_NMI, 0);
	ioctl(vcpu_fd, KVM_NMI, 0);
	get(&e);
	check_eq("get-events-after-three-nmis-pending-is-1", e.nmi.pending, 1);
	clear();
	get(&e);
	check_eq("set-events-clears-pending-nmis", e.nmi.pending, 0);
}

int main(int argc, char **argv)
{
	int sys, vm;

	abi_parse_args(argc, argv);
	sys = open(abi_dev, O_RDWR | O_CLOEXEC);
	if (sys < 0) {
		printf("FAIL open %s: %s\n", abi_dev, strerror(errno));
		return 1;
	}
	check_eq("check-extension-vcpu-events-is-1",
		 ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_VCPU_EVENTS), 1);
	check_eq("check-extension-user-nmi-is-1",
		 ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_NMI), 1);
	/* The in-tree x86 KVM never reports it: the shadow is in the events */
	check_eq("check-extension-intr-shadow-is-0",
		 ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_INTR_SHADOW), 0);
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	vcpu_fd = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0) {
		printf("FAIL create vm/vcpu: %s\n", strerror(errno));
		return 1;
	}
	test_fresh();
	test_refused();
	test_round_trips();
	test_nmi();
	return abi_finish();
}
