// SPDX-License-Identifier: GPL-2.0
/* tracing/common.c: options, tracefs look-ups, the run loop, histograms,
 * a tool's main (tool_main).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "kvmlab_tp.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void opts_parse(struct opts *o, int argc, char **argv, const char *usage)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "nsecs", no_argument, NULL, 'n' },
		{ "threads", no_argument, NULL, 'T' },
		{ "pid", required_argument, NULL, 'p' },
		{ "kvm", no_argument, NULL, 'K' },
		{ "kvmlab", no_argument, NULL, 'L' },
		{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "+d:jnTp:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->duration = strtol(optarg, &end, 10);
			if (*end || o->duration <= 0)
				goto bad;
			break;
		case 'j':
			o->json = true;
			break;
		case 'n':
			o->ns = true;
			break;
		case 'T':
			o->per_thread = true;
			break;
		case 'p':
			o->pid = strtol(optarg, &end, 10);
			if (*end || o->pid <= 0)
				goto bad;
			break;
		case 'K':
			o->driver = DRV_KVM;
			break;
		case 'L':
			o->driver = DRV_KVMLAB;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			printf("usage: %s [-d SECS] [-j] [-o FILE] [-n] [-T] [-p PID] [--kvm|--kvmlab] [-- CMD...]\n%s"
			       "  -d SECS   stop after SECS seconds (default: Ctrl-C, or CMD's end)\n"
			       "  -j        JSON output\n"
			       "  -o FILE   write the report to FILE (CMD keeps stdout)\n"
			       "  -n        nanoseconds (default microseconds)\n"
			       "  -T        histograms per vCPU thread\n"
			       "  -p PID    only the VMM process PID\n"
			       "  --kvm     the in-tree KVM (its kvm and kvmmmu events) only\n"
			       "  --kvmlab  kvmlab only (default: every driver whose events exist)\n"
			       "  -- CMD    run CMD and trace until it exits\n",
			       o->prog, usage);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind < argc)
		o->cmd = argv + optind;
	return;
bad:
	fprintf(stderr, "%s: bad arguments (try -h)\n", o->prog);
	exit(2);
}

static char events_dir[256];

const char *tracefs_events(const char *prog)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events",
		"/sys/kernel/debug/tracing/events",
	};
	int eacces = 0;
	struct stat st;
	size_t i;

	if (events_dir[0])
		return events_dir;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    access(dirs[i], R_OK | X_OK) == 0) {
			snprintf(events_dir, sizeof(events_dir), "%s", dirs[i]);
			return events_dir;
		}
		if (errno == EACCES || (stat(dirs[i], &st) == 0))
			eacces = 1;
	}
	if (eacces || geteuid() != 0)
		fprintf(stderr, "%s: permission denied: tracefs is root's (run as root, or with CAP_BPF, CAP_PERFMON and access to tracefs)\n",
			prog);
	else
		fprintf(stderr, "%s: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n",
			prog);
	return NULL;
}

bool tp_exists(const char *sys, const char *event)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/%s/format", events_dir, sys, event);
	return access(path, R_OK) == 0;
}

int tp_field_offset(const char *sys, const char *event, const char *field,
		    int *size)
{
	char path[512], line[512], want[128];
	int off = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s/format", events_dir, sys, event);
	f = fopen(path, "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%s;", field);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "field:"), *semi, *name;
		int o, s;

		if (!p)
			continue;
		semi = strchr(p, ';');
		if (!semi)
			continue;
		/* "field:TYPE NAME[N];\toffset:O;\tsize:S;" */
		for (name = semi; name > p && name[-1] != ' '; name--)
			;
		if (strncmp(name, field, strlen(field)) ||
		    (name[strlen(field)] != ';' && name[strlen(field)] != '['))
			continue;
		p = strstr(semi, "offset:");
		if (!p || sscanf(p, "offset:%d;\tsize:%d;", &o, &s) != 2)
			continue;
		off = o;
		if (size)
			*size = s;
		break;
	}
	fclose(f);
	return off;
}

