# ffi-identity. `make test` and `make bench` install what is missing and
# build what they need; see README.md.

PYTHON ?= /usr/bin/python3
# An absolute path, whatever was given (PYTHON=python3): the binaries
# record it for the multiprocessing workers they start, which run from
# other directories and with other PATHs.
override PYTHON := $(or $(shell command -v '$(PYTHON)' 2>/dev/null),$(PYTHON))
PYTHON_CONFIG ?= $(PYTHON)-config
# Debian's interpreter, the one its python3-* packages are built for.
DEBIAN_PYTHON = /usr/bin/python3
# One build directory per interpreter: build/ for Debian's, build/python3.12
# (build/python3.13t for a free-threaded build) for another, so that every
# Python's extensions, adapters and installed tools live side by side.
PY_TAG := $(shell '$(PYTHON)' -c 'import sys, sysconfig; print("%d.%d" % sys.version_info[:2] + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""))' 2>/dev/null)
BUILD ?= $(if $(filter $(DEBIAN_PYTHON),$(PYTHON)),build,build/python$(PY_TAG))
CC ?= cc
CXX ?= c++
OPT ?= -O2

export PYTHON PYTHON_CONFIG

# Quiet build: each command shows as one short line ("CC harness/model/dag.c",
# "LINK build/conformance"); V=1 shows the commands in full. Compiler
# errors and warnings show either way; make -s hides the short lines too.
# In a recipe: $(say) CC $<  then  $(Q)$(CC) ...
ifeq ($(V),1)
Q =
say = @:
else
Q = @
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
say = @:
else
say = @printf '  %-6s %s\n'
endif
endif
# Out-of-tree strategies (colon-separated .so paths) reach every runner.
export STRATEGY_SO
# SUBJECT= selects subjects for bench, load and fuzz as --subject does
# (names, families, globs; space-separated).

# Queried lazily (=) so that `make deps` can install python3-dev first.
PY_INCLUDES = $(shell $(PYTHON_CONFIG) --includes)
PY_EMBED_LDFLAGS = $(shell $(PYTHON_CONFIG) --embed --ldflags)
PY_EXT_SUFFIX = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')

# Everything compiled depends on which Python it was built for: the stamp
# changes (and everything rebuilds) when PYTHON or its version does.
PY_STAMP = $(BUILD)/.python
PY_IDENTITY := $(PYTHON) $(shell '$(PYTHON)' -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)
$(shell mkdir -p '$(BUILD)' && [ "$$(cat '$(PY_STAMP)' 2>/dev/null)" = '$(PY_IDENTITY)' ] || \
        echo '$(PY_IDENTITY)' > '$(PY_STAMP)')

WARN = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
       -Werror=implicit-function-declaration
# Harness headers are included by their path under harness/ (model/dag.h).
CFLAGS_ALL = -std=c11 -g $(OPT) $(WARN) -fPIC -D_GNU_SOURCE -I$(CURDIR)/harness $(PY_INCLUDES) \
             -DFFI_DEFAULT_PYTHON='"$(PYTHON)"' $(CFLAGS)
LDFLAGS_ALL = $(LDFLAGS)

DEPS = harness/tools/deps.sh
# The results tools: reading, checking, comparing, rendering (harness/report).
REPORT = $(PYTHON) harness/report

# Each object's header dependencies come from the compiler (-MMD -MP):
# touching a header rebuilds exactly the objects that include it.
DEPFLAGS = -MMD -MP

.PHONY: all deps test check unit seed seed-run bench conformance clean help
.DEFAULT_GOAL := all

# Installing comes before the build graph is read: on a fresh machine the
# Debian packages installed here name some of the modules built (their
# versions are read when make starts). So each main target installs, then
# runs make again for the work. HEAVY=1 (implied by bench, conformance and
# seed) adds the heavy real tools (torch) and Google Benchmark.
deps:
	@$(DEPS) core adapters $(if $(HEAVY),bench)
	@harness/tools/subjects.sh $(if $(HEAVY),--heavy)
