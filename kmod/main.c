// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: /dev/kvmlab, the system and VM file descriptors.
 *
 * The ABI is <linux/kvm.h>, API version 12, with the in-tree KVM's errno
 * for every refusal, so any KVM userspace can drive kvmlab.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/miscdevice.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>

#include "kvmlab.h"

MODULE_AUTHOR("kvmlab developers");
MODULE_DESCRIPTION("kvmlab: an instrumented re-creation of the 2006 KVM driver");
MODULE_LICENSE("GPL");

const struct kvmlab_arch_ops *kvmlab_arch;

/* The MMU variants; adding one is one more file and one more line. */
static const struct kvmlab_mmu_ops *const mmu_variants[] = {
	&flush_mmu_ops,
	&cache_mmu_ops,
	&unsync_mmu_ops,
	&npt_mmu_ops,
};
static const struct kvmlab_mmu_ops *mmu_variant = &npt_mmu_ops;

static int mmu_param_set(const char *val, const struct kernel_param *kp)
{
	int i;

	/* ept: the VT-x name of the nested-paging variant */
	if (sysfs_streq(val, "ept"))
		val = "npt";
	for (i = 0; i < ARRAY_SIZE(mmu_variants); i++) {
		if (sysfs_streq(val, mmu_variants[i]->name)) {
			WRITE_ONCE(mmu_variant, mmu_variants[i]);
			return 0;
		}
	}
	pr_err("kvmlab: mmu=%s: unknown MMU variant; use flush, cache, unsync or npt (ept)\n",
	       val);
	return -EINVAL;
}

static int mmu_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(mmu_variant)->name);
}

static const struct kernel_param_ops mmu_param_ops = {
	.set = mmu_param_set,
	.get = mmu_param_get,
};
module_param_cb(mmu, &mmu_param_ops, NULL, 0644);
MODULE_PARM_DESC(mmu, "MMU variant of the VMs created next: flush, cache, unsync or npt (alias ept; EPT on VT-x)");

const struct kvmlab_mmu_ops *kvmlab_mmu_variant(void)
{
	const struct kvmlab_mmu_ops *v = READ_ONCE(mmu_variant);

	/* npt names nested paging: EPT on the VT-x backend */
	if (v->tdp && kvmlab_arch->tdp_mmu)
		return kvmlab_arch->tdp_mmu;
	return v;
}

LIST_HEAD(kvmlab_vm_list);
DEFINE_MUTEX(kvmlab_vm_list_lock);

static void kvmlab_vm_destroy(struct kvmlab_vm *vm)
{
	int i;

	/* off kvmlab_vm_list, its counters kept in the global totals */
	kvmlab_stats_vm_destroy(vm);

	mutex_lock(&vm->mmu_lock);
	vm->mmu_ops->destroy(vm);
	kvmlab_free_memslots(vm);
	mutex_unlock(&vm->mmu_lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		kvmlab_vcpu_free(vm->vcpus[i]);
	mmdrop(vm->mm);
	kfree(vm);
	kvmlab_acct_dec(vms);
}

void kvmlab_vm_put(struct kvmlab_vm *vm)
{
	if (refcount_dec_and_test(&vm->refcount))
		kvmlab_vm_destroy(vm);
}

static void kvmlab_kick_ipi(void *unused)
{
	/* The interrupt itself made the vCPU leave the guest. */
}

/*
 * Make every vCPU flush its guest TLB before it runs a guest instruction
 * again.  A vCPU in the guest is sent an IPI and waited for: when this
 * returns, no vCPU uses a translation dropped before the call.
 */
void kvmlab_flush_remote_tlbs(struct kvmlab_vm *vm)
{
	int i, me = get_cpu();

	vm->stat.remote_tlb_flush++;
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct kvmlab_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);
		int cpu;

		set_bit(KVMLAB_REQ_TLB_FLUSH, &vcpu->requests);
		smp_mb__after_atomic();
		cpu = READ_ONCE(vcpu->cpu);
		if (READ_ONCE(vcpu->mode) == IN_GUEST_MODE && cpu != me)
			smp_call_function_single(cpu, kvmlab_kick_ipi, NULL, 1);
	}
	put_cpu();
}

static long kvmlab_check_extension(long ext);

static bool kvmlab_vm_owned(struct kvmlab_vm *vm)
{
	return vm->mm == current->mm;
}

static long kvmlab_vm_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	struct kvmlab_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	if (!kvmlab_vm_owned(vm))
		return -EIO;

	switch (ioctl) {
	case KVM_CREATE_VCPU:
		return kvmlab_create_vcpu(vm, arg);
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region mem;

		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		return kvmlab_set_memory_region(vm, &mem);
	}
	case KVM_SET_TSS_ADDR:
		/* Accepted, unused: SVM runs real mode natively, and VT-x
		 * without unrestricted guest (vmx_rmode.c) needs no TSS pages.
		 */
		return 0;
	case KVM_SET_GSI_ROUTING:
		return -EINVAL;	/* routes need an in-kernel irqchip: none */
	case KVM_CHECK_EXTENSION:
		return kvmlab_check_extension(arg);
	case KVM_GET_STATS_FD:
		return kvmlab_get_stats_fd(vm, NULL);
	default:
		return -ENOTTY;
	}
}

