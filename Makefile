# kvmlab: top-level build. Each part has its own Makefile (targets all,
# clean); a part whose Makefile does not exist yet is skipped.
#   make            build everything          make V=1   verbose
#   make deps       install missing Debian packages (scripts/install-deps)
#   make check      deps, build, run every test (tests/run), summary
#   make check-vmx  deps, build, make check's VT-x part alone: a subset of the guests
#                   in the Bochs lab (tests/vmx/run)
#   make bench      deps, build, run the benchmark suite (bench/run), then
#                   the figures and the paper (make paper); results/
#   make paper      figures and paper from results/bench.csv (no lab run):
#                   build/paper/, results/kvmlab.pdf, results/fig/
#   make fuzz       the fuzz campaigns: the x86 emulator under ASan+UBSan,
#                   10 million inputs (FUZZ_RUNS=N to change), then in the
#                   lab the ioctl fuzzer tests/fuzz/kfuzz against
#                   /dev/kvmlab, 1 million calls (FUZZ_CALLS=N); its
#                   "fuzz: ..." lines go to build/fuzz.log too
#   make lab        build the lab's initramfs (build/lab/)
#   make clean
.DELETE_ON_ERROR:
.SUFFIXES:
SHELL := /bin/bash
.PHONY: all deps check check-vmx bench paper fuzz lab clean

PARTS := kmod tools/vmrun tools/kvm_stat tracing guests tests tests/abi tests/trace tests/hostile tests/kill tests/fuzz

V ?= 0
ifeq ($(V),1)
Q :=
SUB := $(MAKE)
else
Q := @
SUB := $(MAKE) -s --no-print-directory
endif

# tests/Makefile's 'all' runs the suite; build only, if it has 'build'.
target = $(if $(and $(filter tests,$(1)),$(shell grep -s '^build:' tests/Makefile)),build,$(2))

all:
	$(Q)for d in $(PARTS); do \
		[ -f $$d/Makefile ] || continue; \
		echo "  MAKE    $$d"; \
		if [ $$d = tests ]; then t=$(call target,tests,all); else t=all; fi; \
		$(SUB) -C $$d $$t || { echo "make: building $$d failed (make V=1 for details)" >&2; exit 1; }; \
	done

deps:
	$(Q)scripts/install-deps

lab:
	$(Q)lab/mkinitramfs

# The summary counts distinct PASS/FAIL lines (tests/run repeats its FAILs).
# A broken build still runs the tests (tests/run reports what it cannot build).
check: deps
	$(Q)[ -x tests/run ] || { echo "make check: tests/run is missing: no tests to run" >&2; exit 1; }
	$(Q)set -o pipefail; mkdir -p build; rc=0; \
	{ $(SUB) all || echo "FAIL build: make all failed (make V=1 for details)"; } 2>&1 | tee build/check.log || rc=$$?; \
	tests/run 2>&1 | tee -a build/check.log || rc=$$?; \
	p=$$(awk '/^PASS / && !s[$$0]++ { n++ } END { print n + 0 }' build/check.log); \
	f=$$(awk '/^FAIL / && !s[$$0]++ { n++ } END { print n + 0 }' build/check.log); \
	echo "make check: $$p passed, $$f failed (log: build/check.log)"; \
	[ $$rc -eq 0 ] && [ $$f -eq 0 ] && [ $$p -gt 0 ]

# VT-x in the Bochs lab: one boot runs every variant (tests/vmx/subset).
check-vmx: deps
	$(Q)$(SUB) all
	$(Q)tests/vmx/run

# A failed configuration does not stop the paper: bench/run's status is
# make bench's, after the paper is built from what was measured.
bench: deps
	$(Q)start=$$(date +%s); \
	if ! $(SUB) all; then echo "make bench: the build failed (make V=1 for details)" >&2; exit 1; fi; \
	rc=0; bench/run || rc=$$?; \
	$(SUB) paper || rc=1; \
	echo "make bench: $$(( $$(date +%s) - start )) s of wall time (status $$rc)"; exit $$rc

paper:
	$(Q)papers/build results/bench.csv build/paper
	$(Q)cp build/paper/kvmlab.pdf results/kvmlab.pdf
	$(Q)rm -rf results/fig && cp -r build/paper/fig results/fig
	$(Q)echo "make paper: results/kvmlab.pdf, figures in results/fig/"

FUZZ_CALLS ?= 1000000
fuzz: deps
	$(Q)$(SUB) -C tests/emulator fuzz
	$(Q)$(SUB) all
	$(Q)set -o pipefail; mkdir -p build; \
	lab/run --timeout 3600 tests/fuzz/run $(FUZZ_CALLS) 2>&1 | tee build/fuzz.log

clean:
	$(Q)for d in $(PARTS); do \
		[ -f $$d/Makefile ] && { $(SUB) -C $$d clean || echo "make: cleaning $$d failed" >&2; }; \
	done; true
	$(Q)rm -rf build
