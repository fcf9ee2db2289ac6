// SPDX-License-Identifier: GPL-2.0
/*
 * memslots: KVM_SET_USER_MEMORY_REGION argument checks and slot changes
 * (create, delete, move, resize, re-add), with a guest reading through
 * the slots to show where they are.  Expectations are the in-tree KVM's
 * (Linux 6.1, kvm-amd).
 */
#include "abi.h"

#define MB	0x100000UL
#define PAGE	0x1000UL

/*
 * Guest: mov (addr16), %ax; out %ax, $0x10; hlt -- reports the 16-bit
 * word at ds:addr16 (ds = 0).
 */
static int guest_read_word(struct vm *vm, uint16_t addr, uint16_t *out)
{
	uint8_t code[] = { 0xa1, addr & 0xff, addr >> 8,	/* mov addr,%ax */
			   0xe7, 0x10,				/* out %ax,$0x10 */
			   0xf4 };				/* hlt */
	uint16_t v;

	memcpy(vm->mem + GUEST_CODE, code, sizeof(code));
	if (setup_real_mode(vm->vcpu, GUEST_CODE) < 0)
		return -1;
	if (ioctl(vm->vcpu, KVM_RUN, 0) < 0)
		return -1;
	if (vm->run->exit_reason != KVM_EXIT_IO || vm->run->io.port != 0x10 ||
	    vm->run->io.size != 2)
		return -2;
	memcpy(&v, (uint8_t *)vm->run + vm->run->io.data_offset, 2);
	*out = v;
	return 0;
}

static void test_bad_args(int vmfd, void *mem, long as_num)
{
	/* slot id: too large, and address-space bits beyond the last one */
	CHECK_ERRNO("slot-id-40000-einval",
		    set_region(vmfd, 40000, 0, 0x100000, PAGE, mem), EINVAL);
	CHECK_ERRNO("slot-id-32767-einval",
		    set_region(vmfd, 32767, 0, 0x100000, PAGE, mem), EINVAL);
	CHECK_ERRNO("slot-as-id-beyond-last-address-space-einval",
		    set_region(vmfd, (uint32_t)as_num << 16, 0, 0x100000,
			       PAGE, mem), EINVAL);
	CHECK_ERRNO("slot-as-id-0xffff-einval",
		    set_region(vmfd, 0xffffu << 16, 0, 0x100000, PAGE, mem),
		    EINVAL);
	/* alignment */
	CHECK_ERRNO("size-not-page-aligned-einval",
		    set_region(vmfd, 1, 0, 0x100000, PAGE + 512, mem), EINVAL);
	CHECK_ERRNO("gpa-not-page-aligned-einval",
		    set_region(vmfd, 1, 0, 0x100800, PAGE, mem), EINVAL);
	CHECK_ERRNO("uaddr-not-page-aligned-einval",
		    set_region(vmfd, 1, 0, 0x100000, PAGE,
			       (uint8_t *)mem + 8), EINVAL);
	/* flags */
	CHECK_ERRNO("unknown-flag-bit-5-einval",
		    set_region(vmfd, 1, 1u << 5, 0x100000, PAGE, mem), EINVAL);
	CHECK_ERRNO("unknown-flag-bit-31-einval",
		    set_region(vmfd, 1, 1u << 31, 0x100000, PAGE, mem), EINVAL);
	/* gpa + size wraps around */
	CHECK_ERRNO("gpa-plus-size-wraps-einval",
		    set_region(vmfd, 1, 0, 0xfffffffffffff000ULL, 2 * PAGE,
			       mem), EINVAL);
	/* userspace range not in user space */
	CHECK_ERRNO("uaddr-kernel-half-einval",
		    set_region(vmfd, 1, 0, 0x100000, PAGE,
			       (void *)0xffff800000000000ULL), EINVAL);
	/* delete (size 0) a slot that does not exist */
	CHECK_ERRNO("delete-nonexistent-slot-einval",
		    set_region(vmfd, 5, 0, 0, 0, NULL), EINVAL);
}

