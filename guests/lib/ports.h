/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between tools/vmrun and the guests in guests/.
 * Included by vmrun (hosted C), by the guests (freestanding C) and by
 * the guests' assembly start-up code, so: only #defines outside the
 * __ASSEMBLER__ block.
 *
 * Guest-physical layout set up by vmrun:
 *
 *   0x00000000  real-mode IVT (untouched by vmrun)
 *   0x00000800  GDT written by vmrun for prot32/pae/long (VMRUN_GDT_*)
 *   0x00001000  struct vmrun_args: the guest's arguments (vmrun --arg)
 *   0x00002000  identity page tables for pae/long (VMRUN_PT_*)
 *   0x00008000  real-mode guests are linked here (stack below 0x7000)
 *   0x00100000  prot32/pae/long guests are linked here
 *   0xd0000000  MMIO test device, 4 KiB, not backed by any memory slot
 *   0xfffbd000  KVM_SET_TSS_ADDR (3 pages, as QEMU does)
 *
 * I/O ports:
 *
 *   0xe9        console: every byte written is one character
 *   0xf0        ucall: 32-bit OUT of the guest-physical address of a
 *               struct vmrun_ucall; vmrun reads it from guest memory
 *   0xf4        HLT continue: a 32-bit OUT of n makes vmrun resume the
 *               guest after each of its next n HLTs instead of ending
 *               the run there (benchmarks of the HLT exit)
 *   0xf6        events: a 32-bit OUT of EVENT_CMD(cmd, arg) makes vmrun
 *               inject an event through the driver before the guest
 *               goes on (below)
 *   0xf8..0xff  PIO test device (below)
 */
#ifndef GUESTS_LIB_PORTS_H
#define GUESTS_LIB_PORTS_H

#define PORT_CONSOLE		0xe9
#define PORT_UCALL		0xf0
#define PORT_HLT_CONTINUE	0xf4
#define PORT_EVENT		0xf6

/*
 * Events (vmrun's tools/vmrun/events.c), each done at the OUT's exit, so
 * the guest gets it right after the OUT (or as soon as it can take it):
 *   NMI      KVM_NMI, arg times
 *   IRQ      interrupt vector arg from vmrun's "PIC": KVM_INTERRUPT as soon
 *            as the driver reports ready_for_interrupt_injection (vmrun
 *            asks for the interrupt window until then)
 *   EXC      KVM_SET_VCPU_EVENTS with an injected exception: vector
 *            arg & 0xff, an error code (arg >> 8) if arg & EVENT_EXC_ERR;
 *            vmrun prints the ioctl's errno if it fails
 *   SHOW     KVM_GET_VCPU_EVENTS, SET of the same, GET again (must be
 *            equal), printed as one "EVENTS ..." line; the shadow must be
 *            there exactly when arg has EVENT_SHOW_SHADOW (a FAIL line)
 *   NMI_MASK / NMI_PENDING  KVM_SET_VCPU_EVENTS of the state read, with
 *            nmi.masked = arg / nmi.pending = arg (VALID_NMI_PENDING)
 */
#define EVENT_NMI		1
#define EVENT_IRQ		2
#define EVENT_EXC		3
#define EVENT_SHOW		4
#define EVENT_NMI_MASK		5
#define EVENT_NMI_PENDING	6
#define EVENT_EXC_ERR		0x800000u
#define EVENT_SHOW_SHADOW	1
#define EVENT_CMD(cmd, arg)	((unsigned int)(cmd) << 24 | (unsigned int)(arg))

/*
 * PIO test device.  The port number selects the register; every access
 * size (1, 2, 4) is accepted on every port, and `rep ins/outs` work.
 *   ECHO  read returns the value last written to ECHO, masked to the
 *         size of the read (0 before any write).
 *   SEQ   every element read returns seq++ (masked to the size);
 *         a write sets seq to the value written.
 *   SINK  every element written is folded into a checksum:
 *         sum = sum * 31 + (value | size << 24 ... see PIODEV_FOLD);
 *         a read returns the checksum.
 *   COUNT a read returns the number of elements written to SINK;
 *         a write clears the checksum and that count.
 * Other ports in the range read as all ones and ignore writes.
 */