int tp_check(const char *prog, const char *sys, const char *event,
	     const struct field_check *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int size = 0, off = tp_field_offset(sys, event, fields[i].name,
						    &size);

		if (off != fields[i].offset || size != fields[i].size) {
			fprintf(stderr, "%s: %s:%s field %s is at %d size %d in the format file, the tool expects %d size %d: rebuild the tool against this kmod/trace.h\n",
				prog, sys, event, fields[i].name, off, size,
				fields[i].offset, fields[i].size);
			return -1;
		}
	}
	return 0;
}

int pick_drivers(const struct opts *o, bool *kvmlab, bool *kvm)
{
	if (!tracefs_events(o->prog))
		return -1;
	*kvmlab = o->driver != DRV_KVM && tp_exists("kvmlab", "kvmlab_exit");
	*kvm = o->driver != DRV_KVMLAB && tp_exists("kvm", "kvm_exit");
	if (*kvmlab || *kvm)
		return 0;
	if (o->driver == DRV_KVM)
		fprintf(stderr, "%s: no kvm:kvm_exit tracepoint: the in-tree KVM is not loaded (modprobe kvm-amd)\n",
			o->prog);
	else if (o->driver == DRV_KVMLAB)
		fprintf(stderr, "%s: no kvmlab tracepoints: kvmlab.ko is not loaded (lab/kvmlab load)\n",
			o->prog);
	else
		fprintf(stderr, "%s: neither kvmlab nor kvm tracepoints: no hypervisor module is loaded (lab/kvmlab load, or modprobe kvm-amd)\n",
			o->prog);
	return -1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && !getenv("LIBBPF_DEBUG"))
		return 0;
	if (level != LIBBPF_WARN && !getenv("LIBBPF_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

void setup_libbpf(void)
{
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	libbpf_set_print(print_libbpf);
}

void explain_load_error(const char *prog, int err)
{
	if (err < 0)
		err = -err;
	if (err == EPERM || err == EACCES)
		fprintf(stderr, "%s: permission denied loading BPF programs (run as root, or with CAP_BPF and CAP_PERFMON)\n",
			prog);
	else
		fprintf(stderr, "%s: failed to load the BPF programs: %s (LIBBPF_DEBUG=1 shows the verifier log)\n",
			prog, strerror(err));
}

int run_until_done(const struct opts *o)
{
	struct timespec t0, t;
	pid_t child = -1;
	int status = 0;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o->cmd) {
		child = fork();
		if (child < 0) {
			perror("fork");
			return -1;
		}
		if (child == 0) {
			execvp(o->cmd[0], o->cmd);
			fprintf(stderr, "%s: %s: %s\n", o->prog, o->cmd[0],
				strerror(errno));
			_exit(127);
		}
	} else {
		fprintf(stderr, "Tracing... Hit Ctrl-C to end.\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		if (child > 0) {
			pid_t r = waitpid(child, &status, WNOHANG);

			if (r == child) {
				child = -1;
				break;
			}
		}
		usleep(child > 0 ? 20000 : 100000);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (o->duration && t.tv_sec - t0.tv_sec >= o->duration)
			break;
	}
	if (child > 0) {	/* stopped early: let CMD finish first */
		kill(child, SIGINT);
		waitpid(child, &status, 0);
	}
	if (o->output && !freopen(o->output, "w", stdout)) {
		fprintf(stderr, "%s: %s: %s\n", o->prog, o->output,
			strerror(errno));
		return -1;
	}
	if (!o->cmd)
		return 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct hist_key *x = &((const struct hist_entry *)a)->key;
	const struct hist_key *y = &((const struct hist_entry *)b)->key;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->sub != y->sub)
		return x->sub < y->sub ? -1 : 1;
	return 0;
}

int hists_read(struct bpf_map *map, struct hist_entry **out, size_t *n)
{
	struct hist_key key, next, *prev = NULL;
	struct hist_entry *v = NULL, *nv;
	size_t cap = 0, len = 0;
	int fd = bpf_map__fd(map);

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (len == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[len].key = next;
		if (bpf_map_lookup_elem(fd, &next, &v[len].h) == 0)
			len++;
		key = next;
		prev = &key;
	}
	qsort(v, len, sizeof(*v), cmp_entry);
	*out = v;
	*n = len;
	return 0;
}

