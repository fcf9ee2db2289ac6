// SPDX-License-Identifier: GPL-2.0
/* kvm_stat: the counter table, the field regex, groups and small helpers. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm_stat.h"

struct ks_table ks;

int ks_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

const char *const ks_group_names[GRP_NR] = {
	[GRP_EXITS] = "exits and userspace round trips",
	[GRP_MMU] = "MMU: faults, shadow pages, CR3 switches",
	[GRP_EMUL] = "emulator",
	[GRP_OTHER] = "other",
};

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kvm_stat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvm_stat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(kvm_stat -h for help)\n");
	exit(2);
}

/*
 * Groups by name, for both sources: the in-tree debugfs names (pf_fixed,
 * mmu_shadow_zapped, insn_emulation), the kvm/kvmmmu events and the
 * kvmlab events (kvmlab_shadow_fault, kvmlab_sp_*, kvmlab_cr3_switch,
 * kvmlab_emulate).  A child is in its parent's group.
 */
static const struct {
	int group;
	const char *re;
} group_res[] = {
	{ GRP_EMUL, "emulat|insn_ud" },
	{ GRP_MMU, "^(pf_|mmu_|max_mmu|pages_|nx_lpage|remote_tlb|tlb_flush|"
		   "invlpg|npf_exits|kvm_page_fault|kvm_mmu|kvm_invlpga|"
		   "fast_page_fault|handle_mmio|mark_mmio|check_mmio|"
		   "kvm_tdp|kvmlab_(shadow|sp_|cr3|mmu|npt|pte|tlb|walk))" },
	{ GRP_EXITS, "exit|entry|hypercall|halt|kvm_pio|kvm_mmio|kvm_msr|"
		     "kvm_cr$|kvm_cpuid|kvm_inj|kvmlab_(pio|mmio|msr|cr|inj)" },
};

int ks_group_of(const char *name)
{
	static regex_t re[sizeof(group_res) / sizeof(group_res[0])];
	static bool compiled;
	size_t i;

	if (!compiled) {
		for (i = 0; i < sizeof(re) / sizeof(re[0]); i++)
			if (regcomp(&re[i], group_res[i].re,
				    REG_EXTENDED | REG_NOSUB))
				die("internal: bad group regex %s",
				    group_res[i].re);
		compiled = true;
	}
	for (i = 0; i < sizeof(re) / sizeof(re[0]); i++)
		if (!regexec(&re[i], name, 0, NULL, 0))
			return group_res[i].group;
	return GRP_OTHER;
}

int ks_add(const char *name, int parent, int src)
{
	struct ks_stat *s;

	if (ks.n == ks.cap) {
		ks.cap = ks.cap ? 2 * ks.cap : 256;
		ks.v = realloc(ks.v, ks.cap * sizeof(*ks.v));
		if (!ks.v)
			die("out of memory");
	}
	s = &ks.v[ks.n];
	memset(s, 0, sizeof(*s));
	ks_fmt(s->name, sizeof(s->name), "%s", name);
	for (char *c = s->name; *c; c++)	/* one word in logs */
		if (isspace((unsigned char)*c))
			*c = '_';
	s->parent = parent;
	s->src = src;
	s->group = parent >= 0 ? ks.v[parent].group : ks_group_of(name);
	s->selected = true;
	s->ev = s->drv = s->field = -1;
	return ks.n++;
}

/*
 * The field regex, as upstream: anchored at the start of the name, not at
 * its end ("kvm_exit" selects kvm_exit and all its children).  A child
 * that matches pulls in its parent.  Returns the number of selected
 * stats, or -1 with a message in err.
 */
