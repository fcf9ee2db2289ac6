// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-errno: the answers of the system, VM and vCPU fds to good, bad,
 * unknown and misplaced ioctls.  Expectations are the in-tree KVM's
 * (Linux 6.1, kvm-amd).
 */
#include "abi.h"

/* Numbers no KVM version defines (KVMIO type, and a foreign type). */
#define UNKNOWN_KVMIO		_IO(KVMIO, 0xff)
#define UNKNOWN_KVMIO_RW	_IOWR(KVMIO, 0xfe, struct kvm_regs)
#define UNKNOWN_FOREIGN		_IO('z', 0x77)

static void test_system_fd(int sys)
{
	long r, sz;

	r = ioctl(sys, KVM_GET_API_VERSION, 0);
	check_eq("api-version-is-12", r, 12);
	CHECK_ERRNO("api-version-nonzero-arg-einval",
		    ioctl(sys, KVM_GET_API_VERSION, 1), EINVAL);

	r = ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
	check_eq("check-extension-user-memory-is-1", r, 1);
	r = ioctl(sys, KVM_CHECK_EXTENSION, 100000);
	check_eq("check-extension-unknown-cap-is-0", r, 0);
	r = ioctl(sys, KVM_CHECK_EXTENSION, -1L);
	check_eq("check-extension-cap-minus-1-is-0", r, 0);

	sz = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	check_true("vcpu-mmap-size-at-least-4096", sz >= 4096, ">= 4096",
		   "%ld", sz);
	CHECK_ERRNO("vcpu-mmap-size-nonzero-arg-einval",
		    ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 1), EINVAL);

	CHECK_ERRNO("system-fd-unknown-kvmio-ioctl-einval",
		    ioctl(sys, UNKNOWN_KVMIO, 0), EINVAL);
	CHECK_ERRNO("system-fd-unknown-kvmio-rw-ioctl-einval",
		    ioctl(sys, UNKNOWN_KVMIO_RW, NULL), EINVAL);
	CHECK_ERRNO("system-fd-foreign-ioctl-einval",
		    ioctl(sys, UNKNOWN_FOREIGN, 0), EINVAL);
	/* VM and vCPU ioctls on the system fd */
	CHECK_ERRNO("system-fd-create-vcpu-einval",
		    ioctl(sys, KVM_CREATE_VCPU, 0), EINVAL);
	CHECK_ERRNO("system-fd-run-einval", ioctl(sys, KVM_RUN, 0), EINVAL);

	CHECK_ERRNO("create-vm-bad-type-77-einval",
		    ioctl(sys, KVM_CREATE_VM, 77), EINVAL);
}

static void test_vm_fd(int sys)
{
	int vm = ioctl(sys, KVM_CREATE_VM, 0);
	struct kvm_regs regs;
	long r;

	if (!check_true("create-vm-type-0", vm >= 0, "an fd", "-1/%s",
			strerrorname_np(errno)))
		return;
	CHECK_ERRNO("vm-fd-unknown-kvmio-ioctl-enotty",
		    ioctl(vm, UNKNOWN_KVMIO, 0), ENOTTY);
	CHECK_ERRNO("vm-fd-unknown-kvmio-rw-ioctl-enotty",
		    ioctl(vm, UNKNOWN_KVMIO_RW, &regs), ENOTTY);
	CHECK_ERRNO("vm-fd-foreign-ioctl-enotty",
		    ioctl(vm, UNKNOWN_FOREIGN, 0), ENOTTY);
	/* system and vCPU ioctls on the VM fd */
	CHECK_ERRNO("vm-fd-run-enotty", ioctl(vm, KVM_RUN, 0), ENOTTY);
	CHECK_ERRNO("vm-fd-get-regs-enotty",
		    ioctl(vm, KVM_GET_REGS, &regs), ENOTTY);
	CHECK_ERRNO("vm-fd-create-vm-enotty",
		    ioctl(vm, KVM_CREATE_VM, 0), ENOTTY);

	/* KVM_CHECK_EXTENSION on the VM fd, where the system fd says so */
	r = ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM);
	if (r > 0) {
		r = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
		check_eq("vm-fd-check-extension-user-memory-is-1", r, 1);
		r = ioctl(vm, KVM_CHECK_EXTENSION, 100000);
		check_eq("vm-fd-check-extension-unknown-cap-is-0", r, 0);
	} else {
		printf("SKIP vm-fd-check-extension: KVM_CAP_CHECK_EXTENSION_VM "
		       "is %ld (in-tree: 1)\n", r);
	}

	/* KVM_SET_TSS_ADDR: SVM accepts it (3 pages below 4 GiB) */
	CHECK_ERRNO("set-tss-addr", ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL),
		    0);
	close(vm);
}

