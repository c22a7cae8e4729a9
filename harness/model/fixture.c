/* The reported scenario's object graph; see fixture.h. */
#include "fixture.h"

PyObject *ffi_reported_layout(PyObject *ns)
{
    PyObject *var = PyObject_GetAttrString(ns, "Var");
    PyObject *add_cls = var ? PyObject_GetAttrString(ns, "Add") : NULL;
    PyObject *layout_cls = add_cls ? PyObject_GetAttrString(ns, "Layout") : NULL;
    PyObject *i = layout_cls ? PyObject_CallFunction(var, "s", "i") : NULL;
    PyObject *j = i ? PyObject_CallFunction(var, "s", "j") : NULL;
    PyObject *add = j ? PyObject_CallFunction(add_cls, "OO", i, j) : NULL;
    PyObject *layout = add ? PyObject_CallFunction(layout_cls, "(OO)O", i, j, add) : NULL;
    Py_XDECREF(add), Py_XDECREF(j), Py_XDECREF(i);
    Py_XDECREF(layout_cls), Py_XDECREF(add_cls), Py_XDECREF(var);
    return layout;
}
