/* SPDX-License-Identifier: GPL-2.0 */
/* tracing/common.h: what the BPF tools share in userspace. */
#ifndef KVMLAB_TRACING_COMMON_H
#define KVMLAB_TRACING_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "hist.h"

struct bpf_map;

/* Options every tool takes. */
struct opts {
	const char *prog;	/* the tool's name, for messages */
	int duration;		/* -d SECS, 0: until SIGINT/child exit */
	bool json;		/* -j */
	bool ns;		/* -n: nanoseconds, not microseconds */
	bool per_thread;	/* -T: one histogram set per vCPU thread */
	pid_t pid;		/* -p PID: only this VMM process */
	int driver;		/* DRV_AUTO, DRV_KVMLAB, DRV_KVM */
	const char *output;	/* -o FILE */
	char **cmd;		/* -- CMD...: trace while it runs */
};

enum { DRV_AUTO, DRV_KVMLAB, DRV_KVM };

/* Parse the common options; extra = the tool's own getopt letters (none
 * yet).  Exits on -h or a bad option.
 */
void opts_parse(struct opts *o, int argc, char **argv, const char *usage);

/* The tracefs events directory, or NULL with a message printed. */
const char *tracefs_events(const char *prog);
bool tp_exists(const char *sys, const char *event);
/* Offset of FIELD in SYS/EVENT's format file; -1 when absent. */
int tp_field_offset(const char *sys, const char *event, const char *field,
		    int *size);

struct field_check {
	const char *name;
	int offset;
	int size;
};
#define FIELD(type, f) { #f, offsetof(type, f), sizeof(((type *)0)->f) }

/* Every field's offset and size as the format file says; 0 or -1. */
int tp_check(const char *prog, const char *sys, const char *event,
	     const struct field_check *fields, size_t n);

/* Which drivers to attach to (after opts_parse): sets *kvmlab and *kvm.
 * Prints the reason and returns -1 if there is nothing to trace.
 */
int pick_drivers(const struct opts *o, bool *kvmlab, bool *kvm);

/* libbpf messages only with LIBBPF_DEBUG set; load errors explained. */
void setup_libbpf(void);
void explain_load_error(const char *prog, int err);

/* Run: start CMD if any, then wait for SIGINT, the duration or the child's
 * exit.  Returns the child's exit status (0 without one), -1 on error.
 */
int run_until_done(const struct opts *o);

/* The collected histograms. */
struct hist_entry {
	struct hist_key key;
	struct hist h;
};
/* Read every (key, hist) of MAP, sorted by kind, sub, tid. */
int hists_read(struct bpf_map *map, struct hist_entry **out, size_t *n);

/* bcc-style: "     usecs : count  distribution" with stars. */
void hist_print_log2(FILE *f, const struct hist *h, const char *unit);
void hist_print_linear(FILE *f, const struct hist *h, const char *unit);
/* JSON: {"count":..,"sum":..,"slots":[..]} */
void hist_print_json(FILE *f, const struct hist *h);
/* A tool's JSON report on stdout: json_begin prints {"tool":..,"unit":..,
 * "drivers":[..], then the tool its counters, each followed by a comma,
 * then json_hists the histograms, each {"tid":.., what FIELDS prints (each
 * field followed by a comma), "count":..}, and the closing }.
 */
void json_begin(const struct opts *o, bool kvmlab, bool kvm);
void json_hists(const struct hist_entry *v, size_t n,
		void (*fields)(const struct hist_key *k));

#include "names.h"

#endif

/* Programs: SEC("tracepoint/kvmlab/...") are loaded when kvmlab is traced,
 * SEC("tracepoint/kvm/...") and SEC("tracepoint/kvmmmu/...") when the
 * in-tree KVM is; a program whose tracepoint this kernel lacks is not loaded
 * (the tools check the ones they cannot do without first).
 */
struct attached {
	struct bpf_link *links[16];
	int n;
};
struct bpf_object;
void programs_select(struct bpf_object *obj, bool kvmlab, bool kvm);
int programs_attach(const char *prog, struct bpf_object *obj,
		    struct attached *a);
void programs_detach(struct attached *a);

