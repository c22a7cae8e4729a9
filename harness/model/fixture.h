/* The reported scenario's object graph, built through any subject's
 * namespace, shared by the runner, the conformance suite and the
 * benchmarks: Layout(axes=(i, j), offset=Add(i, j)). */
#ifndef FFI_FIXTURE_H
#define FFI_FIXTURE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The Layout wrapper (new reference) or NULL with an exception. Only the
 * layout is returned: holding i, j or the Add would keep their wrappers
 * alive and hide what a strategy does on its own. */
PyObject *ffi_reported_layout(PyObject *ns);

#endif
