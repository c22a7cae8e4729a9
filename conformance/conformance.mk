# The conformance suite: build/conformance, `make conformance` (the
# published matrix) and its part of `make test`.

CONF_SRC = $(wildcard conformance/*.c conformance/properties/*.c)
CONF_OBJ = $(CONF_SRC:%.c=$(BUILD)/obj/%.o)
CONFORMANCE = $(BUILD)/conformance
CHECK_BUILD += $(CONFORMANCE)
# The properties' C API helpers, which the fuzzer shares.
CF_HELPERS_OBJ = $(BUILD)/obj/conformance/cf.o

$(BUILD)/obj/conformance/%.o: conformance/%.c $(PY_STAMP) | $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -DCF_SOURCE_DIR='"$(CURDIR)/conformance"' -c $< -o $@

$(CONFORMANCE): $(CONF_OBJ) $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(EXTENSION)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CONF_OBJ) $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(PY_EMBED_LDFLAGS) -lpthread

# The published runs' watchdog per test, in seconds: longer than the
# runner's default, so that a loaded machine (a JVM started per test, a
# collection over a million objects) is not taken for a hang.
CONFORMANCE_TIMEOUT ?= 60

.PHONY: conformance-run conformance-test
conformance-test: $(CONFORMANCE)
	$(Q)prove --exec '' $(CONFORMANCE)

# In make test, in two halves (every other subject) that prove runs side
# by side: most of the suite's time is waiting on forks, pools and hang
# bounds, which overlap.
CONFORMANCE_HALVES = $(BUILD)/tests/conformance-1of2.t $(BUILD)/tests/conformance-2of2.t
# Left out: the subjects flagged extra in subjects.txt (further bindings of
# tools it runs; make conformance runs them).
CONFORMANCE_EXTRA := $(shell awk '!/^\#/ && $$6 ~ /(^|,)extra(,|$$)/ {print $$1 ($$3 == "-" ? "" : "+" $$3)}' \
    harness/subjects/subjects.txt | sort -u)
$(BUILD)/tests/conformance-%of2.t: conformance/conformance.mk harness/subjects/subjects.txt
	$(call test_script,the conformance suite: subjects $* of every 2,$(abspath $(CONFORMANCE)) --shard $*/2 \
	    $(foreach s,$(CONFORMANCE_EXTRA),--except '$(s)'))

TEST_PROGRAMS += $(CONFORMANCE_HALVES)
SLOW_TESTS += $(CONFORMANCE_HALVES)
TEST_PLAN += 'the conformance suite, every subject, in two halves side by side: $(CONFORMANCE_HALVES)'

conformance-run: adapters $(CONFORMANCE)
	@mkdir -p $(RESULTS)
	@echo "conformance: every subject, every property (a few minutes); TAP in $(BUILD)/conformance.tap"
	$(Q)CF_COMMIT=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
	    $(CONFORMANCE) --timeout $(CONFORMANCE_TIMEOUT) --json $(RESULTS)/conformance.json > $(BUILD)/conformance.tap || \
	    { tail -n 20 $(BUILD)/conformance.tap; exit 1; }
	$(say) GEN $(RESULTS)/conformance.md
	$(Q)$(REPORT) matrix $(RESULTS)/conformance.json $(RESULTS)/conformance.md \
	    $(if $(filter results,$(RESULTS)),README.md)
	@if [ -s $(RESULTS)/conformance.json ] && [ -s $(RESULTS)/bench.json ]; then \
	    $(REPORT) page $(RESULTS)/conformance.json $(RESULTS)/bench.json $(RESULTS)/index.html; fi

# The out-of-tree template through the whole suite, loaded from its .so
# with no change to the tree: the ABI's acceptance test.
.PHONY: conformance-template
TEMPLATE_SUITE = $(BUILD)/tests/template-through-suite.t
$(TEMPLATE_SUITE): conformance/conformance.mk
	$(call test_script,the out-of-tree template through the whole suite,\
	    STRATEGY_SO=$(abspath $(TEMPLATE)) $(abspath $(CONFORMANCE)) --subject direct-mapped+node --subject direct-mapped+graph)
conformance-template: $(CONFORMANCE) $(TEMPLATE) $(TEMPLATE_SUITE)
	$(Q)prove --exec '' $(TEMPLATE_SUITE)

TEST_PROGRAMS += $(TEMPLATE_SUITE)
TEST_PLAN += 'the template plug-in (a .so built out of tree) through the suite: $(TEMPLATE_SUITE)'

