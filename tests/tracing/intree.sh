# tests/tracing/intree.sh: sourced by tests/tracing/run (its helpers: check,
# pass, fail, traced, jq1, tcount, $out, $tr, $vmrun).  The four BPF tools
# with --kvm on the in-tree KVM, nested around one run of several guests;
# every count checked against the kvm/kvmmmu events of the same run in the
# top-level buffer, classified by tests/tracing/intree.awk, and against
# vmrun's counters from the binary stats fd (# KSTAT).

# the events the oracle reads: what the tools attach to, nothing more
intree_events="kvm/kvm_exit kvm/kvm_entry kvm/kvm_page_fault kvm/kvm_cr
	kvm/kvm_inj_exception kvm/kvm_emulate_insn kvmmmu/mark_mmio_spte
	kvmmmu/handle_mmio_page_fault kvmmmu/kvm_mmu_spte_requested
	kvmmmu/fast_page_fault kvmmmu/kvm_mmu_get_page
	kvmmmu/kvm_mmu_prepare_zap_page"

# the guests: CR3 switches, MMIO, and (forkexec) page-table writes, #PFs
# injected; small: every event of theirs is in the trace
intree_guests() {
	local g
	for g in "cr3switch --arg 2=5" mmio "forkexec --arg 0=8"; do
		# shellcheck disable=SC2086
		$vmrun --dev /dev/kvm --timeout 60 --quiet --expect-exit HLT \
			guests/prot32/${g%% *}.elf ${g#"${g%% *}"} ||
			echo "vmrun ${g%% *}: status $?" >&2
	done
}

# intree_load NAME: the run's numbers into J (the tools' JSON: TOOL.KEY
# for each number, TOOL.h.KIND.SUB for each histogram's count), O (the
# oracle, tests/tracing/intree.awk) and K (vmrun's "# KSTAT" counters,
# summed over the guests); one jq and one awk, not one per check: each
# costs half a second in the lab.
declare -A J O K
intree_load() {
	local k v x y
	J=() O=() K=()
	# (no process substitution: the lab has no /dev/fd)
	jq -rn '
		inputs | . as $d |
		(to_entries[] | select(.value | type == "number") |
			"\($d.tool).\(.key) \(.value)"),
		($d.hists | group_by([.kind, .outcome, .root])[] |
			"\($d.tool).h.\(.[0].kind // "-").\(.[0].outcome // .[0].root // "-") \(map(.count) | add)")' \
		"$out/$1"-{exitlat,faultlat,cr3cost,emustep}.json >"$out/$1.json-values"
	while read -r k v; do J[$k]=$v; done <"$out/$1.json-values"
	awk -f tests/tracing/intree.awk "$out/$1.trace" | sort >"$out/$1.oracle"
	while read -r k v; do O[$k]=$v; done <"$out/$1.oracle"
	while read -r x y k v; do
		[ "$x $y" = "# KSTAT" ] && K[$k]=$(( ${K[$k]:-0} + v ))
	done <"$out/$1.vmrun"
}

# jsum PREFIX: the sum of the J values whose keys start with PREFIX
jsum() {
	local k t=0
	for k in "${!J[@]}"; do [[ $k == "$1"* ]] && t=$((t + J[$k])); done
	echo $t
}

# intree_run NPT: load the in-tree KVM with npt=NPT, run, check, unload
intree_run() {
	local n=kvm$1 exits pf o r
	lab/kvm-intree load npt="$1" || { fail "$n-load" "lab/kvm-intree load npt=$1"; return; }
	export -f intree_guests
	export vmrun
	# shellcheck disable=SC2086
	traced "$n" "$intree_events" \
		$tr/exitlat --kvm -j -o "$out/$n-exitlat.json" -- \
		$tr/faultlat --kvm -j -o "$out/$n-faultlat.json" -- \
		$tr/cr3cost --kvm -j -o "$out/$n-cr3cost.json" -- \
		$tr/emustep --kvm -j -o "$out/$n-emustep.json" -- \
		bash -c intree_guests >"$out/$n.vmrun" 2>&1
	lab/kvm-intree unload
	grep -q 'vmrun .*: status' "$out/$n.vmrun" &&
		fail "$n-guests" "$(grep 'vmrun .*: status' "$out/$n.vmrun" | tr '\n' ' ')"
	intree_load "$n"

	# exitlat: every exit, every entry but the first of each vCPU thread
	exits=${O[exits]}
	check "$n-exitlat-exits" "$exits" "${J[exitlat.exits]}" "kvm_exit events"
	check "$n-exitlat-kstat" "${K[vcpu.exits]}" "${J[exitlat.exits]}" "vcpu.exits"
	check "$n-exitlat-guest" "${O[entries]}" "$(jsum exitlat.h.guest.)" "kvm_entry events"
	check "$n-exitlat-hyp" "$((exits - $(grep -c '^EXIT ' "$out/$n.vmrun")))" \
		"$(jsum exitlat.h.hypervisor.)" "exits less one per guest"

	# faultlat: one sample per kvm_page_fault, outcomes as the oracle says
	pf=${O[pf]}
	check "$n-faultlat-events" "$pf" "${J[faultlat.kvm_page_faults]}" "kvm_page_fault events"
	check "$n-faultlat-exits" "${O[pf_exits]}" "$pf" "#PF/#NPF exits against kvm_page_fault"
	check "$n-faultlat-samples" "$pf" "$(jsum faultlat.h.)" "samples"
	for o in fixed injected mmio wp-hit spurious unknown; do
		check "$n-faultlat-$o" "${O[outcome.$o]:-0}" "${J[faultlat.h.-.$o]:-0}" "oracle"
	done
	check "$n-faultlat-unended" "${O[unended]:-0}" "${J[faultlat.kvm_unended]}"
	positive "$n-faultlat-some-mmio" "${O[outcome.mmio]}" "the mmio guest ran"

	# cr3cost: one sample per exit writing CR3, root and drops as traced
	check "$n-cr3cost-writes" "${O[cr3_exits]:-0}" "${J[cr3cost.kvm_cr3_writes]}" "write_cr3 exits"
	check "$n-cr3cost-cr" "${O[cr_writes]:-0}" "${J[cr3cost.kvm_cr_events]}" "kvm_cr CR3 writes"
	check "$n-cr3cost-samples" "${O[cr3_exits]:-0}" "$(jsum cr3cost.h.time.)" "write_cr3 exits"
	for r in rebuilt reused cached; do
		check "$n-cr3cost-$r" "${O[root.$r]:-0}" "${J[cr3cost.h.time.$r]:-0}" "oracle"
	done
	check "$n-cr3cost-dropped" "${O[dropped]:-0}" "${J[cr3cost.kvm_dropped]}" "prepare_zap in CR3 exits"

	# emustep: one sample per instruction KVM decoded
	check "$n-emustep-insns" "${O[insns]}" "${J[emustep.kvm_instructions]}" "kvm_emulate_insn events"
	check "$n-emustep-kstat" "${K[vcpu.insn_emulation]}" "${J[emustep.kvm_instructions]}" "vcpu.insn_emulation"
	check "$n-emustep-failed" "${K[vcpu.insn_emulation_fail]}" "${J[emustep.kvm_failed]}" \
		"vcpu.insn_emulation_fail"
	check "$n-emustep-samples" "${O[insn_samples]}" "$(jsum emustep.h.instruction)" "instruction samples"
	check "$n-emustep-decoded" "${O[insns]}" "${J[emustep.h.decoded.-]:-0}" "decoded samples"

	# what the guests must show, so that each outcome above was tested
	if [ "$1" = 0 ]; then
		positive "$n-cr3cost-some" "${J[cr3cost.kvm_cr3_writes]}" "CR3 writes under npt=0"
		positive "$n-cr3cost-some-rebuilt" "${O[root.rebuilt]}" "root rebuilt"
		positive "$n-faultlat-some-injected" "${O[outcome.injected]}" "#PF injected"
		positive "$n-faultlat-some-wp-hit" "${O[outcome.wp-hit]}" "page-table write"
	else
		check "$n-cr3cost-none" 0 "${J[cr3cost.kvm_cr3_writes]}" "CR3 writes do not exit under NPT"
	fi
}
