#!/bin/sh
# Builds the module repro.py imports, model*.so, against Boost.Python
# (Debian's libboost-python-dev).
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
PYINC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
LIB=boost_python$("$PY" -c 'import sys; print("%d%d" % sys.version_info[:2])')
${CXX:-c++} -std=c++17 -O1 -fPIC -shared -DBOOST_BIND_GLOBAL_PLACEHOLDERS -I"$PYINC" model.cpp -o "model$SUFFIX" -l"$LIB"
