// SPDX-License-Identifier: GPL-2.0
/* tracing/names.c: exit reasons, fault outcomes, emulator steps by name. */
#include <stdio.h>
#include <linux/types.h>
#include "names.h"
#include "kvmlab_tp.h"
#include "../kmod/vmx.h"

/* SVM exit codes, named as kmod/svm.h's SVM_EXIT_NAMES names them. */
const char *svm_exit_name(__u64 code)
{
	static const struct { __u64 code; const char *name; } names[] = {
		{ 0x000, "read_cr0" }, { 0x003, "read_cr3" },
		{ 0x004, "read_cr4" }, { 0x010, "write_cr0" },
		{ 0x013, "write_cr3" }, { 0x014, "write_cr4" },
		{ 0x041, "DB_excp" }, { 0x043, "BP_excp" },
		{ 0x046, "UD_excp" }, { 0x04e, "PF_excp" },
		{ 0x052, "MC_excp" }, { 0x060, "interrupt" }, { 0x061, "nmi" },
		{ 0x062, "smi" }, { 0x063, "init" }, { 0x064, "vintr" },
		{ 0x065, "cr0_sel_write" },
		{ 0x06e, "rdtsc" }, { 0x06f, "rdpmc" }, { 0x070, "pushf" },
		{ 0x071, "popf" }, { 0x072, "cpuid" }, { 0x073, "rsm" },
		{ 0x074, "iret" }, { 0x075, "swint" }, { 0x076, "invd" },
		{ 0x077, "pause" }, { 0x078, "hlt" }, { 0x079, "invlpg" },
		{ 0x07a, "invlpga" }, { 0x07b, "io" }, { 0x07c, "msr" },
		{ 0x07d, "task_switch" }, { 0x07e, "ferr_freeze" },
		{ 0x07f, "shutdown" }, { 0x080, "vmrun" }, { 0x081, "vmmcall" },
		{ 0x082, "vmload" }, { 0x083, "vmsave" }, { 0x084, "stgi" },
		{ 0x085, "clgi" }, { 0x086, "skinit" }, { 0x087, "rdtscp" },
		{ 0x088, "icebp" }, { 0x089, "wbinvd" }, { 0x08a, "monitor" },
		{ 0x08b, "mwait" }, { 0x08c, "mwait_cond" }, { 0x08d, "xsetbv" },
		{ 0x08e, "rdpru" }, { 0x08f, "efer_write_trap" },
		{ 0x400, "npf" }, { 0x401, "avic_incomplete_ipi" },
		{ 0x402, "avic_unaccelerated_access" },
		{ 0xffffffffffffffffULL, "invalid" },
		{ 0xffffffffULL, "invalid" },
	};
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)code);
	return buf;
}

/*
 * Any exit code of the kvmlab_exit event: VMX reasons (0x10000 + reason,
 * bit 31 kept for a failed entry) by kmod/vmx.h's VMX_EXIT_NAMES, the
 * names the tracepoint prints, the rest as svm_exit_name() names them.
 */
const char *exit_name(__u64 code)
{
	static const struct { __u64 code; const char *name; } vmx[] = {
		VMX_EXIT_NAMES
	};
	size_t i;

	for (i = 0; i < sizeof(vmx) / sizeof(vmx[0]); i++)
		if (vmx[i].code == code)
			return vmx[i].name;
	return svm_exit_name(code);
}

const char *pf_outcome_name(__u64 outcome)
{
	static const char *const names[] = {
		"fixed", "injected", "mmio", "emulated", "wp-hit", "none",
		"spurious", "unknown"
	};

	return outcome <= PF_UNKNOWN ? names[outcome] : "?";
}

const char *emul_step_name(__u64 step)
{
	static const char *const names[] = {
		"fetch", "decode", "execute", "writeback"
	};

	return step < EMUL_STEPS ? names[step] : "?";
}
