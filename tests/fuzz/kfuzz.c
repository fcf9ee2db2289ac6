// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz: random sequences of every ioctl the KVM ABI defines, on a KVM
 * device (kvmlab's or the in-tree one), from several processes and
 * threads at once.
 *
 *   kfuzz --dev PATH [--calls N] [--procs P] [--threads T] [--seed S]
 *
 * Each process keeps a pool of file descriptors (device, VMs, vCPUs,
 * stats fds, duplicates) and of guest memory; each thread picks a random
 * fd and a random operation: a known ioctl of that fd's kind with random
 * or edge-case arguments (sizes, slot ids with address-space bits, guest
 * addresses, flags, unaligned or unmapped or kernel pointers, register
 * values including invalid segment and control-register states, CPUID
 * tables, MSR lists), a random ioctl number, KVM_RUN on guest memory
 * full of random bytes (a per-thread 20 ms timer interrupts it), close,
 * dup, mmap or munmap of a vCPU's run page, a read of a stats fd at a
 * random offset, an fd passed with SCM_RIGHTS to a helper process that
 * uses it and closes it, or a fork whose child uses the inherited fds.
 * Stops after N calls in total; a process making no progress for 60 s,
 * or not dying within 10 s of SIGKILL at the end, is a hang.  Prints
 * lines a script reads:
 *   kfuzz: calls N
 *   kfuzz: errno NAME N        (one per errno seen; NAME "ok" = success)
 *   kfuzz: hangs N
 *   kfuzz: seconds S
 * Exit status 0 when there was no hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ERRNO	256
#define POOL		64

struct shared {
	atomic_ulong calls;
	atomic_ulong err[MAX_ERRNO + 1];	/* [0] = success */
	unsigned long limit;
};

enum kind { K_NONE, K_SYS, K_VM, K_VCPU, K_STATS };

struct slotmem {
	uint8_t *p;
	size_t size;
};

static struct shared *sh;
static const char *dev = "/dev/kvmlab";
static int nthreads = 4;
static int sock = -1;			/* to this process's fd receiver */
static int in_fork;			/* a fork of a threaded process */

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static int pool_fd[POOL];
static enum kind pool_kind[POOL];
static struct slotmem mem[8];
static void *runmap[POOL];
static long mmap_size = 8192;

static uint64_t rnd(unsigned int *s)
{
	return (uint64_t)rand_r(s) << 33 ^ (uint64_t)rand_r(s) << 11 ^ rand_r(s);
}

/* An edge-case or random 64-bit value. */
static uint64_t val(unsigned int *s)
{
	static const uint64_t edge[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 255, 256, 4095, 4096, 4097,
		0x7fff, 0xffff, 0x10000, 0xfffff, 0x100000, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0xfffffffffffff000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 1, 0xfee00000, 0xfffbd000,
		0xd0000000, 0xc0000080, 0xc0010117, 0x000fffff00000000ULL,
	};

	switch (rand_r(s) % 4) {
	case 0: return edge[rand_r(s) % (sizeof(edge) / sizeof(edge[0]))];
	case 1: return rand_r(s) % 64;
	case 2: return (uint64_t)rand_r(s) << 12;
	default: return rnd(s);
	}
}

/* A user pointer: a good buffer, NULL, unmapped, kernel, misaligned. */
static void *ptr(unsigned int *s, void *good)
{
	switch (rand_r(s) % 8) {
	case 0: return NULL;
	case 1: return (void *)0xffffffff81000000UL;
	case 2: return (void *)0x10;
	case 3: return (uint8_t *)good + 1;
	case 4: return (void *)(uintptr_t)rnd(s);
	default: return good;
	}
}

static void count(long r)
{
	int e = r < 0 ? errno : 0;

	atomic_fetch_add(&sh->err[e > MAX_ERRNO ? MAX_ERRNO : e], 1);
	atomic_fetch_add(&sh->calls, 1);
}

static int pick(unsigned int *s, enum kind *k)
{
	int i = rand_r(s) % POOL, n;

	for (n = 0; n < POOL; n++, i = (i + 1) % POOL) {
		if (pool_kind[i] != K_NONE) {
			*k = pool_kind[i];
			return i;
		}
	}
	return -1;
}

static void put(int fd, enum kind k)
{
	int i;

	if (fd < 0)
		return;
	/* another thread may have held pool_lock at fork(): never take it */
	if (in_fork) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < POOL; i++) {
		if (pool_kind[i] == K_NONE) {
			pool_fd[i] = fd;
			pool_kind[i] = k;
			pthread_mutex_unlock(&pool_lock);
			return;
		}
	}
	pthread_mutex_unlock(&pool_lock);
	close(fd);
}

