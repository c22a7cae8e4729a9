# Instruction counts of the benchmarks under callgrind (harness/report/instructions.py,
# docs/instructions.md): `make bench MODE=instructions` (SUBJECT=, FILTER=,
# CACHE=1), `make compare MODE=instructions`, the baseline in results/ and
# CI's gate on it.

INSTR_JSON = $(RESULTS)/instructions.json
INSTR_BASELINE = results/instructions.json
# CI's subset: every built-in strategy as the wall-clock run has it, and two
# real tools of different strategies (pybind11's map, nanobind's intrusive
# pointer), all C or C++ with no threads of their own.
INSTR_CI_SUBJECTS = fresh+node fresh+graph weakdict+node weakdict+graph hashmap+node hashmap+graph \
	intrusive+node intrusive+graph toggle+node toggle+graph revive+node revive+graph \
	leaky+node leaky+graph pybind11@3.1.0 nanobind+intrusive@3.1.0

# After the counts, the wall-clock report and the page are rendered again
# where a wall-clock run left its results: `harness/report bench render` adds the counts
# beside its figures.
.PHONY: instructions-run instructions-baseline instructions-gate
instructions-run: all adapters $(BENCH)
	@mkdir -p $(RESULTS)
	@echo "bench: counting instructions under callgrind, $(JOBS) processes at a time; results go to $(RESULTS)/" >&2
	$(Q)$(REPORT) instructions run --bench $(BENCH) --out $(INSTR_JSON) --jobs $(JOBS) --cc '$(CC)' \
	    --previous $(INSTR_BASELINE) \
	    $(foreach i,$(SUBJECT),--subject '$(i)') $(if $(FILTER),--filter '$(FILTER)') $(if $(CACHE),--cache)
	$(Q)$(REPORT) instructions render $(INSTR_JSON) $(wildcard $(BENCH_JSON)) $(RESULTS)
	$(Q)if test -s $(BENCH_JSON); then \
	    $(REPORT) bench render $(BENCH_JSON) $(RESULTS) && \
	    $(REPORT) page $$(test -s $(RESULTS)/conformance.json && echo $(RESULTS)/conformance.json) \
	        $(BENCH_JSON) $(RESULTS)/index.html; fi

# Counts move with the paths compiled into the binaries (the source, build
# and subjects directories: their lengths shift where the natives land, and
# hashmap hashes addresses; measured, up to 3.5% between two checkouts of
# one commit). So the baseline and the gate count a copy of the working
# tree (tracked and untracked files, not ignored ones) at one fixed path,
# built there with the default BUILD: any checkout, CI's clean clone
# included, then counts alike. The copy keeps its build between runs.
# One count at a time uses the copy: a count from another checkout on the
# machine waits on the lock (flock) instead of copying its tree over this
# one's while it counts.
COUNT_TREE = /tmp/ffi-identity-count
# The tree less what make publish writes: whether it differs from HEAD says
# whether results name a clean commit (a publish rewrites the rest).
SOURCES_PATHSPEC = . ':!results' ':!README.md' ':!docs/reported-scenario.md'
define in_count_tree   # $(call in_count_tree,deps arguments,instructions-run arguments)
	@echo "instructions: counting in a copy of the tree at $(COUNT_TREE) (counts depend on the path)" >&2
	@set -e; exec 9>$(COUNT_TREE).lock; \
	flock -n 9 || { echo "instructions: another count uses $(COUNT_TREE); waiting for it to end" >&2; flock 9; }; \
	mkdir -p $(COUNT_TREE) && find $(COUNT_TREE) -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +; \
	git ls-files -co --exclude-standard -z | tar --null -cf - -T - | tar -xf - -C $(COUNT_TREE); \
	$(MAKE) --no-print-directory -C $(COUNT_TREE) BUILD=build PYTHON=$(PYTHON) deps $(1); \
	FFI_COUNTED_COMMIT=$$(git rev-parse --short HEAD 2>/dev/null)$$(git diff --quiet HEAD -- $(SOURCES_PATHSPEC) 2>/dev/null || echo -dirty) \
	    $(MAKE) --no-print-directory -C $(COUNT_TREE) BUILD=build PYTHON=$(PYTHON) instructions-run $(2)
endef

# The baseline CI compares with: every subject's counts into results/.
instructions-baseline:
	$(call in_count_tree,HEAVY=1,RESULTS=$(abspath results) HEAVY=1)

# CI's gate: the subset counted into $(RESULTS), compared with the baseline;
# a count that moved by more than 1% fails unless the baseline moved with it.
instructions-gate:
	$(call in_count_tree,,SUBJECT='$(INSTR_CI_SUBJECTS)' FILTER= RESULTS=$(abspath $(RESULTS)))
	@$(MAKE) --no-print-directory compare MODE=instructions BASE=$(INSTR_BASELINE) NEW=$(INSTR_JSON)