/* The knobs of common.bpf.h, set between __open and __load. */
#define SET_COMMON_KNOBS(skel, o)					\
	do {								\
		(skel)->rodata->targ_ns = (o)->ns;			\
		(skel)->rodata->targ_per_thread = (o)->per_thread;	\
		(skel)->rodata->targ_tgid = (o)->pid;			\
	} while (0)

/* What a tool's main does, apart from its skeleton's type (tool_main in
 * common.c); TOOL_MAIN below fills it in over the skeleton's name.
 */
struct tool {
	const char *name;
	const char *usage;
	/* kvmlab's event layouts as the tool was built for: 0 or -1 */
	int (*kvmlab_check)(const char *prog);
	/* __open, then the common knobs: the skeleton, or NULL with errno */
	void *(*open)(const struct opts *o, struct bpf_object **obj,
		      struct bpf_map **hists);
	/* the in-tree KVM's event layouts into the knobs: 0 or -1 */
	int (*kvm_knobs)(const char *prog, void *skel);
	int (*load)(void *skel);
	void (*print)(const struct opts *o, const void *skel,
		      struct hist_entry *v, size_t n, bool kvmlab, bool kvm);
	void (*destroy)(void *skel);
};

/* Options, drivers, open, knobs, load, attach, run (run_until_done), then
 * print the histograms.  Returns main's exit status: CMD's, or 1.
 */
int tool_main(const struct tool *t, int argc, char **argv);

/* main() of the tool NAME, with its skeleton NAME.skel.h (struct
 * NAME_bpf), a usage text and these functions of its own:
 *   static int kvmlab_check(const char *prog);
 *   static int kvm_knobs(const char *prog, struct NAME_bpf *skel);
 *   static void print_json(PRINT_ARGS), print_text(PRINT_ARGS);
 * PRINT_ARGS: const struct opts *o, const struct NAME_bpf *skel,
 *             struct hist_entry *v, size_t n, bool kvmlab, bool kvm
 */
#define TOOL_MAIN(NAME, USAGE)						\
static void *tool_open(const struct opts *o, struct bpf_object **obj,	\
		       struct bpf_map **hists)				\
{									\
	struct NAME##_bpf *skel = NAME##_bpf__open();			\
									\
	if (skel) {							\
		SET_COMMON_KNOBS(skel, o);				\
		*obj = skel->obj;					\
		*hists = skel->maps.hists;				\
	}								\
	return skel;							\
}									\
static int tool_kvm_knobs(const char *prog, void *skel)			\
{									\
	return kvm_knobs(prog, skel);					\
}									\
static int tool_load(void *skel)					\
{									\
	return NAME##_bpf__load(skel);					\
}									\
static void tool_print(const struct opts *o, const void *skel,		\
		       struct hist_entry *v, size_t n, bool kvmlab,	\
		       bool kvm)					\
{									\
	if (o->json)							\
		print_json(o, skel, v, n, kvmlab, kvm);			\
	else								\
		print_text(o, skel, v, n, kvmlab, kvm);			\
}									\
static void tool_destroy(void *skel)					\
{									\
	NAME##_bpf__destroy(skel);					\
}									\
int main(int argc, char **argv)						\
{									\
	static const struct tool t = {					\
		.name = #NAME,						\
		.usage = USAGE,						\
		.kvmlab_check = kvmlab_check,				\
		.open = tool_open,					\
		.kvm_knobs = tool_kvm_knobs,				\
		.load = tool_load,					\
		.print = tool_print,					\
		.destroy = tool_destroy,				\
	};								\
									\
	return tool_main(&t, argc, argv);				\
}

/* kvm:kvm_exit's exit_reason offset, or -1 with a message. */
int kvm_exit_reason_offset(const char *prog);

/* Offset of SYS:EVENT's FIELD, which must be SIZE bytes, for a BPF knob;
 * -1 with a message naming what is missing.
 */
int kvm_field_offset(const char *prog, const char *sys, const char *event,
		     const char *field, int size);

/* The N of the Nth (from 0) "REC->FIELD == N" in SYS:EVENT's print fmt,
 * provided the print fmt has TEXT (how 6.1's kvmmmu:fast_page_fault shows
 * its return codes: "spurious %d fixed %d", REC->ret == 5, REC->ret == 4);
 * -1 if it does not.
 */
long tp_fmt_value(const char *sys, const char *event, const char *text,
		  const char *field, int nth);
