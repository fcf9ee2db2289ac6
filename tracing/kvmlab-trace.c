// SPDX-License-Identifier: GPL-2.0
/*
 * kvmlab-trace: record the kvmlab events of one run, report summaries.
 *
 *   kvmlab-trace record [-b KB] -o FILE -- CMD...
 *   kvmlab-trace report [--events] FILE
 *
 * record makes its own tracefs instance (the top-level buffer is left to
 * trace-cmd and the tests), enables every kvmlab event in it, runs CMD,
 * and writes the events' format files and the raw records to FILE.
 * report parses them with libtraceevent: exits by reason (with the time to
 * the next entry), shadow faults by outcome, events per CR3 switch.
 *
 * File: "KVMLAB-TRACE 1\n", then "format SYSTEM LEN\n" + LEN bytes per
 * event, "records\n", then records: u64 ts, u32 cpu, u32 size, data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <tracefs.h>
#include <event-parse.h>
#include "kvmlab_tp.h"
#include "names.h"

#define MAGIC "KVMLAB-TRACE 1\n"


struct rec_hdr {
	uint64_t ts;
	uint32_t cpu;
	uint32_t size;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: kvmlab-trace record [-b KB] -o FILE -- CMD...\n"
		"       kvmlab-trace report [--events] FILE\n");
	return 2;
}

/* ---- record ---- */

struct rec_ctx {
	FILE *f;
	unsigned long long n;
	int err;
};

static int write_record(struct tep_event *e, struct tep_record *r, int cpu,
			void *data)
{
	struct rec_ctx *c = data;
	struct rec_hdr h = { r->ts, (uint32_t)cpu, (uint32_t)r->size };

	(void)e;
	if (fwrite(&h, sizeof(h), 1, c->f) != 1 ||
	    fwrite(r->data, r->size, 1, c->f) != 1) {
		c->err = errno ? errno : EIO;
		return 1;
	}
	c->n++;
	return 0;
}

static int write_formats(FILE *f, struct tep_handle *tep)
{
	int i, n = tep_get_events_count(tep);

	for (i = 0; i < n; i++) {
		struct tep_event *e = tep_get_event(tep, i);
		int size = 0;
		char *fmt;

		if (strcmp(e->system, "kvmlab"))
			continue;
		fmt = tracefs_event_file_read(NULL, "kvmlab", e->name,
					      "format", &size);
		if (!fmt)
			return -1;
		fprintf(f, "format kvmlab %d\n", size);
		fwrite(fmt, 1, size, f);
		free(fmt);
	}
	return 0;
}

static unsigned long long overruns(struct tracefs_instance *inst, int ncpu)
{
	unsigned long long total = 0;
	char path[64];
	int cpu;

	for (cpu = 0; cpu < ncpu; cpu++) {
		char *s, *p;

		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", cpu);
		s = tracefs_instance_file_read(inst, path, NULL);
		if (!s)
			continue;
		p = strstr(s, "overrun:");
		if (p)
			total += strtoull(p + 8, NULL, 10);
		free(s);
	}
	return total;
}