#define PORT_PIODEV_FIRST	0xf8
#define PORT_PIODEV_LAST	0xff
#define PORT_PIODEV_ECHO	0xf8
#define PORT_PIODEV_SEQ		0xfa
#define PORT_PIODEV_SINK	0xfc
#define PORT_PIODEV_COUNT	0xfe
/* sum' = sum * 31 + value + size: the same in the guest and in vmrun */
#define PIODEV_FOLD(sum, value, size) \
	((unsigned int)((sum) * 31u + (unsigned int)(value) + (unsigned int)(size)))

/*
 * MMIO test device at MMIO_BASE (4 KiB window).  vmrun logs every access.
 *   +0x00 ID       read-only, 32 bits: MMIO_ID_VALUE
 *   +0x04 VERSION  read-only, 32 bits: 1
 *   +0x08 SCRATCH  64 bits, read/write at any size (1, 2, 4, 8) and any
 *                  byte offset inside 0x08..0x0f
 *   +0x10 COUNT    read-only, 32 bits: accesses to the device so far
 *                  (this read included)
 * Other offsets read as zero and ignore writes.
 */
#define MMIO_BASE		0xd0000000u
#define MMIO_SIZE		0x1000u
#define MMIO_ID			0x00
#define MMIO_VERSION		0x04
#define MMIO_SCRATCH		0x08
#define MMIO_COUNT		0x10
#define MMIO_ID_VALUE		0x4c4d564bu	/* "KVML" in memory order */

/* guest-physical layout */
#define VMRUN_GDT_ADDR		0x800
#define VMRUN_ARGS_ADDR		0x1000
#define VMRUN_ARGS_MAGIC	0x73677261u	/* "args" */
#define VMRUN_NR_ARGS		16
#define VMRUN_PT_ADDR		0x2000
#define VMRUN_REAL_LOAD		0x8000
#define VMRUN_FLAT_LOAD		0x100000
#define VMRUN_TSS_ADDR		0xfffbd000u

/* GDT selectors written by vmrun */
#define SEL_CODE32		0x08
#define SEL_DATA		0x10
#define SEL_CODE64		0x18
#define SEL_CODE16		0x20
#define SEL_DATA16		0x28

/* custom CPUID leaves set by vmrun through KVM_SET_CPUID2 */
#define VMRUN_CPUID_BASE	0x40000000u
#define VMRUN_CPUID_TEST	0x40000001u
#define VMRUN_CPUID_TEST_EAX	0x6b766d6cu
#define VMRUN_CPUID_TEST_EBX	0x12345678u
#define VMRUN_CPUID_TEST_ECX	0x9abcdef0u
#define VMRUN_CPUID_TEST_EDX	0x0badf00du
/* leaf 0 as vmrun sets it: max basic leaf fixed, vendor from the host */
#define VMRUN_CPUID_MAX_BASIC	0x0000000du

/* ucall commands */
#define UCALL_PASS		1
#define UCALL_FAIL		2
#define UCALL_VALUE		3
#define UCALL_DONE		4
#define UCALL_ABORT		5
#define UCALL_STAT		6	/* a value that may differ between drivers */
/*
 * Benchmark segments: MARK_BEGIN makes vmrun snapshot the driver's
 * counters (binary stats fd); MARK_END with the same name prints the
 * segment's value (the guest's emulated-time delta) and every counter's
 * change since the begin ("# SEGMENT" and "# SKSTAT" lines, see vmrun).
 */
#define UCALL_MARK_BEGIN	7
#define UCALL_MARK_END		8

#define UCALL_NAME_LEN		48

#ifndef __ASSEMBLER__
#include <stdint.h>

struct vmrun_ucall {
	uint32_t cmd;
	uint32_t pad;
	uint64_t value;
	char name[UCALL_NAME_LEN];
};

_Static_assert(sizeof(struct vmrun_ucall) == 64, "ucall layout");

/* Written by vmrun at VMRUN_ARGS_ADDR before the guest starts:
 * `vmrun --arg 2=0x40` sets arg[2] and bit 2 of set. */
struct vmrun_args {
	uint32_t magic;
	uint32_t set;
	uint64_t arg[VMRUN_NR_ARGS];
};
#endif

#endif
