// SPDX-License-Identifier: GPL-2.0
/* exitlat: log2 histograms of the time in the hypervisor per exit reason
 * (exit to the next entry on the same vCPU thread) and of the time in the
 * guest (entry to exit), on kvmlab and/or the in-tree KVM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "kvmlab_tp.h"
#include "exitlat.h"
#include "exitlat.skel.h"

static const struct field_check exit_fields[] = {
	FIELD(struct kvmlab_exit_rec, exit_code),
};

static int kvmlab_check(const char *prog)
{
	return tp_check(prog, "kvmlab", "kvmlab_exit", exit_fields, 1);
}

static int kvm_knobs(const char *prog, struct exitlat_bpf *skel)
{
	int off = kvm_exit_reason_offset(prog);

	if (off < 0)
		return -1;
	skel->rodata->kvm_exit_reason_off = off;
	return 0;
}

static void print_text(const struct opts *o, const struct exitlat_bpf *skel,
		       struct hist_entry *v, size_t n, bool kvmlab, bool kvm)
{
	const char *unit = o->ns ? "nsecs" : "usecs";
	size_t i;

	(void)kvmlab;
	(void)kvm;
	for (i = 0; i < n; i++) {
		const struct hist_key *k = &v[i].key;

		if (o->per_thread)
			printf("\ntid %u ", k->tid);
		else
			printf("\n");
		if (k->kind == EXITLAT_GUEST)
			printf("in guest (entry to exit): %llu samples, avg %llu %s\n",
			       (unsigned long long)v[i].h.count,
			       (unsigned long long)(v[i].h.sum / v[i].h.count),
			       unit);
		else
			printf("in hypervisor, exit reason %s (exit to entry): %llu samples, avg %llu %s\n",
			       exit_name(k->sub),
			       (unsigned long long)v[i].h.count,
			       (unsigned long long)(v[i].h.sum / v[i].h.count),
			       unit);
		hist_print_log2(stdout, &v[i].h, unit);
	}
	printf("\nexits %llu entries %llu\n",
	       (unsigned long long)skel->bss->exits_seen,
	       (unsigned long long)skel->bss->entries_seen);
}

static void json_fields(const struct hist_key *k)
{
	printf("\"kind\":\"%s\",",
	       k->kind == EXITLAT_GUEST ? "guest" : "hypervisor");
	if (k->kind == EXITLAT_HYP)
		printf("\"reason\":\"%s\",\"code\":%llu,",
		       exit_name(k->sub), (unsigned long long)k->sub);
}

static void print_json(const struct opts *o, const struct exitlat_bpf *skel,
		       struct hist_entry *v, size_t n, bool kvmlab, bool kvm)
{
	json_begin(o, kvmlab, kvm);
	printf("\"exits\":%llu,\"entries\":%llu,",
	       (unsigned long long)skel->bss->exits_seen,
	       (unsigned long long)skel->bss->entries_seen);
	json_hists(v, n, json_fields);
}

TOOL_MAIN(exitlat,
	  "Time in the hypervisor per exit reason and time in the guest.\n")
