#!/bin/sh
# Builds the module repro.py imports, model*.so: the sip project here
# (pyproject.toml, model.sip) through the sip that python3 imports
# (pip install sip: its sip-build), the extension then copied beside
# this script.
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
"$PY" -m sipbuild.tools.build --build-dir build >build.log 2>&1 || { tail -n 30 build.log; exit 1; }
cp build/model/build/lib.*/model*.so .
