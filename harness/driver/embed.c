/* Embedded interpreter start-up; see embed.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed.h"

#ifndef FFI_DEFAULT_PYTHON
#define FFI_DEFAULT_PYTHON "/usr/bin/python3"
#endif

PyMODINIT_FUNC PyInit_ffi_identity(void);

int ffi_embed_env_path_add(const char *var, const char *entry, int first)
{
    const char *old = getenv(var);
    int has_old = old && *old;
    size_t len = strlen(entry) + (has_old ? strlen(old) + 1 : 0) + 1;
    char *joined = malloc(len);
    if (!joined)
        return -1;
    if (!has_old)
        snprintf(joined, len, "%s", entry);
    else if (first)
        snprintf(joined, len, "%s:%s", entry, old);
    else
        snprintf(joined, len, "%s:%s", old, entry);
    int rc = setenv(var, joined, 1);
    free(joined);
    return rc;
}

static void add_own_dir_to_pythonpath(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    ffi_embed_env_path_add("PYTHONPATH", exe, 1);
}

int ffi_embed_start(const char *argv0)
{
    const char *python = getenv("FFI_PYTHON");
    if (!python || !*python)
        python = FFI_DEFAULT_PYTHON;
    add_own_dir_to_pythonpath();
    if (PyImport_AppendInittab("ffi_identity", PyInit_ffi_identity) < 0) {
        fprintf(stderr, "%s: cannot register the ffi_identity module\n", argv0);
        return -1;
    }
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;   /* the harness owns SIGALRM/SIGINT */
    PyStatus st = PyConfig_SetBytesString(&config, &config.program_name, python);
    if (!PyStatus_Exception(st))
        st = PyConfig_SetBytesString(&config, &config.executable, python);
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        fprintf(stderr, "%s: cannot start Python (%s): %s\n", argv0, python,
                st.err_msg ? st.err_msg : "unknown error");
        return -1;
    }
    return 0;
}

int ffi_embed_stop(void) { return Py_FinalizeEx(); }

PyObject *ffi_embed_adapter_names(void)
{
    /* Importing ffi_identity is what puts harness/subjects on sys.path. */
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *registry = ffi ? PyImport_ImportModule("ffi_adapters") : NULL;
    PyObject *names = registry ? PyObject_CallMethod(registry, "names", NULL) : NULL;
    Py_XDECREF(registry), Py_XDECREF(ffi);
    return names;
}

int ffi_embed_has_name(PyObject *names, const char *name)
{
    PyObject *s = names ? PyUnicode_FromString(name) : NULL;
    int yes = s && PySequence_Contains(names, s) == 1;
    Py_XDECREF(s);
    PyErr_Clear();
    return yes;
}

int ffi_embed_unavailable(PyObject *ns, char *why, size_t n)
{
    PyObject *r = PyObject_HasAttrString(ns, "available") ? PyObject_CallMethod(ns, "available", NULL) : NULL;
    int missing = 0;
    if (r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2 && PyObject_IsTrue(PyTuple_GET_ITEM(r, 0)) == 0) {
        PyObject *reason = PyObject_Str(PyTuple_GET_ITEM(r, 1));
        snprintf(why, n, "%s", reason ? PyUnicode_AsUTF8(reason) : "not available");
        Py_XDECREF(reason);
        missing = 1;
    }
    Py_XDECREF(r);
    PyErr_Clear();
    return missing;
}
