// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_stat: counts from debugfs.  A driver directory (kvm/ for the
 * in-tree KVM, kvmlab/) holds one file per counter, summed over the live
 * VMs, and may hold one PID-FD directory per VM with the same files.
 *
 * Where per-VM directories exist they are read, so that a VM that goes
 * away keeps its last counts in the totals (the top-level files drop
 * them), and so that counts can be shown per guest or per MMU variant.
 * A VM already running when kvm_stat starts counts from then on, unless
 * -i (include past) counts it from its creation.  A driver without
 * per-VM directories is read at the top level: a counter that falls
 * there means a VM went away; its last value is kept.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_stat.h"

struct dbg_vm {
	char dir[32];		/* "1234-12", or "" for the top level */
	int pid;
	bool alive;
	char variant[16];
	uint64_t *val;		/* last value read */
	uint64_t *start;	/* value when first seen (baseline) */
	uint64_t *past;		/* top level: counts of VMs gone */
	uint64_t *rbase;	/* contribution at the last reset */
};

struct dbg_drv {
	char name[16];
	char path[400];
	int nfields;
	char **fields;
	int *stat;		/* stat index per field */
	struct dbg_vm *vms;
	int nvms;
	bool pervm;		/* per-VM directories seen */
};

static struct dbg_drv drvs[2];
static int ndrvs;
static char found_drivers[64];
static int watch_pid;
static bool past;

const char *dbg_drivers(void)
{
	return found_drivers;
}

static bool read_u64(const char *path, uint64_t *v)
{
	char buf[64], *end;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	*v = strtoull(buf, &end, 10);
	/* one number only: the *_hist files hold many */
	return end != buf && (*end == '\n' || !*end);
}

static bool is_vm_dir(const char *name, int *pid)
{
	int fd;
	char c;

	return sscanf(name, "%d-%d%c", pid, &fd, &c) == 2;
}

static void add_driver(const char *debugfs, const char *name, bool prefix)
{
	struct dbg_drv *d = &drvs[ndrvs];
	struct dirent *de;
	char **names = NULL;
	int n = 0, i, pid;
	DIR *dir;

	ks_fmt(d->path, sizeof(d->path), "%s/%s", debugfs, name);
	ks_fmt(d->name, sizeof(d->name), "%s", name);
	dir = opendir(d->path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char path[800];
		struct stat st;
		uint64_t v;

		ks_fmt(path, sizeof(path), "%s/%s", d->path, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) ||
		    !S_ISREG(st.st_mode) || is_vm_dir(de->d_name, &pid) ||
		    !read_u64(path, &v))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(de->d_name);
	}
	closedir(dir);
	if (!n)
		return;
	for (i = 1; i < n; i++) {	/* sort the names */
		char *t = names[i];
		int j = i;

		for (; j > 0 && strcmp(names[j - 1], t) > 0; j--)
			names[j] = names[j - 1];
		names[j] = t;
	}
	d->fields = names;
	d->nfields = n;
	d->stat = calloc(n, sizeof(int));
	for (i = 0; i < n; i++) {
		char full[KS_NAME];

		ks_fmt(full, sizeof(full), "%s%s%s", prefix ? name : "",
			 prefix ? "/" : "", names[i]);
		d->stat[i] = ks_add(full, -1, SRC_DBG);
		ks.v[d->stat[i]].drv = ndrvs;
		ks.v[d->stat[i]].field = i;
	}
	ks_fmt(found_drivers + strlen(found_drivers),
		 sizeof(found_drivers) - strlen(found_drivers), "%s%s",
		 *found_drivers ? " " : "", name);
	ndrvs++;
}

int dbg_discover(char *why, size_t whylen)
{
	const char *dfs = fs_mount("debugfs", "KVM_STAT_DEBUGFS",
				   "/sys/kernel/debug");
	char p1[512], p2[512];
	bool both;
	DIR *d;

	if (!dfs) {
		ks_fmt(why, whylen, "debugfs is not mounted (mount -t debugfs "
			 "none /sys/kernel/debug)");
		return 0;
	}
	d = opendir(dfs);
	if (!d) {
		ks_fmt(why, whylen, "%s: %s%s", dfs, strerror(errno),
			 errno == EACCES ? ": no permission (run as root)" : "");
		return errno == EACCES ? -1 : 0;
	}
	closedir(d);
	ks_fmt(p1, sizeof(p1), "%s/kvm", dfs);
	ks_fmt(p2, sizeof(p2), "%s/kvmlab", dfs);
	both = !access(p1, F_OK) && !access(p2, F_OK);
	add_driver(dfs, "kvm", false);
	add_driver(dfs, "kvmlab", both);
	if (!ndrvs) {
		ks_fmt(why, whylen, "neither %s nor %s exists: no KVM module "
			 "loaded", p1, p2);
		return 0;
	}
	return ndrvs;
}

/* The MMU variant of a VM: a per-VM file if the driver has one, else the
 * module parameter that VMs are created with. */
