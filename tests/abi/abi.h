/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the ABI test programs in tests/abi/.
 *
 * Every program takes "--dev PATH" (/dev/kvm for the in-tree KVM,
 * /dev/kvmlab for ours), prints one "PASS name" or
 * "FAIL name: expected X got Y" line per check and exits 0 only if every
 * check passed.  The expectations are what the in-tree KVM (Linux 6.1,
 * kvm-amd) does: each program must pass on /dev/kvm.
 *
 * Everything here is static inline so each program is one .c file plus
 * this header, with no other dependency.
 */
#ifndef ABI_H
#define ABI_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <linux/kvm.h>

static const char *abi_dev = "/dev/kvm";
static int abi_failed;
static int abi_passed;

static inline void abi_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--dev PATH]\n", prog);
	exit(2);
}

static inline void abi_parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dev") && i + 1 < argc)
			abi_dev = argv[++i];
		else
			abi_usage(argv[0]);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline void pass(const char *name)
{
	printf("PASS %s\n", name);
	abi_passed++;
}

static inline void fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	abi_failed++;
}

/* Describe an ioctl-style result: "0", "3" or "-1/EINVAL". */
static inline const char *abi_res(char *buf, size_t len, long ret, int err)
{
	if (ret == -1)
		snprintf(buf, len, "-1/%s", strerrorname_np(err) ?
			 strerrorname_np(err) : "?");
	else
		snprintf(buf, len, "%ld", ret);
	return buf;
}

/*
 * Check a syscall result.  want_errno == 0: success (ret >= 0) expected;
 * otherwise ret == -1 with errno == want_errno.  Returns 1 on pass.
 */
static inline int check_errno(const char *name, long ret, int err,
			      int want_errno)
{
	char got[64];

	if (want_errno == 0) {
		if (ret >= 0) {
			pass(name);
			return 1;
		}
		fail(name, "expected success got %s",
		     abi_res(got, sizeof(got), ret, err));
		return 0;
	}
	if (ret == -1 && err == want_errno) {
		pass(name);
		return 1;
	}
	fail(name, "expected -1/%s got %s", strerrorname_np(want_errno),
	     abi_res(got, sizeof(got), ret, err));
	return 0;
}

/* Run an expression that sets errno and check it in one go. */
#define CHECK_ERRNO(name, expr, want) do {			\
		errno = 0;					\
		long r_ = (long)(expr);				\
		check_errno((name), r_, errno, (want));		\
	} while (0)

static inline int check_eq(const char *name, long long got, long long want)
{
	if (got == want) {
		pass(name);
		return 1;
	}
	fail(name, "expected %lld got %lld", want, got);
	return 0;
}

static inline int check_true(const char *name, int cond, const char *want,
			     const char *gotfmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int check_true(const char *name, int cond, const char *want,
			     const char *gotfmt, ...)
{
	char got[256];
	va_list ap;

	if (cond) {
		pass(name);
		return 1;
	}
	va_start(ap, gotfmt);
	vsnprintf(got, sizeof(got), gotfmt, ap);
	va_end(ap);
	fail(name, "expected %s got %s", want, got);
	return 0;
}

static inline int abi_finish(void)
{
	fflush(stdout);
	printf("# %d passed, %d failed\n", abi_passed, abi_failed);
	return abi_failed ? 1 : 0;
}

static inline double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait for pid up to `secs` seconds; returns 1 and sets *status if it
 * ended, 0 if it is still running (or cannot be waited for).
 */
static inline int wait_timeout(pid_t pid, int *status, double secs)
{
	double end = now_sec() + secs;

	while (now_sec() < end) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 1;
		if (r < 0)
			return 0;
		usleep(10000);
	}
	return 0;
}

static inline void relay_line(const char *line)
{
	fputs(line, stdout);
	if (!strncmp(line, "PASS ", 5))
		abi_passed++;
	else if (!strncmp(line, "FAIL ", 5))
		abi_failed++;
}

/*
 * Run fn() in a child process, so that a hang (a KVM_RUN that never
 * returns) costs only this group of checks: the child's lines are relayed
 * and counted; after `secs` seconds without completion the child is killed
 * and one FAIL line reports the hang.  Returns 1 if the child completed.
 */
static inline int run_isolated(const char *name, void (*fn)(void), int secs)
{
	char buf[1024];
	size_t used = 0;
	double end = now_sec() + secs;
	int pfd[2], st = 0, hung = 0, fails_before = abi_failed;
	pid_t pid;

	fflush(stdout);
	if (pipe(pfd) < 0)
		return 0;
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], 1);
		close(pfd[1]);
		abi_passed = abi_failed = 0;
		fn();
		fflush(stdout);
		_exit(abi_failed ? 1 : 0);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = (int)((end - now_sec()) * 1000), r;
		ssize_t n;
		char *nl;

		if (left <= 0) {
			hung = 1;
			break;
		}
		r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			hung = 1;
			break;
		}
		if (r < 0)
			break;
		n = read(pfd[0], buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			break;
		used += n;
		buf[used] = 0;
		while ((nl = memchr(buf, '\n', used))) {
			char c = nl[1];

			nl[1] = 0;
			relay_line(buf);
			nl[1] = c;
			used -= nl + 1 - buf;
			memmove(buf, nl + 1, used);
			buf[used] = 0;
		}
		if (used == sizeof(buf) - 1) {
			relay_line(buf);
			used = 0;
		}
	}
	if (used) {
		buf[used] = 0;
		relay_line(buf);
		putchar('\n');
	}
	close(pfd[0]);
	if (hung) {
		kill(pid, SIGKILL);
		fail(name, "expected completion within %d s got a hang "
		     "(killed)", secs);
		if (!wait_timeout(pid, &st, 10))
			fail(name, "expected the hung test process to die of "
			     "SIGKILL within 10 s got still alive");
		return 0;
	}
	if (!wait_timeout(pid, &st, 10)) {
		kill(pid, SIGKILL);
		fail(name, "expected exit after its output got still running");
		return 0;
	}
	if (!WIFEXITED(st) && abi_failed == fails_before)
		fail(name, "expected normal exit got status %#x", st);
	return 1;
}

