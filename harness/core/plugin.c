/* Out-of-tree strategies; see plugin.h. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "plugin.h"

int ffi_module_add_binding(PyObject *m, ffi_binding *binding, int control);   /* module.c */

PyObject *ffi_plugin_load(PyObject *module, const char *path)
{
    void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!so)
        return PyErr_Format(PyExc_ImportError, "cannot load strategy %s: %s", path, dlerror());
    ffi_strategy_entry_fn entry = (ffi_strategy_entry_fn)dlsym(so, "ffi_strategy_entry");
    if (!entry)
        return PyErr_Format(PyExc_ImportError,
                            "%s is not a strategy: it does not export ffi_strategy_entry() "
                            "(see harness/strategies/template/README.md)", path);
    const ffi_strategy *s = entry();
    if (!s)
        return PyErr_Format(PyExc_ImportError, "%s: ffi_strategy_entry() returned NULL", path);
    char why[256];
    if (ffi_strategy_check(s, why, sizeof why) < 0)
        return PyErr_Format(PyExc_ImportError, "%s %s", path, why);
    /* The same file again is harmless (dlopen gives the same table); another
     * table under a name already taken would silently get the first one's
     * implementations. */
    static const ffi_style styles[] = {FFI_STYLE_NODE, FFI_STYLE_GRAPH};
    for (int k = 0; k < 2; k++) {
        char name[sizeof ((ffi_binding *)0)->name];
        snprintf(name, sizeof name, "%s+%s", s->name, ffi_style_name(styles[k]));
        ffi_binding *taken = ffi_binding_find(name);
        if (taken && taken->source != s)
            return PyErr_Format(PyExc_ImportError,
                                "%s: implementation %s is already loaded from another strategy table "
                                "(a built-in one or another file): rename the strategy", path, name);
    }
    PyObject *names = PyList_New(0);
    for (int k = 0; names && k < 2; k++) {
        ffi_binding *binding = ffi_binding_find_or_create(s, styles[k]);
        PyObject *name = binding ? PyUnicode_FromString(binding->name) : NULL;
        if (!name || ffi_module_add_binding(module, binding, 0) < 0 || PyList_Append(names, name) < 0)
            Py_CLEAR(names);
        Py_XDECREF(name);
    }
    return names;   /* the library stays loaded: its code runs until exit */
}

int ffi_plugin_load_env(PyObject *module)
{
    const char *env = getenv("STRATEGY_SO");
    if (!env || !*env)
        return 0;
    char *paths = strdup(env), *save = NULL;
    if (!paths) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = 0;
    for (char *p = strtok_r(paths, ":", &save); p && rc == 0; p = strtok_r(NULL, ":", &save)) {
        PyObject *names = ffi_plugin_load(module, p);
        if (!names)
            rc = -1;
        Py_XDECREF(names);
    }
    free(paths);
    return rc;
}