int ks_set_filter(const char *regex, char *err, size_t errlen)
{
	regex_t re;
	char *anch;
	int i, rc, n = 0;

	for (i = 0; i < ks.n; i++)
		ks.v[i].selected = !regex && ks.v[i].on;
	if (!regex)
		return ks_selected_count();
	if (asprintf(&anch, "^(%s)", regex) < 0)
		die("out of memory");
	rc = regcomp(&re, anch, REG_EXTENDED | REG_NOSUB);
	free(anch);
	if (rc) {
		char msg[128];

		regerror(rc, &re, msg, sizeof(msg));
		ks_fmt(err, errlen, "'%s' is not a valid regular expression: %s",
			 regex, msg);
		return -1;
	}
	for (i = 0; i < ks.n; i++) {
		struct ks_stat *s = &ks.v[i];

		if (!s->on || regexec(&re, s->name, 0, NULL, 0))
			continue;
		s->selected = true;
		if (s->parent >= 0)
			ks.v[s->parent].selected = true;
	}
	regfree(&re);
	for (i = 0; i < ks.n; i++)
		n += ks.v[i].selected;
	if (!n)
		ks_fmt(err, errlen,
			 "no field matches '%s' (kvm_stat -1 lists the fields)",
			 regex);
	return n ? n : -1;
}

int ks_selected_count(void)
{
	int i, n = 0;

	for (i = 0; i < ks.n; i++)
		n += ks.v[i].selected;
	return n;
}

void ks_sample(void)
{
	if (opt.tracepoints)
		tp_read();
	if (opt.debugfs)
		dbg_read();
	if (opt.stats)
		sfd_read();
}

void ks_reset(void)
{
	int i;

	ks_sample();
	for (i = 0; i < ks.n; i++)
		ks.v[i].base = ks.v[i].prev = ks.v[i].cur;
	dbg_reset();
}

void ks_roll(void)
{
	int i;

	for (i = 0; i < ks.n; i++)
		ks.v[i].prev = ks.v[i].cur;
}

uint64_t ks_total(const struct ks_stat *s)
{
	return s->cur - s->base;
}

uint64_t ks_delta(const struct ks_stat *s)
{
	return s->cur - s->prev;
}

/* Where a filesystem is mounted (first match in /proc/mounts); the env
 * variable overrides it (tests point it at a fake tree). */
const char *fs_mount(const char *type, const char *env, const char *dflt)
{
	static char paths[2][256];
	static int slot;
	char dev[256], dir[256], fstype[64];
	const char *e = getenv(env);
	char *found = NULL;
	FILE *f;

	(void)dflt;
	if (e && *e)
		return e;
	f = fopen("/proc/mounts", "r");
	if (!f)
		return NULL;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, fstype) == 3) {
		if (strcmp(fstype, type))
			continue;
		/* prefer the canonical place if mounted several times */
		if (!found || !strcmp(dir, dflt)) {
			found = paths[slot];
			ks_fmt(found, sizeof(paths[0]), "%s", dir);
		}
	}
	fclose(f);
	slot ^= 1;
	return found;
}

void proc_name(int pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	ks_fmt(path, sizeof(path), "/proc/%d/comm", pid);
	buf[0] = 0;
	f = fopen(path, "r");
	if (!f) {
		ks_fmt(buf, len, "?");
		return;
	}
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* Does the command line name the guest: QEMU's "-name NAME" or
 * "-name guest=NAME,...", or the process name itself. */
static bool names_guest(int pid, const char *name)
{
	char path[64], buf[4096], comm[64];
	size_t n, i, nl = strlen(name);
	bool after_name = false;
	FILE *f;

	proc_name(pid, comm, sizeof(comm));
	if (!strcmp(comm, name))
		return true;
	ks_fmt(path, sizeof(path), "/proc/%d/cmdline", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (i = 0; i < n; i += strlen(buf + i) + 1) {
		const char *a = buf + i;

		if (after_name) {
			if (!strncmp(a, "guest=", 6))
				a += 6;
			if (!strncmp(a, name, nl) && (!a[nl] || a[nl] == ','))
				return true;
		}
		after_name = !strcmp(a, "-name") || !strcmp(a, "--name");
	}
	return false;
}

/* The pid of the one process that runs guest 'name' and has a VM (a
 * kvm-vm file descriptor), or -1 with a message. */
int pid_of_guest(const char *name, char *err, size_t errlen)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = -1, n = 0;

	if (!d) {
		ks_fmt(err, errlen, "/proc: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (pid == getpid() || !names_guest(pid, name))
			continue;
		found = pid;
		n++;
	}
	closedir(d);
	if (n == 1)
		return found;
	if (n)
		ks_fmt(err, errlen,
			 "%d processes run a guest named '%s': use -p", n, name);
	else
		ks_fmt(err, errlen, "no guest named '%s' is running", name);
	return -1;
}
