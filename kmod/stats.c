// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: the counters, read three ways, with the in-tree KVM's names and
 * layouts so one tool reads both drivers:
 *  - /sys/kernel/debug/kvmlab/NAME: summed over every vCPU of every VM
 *    since the module was loaded (unlike the in-tree KVM's, which forget
 *    a VM when it goes: a counter's delta covers VMs that came and went);
 *  - /sys/kernel/debug/kvmlab/PID-FD/NAME: one VM (its creator's pid and
 *    the VM's fd number, as the in-tree KVM names them), removed with it;
 *  - KVM_GET_STATS_FD on a VM or vCPU fd: the binary stats of
 *    <linux/kvm.h> (a header, an id string, descriptors, the data).
 */
#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "kvmlab.h"

/* The in-tree KVM's KVM_STATS_NAME_SIZE: id and names, NUL included. */
#define KVMLAB_STATS_NAME_SIZE	48

extern struct list_head kvmlab_vm_list;
extern struct mutex kvmlab_vm_list_lock;

static struct dentry *kvmlab_debugfs_dir;

struct stat_desc {
	const char *name;
	size_t offset;		/* in kvmlab_vcpu_stat or _vm_stat */
	bool vm;		/* a kvmlab_vm_stat field */
	u32 flags;		/* KVM_STATS_TYPE_* */
};

/* Every vCPU counter first, then the VM's: the fds show one part each. */
static const struct stat_desc stat_descs[] = {
#define X(n) { #n, offsetof(struct kvmlab_vcpu_stat, n), false,	\
	       KVM_STATS_TYPE_CUMULATIVE },
	KVMLAB_VCPU_STATS(X)
#undef X
#define X(n) { #n, offsetof(struct kvmlab_vm_stat, n), true,		\
	       KVM_STATS_TYPE_CUMULATIVE },
#define I(n) { #n, offsetof(struct kvmlab_vm_stat, n), true,		\
	       KVM_STATS_TYPE_INSTANT },
	KVMLAB_VM_STATS(X, I)
#undef I
#undef X
};

#define NR_STATS	ARRAY_SIZE(stat_descs)
#define NR_VCPU_STATS	(sizeof(struct kvmlab_vcpu_stat) / sizeof(u64))
#define NR_VM_STATS	(NR_STATS - NR_VCPU_STATS)

static u64 vcpu_stat(struct kvmlab_vcpu *vcpu, const struct stat_desc *d)
{
	return *(u64 *)((void *)&vcpu->stat + d->offset);
}

/* One VM: its own counter, or the sum over its vCPUs. */
static u64 vm_stat(struct kvmlab_vm *vm, const struct stat_desc *d)
{
	int i, n;
	u64 val = 0;

	if (d->vm)
		return *(u64 *)((void *)&vm->stat + d->offset);
	n = smp_load_acquire(&vm->nr_vcpus);
	for (i = 0; i < n; i++)
		val += vcpu_stat(vm->vcpus[i], d);
	return val;
}

/* ---- debugfs ---- */

/* The counters of the VMs gone, under kvmlab_vm_list_lock. */
static u64 departed[NR_STATS];

