// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: memory slots, guest frames, and copies to and from guest memory.
 *
 * A slot maps guest frames to a range of the owner's address space.  The
 * frames are pinned on first use by the guest (the MMU asks for them) and
 * unpinned when the slot goes away, after every vCPU has dropped the
 * translations (kvmlab_flush_remote_tlbs).
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>

#include "kvmlab.h"

static void slot_unpin(struct kvmlab_vm *vm, struct kvmlab_memslot *slot)
{
	u64 i;

	if (!slot->pages)
		return;
	for (i = 0; i < slot->npages; i++) {
		if (slot->pages[i]) {
			unpin_user_page(slot->pages[i]);
			vm->pinned_pages--;
			kvmlab_acct_dec(pinned_pages);
		}
	}
	kvfree(slot->pages);
	slot->pages = NULL;
}

void kvmlab_free_memslots(struct kvmlab_vm *vm)
{
	int i;

	for (i = 0; i < KVMLAB_USER_MEM_SLOTS; i++) {
		if (!vm->slots[i])
			continue;
		slot_unpin(vm, vm->slots[i]);
		kfree(vm->slots[i]);
		kvmlab_acct_dec(memslots);
		vm->slots[i] = NULL;
	}
}

struct kvmlab_memslot *kvmlab_gfn_to_slot(struct kvmlab_vm *vm, u64 gfn)
{
	int i;

	for (i = 0; i < KVMLAB_USER_MEM_SLOTS; i++) {
		struct kvmlab_memslot *s = vm->slots[i];

		if (s && gfn >= s->base_gfn && gfn - s->base_gfn < s->npages)
			return s;
	}
	return NULL;
}

/* The host frame behind a guest frame, pinned.  Caller holds mmu_lock.
 * 0, or -ENOENT (no slot: MMIO), or -EFAULT (the owner's memory is gone).
 */
int kvmlab_gfn_to_pfn(struct kvmlab_vm *vm, u64 gfn, unsigned long *pfn)
{
	struct kvmlab_memslot *slot = kvmlab_gfn_to_slot(vm, gfn);
	u64 idx;
	struct page *page;

	if (!slot)
		return -ENOENT;
	idx = gfn - slot->base_gfn;
	if (!slot->pages) {
		slot->pages = kvcalloc(slot->npages, sizeof(*slot->pages),
				       GFP_KERNEL_ACCOUNT);
		if (!slot->pages)
			return -ENOMEM;
	}
	if (!slot->pages[idx]) {
		if (current->mm != vm->mm)
			return -EFAULT;
		if (pin_user_pages_fast(slot->hva + idx * PAGE_SIZE, 1,
					FOLL_WRITE | FOLL_LONGTERM, &page) != 1)
			return -EFAULT;
		slot->pages[idx] = page;
		vm->pinned_pages++;
		kvmlab_acct_inc(pinned_pages);
	}
	*pfn = page_to_pfn(slot->pages[idx]);
	return 0;
}

static bool overlaps(struct kvmlab_vm *vm, u32 id, u64 base, u64 npages)
{
	int i;

	for (i = 0; i < KVMLAB_USER_MEM_SLOTS; i++) {
		struct kvmlab_memslot *s = vm->slots[i];

		if (!s || i == id)
			continue;
		if (base < s->base_gfn + s->npages && s->base_gfn < base + npages)
			return true;
	}
	return false;
}

/* Drop every guest-physical mapping and every pin of @slot. */
static void slot_invalidate(struct kvmlab_vm *vm, struct kvmlab_memslot *slot)
{
	vm->mmu_ops->zap_all(vm);
	kvmlab_flush_remote_tlbs(vm);
	slot_unpin(vm, slot);
}

/* The same checks, in the same order, with the same errno as the in-tree
 * KVM's __kvm_set_memory_region().
 */
int kvmlab_set_memory_region(struct kvmlab_vm *vm,
			     struct kvm_userspace_memory_region *mem)
{
	u16 as_id = mem->slot >> 16, id = (u16)mem->slot;
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	u64 base = mem->guest_phys_addr >> PAGE_SHIFT;
	struct kvmlab_memslot *old, *slot;
	int r = 0;

