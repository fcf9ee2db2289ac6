// SPDX-License-Identifier: GPL-2.0
/*
 * dr-host: a guest must not reach the host's debug registers.  VMRUN
 * swaps DR6 and DR7 but not DR0-3: a hypervisor that lets MOV DR run in
 * the guest hands it the host's breakpoint addresses.  This program sets
 * a hardware write watchpoint on one of its own variables (perf,
 * PERF_TYPE_BREAKPOINT: the kernel programs DR0-3/DR7 for this thread),
 * runs a real-mode guest in the same thread that writes DR0-3, DR6 and
 * DR7 and reads them back, then writes the variable again: the watchpoint
 * must still count.  The guest must read back what it wrote, as the
 * in-tree KVM gives it (DR6/DR7 with their fixed bits).
 */
#include "../abi/abi.h"

#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>

static volatile long watched;

static long long count(int fd)
{
	long long n = -1;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

static const uint8_t guest[] = {
	0x66, 0xb8, 0x78, 0x56, 0x34, 0x12,	/* mov eax, 0x12345678 */
	0x0f, 0x23, 0xc0,			/* mov dr0, eax */
	0x0f, 0x23, 0xc8,			/* mov dr1, eax */
	0x0f, 0x23, 0xd0,			/* mov dr2, eax */
	0x0f, 0x23, 0xd8,			/* mov dr3, eax */
	0x66, 0xb8, 0x03, 0x00, 0x00, 0x00,	/* mov eax, 3 (L0|G0) */
	0x0f, 0x23, 0xf8,			/* mov dr7, eax */
	0x66, 0x31, 0xc0,			/* xor eax, eax */
	0x0f, 0x23, 0xf0,			/* mov dr6, eax */
	0x0f, 0x21, 0xc3,			/* mov ebx, dr0 */
	0x0f, 0x21, 0xd9,			/* mov ecx, dr3 */
	0x0f, 0x21, 0xfa,			/* mov edx, dr7 */
	0x0f, 0x21, 0xf6,			/* mov esi, dr6 */
	0xf4,					/* hlt */
};

int main(int argc, char **argv)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(a),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (uintptr_t)&watched,
		.bp_len = HW_BREAKPOINT_LEN_8,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	struct kvm_regs r;
	struct vm vm;
	int fd;

	abi_parse_args(argc, argv);
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		die("dr-watchpoint", "perf_event_open(PERF_TYPE_BREAKPOINT)");
	watched = 1;
	if (!check_eq("dr-watchpoint-works", count(fd), 1))
		return abi_finish();	/* nothing below would mean anything */

	vm_create(&vm, "dr-guest", guest, sizeof(guest));
	if (ioctl(vm.vcpu, KVM_RUN, 0) < 0)
		die("dr-guest", "KVM_RUN");
	check_eq("dr-guest-exit-hlt", vm.run->exit_reason, KVM_EXIT_HLT);
	if (ioctl(vm.vcpu, KVM_GET_REGS, &r) < 0)
		die("dr-guest", "KVM_GET_REGS");
	check_eq("dr-guest-dr0-readback", (uint32_t)r.rbx, 0x12345678);
	check_eq("dr-guest-dr3-readback", (uint32_t)r.rcx, 0x12345678);
	check_eq("dr-guest-dr7-readback", (uint32_t)r.rdx, 0x403);
	check_eq("dr-guest-dr6-readback", (uint32_t)r.rsi, 0xffff0ff0);

	/* the same thread, straight after KVM_RUN: DR0 must be the host's */
	watched = 2;
	check_eq("dr-host-watchpoint-after-guest", count(fd), 2);
	vm_destroy(&vm);
	watched = 3;
	check_eq("dr-host-watchpoint-after-close", count(fd), 3);
	close(fd);
	return abi_finish();
}
