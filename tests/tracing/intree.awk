# tests/tracing/intree.awk: the oracle for the BPF tools on the in-tree KVM.
# Reads a text trace (kvm:* and kvmmmu:* events, tracefs "trace" format) and
# prints "key count" lines: the events counted, and the samples each tool
# should hold, classified by the rules tracing/README.md gives, worked out
# here from the text independently of the BPF programs.
#   exits entries pf pf_exits cr3_exits cr_writes insns failed
#   insn_samples (an instruction ends at the next entry, exit or instruction:
#   the last of a run, when the VMM stops after it, has no sample)
#   outcome.NAME (faultlat)  root.NAME dropped (cr3cost)  unended
{
	# "comm-tid [cpu] flags ts: event: args": the thread is field 1
	t = $1
	ev = ""
	for (i = 2; i <= NF; i++)
		if ($i ~ /^[a-z_0-9]+:$/ && $(i - 1) ~ /^[0-9.]+:$/) {
			ev = substr($i, 1, length($i) - 1)
			break
		}
	if (ev == "")
		next
	line = $0
}
ev == "kvm_exit" {
	n["exits"]++
	if (insn[t]) { n["insn_samples"]++; insn[t] = 0 }
	if (pf[t]) { n["unended"]++; pf[t] = 0 }
	cr3[t] = 0; created[t] = 0; found[t] = 0; zap[t] = 0
	if (line ~ / reason (PF excp|npf) /)
		n["pf_exits"]++
	if (line ~ / reason write_cr3 /) {
		n["cr3_exits"]++
		cr3[t] = 1
	}
	inexit[t] = 1
}
ev == "kvm_cr" && line ~ /cr_write 3 =/ { n["cr_writes"]++; if (inexit[t]) cr3[t] = 1 }
ev == "kvm_page_fault" {
	n["pf"]++
	pf[t] = 1
	mmio[t] = inj[t] = emu[t] = fixed[t] = spur[t] = 0
	# RSVD (bit 3) in the error code: the last hex digit has bit 3 set
	if (match(line, /error_code 0x[0-9a-f]+/)) {
		d = substr(line, RSTART + RLENGTH - 1, 1)
		if (index("89abcdef", d))
			mmio[t] = 1
	}
}
ev == "mark_mmio_spte" || ev == "handle_mmio_page_fault" { mmio[t] = 1 }
ev == "kvm_inj_exception" && line ~ /#PF/ && line !~ /reinjected/ { inj[t] = 1 }
ev == "kvm_emulate_insn" {
	emu[t] = 1
	if (line ~ / failed$/) {
		n["failed"]++
	} else {
		n["insns"]++
		if (insn[t]) n["insn_samples"]++
		insn[t] = 1
	}
}
ev == "kvm_mmu_spte_requested" { fixed[t] = 1 }
ev == "fast_page_fault" && line ~ /fixed 1/ { fixed[t] = 1 }
ev == "fast_page_fault" && line ~ /spurious 1/ { spur[t] = 1 }
ev == "kvm_mmu_get_page" && inexit[t] {
	if (line ~ / new$/) created[t]++
	else found[t]++
}
ev == "kvm_mmu_prepare_zap_page" && inexit[t] { zap[t]++ }
ev == "kvm_entry" {
	n["entries"]++
	if (insn[t]) { n["insn_samples"]++; insn[t] = 0 }
	if (pf[t]) {
		o = mmio[t] ? "mmio" : inj[t] ? "injected" : emu[t] ? "wp-hit" : fixed[t] ? "fixed" : spur[t] ? "spurious" : "unknown"
		n["outcome." o]++
		pf[t] = 0
	}
	if (cr3[t]) {
		r = created[t] ? "rebuilt" : found[t] ? "reused" : "cached"
		n["root." r]++
		n["dropped"] += zap[t]
		cr3[t] = 0
	}
	inexit[t] = 0
}
END { for (k in n) print k, n[k] }
