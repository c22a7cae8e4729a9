# The Cython adapter (adapter_cython.py): each variant's .pyx compiled by
# each Cython version of subjects.txt that lists it (its build-time pip
# site) into $(BUILD)/_adapter_cython_[VARIANT_]<version>$(PY_EXT_SUFFIX):
# adapter_cython.pyx (plain) into _adapter_cython_3_3_1,
# adapter_cython_owner_held.pyx into _adapter_cython_owner_held_3_3_1,
# adapter_cython_weak_cache.pyx into _adapter_cython_weak_cache_3_3_1.
# The extension links libffi_native.so, found beside it through
# $ORIGIN: one copy of the C model per process, shared with ctypes and cffi,
# the way a C library's Cython binding ships.

CYTHON_DIR = harness/subjects/cython
CYTHON_VARIANTS = owner-held weak-cache
# Every literal version of subjects.txt and of the $FFI_ADAPTERS registries (subjects.mk)...
CYTHON_VERSIONS := $(call registry_versions,cython)
# ...and those that list a variant (CYTHON_VERSIONS_owner-held, ...).
$(foreach x,$(CYTHON_VARIANTS),$(eval CYTHON_VERSIONS_$(x) := $(sort $(shell \
    awk -v variant='$(x)' '$$1 == "cython" && $$3 == variant && $$2 ~ /^[0-9]/ { print $$2 }' $(SUBJECT_REGISTRIES)))))
# The file stem of a variant (empty: plain): owner-held -> _owner_held.
cython_stem = $(if $(1),_$(subst -,_,$(1)))
cython_module = _adapter_cython$(call cython_stem,$(2))_$(subst .,_,$(subst -,_,$(1)))

# cython_rules(VERSION,VARIANT)
define cython_rules
$(BUILD)/cython/$(1)/$(call cython_module,$(1),$(2)).c: $(CYTHON_DIR)/adapter_cython$(call cython_stem,$(2)).pyx \
        $(CYTHON_DIR)/ffi_native.pxd | $(SUBJECTS_DIR)/cython@$(1)/.installed
	@mkdir -p $$(dir $$@)
	$$(say) CYTHON $$@
	$$(Q)PYTHONPATH=$(SUBJECTS_DIR)/cython@$(1) $(PYTHON) -m cython -3 --module-name $(call cython_module,$(1),$(2)) \
	    -I $(CYTHON_DIR) -o $$@ $$<

$(BUILD)/$(call cython_module,$(1),$(2))$(PY_EXT_SUFFIX): $(BUILD)/cython/$(1)/$(call cython_module,$(1),$(2)).c \
        harness/model/ffi_native_api.h $(NATIVE_LIB)
	$$(say) CC $$@
	$$(Q)$(CC) -g $(OPT) -fPIC -shared -fvisibility=hidden $(PY_INCLUDES) -Iharness/model $(CFLAGS) $(LDFLAGS) -o $$@ $$< \
	    -L$(BUILD) -lffi_native -Wl,-rpath,'$$$$ORIGIN'

ADAPTER_BUILDS += $(BUILD)/$(call cython_module,$(1),$(2))$(PY_EXT_SUFFIX)
endef

$(foreach v,$(CYTHON_VERSIONS),$(eval $(call cython_rules,$(v),)))
$(foreach x,$(CYTHON_VARIANTS),$(foreach v,$(CYTHON_VERSIONS_$(x)),$(eval $(call cython_rules,$(v),$(x)))))