static void test_vcpu_fd(int sys)
{
	int vm = ioctl(sys, KVM_CREATE_VM, 0);
	int vcpu, vcpu2;
	struct kvm_regs regs;

	if (vm < 0)
		die("vcpu-fd", "KVM_CREATE_VM");
	CHECK_ERRNO("create-vcpu-id-1000000-einval",
		    ioctl(vm, KVM_CREATE_VCPU, 1000000), EINVAL);
	CHECK_ERRNO("create-vcpu-id-minus-1-einval",
		    ioctl(vm, KVM_CREATE_VCPU, -1L), EINVAL);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (!check_true("create-vcpu-id-0", vcpu >= 0, "an fd", "-1/%s",
			strerrorname_np(errno)))
		goto out;
	CHECK_ERRNO("create-vcpu-duplicate-id-eexist",
		    ioctl(vm, KVM_CREATE_VCPU, 0), EEXIST);
	vcpu2 = ioctl(vm, KVM_CREATE_VCPU, 1);
	check_errno("create-vcpu-id-1", vcpu2, errno, 0);
	if (vcpu2 >= 0)
		close(vcpu2);

	CHECK_ERRNO("vcpu-fd-unknown-kvmio-ioctl-einval",
		    ioctl(vcpu, UNKNOWN_KVMIO, 0), EINVAL);
	CHECK_ERRNO("vcpu-fd-unknown-kvmio-rw-ioctl-einval",
		    ioctl(vcpu, UNKNOWN_KVMIO_RW, &regs), EINVAL);
	CHECK_ERRNO("vcpu-fd-foreign-ioctl-einval",
		    ioctl(vcpu, UNKNOWN_FOREIGN, 0), EINVAL);
	/* system and VM ioctls on the vCPU fd */
	CHECK_ERRNO("vcpu-fd-create-vcpu-einval",
		    ioctl(vcpu, KVM_CREATE_VCPU, 2), EINVAL);
	CHECK_ERRNO("vcpu-fd-set-tss-addr-einval",
		    ioctl(vcpu, KVM_SET_TSS_ADDR, 0xfffbd000UL), EINVAL);
	CHECK_ERRNO("vcpu-fd-run-nonzero-arg-einval",
		    ioctl(vcpu, KVM_RUN, 1), EINVAL);
	CHECK_ERRNO("vcpu-fd-get-regs", ioctl(vcpu, KVM_GET_REGS, &regs), 0);
	CHECK_ERRNO("vcpu-fd-get-regs-bad-pointer-efault",
		    ioctl(vcpu, KVM_GET_REGS, (void *)8), EFAULT);
	CHECK_ERRNO("vcpu-fd-set-regs-bad-pointer-efault",
		    ioctl(vcpu, KVM_SET_REGS, (void *)8), EFAULT);
	close(vcpu);
out:
	close(vm);
}

static void test_mmap(int sys)
{
	int vm = ioctl(sys, KVM_CREATE_VM, 0), vcpu;
	long sz = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	void *p;

	if (vm < 0)
		die("mmap", "KVM_CREATE_VM");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("mmap", "KVM_CREATE_VCPU");
	p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (check_true("vcpu-fd-mmaps-mmap-size", p != MAP_FAILED,
		       "a mapping", "MAP_FAILED/%s", strerrorname_np(errno))) {
		struct kvm_run *run = p;

		/* the page is readable and writable */
		run->immediate_exit = 0;
		check_eq("vcpu-run-page-munmap", munmap(p, sz), 0);
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (check_true("vcpu-fd-mmaps-first-page", p != MAP_FAILED,
		       "a mapping", "MAP_FAILED/%s", strerrorname_np(errno)))
		munmap(p, 4096);
	/* the VM fd has no mmap */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vm, 0);
	check_true("vm-fd-mmap-enodev", p == MAP_FAILED && errno == ENODEV,
		   "MAP_FAILED/ENODEV", "%s/%s",
		   p == MAP_FAILED ? "MAP_FAILED" : "a mapping",
		   p == MAP_FAILED ? strerrorname_np(errno) : "-");
	if (p != MAP_FAILED)
		munmap(p, 4096);
	close(vcpu);
	close(vm);
}

int main(int argc, char **argv)
{
	int sys;

	abi_parse_args(argc, argv);
	sys = open_dev();
	test_system_fd(sys);
	test_vm_fd(sys);
	test_vcpu_fd(sys);
	test_mmap(sys);
	close(sys);
	return abi_finish();
}
