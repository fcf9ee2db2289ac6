/* SPDX-License-Identifier: GPL-2.0 */
/*
 * emu_compat.h - the only environment the x86 emulator core sees.
 *
 * In the kernel it maps onto <linux/types.h> and <linux/string.h>; in
 * userspace (unit tests, the differential test against the real CPU, the
 * fuzz target) onto <stdint.h> and <string.h>.  emulate.c includes nothing
 * else, so the same object code logic is tested in both worlds.
 */
#ifndef KVMLAB_EMU_COMPAT_H
#define KVMLAB_EMU_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/stddef.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif /* __KERNEL__ */

#endif /* KVMLAB_EMU_COMPAT_H */
