// SPDX-License-Identifier: GPL-2.0
/*
 * perm: who may use a VM, and what leaves the kernel.
 *  --open-errno NAME   only open the device and check the errno (EACCES
 *                      when run as a user the device's mode refuses; 0
 *                      for success); tests/hostile/run runs it as nobody.
 * Otherwise:
 *  - VM and vCPU fds passed over a UNIX socket (SCM_RIGHTS) to another
 *    process: every VM and vCPU ioctl there gets EIO (the in-tree KVM's
 *    answer to a foreign mm), a KVM_RUN too; the device fd passed along
 *    still creates VMs (owned by the receiver); the creator's own fds
 *    keep working after the receiver is done.
 *  - no uninitialised kernel bytes in what is copied out: user buffers
 *    are filled with 0xa5 first, then the padding of kvm_sregs, of
 *    kvm_cpuid_entry2 (KVM_GET_SUPPORTED_CPUID), the bytes after the NUL
 *    of the stats id and of every descriptor name must come back 0, and
 *    a fresh vCPU's kvm_run page must be all zero.
 */
#include "../abi/abi.h"

#include <stddef.h>
#include <sys/socket.h>

static int send_fds(int sock, int *fds, int n)
{
	char buf[CMSG_SPACE(4 * sizeof(int))] = { 0 };
	char byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = buf, .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
	char buf[CMSG_SPACE(4 * sizeof(int))];
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *c;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return 0;
}

/* In the receiver: fds[0] device, [1] VM, [2] vCPU. */
static void receiver(int sock)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	int fds[3], vm2;
	void *run;

	if (recv_fds(sock, fds, 3) < 0)
		die("scm-rights", "recvmsg of 3 fds");
	CHECK_ERRNO("scm-vm-create-vcpu-eio", ioctl(fds[1], KVM_CREATE_VCPU, 1), EIO);
	CHECK_ERRNO("scm-vm-set-memory-eio",
		    set_region(fds[1], 2, 0, 0x100000, 0x1000, MAP_FAILED), EIO);
	CHECK_ERRNO("scm-vm-check-extension-eio",
		    ioctl(fds[1], KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY), EIO);
	CHECK_ERRNO("scm-vm-stats-fd-eio", ioctl(fds[1], KVM_GET_STATS_FD, 0), EIO);
	CHECK_ERRNO("scm-vcpu-get-regs-eio", ioctl(fds[2], KVM_GET_REGS, &regs), EIO);
	CHECK_ERRNO("scm-vcpu-set-sregs-eio", ioctl(fds[2], KVM_SET_SREGS, &sregs), EIO);
	CHECK_ERRNO("scm-vcpu-run-eio", ioctl(fds[2], KVM_RUN, 0), EIO);
	/* the run page is the fd's, not the mm's: mapping it is allowed */
	run = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fds[2], 0);
	check_true("scm-vcpu-mmap", run != MAP_FAILED, "a mapping", "-1/%s",
		   strerrorname_np(errno));
	if (run != MAP_FAILED)
		munmap(run, 4096);
	vm2 = ioctl(fds[0], KVM_CREATE_VM, 0);
	check_true("scm-dev-create-vm", vm2 >= 0, "a VM fd", "-1/%s", strerrorname_np(errno));
	if (vm2 >= 0) {
		CHECK_ERRNO("scm-own-vm-create-vcpu", ioctl(vm2, KVM_CREATE_VCPU, 0), 0);
		close(vm2);
	}
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}

