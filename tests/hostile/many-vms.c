// SPDX-License-Identifier: GPL-2.0
/*
 * many-vms: 100 VMs at once, each with one vCPU, all created before any
 * runs, then all run at the same time (one thread each): each guest
 * reads its number from its own memory, OUTs it on port 0x10 and halts.
 * Every VM must report its own number (no cross-talk) and halt.  On
 * kvmlab, the module's accounting must show exactly 100 VMs and vCPUs
 * while they exist.
 */
#include "../abi/abi.h"

#include <pthread.h>

#define NVMS 100

static struct vm vms[NVMS];
static int outcome[NVMS];	/* 0 = ok, else a bit per failure */
static unsigned int seen[NVMS];

/* mov ax, [0]; out 0x10, ax; hlt */
static const uint8_t code[] = { 0xa1, 0x00, 0x00, 0xe7, 0x10, 0xf4 };

static void *run(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct kvm_run *r = vms[i].run;

	if (ioctl(vms[i].vcpu, KVM_RUN, 0) < 0 || r->exit_reason != KVM_EXIT_IO ||
	    r->io.port != 0x10 || r->io.size != 2) {
		outcome[i] |= 1;
		return NULL;
	}
	seen[i] = *(uint16_t *)((uint8_t *)r + r->io.data_offset);
	if (ioctl(vms[i].vcpu, KVM_RUN, 0) < 0 || r->exit_reason != KVM_EXIT_HLT)
		outcome[i] |= 2;
	return NULL;
}

static long live_count(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/kvmlab/accounting", "r");
	char n[64];
	long v, found = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", n, &v) == 2)
		if (!strcmp(n, name))
			found = v;
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	pthread_t t[NVMS];
	int i, bad = 0;

	abi_parse_args(argc, argv);
	for (i = 0; i < NVMS; i++) {
		vm_create(&vms[i], "many-vms-create", code, sizeof(code));
		*(uint16_t *)vms[i].mem = 0x100 + i;
	}
	pass("many-vms-create-100");
	if (strstr(abi_dev, "kvmlab")) {
		check_eq("many-vms-accounting-vms", live_count("vms"), NVMS);
		check_eq("many-vms-accounting-vcpus", live_count("vcpus"), NVMS);
	}
	for (i = 0; i < NVMS; i++)
		if (pthread_create(&t[i], NULL, run, (void *)(intptr_t)i))
			die("many-vms-run", "pthread_create");
	for (i = 0; i < NVMS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NVMS; i++) {
		if (outcome[i] || seen[i] != 0x100u + i) {
			if (!bad++)
				fail("many-vms-run", "expected VM %d to OUT 0x%x and halt got 0x%x, flags %d",
				     i, 0x100 + i, seen[i], outcome[i]);
		}
	}
	if (!bad)
		pass("many-vms-run-100-at-once");
	for (i = 0; i < NVMS; i++)
		vm_destroy(&vms[i]);
	return abi_finish();
}