static void stars(FILE *f, __u64 val, __u64 max, int width)
{
	int i, n = max ? (int)(val * width / max) : 0;

	for (i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', f);
	if (val > max)
		fputc('+', f);
}

void hist_print_log2(FILE *f, const struct hist *h, const char *unit)
{
	int i, last = -1;
	__u64 max = 0;

	for (i = 0; i < MAX_SLOTS; i++) {
		if (h->slots[i])
			last = i;
		if (h->slots[i] > max)
			max = h->slots[i];
	}
	fprintf(f, "%20s%-10s: count    distribution\n", unit, "");
	for (i = 0; i <= last; i++) {
		unsigned long long low = i ? 1ULL << i : 0;
		unsigned long long high = (1ULL << (i + 1)) - 1;

		fprintf(f, "%14llu -> %-12llu: %-8llu |", low, high,
			(unsigned long long)h->slots[i]);
		stars(f, h->slots[i], max, 40);
		fprintf(f, "|\n");
	}
}

void hist_print_linear(FILE *f, const struct hist *h, const char *unit)
{
	int i, first = -1, last = -1;
	__u64 max = 0;

	for (i = 0; i < MAX_SLOTS; i++) {
		if (h->slots[i]) {
			if (first < 0)
				first = i;
			last = i;
		}
		if (h->slots[i] > max)
			max = h->slots[i];
	}
	fprintf(f, "%10s%-4s: count    distribution\n", unit, "");
	for (i = first < 0 ? 0 : first; i <= last; i++) {
		fprintf(f, "%10d%-4s: %-8llu |", i, i == MAX_SLOTS - 1 ? "+" : "",
			(unsigned long long)h->slots[i]);
		stars(f, h->slots[i], max, 40);
		fprintf(f, "|\n");
	}
}

void hist_print_json(FILE *f, const struct hist *h)
{
	int i, last = 0;

	for (i = 0; i < MAX_SLOTS; i++)
		if (h->slots[i])
			last = i;
	fprintf(f, "\"count\":%llu,\"sum\":%llu,\"slots\":[",
		(unsigned long long)h->count, (unsigned long long)h->sum);
	for (i = 0; i <= last; i++)
		fprintf(f, "%s%llu", i ? "," : "",
			(unsigned long long)h->slots[i]);
	fprintf(f, "]");
}

void json_begin(const struct opts *o, bool kvmlab, bool kvm)
{
	printf("{\"tool\":\"%s\",\"unit\":\"%s\",\"drivers\":[%s%s%s],",
	       o->prog, o->ns ? "nsecs" : "usecs", kvmlab ? "\"kvmlab\"" : "",
	       kvmlab && kvm ? "," : "", kvm ? "\"kvm\"" : "");
}

void json_hists(const struct hist_entry *v, size_t n,
		void (*fields)(const struct hist_key *k))
{
	size_t i;

	printf("\"hists\":[");
	for (i = 0; i < n; i++) {
		printf("%s\n{\"tid\":%u,", i ? "," : "", v[i].key.tid);
		fields(&v[i].key);
		hist_print_json(stdout, &v[i].h);
		printf("}");
	}
	printf("]}\n");
}

void programs_select(struct bpf_object *obj, bool kvmlab, bool kvm)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		const char *sec = bpf_program__section_name(p);
		char sys[64];
		const char *ev;
		bool want;

		if (strncmp(sec, "tracepoint/", 11))
			continue;
		ev = strchr(sec + 11, '/');
		if (!ev || (size_t)(ev - sec - 11) >= sizeof(sys))
			continue;
		snprintf(sys, sizeof(sys), "%.*s", (int)(ev - sec - 11),
			 sec + 11);
		want = !strcmp(sys, "kvmlab") ? kvmlab : kvm;
		bpf_program__set_autoload(p, want && tp_exists(sys, ev + 1));
	}
}

