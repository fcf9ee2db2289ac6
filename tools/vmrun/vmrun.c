// SPDX-License-Identifier: GPL-2.0
/*
 * vmrun - run one bare-metal guest on /dev/kvmlab (or /dev/kvm) and print
 * what the guest did, one deterministic line per event, so that the runs
 * on two drivers can be compared with diff.  Lines starting with "# " are
 * statistics that may legitimately differ between drivers.
 *
 * Exit status: 0 the guest ended as expected (HLT unless --expect-exit)
 * with no FAIL; 1 it ended as expected with a FAIL; 2 anything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmrun.h"

void open_kvm_stats(struct vm *vm);	/* stats.c */

static const char *const end_names[END_NR] = {
	[END_HLT] = "HLT", [END_SHUTDOWN] = "SHUTDOWN", [END_TIMEOUT] = "TIMEOUT",
	[END_FAIL_ENTRY] = "FAIL_ENTRY", [END_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[END_UNKNOWN] = "UNKNOWN", [END_ERROR] = "ERROR",
};

static volatile sig_atomic_t timed_out;

void out(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	(void)vm;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vmrun: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	printf("EXIT ERROR\n");
	exit(2);
}

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	alarm(1);	/* again, in case it landed outside KVM_RUN */
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vmrun [--dev PATH] [--mem MB] [--mode real|prot32|pae|long]\n"
		"             [--timeout SECS] [--expect-exit HLT|SHUTDOWN|TIMEOUT|...]\n"
		"             [--load-addr ADDR] [--arg N=VALUE]... [--quiet]\n"
		"             guest.elf|guest.bin\n"
		"       vmrun [--dev PATH] --hold   (a VM and a vCPU, kept until killed)\n");
	exit(2);
}

static void create_vm(struct vm *vm, const char *dev, uint64_t mem_mb)
{
	vm->sys_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		die("%s: %s", dev, strerror(errno));
	int api = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		die("%s: API version %d, want %d", dev, api, KVM_API_VERSION);
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		die("KVM_CREATE_VM: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VMRUN_TSS_ADDR) < 0)
		die("KVM_SET_TSS_ADDR: %s", strerror(errno));

	vm->mem_size = mem_mb << 20;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap guest memory: %s", strerror(errno));
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		die("KVM_CREATE_VCPU: %s", strerror(errno));
	open_kvm_stats(vm);	/* stats.c: kept open for kvm_stat -S */
	int sz = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE: %d", sz);
	vm->run_size = sz;
	vm->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run: %s", strerror(errno));
}

/* The run loop: one switch on the exit reason. */
static enum vm_end run_loop(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	for (;;) {
		if (timed_out)
			return END_TIMEOUT;
		vm->runs++;
		event_pre_run(vm);
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vm->exits_intr++;
				continue;
			}
			console_flush(vm);
			out(vm, "# KVM_RUN: %s\n", strerror(errno));
			return END_ERROR;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			vm->exits_io++;
			handle_io(vm);
			break;
		case KVM_EXIT_MMIO:
			vm->exits_mmio++;
			handle_mmio(vm);
			break;
		case KVM_EXIT_HLT:
			if (vm->hlt_continue) {	/* the driver skipped the HLT */
				vm->hlt_continue--;
				break;
			}
			return END_HLT;
		case KVM_EXIT_SHUTDOWN:
			return END_SHUTDOWN;
		case KVM_EXIT_INTR:
			vm->exits_intr++;
			break;
		case KVM_EXIT_IRQ_WINDOW_OPEN:
			vm->exits_other++;
			break;
		case KVM_EXIT_FAIL_ENTRY:
			console_flush(vm);
			out(vm, "# FAIL_ENTRY hardware_entry_failure_reason=0x%llx\n",
			    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return END_FAIL_ENTRY;
		case KVM_EXIT_INTERNAL_ERROR:
			console_flush(vm);
			out(vm, "# INTERNAL_ERROR suberror=%u ndata=%u\n",
			    run->internal.suberror, run->internal.ndata);
			for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
				out(vm, "# INTERNAL_ERROR data[%u]=0x%llx\n", i,
				    (unsigned long long)run->internal.data[i]);
			return END_INTERNAL_ERROR;
		default:
			console_flush(vm);
			out(vm, "# unknown exit_reason %u\n", run->exit_reason);
			return END_UNKNOWN;
		}
	}
}

