// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_stat: counts from tracepoints.  Every event of the trace systems
 * kvm, kvmmmu and kvmlab becomes a stat; a field printed with
 * __print_symbolic() in the event's format gives one child per symbolic
 * value (kvm_exit(hlt), kvmlab_shadow_fault(fixed)), counted by the same
 * tracepoint with a kernel filter "field == value".  Everything comes
 * from the format files at run time: no offsets or tables are built in.
 * Counting is perf_event_open(PERF_TYPE_TRACEPOINT) per online CPU, or
 * per thread of one process (with inherit, so new vCPU threads count).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_stat.h"

static const char *const systems[] = { "kvm", "kvmmmu", "kvmlab" };

struct tp_field {
	char name[48];
	int size;
	bool is_signed;
};

struct tp_event {
	char sys[16], name[64];
	long id;
	int nfields;
	struct tp_field *fields;
};

static struct tp_event *evs;
static int nevs;
static char found_systems[64];
static int *cpus, ncpus;

const char *tp_systems(void)
{
	return found_systems;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 8192, n;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (buf)
		buf[len] = 0;
	return buf;
}

static struct tp_field *field_of(struct tp_event *e, const char *name)
{
	int i;

	for (i = 0; i < e->nfields; i++)
		if (!strcmp(e->fields[i].name, name))
			return &e->fields[i];
	return NULL;
}

/* "\tfield:unsigned int exit_reason;\toffset:8;\tsize:4;\tsigned:0;" */
static void parse_field(struct tp_event *e, const char *line)
{
	const char *semi = strchr(line, ';'), *p, *sz, *sg;
	struct tp_field *f;
	int len;

	if (!semi)
		return;
	p = semi;
	while (p > line && p[-1] == ']')	/* char comm[16] */
		while (p > line && *--p != '[')
			;
	len = 0;
	while (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) {
		p--;
		len++;
	}
	e->fields = realloc(e->fields, (e->nfields + 1) * sizeof(*e->fields));
	if (!e->fields)
		die("out of memory");
	f = &e->fields[e->nfields++];
	ks_fmt(f->name, sizeof(f->name), "%.*s", len, p);
	sz = strstr(line, "size:");
	sg = strstr(line, "signed:");
	f->size = sz ? atoi(sz + 5) : 8;
	f->is_signed = sg ? atoi(sg + 7) : 0;
}

/* Skip blanks; parse "0x040 + 14", "-1", "12" (sums of integers). */
static bool parse_value(const char **pp, long long *out)
{
	const char *p = *pp;
	long long v = 0;
	int sign = 1;
	bool any = false;

	for (;;) {
		char *end;
		long long t;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '-' || *p == '+') {
			sign = *p == '-' ? -sign : sign;
			p++;
			continue;
		}
		if (*p == '(')	/* a cast or parenthesis: skip it */
			p++;
		t = strtoll(p, &end, 0);
		if (end == p)
			return false;
		v += sign * t;
		any = true;
		p = end;
		while (isspace((unsigned char)*p) || *p == ')')
			p++;
		if (*p != '+' && *p != '-')
			break;
		sign = 1;
	}
	*pp = p;
	*out = v;
	return any;
}

/* "KVM_EXIT_" "IO" -> KVM_EXIT_IO */
static bool parse_string(const char **pp, char *out, size_t len)
{
	const char *p = *pp;
	size_t n = 0;
	bool any = false;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '"')
			break;
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (n + 1 < len)
				out[n++] = *p;
		}
		if (*p)
			p++;
		any = true;
	}
	out[n] = 0;
	*pp = p;
	return any;
}

/*
 * The value a field has on this machine, for print fmts that choose a
 * table by it: kvm_exit prints "(REC->isa == 1) ? VMX names : SVM names".
 */
static long long field_value_here(const char *field)
{
	char buf[256] = "";
	FILE *f;

	if (strcmp(field, "isa"))
		return -1;
	if (!access("/sys/module/kvm_amd", F_OK))
		return 2;	/* KVM_ISA_SVM */
	if (!access("/sys/module/kvm_intel", F_OK))
		return 1;	/* KVM_ISA_VMX */
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "vendor_id", 9))
			break;
	if (f)
		fclose(f);
	return strstr(buf, "AMD") || strstr(buf, "Hygon") ? 2 : 1;
}

/*
 * Is the table starting at 'at' the one that applies here?  Handles the
 * "(REC->f == N) ? __print_symbolic(...) : __print_symbolic(...)" form;
 * 'state' remembers, per event field, that the 'then' table was rejected.
 */