int main(int argc, char **argv)
{
	struct vm vm;
	uint8_t *m1, *m2, *m3;
	long as_num;
	uint16_t w;
	int r;

	abi_parse_args(argc, argv);
	vm_create(&vm, "memslots", code_hlt, sizeof(code_hlt));

	/* Address spaces: KVM_CAP_MULTI_ADDRESS_SPACE (0 means 1). */
	as_num = ioctl(vm.sys, KVM_CHECK_EXTENSION,
		       KVM_CAP_MULTI_ADDRESS_SPACE);
	if (as_num < 1)
		as_num = 1;

	m1 = alloc_guest_mem(4 * MB);
	m2 = alloc_guest_mem(4 * MB);
	m3 = alloc_guest_mem(4 * MB);
	if (!m1 || !m2 || !m3)
		die("memslots", "mmap");
	test_bad_args(vm.fd, m1, as_num);

	/* a slot in the last address space KVM says it has (SMM on x86) */
	if (as_num > 1) {
		CHECK_ERRNO("slot-in-last-address-space",
			    set_region(vm.fd, (uint32_t)(as_num - 1) << 16, 0,
				       0, GUEST_MEM_SIZE, vm.mem), 0);
		CHECK_ERRNO("slot-in-last-address-space-delete",
			    set_region(vm.fd, (uint32_t)(as_num - 1) << 16, 0,
				       0, 0, NULL), 0);
	} else {
		printf("SKIP slot-in-last-address-space: "
		       "KVM_CAP_MULTI_ADDRESS_SPACE is %ld (in-tree: 2)\n",
		       as_num);
	}

	/* several slots: 1 at 1 MiB, 2 at 2 MiB, 3 at 8 MiB */
	CHECK_ERRNO("add-slot-1", set_region(vm.fd, 1, 0, MB, MB, m1), 0);
	CHECK_ERRNO("add-slot-2", set_region(vm.fd, 2, 0, 2 * MB, MB, m2), 0);
	CHECK_ERRNO("add-slot-3", set_region(vm.fd, 3, 0, 8 * MB, 2 * MB, m3),
		    0);
	/* overlaps */
	CHECK_ERRNO("overlap-same-range-eexist",
		    set_region(vm.fd, 4, 0, MB, MB, m3), EEXIST);
	CHECK_ERRNO("overlap-partial-low-eexist",
		    set_region(vm.fd, 4, 0, MB - PAGE, 2 * PAGE, m3), EEXIST);
	CHECK_ERRNO("overlap-partial-high-eexist",
		    set_region(vm.fd, 4, 0, 3 * MB - PAGE, 2 * PAGE, m3),
		    EEXIST);
	CHECK_ERRNO("overlap-containing-eexist",
		    set_region(vm.fd, 4, 0, 0, 16 * MB, m3), EEXIST);
	CHECK_ERRNO("overlap-slot-0-eexist",
		    set_region(vm.fd, 4, 0, 0x8000, PAGE, m3), EEXIST);
	CHECK_ERRNO("adjacent-not-overlapping",
		    set_region(vm.fd, 4, 0, 3 * MB, PAGE, m3), 0);
	CHECK_ERRNO("adjacent-slot-delete",
		    set_region(vm.fd, 4, 0, 0, 0, NULL), 0);
	/* same slot id again, unchanged: a no-op */
	CHECK_ERRNO("set-same-slot-unchanged",
		    set_region(vm.fd, 1, 0, MB, MB, m1), 0);
	/* existing slot: resizing and changing userspace_addr refused */
	CHECK_ERRNO("resize-existing-slot-einval",
		    set_region(vm.fd, 1, 0, MB, 2 * MB, m1), EINVAL);
	CHECK_ERRNO("shrink-existing-slot-einval",
		    set_region(vm.fd, 1, 0, MB, MB / 2, m1), EINVAL);
	CHECK_ERRNO("change-uaddr-existing-slot-einval",
		    set_region(vm.fd, 1, 0, MB, MB, m1 + MB), EINVAL);
	/* moving a slot (same id, same size and uaddr, new gpa): allowed */
	CHECK_ERRNO("move-slot-onto-another-eexist",
		    set_region(vm.fd, 1, 0, 2 * MB, MB, m1), EEXIST);
	CHECK_ERRNO("move-slot-1-to-4mib",
		    set_region(vm.fd, 1, 0, 4 * MB, MB, m1), 0);
	/* the old range is free again */
	CHECK_ERRNO("old-range-free-after-move",
		    set_region(vm.fd, 5, 0, MB, MB, m3 + 2 * MB), 0);
	/* delete and re-add */
	CHECK_ERRNO("delete-slot-2", set_region(vm.fd, 2, 0, 0, 0, NULL), 0);
	CHECK_ERRNO("delete-slot-2-again-einval",
		    set_region(vm.fd, 2, 0, 0, 0, NULL), EINVAL);
	CHECK_ERRNO("re-add-slot-2-different-size-and-uaddr",
		    set_region(vm.fd, 2, 0, 2 * MB, 2 * MB, m2 + PAGE * 16),
		    0);

	/*
	 * The guest's view: a real-mode guest reaches only 64 KiB, so shrink
	 * slot 0 to 60 KiB and map one-page slots at 0xf000, then read them.
	 */
	m1[0] = 0x34;
	m1[1] = 0x12;
	m2[0] = 0x78;
	m2[1] = 0x56;
	CHECK_ERRNO("delete-slot-0", set_region(vm.fd, 0, 0, 0, 0, NULL), 0);
	CHECK_ERRNO("re-add-slot-0-smaller",
		    set_region(vm.fd, 0, 0, 0, 0xf000, vm.mem), 0);
	CHECK_ERRNO("add-slot-6-at-0xf000",
		    set_region(vm.fd, 6, 0, 0xf000, PAGE, m1), 0);
	r = guest_read_word(&vm, 0xf000, &w);
	if (check_true("guest-reads-slot-6", r == 0, "KVM_EXIT_IO",
		       "%d (exit %s)", r, exit_name(vm.run->exit_reason)))
		check_eq("guest-reads-slot-6-value", w, 0x1234);
	/* move slot 6 away and put a slot backed by m2 there instead */
	CHECK_ERRNO("move-slot-6-to-16mib",
		    set_region(vm.fd, 6, 0, 16 * MB, PAGE, m1), 0);
	CHECK_ERRNO("add-slot-7-at-0xf000",
		    set_region(vm.fd, 7, 0, 0xf000, PAGE, m2), 0);
	r = guest_read_word(&vm, 0xf000, &w);
	if (check_true("guest-reads-slot-7-after-move", r == 0, "KVM_EXIT_IO",
		       "%d (exit %s)", r, exit_name(vm.run->exit_reason)))
		check_eq("guest-reads-slot-7-value", w, 0x5678);
	/* delete slot 7 and re-add it backed by m1 */
	CHECK_ERRNO("delete-slot-7", set_region(vm.fd, 7, 0, 0, 0, NULL), 0);
	CHECK_ERRNO("re-add-slot-7-other-memory",
		    set_region(vm.fd, 7, 0, 0xf000, PAGE, m3), 0);
	m3[0] = 0xbc;
	m3[1] = 0x9a;
	r = guest_read_word(&vm, 0xf000, &w);
	if (check_true("guest-reads-re-added-slot-7", r == 0, "KVM_EXIT_IO",
		       "%d (exit %s)", r, exit_name(vm.run->exit_reason)))
		check_eq("guest-reads-re-added-slot-7-value", w, 0x9abc);

	/* many slots: 1 page each at 32 MiB + i pages */
	{
		int ok = 1, i, bad = -1;
		long nslots = ioctl(vm.sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_NR_MEMSLOTS);

		for (i = 8; i < 8 + 64 && i < nslots; i++) {
			if (set_region(vm.fd, i, 0, 32 * MB + i * PAGE, PAGE,
				       m3 + i * PAGE) < 0) {
				ok = 0;
				bad = i;
				break;
			}
		}
		check_true("add-64-one-page-slots", ok, "all added",
			   "slot %d: %s", bad, strerrorname_np(errno));
		for (i = 8; i < 8 + 64 && i < nslots; i++)
			set_region(vm.fd, i, 0, 0, 0, NULL);
	}

	vm_destroy(&vm);
	munmap(m1, 4 * MB);
	munmap(m2, 4 * MB);
	munmap(m3, 4 * MB);
	return abi_finish();
}
