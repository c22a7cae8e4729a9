#!/bin/sh
# Builds the module repro.py imports, model*.so: the binding (model.cpp,
# over the C++ model of model.hpp) and nanobind's own library, with the
# nanobind that python3 imports (pip install nanobind), without CMake.
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
NB=$("$PY" -c 'import nanobind, os; print(os.path.dirname(nanobind.__file__))')
PYINC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
${CXX:-c++} -std=c++17 -O1 -fPIC -shared -fvisibility=hidden -DNDEBUG -I"$PYINC" -I"$NB/include" \
    -I"$NB/ext/robin_map/include" model.cpp "$NB/src/nb_combined.cpp" -o "model$SUFFIX"
