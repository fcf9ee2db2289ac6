// SPDX-License-Identifier: GPL-2.0
/* Every PIO size, in and out, against the PIO test device. */
#include "guest.h"

int main(void)
{
	outb(PORT_PIODEV_ECHO, 0x5a);
	report(inb(PORT_PIODEV_ECHO) == 0x5a, "echo-out8-in8");
	outw(PORT_PIODEV_ECHO, 0xbeef);
	report(inw(PORT_PIODEV_ECHO) == 0xbeef, "echo-out16-in16");
	report(inb(PORT_PIODEV_ECHO) == 0xef, "echo-out16-in8");
	outl(PORT_PIODEV_ECHO, 0xdeadbeef);
	report(inl(PORT_PIODEV_ECHO) == 0xdeadbeef, "echo-out32-in32");
	report(inw(PORT_PIODEV_ECHO) == 0xbeef, "echo-out32-in16");
	outb(PORT_PIODEV_ECHO, 0x01);
	report(inl(PORT_PIODEV_ECHO) == 0x01, "echo-out8-in32");

	/* DX-form ports as well as immediate ones */
	u16 port = PORT_PIODEV_ECHO;
	u32 v;
	asm volatile("outl %0, %%dx; inl %%dx, %0" : "=a"(v) : "a"(0x13572468), "d"(port));
	report(v == 0x13572468, "echo-dx-port");

	outl(PORT_PIODEV_SEQ, 0x1fe);
	u8 s0 = inb(PORT_PIODEV_SEQ);
	u16 s1 = inw(PORT_PIODEV_SEQ);
	u32 s2 = inl(PORT_PIODEV_SEQ);
	value("seq8", s0);
	value("seq16", s1);
	value("seq32", s2);
	report(s0 == 0xfe && s1 == 0x1ff && s2 == 0x200, "seq-sizes");

	u32 sum = 0;
	outb(PORT_PIODEV_COUNT, 0);
	outb(PORT_PIODEV_SINK, 0x81);
	sum = PIODEV_FOLD(sum, 0x81, 1);
	outw(PORT_PIODEV_SINK, 0x8281);
	sum = PIODEV_FOLD(sum, 0x8281, 2);
	outl(PORT_PIODEV_SINK, 0x84838281);
	sum = PIODEV_FOLD(sum, 0x84838281, 4);
	value("sink-sum", inl(PORT_PIODEV_SINK));
	report(inl(PORT_PIODEV_SINK) == sum, "sink-sum");
	report(inl(PORT_PIODEV_COUNT) == 3, "sink-count");
	report(inb(0xf9) == 0xff && inw(0xf9) == 0xffff && inl(0xfd) == 0xffffffff,
	       "unused-ports-all-ones");
	return 0;
}