static void variant_of(const struct dbg_drv *d, const char *vmdir,
		       char *out, size_t len)
{
	static const char *const files[] = { "mmu", "mmu_variant", "variant" };
	char path[900], buf[64] = "";
	size_t i;
	FILE *f = NULL;

	for (i = 0; !f && vmdir[0] && i < 3; i++) {
		ks_fmt(path, sizeof(path), "%s/%s/%s", d->path, vmdir,
			 files[i]);
		f = fopen(path, "r");
	}
	if (!strcmp(d->name, "kvmlab"))
		for (i = 0; !f && i < 3; i++) {
			ks_fmt(path, sizeof(path),
				 "/sys/module/kvmlab/parameters/%s", files[i]);
			f = fopen(path, "r");
		}
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
		ks_fmt(out, len, "%s", buf[0] ? buf : "?");
		return;
	}
	if (!strcmp(d->name, "kvm")) {
		f = fopen("/sys/module/kvm_amd/parameters/npt", "r");
		if (!f)
			f = fopen("/sys/module/kvm_intel/parameters/ept", "r");
		if (f && fgets(buf, sizeof(buf), f))
			ks_fmt(out, len, "%s",
				 buf[0] == 'Y' || buf[0] == '1' ? "npt"
								 : "shadow");
		else
			ks_fmt(out, len, "?");
		if (f)
			fclose(f);
		return;
	}
	ks_fmt(out, len, "default");
}

static struct dbg_vm *find_vm(struct dbg_drv *d, const char *dir)
{
	struct dbg_vm *vm;
	int i;

	for (i = 0; i < d->nvms; i++)
		if (!strcmp(d->vms[i].dir, dir))
			return &d->vms[i];
	d->vms = realloc(d->vms, (d->nvms + 1) * sizeof(*d->vms));
	if (!d->vms)
		die("out of memory");
	vm = &d->vms[d->nvms++];
	memset(vm, 0, sizeof(*vm));
	ks_fmt(vm->dir, sizeof(vm->dir), "%s", dir);
	vm->pid = dir[0] ? atoi(dir) : 0;
	vm->val = calloc(d->nfields, sizeof(uint64_t));
	vm->start = calloc(d->nfields, sizeof(uint64_t));
	vm->past = calloc(d->nfields, sizeof(uint64_t));
	vm->rbase = calloc(d->nfields, sizeof(uint64_t));
	variant_of(d, dir, vm->variant, sizeof(vm->variant));
	return vm;
}

static uint64_t contribution(const struct dbg_vm *vm, int f)
{
	return vm->past[f] + vm->val[f] - vm->start[f];
}

/* first: the VM existed when kvm_stat started (or at -p/-g change) */
static void read_vm(struct dbg_drv *d, const char *dir, bool first)
{
	struct dbg_vm *vm;
	bool fresh;
	int f, before = d->nvms;

	vm = find_vm(d, dir);
	fresh = d->nvms != before;
	vm->alive = true;
	for (f = 0; f < d->nfields; f++) {
		char path[900];
		uint64_t v;

		ks_fmt(path, sizeof(path), "%s/%s%s%s", d->path, dir,
			 dir[0] ? "/" : "", d->fields[f]);
		if (!read_u64(path, &v))
			continue;
		if (!dir[0] && v < vm->val[f])
			vm->past[f] += vm->val[f];	/* a VM went away */
		vm->val[f] = v;
		if (fresh && first && !past)
			vm->start[f] = v;
	}
}

static void read_driver(struct dbg_drv *d, bool first)
{
	struct dirent *de;
	DIR *dir = opendir(d->path);
	int i, pid;

	if (!dir)
		return;		/* the module went away: keep what we had */
	for (i = 0; i < d->nvms; i++)
		d->vms[i].alive = false;
	while ((de = readdir(dir))) {
		if (!is_vm_dir(de->d_name, &pid))
			continue;
		d->pervm = true;
		if (watch_pid > 0 && pid != watch_pid)
			continue;
		read_vm(d, de->d_name, first);
	}
	closedir(dir);
	if (!d->pervm && watch_pid <= 0)
		read_vm(d, "", first);
	for (i = 0; i < d->nfields; i++) {
		uint64_t sum = 0;
		int v;

		for (v = 0; v < d->nvms; v++)
			if (d->pervm == (d->vms[v].dir[0] != 0))
				sum += contribution(&d->vms[v], i);
		ks.v[d->stat[i]].cur = sum;
	}
}

void dbg_start(int pid, bool include_past)
{
	int i, v;

	watch_pid = pid;
	past = include_past;
	for (i = 0; i < ndrvs; i++) {
		struct dbg_drv *d = &drvs[i];

		for (v = 0; v < d->nvms; v++) {
			free(d->vms[v].val);
			free(d->vms[v].start);
			free(d->vms[v].past);
			free(d->vms[v].rbase);
		}
		free(d->vms);
		d->vms = NULL;
		d->nvms = 0;
		read_driver(d, true);
	}
	for (i = 0; i < ks.n; i++)
		if (ks.v[i].src == SRC_DBG)
			ks.v[i].base = ks.v[i].prev = 0;
	/* without -i, whatever happened before now is not shown */
	for (i = 0; i < ks.n; i++)
		if (ks.v[i].src == SRC_DBG && !include_past)
			ks.v[i].base = ks.v[i].prev = ks.v[i].cur;
}

