// SPDX-License-Identifier: GPL-2.0
/* cr3cost: what a guest CR3 switch costs (exit to entry around it), by what
 * became of the root, and the shadow pages dropped with it; on kvmlab
 * (kvmlab_cr3_switch) and on the in-tree KVM (CR3-write exits, kvmmmu).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "kvmlab_tp.h"
#include "cr3cost.h"
#include "cr3cost.skel.h"

static const struct field_check sw_fields[] = {
	FIELD(struct kvmlab_cr3_switch_rec, reused),
	FIELD(struct kvmlab_cr3_switch_rec, dropped),
};

static const char usage[] =
	"Cost of a guest CR3 switch (the exit to the next entry) by what became\n"
	"of the root, and the shadow pages dropped per switch.\n"
	"  kvmlab: around each kvmlab_cr3_switch; reused = the root's shadow\n"
	"    pages found in the cache (mmu=cache), rebuilt = made anew.\n"
	"  in-tree KVM: exits that write CR3 (SVM's write_cr3 exit, or\n"
	"    kvm:kvm_cr writing CR3); rebuilt = a kvmmmu:kvm_mmu_get_page\n"
	"    created a page, reused = it found existing shadow pages (what\n"
	"    kvmlab's cache does), cached = no look-up: one of KVM's cached\n"
	"    previous roots was taken (kvmlab has no such cache); dropped =\n"
	"    kvmmmu:kvm_mmu_prepare_zap_page events in the exit.  With npt the\n"
	"    guest's CR3 writes do not exit: nothing to measure, on either.\n";

static const char *root_name(__u64 sub)
{
	static const char *const names[] = { "rebuilt", "reused", "cached" };

	return sub <= ROOT_CACHED ? names[sub] : "?";
}

static int kvmlab_check(const char *prog)
{
	return tp_check(prog, "kvmlab", "kvmlab_cr3_switch", sw_fields, 2);
}

static int kvm_knobs(const char *prog, struct cr3cost_bpf *skel)
{
	struct cr3cost_bpf__rodata *r = skel->rodata;
	int off;

	if ((off = kvm_exit_reason_offset(prog)) < 0)
		return -1;
	r->kvm_exit_reason_off = off;
	if ((off = kvm_field_offset(prog, "kvm", "kvm_exit", "isa", 4)) < 0)
		return -1;
	r->kvm_exit_isa_off = off;
	if ((off = kvm_field_offset(prog, "kvm", "kvm_cr", "rw", 4)) < 0)
		return -1;
	r->kvm_cr_rw_off = off;
	if ((off = kvm_field_offset(prog, "kvm", "kvm_cr", "cr", 4)) < 0)
		return -1;
	r->kvm_cr_cr_off = off;
	if ((off = kvm_field_offset(prog, "kvmmmu", "kvm_mmu_get_page",
				    "created", 1)) < 0)
		return -1;
	r->kvm_created_off = off;
	if (!tp_exists("kvmmmu", "kvm_mmu_prepare_zap_page")) {
		fprintf(stderr, "%s: no kvmmmu:kvm_mmu_prepare_zap_page tracepoint: dropped pages cannot be counted\n",
			prog);
		return -1;
	}
	return 0;
}

static void json_fields(const struct hist_key *k)
{
	printf("\"kind\":\"%s\",\"root\":\"%s\",",
	       k->kind == CR3COST_TIME ? "time" : "dropped",
	       root_name(k->sub));
}

static void print_json(const struct opts *o, const struct cr3cost_bpf *skel,
		       struct hist_entry *v, size_t n, bool kvmlab, bool kvm)
{
	json_begin(o, kvmlab, kvm);
	printf("\"switch_events\":%llu,\"dropped\":%llu,\"multi\":%llu,"
	       "\"kvm_cr3_writes\":%llu,\"kvm_cr_events\":%llu,"
	       "\"kvm_dropped\":%llu,",
	       (unsigned long long)skel->bss->switch_events,
	       (unsigned long long)skel->bss->dropped_total,
	       (unsigned long long)skel->bss->multi,
	       (unsigned long long)skel->bss->kvm_cr3_writes,
	       (unsigned long long)skel->bss->kvm_cr_events,
	       (unsigned long long)skel->bss->kvm_dropped);
	json_hists(v, n, json_fields);
}

static void print_text(const struct opts *o, const struct cr3cost_bpf *skel,
		       struct hist_entry *v, size_t n, bool kvmlab, bool kvm)
{
	const char *unit = o->ns ? "nsecs" : "usecs";
	size_t i;

	for (i = 0; i < n; i++) {
		const struct hist *h = &v[i].h;

		if (o->per_thread)
			printf("\ntid %u", v[i].key.tid);
		if (v[i].key.kind == CR3COST_TIME) {
			printf("\nCR3 switch, root %s: %llu switches, avg %llu %s\n",
			       root_name(v[i].key.sub),
			       (unsigned long long)h->count,
			       (unsigned long long)(h->sum / h->count), unit);
			hist_print_log2(stdout, h, unit);
		} else {
			printf("\nshadow pages dropped per switch, root %s: %llu in all\n",
			       root_name(v[i].key.sub),
			       (unsigned long long)h->sum);
			hist_print_log2(stdout, h, "pages");
		}
	}
	printf("\n");
	if (kvmlab)
		printf("kvmlab: kvmlab_cr3_switch events %llu, shadow pages dropped %llu\n",
		       (unsigned long long)skel->bss->switch_events,
		       (unsigned long long)skel->bss->dropped_total);
	if (kvm)
		printf("in-tree KVM: exits writing CR3 %llu (kvm_cr CR3 writes %llu), shadow pages dropped %llu\n",
		       (unsigned long long)skel->bss->kvm_cr3_writes,
		       (unsigned long long)skel->bss->kvm_cr_events,
		       (unsigned long long)skel->bss->kvm_dropped);
}

TOOL_MAIN(cr3cost, usage)