static int global_stat_get(void *data, u64 *val)
{
	const struct stat_desc *d = data;
	struct kvmlab_vm *vm;

	mutex_lock(&kvmlab_vm_list_lock);
	/* levels (instant) are of the VMs alive only */
	*val = d->flags == KVM_STATS_TYPE_INSTANT ? 0 :
	       departed[d - stat_descs];
	list_for_each_entry(vm, &kvmlab_vm_list, list)
		*val += vm_stat(vm, d);
	mutex_unlock(&kvmlab_vm_list_lock);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(global_stat_fops, global_stat_get, NULL, "%llu\n");

/* A per-VM file: the files go before the VM does (stats_vm_destroy). */
struct vm_stat_file {
	struct kvmlab_vm *vm;
	const struct stat_desc *d;
};

static int vm_stat_get(void *data, u64 *val)
{
	struct vm_stat_file *f = data;

	*val = vm_stat(f->vm, f->d);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(vm_stat_fops, vm_stat_get, NULL, "%llu\n");

void kvmlab_stats_vm_create(struct kvmlab_vm *vm, int fd)
{
	struct vm_stat_file *files;
	struct dentry *dir;
	char name[32];
	int i;

	vm->pid = task_pid_nr(current);
	if (IS_ERR_OR_NULL(kvmlab_debugfs_dir))
		return;
	files = kcalloc(NR_STATS, sizeof(*files), GFP_KERNEL_ACCOUNT);
	if (!files)
		return;
	snprintf(name, sizeof(name), "%d-%d", vm->pid, fd);
	/* Taken when an older VM outlives its fd through its vCPUs'. */
	dir = debugfs_create_dir(name, kvmlab_debugfs_dir);
	if (IS_ERR(dir)) {
		kfree(files);
		return;
	}
	for (i = 0; i < NR_STATS; i++) {
		files[i].vm = vm;
		files[i].d = &stat_descs[i];
		debugfs_create_file_unsafe(stat_descs[i].name, 0444, dir,
					   &files[i], &vm_stat_fops);
	}
	vm->debugfs_dentry = dir;
	vm->debugfs_files = files;
}

/* Take the VM off kvmlab_vm_list, adding its counters to the totals. */
void kvmlab_stats_vm_destroy(struct kvmlab_vm *vm)
{
	int i;

	mutex_lock(&kvmlab_vm_list_lock);
	for (i = 0; i < NR_STATS; i++)
		departed[i] += vm_stat(vm, &stat_descs[i]);
	list_del(&vm->list);
	mutex_unlock(&kvmlab_vm_list_lock);
	/* Returns once no reader is inside vm_stat_get(). */
	debugfs_remove_recursive(vm->debugfs_dentry);
	kfree(vm->debugfs_files);
	vm->debugfs_dentry = NULL;
	vm->debugfs_files = NULL;
}

/* ---- the binary stats fd (KVM_GET_STATS_FD) ---- */

struct stats_fd {
	struct kvmlab_vm *vm;
	struct kvmlab_vcpu *vcpu;	/* NULL: the VM's counters */
};

/*
 * The file, as the in-tree KVM lays it out: header, id string, the
 * descriptors (each with a KVMLAB_STATS_NAME_SIZE name), then one u64
 * per counter.  Built whole on each read: it is small.
 */
static ssize_t stats_fd_read(struct file *file, char __user *ubuf,
			     size_t size, loff_t *ppos)
{
	struct stats_fd *s = file->private_data;
	const struct stat_desc *d = s->vcpu ? stat_descs :
					     stat_descs + NR_VCPU_STATS;
	u32 n = s->vcpu ? NR_VCPU_STATS : NR_VM_STATS;
	size_t desc_size = sizeof(struct kvm_stats_desc) +
			   KVMLAB_STATS_NAME_SIZE;
	struct kvm_stats_header h = {
		.name_size = KVMLAB_STATS_NAME_SIZE,
		.num_desc = n,
		.id_offset = sizeof(h),
		.desc_offset = sizeof(h) + KVMLAB_STATS_NAME_SIZE,
		.data_offset = sizeof(h) + KVMLAB_STATS_NAME_SIZE +
			       n * desc_size,
	};
	size_t total = h.data_offset + n * sizeof(u64);
	ssize_t r;
	u64 *data;
	char *buf;
	u32 i;

	buf = kzalloc(total, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	if (s->vcpu)
		snprintf(buf + h.id_offset, KVMLAB_STATS_NAME_SIZE,
			 "kvmlab-%d/vcpu-%u", s->vm->pid, s->vcpu->vcpu_id);
	else
		snprintf(buf + h.id_offset, KVMLAB_STATS_NAME_SIZE,
			 "kvmlab-%d", s->vm->pid);
	data = (u64 *)(buf + h.data_offset);
	for (i = 0; i < n; i++) {
		struct kvm_stats_desc *kd = (void *)(buf + h.desc_offset +
						     i * desc_size);

		kd->flags = d[i].flags | KVM_STATS_UNIT_NONE |
			    KVM_STATS_BASE_POW10;
		kd->exponent = 0;
		kd->size = 1;
		kd->offset = i * sizeof(u64);
		kd->bucket_size = 0;
		strscpy(kd->name, d[i].name, KVMLAB_STATS_NAME_SIZE);
		data[i] = s->vcpu ? vcpu_stat(s->vcpu, &d[i]) :
				    vm_stat(s->vm, &d[i]);
	}
	r = simple_read_from_buffer(ubuf, size, ppos, buf, total);
	kfree(buf);
	return r;
}

static int stats_fd_release(struct inode *inode, struct file *file)
{
	struct stats_fd *s = file->private_data;

	kvmlab_vm_put(s->vm);
	kfree(s);
	kvmlab_acct_dec(stats_fds);
	return 0;
}

static const struct file_operations stats_fd_fops = {
	.owner		= THIS_MODULE,
	.read		= stats_fd_read,
	.release	= stats_fd_release,
	.llseek		= noop_llseek,
};

/* KVM_GET_STATS_FD: vcpu NULL for the VM fd's. */
int kvmlab_get_stats_fd(struct kvmlab_vm *vm, struct kvmlab_vcpu *vcpu)
{
	struct stats_fd *s;
	struct file *file;
	int fd;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->vm = vm;
	s->vcpu = vcpu;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		kfree(s);
		return fd;
	}
	file = anon_inode_getfile(vcpu ? "kvmlab-vcpu-stats" :
					 "kvmlab-vm-stats",
				  &stats_fd_fops, s, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		kfree(s);
		return PTR_ERR(file);
	}
	/* Readers use pread() at the offsets the header gives. */
	file->f_mode |= FMODE_PREAD;
	refcount_inc(&vm->refcount);
	kvmlab_acct_inc(stats_fds);
	fd_install(fd, file);
	return fd;
}

int kvmlab_stats_init(void)
{
	int i;

	kvmlab_debugfs_dir = debugfs_create_dir("kvmlab", NULL);
	for (i = 0; i < NR_STATS; i++)
		debugfs_create_file_unsafe(stat_descs[i].name, 0444,
					   kvmlab_debugfs_dir,
					   (void *)&stat_descs[i],
					   &global_stat_fops);
	kvmlab_account_init(kvmlab_debugfs_dir);
	return 0;
}

void kvmlab_stats_exit(void)
{
	debugfs_remove_recursive(kvmlab_debugfs_dir);
}
