#!/bin/sh
# Builds the module repro.py imports, model*.so, against the pybind11
# headers `python3 -m pybind11 --includes` names (pip install pybind11),
# else those in /usr/include (Debian's pybind11-dev).
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
INCLUDES=$("$PY" -m pybind11 --includes 2>/dev/null) ||
    INCLUDES=-I$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
${CXX:-c++} -std=c++17 -O1 -fPIC -shared $INCLUDES model.cpp -o "model$SUFFIX"
