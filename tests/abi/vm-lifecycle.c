// SPDX-License-Identifier: GPL-2.0
/*
 * vm-lifecycle: file descriptors closed in every order, a vCPU that
 * outlives its VM fd, ioctls from another process, VMs in two processes at
 * once, and many VMs one after the other.  Expectations are the in-tree
 * KVM's (Linux 6.1, kvm-amd).
 */
#include "abi.h"


/* Wait for pid up to `secs`; returns 1 and sets *status if it ended. */

static void test_close_vm_first(void)
{
	struct vm vm;

	vm_create(&vm, "close-vm-first", code_hlt, sizeof(code_hlt));
	check_eq("close-vm-fd-before-vcpu-fd", close(vm.fd), 0);
	/* the vCPU keeps the VM alive: it still runs, and its memory too */
	CHECK_RUN_EXIT("run-after-vm-fd-closed-hlt", vm.vcpu, vm.run,
		       KVM_EXIT_HLT);
	{
		struct kvm_regs r;

		CHECK_ERRNO("get-regs-after-vm-fd-closed",
			    ioctl(vm.vcpu, KVM_GET_REGS, &r), 0);
		check_eq("rip-after-hlt-after-vm-fd-closed", r.rip,
			 GUEST_CODE + 1);
	}
	/* run it again from the start, through an IO exit */
	{
		static const uint8_t code[] = { 0xb0, 0x5a,	/* mov $0x5a,%al */
						0xe6, 0x22,	/* out %al,$0x22 */
						0xf4 };		/* hlt */

		memcpy(vm.mem + GUEST_CODE, code, sizeof(code));
		setup_real_mode(vm.vcpu, GUEST_CODE);
		CHECK_RUN_EXIT("run-io-after-vm-fd-closed", vm.vcpu, vm.run,
			       KVM_EXIT_IO);
		CHECK_RUN_EXIT("run-hlt-after-io-after-vm-fd-closed", vm.vcpu,
			       vm.run, KVM_EXIT_HLT);
	}
	check_eq("close-vcpu-fd-after-vm-fd", close(vm.vcpu), 0);
	check_eq("munmap-run-after-all-closed", munmap(vm.run, vm.run_size), 0);
	close(vm.sys);
	munmap(vm.mem, GUEST_MEM_SIZE);
}

static void test_close_vcpu_first(void)
{
	struct vm vm;
	int v2;

	vm_create(&vm, "close-vcpu-first", code_hlt, sizeof(code_hlt));
	CHECK_RUN_EXIT("run-before-close", vm.vcpu, vm.run, KVM_EXIT_HLT);
	check_eq("close-vcpu-fd-run-page-mapped", close(vm.vcpu), 0);
	/* the mapping keeps the run page */
	check_eq("run-page-readable-after-vcpu-close", vm.run->exit_reason,
		 KVM_EXIT_HLT);
	/* the vCPU still exists in the VM: its id is taken */
	CHECK_ERRNO("create-vcpu-same-id-after-close-eexist",
		    ioctl(vm.fd, KVM_CREATE_VCPU, 0), EEXIST);
	v2 = ioctl(vm.fd, KVM_CREATE_VCPU, 1);
	check_errno("create-other-vcpu-after-close", v2, errno, 0);
	check_eq("munmap-run-after-vcpu-close", munmap(vm.run, vm.run_size),
		 0);
	check_eq("close-vm-fd-after-vcpu-fd", close(vm.fd), 0);
	if (v2 >= 0)
		close(v2);
	close(vm.sys);
	munmap(vm.mem, GUEST_MEM_SIZE);
}

static void test_close_system_fd_first(void)
{
	struct vm vm;

	vm_create(&vm, "close-system-fd-first", code_hlt, sizeof(code_hlt));
	check_eq("close-system-fd-first", close(vm.sys), 0);
	CHECK_RUN_EXIT("run-after-system-fd-closed", vm.vcpu, vm.run,
		       KVM_EXIT_HLT);
	check_eq("close-vm-fd-then", close(vm.fd), 0);
	check_eq("munmap-run-before-vcpu-close", munmap(vm.run, vm.run_size),
		 0);
	check_eq("close-vcpu-fd-last", close(vm.vcpu), 0);
	munmap(vm.mem, GUEST_MEM_SIZE);
}

