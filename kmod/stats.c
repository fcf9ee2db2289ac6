// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: counters in /sys/kernel/debug/kvmlab/, one file per counter,
 * summed over every vCPU of every VM, as the 2006 driver's debugfs.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/stddef.h>

#include "kvmlab.h"

extern struct list_head kvmlab_vm_list;
extern struct mutex kvmlab_vm_list_lock;

static struct dentry *kvmlab_debugfs_dir;

static const struct {
	const char *name;
	size_t offset;
} vcpu_stats[] = {
#define X(n) { #n, offsetof(struct kvmlab_vcpu_stat, n) },
	KVMLAB_VCPU_STATS(X)
#undef X
};

static int stat_get(void *data, u64 *val)
{
	size_t offset = (size_t)data;
	struct kvmlab_vm *vm;
	int i;

	*val = 0;
	mutex_lock(&kvmlab_vm_list_lock);
	list_for_each_entry(vm, &kvmlab_vm_list, list) {
		int n = smp_load_acquire(&vm->nr_vcpus);

		for (i = 0; i < n; i++)
			*val += *(u64 *)((void *)&vm->vcpus[i]->stat + offset);
	}
	mutex_unlock(&kvmlab_vm_list_lock);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(stat_fops, stat_get, NULL, "%llu\n");

int kvmlab_stats_init(void)
{
	int i;

	kvmlab_debugfs_dir = debugfs_create_dir("kvmlab", NULL);
	for (i = 0; i < ARRAY_SIZE(vcpu_stats); i++)
		debugfs_create_file_unsafe(vcpu_stats[i].name, 0444,
					   kvmlab_debugfs_dir,
					   (void *)vcpu_stats[i].offset,
					   &stat_fops);
	return 0;
}

void kvmlab_stats_exit(void)
{
	debugfs_remove_recursive(kvmlab_debugfs_dir);
}
