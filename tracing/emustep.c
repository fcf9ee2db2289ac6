// SPDX-License-Identifier: GPL-2.0
/* emustep: emulator steps per instruction and their time (kvmlab only:
 * the in-tree KVM traces one kvm_emulate_insn per instruction, no steps).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "kvmlab_tp.h"
#include "emustep.h"
#include "emustep.skel.h"

static const struct field_check emu_fields[] = {
	FIELD(struct kvmlab_emulate_rec, step),
};

static const char *kind_name(const struct hist_key *k)
{
	if (k->kind == EMUSTEP_STEP)
		return emul_step_name(k->sub);
	return k->kind == EMUSTEP_INSN ? "instruction" : "steps";
}

int main(int argc, char **argv)
{
	struct opts o = { .prog = "emustep", .driver = DRV_KVMLAB };
	const char *unit;
	struct emustep_bpf *skel = NULL;
	struct attached a = { 0 };
	struct hist_entry *v = NULL;
	bool kvmlab, kvm;
	size_t i, n = 0;
	int err, ret = 1, status;

	opts_parse(&o, argc, argv,
		   "Emulator steps per instruction and their time; kvmlab only.\n");
	if (o.driver == DRV_KVM) {
		fprintf(stderr, "emustep: the in-tree KVM has no emulator-step event; kvmlab only\n");
		return 1;
	}
	if (pick_drivers(&o, &kvmlab, &kvm))
		return 1;
	if (tp_check(o.prog, "kvmlab", "kvmlab_emulate", emu_fields, 1))
		return 1;
	unit = o.ns ? "nsecs" : "usecs";
	setup_libbpf();
	skel = emustep_bpf__open();
	if (!skel) {
		fprintf(stderr, "emustep: cannot open the BPF object: %s\n",
			strerror(errno));
		return 1;
	}
	SET_COMMON_KNOBS(skel, &o);
	err = emustep_bpf__load(skel);
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
		printf("{\"tool\":\"emustep\",\"unit\":\"%s\",\"step_events\":%llu,"
		       "\"instructions\":%llu,\"hists\":[", unit,
		       (unsigned long long)skel->bss->step_events,
		       (unsigned long long)skel->bss->fetches);
		for (i = 0; i < n; i++) {
			printf("%s\n{\"tid\":%u,\"kind\":\"%s\",", i ? "," : "",
			       v[i].key.tid, kind_name(&v[i].key));
			hist_print_json(stdout, &v[i].h);
			printf("}");
		}
		printf("]}\n");
	} else {
		for (i = 0; i < n; i++) {
			const struct hist *h = &v[i].h;
			const struct hist_key *k = &v[i].key;

			if (o.per_thread)
				printf("\ntid %u", k->tid);
			if (k->kind == EMUSTEP_STEPS) {
				printf("\nsteps per instruction: %llu instructions\n",
				       (unsigned long long)h->count);
				hist_print_linear(stdout, h, "steps");
				continue;
			}
			if (k->kind == EMUSTEP_STEP)
				printf("\nstep %s (since the previous step or the exit): %llu, avg %llu %s\n",
				       kind_name(k), (unsigned long long)h->count,
				       (unsigned long long)(h->sum / h->count), unit);
			else
				printf("\ninstruction (fetch to entry): %llu, avg %llu %s\n",
				       (unsigned long long)h->count,
				       (unsigned long long)(h->sum / h->count), unit);
			hist_print_log2(stdout, h, unit);
		}
		printf("\nkvmlab_emulate events %llu, instructions %llu\n",
		       (unsigned long long)skel->bss->step_events,
		       (unsigned long long)skel->bss->fetches);
	}
	ret = status;
cleanup:
	programs_detach(&a);
	free(v);
	emustep_bpf__destroy(skel);
	return ret;
}