static int cmd_record(int argc, char **argv)
{
	const char *out = NULL, *kb = "16384";
	const char *const systems[] = { "kvmlab", NULL };
	struct tracefs_instance *inst = NULL;
	struct tep_handle *tep = NULL;
	struct rec_ctx c = { 0 };
	char name[64];
	int i, status = 0, ret = 1, lost;
	pid_t child;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "-b") && i + 1 < argc)
			kb = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else
			return usage();
	}
	if (!out || i >= argc)
		return usage();
	/* libtracefs would mount tracefs itself: say so instead */
	if (access("/sys/kernel/tracing/trace", F_OK) &&
	    access("/sys/kernel/debug/tracing/trace", F_OK) &&
	    errno == ENOENT) {
		fprintf(stderr, "kvmlab-trace: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n");
		return 1;
	}
	if (!tracefs_tracing_dir()) {
		fprintf(stderr, "kvmlab-trace: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)\n");
		return 1;
	}
	if (access(tracefs_tracing_dir(), R_OK | W_OK | X_OK)) {
		fprintf(stderr, "kvmlab-trace: permission denied: %s is root's (run as root)\n",
			tracefs_tracing_dir());
		return 1;
	}
	tep = tracefs_local_events_system(NULL, systems);
	if (!tep || !tracefs_event_file_exists(NULL, "kvmlab", "kvmlab_exit",
					       "format")) {
		fprintf(stderr, "kvmlab-trace: no kvmlab events: kvmlab.ko is not loaded (lab/kvmlab load)\n");
		goto cleanup;
	}
	snprintf(name, sizeof(name), "kvmlab-trace-%d", (int)getpid());
	inst = tracefs_instance_create(name);
	if (!inst) {
		fprintf(stderr, "kvmlab-trace: cannot create tracefs instance %s: %s\n",
			name, strerror(errno));
		goto cleanup;
	}
	c.f = fopen(out, "w");
	if (!c.f) {
		fprintf(stderr, "kvmlab-trace: %s: %s\n", out, strerror(errno));
		goto cleanup;
	}
	fputs(MAGIC, c.f);
	if (write_formats(c.f, tep)) {
		fprintf(stderr, "kvmlab-trace: cannot read the kvmlab format files\n");
		goto cleanup;
	}
	fputs("records\n", c.f);
	if (tracefs_instance_file_write(inst, "buffer_size_kb", kb) < 0 ||
	    tracefs_event_enable(inst, "kvmlab", NULL) ||
	    tracefs_trace_on(inst)) {
		fprintf(stderr, "kvmlab-trace: cannot set up the instance: %s\n",
			strerror(errno));
		goto cleanup;
	}
	child = fork();
	if (child < 0)
		goto cleanup;
	if (child == 0) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "kvmlab-trace: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	signal(SIGINT, SIG_IGN);	/* Ctrl-C stops CMD, then we write */
	waitpid(child, &status, 0);
	tracefs_trace_off(inst);
	tracefs_event_disable(inst, "kvmlab", NULL);
	if (tracefs_iterate_raw_events(tep, inst, NULL, 0, write_record, &c) ||
	    c.err || fflush(c.f)) {
		fprintf(stderr, "kvmlab-trace: reading the events: %s\n",
			strerror(c.err ? c.err : errno));
		goto cleanup;
	}
	lost = overruns(inst, sysconf(_SC_NPROCESSORS_CONF)) != 0;
	fprintf(stderr, "kvmlab-trace: %llu events written to %s%s\n", c.n, out,
		lost ? " (EVENTS LOST: the buffer overran; raise -b KB)" : "");
	if (lost)
		goto cleanup;
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
cleanup:
	if (c.f)
		fclose(c.f);
	if (inst) {
		tracefs_instance_destroy(inst);
		tracefs_instance_free(inst);
	}
	tep_free(tep);
	return ret;
}

/* ---- report ---- */

#define MAX_EVENTS	64
#define MAX_REASONS	64
#define MAX_THREADS	64

struct thread {
	int pid;
	int in_hyp;
	unsigned long long exit_ts, reason;
	int in_switch;				/* a CR3 switch was seen */
	unsigned long long since[MAX_EVENTS];	/* events since it */
};

struct report {
	struct tep_handle *tep;
	int nevents;
	int ids[MAX_EVENTS];
	const char *names[MAX_EVENTS];
	unsigned long long counts[MAX_EVENTS];
	/* exits by reason */
	unsigned long long reason[MAX_REASONS], rcount[MAX_REASONS];
	unsigned long long rtime[MAX_REASONS], rtimed[MAX_REASONS];
	int nreasons;
	unsigned long long outcome[PF_OUTCOMES + 1];
	unsigned long long switches, reused, dropped;
	/* events per CR3 switch interval (switch to the next switch) */
	unsigned long long intervals, isum[MAX_EVENTS], imin[MAX_EVENTS],
		imax[MAX_EVENTS];
	struct thread threads[MAX_THREADS];
	int nthreads;
};

