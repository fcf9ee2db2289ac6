// SPDX-License-Identifier: GPL-2.0
/*
 * slot-delete: a memory slot deleted while a vCPU runs in it, from a
 * second thread.  Case "data": the guest loops incrementing a counter in
 * slot 1 (its code stays in slot 0); once the counter moves, slot 1 is
 * deleted; KVM_RUN must come back with an exit on the vanished address.
 * Case "code": the guest runs from slot 1 and it is deleted.  Each case
 * prints its outcome (exit reason, address, length, direction) on a line
 * tests/hostile/run compares with the in-tree KVM's; repeated ROUNDS
 * times, every round must give the same outcome.
 */
#include "../abi/abi.h"

#include <pthread.h>

#define ROUNDS		20
#define SLOT1_GPA	0x10000UL

struct runner {
	struct vm *vm;
	long ret;
	int err;
	volatile int done;
};

static void *run_vcpu(void *arg)
{
	struct runner *r = arg;

	r->ret = ioctl(r->vm->vcpu, KVM_RUN, 0);
	r->err = errno;
	r->done = 1;
	return NULL;
}

/* ds = 0x1000 (slot 1); loop: inc dword [0]; jmp loop */
static const uint8_t data_loop[] = {
	0xb8, 0x00, 0x10, 0x8e, 0xd8,
	0x66, 0xff, 0x06, 0x00, 0x00, 0xeb, 0xf9,
};
/* runs at 0x1000:0 (slot 1), ds = 0: loop: inc dword [0x100]; jmp loop */
static const uint8_t code_loop[] = {
	0x31, 0xc0, 0x8e, 0xd8,
	0x66, 0xff, 0x06, 0x00, 0x01, 0xeb, 0xf9,
};

static int outcome(char *buf, size_t len, struct runner *r)
{
	struct kvm_run *run = r->vm->run;

	if (r->ret < 0)
		return snprintf(buf, len, "KVM_RUN -1/%s", strerrorname_np(r->err));
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		return snprintf(buf, len, "KVM_EXIT_MMIO %s 0x%llx len %u",
				run->mmio.is_write ? "write" : "read",
				(unsigned long long)run->mmio.phys_addr,
				run->mmio.len);
	case KVM_EXIT_INTERNAL_ERROR:
		return snprintf(buf, len, "KVM_EXIT_INTERNAL_ERROR suberror %u",
				run->internal.suberror);
	default:
		return snprintf(buf, len, "%s", exit_name(run->exit_reason));
	}
}

static void one_case(const char *name, int code_in_slot1)
{
	char first[160] = "", got[160];
	int round, same = 1;

	for (round = 0; round < ROUNDS; round++) {
		struct vm vm;
		struct runner r = { .vm = &vm };
		uint8_t *slot1 = alloc_guest_mem(GUEST_MEM_SIZE);
		volatile uint32_t *counter;
		struct kvm_sregs s;
		pthread_t t;
		double t0;

		vm_create(&vm, name, data_loop, sizeof(data_loop));
		if (!slot1 || set_region(vm.fd, 1, 0, SLOT1_GPA, GUEST_MEM_SIZE, slot1) < 0)
			die(name, "KVM_SET_USER_MEMORY_REGION slot 1");
		counter = (volatile uint32_t *)(code_in_slot1 ? vm.mem + 0x100 : slot1);
		if (code_in_slot1) {
			memcpy(slot1, code_loop, sizeof(code_loop));
			if (ioctl(vm.vcpu, KVM_GET_SREGS, &s) < 0)
				die(name, "KVM_GET_SREGS");
			s.cs.selector = 0x1000;
			s.cs.base = SLOT1_GPA;
			if (ioctl(vm.vcpu, KVM_SET_SREGS, &s) < 0)
				die(name, "KVM_SET_SREGS");
			struct kvm_regs regs = { .rip = 0, .rflags = 2 };
			if (ioctl(vm.vcpu, KVM_SET_REGS, &regs) < 0)
				die(name, "KVM_SET_REGS");
		}
		if (pthread_create(&t, NULL, run_vcpu, &r))
			die(name, "pthread_create");
		t0 = now_sec();
		while (*counter < 1000 && !r.done && now_sec() - t0 < 20)
			usleep(1000);
		if (r.done || *counter < 1000) {
			char o[160];

			outcome(o, sizeof(o), &r);
			fail(name, "expected the guest to loop got counter %u, KVM_RUN %s",
			     *counter, r.done ? o : "still running");
			exit(abi_finish());
		}
		if (set_region(vm.fd, 1, 0, SLOT1_GPA, 0, slot1) < 0)
			die(name, "deleting slot 1 while the vCPU runs");
		t0 = now_sec();
		while (!r.done && now_sec() - t0 < 20)
			usleep(1000);
		if (!r.done) {
			fail(name, "expected KVM_RUN to return within 20 s of the slot's deletion got a hang");
			exit(abi_finish());
		}
		pthread_join(t, NULL);
		outcome(got, sizeof(got), &r);
		if (!round)
			snprintf(first, sizeof(first), "%s", got);
		else if (strcmp(first, got))
			same = 0;
		vm_destroy(&vm);
		munmap(slot1, GUEST_MEM_SIZE);
	}
	printf("OUTCOME %s: %s\n", name, first);
	check_true(name, same, "the same outcome every round", "different outcomes");
}

int main(int argc, char **argv)
{
	abi_parse_args(argc, argv);
	one_case("slot-delete-data", 0);
	one_case("slot-delete-code", 1);
	return abi_finish();
}