static void test_scm_rights(void)
{
	struct vm vm;
	struct kvm_regs regs;
	int sv[2], st, fds[3];
	pid_t pid;

	vm_create(&vm, "scm-rights", code_hlt, sizeof(code_hlt));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("scm-rights", "socketpair");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("scm-rights", "fork");
	if (!pid) {
		close(sv[0]);
		receiver(sv[1]);
		exit(abi_finish());
	}
	close(sv[1]);
	fds[0] = vm.sys;
	fds[1] = vm.fd;
	fds[2] = vm.vcpu;
	if (send_fds(sv[0], fds, 3) < 0)
		die("scm-rights", "sendmsg of 3 fds");
	if (wait_timeout(pid, &st, 60) <= 0)
		fail("scm-receiver", "expected exit within 60 s got a hang");
	else
		check_true("scm-receiver-exit", WIFEXITED(st) && WEXITSTATUS(st) == 0,
			   "exit 0", "status 0x%x", st);
	CHECK_ERRNO("scm-creator-still-owns-vcpu", ioctl(vm.vcpu, KVM_GET_REGS, &regs), 0);
	CHECK_ERRNO("scm-creator-run", ioctl(vm.vcpu, KVM_RUN, 0), 0);
	check_eq("scm-creator-run-hlt", vm.run->exit_reason, KVM_EXIT_HLT);
	close(sv[0]);
	vm_destroy(&vm);
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void test_padding(void)
{
	struct kvm_sregs s;
	struct vm vm;
	int i, bad;

	vm_create(&vm, "padding", code_hlt, sizeof(code_hlt));
	memset(&s, 0xa5, sizeof(s));
	if (ioctl(vm.vcpu, KVM_GET_SREGS, &s) < 0)
		die("padding", "KVM_GET_SREGS");
	{
		struct kvm_segment *seg[] = { &s.cs, &s.ds, &s.es, &s.fs, &s.gs,
					      &s.ss, &s.tr, &s.ldt };

		for (i = 0, bad = 0; i < 8; i++)
			bad += seg[i]->padding != 0;
		check_eq("padding-sregs-segments", bad, 0);
		check_true("padding-sregs-dtables",
			   all_zero(s.gdt.padding, sizeof(s.gdt.padding)) &&
			   all_zero(s.idt.padding, sizeof(s.idt.padding)),
			   "zero", "gdt %02x idt %02x", s.gdt.padding[0], s.idt.padding[0]);
		check_true("padding-sregs-interrupt-bitmap",
			   all_zero(s.interrupt_bitmap, sizeof(s.interrupt_bitmap)),
			   "zero", "non-zero");
	}

	/* KVM_GET_SUPPORTED_CPUID: each entry's padding */
	{
		int n = 256;
		struct kvm_cpuid2 *c = malloc(sizeof(*c) + n * sizeof(c->entries[0]));

		memset(c, 0xa5, sizeof(*c) + n * sizeof(c->entries[0]));
		c->nent = n;
		if (ioctl(vm.sys, KVM_GET_SUPPORTED_CPUID, c) < 0)
			die("padding", "KVM_GET_SUPPORTED_CPUID");
		for (i = 0, bad = 0; i < (int)c->nent; i++)
			bad += !all_zero(c->entries[i].padding, sizeof(c->entries[i].padding));
		check_eq("padding-supported-cpuid-entries", bad, 0);
		free(c);
	}

	/* the stats fd: id string and descriptor names zero after the NUL */
	{
		int sfd = ioctl(vm.vcpu, KVM_GET_STATS_FD, 0);
		struct kvm_stats_header h;
		char *buf;
		size_t dsz, len;

		if (sfd < 0 || pread(sfd, &h, sizeof(h), 0) != sizeof(h))
			die("padding", "KVM_GET_STATS_FD and its header");
		dsz = sizeof(struct kvm_stats_desc) + h.name_size;
		len = h.desc_offset + h.num_desc * dsz;
		buf = malloc(len);
		memset(buf, 0xa5, len);
		if (pread(sfd, buf, len, 0) != (ssize_t)len)
			die("padding", "reading the stats descriptors");
		len = strnlen(buf + h.id_offset, h.name_size);
		check_true("padding-stats-id", all_zero(buf + h.id_offset + len, h.name_size - len),
			   "zero after the NUL", "non-zero");
		for (i = 0, bad = 0; i < (int)h.num_desc; i++) {
			struct kvm_stats_desc *d = (void *)(buf + h.desc_offset + i * dsz);

			len = strnlen(d->name, h.name_size);
			bad += !all_zero(d->name + len, h.name_size - len);
		}
		check_eq("padding-stats-descriptor-names", bad, 0);
		free(buf);
		close(sfd);
	}

	/* a fresh vCPU's run page: nothing written yet, nothing left in it */
	check_true("padding-run-page-fresh-zero", all_zero(vm.run, 4096),
		   "4096 zero bytes", "non-zero bytes");
	vm_destroy(&vm);
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[3], "--open-errno")) {
		const char *want = argv[4];
		int fd = open(argv[2], O_RDWR);
		const char *got = fd >= 0 ? "0" : strerrorname_np(errno);

		setvbuf(stdout, NULL, _IOLBF, 0);
		if (fd >= 0 && ioctl(fd, KVM_GET_API_VERSION, 0) != 12)
			got = "open but KVM_GET_API_VERSION != 12";
		if (!strcmp(got, want))
			printf("PASS perm-open-%s\n", want);
		else
			printf("FAIL perm-open-%s: expected %s got %s\n", want, want, got);
		return strcmp(got, want) != 0;
	}
	abi_parse_args(argc, argv);
	run_isolated("scm-rights", test_scm_rights, 120);
	run_isolated("padding", test_padding, 60);
	return abi_finish();
}