static int event_index(struct report *r, struct tep_event *e)
{
	int i;

	for (i = 0; i < r->nevents; i++)
		if (r->ids[i] == e->id)
			return i;
	if (r->nevents == MAX_EVENTS)
		return -1;
	r->ids[r->nevents] = e->id;
	r->names[r->nevents] = e->name;
	return r->nevents++;
}

static struct thread *thread_of(struct report *r, int pid)
{
	int i;

	for (i = 0; i < r->nthreads; i++)
		if (r->threads[i].pid == pid)
			return &r->threads[i];
	if (r->nthreads == MAX_THREADS)
		return NULL;
	r->threads[r->nthreads].pid = pid;
	return &r->threads[r->nthreads++];
}

static int reason_index(struct report *r, unsigned long long code)
{
	int i;

	for (i = 0; i < r->nreasons; i++)
		if (r->reason[i] == code)
			return i;
	if (r->nreasons == MAX_REASONS)
		return MAX_REASONS - 1;
	r->reason[r->nreasons] = code;
	return r->nreasons++;
}

static unsigned long long field(struct tep_event *e, struct tep_record *rec,
				const char *name)
{
	unsigned long long v = 0;

	tep_get_field_val(NULL, e, name, rec, &v, 0);
	return v;
}

static void close_interval(struct report *r, struct thread *t)
{
	int i;

	for (i = 0; i < MAX_EVENTS; i++) {
		unsigned long long n = t->since[i];

		r->isum[i] += n;
		if (!r->intervals || n < r->imin[i])
			r->imin[i] = n;
		if (n > r->imax[i])
			r->imax[i] = n;
		t->since[i] = 0;
	}
	r->intervals++;
}

static void account(struct report *r, struct tep_event *e,
		    struct tep_record *rec)
{
	int idx = event_index(r, e), pid = tep_data_pid(r->tep, rec);
	struct thread *t = thread_of(r, pid);

	if (idx < 0 || !t)
		return;
	r->counts[idx]++;
	if (t->in_switch)
		t->since[idx]++;
	if (!strcmp(e->name, "kvmlab_exit")) {
		t->reason = field(e, rec, "exit_code");
		r->rcount[reason_index(r, t->reason)]++;
		t->exit_ts = rec->ts;
		t->in_hyp = 1;
	} else if (!strcmp(e->name, "kvmlab_entry")) {
		if (t->in_hyp) {
			int i = reason_index(r, t->reason);

			r->rtime[i] += rec->ts - t->exit_ts;
			r->rtimed[i]++;
		}
		t->in_hyp = 0;
	} else if (!strcmp(e->name, "kvmlab_shadow_fault")) {
		unsigned long long o = field(e, rec, "outcome");

		r->outcome[o < PF_OUTCOMES ? o : PF_OUTCOMES]++;
	} else if (!strcmp(e->name, "kvmlab_cr3_switch")) {
		r->switches++;
		r->reused += field(e, rec, "reused") != 0;
		r->dropped += field(e, rec, "dropped");
		if (t->in_switch) {
			t->since[idx]--;	/* the next switch is not inside */
			close_interval(r, t);
		}
		t->in_switch = 1;
	}
}

