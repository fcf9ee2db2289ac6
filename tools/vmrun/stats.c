// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's own counters for this VM, read through the binary stats
 * interface of <linux/kvm.h> (KVM_GET_STATS_FD on the VM and vCPU fds),
 * which the in-tree KVM and kvmlab both have: one "# KSTAT" line per
 * counter, so a benchmark gets the same counts from either driver.
 * Benchmark guests mark segments (guests/lib/ports.h UCALL_MARK_*): each
 * segment's counter changes are printed as "# SKSTAT NAME scope.counter N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vmrun.h"

/*
 * Every counter of one stats fd: calls fn(vm, scope, name, value, flags)
 * with the sum of histograms and arrays.
 */
typedef void stat_fn(struct vm *vm, const char *scope, const char *name,
		     uint64_t value, uint32_t flags);

static void for_each_stat(struct vm *vm, int fd, const char *scope, stat_fn *fn)
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
		fn(vm, scope, d->name, v[0], d->flags);
	}
out:
	free(descs);
}

static void print_one(struct vm *vm, const char *scope, const char *name,
		      uint64_t value, uint32_t flags)
{
	(void)flags;
	out(vm, "# KSTAT %s.%s %llu\n", scope, name, (unsigned long long)value);
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
			for_each_stat(vm, stats_fds[i], scope[i], print_one);
}

/*
 * Benchmark segments (UCALL_MARK_BEGIN/END): the counters at the begin
 * mark, by position (the descriptors do not change while the VM lives).
 */
#define SEG_MAX 256
static uint64_t seg_begin[SEG_MAX];
static unsigned int seg_n, seg_i;
static const char *seg_name;

static void snap_one(struct vm *vm, const char *scope, const char *name,
		     uint64_t value, uint32_t flags)
{
	(void)vm, (void)scope, (void)name, (void)flags;
	if (seg_n < SEG_MAX)
		seg_begin[seg_n++] = value;
}

/* cumulative counters: the change; levels and peaks: the value at the end */
static void delta_one(struct vm *vm, const char *scope, const char *name,
		      uint64_t value, uint32_t flags)
{
	uint64_t v = value;

	if ((flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE &&
	    seg_i < seg_n)
		v -= seg_begin[seg_i];
	seg_i++;
	out(vm, "# SKSTAT %s %s.%s %llu\n", seg_name, scope, name,
	    (unsigned long long)v);
}

void kvm_stats_mark_begin(struct vm *vm)
{
	const char *scope[2] = { "vm", "vcpu" };

	open_kvm_stats(vm);
	seg_n = 0;
	for (int i = 0; i < 2; i++)
		if (stats_fds[i] >= 0)
			for_each_stat(vm, stats_fds[i], scope[i], snap_one);
}

void kvm_stats_mark_end(struct vm *vm, const char *name)
{
	const char *scope[2] = { "vm", "vcpu" };

	seg_i = 0;
	seg_name = name;
	for (int i = 0; i < 2; i++)
		if (stats_fds[i] >= 0)
			for_each_stat(vm, stats_fds[i], scope[i], delta_one);
}
