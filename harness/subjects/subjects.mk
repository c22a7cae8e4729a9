# The real binding tools (harness/subjects/README.md): the C library
# several of them wrap (libffi_native.so), each tool's own fragment in its
# folder, the installs, and their tests in `make test`. What they build
# lands in $(BUILD)/, which the runners put on sys.path.

NATIVE_LIB = $(BUILD)/libffi_native.so
ADAPTERS_TEST = $(BUILD)/tests/test_adapters
CHECK_BUILD += $(ADAPTERS_TEST)

# ffi_identity puts this directory (the subject loader, ffi_adapters.py) on
# sys.path and PYTHONPATH.
$(BUILD)/obj/harness/core/subject_path.o: CFLAGS_ALL += -DFFI_SUBJECTS_SOURCE_DIR='"$(CURDIR)/harness/subjects/loader"'

$(BUILD)/.deps-adapters: $(DEPS)
	@$(DEPS) adapters
	@mkdir -p $(BUILD) && touch $@

$(NATIVE_LIB): harness/model/ffi_native_api.c harness/model/ffi_native_api.h \
               harness/model/native.c harness/model/alloc.c harness/model/native.h harness/model/handle.h harness/model/alloc.h | $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) -std=c11 -g $(OPT) $(WARN) -fPIC -shared -fvisibility=hidden -D_GNU_SOURCE $(CFLAGS) $(LDFLAGS) -o $@ \
	    harness/model/ffi_native_api.c harness/model/native.c harness/model/alloc.c -lpthread

$(ADAPTERS_TEST): harness/subjects/tests/test_adapters.c harness/tests/tap.h $(EMBED_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(EMBED_OBJ) $(CORE_OBJ) $(PY_EMBED_LDFLAGS) -lpthread

# The real tools, pinned (subjects.txt), one pip --target directory per
# TOOL@VERSION. HEAVY=1 adds the heavy ones (torch).
SUBJECTS_DIR = $(abspath $(BUILD))/subjects
SUBJECTS_SH = harness/tools/subjects.sh
export FFI_SUBJECTS_DIR = $(SUBJECTS_DIR)

# A build-time site (nanobind, pybind11 3, Cython): the tool's own
# directory, installed by `make deps` (or here, when asked for alone: that
# TOOL@VERSION only, not every version the registries list).
$(SUBJECTS_DIR)/%/.installed: harness/subjects/subjects.txt $(SUBJECTS_SH)
	@$(SUBJECTS_SH) $*
	@test -f $@ && touch $@

# The registries: the tree's subjects.txt and that of each $FFI_ADAPTERS
# directory (colon-separated, as ffi_adapters.py reads it). The tools whose
# adapter is compiled per version (pybind11, nanobind, Cython) build one
# for each literal version any of them lists: a release history
# (harness/tools/release_history.py) lists the releases it builds in a
# registry of its own, and the tree's subjects.txt stays as it is.
SUBJECT_REGISTRIES = harness/subjects/subjects.txt \
    $(wildcard $(addsuffix /subjects.txt,$(subst :, ,$(FFI_ADAPTERS))))
# runs_here(TOOL): non-empty when TOOL's pinned install serves the running
# interpreter (harness/subjects/pythons.txt; a tool not listed there runs
# on every one). A fragment builds nothing for an interpreter it does not.
comma := ,
tool_pythons = $(shell awk '$$1 == "$(1)" {print $$2}' harness/subjects/pythons.txt)
runs_here = $(call runs_on,$(call tool_pythons,$(1)))
# runs_on(PYTHONS): the same for pythons.txt's column (empty: every interpreter).
runs_on = $(if $(1),$(if $(filter debian,$(1)),$(filter $(DEBIAN_PYTHON),$(PYTHON)),$(filter $(PY_TAG),$(subst $(comma), ,$(1)))),yes)

# registry_versions(TOOL): its literal versions (not deb:PKG, python or *)
# in every registry, sorted, each once.
registry_versions = $(sort $(shell awk -v tool='$(1)' '$$1 == tool && $$2 ~ /^[0-9]/ { print $$2 }' \
    $(SUBJECT_REGISTRIES)))

# Each tool's adapter keeps its build rules beside it and appends what it
# builds to ADAPTER_BUILDS. Their recipes take the user's CFLAGS, CXXFLAGS
# and LDFLAGS (the sanitize build passes its own), and what they build
# depends on the Python it was built for ($(PY_STAMP)).
ADAPTER_BUILDS = $(NATIVE_LIB)
include $(wildcard harness/subjects/*/*.mk)
$(ADAPTER_BUILDS): $(PY_STAMP)

# The conformance suite and the benchmarks drive the adapters too.
$(CONFORMANCE) $(BENCH): | $(ADAPTER_BUILDS)

.PHONY: adapters adapters-test
adapters: all $(ADAPTER_BUILDS)

# The test binary lives in $(BUILD)/tests; the adapters' binaries in $(BUILD).
ADAPTERS_T = $(BUILD)/tests/adapters.t
$(ADAPTERS_T): harness/subjects/subjects.mk
	$(call test_script,the real tools through their adapters,\
	    PYTHONPATH=$(abspath $(BUILD))$${PYTHONPATH:+:$$PYTHONPATH} $(abspath $(ADAPTERS_TEST)))
adapters-test: adapters $(ADAPTERS_TEST) $(ADAPTERS_T)
	$(Q)prove --exec '' $(ADAPTERS_T)

TEST_PROGRAMS += $(ADAPTERS_T)
TEST_PLAN += 'the real binding tools, adapter by adapter: $(ADAPTERS_T)'

# Subject names, versions, expectation files and install records (the
# pure parts of subject_name.py and subject_install.py): a second, in make test.
SUBJECT_NAMES_T = $(BUILD)/tests/subject-names.t
$(SUBJECT_NAMES_T): harness/subjects/subjects.mk
	$(call test_script,subject names and install records,$(PYTHON) $(abspath harness/tests/test_subject_names.py))
TEST_PROGRAMS += $(SUBJECT_NAMES_T)
TEST_PLAN += 'subject names, PEP 440 order, expectation files, install records: $(SUBJECT_NAMES_T)'
