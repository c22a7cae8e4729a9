# Boost.Python: adapter_boost_python.cpp against Debian's Boost.Python
# (libboost-python-dev: headers in /usr/include/boost, libboost_python3XX
# for the running Python), two extension modules named by the package's
# version as adapter_boost_python.py spells it (1.74.0.3 ->
# _adapter_boost_python_1_74_0_3, natives made from Python, and
# _adapter_boost_python_cpp_factory_1_74_0_3, natives made in C++). Nothing is built when the package is not
# installed when make starts; the subject then says what to install.

BOOST_PYTHON_VERSION := $(shell dpkg-query -W -f '$${Status}|$${Version}' libboost-python-dev 2>/dev/null | \
    sed -n 's/^install ok installed|//p' | sed 's/^[0-9]*://; s/-[^-]*$$//')
BOOST_PYTHON_MOD = _adapter_boost_python_$(subst +,_,$(subst -,_,$(subst .,_,$(BOOST_PYTHON_VERSION))))
BOOST_PYTHON_EXT = $(BUILD)/$(BOOST_PYTHON_MOD)$(PY_EXT_SUFFIX)
BOOST_PYTHON_FACTORY_MOD = _adapter_boost_python_cpp_factory_$(subst +,_,$(subst -,_,$(subst .,_,$(BOOST_PYTHON_VERSION))))
BOOST_PYTHON_FACTORY_EXT = $(BUILD)/$(BOOST_PYTHON_FACTORY_MOD)$(PY_EXT_SUFFIX)
# libboost_python311 for Python 3.11.
BOOST_PYTHON_LIB = boost_python$(shell $(PYTHON) -c 'import sys; print("%d%d" % sys.version_info[:2])')

# Quiet: Boost 1.74's own headers print deprecation pragmas, and GCC 12
# warns (falsely) about stl_input_iterator's converted value.
BOOST_PYTHON_CXXFLAGS = -std=c++17 -g $(OPT) -Wall -Wno-maybe-uninitialized -fPIC -shared \
    -fvisibility=hidden -DBOOST_BIND_GLOBAL_PLACEHOLDERS -DBOOST_ALLOW_DEPRECATED_HEADERS -Iharness/model

# Debian's Boost.Python links Debian's libpython: nothing to build for another
# interpreter (harness/subjects/pythons.txt).
ifneq ($(and $(BOOST_PYTHON_VERSION),$(call runs_here,boost-python)),)
$(BOOST_PYTHON_EXT): harness/subjects/boost-python/adapter_boost_python.cpp harness/model/cpp_model.hpp | $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CXX $@
	$(Q)$(CXX) $(BOOST_PYTHON_CXXFLAGS) $(PY_INCLUDES) $(CXXFLAGS) $(LDFLAGS) \
	    -DADAPTER_MODULE=$(BOOST_PYTHON_MOD) -o $@ $< -l$(BOOST_PYTHON_LIB)

# The cpp-factory variant: the same source, natives made by C++ factories, its
# model in a namespace of its own (Boost.Python's registry is keyed by type name).
$(BOOST_PYTHON_FACTORY_EXT): harness/subjects/boost-python/adapter_boost_python.cpp harness/model/cpp_model.hpp | $(BUILD)/.deps-adapters $(BUILD)/.deps-core
	@mkdir -p $(dir $@)
	$(say) CXX $@
	$(Q)$(CXX) $(BOOST_PYTHON_CXXFLAGS) $(PY_INCLUDES) $(CXXFLAGS) $(LDFLAGS) -DFFI_MADE_IN_CPP=1 \
	    -DFFI_CPP_MODEL_NS=made_in_cpp -DADAPTER_MODULE=$(BOOST_PYTHON_FACTORY_MOD) -o $@ $< -l$(BOOST_PYTHON_LIB)

ADAPTER_BUILDS += $(BOOST_PYTHON_EXT) $(BOOST_PYTHON_FACTORY_EXT)
endif
