// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's own counters for this VM, read through the binary stats
 * interface of <linux/kvm.h> (KVM_GET_STATS_FD on the VM and vCPU fds),
 * which the in-tree KVM and kvmlab both have: one "# KSTAT" line per
 * counter, so a benchmark gets the same counts from either driver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vmrun.h"

static void print_stats(struct vm *vm, int fd, const char *scope)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	size_t dsize;
	char *descs;
	uint32_t i;

	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		return;
	dsize = sizeof(*d) + h.name_size;
	descs = calloc(h.num_desc, dsize);
	if (!descs)
		return;
	if (pread(fd, descs, h.num_desc * dsize, h.desc_offset) !=
	    (ssize_t)(h.num_desc * dsize))
		goto out;
	for (i = 0; i < h.num_desc; i++) {
		uint64_t v[64];
		uint16_t n;

		d = (struct kvm_stats_desc *)(descs + i * dsize);
		n = d->size < 64 ? d->size : 64;
		if (pread(fd, v, n * sizeof(v[0]), h.data_offset + d->offset) !=
		    (ssize_t)(n * sizeof(v[0])))
			continue;
		/* histograms and arrays: their sum */
		for (uint16_t j = 1; j < n; j++)
			v[0] += v[j];
		out(vm, "# KSTAT %s.%s %llu\n", scope, d->name,
		    (unsigned long long)v[0]);
	}
out:
	free(descs);
}

/*
 * The VM and vCPU stats fds, opened right after the vCPU is created and
 * kept open until exit, so that a tool in another process can copy them
 * (tools/kvm_stat -S: pidfd_getfd), which it cannot get itself: the
 * drivers refuse KVM_GET_STATS_FD to a process that does not own the VM.
 */
static int stats_fds[2] = { -1, -1 };

void open_kvm_stats(struct vm *vm)
{
	int fds[2] = { vm->vm_fd, vm->vcpu_fd };

	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_BINARY_STATS_FD) <= 0)
		return;
	for (int i = 0; i < 2; i++)
		if (stats_fds[i] < 0)
			stats_fds[i] = ioctl(fds[i], KVM_GET_STATS_FD, NULL);
}

void print_kvm_stats(struct vm *vm)
{
	const char *scope[2] = { "vm", "vcpu" };

	open_kvm_stats(vm);
	for (int i = 0; i < 2; i++)
		if (stats_fds[i] >= 0)
			print_stats(vm, stats_fds[i], scope[i]);
}
