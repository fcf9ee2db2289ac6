// SPDX-License-Identifier: GPL-2.0
/* faultlat: shadow-fault handling time by outcome (kvmlab only: the in-tree
 * KVM has no event with the outcome of a shadow fault).
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

int main(int argc, char **argv)
{
	struct opts o = { .prog = "faultlat", .driver = DRV_KVMLAB };
	const char *unit;
	struct faultlat_bpf *skel = NULL;
	struct attached a = { 0 };
	struct hist_entry *v = NULL;
	bool kvmlab, kvm;
	size_t i, n = 0;
	int err, ret = 1, status;

	opts_parse(&o, argc, argv,
		   "Shadow page fault handling time (#PF exit to entry) by outcome; kvmlab only.\n");
	if (o.driver == DRV_KVM) {
		fprintf(stderr, "faultlat: the in-tree KVM has no shadow-fault outcome event; kvmlab only\n");
		return 1;
	}
	if (pick_drivers(&o, &kvmlab, &kvm))
		return 1;
	if (tp_check(o.prog, "kvmlab", "kvmlab_exit", exit_fields, 1) ||
	    tp_check(o.prog, "kvmlab", "kvmlab_shadow_fault", fault_fields, 1))
		return 1;
	unit = o.ns ? "nsecs" : "usecs";
	setup_libbpf();
	skel = faultlat_bpf__open();
	if (!skel) {
		fprintf(stderr, "faultlat: cannot open the BPF object: %s\n",
			strerror(errno));
		return 1;
	}
	SET_COMMON_KNOBS(skel, &o);
	err = faultlat_bpf__load(skel);
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
	if (o.json) {
		printf("{\"tool\":\"faultlat\",\"unit\":\"%s\",\"pf_exits\":%llu,"
		       "\"fault_events\":%llu,\"outside\":%llu,\"hists\":[",
		       unit, (unsigned long long)skel->bss->pf_exits,
		       (unsigned long long)skel->bss->fault_events,
		       (unsigned long long)skel->bss->outside);
		for (i = 0; i < n; i++) {
			printf("%s\n{\"tid\":%u,\"outcome\":\"%s\",", i ? "," : "",
			       v[i].key.tid, pf_outcome_name(v[i].key.sub));
			hist_print_json(stdout, &v[i].h);
			printf("}");
		}
		printf("]}\n");
	} else {
		for (i = 0; i < n; i++) {
			if (o.per_thread)
				printf("\ntid %u", v[i].key.tid);
			printf("\nshadow fault outcome %s: %llu samples, avg %llu %s\n",
			       pf_outcome_name(v[i].key.sub),
			       (unsigned long long)v[i].h.count,
			       (unsigned long long)(v[i].h.sum / v[i].h.count),
			       unit);
			hist_print_log2(stdout, &v[i].h, unit);
		}
		printf("\n#PF exits %llu, shadow fault events %llu (%llu outside a #PF exit)\n",
		       (unsigned long long)skel->bss->pf_exits,
		       (unsigned long long)skel->bss->fault_events,
		       (unsigned long long)skel->bss->outside);
	}
	ret = status;
cleanup:
	programs_detach(&a);
	free(v);
	faultlat_bpf__destroy(skel);
	return ret;
}