/* ---- device, VM, vCPU -------------------------------------------------- */

static inline int open_dev(void)
{
	int fd = open(abi_dev, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("FAIL open: expected an fd for %s got -1/%s\n", abi_dev,
		       strerrorname_np(errno));
		fflush(stdout);
		exit(1);
	}
	return fd;
}

/* Fatal setup error: one FAIL line, exit. */
static inline void die(const char *name, const char *what)
{
	printf("FAIL %s: expected %s to succeed got -1/%s\n", name, what,
	       strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	fflush(stdout);
	exit(1);
}

#define GUEST_MEM_SIZE	0x10000UL	/* 64 KiB at guest physical 0 */
#define GUEST_CODE	0x1000UL	/* where the test code goes */

struct vm {
	int sys;		/* /dev/kvm fd */
	int fd;			/* VM fd */
	int vcpu;		/* vCPU fd, -1 if none */
	struct kvm_run *run;	/* mmapped run page */
	size_t run_size;
	uint8_t *mem;		/* guest memory, GUEST_MEM_SIZE bytes */
};

static inline void *alloc_guest_mem(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline int set_region(int vmfd, uint32_t slot, uint32_t flags,
			     uint64_t gpa, uint64_t size, void *uaddr)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)uaddr,
	};

	return ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &r);
}

/* Set up segment registers for real mode with CS=0, flat 64 KiB. */
static inline int setup_real_mode(int vcpu, uint64_t rip)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ds.base = s.es.base = s.ss.base = s.fs.base = s.gs.base = 0;
	s.ds.selector = s.es.selector = s.ss.selector = 0;
	s.fs.selector = s.gs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.rip = rip;
	r.rflags = 0x2;
	r.rsp = 0x8000;
	return ioctl(vcpu, KVM_SET_REGS, &r);
}

/*
 * Create a VM with one 64 KiB slot at gpa 0, one vCPU (id 0) in real mode
 * at GUEST_CODE, with `code` copied there.  Fatal on error.
 */
static inline void vm_create(struct vm *vm, const char *name,
			     const void *code, size_t len)
{
	long sz;

	vm->sys = open_dev();
	vm->fd = ioctl(vm->sys, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die(name, "KVM_CREATE_VM");
	vm->mem = alloc_guest_mem(GUEST_MEM_SIZE);
	if (!vm->mem)
		die(name, "mmap guest memory");
	memcpy(vm->mem + GUEST_CODE, code, len);
	if (set_region(vm->fd, 0, 0, 0, GUEST_MEM_SIZE, vm->mem) < 0)
		die(name, "KVM_SET_USER_MEMORY_REGION");
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		die(name, "KVM_CREATE_VCPU");
	sz = ioctl(vm->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (long)sizeof(struct kvm_run))
		die(name, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = sz;
	vm->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die(name, "mmap of the vCPU fd");
	if (setup_real_mode(vm->vcpu, GUEST_CODE) < 0)
		die(name, "real-mode register setup");
}

static inline void vm_destroy(struct vm *vm)
{
	if (vm->run && vm->run != MAP_FAILED)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	close(vm->fd);
	close(vm->sys);
	munmap(vm->mem, GUEST_MEM_SIZE);
	memset(vm, 0, sizeof(*vm));
	vm->vcpu = -1;
}

static inline const char *exit_name(unsigned int r)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
		[KVM_EXIT_IO] = "KVM_EXIT_IO",
		[KVM_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
		[KVM_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
		[KVM_EXIT_HLT] = "KVM_EXIT_HLT",
		[KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
		[KVM_EXIT_INTR] = "KVM_EXIT_INTR",
		[KVM_EXIT_SET_TPR] = "KVM_EXIT_SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "KVM_EXIT_TPR_ACCESS",
		[KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
	};

	if (r < sizeof(names) / sizeof(names[0]) && names[r])
		return names[r];
	return "KVM_EXIT_?";
}

/* Check that the last KVM_RUN returned 0 with the given exit reason. */
static inline int check_exit(const char *name, int ret, int err,
			     struct kvm_run *run, unsigned int want)
{
	char got[64];

	if (ret != 0) {
		fail(name, "expected KVM_RUN 0 with %s got %s", exit_name(want),
		     abi_res(got, sizeof(got), ret, err));
		return 0;
	}
	if (run->exit_reason != want) {
		fail(name, "expected %s got %s (%u)", exit_name(want),
		     exit_name(run->exit_reason), run->exit_reason);
		return 0;
	}
	pass(name);
	return 1;
}

#define CHECK_RUN_EXIT(name, vcpufd, run, want) do {			\
		errno = 0;						\
		int r_ = ioctl((vcpufd), KVM_RUN, 0);			\
		check_exit((name), r_, errno, (run), (want));		\
	} while (0)

/* Guest code bytes (16-bit real mode). */
static const uint8_t code_hlt[] = { 0xf4 };			/* hlt */
static const uint8_t code_spin[] = { 0xeb, 0xfe };		/* jmp . */

#endif /* ABI_H */