/* Child of fork: the inherited fds belong to another mm. */
static void test_fork(void)
{
	struct vm vm;
	int pfd[2];
	pid_t pid;
	int st, child_failed = 0;

	vm_create(&vm, "fork", code_hlt, sizeof(code_hlt));
	if (pipe(pfd) < 0)
		die("fork", "pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork", "fork");
	if (pid == 0) {
		/* the child's PASS/FAIL lines go to the parent via the pipe */
		struct kvm_regs regs;
		struct kvm_sregs sregs;

		close(pfd[0]);
		dup2(pfd[1], 1);
		abi_passed = abi_failed = 0;
		CHECK_ERRNO("child-vcpu-run-eio", ioctl(vm.vcpu, KVM_RUN, 0),
			    EIO);
		CHECK_ERRNO("child-vcpu-get-regs-eio",
			    ioctl(vm.vcpu, KVM_GET_REGS, &regs), EIO);
		CHECK_ERRNO("child-vcpu-get-sregs-eio",
			    ioctl(vm.vcpu, KVM_GET_SREGS, &sregs), EIO);
		CHECK_ERRNO("child-vcpu-unknown-ioctl-eio",
			    ioctl(vm.vcpu, _IO(KVMIO, 0xff), 0), EIO);
		CHECK_ERRNO("child-vm-create-vcpu-eio",
			    ioctl(vm.fd, KVM_CREATE_VCPU, 1), EIO);
		CHECK_ERRNO("child-vm-set-memory-region-eio",
			    set_region(vm.fd, 1, 0, 0x100000, 0x1000, vm.mem),
			    EIO);
		CHECK_ERRNO("child-vm-set-tss-addr-eio",
			    ioctl(vm.fd, KVM_SET_TSS_ADDR, 0xfffbd000UL), EIO);
		CHECK_ERRNO("child-vm-unknown-ioctl-eio",
			    ioctl(vm.fd, _IO(KVMIO, 0xff), 0), EIO);
		/* the system fd has no owner: it works in the child */
		check_eq("child-system-fd-api-version",
			 ioctl(vm.sys, KVM_GET_API_VERSION, 0), 12);
		{
			int v = ioctl(vm.sys, KVM_CREATE_VM, 0);

			check_errno("child-system-fd-create-vm", v, errno, 0);
			if (v >= 0) {
				int c = ioctl(v, KVM_CREATE_VCPU, 0);

				check_errno("child-own-vm-create-vcpu", c,
					    errno, 0);
				if (c >= 0)
					close(c);
				close(v);
			}
		}
		/* closing inherited fds in the child is harmless */
		close(vm.vcpu);
		close(vm.fd);
		fflush(stdout);
		_exit(abi_failed ? 1 : 0);
	}
	close(pfd[1]);
	{
		/* relay the child's lines, counting them as ours */
		FILE *f = fdopen(pfd[0], "r");
		char line[512];

		while (f && fgets(line, sizeof(line), f)) {
			fputs(line, stdout);
			if (!strncmp(line, "PASS ", 5))
				abi_passed++;
			else if (!strncmp(line, "FAIL ", 5))
				abi_failed++, child_failed++;
		}
		if (f)
			fclose(f);
	}
	if (!wait_timeout(pid, &st, 30)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fail("fork-child", "expected exit within 30 s got a hang");
	} else {
		check_true("fork-child-exit-status", WIFEXITED(st) &&
			   WEXITSTATUS(st) == (child_failed ? 1 : 0),
			   "status matching its checks", "%#x", st);
	}
	/* the parent still owns everything */
	CHECK_RUN_EXIT("parent-run-after-child", vm.vcpu, vm.run, KVM_EXIT_HLT);
	vm_destroy(&vm);
}

/*
 * A guest that counts down from n and writes each value to port 0x10,
 * then halts:
 *   mov $n,%cx; 1: mov %cx,%ax; out %ax,$0x10; loop 1b; hlt
 * Runs it and returns 0 if the values and the exits were right.
 */
static int run_counter_guest(uint16_t n, char *why, size_t len)
{
	uint8_t code[] = { 0xb9, n & 0xff, n >> 8,	/* mov $n,%cx */
			   0x89, 0xc8,			/* mov %cx,%ax */
			   0xe7, 0x10,			/* out %ax,$0x10 */
			   0xe2, 0xfa,			/* loop -6 */
			   0xf4 };			/* hlt */
	struct vm vm;
	unsigned int expect = n, count = 0;
	unsigned long sum = 0;

	vm_create(&vm, "counter-guest", code, sizeof(code));
	for (;;) {
		if (ioctl(vm.vcpu, KVM_RUN, 0) < 0) {
			snprintf(why, len, "KVM_RUN -1/%s after %u outs",
				 strerrorname_np(errno), count);
			return 1;
		}
		if (vm.run->exit_reason == KVM_EXIT_HLT)
			break;
		if (vm.run->exit_reason != KVM_EXIT_IO ||
		    vm.run->io.direction != KVM_EXIT_IO_OUT ||
		    vm.run->io.port != 0x10 || vm.run->io.size != 2 ||
		    vm.run->io.count != 1) {
			snprintf(why, len, "exit %s port %#x size %u after %u",
				 exit_name(vm.run->exit_reason),
				 vm.run->io.port, vm.run->io.size, count);
			return 1;
		}
		{
			uint16_t v;

			memcpy(&v, (uint8_t *)vm.run + vm.run->io.data_offset,
			       2);
			if (v != expect) {
				snprintf(why, len, "out #%u value %u, not %u",
					 count, v, expect);
				return 1;
			}
			sum += v;
			expect--;
			count++;
		}
	}
	vm_destroy(&vm);
	if (count != n || sum != (unsigned long)n * (n + 1) / 2) {
		snprintf(why, len, "%u outs sum %lu", count, sum);
		return 1;
	}
	return 0;
}

