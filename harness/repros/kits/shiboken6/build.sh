#!/bin/sh
# Builds the module repro.py imports, model*.so: shiboken6's generator
# (pip install shiboken6-generator; it needs clang's headers, e.g.
# apt-get install clang) turns model.hpp and typesystem.xml into C++
# sources, which are compiled against the runtime (pip install shiboken6)
# and linked with its libshiboken6.
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
GEN=$("$PY" -c 'import shiboken6_generator, os; print(os.path.dirname(shiboken6_generator.__file__))')
SHIBOKEN=$("$PY" -c 'import shiboken6, os; print(os.path.dirname(shiboken6.__file__))')
PYINC=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
SUFFIX=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
"$GEN/shiboken6" --generator-set=shiboken --enable-parent-ctor-heuristic --enable-return-value-heuristic \
    --avoid-protected-hack -I. --output-directory=gen model.hpp typesystem.xml >gen.log 2>&1 || { cat gen.log; exit 1; }
${CXX:-c++} -std=c++17 -O1 -fPIC -shared -I. -I"$SHIBOKEN/include/shiboken6" -I"$PYINC" gen/model/*.cpp \
    "$SHIBOKEN"/libshiboken6.abi3.so.* -Wl,-rpath,"$SHIBOKEN" -o "model$SUFFIX"