static int end_from_name(const char *s)
{
	for (int i = 0; i < END_NR; i++)
		if (!strcmp(s, end_names[i]))
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "mem", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "expect-exit", required_argument, NULL, 'e' },
		{ "load-addr", required_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "arg", required_argument, NULL, 'a' },
		{ "hold", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = "/dev/kvmlab";
	uint64_t mem_mb = 16, load_addr = ~0ull;
	unsigned int timeout = 0;
	enum vm_mode mode = MODE_NONE, elf_mode;
	int expect = END_HLT, hold = 0, c;
	static struct vm vm;
	struct vmrun_args args = { .magic = VMRUN_ARGS_MAGIC };
	char *argend;

	vm.irq_vector = -1;
	while ((c = getopt_long(argc, argv, "d:m:M:t:e:l:qa:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'm': mem_mb = strtoull(optarg, NULL, 0); break;
		case 't': timeout = strtoul(optarg, NULL, 0); break;
		case 'l': load_addr = strtoull(optarg, NULL, 0); break;
		case 'q': vm.quiet = 1; break;
		case 'H': hold = 1; break;
		case 'a': {
			unsigned long i = strtoul(optarg, &argend, 0);
			if (*argend != '=' || i >= VMRUN_NR_ARGS)
				usage();
			args.arg[i] = strtoull(argend + 1, &argend, 0);
			if (*argend)
				usage();
			args.set |= 1u << i;
			break;
		}
		case 'M':
			mode = mode_from_name(optarg);
			if (mode == MODE_NONE)
				usage();
			break;
		case 'e':
			expect = end_from_name(optarg);
			if (expect < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc - !hold || mem_mb < 2 || mem_mb > 3072)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	create_vm(&vm, dev, mem_mb);
	while (hold)	/* for lab/kvm-intree: why, there */
		pause();
	if (load_addr == ~0ull)
		load_addr = mode == MODE_REAL ? VMRUN_REAL_LOAD : VMRUN_FLAT_LOAD;
	memcpy(vm.mem + VMRUN_ARGS_ADDR, &args, sizeof(args));
	load_image(&vm, argv[optind], load_addr, &elf_mode);
	vm.mode = mode != MODE_NONE ? mode : elf_mode;
	if (vm.mode == MODE_NONE)
		die("%s: no mode in the image: give --mode", argv[optind]);
	setup_cpuid(&vm);
	setup_mode(&vm);

	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (timeout)
		alarm(timeout);

	enum vm_end end = run_loop(&vm);

	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	console_flush(&vm);
	out(&vm, "EXIT %s\n", end_names[end]);
	/* registers are guest-visible only at a clean HLT */
	print_regs(&vm, end == END_HLT ? "" : "# ");
	out(&vm, "PIODEV accesses=%llu\n", (unsigned long long)vm.pio_accesses);
	out(&vm, "RESULT pass=%u fail=%u value=%u\n", vm.passes, vm.fails, vm.values);
	out(&vm, "# runs=%llu exits: io=%llu mmio=%llu intr=%llu\n",
	    (unsigned long long)vm.runs, (unsigned long long)vm.exits_io,
	    (unsigned long long)vm.exits_mmio, (unsigned long long)vm.exits_intr);
	for (int i = 0; i < VMRUN_NR_ARGS; i++)
		if (args.set & 1u << i)
			out(&vm, "# arg %d = 0x%llx\n", i, (unsigned long long)args.arg[i]);
	out(&vm, "# time %.3f s mode %s dev %s\n",
	    (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    mode_name(vm.mode), dev);
	print_kvm_stats(&vm);

	if ((int)end != expect)
		return 2;
	return vm.fails ? 1 : 0;
}
