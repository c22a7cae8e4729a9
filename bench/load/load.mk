# The load run: build/load, `make load` (QUICK=1: 1e5 handles, 1e6 reads;
# SUBJECT= to pick subjects). Writes $(RESULTS)/load.md and load.json.

LOAD = $(BUILD)/load
LOAD_OBJ = $(BUILD)/obj/bench/load/main.o
CHECK_BUILD += $(LOAD)

$(LOAD_OBJ): bench/load/main.c | $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -DCF_SOURCE_DIR='"$(CURDIR)/conformance"' -c $< -o $@

$(LOAD): $(LOAD_OBJ) $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(EXTENSION)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(LOAD_OBJ) $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ) $(PY_EMBED_LDFLAGS) -lpthread

LOAD_FLAGS = $(if $(QUICK),--handles 100000 --accesses 1000000) $(foreach i,$(SUBJECT),--subject '$(i)')

.PHONY: load
load: $(LOAD) adapters
	@mkdir -p $(RESULTS)
	$(Q)LOAD_COMMIT=$$(git rev-parse --short HEAD 2>/dev/null) $(LOAD) $(LOAD_FLAGS) --out $(RESULTS)
