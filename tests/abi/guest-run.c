// SPDX-License-Identifier: GPL-2.0
/*
 * guest-run: register state (reset values, KVM_GET/SET_REGS and
 * KVM_GET/SET_SREGS round trips) and real-mode guests exiting with
 * KVM_EXIT_IO (out and in, 8/16/32 bits, port in dx, string IO),
 * KVM_EXIT_MMIO (write and read) and KVM_EXIT_HLT.  Expectations are the
 * in-tree KVM's (Linux 6.1, kvm-amd).
 */
#include "abi.h"

static void test_reset_state(void)
{
	int sys = open_dev(), vm, vcpu;
	struct kvm_regs r;
	struct kvm_sregs s;

	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("reset-state", "KVM_CREATE_VM");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("reset-state", "KVM_CREATE_VCPU");
	if (ioctl(vcpu, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		die("reset-state", "KVM_GET_REGS/KVM_GET_SREGS");
	check_eq("reset-rip-0xfff0", r.rip, 0xfff0);
	check_eq("reset-rflags-0x2", r.rflags, 0x2);
	check_eq("reset-cs-selector-0xf000", s.cs.selector, 0xf000);
	check_eq("reset-cs-base-0xffff0000", s.cs.base, 0xffff0000);
	check_eq("reset-cs-limit-0xffff", s.cs.limit, 0xffff);
	check_eq("reset-ds-base-0", s.ds.base, 0);
	check_eq("reset-cr0-0x60000010", s.cr0, 0x60000010);
	check_eq("reset-cr4-0", s.cr4, 0);
	check_eq("reset-efer-0", s.efer, 0);
	check_eq("reset-gdt-limit-0xffff", s.gdt.limit, 0xffff);
	check_eq("reset-idt-limit-0xffff", s.idt.limit, 0xffff);
	close(vcpu);
	close(vm);
	close(sys);
}

static void test_regs_roundtrip(int vcpu)
{
	struct kvm_regs in, out;
	uint64_t *p = (uint64_t *)&in;
	size_t i, n = sizeof(in) / sizeof(uint64_t);

	for (i = 0; i < n; i++)
		p[i] = 0x0101010101010101ULL * (i + 1) + 0x1000 * i;
	in.rflags = 0x2 | 0x1 | 0x4 | 0x40 | 0x80 | 0x800; /* CF PF ZF SF OF */
	in.rip = 0x1234;
	if (!check_errno("set-regs", ioctl(vcpu, KVM_SET_REGS, &in), errno, 0))
		return;
	memset(&out, 0xcc, sizeof(out));
	if (!check_errno("get-regs", ioctl(vcpu, KVM_GET_REGS, &out), errno, 0))
		return;
#define R(f) check_eq("regs-roundtrip-" #f, out.f, in.f)
	R(rax); R(rbx); R(rcx); R(rdx); R(rsi); R(rdi); R(rsp); R(rbp);
	R(r8); R(r9); R(r10); R(r11); R(r12); R(r13); R(r14); R(r15);
	R(rip); R(rflags);
#undef R
}

static void seg(struct kvm_segment *s, uint16_t sel)
{
	s->selector = sel;
	s->base = (uint64_t)sel << 4;
	s->limit = 0xffff;
}

static void test_sregs_roundtrip(int vcpu)
{
	struct kvm_sregs in, out;

	if (ioctl(vcpu, KVM_GET_SREGS, &in) < 0)
		die("sregs", "KVM_GET_SREGS");
	seg(&in.cs, 0x0200);
	seg(&in.ds, 0x0300);
	seg(&in.es, 0x0400);
	seg(&in.fs, 0x0500);
	seg(&in.gs, 0x0600);
	seg(&in.ss, 0x0700);
	in.gdt.base = 0x5000;
	in.gdt.limit = 0x7f;
	in.idt.base = 0x6000;
	in.idt.limit = 0x3ff;
	in.cr2 = 0xdead000;
	in.cr3 = 0x9000;
	if (!check_errno("set-sregs", ioctl(vcpu, KVM_SET_SREGS, &in), errno,
			 0))
		return;
	memset(&out, 0xcc, sizeof(out));
	if (!check_errno("get-sregs", ioctl(vcpu, KVM_GET_SREGS, &out), errno,
			 0))
		return;
#define S(f) check_eq("sregs-roundtrip-" #f, out.f, in.f)
	S(cs.selector); S(cs.base); S(cs.limit); S(cs.type); S(cs.present);
	S(ds.selector); S(ds.base); S(ds.limit); S(ds.type);
	S(es.selector); S(es.base);
	S(fs.selector); S(fs.base);
	S(gs.selector); S(gs.base);
	S(ss.selector); S(ss.base); S(ss.limit);
	S(gdt.base); S(gdt.limit); S(idt.base); S(idt.limit);
	S(cr0); S(cr2); S(cr3); S(cr4); S(efer);
#undef S
}

static size_t run_size;	/* KVM_GET_VCPU_MMAP_SIZE */

static uint64_t io_data(struct kvm_run *run, unsigned int i)
{
	uint64_t v = 0;

	memcpy(&v, (uint8_t *)run + run->io.data_offset + i * run->io.size,
	       run->io.size);
	return v;
}

static void check_io(const char *name, int ret, struct kvm_run *run,
		     int dir, int size, int port, int count)
{
	char n[128];

	snprintf(n, sizeof(n), "%s-exit-io", name);
	if (!check_exit(n, ret, errno, run, KVM_EXIT_IO))
		return;
	snprintf(n, sizeof(n), "%s-direction", name);
	check_eq(n, run->io.direction, dir);
	snprintf(n, sizeof(n), "%s-size", name);
	check_eq(n, run->io.size, size);
	snprintf(n, sizeof(n), "%s-port", name);
	check_eq(n, run->io.port, port);
	snprintf(n, sizeof(n), "%s-count", name);
	check_eq(n, run->io.count, count);
	snprintf(n, sizeof(n), "%s-data-offset-inside-mapping", name);
	check_true(n, run->io.data_offset >= 32 &&
		   run->io.data_offset + (uint64_t)size * count <= run_size,
		   "inside the vCPU mapping", "%llu (mapping %zu)",
		   (unsigned long long)run->io.data_offset, run_size);
}

static int run_vcpu(struct vm *vm)
{
	errno = 0;
	return ioctl(vm->vcpu, KVM_RUN, 0);
}

/*
 * Run a string-IO guest to its hlt.  Every exit must be KVM_EXIT_IO of
 * size 1 at `port` in direction `dir`; "counts" is the list of io.count
 * values the in-tree KVM gives, one per exit.  OUT bytes are collected in
 * string_io_buf; IN exits are answered with "xyz..." in order.
 */
static char string_io_buf[64];

static void string_io(struct vm *vm, const char *name, int dir, int port,
		      const char *counts)
{
	char n[128], got[128] = "", why[128] = "";
	const char *fill = "xyz";
	size_t total = 0;
	int i, ret;

	memset(string_io_buf, 0, sizeof(string_io_buf));
	for (i = 0; i < 10; i++) {
		struct kvm_run *run = vm->run;

		ret = run_vcpu(vm);
		if (ret < 0) {
			snprintf(why, sizeof(why), "KVM_RUN -1/%s",
				 strerrorname_np(errno));
			break;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.direction != dir || run->io.port != port ||
		    run->io.size != 1 || run->io.count == 0 ||
		    total + run->io.count >= sizeof(string_io_buf)) {
			snprintf(why, sizeof(why),
				 "exit %s dir %u port %#x size %u count %u",
				 exit_name(run->exit_reason), run->io.direction,
				 run->io.port, run->io.size, run->io.count);
			break;
		}
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u",
			 i ? "," : "", run->io.count);
		for (unsigned int j = 0; j < run->io.count; j++, total++) {
			uint8_t *d = (uint8_t *)run + run->io.data_offset + j;

			if (dir == KVM_EXIT_IO_OUT)
				string_io_buf[total] = *d;
			else
				*d = fill[total % 3];
		}
	}
	snprintf(n, sizeof(n), "%s-exits-then-hlt", name);
	check_true(n, !why[0] && i < 10, "KVM_EXIT_IO exits then KVM_EXIT_HLT",
		   "%s", why[0] ? why : "no hlt after 10 exits");
	snprintf(n, sizeof(n), "%s-io-counts-per-exit", name);
	check_true(n, !strcmp(got, counts), counts, "%s", got);
}

/* The brief's guest: at cs:ip = 0x0200:0x0100 (linear 0x2100). */
static void test_out_hlt(struct vm *vm)
{
	static const uint8_t code[] = {
		0xb8, 0x34, 0x12,	/* mov $0x1234,%ax */
		0xe7, 0x10,		/* out %ax,$0x10 */
		0xf4,			/* hlt */
	};
	struct kvm_sregs s;
	struct kvm_regs r;
	int ret;

	memcpy(vm->mem + 0x2100, code, sizeof(code));
	ioctl(vm->vcpu, KVM_GET_SREGS, &s);
	seg(&s.cs, 0x0200);
	seg(&s.ds, 0);
	seg(&s.ss, 0);
	ioctl(vm->vcpu, KVM_SET_SREGS, &s);
	memset(&r, 0, sizeof(r));
	r.rip = 0x0100;
	r.rflags = 2;
	r.rsp = 0x8000;
	ioctl(vm->vcpu, KVM_SET_REGS, &r);

	ret = run_vcpu(vm);
	check_io("out16-port-0x10", ret, vm->run, KVM_EXIT_IO_OUT, 2, 0x10, 1);
	if (vm->run->exit_reason == KVM_EXIT_IO)
		check_eq("out16-port-0x10-data", io_data(vm->run, 0), 0x1234);
	ret = run_vcpu(vm);
	check_exit("out16-then-hlt", ret, errno, vm->run, KVM_EXIT_HLT);
	ioctl(vm->vcpu, KVM_GET_REGS, &r);
	check_eq("rip-after-hlt", r.rip, 0x0106);
	check_eq("rax-after-guest", r.rax & 0xffff, 0x1234);
}

static void load(struct vm *vm, const uint8_t *code, size_t len)
{
	memcpy(vm->mem + GUEST_CODE, code, len);
	setup_real_mode(vm->vcpu, GUEST_CODE);
}

static void test_io_variants(struct vm *vm)
{
	static const uint8_t in_out[] = {
		0xe4, 0x11,		/* in $0x11,%al */
		0xe6, 0x12,		/* out %al,$0x12 */
		0xf4,
	};
	static const uint8_t dx_port[] = {
		0xba, 0xf8, 0x03,	/* mov $0x3f8,%dx */
		0xb0, 0x41,		/* mov $0x41,%al */
		0xee,			/* out %al,(%dx) */
		0xf4,
	};
	static const uint8_t out32[] = {
		0x66, 0xb8, 0x78, 0x56, 0x34, 0x12,	/* mov $0x12345678,%eax */
		0x66, 0xe7, 0x10,			/* out %eax,$0x10 */
		0xf4,
	};
	static const uint8_t outsb[] = {
		0xb9, 0x03, 0x00,	/* mov $3,%cx */
		0xbe, 0x00, 0x30,	/* mov $0x3000,%si */
		0xba, 0x80, 0x00,	/* mov $0x80,%dx */
		0xfc,			/* cld */
		0xf3, 0x6e,		/* rep outsb */
		0xf4,
	};
	static const uint8_t insb[] = {
		0xb9, 0x03, 0x00,	/* mov $3,%cx */
		0xbf, 0x00, 0x31,	/* mov $0x3100,%di */
		0xba, 0x81, 0x00,	/* mov $0x81,%dx */
		0xfc,			/* cld */
		0xf3, 0x6c,		/* rep insb */
		0xf4,
	};
	int ret;

	load(vm, in_out, sizeof(in_out));
	ret = run_vcpu(vm);
	check_io("in8-port-0x11", ret, vm->run, KVM_EXIT_IO_IN, 1, 0x11, 1);
	if (vm->run->exit_reason == KVM_EXIT_IO)
		((uint8_t *)vm->run)[vm->run->io.data_offset] = 0x5a;
	ret = run_vcpu(vm);
	check_io("out8-of-value-read", ret, vm->run, KVM_EXIT_IO_OUT, 1, 0x12,
		 1);
	if (vm->run->exit_reason == KVM_EXIT_IO)
		check_eq("in8-value-reaches-guest", io_data(vm->run, 0), 0x5a);
	ret = run_vcpu(vm);
	check_exit("in-out-then-hlt", ret, errno, vm->run, KVM_EXIT_HLT);

	load(vm, dx_port, sizeof(dx_port));
	ret = run_vcpu(vm);
	check_io("out8-port-dx-0x3f8", ret, vm->run, KVM_EXIT_IO_OUT, 1, 0x3f8,
		 1);
	if (vm->run->exit_reason == KVM_EXIT_IO)
		check_eq("out8-port-dx-0x3f8-data", io_data(vm->run, 0), 0x41);
	ret = run_vcpu(vm);
	check_exit("out8-dx-then-hlt", ret, errno, vm->run, KVM_EXIT_HLT);

	load(vm, out32, sizeof(out32));
	ret = run_vcpu(vm);
	check_io("out32-port-0x10", ret, vm->run, KVM_EXIT_IO_OUT, 4, 0x10, 1);
	if (vm->run->exit_reason == KVM_EXIT_IO)
		check_eq("out32-port-0x10-data", io_data(vm->run, 0),
			 0x12345678);
	ret = run_vcpu(vm);
	check_exit("out32-then-hlt", ret, errno, vm->run, KVM_EXIT_HLT);

	memcpy(vm->mem + 0x3000, "abc", 3);
	load(vm, outsb, sizeof(outsb));
	/*
	 * The in-tree KVM emulates a string OUT one element per exit;
	 * kvmlab hands userspace up to a page of elements at once (fewer
	 * exits, as the ABI allows for OUT): each driver's pattern exactly.
	 */
	string_io(vm, "rep-outsb-3", KVM_EXIT_IO_OUT, 0x80,
		  strstr(abi_dev, "kvmlab") ? "3" : "1,1,1");
	check_true("rep-outsb-3-data", !strcmp(string_io_buf, "abc"), "abc",
		   "%s", string_io_buf);
	{
		struct kvm_regs r;

		ioctl(vm->vcpu, KVM_GET_REGS, &r);
		check_eq("rep-outsb-cx-0", r.rcx & 0xffff, 0);
		check_eq("rep-outsb-si-advanced", r.rsi & 0xffff, 0x3003);
	}

	memset(vm->mem + 0x3100, 0, 4);
	load(vm, insb, sizeof(insb));
	string_io(vm, "rep-insb-3", KVM_EXIT_IO_IN, 0x81, "3");
	check_true("rep-insb-3-data-in-guest-memory",
		   !memcmp(vm->mem + 0x3100, "xyz", 4), "xyz", "%.3s",
		   (char *)vm->mem + 0x3100);
	{
		struct kvm_regs r;

		ioctl(vm->vcpu, KVM_GET_REGS, &r);
		check_eq("rep-insb-cx-0", r.rcx & 0xffff, 0);
		check_eq("rep-insb-di-advanced", r.rdi & 0xffff, 0x3103);
	}
}

/* MMIO: ds = 0x1000, so ds:0 is gpa 0x10000, just past the slot. */
static void test_mmio(struct vm *vm)
{
	static const uint8_t wr[] = {
		0xb0, 0xab,		/* mov $0xab,%al */
		0xa2, 0x08, 0x00,	/* mov %al,ds:0x8 */
		0xf4,
	};
	static const uint8_t rd[] = {
		0xa1, 0x10, 0x00,	/* mov ds:0x10,%ax */
		0xe7, 0x10,		/* out %ax,$0x10 */
		0xf4,
	};
	struct kvm_sregs s;
	int ret;

	load(vm, wr, sizeof(wr));
	ioctl(vm->vcpu, KVM_GET_SREGS, &s);
	seg(&s.ds, 0x1000);
	ioctl(vm->vcpu, KVM_SET_SREGS, &s);
	ret = run_vcpu(vm);
	if (check_exit("mmio-write-exit-mmio", ret, errno, vm->run,
		       KVM_EXIT_MMIO)) {
		check_eq("mmio-write-phys-addr", vm->run->mmio.phys_addr,
			 0x10008);
		check_eq("mmio-write-len", vm->run->mmio.len, 1);
		check_eq("mmio-write-is-write", vm->run->mmio.is_write, 1);
		check_eq("mmio-write-data", vm->run->mmio.data[0], 0xab);
	}
	ret = run_vcpu(vm);
	check_exit("mmio-write-then-hlt", ret, errno, vm->run, KVM_EXIT_HLT);

	load(vm, rd, sizeof(rd));
	ioctl(vm->vcpu, KVM_SET_SREGS, &s);
	ret = run_vcpu(vm);
	if (check_exit("mmio-read-exit-mmio", ret, errno, vm->run,
		       KVM_EXIT_MMIO)) {
		check_eq("mmio-read-phys-addr", vm->run->mmio.phys_addr,
			 0x10010);
		check_eq("mmio-read-len", vm->run->mmio.len, 2);
		check_eq("mmio-read-is-write", vm->run->mmio.is_write, 0);
		vm->run->mmio.data[0] = 0x22;
		vm->run->mmio.data[1] = 0x11;
	}
	ret = run_vcpu(vm);
	check_io("mmio-read-value-out", ret, vm->run, KVM_EXIT_IO_OUT, 2, 0x10,
		 1);
	if (vm->run->exit_reason == KVM_EXIT_IO)
		check_eq("mmio-read-value-reaches-guest", io_data(vm->run, 0),
			 0x1122);
	ret = run_vcpu(vm);
	check_exit("mmio-read-then-hlt", ret, errno, vm->run, KVM_EXIT_HLT);
}

#define GROUP(name, ...)						\
	static void group_##name(void)					\
	{								\
		struct vm vm;						\
									\
		vm_create(&vm, #name, code_hlt, sizeof(code_hlt));	\
		run_size = vm.run_size;					\
		__VA_ARGS__;						\
		vm_destroy(&vm);					\
	}

GROUP(regs, test_regs_roundtrip(vm.vcpu); test_sregs_roundtrip(vm.vcpu))
GROUP(out_hlt, test_out_hlt(&vm))
GROUP(io, test_io_variants(&vm))
GROUP(mmio, test_mmio(&vm))

int main(int argc, char **argv)
{
	abi_parse_args(argc, argv);
	run_isolated("reset-state", test_reset_state, 60);
	run_isolated("regs", group_regs, 60);
	run_isolated("out-hlt", group_out_hlt, 60);
	run_isolated("io", group_io, 60);
	run_isolated("mmio", group_mmio, 60);
	return abi_finish();
}
