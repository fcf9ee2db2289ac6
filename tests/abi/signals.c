// SPDX-License-Identifier: GPL-2.0
/*
 * signals: KVM_RUN and signals -- immediate_exit, a timer signal
 * interrupting a spinning guest (and resuming it), a signal from another
 * thread, and SIGKILL of a process whose guest spins with interrupts off
 * (the host stays responsive meanwhile, nice applies to the vCPU thread).
 * Expectations are the in-tree KVM's (Linux 6.1, kvm-amd).
 */
#include "abi.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>

static volatile sig_atomic_t sig_count;

static void on_signal(int sig)
{
	(void)sig;
	sig_count++;
}

static void set_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void set_timer(long usec)
{
	struct itimerval it = {
		.it_interval = { 0, usec },
		.it_value = { 0, usec },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}


static void test_immediate_exit(void)
{
	struct vm vm;
	long cap;

	vm_create(&vm, "immediate-exit", code_hlt, sizeof(code_hlt));
	cap = ioctl(vm.sys, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT);
	if (cap <= 0) {
		printf("SKIP immediate-exit: KVM_CAP_IMMEDIATE_EXIT is %ld\n",
		       cap);
		vm_destroy(&vm);
		return;
	}
	vm.run->immediate_exit = 1;
	CHECK_ERRNO("immediate-exit-run-eintr", ioctl(vm.vcpu, KVM_RUN, 0),
		    EINTR);
	CHECK_ERRNO("immediate-exit-run-eintr-again",
		    ioctl(vm.vcpu, KVM_RUN, 0), EINTR);
	{
		struct kvm_regs r;

		ioctl(vm.vcpu, KVM_GET_REGS, &r);
		check_eq("immediate-exit-guest-did-not-run", r.rip, GUEST_CODE);
	}
	vm.run->immediate_exit = 0;
	CHECK_RUN_EXIT("immediate-exit-cleared-runs-to-hlt", vm.vcpu, vm.run,
		       KVM_EXIT_HLT);
	vm_destroy(&vm);
}

/* Guest: 1: inc %ebx; jmp 1b -- spins, counting in ebx. */
static const uint8_t code_count[] = { 0x66, 0x43, 0xeb, 0xfc };

static uint64_t get_rbx(int vcpu)
{
	struct kvm_regs r;

	if (ioctl(vcpu, KVM_GET_REGS, &r) < 0)
		return (uint64_t)-1;
	return r.rbx & 0xffffffff;
}

static void test_timer_signal(void)
{
	struct vm vm;
	uint64_t bx1, bx2;
	int r, e;

	vm_create(&vm, "timer-signal", code_count, sizeof(code_count));
	set_handler(SIGALRM);
	sig_count = 0;
	set_timer(50000);
	errno = 0;
	r = ioctl(vm.vcpu, KVM_RUN, 0);
	e = errno;
	check_errno("sigalrm-interrupts-spinning-run-eintr", r, e, EINTR);
	check_true("sigalrm-exit-reason-intr",
		   vm.run->exit_reason == KVM_EXIT_INTR, "KVM_EXIT_INTR",
		   "%s", exit_name(vm.run->exit_reason));
	check_true("sigalrm-handler-ran", sig_count >= 1, ">= 1 signal",
		   "%d", (int)sig_count);
	bx1 = get_rbx(vm.vcpu);
	check_true("guest-ran-before-signal", bx1 > 0 && bx1 != (uint64_t)-1,
		   "ebx > 0", "%#llx", (unsigned long long)bx1);

	/* resume: the guest continues and is interrupted again */
	sig_count = 0;
	errno = 0;
	r = ioctl(vm.vcpu, KVM_RUN, 0);
	e = errno;
	check_errno("resumed-run-interrupted-again-eintr", r, e, EINTR);
	check_true("resumed-exit-reason-intr",
		   vm.run->exit_reason == KVM_EXIT_INTR, "KVM_EXIT_INTR",
		   "%s", exit_name(vm.run->exit_reason));
	bx2 = get_rbx(vm.vcpu);
	check_true("guest-resumed-after-signal", bx2 != bx1, "ebx changed",
		   "%#llx then %#llx", (unsigned long long)bx1,
		   (unsigned long long)bx2);
	{
		struct kvm_regs regs;

		ioctl(vm.vcpu, KVM_GET_REGS, &regs);
		check_true("rip-inside-spin-loop",
			   regs.rip >= GUEST_CODE && regs.rip < GUEST_CODE + 4,
			   "0x1000..0x1003", "%#llx",
			   (unsigned long long)regs.rip);
	}
	set_timer(0);

	/* the guest can be redirected and finishes normally afterwards */
	vm.mem[GUEST_CODE + 4] = 0xf4;
	setup_real_mode(vm.vcpu, GUEST_CODE + 4);
	CHECK_RUN_EXIT("run-to-hlt-after-signals", vm.vcpu, vm.run,
		       KVM_EXIT_HLT);
	vm_destroy(&vm);
}

struct kick {
	pthread_t target;
	double delay;
};

static void *kicker(void *arg)
{
	struct kick *k = arg;

	usleep((useconds_t)(k->delay * 1e6));
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

static void test_thread_kick(void)
{
	struct vm vm;
	struct kick k;
	pthread_t t;
	int r, e;

	vm_create(&vm, "thread-kick", code_spin, sizeof(code_spin));
	set_handler(SIGUSR1);
	sig_count = 0;
	k.target = pthread_self();
	k.delay = 0.2;
	pthread_create(&t, NULL, kicker, &k);
	errno = 0;
	r = ioctl(vm.vcpu, KVM_RUN, 0);
	e = errno;
	pthread_join(t, NULL);
	check_errno("sigusr1-from-other-thread-interrupts-run-eintr", r, e,
		    EINTR);
	check_true("sigusr1-exit-reason-intr",
		   vm.run->exit_reason == KVM_EXIT_INTR, "KVM_EXIT_INTR",
		   "%s", exit_name(vm.run->exit_reason));
	vm_destroy(&vm);
}

/* ---- SIGKILL of a process spinning with interrupts off --------------- */

/* Guest: cli; jmp . */
static const uint8_t code_cli_spin[] = { 0xfa, 0xeb, 0xfe };

struct vcpu_thread {
	int vcpu;
	int pipe_w;
};

static void *vcpu_thread_fn(void *arg)
{
	struct vcpu_thread *vt = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (write(vt->pipe_w, &tid, sizeof(tid)) != sizeof(tid))
		_exit(4);
	ioctl(vt->vcpu, KVM_RUN, 0);	/* never returns */
	_exit(5);
	return NULL;
}

static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* CPU time this thread gets while busy for `secs` of wall time. */
static double cpu_share(double secs)
{
	struct timespec a, b;
	double t0 = now_sec(), t1;
	volatile unsigned long spin = 0;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	while ((t1 = now_sec()) - t0 < secs)
		spin++;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	return ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9) /
	       (t1 - t0);
}

static void test_sigkill(void)
{
	cpu_set_t saved;
	int pfd[2], st;
	pid_t pid, tid = 0;
	double t0, worst = 0, share_before, share_after;
	int alive, i, prio;

	sched_getaffinity(0, sizeof(saved), &saved);
	pin_to_cpu0();	/* parent and child share one CPU */
	if (pipe(pfd) < 0)
		die("sigkill", "pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("sigkill", "fork");
	if (pid == 0) {
		struct vm vm;
		struct vcpu_thread vt;
		pthread_t t;

		close(pfd[0]);
		vm_create(&vm, "sigkill-child", code_cli_spin,
			  sizeof(code_cli_spin));
		vt.vcpu = vm.vcpu;
		vt.pipe_w = pfd[1];
		pthread_create(&t, NULL, vcpu_thread_fn, &vt);
		pthread_join(t, NULL);
		_exit(6);
	}
	close(pfd[1]);
	if (read(pfd[0], &tid, sizeof(tid)) != sizeof(tid)) {
		fail("sigkill-child-started", "expected a vCPU thread id got none");
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		sched_setaffinity(0, sizeof(saved), &saved);
		return;
	}
	close(pfd[0]);
	usleep(300000);	/* let it enter the guest */

	/* the parent, on the same CPU, keeps getting time */
	for (i = 0; i < 20; i++) {
		double d;

		t0 = now_sec();
		usleep(10000);
		d = now_sec() - t0;
		if (d > worst)
			worst = d;
	}
	check_true("host-responsive-while-guest-spins-cli", worst < 1.0,
		   "each 10 ms sleep < 1 s", "worst %.3f s", worst);
	alive = waitpid(pid, &st, WNOHANG) == 0;
	check_true("guest-still-spinning", alive, "child alive",
		   "child exited, status %#x", st);

	share_before = cpu_share(1.0);
	CHECK_ERRNO("setpriority-vcpu-thread-nice-19",
		    setpriority(PRIO_PROCESS, tid, 19), 0);
	errno = 0;
	prio = getpriority(PRIO_PROCESS, tid);
	check_eq("getpriority-vcpu-thread-is-19", prio, 19);
	usleep(100000);
	share_after = cpu_share(1.0);
	printf("INFO sigkill: parent CPU share %.2f with the vCPU at nice 0, "
	       "%.2f at nice 19\n", share_before, share_after);
	/*
	 * By weight, nice 19 against nice 0 leaves the parent ~98% of the
	 * CPU.  The share is CPU time over wall time, and a starved lab (the
	 * build machine busy) loses wall time to neither: then the parent's
	 * share must still grow by half of what it was at nice 0.
	 */
	check_true("nice-19-vcpu-gives-cpu-to-parent",
		   share_after > 0.75 || share_after > 1.5 * share_before,
		   "parent share > 0.75 or > 1.5x its share at nice 0",
		   "%.2f (%.2f at nice 0)", share_after, share_before);

	t0 = now_sec();
	kill(pid, SIGKILL);
	if (!wait_timeout(pid, &st, 5)) {
		fail("sigkill-spinning-guest-dies-within-5s",
		     "expected death within 5 s got still alive");
		sched_setaffinity(0, sizeof(saved), &saved);
		return;	/* can't clean up: leave it */
	}
	check_true("sigkill-spinning-guest-dies-within-5s",
		   WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		   "killed by SIGKILL", "status %#x after %.2f s", st,
		   now_sec() - t0);
	sched_setaffinity(0, sizeof(saved), &saved);

	/* afterwards a new VM can be created and run */
	{
		struct vm vm;

		vm_create(&vm, "new-vm-after-sigkill", code_hlt,
			  sizeof(code_hlt));
		CHECK_RUN_EXIT("new-vm-after-sigkill-runs", vm.vcpu, vm.run,
			       KVM_EXIT_HLT);
		vm_destroy(&vm);
	}
}

int main(int argc, char **argv)
{
	abi_parse_args(argc, argv);
	run_isolated("immediate-exit", test_immediate_exit, 60);
	run_isolated("timer-signal", test_timer_signal, 60);
	run_isolated("thread-kick", test_thread_kick, 60);
	/* a hang here means the host CPU shared with the spinning vCPU starved */
	run_isolated("sigkill-cli-spin-host-starved", test_sigkill, 90);
	return abi_finish();
}
