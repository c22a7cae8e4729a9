# The loader's test plug-ins, built the way out-of-tree strategies are
# (headers only, no harness object), into the template's directory, where
# test_plugin*.c look ($FFI_TEMPLATE_DIR).
#  - v1/: the previous template, frozen with its own copy of the ABI v1
#    header: it must keep loading and passing what it passed.
#  - cases.c and v1/cases_abi1.c: one strategy table per CASE_* define, of
#    the current ABI and of v1, that the loader must take (NULL optional
#    hooks, a longer table) or refuse (too new, too small, no wrap).
PLUGIN_CC = $(CC) -std=c11 -shared -fPIC -Wall -O2 -g $(PY_INCLUDES)
PLUGIN_V1_HEADERS = harness/tests/plugins/v1/strategy_abi1.h harness/tests/plugins/v1/native_abi1.h
PLUGIN_V1 = $(BUILD)/template/v1/my_strategy.so

$(PLUGIN_V1): harness/tests/plugins/v1/my_strategy.c $(PLUGIN_V1_HEADERS)
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(PLUGIN_CC) -Iharness/tests/plugins/v1 -o $@ $<

PLUGIN_CASES = $(patsubst %,$(BUILD)/template/case-%.so,minimal lifecycle longer too-new too-small no-wrap)
PLUGIN_V1_CASES = $(patsubst %,$(BUILD)/template/v1/case-%.so,minimal lifecycle no-wrap)
$(BUILD)/template/case-%.so: harness/tests/plugins/cases.c harness/strategy.h harness/model/handle.h
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(PLUGIN_CC) -Iharness -DCASE_$(shell echo $* | tr a-z- A-Z_) -o $@ $<
$(BUILD)/template/v1/case-%.so: harness/tests/plugins/v1/cases_abi1.c $(PLUGIN_V1_HEADERS)
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(PLUGIN_CC) -Iharness/tests/plugins/v1 -DCASE_$(shell echo $* | tr a-z- A-Z_) -o $@ $<

$(BUILD)/tests/test_plugin $(BUILD)/tests/test_plugin_v1: harness/tests/plugin_test.h
# test_plugin also loads the v1 template, under the name its own template has.
$(BUILD)/tests/test_plugin: $(PLUGIN_CASES) $(PLUGIN_V1)
$(BUILD)/tests/test_plugin_v1: $(PLUGIN_V1) $(PLUGIN_V1_CASES)

# The frozen v1 template through the whole suite, as the current template
# runs (conformance.mk): the same expectations, direct-mapped+STYLE.txt.
TEMPLATE_V1_SUITE = $(BUILD)/tests/template-v1-through-suite.t
$(TEMPLATE_V1_SUITE): harness/tests/plugins/plugins.mk $(PLUGIN_V1)
	$(call test_script,the frozen ABI v1 template through the whole suite,\
	    STRATEGY_SO=$(abspath $(PLUGIN_V1)) $(abspath $(CONFORMANCE)) --subject direct-mapped+node --subject direct-mapped+graph)

TEST_PROGRAMS += $(TEMPLATE_V1_SUITE)
TEST_PLAN += 'the ABI v1 template (frozen, built against the v1 header) through the suite: $(TEMPLATE_V1_SUITE)'
