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

static void print_text(const struct opts *o, struct hist_entry *v, size_t n,
		       const struct exitlat_bpf *skel)
{
	const char *unit = o->ns ? "nsecs" : "usecs";
	size_t i;

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
			       svm_exit_name(k->sub),
			       (unsigned long long)v[i].h.count,
			       (unsigned long long)(v[i].h.sum / v[i].h.count),
			       unit);
		hist_print_log2(stdout, &v[i].h, unit);
	}
	printf("\nexits %llu entries %llu\n",
	       (unsigned long long)skel->bss->exits_seen,
	       (unsigned long long)skel->bss->entries_seen);
}

static void print_json(const struct opts *o, struct hist_entry *v, size_t n,
		       const struct exitlat_bpf *skel, bool kvmlab, bool kvm)
{
	size_t i;

	printf("{\"tool\":\"exitlat\",\"unit\":\"%s\",\"drivers\":[%s%s%s],"
	       "\"exits\":%llu,\"entries\":%llu,\"hists\":[",
	       o->ns ? "nsecs" : "usecs", kvmlab ? "\"kvmlab\"" : "",
	       kvmlab && kvm ? "," : "", kvm ? "\"kvm\"" : "",
	       (unsigned long long)skel->bss->exits_seen,
	       (unsigned long long)skel->bss->entries_seen);
	for (i = 0; i < n; i++) {
		const struct hist_key *k = &v[i].key;

		printf("%s\n{\"tid\":%u,\"kind\":\"%s\",", i ? "," : "",
		       k->tid, k->kind == EXITLAT_GUEST ? "guest" : "hypervisor");
		if (k->kind == EXITLAT_HYP)
			printf("\"reason\":\"%s\",\"code\":%llu,",
			       svm_exit_name(k->sub),
			       (unsigned long long)k->sub);
		hist_print_json(stdout, &v[i].h);
		printf("}");
	}
	printf("]}\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .prog = "exitlat" };
	struct exitlat_bpf *skel = NULL;
	struct attached a = { 0 };
	struct hist_entry *v = NULL;
	bool kvmlab, kvm;
	size_t n = 0;
	int err, ret = 1, status = 0;

	opts_parse(&o, argc, argv,
		   "Time in the hypervisor per exit reason and time in the guest.\n");
	if (pick_drivers(&o, &kvmlab, &kvm))
		return 1;
	if (kvmlab && tp_check(o.prog, "kvmlab", "kvmlab_exit", exit_fields, 1))
		return 1;
	setup_libbpf();
	skel = exitlat_bpf__open();
	if (!skel) {
		fprintf(stderr, "exitlat: cannot open the BPF object: %s\n",
			strerror(errno));
		return 1;
	}
	SET_COMMON_KNOBS(skel, &o);
	if (kvm) {
		int off = kvm_exit_reason_offset(o.prog);

		if (off < 0)
			goto cleanup;
		skel->rodata->kvm_exit_reason_off = off;
	}
	programs_select(skel->obj, kvmlab, kvm);
	err = exitlat_bpf__load(skel);
	if (err) {
		explain_load_error(o.prog, err);
		goto cleanup;
	}
	if (programs_attach(o.prog, skel->obj, &a))
		goto cleanup;
	status = run_until_done(&o);
	if (status < 0)
		goto cleanup;
	programs_detach(&a);
	if (hists_read(skel->maps.hists, &v, &n))
		goto cleanup;
	if (o.json)
		print_json(&o, v, n, skel, kvmlab, kvm);
	else
		print_text(&o, v, n, skel);
	ret = status;
cleanup:
	programs_detach(&a);
	free(v);
	exitlat_bpf__destroy(skel);
	return ret;
}
