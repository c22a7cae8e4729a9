/* Starting an embedded interpreter that has ffi_identity built in and can
 * start multiprocessing children (spawn, forkserver) that find it too; and
 * the queries every embedding program makes: is a name in a container,
 * which names are adapters for real bindings. */
#ifndef FFI_EMBED_H
#define FFI_EMBED_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Initializes Python with ffi_identity as a built-in module. sys.executable
 * is the real interpreter ($FFI_PYTHON, else the one we were built against)
 * and PYTHONPATH gains the directory of this executable, where the
 * extension module is built, so spawned workers import the same code.
 * Returns 0, or -1 after printing why. */
int ffi_embed_start(const char *argv0);

/* Adds entry to the colon-separated list in the environment variable var
 * (PYTHONPATH, STRATEGY_SO), first or last, so every process the run starts
 * inherits it. 0, or -1 when out of memory. */
int ffi_embed_env_path_add(const char *var, const char *entry, int first);

/* Finalizes; returns Py_FinalizeEx's result. */
int ffi_embed_stop(void);

/* 1 if the str `name` is in `names` (a list of subject names, a
 * features set, ...), else 0; a Python error on the way counts as 0 and is
 * cleared. The embedding programs all ask this of Python containers. */
int ffi_embed_has_name(PyObject *names, const char *name);
/* 1 if a subject's binding is not available here (ns.available() is
 * false), with its reason in why; 0 for built-ins and available tools. */
int ffi_embed_unavailable(PyObject *ns, char *why, size_t n);

/* The subject names of the adapters for real bindings (harness/subjects),
 * as a new list, or NULL with the ImportError when they are not built
 * (make adapters). */
PyObject *ffi_embed_adapter_names(void);

#endif
