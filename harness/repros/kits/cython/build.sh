#!/bin/sh
# Builds the module repro.py imports, model*.so: model.pyx through the
# Cython that python3 imports (pip install cython), compiled with the C
# library (native.c).
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
PYINC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
VERSION=$("$PY" -c 'import Cython; print(Cython.__version__)')
"$PY" -m cython -3 model.pyx -o model.c
${CC:-cc} -O1 -fPIC -shared -I"$PYINC" -DCYTHON_USED="\"$VERSION\"" model.c native.c -o "model$SUFFIX"
