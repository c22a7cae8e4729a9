# The differential fuzzer: build/fuzz, `make fuzz` (bounded: FUZZ_SECONDS
# per subject, FUZZ_SEED) and its run in CI.

FUZZ_SRC = $(wildcard conformance/fuzz/*.c)
FUZZ_OBJ = $(FUZZ_SRC:%.c=$(BUILD)/obj/%.o)
FUZZ = $(BUILD)/fuzz
CHECK_BUILD += $(FUZZ)
FUZZ_SECONDS ?= 2
FUZZ_SEED ?= 1

$(BUILD)/obj/conformance/fuzz/%.o: conformance/fuzz/%.c $(PY_STAMP) | $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -DCF_SOURCE_DIR='"$(CURDIR)/conformance"' -c $< -o $@

$(FUZZ): $(FUZZ_OBJ) $(CF_HELPERS_OBJ) $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(EXTENSION)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(FUZZ_OBJ) $(CF_HELPERS_OBJ) $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(PY_EMBED_LDFLAGS) -lpthread

.PHONY: fuzz
fuzz: $(FUZZ) adapters
	$(Q)prove --exec '' $(FUZZ) :: --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) $(foreach i,$(SUBJECT),--subject '$(i)')

# In make test: the planted bugs must be found and shrunk (a few seconds).
FUZZ_PLANTED = $(BUILD)/tests/fuzz-planted-bugs.t
$(FUZZ_PLANTED): conformance/fuzz/fuzz.mk
	$(call test_script,the fuzzer must find and shrink two planted bugs,\
	    $(abspath $(FUZZ)) --subject broken-addronly+node --subject broken-noerase+node --seconds 10)
.PHONY: fuzz-test
fuzz-test: $(FUZZ) $(FUZZ_PLANTED)
	$(Q)prove --exec '' $(FUZZ_PLANTED)

TEST_PROGRAMS += $(FUZZ_PLANTED)
TEST_PLAN += 'the fuzzer finds the bugs planted in two controls: $(FUZZ_PLANTED)'