static void drop(int i)
{
	pthread_mutex_lock(&pool_lock);
	if (pool_kind[i] != K_NONE) {
		if (runmap[i]) {
			munmap(runmap[i], mmap_size);
			runmap[i] = NULL;
		}
		close(pool_fd[i]);
		pool_kind[i] = K_NONE;
	}
	pthread_mutex_unlock(&pool_lock);
}

static void send_fd(int fd)
{
	char buf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	sendmsg(sock, &m, MSG_DONTWAIT);
}

/* One random ioctl of the right kind on fd (or a random number). */
static void do_ioctl(unsigned int *s, int fd, enum kind k)
{
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_userspace_memory_region mr;
		uint8_t raw[8192];
	} u;
	struct kvm_cpuid2 *cp = (void *)u.raw;
	struct kvm_msrs *msrs = (void *)u.raw;
	struct kvm_msr_list *ml = (void *)u.raw;
	unsigned long nr;
	long r;
	int op = rand_r(s) % 16;

	for (size_t i = 0; i < sizeof(u); i += 4)
		*(uint32_t *)(u.raw + i) = rand_r(s);
	if (op == 0) {		/* any ioctl number of the KVM space */
		nr = _IOC(rand_r(s) % 4, KVMIO, rand_r(s) % 256, rand_r(s) % 512);
		r = ioctl(fd, nr, ptr(s, u.raw));
		count(r);
		return;
	}
	switch (k) {
	case K_SYS:
		switch (op % 7) {
		case 0: r = ioctl(fd, KVM_GET_API_VERSION, val(s) % 3 ? 0 : val(s)); break;
		case 1:
			r = ioctl(fd, KVM_CREATE_VM, rand_r(s) % 4 ? 0 : val(s));
			count(r);
			put(r, K_VM);
			return;
		case 2: r = ioctl(fd, KVM_CHECK_EXTENSION, val(s)); break;
		case 3: r = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, rand_r(s) % 4 ? 0 : val(s)); break;
		case 4:
			cp->nent = rand_r(s) % 3 ? (uint64_t)(rand_r(s) % 300) : val(s);
			r = ioctl(fd, KVM_GET_SUPPORTED_CPUID, ptr(s, cp));
			break;
		case 5:
			ml->nmsrs = rand_r(s) % 3 ? (uint64_t)(rand_r(s) % 300) : val(s);
			r = ioctl(fd, KVM_GET_MSR_INDEX_LIST, ptr(s, ml));
			break;
		default: r = ioctl(fd, KVM_GET_API_VERSION, 0); break;
		}
		break;
	case K_VM:
		switch (op % 6) {
		case 0:
			r = ioctl(fd, KVM_CREATE_VCPU, rand_r(s) % 4 ? (uint64_t)(rand_r(s) % 20) : val(s));
			count(r);
			put(r, K_VCPU);
			return;
		case 1: case 2: {
			struct slotmem *m = &mem[rand_r(s) % 8];

			u.mr.slot = rand_r(s) % 4 ? (uint64_t)(rand_r(s) % 40) : (uint32_t)val(s);
			u.mr.flags = rand_r(s) % 4 ? 0 : (uint32_t)val(s);
			u.mr.guest_phys_addr = rand_r(s) % 3 ? (uint64_t)(rand_r(s) % 64) << 20 : val(s);
			u.mr.memory_size = rand_r(s) % 5 ? m->size >> (rand_r(s) % 4) :
					   rand_r(s) % 2 ? 0 : val(s);
			u.mr.userspace_addr = rand_r(s) % 5 ? (uintptr_t)m->p : val(s);
			r = ioctl(fd, KVM_SET_USER_MEMORY_REGION, ptr(s, &u.mr));
			break;
		}
		case 3: r = ioctl(fd, KVM_SET_TSS_ADDR, val(s)); break;
		case 4: r = ioctl(fd, KVM_CHECK_EXTENSION, val(s)); break;
		default:
			r = ioctl(fd, KVM_GET_STATS_FD, 0);
			count(r);
			put(r, K_STATS);
			return;
		}
		break;
	case K_VCPU:
		switch (op % 12) {
		case 0: case 1: case 2:
			r = ioctl(fd, KVM_RUN, rand_r(s) % 8 ? 0 : val(s));
			break;
		case 3: r = ioctl(fd, KVM_GET_REGS, ptr(s, &u.regs)); break;
		case 4:
			if (rand_r(s) % 2)
				u.regs.rip = rand_r(s) % 0x10000;
			u.regs.rflags = rand_r(s) % 2 ? 2 : val(s);
			r = ioctl(fd, KVM_SET_REGS, ptr(s, &u.regs));
			break;
		case 5: r = ioctl(fd, KVM_GET_SREGS, ptr(s, &u.sregs)); break;
		case 6:
			/* mostly a real state with a few fields broken */
			if (ioctl(fd, KVM_GET_SREGS, &u.sregs) == 0) {
				uint64_t *f = (uint64_t *)&u.sregs;
				int n = rand_r(s) % 4;

				while (n--)
					f[rand_r(s) % (sizeof(u.sregs) / 8)] = val(s);
			}
			r = ioctl(fd, KVM_SET_SREGS, ptr(s, &u.sregs));
			break;
		case 7:
			cp->nent = rand_r(s) % 3 ? (uint64_t)(rand_r(s) % 80) : val(s);
			r = ioctl(fd, KVM_SET_CPUID2, ptr(s, cp));
			break;
		case 8: case 9: {
			static const uint32_t idx[] = { 0x10, 0x1b, 0x174, 0x175, 0x176, 0x277,
				0xc0000080, 0xc0000081, 0xc0000082, 0xc0000100, 0xc0000101,
				0xc0000102, 0xc0000103, 0xc0010114, 0xc0010117, 0x3a, 0x48 };

			msrs->nmsrs = rand_r(s) % 3 ? (uint64_t)(rand_r(s) % 20) : val(s);
			for (int i = 0; i < 20; i++)
				msrs->entries[i].index = rand_r(s) % 2 ?
					idx[rand_r(s) % (sizeof(idx) / 4)] : (uint32_t)val(s);
			r = ioctl(fd, op % 12 == 8 ? KVM_GET_MSRS : KVM_SET_MSRS, ptr(s, msrs));
			break;
		}
		case 10:
			r = ioctl(fd, KVM_GET_STATS_FD, 0);
			count(r);
			put(r, K_STATS);
			return;
		default: r = ioctl(fd, KVM_SET_SIGNAL_MASK, ptr(s, u.raw)); break;
		}
		break;
	case K_STATS:
		r = pread(fd, u.raw, rand_r(s) % sizeof(u.raw), rand_r(s) % 2 ? (long)(rand_r(s) % 4096) : (long)val(s));
		break;
	default:
		return;
	}
	count(r);
}