static bool table_applies(const char *fmt, const char *at, int *state)
{
	const char *p = at, *cond;
	char f[48];
	long long n;

	while (p > fmt && isspace((unsigned char)p[-1]))
		p--;
	if (p > fmt && p[-1] == ':')
		return *state != 1;	/* else branch: if then was rejected */
	if (p == fmt || p[-1] != '?')
		return *state == 0;
	cond = p - 1;
	while (cond > fmt && strncmp(cond, "REC->", 5))
		cond--;
	if (sscanf(cond, "REC->%47[A-Za-z0-9_] == %lli", f, &n) != 2)
		return *state == 0;
	if (field_value_here(f) == n)
		return true;
	*state = 2;
	return false;
}

/* Add one child per entry of the __print_symbolic table at 'p'. */
static void add_children(struct tp_event *e, int ev, int parent,
			 const char *p, const char *field, bool many)
{
	struct tp_field *fd = field_of(e, field);

	while (*p && *p != ')') {
		char name[KS_NAME - 40], full[KS_NAME];
		long long v;
		int c;

		while (*p && *p != '{' && *p != ')')
			p++;
		if (*p != '{')
			break;
		p++;
		if (!parse_value(&p, &v) || *p != ',')
			break;
		p++;
		if (!parse_string(&p, name, sizeof(name)))
			break;
		for (c = 0; name[c]; c++)	/* "DE excp": one word in logs */
			if (isspace((unsigned char)name[c]))
				name[c] = '_';
		while (*p && *p != '}')
			p++;
		if (*p)
			p++;
		if (many)
			ks_fmt(full, sizeof(full), "%s(%s=%s)", e->name, field,
				 name);
		else
			ks_fmt(full, sizeof(full), "%s(%s)", e->name, name);
		c = ks_add(full, parent, SRC_TP);
		ks.v[c].ev = ev;
		if (v < 0 && fd && !fd->is_signed && fd->size < 8)
			v &= (1LL << (8 * fd->size)) - 1;
		ks_fmt(ks.v[c].filter, sizeof(ks.v[c].filter), "%s == %lld",
			 field, v);
	}
}

/* "REC->reused ? "reused" : "rebuilt"": two children, field != 0 and
 * field == 0 (kvmlab_cr3_switch: roots reused or rebuilt). */
static void add_ternaries(struct tp_event *e, int ev, int parent,
			  const char *fmt)
{
	const char *p;

	for (p = fmt; (p = strstr(p, "REC->")); p++) {
		char f[48], yes[40], no[40], full[KS_NAME];
		const char *q;
		int c;

		if (sscanf(p, "REC->%47[A-Za-z0-9_]", f) != 1)
			continue;
		q = p + 5 + strlen(f);
		while (isspace((unsigned char)*q))
			q++;
		if (*q != '?')
			continue;
		q++;
		if (!parse_string(&q, yes, sizeof(yes)))
			continue;
		while (isspace((unsigned char)*q))
			q++;
		if (*q++ != ':' || !parse_string(&q, no, sizeof(no)) ||
		    !yes[0] || !no[0])
			continue;
		ks_fmt(full, sizeof(full), "%s(%s)", e->name, yes);
		c = ks_add(full, parent, SRC_TP);
		ks.v[c].ev = ev;
		ks_fmt(ks.v[c].filter, sizeof(ks.v[c].filter), "%s != 0", f);
		ks_fmt(full, sizeof(full), "%s(%s)", e->name, no);
		c = ks_add(full, parent, SRC_TP);
		ks.v[c].ev = ev;
		ks_fmt(ks.v[c].filter, sizeof(ks.v[c].filter), "%s == 0", f);
	}
}

static int count_symbolic_fields(const char *fmt)
{
	char seen[8][48];
	int n = 0, i;
	const char *p;

	for (p = fmt; (p = strstr(p, "__print_symbolic(")); p++) {
		char f[48];
		const char *r = strstr(p, "REC->");

		if (!r || sscanf(r, "REC->%47[A-Za-z0-9_]", f) != 1)
			continue;
		for (i = 0; i < n && strcmp(seen[i], f); i++)
			;
		if (i == n && n < 8)
			ks_fmt(seen[n++], sizeof(seen[0]), "%s", f);
	}
	return n;
}

