// SPDX-License-Identifier: GPL-2.0
/* cr3cost: what a guest CR3 switch costs (exit to entry around the
 * kvmlab_cr3_switch), root reused vs rebuilt, and the shadow pages it
 * dropped.  kvmlab only: the in-tree KVM has no root-reuse event.
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

int main(int argc, char **argv)
{
	struct opts o = { .prog = "cr3cost", .driver = DRV_KVMLAB };
	const char *unit;
	struct cr3cost_bpf *skel = NULL;
	struct attached a = { 0 };
	struct hist_entry *v = NULL;
	bool kvmlab, kvm;
	size_t i, n = 0;
	int err, ret = 1, status;

	opts_parse(&o, argc, argv,
		   "Cost of a guest CR3 switch (exit to entry), root reused vs rebuilt, pages dropped; kvmlab only.\n");
	if (o.driver == DRV_KVM) {
		fprintf(stderr, "cr3cost: the in-tree KVM has no CR3-switch event; kvmlab only\n");
		return 1;
	}
	if (pick_drivers(&o, &kvmlab, &kvm))
		return 1;
	if (tp_check(o.prog, "kvmlab", "kvmlab_cr3_switch", sw_fields, 2))
		return 1;
	unit = o.ns ? "nsecs" : "usecs";
	setup_libbpf();
	skel = cr3cost_bpf__open();
	if (!skel) {
		fprintf(stderr, "cr3cost: cannot open the BPF object: %s\n",
			strerror(errno));
		return 1;
	}
	SET_COMMON_KNOBS(skel, &o);
	err = cr3cost_bpf__load(skel);
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
		printf("{\"tool\":\"cr3cost\",\"unit\":\"%s\",\"switch_events\":%llu,"
		       "\"dropped\":%llu,\"multi\":%llu,\"hists\":[", unit,
		       (unsigned long long)skel->bss->switch_events,
		       (unsigned long long)skel->bss->dropped_total,
		       (unsigned long long)skel->bss->multi);
		for (i = 0; i < n; i++) {
			printf("%s\n{\"tid\":%u,\"kind\":\"%s\",\"root\":\"%s\",",
			       i ? "," : "", v[i].key.tid,
			       v[i].key.kind == CR3COST_TIME ? "time" : "dropped",
			       v[i].key.sub ? "reused" : "rebuilt");
			hist_print_json(stdout, &v[i].h);
			printf("}");
		}
		printf("]}\n");
	} else {
		for (i = 0; i < n; i++) {
			const struct hist *h = &v[i].h;

			if (o.per_thread)
				printf("\ntid %u", v[i].key.tid);
			if (v[i].key.kind == CR3COST_TIME) {
				printf("\nCR3 switch, root %s: %llu switches, avg %llu %s\n",
				       v[i].key.sub ? "reused" : "rebuilt",
				       (unsigned long long)h->count,
				       (unsigned long long)(h->sum / h->count), unit);
				hist_print_log2(stdout, h, unit);
			} else {
				printf("\nshadow pages dropped per switch, root %s: %llu in all\n",
				       v[i].key.sub ? "reused" : "rebuilt",
				       (unsigned long long)h->sum);
				hist_print_log2(stdout, h, "pages");
			}
		}
		printf("\nkvmlab_cr3_switch events %llu, shadow pages dropped %llu\n",
		       (unsigned long long)skel->bss->switch_events,
		       (unsigned long long)skel->bss->dropped_total);
	}
	ret = status;
cleanup:
	programs_detach(&a);
	free(v);
	cr3cost_bpf__destroy(skel);
	return ret;
}