int programs_attach(const char *prog, struct bpf_object *obj,
		    struct attached *a)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		struct bpf_link *l;

		if (!bpf_program__autoload(p))
			continue;
		if (a->n == (int)(sizeof(a->links) / sizeof(a->links[0])))
			return -1;
		l = bpf_program__attach(p);
		if (!l) {
			int err = errno;

			fprintf(stderr, "%s: cannot attach to %s: %s\n", prog,
				bpf_program__section_name(p), strerror(err));
			if (err == EPERM || err == EACCES)
				fprintf(stderr, "%s: permission denied (run as root)\n",
					prog);
			return -1;
		}
		a->links[a->n++] = l;
	}
	return 0;
}

void programs_detach(struct attached *a)
{
	while (a->n > 0)
		bpf_link__destroy(a->links[--a->n]);
}

int kvm_exit_reason_offset(const char *prog)
{
	int size = 0, off = tp_field_offset("kvm", "kvm_exit", "exit_reason",
					    &size);

	if (off < 0 || size != 4) {
		fprintf(stderr, "%s: kvm:kvm_exit has no 4-byte exit_reason field in its format file\n",
			prog);
		return -1;
	}
	return off;
}

int kvm_field_offset(const char *prog, const char *sys, const char *event,
		     const char *field, int size)
{
	int got = 0, off;

	if (!tp_exists(sys, event)) {
		fprintf(stderr, "%s: no %s:%s tracepoint in this kernel; the tool needs it on the in-tree KVM\n",
			prog, sys, event);
		return -1;
	}
	off = tp_field_offset(sys, event, field, &got);
	if (off < 0 || got != size) {
		fprintf(stderr, "%s: %s:%s has no %d-byte field %s in its format file (found %d bytes at %d)\n",
			prog, sys, event, size, field, got, off);
		return -1;
	}
	return off;
}

long tp_fmt_value(const char *sys, const char *event, const char *text,
		  const char *field, int nth)
{
	char path[512], want[64], *line = NULL, *p;
	size_t cap = 0;
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s/format", events_dir, sys, event);
	f = fopen(path, "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "REC->%s == ", field);
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "print fmt:", 10))
			continue;
		p = strstr(line, text) ? strstr(line, want) : NULL;
		while (p && nth-- > 0)
			p = strstr(p + 1, want);
		if (p)
			v = strtol(p + strlen(want), NULL, 0);
		break;
	}
	free(line);
	fclose(f);
	return v;
}

int tool_main(const struct tool *t, int argc, char **argv)
{
	struct opts o = { .prog = t->name };
	struct bpf_object *obj = NULL;
	struct bpf_map *hists = NULL;
	struct attached a = { 0 };
	struct hist_entry *v = NULL;
	bool kvmlab, kvm;
	size_t n = 0;
	int err, ret = 1, status;
	void *skel;

	opts_parse(&o, argc, argv, t->usage);
	if (pick_drivers(&o, &kvmlab, &kvm))
		return 1;
	if (kvmlab && t->kvmlab_check(o.prog))
		return 1;
	setup_libbpf();
	skel = t->open(&o, &obj, &hists);
	if (!skel) {
		fprintf(stderr, "%s: cannot open the BPF object: %s\n",
			o.prog, strerror(errno));
		return 1;
	}
	if (kvm && t->kvm_knobs(o.prog, skel))
		goto cleanup;
	programs_select(obj, kvmlab, kvm);
	err = t->load(skel);
	if (err) {
		explain_load_error(o.prog, err);
		goto cleanup;
	}
	if (programs_attach(o.prog, obj, &a))
		goto cleanup;
	status = run_until_done(&o);
	if (status < 0)
		goto cleanup;
	programs_detach(&a);
	if (hists_read(hists, &v, &n))
		goto cleanup;
	t->print(&o, skel, v, n, kvmlab, kvm);
	ret = status;
cleanup:
	programs_detach(&a);
	free(v);
	t->destroy(skel);
	return ret;
}
