/* SPDX-License-Identifier: GPL-2.0 */
/* vmrun: a small VMM on the <linux/kvm.h> ABI (API 12). */
#ifndef VMRUN_H
#define VMRUN_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "../../guests/lib/ports.h"

enum vm_mode { MODE_NONE, MODE_REAL, MODE_PROT32, MODE_PAE, MODE_LONG };

/* How a run ended: printed as "EXIT <name>". */
enum vm_end {
	END_HLT, END_SHUTDOWN, END_TIMEOUT, END_FAIL_ENTRY,
	END_INTERNAL_ERROR, END_UNKNOWN, END_ERROR, END_NR
};

struct vm {
	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	uint64_t mem_size;
	enum vm_mode mode;
	uint64_t entry;
	int quiet;

	/* results */
	unsigned int passes, fails, values;

	/* console line buffer */
	char con[256];
	size_t con_len;

	/* PIO test device */
	uint32_t echo, seq, sink, sink_count;
	uint64_t pio_accesses;

	/* HLTs to resume after (PORT_HLT_CONTINUE) */
	uint32_t hlt_continue;

	/* an interrupt waiting for the guest (PORT_EVENT), -1: none */
	int irq_vector;

	/* MMIO test device */
	uint64_t scratch;
	uint32_t mmio_accesses;

	/* statistics that may differ between drivers ("# " lines) */
	uint64_t runs, exits_io, exits_mmio, exits_intr, exits_other;
};

/* load.c */
int load_image(struct vm *vm, const char *path, uint64_t load_addr,
	       enum vm_mode *elf_mode);
enum vm_mode mode_from_name(const char *name);
const char *mode_name(enum vm_mode mode);

/* cpu.c */
int setup_cpuid(struct vm *vm);
int setup_mode(struct vm *vm);
void print_regs(struct vm *vm, const char *prefix);

/* dev.c */
void handle_io(struct vm *vm);
void handle_mmio(struct vm *vm);
void console_flush(struct vm *vm);

/* events.c */
void event_port(struct vm *vm, uint32_t v);
void event_pre_run(struct vm *vm);

/* stats.c */
void print_kvm_stats(struct vm *vm);
void kvm_stats_mark_begin(struct vm *vm);
void kvm_stats_mark_end(struct vm *vm, const char *name);

/* vmrun.c */
void out(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
