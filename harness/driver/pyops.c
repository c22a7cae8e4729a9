/* Small Python C API helpers every runner uses; see pyops.h. */
#include <stdarg.h>

#include "pyops.h"

PyObject *ffi_py_call(const char *module, const char *fn, const char *fmt, ...)
{
    PyObject *mod = PyImport_ImportModule(module);
    PyObject *f = mod ? PyObject_GetAttrString(mod, fn) : NULL;
    Py_XDECREF(mod);
    if (!f)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    PyObject *args = Py_VaBuildValue(fmt, ap);
    va_end(ap);
    if (args && !PyTuple_Check(args))
        args = Py_BuildValue("(N)", args);
    PyObject *r = args ? PyObject_CallObject(f, args) : NULL;
    Py_XDECREF(args);
    Py_DECREF(f);
    return r;
}

long ffi_py_ns_long(PyObject *ns, const char *fn)
{
    PyObject *r = PyObject_CallMethod(ns, fn, NULL);
    long v = r ? PyLong_AsLong(r) : -1;
    Py_XDECREF(r);
    return v;
}

void ffi_py_gc(void)
{
    PyObject *r = ffi_py_call("gc", "collect", "()");
    Py_XDECREF(r);
    PyErr_Clear();
}
