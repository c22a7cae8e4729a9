# Upstream-ready repros of the failing cells of real tools (harness/repros,
# README.md there). `make repros` writes a directory per failing (real
# subject, property) of a conformance run: $(RESULTS)'s when there is one,
# else the published results/conformance.json. `make repros-check` builds
# and runs each against its subject's install (it must fail there) and the
# same property against each version or variant the run says passes it
# (it must hold there); HEAVY=1 installs the heavy tools first, else their
# repros are skipped. make test runs the quick check: one repro per
# installed subject of the published run (a heavy one only with
# HEAVY=1), built with the rest of the build (check-build), run in a few
# seconds.
REPROS = $(BUILD)/repros
REPROS_JSON = $(or $(wildcard $(RESULTS)/conformance.json),results/conformance.json)
REPROS_SRC = $(wildcard harness/repros/*.py harness/repros/scenarios/*.py harness/repros/kits/*/*)
REPROS_WORK = $(BUILD)/repros-check

.PHONY: repros repros-check
repros:
	$(Q)$(PYTHON) harness/repros write $(REPROS_JSON) $(REPROS)
repros-check:
	@$(MAKE) --no-print-directory deps
	$(Q)$(PYTHON) harness/repros check --jobs $(JOBS) --work $(REPROS_WORK) $(REPROS_JSON) $(REPROS)

# make test: the quick check composes into a directory of its own (so a
# `make repros` of another run stays as it was); its builds are cached in
# $(REPROS_WORK)/cache, shared with repros-check.
REPROS_QUICK = $(REPROS_WORK)/quick
REPROS_QUICK_BUILT = $(REPROS_WORK)/.quick-built
$(REPROS_QUICK_BUILT): $(REPROS_SRC) results/conformance.json | $(BUILD)/.deps-adapters
	@mkdir -p $(dir $@)
	$(say) BUILD $(REPROS_QUICK)
	$(Q)$(PYTHON) harness/repros check --quick --build-only --jobs 1 --work $(REPROS_WORK) \
	    results/conformance.json $(REPROS_QUICK) && touch $@
CHECK_BUILD += $(REPROS_QUICK_BUILT)

REPROS_T = $(BUILD)/tests/repros.t
$(REPROS_T): harness/repros/repros.mk
	$(call test_script,the repros of failing cells (quick),PYTHON=$(PYTHON) $(PYTHON) $(abspath harness/repros) \
	    check --quick --work $(abspath $(REPROS_WORK)) $(abspath results/conformance.json) $(abspath $(REPROS_QUICK)))
TEST_PROGRAMS += $(REPROS_T)
TEST_PLAN += 'the repros, one per installed subject: each fails there, holds where another version passes: $(REPROS_T)'

# The repros' own checks on a made-up run (sections, which cells get a
# repro, a repro's files, the page's link): under a second, in make test.
REPROS_UNIT_T = $(BUILD)/tests/repros-compose.t
$(REPROS_UNIT_T): harness/repros/repros.mk
	$(call test_script,the checks of harness/repros,$(PYTHON) $(abspath harness/repros/tests/test_repros.py))
TEST_PROGRAMS += $(REPROS_UNIT_T)
TEST_PLAN += 'the repros composed from a made-up run, and the page linking them: $(REPROS_UNIT_T)'
