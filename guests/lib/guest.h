/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guests' tiny library, kvm-unit-tests style: console output,
 * report()/value() through the ucall port, port I/O and CPU helpers.
 * Built three times: -m16 (real mode), -m32, -m64.
 */
#ifndef GUESTS_LIB_GUEST_H
#define GUESTS_LIB_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "ports.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define noreturn __attribute__((noreturn))

/* console and results */
void putchar_(char c);
void puts_(const char *s);
int vsnprintf_(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf_(char *buf, size_t size, const char *fmt, ...) __attribute__((format(__printf__, 3, 4)));
void printf_(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
#define printf printf_
#define puts puts_
int report(int cond, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
void value(const char *name, u64 v);
void stat(const char *name, u64 v);
void done(void);
/* benchmark segments: counters snapshotted at begin, deltas printed at end */
void mark_begin(const char *name);
void mark_end(const char *name, u64 tsc_delta);
u64 guest_arg(unsigned int i, u64 dflt);	/* vmrun --arg i=value, or dflt */
noreturn void guest_abort(const char *name, u64 v);
noreturn void halt_forever(void);

/* freestanding string functions the compiler may call */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void hlt(void) { asm volatile("hlt" ::: "memory"); }

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static inline u32 read_eflags(void)
{
	unsigned long f;
	asm volatile("pushf; pop %0" : "=r"(f));
	return (u32)f;
}

/*
 * Exceptions (prot32/pae/long): idt_install() points vectors 0..31 at
 * handlers that record the vector and error code.  Before an instruction
 * that should fault, exc_expect(len) arms a one-shot skip of `len` bytes;
 * exc_expect_resume(ip) resumes at ip instead (for faults on a fetch);
 * exc_take() returns the vector seen (-1: none) and disarms.  An exception
 * while not armed reports an abort and halts.
 */
void idt_install(void);
void idt_set_gate(int vec, void (*fn)(void), int dpl);	/* vectors 0..255 */
void idt_load_empty(void);
void exc_expect(unsigned int insn_len);
void exc_expect_resume(uintptr_t ip);	/* resume at ip instead of skipping */
int exc_take(u32 *error_code);

/* ring 3 for 32-bit guests (lib/ring3.c) */
enum { RING3_READ, RING3_WRITE, RING3_FETCH };
void ring3_setup(void);
int ring3_access(int op, u32 va, u32 *err);

int main(void);

#endif
