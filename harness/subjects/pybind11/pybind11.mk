# pybind11: one source, adapter_pybind11.cpp, compiled once per pybind11
# version of subjects.txt against that version's headers, each into an
# extension module named by its version (_adapter_pybind11_2_10_3,
# _adapter_pybind11_3_1_0), which adapter_pybind11.py imports by the
# subject's version:
#   - Debian's pybind11-dev (headers in /usr/include), when installed when
#     make starts (its version names the module);
#   - each literal version of subjects.txt (and of the $FFI_ADAPTERS
#     registries), from its build-time pip site $(SUBJECTS_DIR)/pybind11@VERSION
#     (headers in pybind11/include).

PYBIND11_SRC = harness/subjects/pybind11/adapter_pybind11.cpp harness/model/cpp_model.hpp
PYBIND11_CXXFLAGS = -std=c++17 -g $(OPT) -Wall -fPIC -shared -fvisibility=hidden -Iharness/model
# The module of a version, as adapter_pybind11.py spells it: 2.10.3 -> _adapter_pybind11_2_10_3.
pybind11_mod = _adapter_pybind11_$(subst +,_,$(subst -,_,$(subst .,_,$(1))))
pybind11_ext = $(BUILD)/$(call pybind11_mod,$(1))$(PY_EXT_SUFFIX)

# Debian's, by its upstream version (epoch and revision dropped, as ffi_adapters.py does).
PYBIND11_DEB_VERSION := $(shell dpkg-query -W -f '$${Status}|$${Version}' pybind11-dev 2>/dev/null | \
    sed -n 's/^install ok installed|//p' | sed 's/^[0-9]*://; s/-[^-]*$$//')
# The PyPI ones: pybind11 lines with a literal version, in subjects.txt
# and in the registries of $FFI_ADAPTERS (subjects.mk), once each (the
# init-factory variant is the same extension).
PYBIND11_PYPI_VERSIONS := $(filter-out $(PYBIND11_DEB_VERSION),$(call registry_versions,pybind11))

ifneq ($(PYBIND11_DEB_VERSION),)
PYBIND11_EXT = $(call pybind11_ext,$(PYBIND11_DEB_VERSION))
$(PYBIND11_EXT): $(PYBIND11_SRC) | $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CXX $@
	$(Q)$(CXX) $(PYBIND11_CXXFLAGS) $(PY_INCLUDES) $(CXXFLAGS) $(LDFLAGS) \
	    -DADAPTER_MODULE=$(call pybind11_mod,$(PYBIND11_DEB_VERSION)) -o $@ $<
endif

define pybind11_pypi_rule
PYBIND11_PYPI_EXTS += $(call pybind11_ext,$(1))
$(call pybind11_ext,$(1)): $(PYBIND11_SRC) $(SUBJECTS_DIR)/pybind11@$(1)/.installed \
                           | $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $$(dir $$@)
	$$(say) CXX $$@
	$$(Q)$$(CXX) $$(PYBIND11_CXXFLAGS) -I$(SUBJECTS_DIR)/pybind11@$(1)/pybind11/include $$(PY_INCLUDES) $$(CXXFLAGS) $$(LDFLAGS) \
	    -DADAPTER_MODULE=$(call pybind11_mod,$(1)) -o $$@ $$<
endef
$(foreach v,$(PYBIND11_PYPI_VERSIONS),$(eval $(call pybind11_pypi_rule,$(v))))

# The cpp-factory variant (natives made by the model's C++ factories): the same
# source again, for the versions that list it, its model in a namespace of its own.
PYBIND11_FACTORY_VERSIONS := $(shell awk '$$1 == "pybind11" && $$3 == "cpp-factory" { print $$2 }' \
    harness/subjects/subjects.txt | sort -u)
pybind11_factory_mod = _adapter_pybind11_cpp_factory_$(subst +,_,$(subst -,_,$(subst .,_,$(1))))
define pybind11_factory_rule
PYBIND11_FACTORY_EXTS += $(BUILD)/$(call pybind11_factory_mod,$(1))$(PY_EXT_SUFFIX)
$(BUILD)/$(call pybind11_factory_mod,$(1))$(PY_EXT_SUFFIX): $(PYBIND11_SRC) $(SUBJECTS_DIR)/pybind11@$(1)/.installed \
                           | $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $$(dir $$@)
	$$(say) CXX $$@
	$$(Q)$$(CXX) $$(PYBIND11_CXXFLAGS) -I$(SUBJECTS_DIR)/pybind11@$(1)/pybind11/include $$(PY_INCLUDES) $$(CXXFLAGS) $$(LDFLAGS) \
	    -DFFI_MADE_IN_CPP=1 -DFFI_CPP_MODEL_NS=made_in_cpp -DADAPTER_MODULE=$(call pybind11_factory_mod,$(1)) -o $$@ $$<
endef
$(foreach v,$(PYBIND11_FACTORY_VERSIONS),$(eval $(call pybind11_factory_rule,$(v))))

ADAPTER_BUILDS += $(PYBIND11_EXT) $(PYBIND11_PYPI_EXTS) $(PYBIND11_FACTORY_EXTS)