# Out of the tree with no edit of it: a binding ($$FFI_ADAPTERS), expectations
# ($$FFI_EXPECTATIONS) and a strategy (--strategy-so) of one's own.
OUT_OF_TREE = $(BUILD)/tests/out-of-tree.t
$(OUT_OF_TREE): conformance/conformance.mk harness/tests/out_of_tree.sh
	$(call test_script,a user binding and expectations and strategy out of the tree,\
	    $(abspath harness/tests/out_of_tree.sh) $(abspath $(BUILD)) $(abspath $(TEMPLATE)))

TEST_PROGRAMS += $(OUT_OF_TREE)
TEST_PLAN += 'a user binding, expectations and strategy, out of the tree: $(OUT_OF_TREE)'

# The binding project's CI recipe of docs/your-build.md, its lines as
# written, on wheels the test builds; .ci/run runs it from a clean clone.
CI_RECIPE = $(BUILD)/tests/ci-recipe.t
# It runs make in the tree (make bench): everything that needs must be built
# by make test before, or the recipe would build it (check-build has it).
$(CI_RECIPE): conformance/conformance.mk harness/tests/ci_recipe.sh
	$(call test_script,the CI recipe of docs/your-build.md on a simulated binding project,\
	    PYTHON=$(PYTHON) $(abspath harness/tests/ci_recipe.sh) $(abspath $(BUILD)))

TEST_PROGRAMS += $(CI_RECIPE)
SLOW_TESTS += $(CI_RECIPE)
TEST_PLAN += 'the CI recipe of docs/your-build.md, on wheels of a tool of its own: $(CI_RECIPE)'

# Bad input: misbehaving plug-ins (built like out-of-tree strategies, one
# per misbehaviour) and bad names, through every runner.
BAD_KINDS = null raise crash deadlock
BAD_SO = $(BAD_KINDS:%=$(BUILD)/bad/bad-%.so)
CHECK_BUILD += $(BAD_SO) $(BUILD)/tests/test_bad_input
$(BUILD)/bad/bad-%.so: conformance/tests/bad_strategy.c harness/strategy.h harness/model/handle.h
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) -std=c11 -shared -fPIC -Wall -Iharness $(PY_INCLUDES) -DBAD_$(shell echo $* | tr a-z A-Z) -o $@ $< -lpthread

$(BUILD)/tests/test_bad_input: conformance/tests/test_bad_input.c harness/tests/tap.h
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS_ALL) -DCF_BUILD_DIR='"$(abspath $(BUILD))"' -o $@ $<

.PHONY: bad-input-test
# fuzz.mk and load.mk are read after this file: name their programs by path.
bad-input-test: $(BUILD)/tests/test_bad_input $(BAD_SO) $(TEMPLATE_BAD) $(CONFORMANCE) $(BUILD)/fuzz $(BUILD)/load $(RUNNER)
	$(Q)prove --exec '' $<

TEST_PROGRAMS += $(BUILD)/tests/test_bad_input
SLOW_TESTS += $(BUILD)/tests/test_bad_input
TEST_PLAN += 'bad input: unknown names, broken plug-ins, misbehaving strategies: $(BUILD)/tests/test_bad_input'

# What changed between two conformance runs, per subject, property and
# parameter (harness/report/diff.py --help). MAP pairs subjects across versions
# ('tvm-ffi@0.1.13=tvm-ffi@0.1.15.post2' maps each variant too); BASE=NEW
# compares the map's pairs within one run. The script exits 1 when
# something newly fails and 2 on bad input; make reports either as its own
# failure ("Error 1" or "Error 2" names which).
.PHONY: diff
diff:
	@test -n "$(BASE)" || { echo "usage: make diff BASE=old.json [NEW=$(RESULTS)/conformance.json] [MAP='A=B ...']" >&2; exit 2; }
	@$(REPORT) diff '$(BASE)' '$(or $(NEW),$(RESULTS)/conformance.json)' $(if $(MAP),--map '$(MAP)')

# Expectation files from runs, as web-platform-tests' update-expectations
# (harness/report/update_expectations.py --help): RUNS='a.json b.json' (a
# failure in every run is an entry, one that differs is ID?), SUBJECT= one
# or several subjects, EXPECTATIONS=dir (default the tree's), DRY_RUN=1
# prints the diff instead of writing.
.PHONY: update-expectations
update-expectations:
	@$(REPORT) update-expectations $(or $(RUNS),$(RESULTS)/conformance.json) \
	    $(foreach s,$(SUBJECT),--subject '$(s)') $(if $(EXPECTATIONS),--dir '$(EXPECTATIONS)') \
	    $(if $(DRY_RUN),--dry-run)