static void add_event(const char *dir, const char *sys, const char *name)
{
	char path[512], *text, *line, *fmt, *save;
	struct tp_event *e;
	int ev, parent, nsym;
	struct {
		char f[48];
		int state;
	} done[8];
	int ndone = 0;
	const char *p;

	ks_fmt(path, sizeof(path), "%s/%s/format", dir, name);
	text = slurp(path);
	if (!text)
		return;
	evs = realloc(evs, (nevs + 1) * sizeof(*evs));
	if (!evs)
		die("out of memory");
	ev = nevs++;
	e = &evs[ev];
	memset(e, 0, sizeof(*e));
	ks_fmt(e->sys, sizeof(e->sys), "%s", sys);
	ks_fmt(e->name, sizeof(e->name), "%s", name);
	e->id = -1;
	fmt = strstr(text, "print fmt:");
	if (fmt)
		fmt[-1] = 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "ID:", 3))
			e->id = atol(line + 3);
		else if (strstr(line, "field:") && !strstr(line, "common_"))
			parse_field(e, strstr(line, "field:"));
	}
	parent = ks_add(name, -1, SRC_TP);
	ks.v[parent].ev = ev;
	if (!fmt)
		goto out;
	nsym = count_symbolic_fields(fmt);
	for (p = fmt; (p = strstr(p, "__print_symbolic(")); ) {
		const char *start = p, *r;
		char f[48];
		int i;

		p += strlen("__print_symbolic(");
		r = strstr(p, "REC->");
		if (!r || sscanf(r, "REC->%47[A-Za-z0-9_]", f) != 1)
			continue;
		for (i = 0; i < ndone && strcmp(done[i].f, f); i++)
			;
		if (i == ndone) {
			if (ndone == 8)
				continue;
			ks_fmt(done[ndone].f, sizeof(done[0].f), "%s", f);
			done[ndone++].state = 0;
		}
		if (!table_applies(fmt, start, &done[i].state))
			continue;
		done[i].state = 1;
		while (*p && *p != ',')	/* the value expression */
			p++;
		add_children(e, ev, parent, p, f, nsym > 1);
	}
	add_ternaries(e, ev, parent, fmt);
out:
	free(text);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_system(const char *events, const char *sys)
{
	char dir[512], **names = NULL;
	struct dirent *de;
	int n = 0, i;
	DIR *d;

	ks_fmt(dir, sizeof(dir), "%s/%s", events, sys);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "enable") ||
		    !strcmp(de->d_name, "filter"))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		add_event(dir, sys, names[i]);
		free(names[i]);
	}
	free(names);
	if (n)
		ks_fmt(found_systems + strlen(found_systems),
			 sizeof(found_systems) - strlen(found_systems), "%s%s",
			 *found_systems ? " " : "", sys);
}

static void read_cpus(void)
{
	char buf[1024];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	char *p = buf;

	if (!f || !fgets(buf, sizeof(buf), f))
		die("cannot read /sys/devices/system/cpu/online");
	fclose(f);
	while (*p && *p != '\n') {
		char *end;
		long a = strtol(p, &end, 10), b = a, c;

		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (c = a; c <= b; c++) {
			cpus = realloc(cpus, (ncpus + 1) * sizeof(*cpus));
			cpus[ncpus++] = c;
		}
		p = *end == ',' ? end + 1 : end;
	}
}

/* Returns the number of trace systems found; 0 with a reason in 'why'. */
int tp_discover(char *why, size_t whylen)
{
	const char *tfs = fs_mount("tracefs", "KVM_STAT_TRACEFS",
				   "/sys/kernel/tracing");
	char events[512];
	size_t i;
	DIR *d;

	if (!tfs) {
		ks_fmt(why, whylen, "tracefs is not mounted (mount -t tracefs "
			 "nodev /sys/kernel/tracing)");
		return 0;
	}
	ks_fmt(events, sizeof(events), "%s/events", tfs);
	d = opendir(events);
	if (!d) {
		ks_fmt(why, whylen, "%s: %s%s", events, strerror(errno),
			 errno == EACCES ? ": no permission (run as root)" : "");
		return errno == EACCES ? -1 : 0;
	}
	closedir(d);
	for (i = 0; i < sizeof(systems) / sizeof(systems[0]); i++)
		add_system(events, systems[i]);
	if (!nevs) {
		ks_fmt(why, whylen, "no KVM trace events in %s (neither kvm "
			 "nor kvmlab): no KVM module loaded", events);
		return 0;
	}
	read_cpus();
	return 1;
}

