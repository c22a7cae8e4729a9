/* Node-style pickling: each object reduces to (type(self), (field values...)), its
 * children read through the strategy like any field access. Pickle's memo
 * (keyed by id()) then shares a child exactly when the strategy returned the
 * same wrapper for it. */
#include "binding.h"

/* Constructor arguments, in order, by field name. */
static const char *const ctor_fields[FFI_KIND_END][3] = {
    [FFI_VAR] = {"name"},
    [FFI_ADD] = {"a", "b"},
    [FFI_LAYOUT] = {"axes", "offset"},
    [FFI_NODE] = {"tag", "children"},
    [FFI_OUTER] = {"value"},
    [FFI_DERIVED] = {"value"},
    [FFI_HOLDER] = {"base"},
};

PyObject *ffi_reduce_node(ffi_wrapper *w)
{
    ffi_binding *binding = w->binding;
    if (w->handle.kind == FFI_INNER) {
        /* A view pickles as "the inner member of this Outer". */
        PyObject *outer = ffi_binding_wrap(binding, ffi_handle_of(w->handle.addr));
        if (!outer)
            return NULL;
        PyObject *getattr = PyDict_GetItemString(PyEval_GetBuiltins(), "getattr");
        return Py_BuildValue("(O(Ns))", getattr, outer, "inner");
    }
    if (w->handle.kind == FFI_BASE)   /* only a control's glue makes one */
        return PyErr_Format(PyExc_TypeError, "a Base view is not picklable on its own; pickle its Derived");
    const char *const *fields = ctor_fields[w->handle.kind];
    Py_ssize_t n = 0;
    while (n < 3 && fields[n])
        n++;
    PyObject *args = PyTuple_New(n);
    if (!args)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyObject_GetAttrString((PyObject *)w, fields[i]);
        if (!v) {
            Py_DECREF(args);
            return NULL;
        }
        PyTuple_SET_ITEM(args, i, v);
    }
    /* type(self): a Python subclass comes back as itself (pickle finds it
     * by module and qualname), its constructor honouring the subtype. */
    return Py_BuildValue("(ON)", (PyObject *)Py_TYPE(w), args);
}

/* Style "none": the binding never implemented pickling. */
PyObject *ffi_reduce_none(ffi_wrapper *w)
{
    return PyErr_Format(PyExc_TypeError, "cannot pickle '%s' object: %s has no pickle support",
                        ffi_kind_name(w->handle.kind), w->binding->name);
}
