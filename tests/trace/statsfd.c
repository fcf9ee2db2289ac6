// SPDX-License-Identifier: GPL-2.0
/*
 * statsfd: read the binary stats (KVM_GET_STATS_FD) of a KVM VM and vCPU,
 * of kvmlab or of the in-tree KVM, checking the layout <linux/kvm.h>
 * defines on the way, and compare them with the VM's debugfs directory.
 * Only the VM's owner may call its ioctls, so the reader makes its own VM.
 *
 *   statsfd [-v] DEV [DEBUGFS]
 *
 * On DEV (/dev/kvm, /dev/kvmlab): KVM_CAP_BINARY_STATS_FD must be 1; a VM
 * with vCPU 0 runs a real-mode guest making NR_OUTS port writes, then HLT;
 * both stats files are printed: "# id ID", "# type vm|vcpu ...", one
 * "NAME VALUE" line per counter (NAME[i] for the elements of an array).
 * With DEBUGFS (/sys/kernel/debug/kvm or .../kvmlab), every one-value
 * counter that has a file in DEBUGFS/PID-FD/ is compared with it ("same"
 * or "differs" lines).  Problems are "FAIL: why" lines, status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define NR_OUTS 10

static int failed;
static const char *debugfs_vm_dir;
static int compared;

#define FAIL(...) do { printf("FAIL: " __VA_ARGS__); putchar('\n'); \
		       failed = 1; } while (0)

static const char *type_name(uint32_t flags)
{
	switch (flags & KVM_STATS_TYPE_MASK) {
	case KVM_STATS_TYPE_CUMULATIVE: return "cumulative";
	case KVM_STATS_TYPE_INSTANT: return "instant";
	case KVM_STATS_TYPE_PEAK: return "peak";
	case KVM_STATS_TYPE_LINEAR_HIST: return "linear-hist";
	case KVM_STATS_TYPE_LOG_HIST: return "log-hist";
	default: return NULL;
	}
}

static int read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n != (ssize_t)len) {
		FAIL("pread %zu bytes at %lld: %s", len, (long long)off,
		     n < 0 ? strerror(errno) : "short read");
		return -1;
	}
	return 0;
}

/* The counter's debugfs file, if there is one, must say the same. */
static void compare(const char *name, uint64_t val)
{
	unsigned long long want;
	char path[512];
	FILE *f;

	if (!debugfs_vm_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", debugfs_vm_dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%llu", &want) == 1) {
		compared++;
		if (want == val) {
			printf("same %s %llu\n", name, want);
		} else {
			printf("differs %s fd %llu debugfs %llu\n", name,
			       (unsigned long long)val, want);
			FAIL("%s: stats fd %llu, %s %llu", name,
			     (unsigned long long)val, path, want);
		}
	}
	fclose(f);
}

