// SPDX-License-Identifier: GPL-2.0
/*
 * The devices a guest sees: console, ucall (results) port, PIO test
 * device, MMIO test device.  See guests/lib/ports.h for the contract.
 * Everything printed here is guest-visible and deterministic.
 */
#include <stdio.h>
#include <string.h>

#include "vmrun.h"

void console_flush(struct vm *vm)
{
	if (!vm->con_len)
		return;
	vm->con[vm->con_len] = 0;
	if (!vm->quiet)
		out(vm, "CON %s\n", vm->con);
	vm->con_len = 0;
}

static void console_putc(struct vm *vm, uint8_t c)
{
	if (c == '\n') {
		console_flush(vm);
		return;
	}
	if (c == '\r')
		return;
	if (c < 0x20 || c > 0x7e)
		c = '?';
	vm->con[vm->con_len++] = (char)c;
	if (vm->con_len == sizeof(vm->con) - 1)
		console_flush(vm);
}

static void ucall(struct vm *vm, uint32_t gpa)
{
	struct vmrun_ucall uc;
	char name[UCALL_NAME_LEN + 1];

	console_flush(vm);
	if (gpa > vm->mem_size || vm->mem_size - gpa < sizeof(uc)) {
		out(vm, "FAIL ucall-address-0x%x\n", gpa);
		vm->fails++;
		return;
	}
	memcpy(&uc, vm->mem + gpa, sizeof(uc));
	memcpy(name, uc.name, UCALL_NAME_LEN);
	name[UCALL_NAME_LEN] = 0;
	for (char *p = name; *p; p++)
		if (*p <= ' ' || *p > '~')
			*p = '_';
	if (!name[0])
		strcpy(name, "-");

	switch (uc.cmd) {
	case UCALL_PASS:
		vm->passes++;
		out(vm, "PASS %s\n", name);
		break;
	case UCALL_FAIL:
		vm->fails++;
		out(vm, "FAIL %s\n", name);
		break;
	case UCALL_VALUE:
		vm->values++;
		out(vm, "VALUE %s 0x%llx\n", name, (unsigned long long)uc.value);
		break;
	case UCALL_STAT:
		out(vm, "# STAT %s %llu\n", name, (unsigned long long)uc.value);
		break;
	case UCALL_MARK_BEGIN:
		kvm_stats_mark_begin(vm);
		break;
	case UCALL_MARK_END:
		/* the guest's emulated-time delta, then the counters' */
		out(vm, "# SEGMENT %s tsc %llu\n", name, (unsigned long long)uc.value);
		kvm_stats_mark_end(vm, name);
		break;
	case UCALL_DONE:
		out(vm, "DONE\n");
		break;
	case UCALL_ABORT:
		vm->fails++;
		out(vm, "FAIL abort:%s 0x%llx\n", name, (unsigned long long)uc.value);
		break;
	default:
		vm->fails++;
		out(vm, "FAIL ucall-cmd-%u\n", uc.cmd);
	}
}