# Ordinary runs write their results to $(BUILD)/results; only `make
# publish` (or RESULTS=results) rewrites the committed results/.
RESULTS ?= $(BUILD)/results
export RESULTS

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory -j$(JOBS) check-build
	@$(MAKE) --no-print-directory check
# With SUBJECT= only what it names: the runners install a name themselves.
bench conformance seed:
	@$(MAKE) --no-print-directory deps $(if $(SUBJECT),,HEAVY=1)
	@$(MAKE) --no-print-directory $@-run $(if $(SUBJECT),,HEAVY=1)
	@$(if $(filter bench,$@),:,echo "$@: results in $(RESULTS)/ (make publish writes results/)")   # bench-run names its files last

# Every published file from one run of one commit on one machine: the
# matrix (and the README's block of it), the seed scenario (and its table
# in docs/reported-scenario.md), the
# benchmarks, their instruction counts (the baseline CI compares with) and
# the load run. About 30 minutes on 2 cores.
.PHONY: publish
publish:
	@git diff --quiet HEAD -- $(SOURCES_PATHSPEC) 2>/dev/null || \
	    echo "publish: warning: uncommitted changes; the results will name commit $$(git rev-parse --short HEAD) all the same" >&2
	@$(MAKE) --no-print-directory deps HEAVY=1
	@$(MAKE) --no-print-directory conformance-run seed-run bench-run load RESULTS=results HEAVY=1
	@$(MAKE) --no-print-directory instructions-baseline

help:
	@echo "make            build the extension module and the runner into $(BUILD)/"
	@echo "make test       install what is missing, build, run every test under prove"
	@echo "make bench      the benchmarks: \$$RESULTS/README.md, bench.json, plots (QUICK=1: a short run)"
	@echo "make seed       the reported scenario against every subject: \$$RESULTS/seed.md"
	@echo "make conformance  the property suite, every subject: \$$RESULTS/conformance.{json,md}"
	@echo "make publish    all of them and the load run into results/, from one commit (the longest target)"
	@echo "make history TOOL=tvm-ffi|pybind11|nanobind  the catalogue over the tool's releases: \$$RESULTS/history-TOOL.md"
	@echo "make publish-history  the three timelines into results/ (not part of make publish)"
	@echo "make repros     a repro per failing cell of a real tool: $(BUILD)/repros (make repros-check runs them)"
	@echo "make pythons    the matrix on every CPython here, where verdicts differ: \$$RESULTS/pythons.md (make publish-pythons)"
	@echo "make diff BASE=old.json  what changed between two conformance runs (MAP='A=B ...')"
	@echo "make update-expectations  expectation files from a run (SUBJECT=, DRY_RUN=1)"
	@echo "make instructions-gate  instruction counts against the baseline in results/ (make instructions-baseline writes it)"
	@echo "make page-test  the results page in headless Chromium, every cell against the JSON"
	@echo "make compare BASE=old.json  flag benchmark regressions against an earlier run"
	@echo "make bench MODE=instructions  instruction counts under callgrind (make compare MODE=instructions: against results/)"
	@echo "make load       1e6 live handles, 1e7 reads per subject: \$$RESULTS/load.md (QUICK=1: 1e5, 1e6)"
	@echo "make fuzz       differential fuzzer, FUZZ_SECONDS per subject (default 2), FUZZ_SEED"
	@echo "make memcheck   unit tests and a probe per strategy under valgrind"
	@echo "make sanitize   ASan+UBSan build: unit tests, conformance, fuzzer"
	@echo "make deps       install the Debian packages and the pinned real tools (HEAVY=1: the heavy ones too)"
	@echo "make adapters   build the real tools' bindings and the C library several of them wrap"
	@echo "make runners    build every runner (conformance, fuzz, load, ffi-identity) and the adapters"
	@echo "make clean      remove $(BUILD)/"
	@echo "Variables: PYTHON=/path/to/python3 (default /usr/bin/python3); RESULTS=dir (default $(BUILD)/results);"
	@echo "           HEAVY=1 (make test/deps: the heavy tools too); SUBJECT=, FILTER= (bench); JOBS=n"
	@echo "           V=1 (show the full compile commands); TEST_JOBS=n, PROVE_FLAGS=-v (make test)"