static int perf_open(long id, int pid, int cpu)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = id;
	a.inherit = pid > 0;
	a.disabled = 1;		/* enabled once the filter is set */
	return syscall(SYS_perf_event_open, &a, pid, cpu, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

static void open_fail(const struct ks_stat *s)
{
	int e = errno;

	if (e == EACCES || e == EPERM)
		die("no permission to count tracepoint %s (%s): run as root, or "
		    "lower /proc/sys/kernel/perf_event_paranoid", s->name,
		    strerror(e));
	if (e == EMFILE || e == ENFILE)
		die("out of file descriptors opening %s: raise 'ulimit -n' or "
		    "narrow the events with -f", s->name);
	if (e == ESRCH)
		die("the process to watch has gone");
	die("perf_event_open(%s): %s", s->name, strerror(e));
}

static void open_one(struct ks_stat *s, const int *tids, int ntids, int pid)
{
	const struct tp_event *e = &evs[s->ev];
	int n = pid > 0 ? ntids : ncpus, i;

	s->fds = calloc(n, sizeof(int));
	s->nfds = 0;
	for (i = 0; i < n; i++) {
		int fd = pid > 0 ? perf_open(e->id, tids[i], -1)
				 : perf_open(e->id, -1, cpus[i]);

		if (fd < 0) {
			if (pid > 0 && errno == ESRCH)
				continue;	/* thread exited meanwhile */
			open_fail(s);
		}
		if (s->filter[0] &&
		    ioctl(fd, PERF_EVENT_IOC_SET_FILTER, s->filter) < 0) {
			close(fd);	/* the kernel refused the filter */
			break;
		}
		ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
		s->fds[s->nfds++] = fd;
	}
}

static int read_tids(int pid, int **tids)
{
	char path[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	ks_fmt(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		die("no process %d", pid);
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		*tids = realloc(*tids, (n + 1) * sizeof(int));
		(*tids)[n++] = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

static int open_pid;
static bool children_open;

/* Open counters for the selected events (pid > 0: that process only);
 * the children's (one per symbolic value, hundreds) only if asked. */
int tp_open(int pid, bool children)
{
	struct rlimit rl;
	int *tids = NULL, ntids = 0, i;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (pid > 0)
		ntids = read_tids(pid, &tids);
	for (i = 0; i < ks.n; i++) {
		struct ks_stat *s = &ks.v[i];

		if (s->src != SRC_TP || !s->selected || evs[s->ev].id < 0 ||
		    s->nfds || (s->parent >= 0 && !children))
			continue;
		open_one(s, tids, ntids, pid);
		s->cur = s->base = s->prev = 0;
	}
	free(tids);
	open_pid = pid;
	children_open |= children;
	return 0;
}

/* The children, from now on (x pressed): parents keep their counts. */
void tp_open_children(void)
{
	if (!children_open)
		tp_open(open_pid, true);
}

void tp_close(void)
{
	int i, j;

	for (i = 0; i < ks.n; i++) {
		struct ks_stat *s = &ks.v[i];

		for (j = 0; j < s->nfds; j++)
			close(s->fds[j]);
		free(s->fds);
		s->fds = NULL;
		s->nfds = 0;
		if (s->src == SRC_TP)
			s->cur = s->base = s->prev = 0;
	}
	children_open = false;
}

void tp_read(void)
{
	int i, j;

	for (i = 0; i < ks.n; i++) {
		struct ks_stat *s = &ks.v[i];
		uint64_t sum = 0, v;

		if (s->src != SRC_TP || !s->nfds)
			continue;
		for (j = 0; j < s->nfds; j++)
			if (read(s->fds[j], &v, sizeof(v)) == sizeof(v))
				sum += v;
		s->cur = sum;
	}
}

/* --dump-events: the parsed events, children and filters. */
void tp_dump(FILE *f)
{
	int i;

	for (i = 0; i < ks.n; i++) {
		const struct ks_stat *s = &ks.v[i];

		if (s->src != SRC_TP)
			fprintf(f, "debugfs %s group=%s\n", s->name,
				ks_group_names[s->group]);
		else if (s->parent < 0)
			fprintf(f, "event %s:%s id=%ld group=%s\n",
				evs[s->ev].sys, s->name, evs[s->ev].id,
				ks_group_names[s->group]);
		else
			fprintf(f, "  child %s filter=\"%s\"\n", s->name,
				s->filter);
	}
}
