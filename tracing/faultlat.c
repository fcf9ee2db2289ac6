// SPDX-License-Identifier: GPL-2.0
/* faultlat: page-fault handling time by outcome, on kvmlab (its shadow
 * faults, keyed by kvmlab_shadow_fault's outcome) and on the in-tree KVM
 * (kvm:kvm_page_fault, keyed by what the kvm/kvmmmu events in between
 * show: see tracing/README.md for the mapping).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "kvmlab_tp.h"
#include "faultlat.h"
#include "faultlat.skel.h"

static const struct field_check exit_fields[] = {
	FIELD(struct kvmlab_exit_rec, exit_code),
};
static const struct field_check fault_fields[] = {
	FIELD(struct kvmlab_shadow_fault_rec, outcome),
};

static const char usage[] =
	"Page-fault handling time (the exit to the next entry) by outcome.\n"
	"  kvmlab: #PF exits (shadow MMUs), keyed by the first\n"
	"    kvmlab_shadow_fault outcome: fixed injected mmio wp-hit, or none.\n"
	"  in-tree KVM: the exits with a kvm:kvm_page_fault (#PF intercepts with\n"
	"    npt=0, #NPF exits with npt=1), keyed by the strongest evidence seen\n"
	"    before the entry: mmio (kvmmmu:mark_mmio_spte, handle_mmio_page_fault,\n"
	"    or RSVD in the error code), injected (kvm:kvm_inj_exception #PF),\n"
	"    wp-hit (kvm:kvm_emulate_insn: a write to a shadowed page table),\n"
	"    fixed (kvmmmu:kvm_mmu_spte_requested, fast_page_fault fixed),\n"
	"    spurious (fast_page_fault spurious), else unknown.  Under npt=1 the\n"
	"    guest's own #PFs never exit: the faults are nested (#NPF) ones.\n";

static int kvmlab_check(const char *prog)
{
	return tp_check(prog, "kvmlab", "kvmlab_exit", exit_fields, 1) ||
	       tp_check(prog, "kvmlab", "kvmlab_shadow_fault", fault_fields, 1);
}

/* The in-tree events' layouts, from their format files, into the knobs. */
static int kvm_knobs(const char *prog, struct faultlat_bpf *skel)
{
	struct faultlat_bpf__rodata *r = skel->rodata;
	int off;

	if ((off = kvm_field_offset(prog, "kvm", "kvm_page_fault",
				    "error_code", 8)) < 0)
		return -1;
	r->kvm_pf_error_off = off;
	if (tp_exists("kvm", "kvm_inj_exception")) {
		if ((off = kvm_field_offset(prog, "kvm", "kvm_inj_exception",
					    "exception", 1)) < 0)
			return -1;
		r->kvm_inj_vector_off = off;
		if ((off = kvm_field_offset(prog, "kvm", "kvm_inj_exception",
					    "reinjected", 1)) < 0)
			return -1;
		r->kvm_inj_reinj_off = off;
	}
	if (tp_exists("kvmmmu", "fast_page_fault")) {
		if ((off = kvm_field_offset(prog, "kvmmmu", "fast_page_fault",
					    "ret", 4)) < 0)
			return -1;
		r->kvm_fast_ret_off = off;
		r->kvm_ret_spurious = tp_fmt_value("kvmmmu", "fast_page_fault",
						   "spurious %d fixed %d",
						   "ret", 0);
		r->kvm_ret_fixed = tp_fmt_value("kvmmmu", "fast_page_fault",
						"spurious %d fixed %d", "ret", 1);
	}
	return 0;
}

static void json_fields(const struct hist_key *k)
{
	printf("\"outcome\":\"%s\",", pf_outcome_name(k->sub));
}

static void print_json(const struct opts *o, const struct faultlat_bpf *skel,
		       struct hist_entry *v, size_t n, bool kvmlab, bool kvm)
{
	json_begin(o, kvmlab, kvm);
	printf("\"pf_exits\":%llu,\"fault_events\":%llu,\"outside\":%llu,"
	       "\"kvm_page_faults\":%llu,\"kvm_unended\":%llu,",
	       (unsigned long long)skel->bss->pf_exits,
	       (unsigned long long)skel->bss->fault_events,
	       (unsigned long long)skel->bss->outside,
	       (unsigned long long)skel->bss->kvm_pf_events,
	       (unsigned long long)skel->bss->kvm_unended);
	json_hists(v, n, json_fields);
}

static void print_text(const struct opts *o, const struct faultlat_bpf *skel,
		       struct hist_entry *v, size_t n, bool kvmlab, bool kvm)
{
	const char *unit = o->ns ? "nsecs" : "usecs";
	size_t i;

	for (i = 0; i < n; i++) {
		if (o->per_thread)
			printf("\ntid %u", v[i].key.tid);
		printf("\nfault outcome %s: %llu samples, avg %llu %s\n",
		       pf_outcome_name(v[i].key.sub),
		       (unsigned long long)v[i].h.count,
		       (unsigned long long)(v[i].h.sum / v[i].h.count), unit);
		hist_print_log2(stdout, &v[i].h, unit);
	}
	printf("\n");
	if (kvmlab)
		printf("kvmlab: #PF exits %llu, shadow fault events %llu (%llu outside a #PF exit)\n",
		       (unsigned long long)skel->bss->pf_exits,
		       (unsigned long long)skel->bss->fault_events,
		       (unsigned long long)skel->bss->outside);
	if (kvm)
		printf("in-tree KVM: kvm_page_fault events %llu (%llu with no entry after them)\n",
		       (unsigned long long)skel->bss->kvm_pf_events,
		       (unsigned long long)skel->bss->kvm_unended);
}

TOOL_MAIN(faultlat, usage)
