# Adapters for real bindings (harness/adapters/README.md): the C object
# model as libffi_native.so (ctypes, cffi), the pybind11 extension, and
# their unit test in `make test`. Both land in $(BUILD)/, which the runners
# put on sys.path; ffi_identity puts harness/adapters there.

ADAPTERS_DIR = $(CURDIR)/harness/adapters
NATIVE_LIB = $(BUILD)/libffi_native.so
PYBIND11_EXT = $(BUILD)/_adapter_pybind11$(PY_EXT_SUFFIX)
ADAPTERS_TEST = $(BUILD)/tests/test_adapters

# ffi_identity adds the adapters' directory to sys.path and PYTHONPATH.
CFLAGS_ALL += -DFFI_ADAPTERS_DIR='"$(ADAPTERS_DIR)"'

$(BUILD)/.deps-adapters: $(DEPS)
	@$(DEPS) adapters
	@mkdir -p $(BUILD) && touch $@

$(NATIVE_LIB): harness/adapters/ffi_native_api.c harness/adapters/ffi_native_api.h \
               harness/native.c harness/alloc.c harness/native.h harness/alloc.h | $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -g $(OPT) $(WARN) -fPIC -shared -fvisibility=hidden -D_GNU_SOURCE -o $@ \
	    harness/adapters/ffi_native_api.c harness/native.c harness/alloc.c -lpthread

$(PYBIND11_EXT): harness/adapters/pybind11/adapter_pybind11.cpp | $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -g $(OPT) -Wall -fPIC -shared -fvisibility=hidden $(PY_INCLUDES) -o $@ $<

$(ADAPTERS_TEST): harness/adapters/tests/test_adapters.c harness/tests/tap.h $(EMBED_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(EMBED_OBJ) $(CORE_OBJ) $(PY_EMBED_LDFLAGS) -lpthread

# The conformance suite and the benchmarks drive the adapters too.
$(CONFORMANCE) $(BENCH): | $(NATIVE_LIB) $(PYBIND11_EXT)

.PHONY: adapters adapters-test
adapters: all $(NATIVE_LIB) $(PYBIND11_EXT)

# The test binary lives in $(BUILD)/tests; the adapters' binaries in $(BUILD).
adapters-test: adapters $(ADAPTERS_TEST)
	PYTHONPATH=$(abspath $(BUILD))$${PYTHONPATH:+:$$PYTHONPATH} prove --exec '' $(ADAPTERS_TEST)

test: adapters-test
