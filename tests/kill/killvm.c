// SPDX-License-Identifier: GPL-2.0
/*
 * killvm: SIGKILL VMs at random points, many times.
 *
 *   killvm --dev PATH [--kills N] [--seed S] [--max-ms M] [GUEST.elf...]
 *
 * Each round forks a child that does one of:
 *  - "abi": opens the device, creates 1-3 VMs with 1-3 memory slots and
 *    1-2 vCPUs each (one thread per vCPU, run pages mapped), stats fds,
 *    then loops KVM_RUN on a real-mode guest that counts, does port I/O
 *    and MMIO, while the main thread keeps issuing ioctls (regs, sregs,
 *    slot moves and deletions, stats reads);
 *  - "vmrun": execs tools/vmrun with one of the GUEST.elf given (shadow
 *    page tables, thousands of address spaces, ...);
 * and SIGKILLs it after a random 0..M ms (default 40), so the kill lands
 * in KVM_RUN, in an ioctl, in mmap or in exit.  A child that does not
 * die within 10 s of SIGKILL is a hang.  Prints one line a script reads:
 *   killvm: kills N abi N vmrun N hangs N seconds S
 * Exit status 0 when there was no hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dev = "/dev/kvmlab";

/* real mode at 0x1000: loop: inc dword [0x100]; out 0x10, al;
 * mov [es:0], ax with es = 0x2000 (gpa 0x20000: no slot, MMIO); jmp */
static const uint8_t guest[] = {
	0xb8, 0x00, 0x20, 0x8e, 0xc0,		/* mov ax, 0x2000; mov es, ax */
	0x66, 0xff, 0x06, 0x00, 0x01,		/* inc dword [0x100] */
	0xe6, 0x10,				/* out 0x10, al */
	0x26, 0xa3, 0x00, 0x00,			/* mov [es:0], ax */
	0xeb, 0xf3,				/* jmp to inc */
};

struct vcpu_thread {
	int fd;
	struct kvm_run *run;
};

static void *vcpu_loop(void *arg)
{
	struct vcpu_thread *v = arg;

	for (;;)
		ioctl(v->fd, KVM_RUN, 0);
	return NULL;
}

static void child_abi(unsigned int seed)
{
	int sys = open(dev, O_RDWR), nvm = 1 + rand_r(&seed) % 3, i, j;
	long mmap_size;

	if (sys < 0)
		_exit(3);
	mmap_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (i = 0; i < nvm; i++) {
		int vm = ioctl(sys, KVM_CREATE_VM, 0), nslots = 1 + rand_r(&seed) % 3;
		int nvcpu = 1 + rand_r(&seed) % 2;

		if (vm < 0)
			_exit(4);
		for (j = 0; j < nslots; j++) {
			size_t sz = 0x10000UL << (rand_r(&seed) % 4);
			uint8_t *m = mmap(NULL, sz, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			struct kvm_userspace_memory_region r = {
				.slot = j, .guest_phys_addr = j ? 0x100000UL * j : 0,
				.memory_size = sz, .userspace_addr = (uintptr_t)m,
			};

			if (m == MAP_FAILED)
				_exit(5);
			if (!j)
				memcpy(m + 0x1000, guest, sizeof(guest));
			ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
		}
		if (rand_r(&seed) & 1)
			ioctl(vm, KVM_GET_STATS_FD, 0);
		for (j = 0; j < nvcpu; j++) {
			struct vcpu_thread *v = calloc(1, sizeof(*v));
			struct kvm_sregs s;
			struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
			pthread_t t;

			v->fd = ioctl(vm, KVM_CREATE_VCPU, j);
			if (v->fd < 0)
				_exit(6);
			v->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, v->fd, 0);
			ioctl(v->fd, KVM_GET_SREGS, &s);
			s.cs.base = 0;
			s.cs.selector = 0;
			ioctl(v->fd, KVM_SET_SREGS, &s);
			ioctl(v->fd, KVM_SET_REGS, &regs);
			if (rand_r(&seed) & 1)
				ioctl(v->fd, KVM_GET_STATS_FD, 0);
			pthread_create(&t, NULL, vcpu_loop, v);
		}
		/* the main thread keeps the VM busy with ioctls */
		for (j = 0; j < 1000; j++) {
			struct kvm_userspace_memory_region r = { .slot = 2 };

			switch (rand_r(&seed) % 4) {
			case 0:
				ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);	/* delete */
				break;
			case 1:
				ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
				break;
			default:
				ioctl(vm, KVM_CREATE_VCPU, 100 + j);	/* refused */
				break;
			}
			if (i < nvm - 1 && j > 10)
				break;
		}
	}
	for (;;)
		pause();
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long kills = 1000, nabi = 0, nvmrun = 0, hangs = 0, k;
	unsigned int seed = 1, max_ms = 40;
	char **guests = NULL;
	int nguests = 0, i;
	double t0 = now();

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dev") && i + 1 < argc)
			dev = argv[++i];
		else if (!strcmp(argv[i], "--kills") && i + 1 < argc)
			kills = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--max-ms") && i + 1 < argc)
			max_ms = strtoul(argv[++i], NULL, 0);
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: killvm --dev PATH [--kills N] [--seed S] [--max-ms M] [GUEST.elf...]\n");
			return 2;
		} else
			break;
	}
	guests = argv + i;
	nguests = argc - i;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (k = 0; k < kills; k++) {
		int use_vmrun = nguests && (rand_r(&seed) & 1);
		unsigned int cseed = rand_r(&seed);
		unsigned int us = rand_r(&seed) % (max_ms * 1000 + 1);
		pid_t pid = fork();
		int st;
		double t;

		if (pid < 0) {
			perror("killvm: fork");
			return 1;
		}
		if (!pid) {
			if (use_vmrun) {
				char *g = guests[cseed % nguests];

				execl("tools/vmrun/vmrun", "vmrun", "--dev", dev, "--quiet",
				      "--timeout", "60", g, (char *)NULL);
				_exit(127);
			}
			child_abi(cseed);
		}
		use_vmrun ? nvmrun++ : nabi++;
		usleep(us);
		kill(pid, SIGKILL);
		t = now();
		while (waitpid(pid, &st, WNOHANG) == 0) {
			if (now() - t > 10) {
				printf("killvm: child %d survives SIGKILL for 10 s (round %lu)\n", pid, k);
				hangs++;
				break;
			}
			usleep(1000);
		}
		if (hangs)
			break;
		if ((k + 1) % 500 == 0)
			printf("killvm: %lu kills, %.0f s\n", k + 1, now() - t0);
	}
	printf("killvm: kills %lu abi %lu vmrun %lu hangs %lu seconds %.1f\n",
	       nabi + nvmrun, nabi, nvmrun, hangs, now() - t0);
	return hangs != 0;
}
