// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab: MSRs that live in no VMCB field: the MTRRs (CPUID advertises
 * them, Linux and QEMU read and write them all; kvmlab keeps the values
 * and applies none: guest memory is write-back, as the in-tree KVM makes
 * it without assigned devices), and the old kvmclock MSRs, which QEMU 7.2
 * writes with 0 (clock off) at every reset even with kvm=off, and the
 * machine-check registers: QEMU always shows MCE and MCA in CPUID and
 * saves and restores MCG_* and every bank; no machine check is ever
 * reported to the guest.
 */
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/kvm_para.h>
#include <linux/string.h>

#include "kvmlab.h"

#define MTRR_CAP_VCNT		8
/* WC supported, fixed ranges supported, 8 variable ranges: the in-tree
 * KVM's value.
 */
#define MTRR_CAP_VALUE		(0x500 | MTRR_CAP_VCNT)

/* Index into mtrr_fixed[] of a fixed-range MTRR, or -1. */
static int mtrr_fixed_index(u32 index)
{
	switch (index) {
	case MSR_MTRRfix64K_00000:
		return 0;
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
		return 1 + index - MSR_MTRRfix16K_80000;
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
		return 3 + index - MSR_MTRRfix4K_C0000;
	}
	return -1;
}

static bool mtrr_var(u32 index)
{
	return index >= 0x200 && index < 0x200 + 2 * MTRR_CAP_VCNT;
}

/* Memory types 0 (UC), 1 (WC), 4 (WT), 5 (WP), 6 (WB) and, up to @max,
 * 7 (UC-, PAT only) in every byte.
 */
static bool mem_types_valid(u64 val, u8 max)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = val >> (i * 8);

		if (t > max || t == 2 || t == 3)
			return false;
	}
	return true;
}

static bool mtrr_types_valid(u64 val)
{
	return mem_types_valid(val, 6);
}

/* Ten banks and MCG_CTL, QEMU's default machine-check capabilities. */
#define MCG_CTL_P		BIT_ULL(8)
#define MCE_CAP_DEFAULT		(MCG_CTL_P | 10)

void kvmlab_msr_init(struct kvmlab_vcpu *vcpu)
{
	vcpu->mcg_cap = MCE_CAP_DEFAULT;
	vcpu->mcg_ctl = ~0ULL;
	memset(vcpu->mce_banks, 0, sizeof(vcpu->mce_banks));
}

static bool mce_bank_msr(struct kvmlab_vcpu *vcpu, u32 index)
{
	return index >= MSR_IA32_MC0_CTL &&
	       index < MSR_IA32_MC0_CTL + 4 * (vcpu->mcg_cap & 0xff);
}

static int get_mce(struct kvmlab_vcpu *vcpu, u32 index, u64 *data)
{
	if (mce_bank_msr(vcpu, index)) {
		*data = vcpu->mce_banks[index - MSR_IA32_MC0_CTL];
		return 0;
	}
	switch (index) {
	case MSR_IA32_MCG_CAP:
		*data = vcpu->mcg_cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = vcpu->mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(vcpu->mcg_cap & MCG_CTL_P))
			return 1;
		*data = vcpu->mcg_ctl;
		return 0;
	}
	return -1;
}

/* The in-tree KVM's rules: CTL registers all ones or zero (a bank's CTL
 * may clear bit 10, Linux's K8 GART quirk), a guest clears STATUS only.
 */
static int set_mce(struct kvmlab_vcpu *vcpu, u32 index, u64 data, bool host)
{
	if (mce_bank_msr(vcpu, index)) {
		u32 off = index - MSR_IA32_MC0_CTL;

		if ((off & 3) == 0 && data && (data | BIT(10) | 1) != ~0ULL)
			return 1;
		if ((off & 3) == 1 && !host && data)
			return 1;
		vcpu->mce_banks[off] = data;
		return 0;
	}
	switch (index) {
	case MSR_IA32_MCG_CAP:
		if (!host || (data & 0xff) > KVMLAB_MCE_BANKS)
			return 1;
		vcpu->mcg_cap = data;
		return 0;
	case MSR_IA32_MCG_STATUS:
		vcpu->mcg_status = data;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(vcpu->mcg_cap & MCG_CTL_P) || (data && data != ~0ULL))
			return 1;
		vcpu->mcg_ctl = data;
		return 0;
	}
	return -1;
}

