# nanobind: adapter_nanobind.cpp (the C library) and adapter_nanobind_cpp.cpp
# (the C++ model, compiled twice: natives made from Python, made in C++),
# compiled per nanobind version of the registries (subjects.txt,
# $FFI_ADAPTERS; its build-time pip site) into one extension named by the
# version, e.g. _adapter_nanobind_3_1_0, with a submodule per variant (plain,
# intrusive, cpp, cpp_factory; adapter_nanobind.py picks one). No CMake: the
# commands nanobind's src/nb_combined.cpp documents. libnanobind (the slow
# part) and the C object model are compiled once into $(BUILD)/nanobind-VERSION/
# and kept; editing the binding recompiles only the binding.
#
# Flags as nanobind-config.cmake uses them: libnanobind with NB_BUILD,
# -fno-strict-aliasing and sections for --gc-sections; the binding at -Os,
# nanobind_add_module's default for glue code (also the cheaper compile).
# Measured on 2 cores: libnanobind ~6 s, binding ~5 s, model and link ~2 s;
# under load, up to 22 s and 15 s.
#
# The object model (ffi_native_api.c, native.c, alloc.c) is linked in
# statically with hidden visibility, as libffi_native.so is built: each
# module carries its own copy, so native_live() counts only what this binding
# made, and nothing depends on finding libffi_native.so at load time.

# Every literal version of subjects.txt and of the $FFI_ADAPTERS registries (subjects.mk).
NANOBIND_VERSIONS := $(call registry_versions,nanobind)
nanobind_mod = _adapter_nanobind_$(subst +,_,$(subst -,_,$(subst .,_,$(1))))
NANOBIND_MODEL_DEPS = harness/model/ffi_native_api.h harness/model/native.h harness/model/handle.h harness/model/alloc.h
NANOBIND_SRC = harness/subjects/nanobind/adapter_nanobind.cpp
NANOBIND_CPP_SRC = harness/subjects/nanobind/adapter_nanobind_cpp.cpp harness/model/cpp_model.hpp

define nanobind_model_rule   # nanobind_model_rule(objdir, source)
$(1)/$(basename $(notdir $(2))).o: $(2) $(NANOBIND_MODEL_DEPS) | $(BUILD)/.deps-core
	@mkdir -p $$(dir $$@)
	$$(say) CC $$@
	$$(Q)$$(CC) -std=c11 -g $$(OPT) $$(WARN) -fPIC -fvisibility=hidden -D_GNU_SOURCE $$(CFLAGS) -c -o $$@ $$<
endef

define nanobind_rules   # nanobind_rules(version)
NANOBIND_OBJ_$(1) = $(BUILD)/nanobind-$(1)
NANOBIND_DIR_$(1) = $(SUBJECTS_DIR)/nanobind@$(1)/nanobind
NANOBIND_CXXFLAGS_$(1) = -std=c++17 -fPIC -fvisibility=hidden -DNDEBUG -DNB_COMPACT_ASSERTIONS \
    $$(PY_INCLUDES) -I$$(NANOBIND_DIR_$(1))/include -I$$(NANOBIND_DIR_$(1))/ext/robin_map/include
NANOBIND_MODEL_OBJS_$(1) = $$(addprefix $$(NANOBIND_OBJ_$(1))/,ffi_native_api.o native.o alloc.o)

$$(NANOBIND_OBJ_$(1))/libnanobind.o: | $(SUBJECTS_DIR)/nanobind@$(1)/.installed $(BUILD)/.deps-adapters \
                                      $(BUILD)/.deps-core
	@mkdir -p $$(dir $$@)
	$$(say) CXX $$@
	$$(Q)$$(CXX) $$(NANOBIND_CXXFLAGS_$(1)) -DNB_BUILD $$(OPT) -fno-strict-aliasing -ffunction-sections \
	    -fdata-sections $$(CXXFLAGS) -c -o $$@ $$(NANOBIND_DIR_$(1))/src/nb_combined.cpp

$(foreach src,harness/model/ffi_native_api.c harness/model/native.c harness/model/alloc.c,
$(call nanobind_model_rule,$(BUILD)/nanobind-$(1),$(src)))

$$(NANOBIND_OBJ_$(1))/binding.o: $(NANOBIND_SRC) harness/model/ffi_native_api.h \
        | $(SUBJECTS_DIR)/nanobind@$(1)/.installed $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $$(dir $$@)
	$$(say) CXX $$@
	$$(Q)$$(CXX) $$(NANOBIND_CXXFLAGS_$(1)) -DNB_ADAPTER_MODULE=$(call nanobind_mod,$(1)) -Os -Wall $$(CXXFLAGS) -c -o $$@ $$<

# The C++ model (cpp_model.hpp), once per place its natives are made.
$$(NANOBIND_OBJ_$(1))/binding_cpp.o: $(NANOBIND_CPP_SRC) \
        | $(SUBJECTS_DIR)/nanobind@$(1)/.installed $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $$(dir $$@)
	$$(say) CXX $$@
	$$(Q)$$(CXX) $$(NANOBIND_CXXFLAGS_$(1)) -Iharness/model -DFFI_MADE_IN_CPP=0 -DFFI_CPP_MODEL_NS=made_in_python \
	    -Os -Wall $$(CXXFLAGS) -c -o $$@ $$<
$$(NANOBIND_OBJ_$(1))/binding_cpp_factory.o: $(NANOBIND_CPP_SRC) \
        | $(SUBJECTS_DIR)/nanobind@$(1)/.installed $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $$(dir $$@)
	$$(say) CXX $$@
	$$(Q)$$(CXX) $$(NANOBIND_CXXFLAGS_$(1)) -Iharness/model -DFFI_MADE_IN_CPP=1 -DFFI_CPP_MODEL_NS=made_in_cpp \
	    -Os -Wall $$(CXXFLAGS) -c -o $$@ $$<

$(BUILD)/$(call nanobind_mod,$(1))$(PY_EXT_SUFFIX): $$(NANOBIND_OBJ_$(1))/binding.o \
        $$(NANOBIND_OBJ_$(1))/binding_cpp.o $$(NANOBIND_OBJ_$(1))/binding_cpp_factory.o \
        $$(NANOBIND_OBJ_$(1))/libnanobind.o $$(NANOBIND_MODEL_OBJS_$(1))
	$$(say) LINK $$@
	$$(Q)$$(CXX) -shared -Wl,--gc-sections $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) -lpthread

ADAPTER_BUILDS += $(BUILD)/$(call nanobind_mod,$(1))$(PY_EXT_SUFFIX)
endef

$(foreach v,$(NANOBIND_VERSIONS),$(eval $(call nanobind_rules,$(v))))
