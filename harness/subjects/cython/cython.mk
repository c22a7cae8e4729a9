# The Cython adapter (adapter_cython.py): adapter_cython.pyx compiled by
# each Cython version of subjects.txt (its build-time pip site) into
# $(BUILD)/_adapter_cython_<version>$(PY_EXT_SUFFIX), e.g. _adapter_cython_3_3_1.
# The extension links libffi_native.so, found beside it through
# $ORIGIN: one copy of the C model per process, shared with ctypes and cffi,
# the way a C library's Cython binding ships.

CYTHON_DIR = harness/subjects/cython
# Every literal version of subjects.txt and of the $FFI_ADAPTERS registries (subjects.mk).
CYTHON_VERSIONS := $(call registry_versions,cython)
cython_module = _adapter_cython_$(subst .,_,$(subst -,_,$(1)))

define cython_rules
$(BUILD)/cython/$(1)/$(call cython_module,$(1)).c: $(CYTHON_DIR)/adapter_cython.pyx $(CYTHON_DIR)/ffi_native.pxd \
        | $(SUBJECTS_DIR)/cython@$(1)/.installed
	@mkdir -p $$(dir $$@)
	$$(say) CYTHON $$@
	$$(Q)PYTHONPATH=$(SUBJECTS_DIR)/cython@$(1) $(PYTHON) -m cython -3 --module-name $(call cython_module,$(1)) \
	    -I $(CYTHON_DIR) -o $$@ $$<

$(BUILD)/$(call cython_module,$(1))$(PY_EXT_SUFFIX): $(BUILD)/cython/$(1)/$(call cython_module,$(1)).c \
        harness/model/ffi_native_api.h $(NATIVE_LIB)
	$$(say) CC $$@
	$$(Q)$(CC) -g $(OPT) -fPIC -shared -fvisibility=hidden $(PY_INCLUDES) -Iharness/model $(CFLAGS) $(LDFLAGS) -o $$@ $$< \
	    -L$(BUILD) -lffi_native -Wl,-rpath,'$$$$ORIGIN'

ADAPTER_BUILDS += $(BUILD)/$(call cython_module,$(1))$(PY_EXT_SUFFIX)
endef

$(foreach v,$(CYTHON_VERSIONS),$(eval $(call cython_rules,$(v))))
