/* Out-of-tree strategies: the template loads and works; a wrong ABI and a
 * missing entry point are refused with messages that say what is wrong. */
#include <stdlib.h>
#include <string.h>

#include "../embed.h"
#include "tap.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

static char path[1024];

static const char *so(const char *name)
{
    const char *dir = getenv("FFI_TEMPLATE_DIR");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "build/template", name);
    return path;
}

/* The ImportError text from load_strategy(name), or "" if it loaded. */
static void load_error(PyObject *ffi, const char *name, char *out, size_t n)
{
    PyObject *r = PyObject_CallMethod(ffi, "load_strategy", "s", so(name));
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

int main(int argc, char **argv)
{
    (void)argc;
    if (ffi_embed_start(argv[0]) < 0)
        return 1;
    tap_plan(5);
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *names = ffi ? PyObject_CallMethod(ffi, "load_strategy", "s", so("my_strategy.so")) : NULL;
    if (!names)
        PyErr_Print();
    tap_ok(names && PyList_GET_SIZE(names) == 2 &&
               PyUnicode_CompareWithASCIIString(PyList_GET_ITEM(names, 0), "direct-mapped+node") == 0,
           "the template loads as direct-mapped+node and direct-mapped+graph");
    PyObject *ns = names ? PyObject_CallMethod(ffi, "load", "s", "direct-mapped+node") : NULL;
    PyObject *v = ns ? PyObject_CallMethod(ns, "Var", "s", "v") : NULL;
    PyObject *add = v ? PyObject_CallMethod(ns, "Add", "OO", v, v) : NULL;
    PyObject *a1 = add ? PyObject_GetAttrString(add, "a") : NULL;
    PyObject *a2 = a1 ? PyObject_GetAttrString(add, "a") : NULL;
    if (!a2)
        PyErr_Print();
    tap_ok(a2 && a1 == a2 && a1 == v, "through it, Add(v, v).a is v and is stable (I1, I3)");
    Py_XDECREF(a2), Py_XDECREF(a1), Py_XDECREF(add), Py_XDECREF(v), Py_XDECREF(ns);
    PyObject *again = names ? PyObject_CallMethod(ffi, "load_strategy", "s", so("my_strategy.so")) : NULL;
    tap_ok(again && names && PyObject_RichCompareBool(again, names, Py_EQ) == 1,
           "loading it again is harmless: the same implementations come back");
    PyErr_Clear();
    Py_XDECREF(again);
    char msg[512];
    load_error(ffi, "bad_abi.so", msg, sizeof msg);
    tap_ok(strstr(msg, "ABI 99") && strstr(msg, "bad_abi.so"), "a wrong ABI version is refused: %s", msg);
    load_error(ffi, "no_entry.so", msg, sizeof msg);
    tap_ok(strstr(msg, "ffi_strategy_entry") && strstr(msg, "no_entry.so"),
           "a missing entry point is refused: %s", msg);
    Py_XDECREF(names);
    Py_XDECREF(ffi);
    int rc = tap_done();
    ffi_embed_stop();
    return rc;
}
