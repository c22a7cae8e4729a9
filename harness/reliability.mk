# Memory checking: the unit tests and a runner probe per strategy under
# valgrind, with CPython's allocator switched to malloc so valgrind sees
# every wrapper. Invalid reads/writes and definite leaks fail the target.

VALGRIND = FFI_TEMPLATE_DIR=$(abspath $(BUILD)/template) PYTHONMALLOC=malloc valgrind -q --error-exitcode=9 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--suppressions=harness/memcheck.supp

$(BUILD)/.deps-memcheck: $(DEPS)
	@$(DEPS) memcheck
	@mkdir -p $(BUILD) && touch $@

.PHONY: memcheck
memcheck: all $(UNIT_BIN) | $(BUILD)/.deps-memcheck
	@for t in $(UNIT_BIN); do echo "memcheck: $$t"; $(VALGRIND) $$t > /dev/null || exit 1; done
	@for impl in fresh+node weakdict+node hashmap+graph intrusive+node toggle+node leaky+node; do \
	    echo "memcheck: ffi-identity --impl $$impl"; \
	    $(VALGRIND) $(RUNNER) --impl $$impl > /dev/null || exit 1; done
	@echo "memcheck: no invalid accesses, no definite leaks"

# AddressSanitizer + UndefinedBehaviorSanitizer: a separate build of the
# harness, strategies, unit tests and runner in $(BUILD)/sanitize. Only the
# embedding binaries can be sanitized: the .so that /usr/bin/python3 loads
# would need the ASan runtime preloaded into an unsanitized interpreter.
# PYTHONMALLOC=malloc routes wrapper memory through ASan's malloc.
SAN_BUILD = $(BUILD)/sanitize
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_ENV = FFI_TEMPLATE_DIR=$(abspath $(SAN_BUILD)/template) PYTHONMALLOC=malloc ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: sanitize
sanitize: | $(BUILD)/.deps-core
	@$(MAKE) -s BUILD=$(SAN_BUILD) OPT=-O1 CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    $(SAN_BUILD)/ffi-identity $(UNIT_BIN:$(BUILD)/%=$(SAN_BUILD)/%)
	@for t in $(UNIT_BIN:$(BUILD)/%=$(SAN_BUILD)/%); do echo "sanitize: $$t"; \
	    $(SAN_ENV) $$t > $(SAN_BUILD)/last.out 2>&1 || { tail -n 40 $(SAN_BUILD)/last.out; exit 1; }; done
	@for impl in $$($(SAN_BUILD)/ffi-identity --list | cut -d' ' -f1); do \
	    echo "sanitize: ffi-identity --impl $$impl"; \
	    $(SAN_ENV) $(SAN_BUILD)/ffi-identity --impl $$impl > $(SAN_BUILD)/last.out 2>&1 || \
	        { tail -n 40 $(SAN_BUILD)/last.out; exit 1; }; done
	@echo "sanitize: ASan+UBSan clean (unit tests, runner probe per implementation)"
