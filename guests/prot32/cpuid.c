// SPDX-License-Identifier: GPL-2.0
/* CPUID leaf 0 and vmrun's own leaves (set through KVM_SET_CPUID2). */
#include "guest.h"

int main(void)
{
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	value("leaf0-eax", a);
	value("leaf0-ebx", b);
	value("leaf0-ecx", c);
	value("leaf0-edx", d);
	report(a == VMRUN_CPUID_MAX_BASIC, "leaf0-max-basic");

	cpuid(VMRUN_CPUID_BASE, 0, &a, &b, &c, &d);
	value("leaf40000000-eax", a);
	char sig[13];
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	printf("hypervisor signature '%s'\n", sig);
	report(a == VMRUN_CPUID_TEST && !memcmp(sig, "kvmlabvmrun ", 12), "leaf40000000");

	cpuid(VMRUN_CPUID_TEST, 0, &a, &b, &c, &d);
	value("leaf40000001-eax", a);
	value("leaf40000001-ebx", b);
	value("leaf40000001-ecx", c);
	value("leaf40000001-edx", d);
	report(a == VMRUN_CPUID_TEST_EAX && b == VMRUN_CPUID_TEST_EBX &&
	       c == VMRUN_CPUID_TEST_ECX && d == VMRUN_CPUID_TEST_EDX, "leaf40000001");

	cpuid(1, 0, &a, &b, &c, &d);
	report(d & (1u << 0), "leaf1-fpu");	/* FPU is always there */
	return 0;
}
