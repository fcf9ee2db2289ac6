// SPDX-License-Identifier: GPL-2.0
/* emustep: emulator steps per instruction and their time on kvmlab
 * (kvmlab_emulate, one event per step); per instruction on the in-tree KVM
 * (kvm:kvm_emulate_insn, one event per decoded instruction, no steps).
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

static const char usage[] =
	"Emulator steps per instruction and their time.\n"
	"  kvmlab: kvmlab_emulate traces every step (fetch decode execute\n"
	"    writeback): a step's time runs from the previous step (or the exit),\n"
	"    an instruction from its fetch to the next entry (an MMIO trip to\n"
	"    userspace included) or the next fetch.\n"
	"  in-tree KVM: kvm:kvm_emulate_insn is traced once per instruction,\n"
	"    after it is decoded, and again with failed=1 if the emulation fails;\n"
	"    no steps: \"decoded\" is the exit (or the previous instruction) to\n"
	"    that event, an instruction from it to the next entry or the next\n"
	"    instruction.  KVM also decodes to skip an instruction when the CPU\n"
	"    gives no next RIP (SVM without nrips, as in the lab): those count.\n";

static int kvmlab_check(const char *prog)
{
	return tp_check(prog, "kvmlab", "kvmlab_emulate", emu_fields, 1);
}

static int kvm_knobs(const char *prog, struct emustep_bpf *skel)
{
	int off = kvm_field_offset(prog, "kvm", "kvm_emulate_insn", "failed",
				   1);

	if (off < 0)
		return -1;
	skel->rodata->kvm_failed_off = off;
	return 0;
}

static const char *kind_name(const struct hist_key *k)
{
	if (k->kind == EMUSTEP_STEP)
		return emul_step_name(k->sub);
	if (k->kind == EMUSTEP_DECODED)
		return "decoded";
	if (k->kind == EMUSTEP_INSN)
		return k->sub ? "instruction-failed" : "instruction";
	return "steps";
}

static void json_fields(const struct hist_key *k)
{
	printf("\"kind\":\"%s\",", kind_name(k));
}

static void print_json(const struct opts *o, const struct emustep_bpf *skel,
		       struct hist_entry *v, size_t n, bool kvmlab, bool kvm)
{
	json_begin(o, kvmlab, kvm);
	printf("\"step_events\":%llu,\"instructions\":%llu,"
	       "\"kvm_instructions\":%llu,\"kvm_failed\":%llu,",
	       (unsigned long long)skel->bss->step_events,
	       (unsigned long long)skel->bss->fetches,
	       (unsigned long long)skel->bss->kvm_insns,
	       (unsigned long long)skel->bss->kvm_failed);
	json_hists(v, n, json_fields);
}

static void print_text(const struct opts *o, const struct emustep_bpf *skel,
		       struct hist_entry *v, size_t n, bool kvmlab, bool kvm)
{
	const char *unit = o->ns ? "nsecs" : "usecs";
	size_t i;

	for (i = 0; i < n; i++) {
		const struct hist *h = &v[i].h;
		const struct hist_key *k = &v[i].key;

		if (o->per_thread)
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
		else if (k->kind == EMUSTEP_DECODED)
			printf("\ndecoded (the exit or the previous instruction to kvm_emulate_insn): %llu, avg %llu %s\n",
			       (unsigned long long)h->count,
			       (unsigned long long)(h->sum / h->count), unit);
		else
			printf("\n%s (%s to entry): %llu, avg %llu %s\n",
			       kind_name(k), kvm ? "decoded" : "fetch",
			       (unsigned long long)h->count,
			       (unsigned long long)(h->sum / h->count), unit);
		hist_print_log2(stdout, h, unit);
	}
	printf("\n");
	if (kvmlab)
		printf("kvmlab: kvmlab_emulate events %llu, instructions %llu\n",
		       (unsigned long long)skel->bss->step_events,
		       (unsigned long long)skel->bss->fetches);
	if (kvm)
		printf("in-tree KVM: kvm_emulate_insn instructions %llu, failed %llu\n",
		       (unsigned long long)skel->bss->kvm_insns,
		       (unsigned long long)skel->bss->kvm_failed);
}

TOOL_MAIN(emustep, usage)