	if (mem->flags)
		return -EINVAL;	/* no dirty logging, no read-only slots */
	if ((mem->memory_size & (PAGE_SIZE - 1)) ||
	    mem->memory_size != (unsigned long)mem->memory_size)
		return -EINVAL;
	if (mem->guest_phys_addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if ((mem->userspace_addr & (PAGE_SIZE - 1)) ||
	    mem->userspace_addr != untagged_addr(mem->userspace_addr) ||
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;
	if (as_id || id >= KVMLAB_USER_MEM_SLOTS)
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr)
		return -EINVAL;
	if (npages > KVMLAB_MAX_SLOT_PAGES)
		return -EINVAL;

	mutex_lock(&vm->mmu_lock);
	old = vm->slots[id];
	if (!npages) {
		if (!old) {
			r = -EINVAL;
			goto out;
		}
		slot_invalidate(vm, old);
		kfree(old);
		kvmlab_acct_dec(memslots);
		vm->slots[id] = NULL;
		goto out;
	}
	if (old) {
		if (mem->userspace_addr != old->hva || npages != old->npages) {
			r = -EINVAL;
			goto out;
		}
		if (base == old->base_gfn)
			goto out;	/* only flags could change: none do */
		/* A move: the frames stay pinned, the map is rebuilt. */
		if (overlaps(vm, id, base, npages)) {
			r = -EEXIST;
			goto out;
		}
		slot_invalidate(vm, old);
		old->base_gfn = base;
		goto out;
	}
	if (overlaps(vm, id, base, npages)) {
		r = -EEXIST;
		goto out;
	}
	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot) {
		r = -ENOMEM;
		goto out;
	}
	kvmlab_acct_inc(memslots);
	slot->id = id;
	slot->base_gfn = base;
	slot->npages = npages;
	slot->hva = mem->userspace_addr;
	vm->slots[id] = slot;
out:
	mutex_unlock(&vm->mmu_lock);
	return r;
}

/* Guest memory through the owner's mappings, as userspace sees it. */
static int guest_copy(struct kvmlab_vcpu *vcpu, u64 gpa, void *buf,
		      unsigned int len, bool write)
{
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gpa));
		struct kvmlab_memslot *slot;
		unsigned long hva;
		unsigned long left;

		mutex_lock(&vcpu->vm->mmu_lock);
		slot = kvmlab_gfn_to_slot(vcpu->vm, gpa >> PAGE_SHIFT);
		hva = slot ? slot->hva + ((gpa >> PAGE_SHIFT) - slot->base_gfn) *
			     PAGE_SIZE + offset_in_page(gpa) : 0;
		mutex_unlock(&vcpu->vm->mmu_lock);
		if (!slot)
			return -ENOENT;
		if (write)
			left = copy_to_user((void __user *)hva, buf, n);
		else
			left = copy_from_user(buf, (void __user *)hva, n);
		if (left)
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int kvmlab_read_guest(struct kvmlab_vcpu *vcpu, u64 gpa, void *buf,
		      unsigned int len)
{
	return guest_copy(vcpu, gpa, buf, len, false);
}

int kvmlab_write_guest(struct kvmlab_vcpu *vcpu, u64 gpa, const void *buf,
		       unsigned int len)
{
	return guest_copy(vcpu, gpa, (void *)buf, len, true);
}

/* Atomically replace @old by @new (4 or 8 bytes) in guest memory, as the
 * CPU sets accessed and dirty bits.  0 = done, 1 = memory changed,
 * < 0 = not guest memory.
 */
int kvmlab_cmpxchg_guest(struct kvmlab_vm *vm, u64 gpa, u64 old, u64 new,
			 unsigned int len)
{
	unsigned long pfn;
	void *page;
	int r;

	if (offset_in_page(gpa) + len > PAGE_SIZE || (len != 4 && len != 8))
		return -EINVAL;
	mutex_lock(&vm->mmu_lock);
	r = kvmlab_gfn_to_pfn(vm, gpa >> PAGE_SHIFT, &pfn);
	if (r) {
		mutex_unlock(&vm->mmu_lock);
		return r < 0 ? r : -EFAULT;
	}
	page = kmap_local_pfn(pfn);
	if (len == 8)
		r = cmpxchg((u64 *)(page + offset_in_page(gpa)), old, new) != old;
	else
		r = cmpxchg((u32 *)(page + offset_in_page(gpa)), (u32)old,
			    (u32)new) != (u32)old;
	kunmap_local(page);
	mutex_unlock(&vm->mmu_lock);
	return r;
}

unsigned long kvmlab_guest_pages(struct kvmlab_vm *vm)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < KVMLAB_USER_MEM_SLOTS; i++)
		if (vm->slots[i])
			n += vm->slots[i]->npages;
	return n;
}

/* Read guest memory with mmu_lock held (the shadow MMU's own updates). */
int kvmlab_read_guest_locked(struct kvmlab_vm *vm, u64 gpa, void *buf,
			     unsigned int len)
{
	unsigned long pfn;
	void *page;
	int r;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EINVAL;
	r = kvmlab_gfn_to_pfn(vm, gpa >> PAGE_SHIFT, &pfn);
	if (r)
		return r;
	page = kmap_local_pfn(pfn);
	memcpy(buf, page + offset_in_page(gpa), len);
	kunmap_local(page);
	return 0;
}
