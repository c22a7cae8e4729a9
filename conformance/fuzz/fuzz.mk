# The differential fuzzer: build/fuzz, `make fuzz` (bounded: FUZZ_SECONDS
# per subject, FUZZ_SEED) and its run in CI.

FUZZ_SRC = $(wildcard conformance/fuzz/*.c)
FUZZ_OBJ = $(FUZZ_SRC:%.c=$(BUILD)/obj/%.o)
FUZZ = $(BUILD)/fuzz
FUZZ_SECONDS ?= 2
FUZZ_SEED ?= 1

$(BUILD)/obj/conformance/fuzz/%.o: conformance/fuzz/%.c | $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -DCF_SOURCE_DIR='"$(CURDIR)/conformance"' -c $< -o $@

$(FUZZ): $(FUZZ_OBJ) $(CONF_SHARED_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(EXTENSION)
	$(CC) $(LDFLAGS_ALL) -o $@ $(FUZZ_OBJ) $(CONF_SHARED_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(PY_EMBED_LDFLAGS) -lpthread

.PHONY: fuzz
fuzz: $(FUZZ) adapters
	prove --exec '' $(FUZZ) :: --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED)

# In make test: the planted bugs must be found and shrunk (a few seconds).
.PHONY: fuzz-test
fuzz-test: $(FUZZ)
	prove --exec '' $(FUZZ) :: --impl broken-addronly+node --impl broken-noerase+node --seconds 10

check: fuzz-test
