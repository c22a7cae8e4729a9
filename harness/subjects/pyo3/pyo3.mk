# PyO3: the Rust crate beside this file (Cargo.toml, build.rs, src/),
# built with cargo into an extension named by the PyO3 version it was built
# against (_adapter_pyo3_0_17_3), which adapter_pyo3.py imports by the
# subject's version.
#
# Offline: PyO3 and every crate it needs come from Debian's librust-*-dev
# packages (librust-pyo3-dev installs them into /usr/share/cargo/registry),
# and cargo-config.toml, copied into a CARGO_HOME inside the build
# directory, replaces crates.io with that directory. So the PyO3 built is
# the one Debian ships (0.17.3 on Debian 12); newer releases come only from
# crates.io, which this project's machines do not reach. The crate is
# written for PyO3's 0.17 API, so another Debian release's PyO3 is not
# built (adapter_pyo3.py then says the extension is missing).
#
# cargo from Rust 1.63 on: the one on PATH (rustup's, on this project's
# machines), else ~/.cargo/bin's, else Debian's /usr/bin/cargo (apt-get
# install cargo; not tried here). Without one nothing is built, and the
# subject says the extension is missing.

PYO3_DIR = harness/subjects/pyo3
PYO3_SRC = $(PYO3_DIR)/Cargo.toml $(PYO3_DIR)/build.rs $(PYO3_DIR)/cargo-config.toml $(wildcard $(PYO3_DIR)/src/*.rs)
# cargo's home and target directory: in the tool's directory under
# $(SUBJECTS_DIR) (build/subjects), which the sanitize build shares, so that
# it copies the extension instead of compiling PyO3 again (nothing of it is
# sanitized: cargo takes no CFLAGS).
PYO3_WORK = $(SUBJECTS_DIR)/pyo3@$(PYO3_DEB_VERSION)/cargo
PYO3_CARGO := $(firstword $(shell command -v cargo 2>/dev/null) $(wildcard $(HOME)/.cargo/bin/cargo /usr/bin/cargo))
# cargo with its home and target directory in PYO3_WORK, and the
# Python the suite runs (PyO3's build script asks it for its configuration).
pyo3_cargo = CARGO_HOME=$(PYO3_WORK)/cargo-home CARGO_TARGET_DIR=$(PYO3_WORK)/target PYO3_PYTHON=$(PYTHON) \
    $(PYO3_CARGO) $(1) --offline --manifest-path $(PYO3_DIR)/Cargo.toml

# Debian's, by its upstream version (epoch and revision dropped, as ffi_adapters.py does).
PYO3_DEB_VERSION := $(shell dpkg-query -W -f '$${Status}|$${Version}' librust-pyo3-dev 2>/dev/null | \
    sed -n 's/^install ok installed|//p' | sed 's/^[0-9]*://; s/-[^-]*$$//')
# The module of a version, as adapter_pyo3.py spells it: 0.17.3 -> _adapter_pyo3_0_17_3.
pyo3_mod = _adapter_pyo3_$(subst +,_,$(subst -,_,$(subst .,_,$(1))))

ifneq ($(and $(PYO3_CARGO),$(filter 0.17.%,$(PYO3_DEB_VERSION))),)
PYO3_MODULE = $(call pyo3_mod,$(PYO3_DEB_VERSION))
PYO3_EXT = $(BUILD)/$(PYO3_MODULE)$(PY_EXT_SUFFIX)
# The lock file is made first so that the PyO3 version cargo resolved can
# be checked against Debian's: the module's name promises it.
$(PYO3_EXT): $(PYO3_SRC) | $(BUILD)/.deps-core
	@mkdir -p $(PYO3_WORK)/cargo-home
	@cp $(PYO3_DIR)/cargo-config.toml $(PYO3_WORK)/cargo-home/config.toml
	$(say) CARGO $@
	$(Q)$(call pyo3_cargo,generate-lockfile) $(if $(Q),--quiet)
	$(Q)resolved=$$($(call pyo3_cargo,pkgid) pyo3 | sed 's/.*[#@]//'); \
	    [ "$$resolved" = "$(PYO3_DEB_VERSION)" ] || { \
	    echo "pyo3.mk: cargo resolved PyO3 $$resolved, not Debian's $(PYO3_DEB_VERSION)" >&2; exit 1; }
	$(Q)ADAPTER_MODULE=$(PYO3_MODULE) $(call pyo3_cargo,build) --release $(if $(Q),--quiet)
	$(Q)cp $(PYO3_WORK)/target/release/lib_adapter_pyo3.so $@
endif

ADAPTER_BUILDS += $(PYO3_EXT)
