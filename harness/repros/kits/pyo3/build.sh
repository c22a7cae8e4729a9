#!/bin/sh
# Builds the module repro.py imports, model*.so, with cargo: PyO3 0.17 from
# crates.io, or offline from the crates Debian's librust-pyo3-dev puts in
# /usr/share/cargo/registry where it is installed.
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
REGISTRY=/usr/share/cargo/registry
if ls -d "$REGISTRY"/pyo3-0.17.* >/dev/null 2>&1; then
    set -- --offline --config 'source.crates-io.replace-with="debian"' --config "source.debian.directory=\"$REGISTRY\""
fi
cargo generate-lockfile --quiet "$@"
VERSION=$(cargo pkgid "$@" pyo3 | sed 's/.*[#@]//')   # the PyO3 built against, for TOOL
PYO3_PYTHON=$PY PYO3_VERSION=$VERSION cargo build --release --quiet "$@"
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
cp "${CARGO_TARGET_DIR:-target}/release/libmodel.so" "model$SUFFIX"