/*
 * Store @data in @slot, a backend's copy of MSR @index (its VMCB save
 * area, struct vcpu_vmx), after the checks both make: 0 = done, 1 = #GP.
 * @wide_sysenter: SYSENTER_ESP/EIP are 64-bit and must be canonical
 * (VT-x; AMD-V keeps 32 bits of them).
 */
int kvmlab_set_msr_slot(u64 *slot, u32 index, u64 data, bool wide_sysenter)
{
	bool addr;

	switch (index) {
	case MSR_IA32_CR_PAT:
		if (!mem_types_valid(data, 7))
			return 1;
		break;
	case MSR_FS_BASE: case MSR_GS_BASE: case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR: case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP:
		addr = wide_sysenter || (index != MSR_IA32_SYSENTER_ESP &&
					 index != MSR_IA32_SYSENTER_EIP);
		if (addr && !__is_canonical_address(data, 48))
			return 1;
		break;
	}
	*slot = data;
	return 0;
}

int kvmlab_get_msr_common(struct kvmlab_vcpu *vcpu, u32 index, u64 *data)
{
	int i = get_mce(vcpu, index, data);

	if (i >= 0)
		return i;
	i = mtrr_fixed_index(index);
	if (i >= 0) {
		*data = vcpu->mtrr_fixed[i];
		return 0;
	}
	if (mtrr_var(index)) {
		*data = vcpu->mtrr_var[index - 0x200];
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = vcpu->efer;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_TSC_AUX:
		*data = vcpu->tsc_aux;
		return 0;
	case MSR_MTRRcap:
		*data = MTRR_CAP_VALUE;
		return 0;
	case MSR_MTRRdefType:
		*data = vcpu->mtrr_deftype;
		return 0;
	case MSR_AMD64_SYSCFG:
		*data = 0;	/* read as 0 by the in-tree KVM; Linux reads it */
		return 0;
	}
	return 1;
}

/* kvmclock is not offered: its MSRs are always 0, off. */
static bool kvmclock_msr(u32 index)
{
	return index == MSR_KVM_WALL_CLOCK || index == MSR_KVM_SYSTEM_TIME;
}

int kvmlab_get_msr_host(struct kvmlab_vcpu *vcpu, u32 index, u64 *data)
{
	if (kvmclock_msr(index)) {
		*data = 0;
		return 0;
	}
	return kvmlab_arch->get_msr(vcpu, index, data);
}

int kvmlab_set_msr_host(struct kvmlab_vcpu *vcpu, u32 index, u64 data)
{
	if (kvmclock_msr(index))
		return data ? 1 : 0;
	return kvmlab_arch->set_msr(vcpu, index, data, true);
}

/* 0 = done, 1 = #GP (the in-tree KVM's checks for what it checks). */
int kvmlab_set_msr_common(struct kvmlab_vcpu *vcpu, u32 index, u64 data,
			  bool host)
{
	int i = set_mce(vcpu, index, data, host);

	if (i >= 0)
		return i;
	i = mtrr_fixed_index(index);

	if (i >= 0) {
		if (!mtrr_types_valid(data))
			return 1;
		vcpu->mtrr_fixed[i] = data;
		return 0;
	}
	if (mtrr_var(index)) {
		/* PhysBase: type in bits 0-7, bits 8-11 reserved; PhysMask:
		 * bits 0-10 reserved.  Above MAXPHYADDR: reserved too.
		 */
		u64 rsvd = ~GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 0);

		if (index & 1)
			rsvd |= 0x7ff;
		else if (!mtrr_types_valid((data & 0xff) * 0x0101010101010101ULL))
			return 1;
		else
			rsvd |= 0xf00;
		if (data & rsvd)
			return 1;
		vcpu->mtrr_var[index - 0x200] = data;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		return kvmlab_set_efer(vcpu, data, host);
	case MSR_IA32_APICBASE:
		if (!host)
			return 1;
		vcpu->apic_base = data;
		return 0;
	case MSR_TSC_AUX:
		if (data >> 32)
			return 1;
		vcpu->tsc_aux = data;
		return 0;
	case MSR_MTRRdefType:
		if ((data & ~0xcffULL) ||
		    !mtrr_types_valid((data & 0xff) * 0x0101010101010101ULL))
			return 1;
		vcpu->mtrr_deftype = data;
		return 0;
	}
	return 1;
}
