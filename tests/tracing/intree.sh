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

# the guests: CR3 switches, MMIO, #PFs injected, page-table writes
intree_guests() {
	local g
	for g in cr3switch mmio access32 "forkexec --arg 0=16"; do
		# shellcheck disable=SC2086
		$vmrun --dev /dev/kvm --timeout 60 --quiet --expect-exit HLT \
			guests/prot32/${g%% *}.elf ${g#"${g%% *}"} ||
			echo "vmrun ${g%% *}: status $?" >&2
	done
}

# KSTAT NAME STAT: the sum of vmrun's "# KSTAT STAT N" lines of the run
kstat() {
	awk -v s="$2" '$1 == "#" && $2 == "KSTAT" && $3 == s { t += $4 } END { print t + 0 }' \
		"$out/$1.vmrun"
}

# okey NAME KEY: the oracle's count KEY for run NAME
okey() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$out/$1.oracle"; }

# intree_run NPT: load the in-tree KVM with npt=NPT, run, check, unload
intree_run() {
	local n=kvm$1 k exits pf
	lab/kvm-intree load npt="$1" || { fail "$n-load" "lab/kvm-intree load npt=$1"; return; }
	export -f intree_guests
	export vmrun
	# shellcheck disable=SC2086
	traced "$n" "$intree_events" \
		$tr/exitlat --kvm -o "$out/$n-exitlat.txt" -- \
		$tr/exitlat --kvm -j -o "$out/$n-exitlat.json" -- \
		$tr/faultlat --kvm -j -o "$out/$n-faultlat.json" -- \
		$tr/cr3cost --kvm -j -o "$out/$n-cr3cost.json" -- \
		$tr/emustep --kvm -j -o "$out/$n-emustep.json" -- \
		bash -c intree_guests >"$out/$n.vmrun" 2>&1
	lab/kvm-intree unload
	awk -f tests/tracing/intree.awk "$out/$n.trace" | sort >"$out/$n.oracle"
	grep -q 'vmrun .*: status' "$out/$n.vmrun" &&
		fail "$n-guests" "$(grep 'vmrun .*: status' "$out/$n.vmrun" | tr '\n' ' ')"

	# exitlat: every exit, every entry but the first of each vCPU thread
	exits=$(okey "$n" exits)
	check "$n-exitlat-exits" "$exits" "$(jq1 "$n-exitlat" .exits)" "kvm_exit events"
	check "$n-exitlat-kstat" "$(kstat "$n" vcpu.exits)" "$(jq1 "$n-exitlat" .exits)" "vcpu.exits"
	check "$n-exitlat-guest" "$(okey "$n" entries)" \
		"$(jq1 "$n-exitlat" '[.hists[]|select(.kind=="guest").count]|add')" "kvm_entry events"
	check "$n-exitlat-hyp" "$((exits - $(grep -c '^EXIT ' "$out/$n.vmrun")))" \
		"$(jq1 "$n-exitlat" '[.hists[]|select(.kind=="hypervisor").count]|add')" "exits less one per guest"
	grep -q '^in guest' "$out/$n-exitlat.txt" && pass "$n-exitlat-text" ||
		fail "$n-exitlat-text" "no guest histogram in $out/$n-exitlat.txt"

	# faultlat: one sample per kvm_page_fault, outcomes as the oracle says
	pf=$(okey "$n" pf)
	check "$n-faultlat-events" "$pf" "$(jq1 "$n-faultlat" .kvm_page_faults)" "kvm_page_fault events"
	check "$n-faultlat-exits" "$(okey "$n" pf_exits)" "$pf" "#PF/#NPF exits against kvm_page_fault"
	check "$n-faultlat-samples" "$pf" "$(jq1 "$n-faultlat" '[.hists[].count]|add // 0')" "samples"
	for o in fixed injected mmio wp-hit spurious unknown; do
		check "$n-faultlat-$o" "$(okey "$n" "outcome.$o")" \
			"$(jq1 "$n-faultlat" "[.hists[]|select(.outcome==\"$o\").count]|add // 0")" "oracle"
	done
	check "$n-faultlat-unended" "$(okey "$n" unended)" "$(jq1 "$n-faultlat" .kvm_unended)"
	positive "$n-faultlat-some-mmio" "$(okey "$n" outcome.mmio)" "the mmio guest ran"

	# cr3cost: one sample per exit writing CR3, root and drops as traced
	check "$n-cr3cost-writes" "$(okey "$n" cr3_exits)" "$(jq1 "$n-cr3cost" .kvm_cr3_writes)" "write_cr3 exits"
	check "$n-cr3cost-cr" "$(okey "$n" cr_writes)" "$(jq1 "$n-cr3cost" .kvm_cr_events)" "kvm_cr CR3 writes"
	check "$n-cr3cost-samples" "$(okey "$n" cr3_exits)" \
		"$(jq1 "$n-cr3cost" '[.hists[]|select(.kind=="time").count]|add // 0')" "write_cr3 exits"
	for r in rebuilt reused cached; do
		check "$n-cr3cost-$r" "$(okey "$n" "root.$r")" \
			"$(jq1 "$n-cr3cost" "[.hists[]|select(.kind==\"time\" and .root==\"$r\").count]|add // 0")" "oracle"
	done
	check "$n-cr3cost-dropped" "$(okey "$n" dropped)" "$(jq1 "$n-cr3cost" .kvm_dropped)" "prepare_zap in CR3 exits"

	# emustep: one sample per instruction KVM decoded
	check "$n-emustep-insns" "$(okey "$n" insns)" "$(jq1 "$n-emustep" .kvm_instructions)" "kvm_emulate_insn events"
	check "$n-emustep-kstat" "$(kstat "$n" vcpu.insn_emulation)" \
		"$(jq1 "$n-emustep" .kvm_instructions)" "vcpu.insn_emulation"
	check "$n-emustep-failed" "$(kstat "$n" vcpu.insn_emulation_fail)" "$(jq1 "$n-emustep" .kvm_failed)" \
		"vcpu.insn_emulation_fail"
	check "$n-emustep-samples" "$(okey "$n" insn_samples)" \
		"$(jq1 "$n-emustep" '[.hists[]|select(.kind=="instruction" or .kind=="instruction-failed").count]|add // 0')" \
		"instruction samples"
	check "$n-emustep-decoded" "$(okey "$n" insns)" \
		"$(jq1 "$n-emustep" '[.hists[]|select(.kind=="decoded").count]|add // 0')" "decoded samples"
}
