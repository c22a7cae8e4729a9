/* Helpers for the loader's tests (test_plugin*.c): where the test
 * plug-ins are, and what loading one says. Header-only, like tap.h. */
#ifndef FFI_PLUGIN_TEST_H
#define FFI_PLUGIN_TEST_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The path of a test plug-in: $FFI_TEMPLATE_DIR (make sets it) holds the
 * template and the loader's test plug-ins. One buffer: use before the
 * next call. */
static inline const char *plugin_path(const char *name)
{
    static char path[1024];
    const char *dir = getenv("FFI_TEMPLATE_DIR");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "build/template", name);
    return path;
}

/* ffi.load_strategy(name): the names it added (new reference), or NULL
 * after printing the error. */
static inline PyObject *plugin_load(PyObject *ffi, const char *name)
{
    PyObject *names = ffi ? PyObject_CallMethod(ffi, "load_strategy", "s", plugin_path(name)) : NULL;
    if (!names)
        PyErr_Print();
    return names;
}

/* The ImportError text from ffi.load_strategy(name), or "" if it loaded. */
static inline void plugin_load_error(PyObject *ffi, const char *name, char *out, size_t n)
{
    PyObject *r = PyObject_CallMethod(ffi, "load_strategy", "s", plugin_path(name));
    out[0] = '\0';
    if (r) {
        Py_DECREF(r);
        return;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *msg = value ? PyObject_Str(value) : NULL;
    snprintf(out, n, "%s%s", type == PyExc_ImportError ? "" : "(not an ImportError) ",
             msg ? PyUnicode_AsUTF8(msg) : "?");
    Py_XDECREF(msg), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
}

/* Through the subject `subject`: Add(v, v).a is v and is stable (I1,
 * I3). 1 if so; prints the Python error, if any, otherwise. */
static inline int plugin_identity_holds(PyObject *ffi, const char *subject)
{
    PyObject *ns = PyObject_CallMethod(ffi, "load", "s", subject);
    PyObject *v = ns ? PyObject_CallMethod(ns, "Var", "s", "v") : NULL;
    PyObject *add = v ? PyObject_CallMethod(ns, "Add", "OO", v, v) : NULL;
    PyObject *a1 = add ? PyObject_GetAttrString(add, "a") : NULL;
    PyObject *a2 = a1 ? PyObject_GetAttrString(add, "a") : NULL;
    if (!a2)
        PyErr_Print();
    int ok = a2 && a1 == a2 && a1 == v;
    Py_XDECREF(a2), Py_XDECREF(a1), Py_XDECREF(add), Py_XDECREF(v), Py_XDECREF(ns);
    return ok;
}

/* 1 if `names` (a list, or NULL) is exactly [NAME+node, NAME+graph]. */
static inline int plugin_names_are(PyObject *names, const char *name)
{
    char node[128], graph[128];
    snprintf(node, sizeof node, "%s+node", name);
    snprintf(graph, sizeof graph, "%s+graph", name);
    return names && PyList_Check(names) && PyList_GET_SIZE(names) == 2 &&
           PyUnicode_CompareWithASCIIString(PyList_GET_ITEM(names, 0), node) == 0 &&
           PyUnicode_CompareWithASCIIString(PyList_GET_ITEM(names, 1), graph) == 0;
}

/* Through the subject `subject`, of a strategy with no cache hooks:
 * wrapping works (Add(v, v).a == v, by handle) and the cache reports 0
 * entries and 0 bytes, the defaults of NULL entries_live and bytes_used. */
static inline int plugin_defaults_hold(PyObject *ffi, const char *subject)
{
    PyObject *ns = PyObject_CallMethod(ffi, "load", "s", subject);
    PyObject *v = ns ? PyObject_CallMethod(ns, "Var", "s", "v") : NULL;
    PyObject *add = v ? PyObject_CallMethod(ns, "Add", "OO", v, v) : NULL;
    PyObject *a = add ? PyObject_GetAttrString(add, "a") : NULL;
    PyObject *entries = a ? PyObject_CallMethod(ns, "cache_entries", NULL) : NULL;
    PyObject *bytes = entries ? PyObject_CallMethod(ns, "cache_bytes", NULL) : NULL;
    if (!bytes)
        PyErr_Print();
    int ok = bytes && PyObject_RichCompareBool(a, v, Py_EQ) == 1 && PyLong_AsLong(entries) == 0 &&
             PyLong_AsLong(bytes) == 0;
    Py_XDECREF(bytes), Py_XDECREF(entries), Py_XDECREF(a), Py_XDECREF(add), Py_XDECREF(v);
    Py_XDECREF(ns);
    return ok;
}

/* A global a loaded test plug-in exports (its counters), or NULL. */
static inline void *plugin_symbol(const char *name, const char *symbol)
{
    void *so = dlopen(plugin_path(name), RTLD_NOW | RTLD_NOLOAD);
    void *p = so ? dlsym(so, symbol) : NULL;
    if (so)
        dlclose(so);   /* drops only this lookup's reference */
    return p;
}

/* The harness symbols (ffi_*) `so` leaves undefined, as nm lists them,
 * written to out (empty: none); -1 if nm could not run. A plug-in links
 * against nothing of the harness: everything goes through c->host. */
static inline int plugin_harness_symbols(const char *so, char *out, size_t n)
{
    char cmd[1200], line[256];
    snprintf(cmd, sizeof cmd, "nm -D --undefined-only '%s' 2>/dev/null", so);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t used = 0;
    int lines = 0;
    out[0] = '\0';
    while (fgets(line, sizeof line, p)) {
        lines++;
        const char *sym = strstr(line, " ffi_");
        if (sym && used < n)
            used += (size_t)snprintf(out + used, n - used, "%.*s", (int)strcspn(sym, "\n"), sym);
    }
    return pclose(p) == 0 && lines > 0 ? 0 : -1;
}

#endif