static int kvmlab_vm_release(struct inode *inode, struct file *filp)
{
	kvmlab_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations kvmlab_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= kvmlab_vm_release,
	.unlocked_ioctl	= kvmlab_vm_ioctl,
	.llseek		= noop_llseek,
};

static int kvmlab_create_vm(unsigned long type)
{
	struct kvmlab_vm *vm;
	struct file *file;
	int r, fd;

	if (type)
		return -EINVAL;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kvmlab_acct_inc(vms);
	refcount_set(&vm->refcount, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	vm->mm = current->mm;
	mmgrab(vm->mm);
	vm->mmu_ops = kvmlab_mmu_variant();
	r = vm->mmu_ops->init(vm);
	if (r) {
		mmdrop(vm->mm);
		kfree(vm);
		kvmlab_acct_dec(vms);
		return r;
	}
	mutex_lock(&kvmlab_vm_list_lock);
	list_add(&vm->list, &kvmlab_vm_list);
	mutex_unlock(&kvmlab_vm_list_lock);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		kvmlab_vm_put(vm);
		return fd;
	}
	file = anon_inode_getfile("kvmlab-vm", &kvmlab_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		kvmlab_vm_put(vm);
		return PTR_ERR(file);
	}
	/* debugfs names the VM's directory after its fd: PID-FD */
	kvmlab_stats_vm_create(vm, fd);
	fd_install(fd, file);
	return fd;
}

static long kvmlab_check_extension(long ext)
{
	switch (ext) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_BINARY_STATS_FD:
	case KVM_CAP_MP_STATE:
		return 1;
	/*
	 * GSI routing exists as an ioctl, refused (-EINVAL) without an
	 * in-kernel irqchip, exactly as the in-tree KVM's; QEMU 7.2 requires
	 * the capability before it looks at kernel-irqchip=off.
	 */
	case KVM_CAP_IRQ_ROUTING:
		return 1;
	/* events.c: exceptions, interrupts, the shadow and NMIs in flight
	 * (KVM_CAP_INTR_SHADOW stays 0, as on the in-tree 6.1 x86)
	 */
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_USER_NMI:
		return kvmlab_nmi_supported();
	/* xsave.c; KVM_CAP_XSAVE2 stays 0: the area is 4 KiB */
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
		return kvmlab_supported_xcr0() != 0;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
		return KVMLAB_MAX_VCPUS;
	case KVM_CAP_MAX_VCPU_ID:
		return KVMLAB_MAX_VCPU_ID;
	case KVM_CAP_NR_MEMSLOTS:
		return KVMLAB_USER_MEM_SLOTS;
	default:
		return 0;
	}
}

static long kvmlab_dev_ioctl(struct file *filp, unsigned int ioctl,
			     unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return KVMLAB_API_VERSION;
	case KVM_CREATE_VM:
		return kvmlab_create_vm(arg);
	case KVM_CHECK_EXTENSION:
		return kvmlab_check_extension(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return 2 * PAGE_SIZE;	/* kvm_run, then the PIO data page */
	case KVM_GET_SUPPORTED_CPUID:
		return kvmlab_get_supported_cpuid((void __user *)arg);
	case KVM_GET_MSR_INDEX_LIST:
		return kvmlab_get_msr_index_list((void __user *)arg);
	default:
		return -EINVAL;
	}
}

static const struct file_operations kvmlab_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= kvmlab_dev_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice kvmlab_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kvmlab",
	.fops	= &kvmlab_dev_fops,
	.mode	= 0600,
};

static int __init kvmlab_init(void)
{
	int r;

	/* the backend the CPU has: AMD-V, else Intel VT-x */
	if (boot_cpu_has(X86_FEATURE_VMX) && !boot_cpu_has(X86_FEATURE_SVM))
		kvmlab_arch = &vmx_arch_ops;
	else
		kvmlab_arch = &svm_arch_ops;
	kvmlab_xsave_init();
	r = kvmlab_arch->hardware_setup();
	if (r)
		return r;
	r = kvmlab_stats_init();
	if (r)
		goto out_hw;
	r = misc_register(&kvmlab_dev);
	if (r) {
		pr_err("kvmlab: cannot register /dev/kvmlab (%d)\n", r);
		goto out_stats;
	}
	pr_info("kvmlab: loaded, backend %s\n", kvmlab_arch->name);
	return 0;

out_stats:
	kvmlab_stats_exit();
out_hw:
	kvmlab_arch->hardware_unsetup();
	return r;
}

static void __exit kvmlab_exit(void)
{
	misc_deregister(&kvmlab_dev);
	kvmlab_stats_exit();
	kvmlab_arch->hardware_unsetup();
	kvmlab_account_check();
}

module_init(kvmlab_init);
module_exit(kvmlab_exit);