# The matrix on every interpreter this machine has (harness/tools/pythons.sh:
# 3.10 and newer with headers; PYTHONS='path ...' to choose), each built in
# its own build directory, its run in build/pythons/X.Y/, then one report of
# where a verdict depends on the version: $(RESULTS)/pythons.{md,json}.
# A run's unexpected results are its data here, not a failure of the target.
# SUBJECT= runs only those subjects (CI's smoke run). `make publish-pythons`
# writes results/. Tens of minutes: not in make test.
.PHONY: pythons publish-pythons pythons-run-one
pythons:
	@runs=""; for py in $$(harness/tools/pythons.sh); do \
	    tag=$$($$py -c 'import sys, sysconfig; print("%d.%d" % sys.version_info[:2] + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""))'); \
	    out=$(abspath build)/pythons/$$tag; \
	    echo "pythons: Python $$tag ($$py): results in $$out" >&2; \
	    $(MAKE) --no-print-directory deps PYTHON=$$py PYTHON_CONFIG=$$py-config $(if $(SUBJECT),,HEAVY=1) || \
	        echo "pythons: some tools could not be installed for $$py: their subjects say so in its run" >&2; \
	    $(MAKE) --no-print-directory pythons-run-one PYTHON=$$py PYTHON_CONFIG=$$py-config RESULTS=$$out \
	        $(if $(SUBJECT),,HEAVY=1) || exit 1; \
	    runs="$$runs $$out/conformance.json"; \
	done; \
	$(DEBIAN_PYTHON) harness/report pythons $(RESULTS) $$runs
publish-pythons:
	@$(MAKE) --no-print-directory pythons RESULTS=results
pythons-run-one: all adapters $(CONFORMANCE)
	@mkdir -p $(RESULTS)
	$(Q)CF_COMMIT=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
	    $(CONFORMANCE) --timeout $(CONFORMANCE_TIMEOUT) $(foreach s,$(SUBJECT),--subject '$(s)') --json $(RESULTS)/conformance.json \
	    > $(RESULTS)/conformance.tap; rc=$$?; \
	    [ $$rc -le 1 ] || { tail -n 20 $(RESULTS)/conformance.tap; echo "pythons: the run on $(PYTHON) failed (exit $$rc)" >&2; exit $$rc; }

# Release timelines (harness/tools/release_history.py): the catalogue over a
# tool's releases on PyPI, one run per release (kept in $(BUILD)/history/TOOL/),
# merged by `harness/report history` into $(RESULTS)/history-TOOL.{md,json}:
# per variant and property the verdict at each release, and where it
# changed. TOOL=tvm-ffi (every release, yanked ones too), pybind11 (the last
# patch of each minor 2.6..3.1) or nanobind (1.0..3.1); VERSIONS='A B' runs
# only those of the list. Unexpected results are data here. `make
# publish-history` writes all three into results/ (the page shows them).
# Minutes to tens of minutes a tool: not in make test.
HISTORY_TOOLS = tvm-ffi pybind11 nanobind
.PHONY: history publish-history
history:
	@case " $(HISTORY_TOOLS) " in *" $(TOOL) "*) ;; *) \
	    echo "make history: $(if $(TOOL),unknown TOOL '$(TOOL)',no TOOL given); one of: $(foreach t,$(HISTORY_TOOLS),TOOL=$(t))" >&2; \
	    exit 2 ;; esac
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory -j$(JOBS) all adapters $(CONFORMANCE)
	@mkdir -p $(RESULTS)
	@$(PYTHON) harness/tools/release_history.py --tool '$(TOOL)' --build '$(BUILD)' --out '$(RESULTS)' \
	    $(if $(VERSIONS),--versions '$(VERSIONS)')
	@if [ -s $(RESULTS)/conformance.json ] && [ -s $(RESULTS)/bench.json ]; then \
	    $(REPORT) page $(RESULTS)/conformance.json $(RESULTS)/bench.json $(RESULTS)/index.html; fi
publish-history:
	@start=$$(date +%s); status=0; \
	for tool in $(HISTORY_TOOLS); do $(MAKE) --no-print-directory history TOOL=$$tool RESULTS=results || status=1; done; \
	elapsed=$$(( $$(date +%s) - start )); \
	echo "publish-history: $(HISTORY_TOOLS) in $$((elapsed / 60)) min $$((elapsed % 60)) s: results/history-*.{md,json}"; \
	exit $$status