void dbg_read(void)
{
	int i;

	for (i = 0; i < ndrvs; i++)
		read_driver(&drvs[i], false);
}

void dbg_reset(void)
{
	int i, v, f;

	for (i = 0; i < ndrvs; i++)
		for (v = 0; v < drvs[i].nvms; v++)
			for (f = 0; f < drvs[i].nfields; f++)
				drvs[i].vms[v].rbase[f] =
					contribution(&drvs[i].vms[v], f);
}

static void push_row(struct ks_row **rows, int *n, const char *label,
		     uint64_t total, uint64_t delta, int depth, bool header)
{
	struct ks_row *r;

	*rows = realloc(*rows, (*n + 1) * sizeof(**rows));
	if (!*rows)
		die("out of memory");
	r = &(*rows)[(*n)++];
	ks_fmt(r->label, sizeof(r->label), "%s", label);
	r->total = total;
	r->delta = delta;
	r->depth = depth;
	r->header = header;
}

/*
 * Rows for the guest view (one parent row per process, the sum of its
 * selected counters; its counters as children) or the MMU-variant view
 * (one parent row per driver and variant).  'delta' is since the last
 * call: each view keeps its own previous totals by label.
 */
int dbg_rows(struct ks_row **rows, bool by_variant, bool children,
	     double secs)
{
	static struct {
		char label[KS_NAME];
		uint64_t total;
	} *prev;
	static int nprev;
	struct {
		char key[KS_NAME];
		uint64_t *sum;
		int drv;
	} *keys = NULL;
	int nkeys = 0, n = 0, i, v, f, k;

	(void)secs;
	*rows = NULL;
	for (i = 0; i < ndrvs; i++) {
		struct dbg_drv *d = &drvs[i];

		for (v = 0; v < d->nvms; v++) {
			struct dbg_vm *vm = &d->vms[v];
			char key[KS_NAME], comm[32];

			if (d->pervm != (vm->dir[0] != 0))
				continue;
			if (by_variant) {
				ks_fmt(key, sizeof(key), "%s mmu=%s", d->name,
					 vm->variant);
			} else if (vm->pid) {
				proc_name(vm->pid, comm, sizeof(comm));
				ks_fmt(key, sizeof(key), "%d %s%s", vm->pid,
					 vm->alive ? comm : "(gone)",
					 ndrvs > 1 ? d->name : "");
			} else {
				ks_fmt(key, sizeof(key), "all %s guests",
					 d->name);
			}
			for (k = 0; k < nkeys && strcmp(keys[k].key, key); k++)
				;
			if (k == nkeys) {
				keys = realloc(keys, (nkeys + 1) * sizeof(*keys));
				ks_fmt(keys[k].key, sizeof(keys[k].key), "%s",
					 key);
				keys[k].sum = calloc(d->nfields,
						     sizeof(uint64_t));
				keys[k].drv = i;
				nkeys++;
			}
			for (f = 0; f < d->nfields; f++)
				keys[k].sum[f] += contribution(vm, f) -
						  vm->rbase[f];
		}
	}
	for (k = 0; k < nkeys; k++) {
		struct dbg_drv *d = &drvs[keys[k].drv];
		uint64_t total = 0;
		int top = n;

		push_row(rows, &n, keys[k].key, 0, 0, 0, false);
		for (f = 0; f < d->nfields; f++) {
			char label[KS_NAME];

			if (!ks.v[d->stat[f]].selected)
				continue;
			total += keys[k].sum[f];
			if (!children || !keys[k].sum[f])
				continue;
			ks_fmt(label, sizeof(label), "%s|%s", keys[k].key,
				 d->fields[f]);
			push_row(rows, &n, label, keys[k].sum[f], 0, 1, false);
		}
		(*rows)[top].total = total;
		free(keys[k].sum);
	}
	free(keys);
	/* deltas against the previous call, by label */
	for (i = 0; i < n; i++) {
		for (k = 0; k < nprev && strcmp(prev[k].label, (*rows)[i].label);
		     k++)
			;
		(*rows)[i].delta = k < nprev && (*rows)[i].total >= prev[k].total
					   ? (*rows)[i].total - prev[k].total
					   : 0;
	}
	free(prev);
	prev = calloc(n + 1, sizeof(*prev));
	for (i = 0; i < n; i++) {
		ks_fmt(prev[i].label, sizeof(prev[i].label), "%s",
			 (*rows)[i].label);
		prev[i].total = (*rows)[i].total;
	}
	nprev = n;
	for (i = 0; i < n; i++) {	/* children: drop the key prefix */
		char *bar = strchr((*rows)[i].label, '|');

		if (bar)
			memmove((*rows)[i].label, bar + 1, strlen(bar));
	}
	return n;
}
