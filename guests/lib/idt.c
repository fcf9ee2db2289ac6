// SPDX-License-Identifier: GPL-2.0
/* A tiny IDT for vectors 0..31 (32-bit and 64-bit guests). */
#include "guest.h"

#ifdef __x86_64__
struct frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vec, err, ip, cs, flags, sp, ss;
};
struct gate {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, zero;
};
#define CODE_SEL SEL_CODE64
#else
struct frame {
	u32 edi, esi, ebp, esp, ebx, edx, ecx, eax;
	u32 vec, err, ip, cs, flags;
};
struct gate {
	u16 off0, sel;
	u8 zero, type;
	u16 off1;
};
#define CODE_SEL SEL_CODE32
#endif

struct __attribute__((packed)) dtr {
	u16 limit;
	uintptr_t base;
};

extern const uintptr_t isr_table[32];
static struct gate idt[256];
static volatile int exc_vector = -1;
static volatile u32 exc_error, exc_skip;
static volatile uintptr_t exc_resume;

void exc_handler(struct frame *f);
void exc_handler(struct frame *f)
{
	if (!exc_skip && !exc_resume) {
		printf("unexpected exception %u error 0x%x at 0x%lx\n",
		       (u32)f->vec, (u32)f->err, (unsigned long)f->ip);
		guest_abort("unexpected-exception", f->vec);
	}
	exc_vector = f->vec;
	exc_error = f->err;
	if (exc_resume)
		f->ip = exc_resume;
	else
		f->ip += exc_skip;
	exc_skip = 0;
	exc_resume = 0;
}

void idt_set_gate(int vec, void (*fn)(void), int dpl)
{
	uintptr_t a = (uintptr_t)fn;

	memset(&idt[vec], 0, sizeof(idt[vec]));
	idt[vec].off0 = a & 0xffff;
	idt[vec].sel = CODE_SEL;
	idt[vec].type = 0x8e | dpl << 5;	/* present, interrupt gate */
	idt[vec].off1 = (a >> 16) & 0xffff;
#ifdef __x86_64__
	idt[vec].off2 = (u64)a >> 32;
#endif
}

void idt_install(void)
{
	for (int i = 0; i < 32; i++)
		idt_set_gate(i, (void (*)(void))isr_table[i], 0);
	struct dtr d = { sizeof(idt) - 1, (uintptr_t)idt };
	asm volatile("lidt %0" :: "m"(d) : "memory");
}

void idt_load_empty(void)
{
	struct dtr d = { 0, 0 };
	asm volatile("lidt %0" :: "m"(d) : "memory");
}

void exc_expect(unsigned int len)
{
	exc_vector = -1;
	exc_error = 0;
	exc_skip = len;
	exc_resume = 0;
	asm volatile("" ::: "memory");
}

void exc_expect_resume(uintptr_t ip)
{
	exc_vector = -1;
	exc_error = 0;
	exc_skip = 0;
	exc_resume = ip;
	asm volatile("" ::: "memory");
}

int exc_take(u32 *error_code)
{
	int v = exc_vector;

	asm volatile("" ::: "memory");
	if (error_code)
		*error_code = exc_error;
	exc_vector = -1;
	exc_skip = 0;
	exc_resume = 0;
	return v;
}
