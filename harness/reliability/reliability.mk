# Memory checking: the unit tests and a runner probe per strategy (each
# strategy the runner lists, node style, controls aside) under
# valgrind, with CPython's allocator switched to malloc so valgrind sees
# every wrapper. Invalid reads/writes and definite leaks fail the target.

VALGRIND = FFI_TEMPLATE_DIR=$(abspath $(BUILD)/template) PYTHONMALLOC=malloc valgrind -q --error-exitcode=9 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions=harness/reliability/memcheck.supp

$(BUILD)/.deps-memcheck: $(DEPS)
	@$(DEPS) memcheck
	@mkdir -p $(BUILD) && touch $@

.PHONY: memcheck
memcheck: all $(UNIT_BIN) | $(BUILD)/.deps-memcheck
	@for t in $(UNIT_BIN); do echo "memcheck: $$t"; $(VALGRIND) $$t > /dev/null || exit 1; done
	@for subject in $$($(RUNNER) --list | awk '!/real tool/ && !/^broken-/ && $$1 ~ /[+]node$$/ {print $$1}'); do \
	    echo "memcheck: ffi-identity --subject $$subject"; \
	    $(VALGRIND) $(RUNNER) --subject $$subject > /dev/null || exit 1; done
	@echo "memcheck: no invalid accesses, no definite leaks"

# AddressSanitizer + UndefinedBehaviorSanitizer: a separate build of the
# harness, strategies, unit tests, runners and adapters in $(BUILD)/sanitize. Only the
# embedding binaries can be sanitized: the .so that /usr/bin/python3 loads
# would need the ASan runtime preloaded into an unsanitized interpreter.
# PYTHONMALLOC=malloc routes wrapper memory through ASan's malloc.
SAN_BUILD = $(BUILD)/sanitize
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_ENV = FFI_TEMPLATE_DIR=$(abspath $(SAN_BUILD)/template) PYTHONMALLOC=malloc ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The conformance suite and the fuzzer run every subject except the
# broken controls (broken-noerase's use-after-free is its purpose; ASan
# reports it, which shows the build catches such bugs). F2 is left out: its
# spawn and forkserver workers are plain /usr/bin/python3, which cannot load
# sanitized code. Listing names is not a test: it loads every namespace,
# whose heap types CPython's finalization does not free (LSan calls that a
# leak of ~1 KB per namespace), so it runs without leak checking.
SAN_LIST = ASAN_OPTIONS=detect_leaks=0 $(SAN_BUILD)/ffi-identity --list
SAN_SUBJECTS = $$($(SAN_LIST) | awk '!/real tool/ && !/^broken-/ {print "--subject", $$1}') \
	--subject pybind11 --subject ctypes --subject cffi
# Every property the runner lists, but F2.
SAN_PROPERTIES = $$($(SAN_BUILD)/conformance --list | awk '/^[A-Z]/ && $$1 != "F2" {print "--property", $$1}')

.PHONY: sanitize
sanitize: | $(BUILD)/.deps-core $(BUILD)/.deps-adapters
	@$(MAKE) -s BUILD=$(SAN_BUILD) SUBJECTS_DIR=$(SUBJECTS_DIR) OPT=-O1 CFLAGS="$(SAN_FLAGS)" CXXFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    $(SAN_BUILD)/ffi-identity $(UNIT_BIN:$(BUILD)/%=$(SAN_BUILD)/%) $(SAN_BUILD)/conformance $(SAN_BUILD)/fuzz adapters
	@for t in $(UNIT_BIN:$(BUILD)/%=$(SAN_BUILD)/%); do echo "sanitize: $$t"; \
	    $(SAN_ENV) $$t > $(SAN_BUILD)/last.out 2>&1 || { tail -n 40 $(SAN_BUILD)/last.out; exit 1; }; done
	@for subject in $$($(SAN_LIST) | awk '!/real tool/ {print $$1}'); do \
	    echo "sanitize: ffi-identity --subject $$subject"; \
	    $(SAN_ENV) $(SAN_BUILD)/ffi-identity --subject $$subject > $(SAN_BUILD)/last.out 2>&1 || \
	        { tail -n 40 $(SAN_BUILD)/last.out; exit 1; }; done
	@echo "sanitize: conformance suite, every subject but the broken controls, all properties but F2"
	@$(SAN_ENV) $(SAN_BUILD)/conformance $(SAN_SUBJECTS) $(SAN_PROPERTIES) > $(SAN_BUILD)/conformance.tap 2>&1 || \
	    { grep -v '^ok' $(SAN_BUILD)/conformance.tap | tail -n 40; exit 1; }
	@echo "sanitize: fuzzer, 1 s per subject"
	@$(SAN_ENV) $(SAN_BUILD)/fuzz --seconds 1 $(SAN_SUBJECTS) > $(SAN_BUILD)/fuzz.tap 2>&1 || \
	    { grep -v '^ok' $(SAN_BUILD)/fuzz.tap | tail -n 40; exit 1; }
	@echo "sanitize: ASan+UBSan clean (unit tests, runner probe per subject, conformance, fuzzer)"
