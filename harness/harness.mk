# The harness: the native model (model/), the ffi_identity extension and the
# strategy ABI (core/), the strategies and controls (strategies/), the
# driver library every program is built on (driver/), the ffi-identity
# runner (runner/), and their unit tests (tests/).

# Linked into both the extension module and every embedding program.
CORE_SRC = $(wildcard harness/model/*.c harness/core/*.c harness/strategies/*.c harness/strategies/controls/*.c)
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
# Starting an interpreter with ffi_identity built in: every program, unit
# tests included.
EMBED_OBJ = $(BUILD)/obj/harness/driver/embed.o
# The rest of the driver (subjects, the command line, forked children,
# expectations): the runners only, never the extension module.
DRIVER_OBJ = $(filter-out $(EMBED_OBJ),$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard harness/driver/*.c)))
$(DRIVER_OBJ): CFLAGS_ALL += -DFFI_SOURCE_DIR='"$(CURDIR)"'

EXTENSION = $(BUILD)/ffi_identity$(PY_EXT_SUFFIX)
RUNNER = $(BUILD)/ffi-identity

$(EXTENSION): $(CORE_OBJ)
	$(say) LINK $@
	$(Q)$(CC) -shared $(LDFLAGS_ALL) -o $@ $^ -lpthread -ldl

$(RUNNER): $(BUILD)/obj/harness/runner/main.o $(DRIVER_OBJ) $(EMBED_OBJ) $(CORE_OBJ)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PY_EMBED_LDFLAGS) -lpthread -ldl

UNIT_SRC = $(wildcard harness/tests/test_*.c)
UNIT_BIN = $(UNIT_SRC:harness/tests/%.c=$(BUILD)/tests/%)
$(BUILD)/tests/test_%: harness/tests/test_%.c harness/tests/tap.h $(EMBED_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(EMBED_OBJ) $(CORE_OBJ) $(PY_EMBED_LDFLAGS) -lpthread
TEST_PROGRAMS += $(UNIT_BIN)
TEST_PLAN += 'unit tests: $(UNIT_BIN)'

.PHONY: unit
unit: all $(UNIT_BIN)
	$(Q)$(TEST_ENV) prove --exec '' $(UNIT_BIN)

# The out-of-tree strategy template, built the way a user would, plus two
# broken variants for the loader's error paths.
TEMPLATE_DIR = harness/strategies/template
TEMPLATE = $(BUILD)/template/my_strategy.so
TEMPLATE_BAD = $(BUILD)/template/bad_abi.so $(BUILD)/template/no_entry.so
TEST_ENV += FFI_TEMPLATE_DIR=$(abspath $(BUILD)/template)
$(TEMPLATE): $(TEMPLATE_DIR)/my_strategy.c harness/strategy.h harness/model/handle.h
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(MAKE)$(if $(Q), -s) --no-print-directory -C $(TEMPLATE_DIR) OUT=$(abspath $(dir $@)) PYTHON=$(PYTHON)
$(BUILD)/template/bad_abi.so: $(TEMPLATE_DIR)/my_strategy.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) -std=c11 -shared -fPIC -Iharness $(PY_INCLUDES) -DTEMPLATE_ABI=99 -o $@ $<
$(BUILD)/template/no_entry.so: $(TEMPLATE_DIR)/my_strategy.c
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) -std=c11 -shared -fPIC -Iharness $(PY_INCLUDES) -DTEMPLATE_NO_ENTRY -o $@ $<
$(BUILD)/tests/test_plugin: $(TEMPLATE) $(TEMPLATE_BAD)
CHECK_BUILD += $(TEMPLATE) $(TEMPLATE_BAD)

# The reported scenario against every subject but the controls: real tools
# first (make publish also puts the table in docs/reported-scenario.md);
# one not available here is named with its reason and the run goes on.
SEED_RECORDS = $(BUILD)/seed.jsonl
seed-run: all adapters
	@rm -f $(SEED_RECORDS); mkdir -p $(RESULTS); missing=""; \
	for subject in $$($(RUNNER) --list | awk '/real tool/ {print $$1}') \
	            $$($(RUNNER) --list | awk '!/real tool/ && !/^broken-/ {print $$1}'); do \
	    $(RUNNER) --subject $$subject --run harness/examples/seed_aliasing.py --record $(SEED_RECORDS) \
	        || missing="$$missing $$subject"; \
	done; \
	$(PYTHON) harness/examples/seed_aliasing.py --table $(SEED_RECORDS) $(RESULTS)/seed.md \
	    $(if $(filter results,$(RESULTS)),docs/reported-scenario.md) || exit 1; \
	echo "seed: wrote $(RESULTS)/seed.md$${missing:+; not run:$$missing}"

# The scenario as a gate (seed_aliasing.py --gate): exit 1 where the worker
# sees two Vars, 0 where it sees one; built-ins only, about a second.
SEED_GATE_T = $(BUILD)/tests/seed_gate.t
$(SEED_GATE_T): harness/harness.mk harness/tests/seed_gate.sh
	$(call test_script,the reported scenario as a gate,PYTHON=$(PYTHON) $(abspath harness/tests/seed_gate.sh) \
	    $(abspath $(RUNNER)) $(abspath harness/examples/seed_aliasing.py))
TEST_PROGRAMS += $(SEED_GATE_T)
TEST_PLAN += 'the reported scenario as a gate: exit 1 where it reproduces, 0 where not: $(SEED_GATE_T)'

