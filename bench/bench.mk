# The benchmarks: build/bench, `make bench` (QUICK=1, FILTER=, SUBJECT=) and
# `make compare BASE=old.json`; `make bench-selftest` checks harness/report/bench_results.py.

BENCH_SRC = $(wildcard bench/*.c bench/workloads/*.c)
BENCH_OBJ = $(BENCH_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/bench/gbench_shim.o
BENCH = $(BUILD)/bench
CHECK_BUILD += $(BENCH)
BENCH_JSON = $(RESULTS)/bench.json

$(BUILD)/.deps-bench: $(DEPS)
	@$(DEPS) bench
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/obj/bench/%.o: bench/%.c $(PY_STAMP) | $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -DBENCH_POOL_DIR='"$(CURDIR)/conformance"' -c $< -o $@

$(BUILD)/obj/bench/gbench_shim.o: bench/gbench_shim.cc bench/gbench.h | $(BUILD)/.deps-bench
	@mkdir -p $(dir $@)
	$(say) CXX $<
	$(Q)$(CXX) -std=c++17 -O2 -g -fPIC -Wall -c $< -o $@

$(BENCH): $(BENCH_OBJ) $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(EXTENSION) | $(BUILD)/.deps-bench
	$(say) LINK $@
	$(Q)$(CXX) $(LDFLAGS_ALL) -o $@ $(BENCH_OBJ) $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(PY_EMBED_LDFLAGS) -lbenchmark -lpthread

# Repetitions spread over the run (random interleaving) so that noise on a
# shared machine lands on every benchmark alike; ratios are per repetition.
# Back to back, repetitions vary less (measured: ratio CV median 2.8%
# against 3.3% over 22 per-access figures) only because they share one
# moment of the machine: their spread would understate a rerun's, and the
# U test of `make compare` needs them independent.
# Five at least: the U test of `make compare` cannot reach p < 0.05 with
# fewer (3 against 3 give p >= 0.1). A longer minimum time does not steady
# the figures: measured on the idle 2-core VM, hot/dispatch/converge of
# three strategies over 10 repetitions have ratio CVs of 3-5% at 0.05 s
# and at 0.3 s alike (the noise is between repetitions, not within one).
REPETITIONS = 5
MIN_TIME = $(if $(QUICK),0.02,0.1)
BENCH_FLAGS = $(if $(QUICK),--quick) \
	$(if $(FILTER),--benchmark_filter='$(FILTER)') \
	--benchmark_repetitions=$(REPETITIONS) --benchmark_min_time=$(MIN_TIME) \
	--benchmark_enable_random_interleaving=true --benchmark_out_format=json

# A second version of a tool that imports its own package (tvm-ffi) cannot
# share the default process, nor can a tool flagged alone (cppyy, JPype):
# each such group runs in a process of its own, with its own floors, and
# `harness/report bench context` merges the runs. SUBJECT= splits its
# selection the same way (ffi_adapters.py --process-plan). The shared
# process failing fails the run; one of its own that crashes is left out,
# said, and the run goes on.
DEFAULT_SELECTION = (the default selection)
#
# The console shows progress, failures, and at the end harness/report/summary.py's
# few lines (the figures per subject, each warning once, the file to open).
# Google Benchmark's rows and what harness/report's commands print show with
# V=1; otherwise they go to BENCH_LOG, shown whole if a step fails.
BENCH_LOG = $(BUILD)/bench.log
BENCH_CONSOLE = $(if $(filter 1,$(V)),,--quiet)
logged = $(if $(filter 1,$(V)),,>>$(BENCH_LOG) 2>&1 || { cat $(BENCH_LOG) >&2; exit 1; })
.PHONY: bench-run compare
ifeq ($(MODE),instructions)
bench-run: instructions-run
else ifneq ($(MODE),)
bench-run:
	@echo "make bench: MODE=$(MODE) is not a mode; MODE=instructions counts instructions (docs/instructions.md)" >&2; exit 2
else
bench-run: all adapters $(BENCH)
	@mkdir -p $(RESULTS)
	@echo "bench: progress below; results go to $(RESULTS)/" >&2
	@rm -f $(BENCH_JSON).raw* $(BENCH_LOG)
	$(Q)$(if $(SUBJECT),names=$$($(BENCH) $(foreach i,$(SUBJECT),--subject '$(i)') --list-subjects) || exit 2; \
	    plan=$$($(PYTHON) harness/subjects/loader/ffi_adapters.py --process-plan $$names),\
	    plan=$$(echo "$(DEFAULT_SELECTION)"; $(PYTHON) harness/subjects/loader/ffi_adapters.py --extra-processes)) || \
	    { echo "bench: cannot list the subjects that need a process of their own" >&2; exit 1; }; \
	n=0; echo "$$plan" | while read -r names; do n=$$((n + 1)); [ -n "$$names" ] || continue; \
	    out=$(BENCH_JSON).raw$$([ $$n -gt 1 ] && echo .$$n); \
	    if [ "$$names" = "$(DEFAULT_SELECTION)" ]; then args=""; \
	    else args=$$(for i in $$names; do echo --subject $$i; done); fi; \
	    [ $$n -eq 1 ] || echo "bench: a process of its own for $$names" >&2; \
	    $(BENCH) $(BENCH_CONSOLE) $(BENCH_FLAGS) $$args --benchmark_out=$$out || { rc=$$?; rm -f $$out; \
	        [ $$n -gt 1 ] || exit $$rc; \
	        echo "bench: the process of $$names crashed or failed: its figures are left out (the run goes on)" >&2; }; \
	done
	$(Q)test -s $(BENCH_JSON).raw || { f=$$(ls $(BENCH_JSON).raw.* 2>/dev/null | head -n1); \
	    [ -n "$$f" ] && mv $$f $(BENCH_JSON).raw; } || { echo "bench: no process left figures" >&2; exit 1; }
	$(Q)$(REPORT) bench context $(BENCH_JSON).raw $(BENCH_JSON) CC='$(CC)' $$(ls $(BENCH_JSON).raw.* 2>/dev/null) $(logged)
	@rm -f $(BENCH_JSON).raw*
	$(Q)$(REPORT) bench check $(BENCH_JSON) $(logged)
	$(Q)$(REPORT) bench render $(BENCH_JSON) $(RESULTS) $(logged)
	$(Q)$(REPORT) page $$(test -s $(RESULTS)/conformance.json && echo $(RESULTS)/conformance.json) \
	    $(BENCH_JSON) $(RESULTS)/index.html $(logged)
	$(Q)$(REPORT) summary $(BENCH_JSON) $(RESULTS)
endif

# A regression: slower by more than THRESHOLD (median of the per-repetition
# floor ratios) and significant: a two-sided test of those ratios (scipy;
# STAT_TEST=t, Welch's t on their logarithms, the default; u, Mann-Whitney
# U, which cannot reach small p with 5 repetitions), p < ALPHA after
# CORRECTION (bh: Benjamini-Hochberg, the default; holm) over the micro
# benchmarks compared. Faster ones are
# listed too; whole-process benchmarks and floors are a class apart, not
# judged unless JUDGE_ALL=1. MAP='A=B ...' pairs subjects across versions.
# harness/report/compare.py has the why. The script exits 1 on a regression and 2
# when nothing matched; make reports either as "Error 1" or "Error 2".
# MODE=instructions compares instruction counts (harness/report/instructions.py):
# any change beyond THRESHOLD (default 1.01) either way, no statistics;
# BASE defaults to the baseline in results/, NEW to $(RESULTS)'s counts.
THRESHOLD ?= $(if $(filter instructions,$(MODE)),1.01,1.10)
ALPHA ?= 0.05
CORRECTION ?= bh
STAT_TEST ?= t
ifeq ($(MODE),instructions)
compare:
	@$(REPORT) instructions compare '$(or $(BASE),$(INSTR_BASELINE))' '$(or $(NEW),$(INSTR_JSON))' \
	    --threshold $(THRESHOLD)
else
compare:
	@test -n "$(BASE)" || { echo "usage: make compare BASE=old.json [NEW=$(BENCH_JSON)] [THRESHOLD=$(THRESHOLD)] [ALPHA=$(ALPHA)] [CORRECTION=bh|holm] [STAT_TEST=t|u] [MAP='A=B ...'] [JUDGE_ALL=1]" >&2; exit 2; }
	@$(DEPS) compare
	@$(DEBIAN_PYTHON) harness/report bench compare '$(BASE)' '$(or $(NEW),$(BENCH_JSON))' --threshold $(THRESHOLD) \
	    --alpha $(ALPHA) --correction $(CORRECTION) --test $(STAT_TEST) $(if $(MAP),--map '$(MAP)') \
	    $(if $(JUDGE_ALL),--judge-all)
endif

include bench/instructions.mk