# Re-checked whenever the dependency script changes (or after make clean).
$(BUILD)/.deps-core: $(DEPS)
	@$(DEPS) core
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/obj/%.o: %.c $(PY_STAMP) | $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -c $< -o $@

# `make test` runs every test program in one prove run (`make check`, at
# the end of this file). Each part of the suite adds its programs to
# TEST_PROGRAMS (and a quoted one-line description to TEST_PLAN); a program that
# needs arguments or environment gets a wrapper script written by
# test_script into $(BUILD)/tests/NAME.t.
TEST_PROGRAMS =
# The programs that take longest, started first (prove starts them in
# order): the short ones then fill the other slot beside them.
SLOW_TESTS =
TEST_PLAN =
TEST_ENV =
# What `make check` needs built beyond TEST_PROGRAMS (each fragment adds).
CHECK_BUILD =
define test_script   # $(call test_script,what it is,ENV=... /abs/program args)
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q){ echo '#!/bin/sh'; echo '# $(1); written by make (see $(firstword $(filter %.mk,$^)))'; \
	      echo 'exec env $(strip $(2)) "$$@"'; } > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
endef

clean:
	$(say) RM $(BUILD)
	$(Q)rm -rf $(BUILD)

# Each part of the suite keeps its own rules next to its sources.
include harness/harness.mk harness/report/report.mk harness/repros/repros.mk conformance/conformance.mk conformance/fuzz/fuzz.mk bench/bench.mk bench/load/load.mk harness/subjects/subjects.mk harness/reliability/reliability.mk
include harness/tests/plugins/plugins.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# The extension module and the runner (harness/harness.mk).
all: $(BUILD)/.deps-core $(EXTENSION) $(RUNNER)

# Every runner and the real tools' bindings (what the CI recipe of
# docs/your-build.md builds; make bench builds build/bench).
.PHONY: runners
runners: all adapters $(CONFORMANCE) $(FUZZ) $(LOAD)

# Everything `make check` runs, so `make test` can build it with every core
# first (the tests then run in one prove run, `make check`).
.PHONY: check-build
check-build: all adapters $(CHECK_BUILD) $(TEST_PROGRAMS)
	@:

# Every test program in one prove run: the plan first, one total at the
# end; a failing test point shows its "not ok" line (prove -f);
# PROVE_FLAGS=-v shows every test point and comment (the planted bugs'
# reproductions too). Two programs at a time, the slowest first: the
# conformance suite in two halves (about 29 s each; most of it waits on
# forks, pools and hang bounds), the CI recipe (12 s) and test_bad_input
# (12 s, mostly watchdogs), the short ones filling in beside them.
# Measured on an idle machine with torch installed: 51 s (the whole suite
# as one program, started in list order: 69 s). PyGObject's F3, which can
# hang under load, is an expected flake.
TEST_JOBS ?= 2
check: check-build
	@echo "test: $(words $(TEST_PROGRAMS)) programs in one prove run:"
	@printf '  - %s\n' $(TEST_PLAN)
	$(Q)$(TEST_ENV) prove -j$(TEST_JOBS) -f $(PROVE_FLAGS) --exec '' $(SLOW_TESTS) \
	    $(filter-out $(SLOW_TESTS),$(TEST_PROGRAMS)) || { \
	    echo "test: FAILED. Each program above runs alone with its diagnostics, e.g. $(BUILD)/tests/adapters.t;"; \
	    echo "      one property: $(CONFORMANCE) --subject NAME --property ID" ; exit 1; } >&2
