// SPDX-License-Identifier: GPL-2.0
/*
 * xsave: KVM_GET/SET_XSAVE and KVM_GET/SET_XCRS on a vCPU that has not
 * run: XCR0's rules (EINVAL), the area's checks (known components only,
 * the standard format, reserved header bytes zero, a valid MXCSR), round
 * trips, YMM state set and read back, the legacy region shared with
 * KVM_GET_FPU.  Expectations are the in-tree KVM's (Linux 6.1, kvm-amd,
 * on a CPU with AVX).  The guest-visible side is guests/long/xsave.
 */
#include "abi.h"

#define HDR 512

static int sys_fd, vcpu_fd;
static uint8_t area[4096] __attribute__((aligned(64)));

static long set_xcr0(uint64_t v, uint32_t nr, uint32_t flags)
{
	struct kvm_xcrs x;

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = nr;
	x.flags = flags;
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = v;
	return ioctl(vcpu_fd, KVM_SET_XCRS, &x);
}

static uint64_t get_xcr0(void)
{
	struct kvm_xcrs x;

	memset(&x, 0xa5, sizeof(x));
	if (ioctl(vcpu_fd, KVM_GET_XCRS, &x))
		return ~0ull;
	if (x.nr_xcrs != 1 || x.flags || x.xcrs[0].xcr)
		return ~1ull;
	return x.xcrs[0].value;
}

static void set_supported_cpuid(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 100 * sizeof(c->entries[0]));

	c->nent = 100;
	if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c) ||
	    ioctl(vcpu_fd, KVM_SET_CPUID2, c))
		fail("set-supported-cpuid", "expected 0 got -1/%s",
		     strerrorname_np(errno));
	free(c);
}

static void test_xcrs(void)
{
	check_eq("get-xcrs-fresh-xcr0-is-1", get_xcr0(), 1);
	CHECK_ERRNO("set-xcrs-flags-einval", set_xcr0(1, 1, 1), EINVAL);
	CHECK_ERRNO("set-xcrs-17-entries-einval", set_xcr0(1, 17, 0), EINVAL);
	CHECK_ERRNO("set-xcrs-no-entries-ok", set_xcr0(0, 0, 0), 0);
	CHECK_ERRNO("set-xcrs-xcr0-0-einval", set_xcr0(0, 1, 0), EINVAL);
	CHECK_ERRNO("set-xcrs-avx-without-cpuid-einval", set_xcr0(7, 1, 0),
		    EINVAL);
	set_supported_cpuid();
	CHECK_ERRNO("set-xcrs-avx-without-sse-einval", set_xcr0(5, 1, 0),
		    EINVAL);
	CHECK_ERRNO("set-xcrs-bit-63-einval", set_xcr0(1ull << 63 | 7, 1, 0),
		    EINVAL);
	CHECK_ERRNO("set-xcrs-x87-sse-avx", set_xcr0(7, 1, 0), 0);
	check_eq("get-xcrs-is-7", get_xcr0(), 7);
	CHECK_ERRNO("set-xcrs-x87-sse", set_xcr0(3, 1, 0), 0);
	check_eq("get-xcrs-is-3", get_xcr0(), 3);
}

static long set_area(void)
{
	return ioctl(vcpu_fd, KVM_SET_XSAVE, area);
}

static void test_xsave(void)
{
	static uint8_t saved[4096], back[4096];
	struct kvm_fpu fpu;
	uint32_t mxcsr;
	uint16_t fcw;

	if (!check_errno("get-xsave", ioctl(vcpu_fd, KVM_GET_XSAVE, area),
			 errno, 0))
		return;
	memcpy(&fcw, area, 2);
	memcpy(&mxcsr, area + 24, 4);
	check_eq("get-xsave-fresh-fcw", fcw, 0x37f);
	check_eq("get-xsave-fresh-mxcsr", mxcsr, 0x1f80);
	memcpy(saved, area, sizeof(area));
	CHECK_ERRNO("set-xsave-same", set_area(), 0);
	ioctl(vcpu_fd, KVM_GET_XSAVE, back);
	check_true("xsave-round-trip", !memcmp(saved, back, sizeof(back)),
		   "the same 4096 bytes", "a difference");

	/* YMM: XMM0 (legacy region) and YMM0's upper half (offset 576) */
	area[HDR] |= 7;
	for (int i = 0; i < 16; i++) {
		area[160 + i] = (uint8_t)(0x40 + i);
		area[576 + i] = (uint8_t)(0x80 + i);
	}
	CHECK_ERRNO("set-xsave-ymm0", set_area(), 0);
	memset(back, 0, sizeof(back));
	ioctl(vcpu_fd, KVM_GET_XSAVE, back);
	check_true("get-xsave-ymm0", !memcmp(back + 576, area + 576, 16) &&
		   !memcmp(back + 160, area + 160, 16) && (back[HDR] & 4),
		   "YMM0 as set", "other bytes");
	memset(&fpu, 0, sizeof(fpu));
	ioctl(vcpu_fd, KVM_GET_FPU, &fpu);
	check_true("get-fpu-xmm0-from-xsave", !memcmp(fpu.xmm[0], area + 160, 16),
		   "XMM0 as set", "other bytes");

	memcpy(back, area, sizeof(area));
	area[HDR + 7] = 0x80;			/* XSTATE_BV bit 63 */
	CHECK_ERRNO("set-xsave-unknown-component-einval", set_area(), EINVAL);
	memcpy(area, back, sizeof(area));
	area[HDR + 15] = 0x80;			/* XCOMP_BV: compacted */
	CHECK_ERRNO("set-xsave-compacted-einval", set_area(), EINVAL);
	memcpy(area, back, sizeof(area));
	area[HDR + 40] = 1;			/* reserved */
	CHECK_ERRNO("set-xsave-reserved-header-einval", set_area(), EINVAL);
	memcpy(area, back, sizeof(area));
	mxcsr = 0xffffffff;
	memcpy(area + 24, &mxcsr, 4);
	CHECK_ERRNO("set-xsave-bad-mxcsr-einval", set_area(), EINVAL);
	ioctl(vcpu_fd, KVM_GET_XSAVE, area);
	check_true("set-xsave-refused-changes-nothing",
		   !memcmp(area + 576, back + 576, 16), "YMM0 kept",
		   "other bytes");
}

int main(int argc, char **argv)
{
	int vm;

	abi_parse_args(argc, argv);
	sys_fd = open(abi_dev, O_RDWR | O_CLOEXEC);
	if (sys_fd < 0) {
		printf("FAIL open %s: %s\n", abi_dev, strerror(errno));
		return 1;
	}
	check_eq("check-extension-xsave-is-1",
		 ioctl(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE), 1);
	check_eq("check-extension-xcrs-is-1",
		 ioctl(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS), 1);
	vm = ioctl(sys_fd, KVM_CREATE_VM, 0);
	vcpu_fd = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0) {
		printf("FAIL create vm/vcpu: %s\n", strerror(errno));
		return 1;
	}
	test_xcrs();
	test_xsave();
	return abi_finish();
}
