/* Small Python C API helpers shared by every runner: a module function
 * call, a namespace counter, a full collection. */
#ifndef FFI_PYOPS_H
#define FFI_PYOPS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* module.fn(*args), args built by Py_BuildValue(fmt) (a lone value is
 * wrapped in a tuple): new reference, or NULL with an exception. */
PyObject *ffi_py_call(const char *module, const char *fn, const char *fmt, ...);
/* ns.fn() as a long; -1 with an exception on error. */
long ffi_py_ns_long(PyObject *ns, const char *fn);
/* gc.collect(), errors cleared. */
void ffi_py_gc(void);

#endif
