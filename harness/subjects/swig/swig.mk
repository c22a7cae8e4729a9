# The SWIG adapter (adapter_swig.py): adapter_swig.i run through the
# installed swig (Debian's; subjects.txt) into the build directory under a
# versioned module name, SWIG 4.1.0 -> adapter_swig_4_1_0.py (the proxy
# classes) and _adapter_swig_4_1_0$(PY_EXT_SUFFIX) (the C extension). The
# extension links libffi_native.so, found beside it through $ORIGIN: one
# copy of the C model per process, as a SWIG binding of a shipped C
# library links it. Without swig nothing is built and the subject says
# what to install.

SWIG ?= swig
SWIG_VERSION := $(shell $(SWIG) -version 2>/dev/null | awk '/^SWIG Version/ {print $$3}')

ifneq ($(SWIG_VERSION),)
SWIG_MODULE = adapter_swig_$(subst .,_,$(SWIG_VERSION))
SWIG_WRAP = $(BUILD)/swig/$(SWIG_MODULE)_wrap.c
SWIG_EXT = $(BUILD)/_$(SWIG_MODULE)$(PY_EXT_SUFFIX)

# swig writes the proxy module ($(BUILD)/$(SWIG_MODULE).py) beside the wrapper's C.
$(SWIG_WRAP): harness/subjects/swig/adapter_swig.i harness/model/ffi_native_api.h
	@mkdir -p $(dir $@)
	$(say) SWIG $@
	$(Q)$(SWIG) -python -Iharness/model -module $(SWIG_MODULE) -outdir $(BUILD) -o $@ $<

$(SWIG_EXT): $(SWIG_WRAP) $(NATIVE_LIB)
	$(say) CC $@
	$(Q)$(CC) -g $(OPT) -fPIC -shared -fvisibility=hidden $(PY_INCLUDES) -Iharness/model $(CFLAGS) $(LDFLAGS) -o $@ $< \
	    -L$(BUILD) -lffi_native -Wl,-rpath,'$$ORIGIN'

ADAPTER_BUILDS += $(SWIG_EXT)
endif
