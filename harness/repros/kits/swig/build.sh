#!/bin/sh
# Builds the module repro.py imports: model.py and _model*.so, from model.i
# through swig (Debian's swig package), compiled with the C library (native.c).
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
PYINC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
${SWIG:-swig} -python model.i
${CC:-cc} -O1 -fPIC -shared -I"$PYINC" model_wrap.c native.c -o "_model$SUFFIX"