/* Dump the stats of one VM or vCPU fd. */
static int dump(int kvm_fd, const char *what, int verbose)
{
	struct kvm_stats_header h;
	size_t desc_size;
	char *descs, *id;
	uint32_t i, j;
	int fd;

	fd = ioctl(kvm_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0) {
		FAIL("%s: KVM_GET_STATS_FD: %s", what, strerror(errno));
		return -1;
	}
	if (read_at(fd, &h, sizeof(h), 0))
		return -1;
	if (h.flags)
		FAIL("%s: header flags 0x%x, not 0", what, h.flags);
	if (!h.name_size || h.name_size > 4096 || h.num_desc > 100000) {
		FAIL("%s: name_size %u num_desc %u", what, h.name_size,
		     h.num_desc);
		return -1;
	}
	desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
	if (h.id_offset < sizeof(h) || h.desc_offset < h.id_offset + h.name_size)
		FAIL("%s: id at %u, descriptors at %u overlap", what,
		     h.id_offset, h.desc_offset);
	id = calloc(1, h.name_size + 1);
	descs = calloc(h.num_desc ? h.num_desc : 1, desc_size);
	if (!id || !descs)
		exit(2);
	if (read_at(fd, id, h.name_size, h.id_offset) ||
	    read_at(fd, descs, h.num_desc * desc_size, h.desc_offset))
		return -1;
	if (!memchr(id, 0, h.name_size))
		FAIL("%s: id string not terminated", what);
	printf("# id %s\n", id);
	printf("# type %s descriptors %u name_size %u\n", what, h.num_desc,
	       h.name_size);
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * desc_size);
		uint64_t *v;

		if (!memchr(d->name, 0, h.name_size) || !d->name[0]) {
			FAIL("%s: descriptor %u: bad name", what, i);
			continue;
		}
		if (!type_name(d->flags))
			FAIL("%s: %s: unknown type 0x%x", what, d->name,
			     d->flags & KVM_STATS_TYPE_MASK);
		if (!d->size) {
			FAIL("%s: %s: size 0", what, d->name);
			continue;
		}
		v = calloc(d->size, sizeof(*v));
		if (!v)
			exit(2);
		if (read_at(fd, v, d->size * sizeof(*v),
			    h.data_offset + d->offset)) {
			free(v);
			continue;
		}
		if (verbose)
			printf("# desc %s %s unit 0x%x base 0x%x exponent %d size %u offset %u\n",
			       d->name, type_name(d->flags) ?: "?",
			       d->flags & KVM_STATS_UNIT_MASK,
			       d->flags & KVM_STATS_BASE_MASK, d->exponent,
			       d->size, d->offset);
		if (d->size == 1) {
			printf("%s %llu\n", d->name, (unsigned long long)v[0]);
			compare(d->name, v[0]);
			if (!strcmp(what, "vcpu") && !strcmp(d->name, "io_exits") &&
			    v[0] != NR_OUTS)
				FAIL("io_exits %llu, the guest made %d",
				     (unsigned long long)v[0], NR_OUTS);
		} else
			for (j = 0; j < d->size; j++)
				printf("%s[%u] %llu\n", d->name, j,
				       (unsigned long long)v[j]);
		free(v);
	}
	free(id);
	free(descs);
	close(fd);
	return 0;
}

/* Real mode at 0: mov $NR_OUTS, %cx; 1: out %al, $0x10; loop 1b; hlt */
static const unsigned char guest[] = {
	0xb9, NR_OUTS, 0x00, 0xe6, 0x10, 0xe2, 0xfc, 0xf4
};

static int run_guest(int kvm, int vm, int vcpu)
{
	struct kvm_userspace_memory_region mem = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	int size, outs = 0, i;
	void *ram;

	ram = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ram == MAP_FAILED || size <= 0)
		return -1;
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return -1;
	memcpy(ram, guest, sizeof(guest));
	mem.memory_size = 0x10000;
	mem.userspace_addr = (uintptr_t)ram;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mem) ||
	    ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	regs.rip = 0;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(vcpu, KVM_SET_REGS, &regs))
		return -1;
	for (i = 0; i < 1000; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) && errno != EINTR)
			return -1;
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x10)
			outs++;
	}
	if (run->exit_reason != KVM_EXIT_HLT || outs != NR_OUTS) {
		FAIL("guest: exit reason %u after %d outs, want HLT after %d",
		     run->exit_reason, outs, NR_OUTS);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int verbose = 0, kvm, vm, vcpu, r;
	char dir[512];

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argc--;
		argv++;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: statsfd [-v] DEV [DEBUGFS]\n");
		return 2;
	}
	kvm = open(argv[1], O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		FAIL("open %s: %s", argv[1], strerror(errno));
		return 1;
	}
	r = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_BINARY_STATS_FD);
	printf("# KVM_CAP_BINARY_STATS_FD %d\n", r);
	if (r != 1)
		FAIL("KVM_CHECK_EXTENSION(KVM_CAP_BINARY_STATS_FD) = %d", r);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		FAIL("KVM_CREATE_VM: %s", strerror(errno));
		return 1;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		FAIL("KVM_CREATE_VCPU: %s", strerror(errno));
		return 1;
	}
	if (run_guest(kvm, vm, vcpu))
		FAIL("the guest did not run: %s", strerror(errno));
	if (argc == 3) {
		snprintf(dir, sizeof(dir), "%s/%d-%d", argv[2], getpid(), vm);
		debugfs_vm_dir = dir;
		printf("# debugfs %s\n", dir);
		if (access(dir, F_OK))
			FAIL("no debugfs directory %s", dir);
	}
	dump(vm, "vm", verbose);
	dump(vcpu, "vcpu", verbose);
	if (debugfs_vm_dir && compared < 3)
		FAIL("only %d counters compared with %s", compared, dir);
	printf("# compared %d\n", compared);
	close(vcpu);
	close(vm);
	close(kvm);
	return failed;
}
