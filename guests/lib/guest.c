// SPDX-License-Identifier: GPL-2.0
#include "guest.h"

void *memset(void *s, int c, size_t n)
{
	u8 *p = s;

	while (n--)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void putchar_(char c)
{
	outb(PORT_CONSOLE, (u8)c);
}

void puts_(const char *s)
{
	while (*s)
		putchar_(*s++);
}

struct buf {
	char *p;
	size_t left, len;
};

static void emit(struct buf *b, char c)
{
	if (b->left > 1) {
		*b->p++ = c;
		b->left--;
	}
	b->len++;
}

/* %d %u %x %c %s %p, with l/ll (hex only for 64 bits), width and '0' */
int vsnprintf_(char *out, size_t size, const char *fmt, va_list ap)
{
	struct buf b = { out, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(&b, *fmt);
			continue;
		}
		char pad = ' ', tmp[24];
		int width = 0, lng = 0, n = 0;
		u64 v;
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			emit(&b, (char)va_arg(ap, int));
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			for (int l = strlen(s); l < width; l++)
				emit(&b, ' ');
			while (*s)
				emit(&b, *s++);
			continue;
		}
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			emit(&b, '0');
			emit(&b, 'x');
			goto hex;
		case 'x':
			v = lng >= 2 ? va_arg(ap, u64) : lng ? va_arg(ap, unsigned long)
				: va_arg(ap, unsigned int);
hex:
			do {
				tmp[n++] = "0123456789abcdef"[v & 15];
				v >>= 4;
			} while (v);
			break;
		case 'd': {
			long x = lng ? va_arg(ap, long) : va_arg(ap, int);
			u32 u = x < 0 ? -(u32)x : (u32)x;
			do {
				tmp[n++] = '0' + u % 10;
				u /= 10;
			} while (u);
			if (x < 0)
				tmp[n++] = '-';
			break;
		}
		case 'u': {
			u32 u = lng ? (u32)va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			do {
				tmp[n++] = '0' + u % 10;
				u /= 10;
			} while (u);
			break;
		}
		default:
			emit(&b, '%');
			emit(&b, *fmt ? *fmt : '?');
			if (!*fmt)
				fmt--;
			continue;
		}
		for (int l = n; l < width; l++)
			emit(&b, pad);
		while (n)
			emit(&b, tmp[--n]);
	}
	if (size)
		*b.p = 0;
	return b.len;
}

void printf_(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf_(line, sizeof(line), fmt, ap);
	va_end(ap);
	puts_(line);
}

static struct vmrun_ucall uc;

static void ucall(u32 cmd, const char *name, u64 v)
{
	uc.cmd = cmd;
	uc.pad = 0;
	uc.value = v;
	memset(uc.name, 0, sizeof(uc.name));
	for (size_t i = 0; name && name[i] && i < sizeof(uc.name) - 1; i++)
		uc.name[i] = name[i];
	asm volatile("" ::: "memory");
	outl(PORT_UCALL, (u32)(uintptr_t)&uc);
}

int report(int cond, const char *fmt, ...)
{
	char name[UCALL_NAME_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf_(name, sizeof(name), fmt, ap);
	va_end(ap);
	ucall(cond ? UCALL_PASS : UCALL_FAIL, name, 0);
	return cond;
}

void value(const char *name, u64 v)
{
	ucall(UCALL_VALUE, name, v);
}

void stat(const char *name, u64 v)
{
	ucall(UCALL_STAT, name, v);
}

int snprintf_(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf_(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void mark_begin(const char *name)
{
	ucall(UCALL_MARK_BEGIN, name, 0);
}

void mark_end(const char *name, u64 tsc_delta)
{
	ucall(UCALL_MARK_END, name, tsc_delta);
}

u64 guest_arg(unsigned int i, u64 dflt)
{
	const volatile struct vmrun_args *a;

	/* hide the fixed address from the compiler's bounds checks */
	asm("" : "=r"(a) : "0"((uintptr_t)VMRUN_ARGS_ADDR));
	if (a->magic != VMRUN_ARGS_MAGIC || i >= VMRUN_NR_ARGS || !(a->set & 1u << i))
		return dflt;
	return a->arg[i];
}

void done(void)
{
	ucall(UCALL_DONE, "", 0);
}

void halt_forever(void)
{
	for (;;)
		hlt();
}

void guest_abort(const char *name, u64 v)
{
	ucall(UCALL_ABORT, name, v);
	halt_forever();
}

/* called by the start-up code when main() returns */
noreturn void guest_end(void);
void guest_end(void)
{
	done();
	halt_forever();
}
