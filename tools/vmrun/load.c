// SPDX-License-Identifier: GPL-2.0
/*
 * Guest image loader: a static ELF (32 or 64 bit, PT_LOAD segments placed
 * at their physical addresses) or a flat binary at a given address.
 * An ELF may carry its mode as the string in section ".vmrun.mode".
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmrun.h"

static const char *const mode_names[] = {
	[MODE_NONE] = "none", [MODE_REAL] = "real", [MODE_PROT32] = "prot32",
	[MODE_PAE] = "pae", [MODE_LONG] = "long",
};

enum vm_mode mode_from_name(const char *name)
{
	for (size_t i = MODE_REAL; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(name, mode_names[i]))
			return (enum vm_mode)i;
	return MODE_NONE;
}

const char *mode_name(enum vm_mode mode)
{
	return mode_names[mode];
}

static void place(struct vm *vm, uint64_t paddr, const uint8_t *src,
		  uint64_t filesz, uint64_t memsz)
{
	if (filesz > memsz || paddr > vm->mem_size || memsz > vm->mem_size - paddr)
		die("segment at 0x%llx (0x%llx bytes) does not fit in guest memory",
		    (unsigned long long)paddr, (unsigned long long)memsz);
	memcpy(vm->mem + paddr, src, filesz);
	memset(vm->mem + paddr + filesz, 0, memsz - filesz);
}

/* Generic over Elf32/Elf64: the caller passes the right types. */
#define LOAD_ELF(EHDR, PHDR, SHDR)						\
static int load_##EHDR(struct vm *vm, const uint8_t *img, size_t size,	\
		       enum vm_mode *mode)					\
{									\
	const EHDR *eh = (const EHDR *)img;				\
									\
	if (eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(PHDR) > size)	\
		die("truncated ELF program headers");			\
	for (unsigned int i = 0; i < eh->e_phnum; i++) {		\
		const PHDR *ph = (const PHDR *)(img + eh->e_phoff) + i;	\
		if (ph->p_type != PT_LOAD || !ph->p_memsz)		\
			continue;					\
		if (ph->p_offset + (uint64_t)ph->p_filesz > size)	\
			die("truncated ELF segment");			\
		place(vm, ph->p_paddr, img + ph->p_offset, ph->p_filesz, ph->p_memsz); \
	}								\
	vm->entry = eh->e_entry;					\
	if (!eh->e_shoff || eh->e_shstrndx == SHN_UNDEF ||		\
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(SHDR) > size)	\
		return 0;						\
	const SHDR *sh = (const SHDR *)(img + eh->e_shoff);		\
	const SHDR *strs = &sh[eh->e_shstrndx];			\
	for (unsigned int i = 0; i < eh->e_shnum; i++) {		\
		uint64_t n = strs->sh_offset + (uint64_t)sh[i].sh_name;	\
		if (n + 12 > size || memcmp(img + n, ".vmrun.mode", 12))	\
			continue;					\
		char name[16] = "";					\
		if (sh[i].sh_offset + (uint64_t)sh[i].sh_size > size)	\
			die("truncated .vmrun.mode");			\
		memcpy(name, img + sh[i].sh_offset,			\
		       sh[i].sh_size < 15 ? sh[i].sh_size : 15);	\
		*mode = mode_from_name(name);				\
		if (*mode == MODE_NONE)					\
			die("unknown mode '%s' in .vmrun.mode", name);	\
	}								\
	return 0;							\
}

LOAD_ELF(Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr)
LOAD_ELF(Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr)

int load_image(struct vm *vm, const char *path, uint64_t load_addr,
	       enum vm_mode *elf_mode)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s: cannot open", path);
	uint8_t *img = malloc(st.st_size + 1);
	if (!img || read(fd, img, st.st_size) != st.st_size)
		die("%s: cannot read", path);
	close(fd);

	*elf_mode = MODE_NONE;
	if (st.st_size >= (off_t)sizeof(Elf32_Ehdr) && !memcmp(img, ELFMAG, SELFMAG)) {
		if (img[EI_CLASS] == ELFCLASS32 &&
		    ((Elf32_Ehdr *)img)->e_machine == EM_386)
			load_Elf32_Ehdr(vm, img, st.st_size, elf_mode);
		else if (img[EI_CLASS] == ELFCLASS64 &&
			 st.st_size >= (off_t)sizeof(Elf64_Ehdr) &&
			 ((Elf64_Ehdr *)img)->e_machine == EM_X86_64)
			load_Elf64_Ehdr(vm, img, st.st_size, elf_mode);
		else
			die("%s: not an x86 ELF", path);
	} else {
		place(vm, load_addr, img, st.st_size, st.st_size);
		vm->entry = load_addr;
	}
	free(img);
	return 0;
}