static void fd_op(unsigned int *s, int i, enum kind k)
{
	long r;

	switch (rand_r(s) % 6) {
	case 0:
		drop(i);
		return;
	case 1:
		r = dup(pool_fd[i]);
		count(r);
		put(r, k);
		return;
	case 2:
		send_fd(pool_fd[i]);
		return;
	case 3:
		if (k == K_VCPU) {
			pthread_mutex_lock(&pool_lock);
			if (pool_kind[i] == K_VCPU && !runmap[i]) {
				void *p = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE,
					       MAP_SHARED, pool_fd[i], 0);

				count(p == MAP_FAILED ? -1 : 0);
				runmap[i] = p == MAP_FAILED ? NULL : p;
			} else if (runmap[i]) {
				munmap(runmap[i], mmap_size);
				runmap[i] = NULL;
			}
			pthread_mutex_unlock(&pool_lock);
		}
		return;
	case 4: {	/* guest memory gets new random bytes */
		struct slotmem *m = &mem[rand_r(s) % 8];
		size_t off = (rand_r(s) % (m->size / 4096)) * 4096;

		for (int j = 0; j < 4096; j += 4)
			*(uint32_t *)(m->p + off + j) = rand_r(s);
		return;
	}
	default:
		if (rand_r(s) % 50 == 0) {
			pid_t pid = fork();

			if (!pid) {
				unsigned int cs = rand_r(s);

				in_fork = 1;
				for (int n = 0; n < 20; n++) {
					enum kind kk;
					int j = pick(&cs, &kk);

					if (j >= 0)
						do_ioctl(&cs, pool_fd[j], kk);
				}
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		return;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void *worker(void *arg)
{
	unsigned int s = (unsigned int)(uintptr_t)arg;
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	timer_t t;

	ev._sigev_un._tid = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &ev, &t) == 0)
		timer_settime(t, 0, &its, NULL);
	while (atomic_load(&sh->calls) < sh->limit) {
		enum kind k;
		int i;

		pthread_mutex_lock(&pool_lock);
		i = pick(&s, &k);
		pthread_mutex_unlock(&pool_lock);
		if (i < 0 || rand_r(&s) % 40 == 0) {
			int fd = open(dev, O_RDWR);

			count(fd);
			put(fd, K_SYS);
			continue;
		}
		if (rand_r(&s) % 10 == 0)
			fd_op(&s, i, k);
		else
			do_ioctl(&s, pool_fd[i], k);
	}
	return NULL;
}

/* The receiver of passed fds: uses each once (another mm), closes it. */
static void receiver(int rsock, unsigned int s)
{
	for (;;) {
		char buf[CMSG_SPACE(sizeof(int))], byte;
		struct iovec iov = { &byte, 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = buf, .msg_controllen = sizeof(buf) };
		struct cmsghdr *c;
		int fd;

		if (recvmsg(rsock, &m, 0) <= 0)
			_exit(0);
		c = CMSG_FIRSTHDR(&m);
		if (!c || c->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		do_ioctl(&s, fd, (enum kind)(1 + rand_r(&s) % 4));
		close(fd);
	}
}

static void fuzz_process(unsigned int seed)
{
	pthread_t t[64];
	int sv[2], i;
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* SEQPACKET: the receiver sees EOF when this process dies */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0) {
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(sv[0]);
			receiver(sv[1], seed ^ 0x5a5a);
		}
		close(sv[1]);
		sock = sv[0];
	}
	for (i = 0; i < 8; i++) {
		mem[i].size = 0x10000UL << (i % 5);
		mem[i].p = mmap(NULL, mem[i].size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (mem[i].p == MAP_FAILED)
			_exit(3);
		for (size_t j = 0; j < mem[i].size; j += 4)
			*(uint32_t *)(mem[i].p + j) = rand_r(&seed);
	}
	for (i = 0; i < nthreads && i < 64; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(seed * 131 + i));
	for (i = 0; i < nthreads && i < 64; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long calls = 100000, last = 0, hangs = 0;
	unsigned int seed = 1;
	int procs = 3, i, e;
	pid_t pids[64];
	double t0 = now(), tprog;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dev") && i + 1 < argc)
			dev = argv[++i];
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			nthreads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: kfuzz --dev PATH [--calls N] [--procs P] [--threads T] [--seed S]\n");
			return 2;
		}
	}
	if (procs < 1 || procs > 64)
		procs = 3;
	/* orphaned receivers and forks come back to us to be reaped: no fd
	 * of theirs outlives kfuzz */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	sh->limit = calls;
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (!pids[i])
			fuzz_process(seed + i * 7919);
	}
	/* watch progress; restart a process that finished early */
	tprog = now();
	for (;;) {
		unsigned long c = atomic_load(&sh->calls);
		int alive = 0;

		for (i = 0; i < procs; i++) {
			if (pids[i] > 0 && waitpid(pids[i], NULL, WNOHANG) == pids[i]) {
				pids[i] = c < calls ? fork() : 0;
				if (!pids[i] && c < calls)
					fuzz_process(seed + (unsigned int)c);
			}
			alive += pids[i] > 0;
		}
		if (c >= calls || !alive)
			break;
		if (c != last) {
			last = c;
			tprog = now();
		} else if (now() - tprog > 60) {
			printf("kfuzz: no call completed for 60 s: a hang\n");
			hangs++;
			break;
		}
		usleep(100000);
	}
	for (i = 0; i < procs; i++) {
		double t;

		if (pids[i] <= 0)
			continue;
		kill(pids[i], SIGKILL);
		t = now();
		while (waitpid(pids[i], NULL, WNOHANG) == 0) {
			if (now() - t > 10) {
				printf("kfuzz: process %d survives SIGKILL for 10 s: a hang\n", pids[i]);
				hangs++;
				break;
			}
			usleep(1000);
		}
	}
	/* the fd receivers and forked children go with their socket; a
	 * descendant that never exits is a hang too */
	{
		double t = now();
		pid_t p;

		while ((p = waitpid(-1, NULL, WNOHANG)) != -1 || errno == EINTR) {
			if (p == 0 && now() - t > 20) {
				printf("kfuzz: a descendant survives its fuzz process by 20 s: a hang\n");
				hangs++;
				break;
			}
			if (p == 0)
				usleep(10000);
		}
	}
	printf("kfuzz: calls %lu\n", (unsigned long)atomic_load(&sh->calls));
	for (e = 0; e <= MAX_ERRNO; e++) {
		unsigned long n = atomic_load(&sh->err[e]);

		if (n)
			printf("kfuzz: errno %s %lu\n", e ? strerrorname_np(e) ?: "?" : "ok", n);
	}
	printf("kfuzz: hangs %lu\n", hangs);
	printf("kfuzz: seconds %.1f\n", now() - t0);
	return hangs != 0;
}
