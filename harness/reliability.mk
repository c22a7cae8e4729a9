# Memory checking: the unit tests and a runner probe per strategy under
# valgrind, with CPython's allocator switched to malloc so valgrind sees
# every wrapper. Invalid reads/writes and definite leaks fail the target.

VALGRIND = PYTHONMALLOC=malloc valgrind -q --error-exitcode=9 --leak-check=full \
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