static void print_report(struct report *r)
{
	unsigned long long total = 0;
	int i;

	for (i = 0; i < r->nevents; i++)
		total += r->counts[i];
	printf("events: %llu\n", total);
	for (i = 0; i < r->nevents; i++)
		printf("  %-24s %10llu\n", r->names[i], r->counts[i]);

	printf("\nexits by reason:\n  %-16s %10s %14s\n", "reason", "count",
	       "avg exit->entry");
	for (i = 0; i < r->nreasons; i++)
		printf("  %-16s %10llu %11.1f us\n", exit_name(r->reason[i]),
		       r->rcount[i], r->rtimed[i] ?
		       r->rtime[i] / 1000.0 / r->rtimed[i] : 0.0);

	printf("\nshadow faults by outcome:\n");
	for (i = 0; i <= PF_OUTCOMES; i++)
		if (i < PF_OUTCOMES || r->outcome[i])
			printf("  %-16s %10llu\n", pf_outcome_name(i),
			       r->outcome[i]);

	printf("\nCR3 switches: %llu (root reused %llu, rebuilt %llu), shadow pages dropped %llu\n",
	       r->switches, r->reused, r->switches - r->reused, r->dropped);
	if (!r->intervals)
		return;
	printf("events per CR3 switch (%llu intervals from one switch to the next):\n  %-24s %10s %8s %8s\n",
	       r->intervals, "event", "mean", "min", "max");
	for (i = 0; i < r->nevents; i++)
		if (r->isum[i] || strcmp(r->names[i], "kvmlab_cr3_switch"))
			printf("  %-24s %10.1f %8llu %8llu\n", r->names[i],
			       (double)r->isum[i] / r->intervals, r->imin[i],
			       r->imax[i]);
}

static int cmd_report(int argc, char **argv)
{
	struct report *r = calloc(1, sizeof(*r));
	struct tep_handle *tep = tep_alloc();
	int i, events = 0, ret = 1;
	const char *path = NULL;
	char line[128];
	FILE *f = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--events"))
			events = 1;
		else if (!path)
			path = argv[i];
		else
			goto out;
	}
	if (!path || !r || !tep) {
		ret = usage();
		goto out;
	}
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "kvmlab-trace: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!fgets(line, sizeof(line), f) || strcmp(line, MAGIC)) {
		fprintf(stderr, "kvmlab-trace: %s: not a kvmlab-trace recording\n",
			path);
		goto out;
	}
	tep_set_long_size(tep, sizeof(long));
	tep_set_page_size(tep, getpagesize());
	r->tep = tep;
	while (fgets(line, sizeof(line), f) && strcmp(line, "records\n")) {
		char sys[32];
		int len;
		char *buf;

		if (sscanf(line, "format %31s %d", sys, &len) != 2 || len <= 0 ||
		    !(buf = malloc(len)) || fread(buf, 1, len, f) != (size_t)len) {
			fprintf(stderr, "kvmlab-trace: %s: bad format section\n",
				path);
			goto out;
		}
		if (tep_parse_event(tep, buf, len, sys))
			fprintf(stderr, "kvmlab-trace: cannot parse a format of %s\n",
				sys);
		free(buf);
	}
	for (;;) {
		struct tep_record rec = { 0 };
		struct rec_hdr h;
		struct tep_event *e;
		char data[4096];

		if (fread(&h, sizeof(h), 1, f) != 1)
			break;
		if (h.size > sizeof(data) || fread(data, h.size, 1, f) != 1) {
			fprintf(stderr, "kvmlab-trace: %s: truncated record\n",
				path);
			goto out;
		}
		rec.ts = h.ts;
		rec.cpu = h.cpu;
		rec.size = h.size;
		rec.data = data;
		e = tep_find_event_by_record(tep, &rec);
		if (!e)
			continue;
		if (events) {
			struct trace_seq s;

			trace_seq_init(&s);
			tep_print_event(tep, &s, &rec, "%6.1000d [%03d] %s: %s\n",
					TEP_PRINT_TIME, TEP_PRINT_CPU,
					TEP_PRINT_NAME, TEP_PRINT_INFO);
			trace_seq_do_printf(&s);
			trace_seq_destroy(&s);
		}
		account(r, e, &rec);
	}
	print_report(r);
	ret = 0;
out:
	if (f)
		fclose(f);
	tep_free(tep);
	free(r);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "record"))
		return cmd_record(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	return usage();
}

