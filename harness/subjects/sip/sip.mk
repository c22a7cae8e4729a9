# sip: the standalone sip project beside this file (pyproject.toml,
# adapter_sip.sip) built by each sip version of subjects.txt with that
# version's own sip-build, as its users build one (sip-build compiles
# through setuptools; the sip module is embedded in the extension, as sip
# does for a standalone project). Per version, in $(BUILD)/sip-VERSION/:
#   project/   the two files, the module renamed _adapter_sip_VERSION;
#   cpp_model.hpp, which the project includes from ..;
#   build/     sip-build's generated sources and objects; sip-build.log.
# The extension lands in $(BUILD) as _adapter_sip_6_17_2$(PY_EXT_SUFFIX).
# About 3 s on 2 idle cores, up to 15 s under load (the sip module's C sources,
# then one generated C++ file).

SIP_VERSIONS := $(shell awk '$$1 == "sip" && $$2 !~ /:/ { print $$2 }' harness/subjects/subjects.txt | sort -u)
sip_mod = _adapter_sip_$(subst +,_,$(subst -,_,$(subst .,_,$(1))))
SIP_PROJECT = harness/subjects/sip/pyproject.toml harness/subjects/sip/adapter_sip.sip

define sip_rules   # sip_rules(version)
$(BUILD)/$(call sip_mod,$(1))$(PY_EXT_SUFFIX): $(SIP_PROJECT) harness/model/cpp_model.hpp \
        | $(SUBJECTS_DIR)/sip@$(1)/.installed $(BUILD)/.deps-core
	$$(say) SIP-BUILD $$@
	$$(Q)rm -rf $(BUILD)/sip-$(1) && mkdir -p $(BUILD)/sip-$(1)/project
	$$(Q)cp harness/model/cpp_model.hpp $(BUILD)/sip-$(1)/
	$$(Q)for f in $(notdir $(SIP_PROJECT)); do \
	    sed 's/\b_adapter_sip\b/$(call sip_mod,$(1))/g' harness/subjects/sip/$$$$f > $(BUILD)/sip-$(1)/project/$$$$f; done
	$$(Q)cd $(BUILD)/sip-$(1)/project && \
	    CFLAGS="$$(strip $$(CFLAGS) $$(CXXFLAGS))" LDFLAGS="$$(LDFLAGS)" PYTHONPATH=$(SUBJECTS_DIR)/sip@$(1) \
	    $(PYTHON) $(SUBJECTS_DIR)/sip@$(1)/bin/sip-build --verbose --build-dir ../build > ../sip-build.log 2>&1 || \
	    { tail -n 30 ../sip-build.log; echo "sip-build failed: $(BUILD)/sip-$(1)/sip-build.log"; exit 1; }
	$$(Q)cp $(BUILD)/sip-$(1)/build/$(call sip_mod,$(1))/build/lib.*/$(call sip_mod,$(1))$(PY_EXT_SUFFIX) $$@

ADAPTER_BUILDS += $(BUILD)/$(call sip_mod,$(1))$(PY_EXT_SUFFIX)
endef

$(foreach v,$(SIP_VERSIONS),$(eval $(call sip_rules,$(v))))
