/* Out-of-tree strategies: a shared object exporting
 *     const ffi_strategy *ffi_strategy_entry(void);
 * whose table is of a strategy ABI version from 1 to FFI_STRATEGY_ABI (see
 * strategy.h and harness/strategies/template/). Loading one adds STRATEGY+node and
 * STRATEGY+graph ($STRATEGY_SO, --strategy-so, ffi_identity.load_strategy). */
#ifndef FFI_PLUGIN_H
#define FFI_PLUGIN_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "strategy.h"

/* Loads the strategy at `path` and returns its table, checked (abi.c) and
 * not clashing with a loaded strategy's subjects; the module adds it like a
 * built-in (module.c). NULL with an ImportError that names the file and
 * says what is wrong. */
const ffi_strategy *ffi_plugin_open(const char *path);

#endif