static uint32_t mask(unsigned int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static uint32_t piodev_in(struct vm *vm, uint16_t port, unsigned int size)
{
	vm->pio_accesses++;
	switch (port) {
	case PORT_PIODEV_ECHO:
		return vm->echo & mask(size);
	case PORT_PIODEV_SEQ:
		return vm->seq++ & mask(size);
	case PORT_PIODEV_SINK:
		return vm->sink & mask(size);
	case PORT_PIODEV_COUNT:
		return vm->sink_count & mask(size);
	}
	return mask(size);
}

static void piodev_out(struct vm *vm, uint16_t port, unsigned int size, uint32_t v)
{
	vm->pio_accesses++;
	switch (port) {
	case PORT_PIODEV_ECHO:
		vm->echo = v;
		break;
	case PORT_PIODEV_SEQ:
		vm->seq = v;
		break;
	case PORT_PIODEV_SINK:
		vm->sink = PIODEV_FOLD(vm->sink, v, size);
		vm->sink_count++;
		break;
	case PORT_PIODEV_COUNT:
		vm->sink = vm->sink_count = 0;
		break;
	}
}

/* One element of an IN or OUT; `rep ins/outs` give run->io.count of them. */
static void io_one(struct vm *vm, uint8_t dir, uint16_t port, unsigned int size,
		   uint8_t *data)
{
	uint32_t v = 0;

	if (dir == KVM_EXIT_IO_OUT) {
		memcpy(&v, data, size);
		if (port == PORT_CONSOLE)
			console_putc(vm, (uint8_t)v);
		else if (port == PORT_UCALL && size == 4)
			ucall(vm, v);
		else if (port >= PORT_PIODEV_FIRST && port <= PORT_PIODEV_LAST)
			piodev_out(vm, port, size, v);
		else if (port == PORT_HLT_CONTINUE && size == 4)
			vm->hlt_continue = v;
		else if (port == PORT_EVENT && size == 4)
			event_port(vm, v);
		else
			out(vm, "PIO unhandled out port=0x%x size=%u value=0x%x\n",
			    port, size, v);
		return;
	}
	if (port >= PORT_PIODEV_FIRST && port <= PORT_PIODEV_LAST) {
		v = piodev_in(vm, port, size);
	} else {
		v = 0xffffffffu;
		out(vm, "PIO unhandled in port=0x%x size=%u\n", port, size);
	}
	memcpy(data, &v, size);
}

void handle_io(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	unsigned int size = run->io.size;

	if (size != 1 && size != 2 && size != 4) {
		out(vm, "PIO bad size %u port=0x%x\n", size, run->io.port);
		vm->fails++;
		return;
	}
	if (run->io.data_offset + (uint64_t)run->io.count * size > vm->run_size) {
		out(vm, "PIO data outside kvm_run: offset=0x%llx count=%u\n",
		    (unsigned long long)run->io.data_offset, run->io.count);
		vm->fails++;
		return;
	}
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	for (uint32_t i = 0; i < run->io.count; i++)
		io_one(vm, run->io.direction, run->io.port, size, data + i * size);
}

static uint64_t mmio_read(struct vm *vm, uint32_t off, unsigned int len)
{
	uint64_t v = 0;

	if (off >= MMIO_SCRATCH && off + len <= MMIO_SCRATCH + 8)
		memcpy(&v, (uint8_t *)&vm->scratch + (off - MMIO_SCRATCH), len);
	else if (off == MMIO_ID && len == 4)
		v = MMIO_ID_VALUE;
	else if (off == MMIO_VERSION && len == 4)
		v = 1;
	else if (off == MMIO_COUNT && len == 4)
		v = vm->mmio_accesses;
	return v;
}

static void mmio_write(struct vm *vm, uint32_t off, unsigned int len, uint64_t v)
{
	if (off >= MMIO_SCRATCH && off + len <= MMIO_SCRATCH + 8)
		memcpy((uint8_t *)&vm->scratch + (off - MMIO_SCRATCH), &v, len);
}

void handle_mmio(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	uint64_t addr = run->mmio.phys_addr, v = 0;
	unsigned int len = run->mmio.len;
	int w = run->mmio.is_write;

	console_flush(vm);
	if (len == 0 || len > 8) {
		out(vm, "MMIO bad length %u at 0x%llx\n", len, (unsigned long long)addr);
		vm->fails++;
		return;
	}
	if (w)
		memcpy(&v, run->mmio.data, len);
	if (addr >= MMIO_BASE && addr + len <= MMIO_BASE + MMIO_SIZE) {
		uint32_t off = addr - MMIO_BASE;
		vm->mmio_accesses++;
		if (w)
			mmio_write(vm, off, len, v);
		else
			v = mmio_read(vm, off, len);
	} else if (!w) {
		v = ~0ull;
	}
	if (!w)
		memcpy(run->mmio.data, &v, len);
	if (!vm->quiet || !(addr >= MMIO_BASE && addr < MMIO_BASE + MMIO_SIZE))
		out(vm, "MMIO %s 0x%llx %u 0x%llx%s\n", w ? "W" : "R",
		    (unsigned long long)addr, len, (unsigned long long)(v & (len == 8 ? ~0ull : (1ull << (8 * len)) - 1)),
		    addr >= MMIO_BASE && addr < MMIO_BASE + MMIO_SIZE ? "" : " unhandled");
}
