# shiboken6, Qt for Python's binding generator, the way its users bind their
# own C++ library (its samplebinding example, without CMake): the generator
# reads the global header bindings.h and the typesystem typesystem_ffi.xml
# and writes a C++ source per class, compiled against the runtime wheel's
# headers and linked to its libshiboken6.abi3.so. One extension per version
# of subjects.txt, named by it (_adapter_shiboken6_6_12_0: the typesystem's
# package, put in by sed), which adapter_shiboken6.py imports.
#
# Both wheels go into the subject's site $(SUBJECTS_DIR)/shiboken6@VERSION:
# shiboken6-generator (build time: the generator, a binary with libclang
# linked in) and shiboken6 (run time: libshiboken6 and the shiboken6
# module). The generator finds clang's own headers (stddef.h, ...) through
# llvm-config or `clang -print-resource-dir`, which the wheel does not ship:
# hence Debian's clang in subjects.txt (and libxslt1.1, which the generator
# links). The extension finds libshiboken6 in
# the site through its rpath, as the example's CMakeLists.txt sets it.
#
# The generator's flags are those of the example and of the wheel's
# shiboken_generator_create_binding (Shiboken6ToolsMacros.cmake).
#
# The subject is heavy (subjects.txt): 142 MB of wheels (the generator
# bundles Qt and ICU) and 52 MB of Debian's clang. So `make adapters` builds
# it only with HEAVY=1 (make test leaves it out, and the adapter then says
# it is not built); the runs over every subject build it themselves.

SHIBOKEN6_VERSIONS := $(shell awk '$$1 == "shiboken6" && $$2 !~ /:/ { print $$2 }' harness/subjects/subjects.txt | sort -u)
shiboken6_mod = _adapter_shiboken6_$(subst +,_,$(subst -,_,$(subst .,_,$(1))))
SHIBOKEN6_SRC = harness/subjects/shiboken6/typesystem_ffi.xml harness/subjects/shiboken6/bindings.h \
                harness/model/cpp_model.hpp harness/subjects/shiboken6/shiboken6.mk
SHIBOKEN6_GENERATOR_FLAGS = --generator-set=shiboken --enable-parent-ctor-heuristic \
    --enable-return-value-heuristic --use-isnull-as-nb_nonzero --avoid-protected-hack
SHIBOKEN6_CXXFLAGS = -std=c++17 $(OPT) -fPIC -fvisibility=hidden -Iharness/model -Iharness/subjects/shiboken6

define shiboken6_rules   # shiboken6_rules(version)
SHIBOKEN6_SITE_$(1) = $(SUBJECTS_DIR)/shiboken6@$(1)
SHIBOKEN6_WORK_$(1) = $(BUILD)/shiboken6-$(1)

# Generates, compiles (the sources in parallel: one per class) and links in
# one recipe, since the generator decides the file names.
$(BUILD)/$(call shiboken6_mod,$(1))$(PY_EXT_SUFFIX): $(SHIBOKEN6_SRC) \
        | $(SUBJECTS_DIR)/shiboken6@$(1)/.installed $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	$$(say) GEN $$(SHIBOKEN6_WORK_$(1))
	$$(Q)rm -rf $$(SHIBOKEN6_WORK_$(1)) && mkdir -p $$(SHIBOKEN6_WORK_$(1))
	$$(Q)sed 's/@MODULE@/$(call shiboken6_mod,$(1))/g' harness/subjects/shiboken6/typesystem_ffi.xml \
	    > $$(SHIBOKEN6_WORK_$(1))/typesystem.xml
	$$(Q)$$(SHIBOKEN6_SITE_$(1))/shiboken6_generator/shiboken6 $$(SHIBOKEN6_GENERATOR_FLAGS) \
	    -Iharness/model -Iharness/subjects/shiboken6 -T$$(SHIBOKEN6_WORK_$(1)) \
	    --output-directory=$$(SHIBOKEN6_WORK_$(1)) harness/subjects/shiboken6/bindings.h \
	    $$(SHIBOKEN6_WORK_$(1))/typesystem.xml > $$(SHIBOKEN6_WORK_$(1))/generator.log 2>&1 \
	    || { cat $$(SHIBOKEN6_WORK_$(1))/generator.log; exit 1; }
	$$(say) CXX "$$(SHIBOKEN6_WORK_$(1))/$(call shiboken6_mod,$(1))/*.cpp"
	$$(Q)ls $$(SHIBOKEN6_WORK_$(1))/$(call shiboken6_mod,$(1))/*.cpp | xargs -P$$(JOBS) -I{} \
	    $$(CXX) $$(SHIBOKEN6_CXXFLAGS) -I$$(SHIBOKEN6_SITE_$(1))/shiboken6/include/shiboken6 $$(PY_INCLUDES) \
	    $$(CXXFLAGS) -c {} -o {}.o
	$$(say) LINK $$@
	$$(Q)$$(CXX) -shared $$(LDFLAGS) -o $$@ $$(SHIBOKEN6_WORK_$(1))/$(call shiboken6_mod,$(1))/*.o \
	    $$$$(ls $$(SHIBOKEN6_SITE_$(1))/shiboken6/libshiboken6.abi3.so.*) -Wl,-rpath,$$(SHIBOKEN6_SITE_$(1))/shiboken6

SHIBOKEN6_EXTS += $(BUILD)/$(call shiboken6_mod,$(1))$(PY_EXT_SUFFIX)
endef

$(foreach v,$(SHIBOKEN6_VERSIONS),$(eval $(call shiboken6_rules,$(v))))

# Heavy: built with HEAVY=1 (make conformance, make bench and make publish
# pass it when they run every subject).
ifneq ($(HEAVY),)
ADAPTER_BUILDS += $(SHIBOKEN6_EXTS)
endif
