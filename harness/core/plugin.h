/* Out-of-tree strategies: a shared object exporting
 *     const ffi_strategy *ffi_strategy_entry(void);
 * whose table is of a strategy ABI version from 1 to FFI_STRATEGY_ABI (see
 * strategy.h and harness/strategies/template/). Loading one adds STRATEGY+node and
 * STRATEGY+graph. */
#ifndef FFI_PLUGIN_H
#define FFI_PLUGIN_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Loads the strategy at `path` and adds its implementations to `module`
 * (ffi_identity). Returns a new list of the names added, or NULL with an
 * ImportError that names the file and says what is wrong. */
PyObject *ffi_plugin_load(PyObject *module, const char *path);

/* Loads every path in $STRATEGY_SO (colon-separated); 0, or -1 with an error. */
int ffi_plugin_load_env(PyObject *module);

#endif
