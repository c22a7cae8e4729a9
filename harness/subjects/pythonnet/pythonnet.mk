# pythonnet: the object model as a C# library (ClrModel.cs), compiled by
# Mono's C# compiler into $(BUILD)/ffi_clr_model.dll, which
# adapter_pythonnet.py finds on sys.path and loads with clr.AddReference.
# The library does not reference pythonnet (pythonnet reflects it at run
# time), so one build serves every pythonnet version of subjects.txt.
#
# mcs and the runtime are Debian's Mono (deb:mono-devel in subjects.txt,
# installed with the subject). The subject is heavy: mono-devel and its
# dependencies are 177 MB, and mono-devel is needed, not only the runtime,
# since it alone ships the netstandard facade (lib/mono/4.5/Facades/
# netstandard.dll) that pythonnet's Python.Runtime.dll is built against. So
# `make adapters` builds it only with HEAVY=1; the runs over every subject
# build it themselves.

PYTHONNET_VERSIONS := $(shell awk '$$1 == "pythonnet" && $$2 !~ /:/ { print $$2 }' harness/subjects/subjects.txt | sort -u)
PYTHONNET_DLL = $(BUILD)/ffi_clr_model.dll

$(PYTHONNET_DLL): harness/subjects/pythonnet/ClrModel.cs \
        | $(foreach v,$(PYTHONNET_VERSIONS),$(SUBJECTS_DIR)/pythonnet@$(v)/.installed) $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) MCS $@
	$(Q)mcs -nologo -target:library -optimize+ -warnaserror+ -out:$@ $<

# Heavy: built with HEAVY=1 (make conformance, make bench and make publish
# pass it when they run every subject).
ifneq ($(and $(HEAVY),$(call runs_here,pythonnet)),)
ADAPTER_BUILDS += $(PYTHONNET_DLL)
endif