static void test_two_processes(void)
{
	pid_t pids[2];
	int pfd[2][2];
	uint16_t n[2] = { 300, 377 };
	int i;

	fflush(stdout);
	for (i = 0; i < 2; i++) {
		if (pipe(pfd[i]) < 0)
			die("two-processes", "pipe");
		pids[i] = fork();
		if (pids[i] < 0)
			die("two-processes", "fork");
		if (pids[i] == 0) {
			char why[200] = "";
			int r;

			close(pfd[i][0]);
			r = run_counter_guest(n[i], why, sizeof(why));
			if (write(pfd[i][1], why, strlen(why) + 1) < 0)
				_exit(3);
			_exit(r);
		}
		close(pfd[i][1]);
	}
	for (i = 0; i < 2; i++) {
		char name[64], why[200] = "";
		int st;
		ssize_t k;

		snprintf(name, sizeof(name), "two-processes-vm-%d-counter-%u",
			 i, n[i]);
		if (!wait_timeout(pids[i], &st, 120)) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &st, 0);
			fail(name, "expected exit within 120 s got a hang");
			continue;
		}
		k = read(pfd[i][0], why, sizeof(why) - 1);
		why[k > 0 ? k : 0] = 0;
		close(pfd[i][0]);
		check_true(name, WIFEXITED(st) && WEXITSTATUS(st) == 0,
			   "all outs right and hlt", "status %#x: %s", st,
			   why);
	}
}

static void test_many_vms(int count)
{
	char name[64], why[256] = "";
	int i, ok = 1;

	for (i = 0; i < count && ok; i++) {
		int sys = open_dev(), vm, vcpu;
		long sz;
		uint8_t *mem = alloc_guest_mem(GUEST_MEM_SIZE);
		struct kvm_run *run = MAP_FAILED;

		vm = ioctl(sys, KVM_CREATE_VM, 0);
		if (vm < 0) {
			snprintf(why, sizeof(why), "VM %d: KVM_CREATE_VM %s", i,
				 strerrorname_np(errno));
			ok = 0;
			close(sys);
			break;
		}
		mem[GUEST_CODE] = 0xf4;
		vcpu = -1;
		if (set_region(vm, 0, 0, 0, GUEST_MEM_SIZE, mem) < 0) {
			snprintf(why, sizeof(why), "VM %d: set region %s", i,
				 strerrorname_np(errno));
			ok = 0;
		} else if ((vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0) {
			snprintf(why, sizeof(why), "VM %d: create vcpu %s", i,
				 strerrorname_np(errno));
			ok = 0;
		} else {
			sz = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
			run = mmap(NULL, sz, PROT_READ | PROT_WRITE,
				   MAP_SHARED, vcpu, 0);
			if (run == MAP_FAILED ||
			    setup_real_mode(vcpu, GUEST_CODE) < 0 ||
			    ioctl(vcpu, KVM_RUN, 0) < 0 ||
			    run->exit_reason != KVM_EXIT_HLT) {
				snprintf(why, sizeof(why),
					 "VM %d: run %s exit %s", i,
					 strerrorname_np(errno),
					 run == MAP_FAILED ? "-" :
					 exit_name(run->exit_reason));
				ok = 0;
			}
			if (run != MAP_FAILED)
				munmap(run, sz);
		}
		/* alternate the close order */
		if (i & 1) {
			close(vm);
			if (vcpu >= 0)
				close(vcpu);
		} else {
			if (vcpu >= 0)
				close(vcpu);
			close(vm);
		}
		close(sys);
		munmap(mem, GUEST_MEM_SIZE);
	}
	snprintf(name, sizeof(name), "many-vms-sequential-%d", count);
	check_true(name, ok, "all created, run and destroyed", "%s", why);
}

static int count_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 4096; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (access(path, F_OK) == 0)
			n++;
	}
	return n;
}

static void many_vms(void)
{
	int before = count_fds();

	test_many_vms(200);
	check_eq("many-vms-no-fd-left-open", count_fds(), before);
}

static void fresh_vm(void)
{
	char why[200] = "";
	int r = run_counter_guest(10, why, sizeof(why));

	check_true("fresh-vm-after-lifecycle-tests", r == 0, "ok", "%s", why);
}

int main(int argc, char **argv)
{
	abi_parse_args(argc, argv);
	run_isolated("close-vm-first", test_close_vm_first, 60);
	run_isolated("close-vcpu-first", test_close_vcpu_first, 60);
	run_isolated("close-system-fd-first", test_close_system_fd_first, 60);
	run_isolated("fork", test_fork, 60);
	run_isolated("two-processes", test_two_processes, 150);
	run_isolated("many-vms", many_vms, 200);
	/* and after all that, a fresh VM works */
	run_isolated("fresh-vm", fresh_vm, 60);
	return abi_finish();
}
