/* Graph-style pickling (tvm-ffi's JSON-graph __reduce__): each top-level
 * object serializes its whole reachable native subgraph with its own
 * internal dedupe. Sharing inside one root survives; sharing across two
 * roots of one payload does not, whatever the strategy.
 *
 * Payload: (module._graph_load, (records,)), records in post-order, children
 * by index into earlier records, root last:
 *   ("V", name) ("A", ia, ib) ("L", (ia, ...), io) ("N", tag, (i, ...))
 *   ("O", value) ("I", i_outer)   -- the Inner view of an earlier Outer
 *   ("D", value) ("H", i_derived)
 * A root of a Python subclass adds its class: (module._graph_load, (records,
 * cls)), and comes back a cls. Only the root: the records are the native
 * graph, which knows nothing of the Python classes of the wrappers its
 * inner objects may have had, so those come back as the base classes (as
 * tvm-ffi's JSON graph, which records type keys, not Python classes). */
#include "binding.h"

static PyObject *record_of(ffi_obj *o, PyObject *index)
{
    /* Child indices are looked up in `index` (children come first). */
    size_t n = ffi_child_count(o);
    PyObject *kids = PyTuple_New((Py_ssize_t)n);
    if (!kids)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *key = PyLong_FromVoidPtr(ffi_child(o, i));
        PyObject *at = key ? PyDict_GetItemWithError(index, key) : NULL;
        Py_XDECREF(key);
        if (!at) {
            Py_DECREF(kids);
            return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_SystemError, "graph walk order");
        }
        Py_INCREF(at);
        PyTuple_SET_ITEM(kids, (Py_ssize_t)i, at);
    }
    switch (o->kind) {
    case FFI_VAR: {
        ffi_var *v = (ffi_var *)o;
        Py_DECREF(kids);
        return Py_BuildValue("(ss#)", "V", v->name, (Py_ssize_t)v->len);
    }
    case FFI_ADD: {
        PyObject *r = Py_BuildValue("(sOO)", "A", PyTuple_GET_ITEM(kids, 0), PyTuple_GET_ITEM(kids, 1));
        Py_DECREF(kids);
        return r;
    }
    case FFI_LAYOUT: {
        Py_ssize_t na = PyTuple_GET_SIZE(kids) - 1;
        PyObject *axes = PyTuple_GetSlice(kids, 0, na);
        PyObject *r = axes ? Py_BuildValue("(sNO)", "L", axes, PyTuple_GET_ITEM(kids, na)) : NULL;
        Py_DECREF(kids);
        return r;
    }
    case FFI_NODE:
        return Py_BuildValue("(sLN)", "N", (long long)((ffi_node *)o)->tag, kids);
    case FFI_OUTER:
        Py_DECREF(kids);
        return Py_BuildValue("(sL)", "O", (long long)((ffi_outer *)o)->value);
    case FFI_DERIVED:
        Py_DECREF(kids);
        return Py_BuildValue("(sL)", "D", (long long)((ffi_derived *)o)->value);
    case FFI_HOLDER:
        return Py_BuildValue("(sN)", "H", kids);
    default:
        Py_DECREF(kids);
        return PyErr_Format(PyExc_SystemError, "cannot pickle native kind %u", o->kind);
    }
}

typedef struct frame { ffi_obj *obj; size_t next; } frame;

/* Appends the post-order records of everything reachable from root. */
static int walk(ffi_obj *root, PyObject *records, PyObject *index)
{
    size_t cap = 64, depth = 0;
    frame *stack = PyMem_Malloc(cap * sizeof *stack);
    if (!stack) {
        PyErr_NoMemory();
        return -1;
    }
    stack[depth++] = (frame){root, 0};
    int rc = 0;
    while (depth && rc == 0) {
        frame *top = &stack[depth - 1];
        if (top->next < ffi_child_count(top->obj)) {
            ffi_obj *c = ffi_child(top->obj, top->next++);
            PyObject *key = PyLong_FromVoidPtr(c);
            int seen = key ? PyDict_Contains(index, key) : -1;
            Py_XDECREF(key);
            if (seen < 0) {
                rc = -1;
            } else if (!seen) {
                if (depth == cap) {
                    frame *bigger = PyMem_Realloc(stack, 2 * cap * sizeof *stack);
                    if (!bigger) {
                        PyErr_NoMemory();
                        rc = -1;
                        break;
                    }
                    stack = bigger;
                    cap *= 2;
                }
                stack[depth++] = (frame){c, 0};
            }
            continue;
        }
        depth--;
        PyObject *rec = record_of(top->obj, index);
        PyObject *key = PyLong_FromVoidPtr(top->obj);
        PyObject *at = PyLong_FromSsize_t(PyList_GET_SIZE(records));
        if (!rec || !key || !at || PyList_Append(records, rec) < 0 ||
            PyDict_SetItem(index, key, at) < 0)
            rc = -1;
        Py_XDECREF(rec);
        Py_XDECREF(key);
        Py_XDECREF(at);
    }
    PyMem_Free(stack);
    return rc;
}

PyObject *ffi_reduce_graph(ffi_wrapper *w)
{
    if (w->handle.kind == FFI_BASE)   /* only a control's glue makes one */
        return PyErr_Format(PyExc_TypeError, "a Base view is not picklable on its own; pickle its Derived");
    PyObject *records = PyList_New(0), *index = PyDict_New(), *result = NULL;
    if (records && index && walk(ffi_handle_owner(w->handle), records, index) == 0) {
        if (w->handle.kind == FFI_INNER) {
            PyObject *rec = Py_BuildValue("(sn)", "I", PyList_GET_SIZE(records) - 1);
            if (!rec || PyList_Append(records, rec) < 0) {
                Py_XDECREF(rec);
                goto done;
            }
            Py_DECREF(rec);
        }
        PyObject *t = PyList_AsTuple(records);
        PyTypeObject *tp = Py_TYPE(w);
        if (t && tp != w->binding->cls[w->handle.kind])
            result = Py_BuildValue("(O(NO))", w->binding->graph_load, t, (PyObject *)tp);
        else if (t)
            result = Py_BuildValue("(O(N))", w->binding->graph_load, t);
    }
done:
    Py_XDECREF(records);
    Py_XDECREF(index);
    return result;
}

/* ---- loading ----------------------------------------------------------- */

static ffi_obj *earlier(ffi_obj **built, Py_ssize_t k, PyObject *i)
{
    Py_ssize_t at = PyLong_AsSsize_t(i);
    if (at < 0 || at >= k) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "graph record %zd refers to record %zd", k, at);
        return NULL;
    }
    return built[at];
}

/* Builds the native object for record k; new reference or NULL. */
static ffi_obj *build(PyObject *rec, ffi_obj **built, Py_ssize_t k)
{
    const char *tag;
    PyObject *x, *y = NULL;
    if (!PyTuple_Check(rec) || !PyArg_ParseTuple(rec, "sO|O", &tag, &x, &y))
        return PyErr_Occurred() ? NULL : (PyErr_SetString(PyExc_ValueError, "bad graph record"), NULL);
    ffi_obj *a, *b, **kids = NULL, *o = NULL;
    switch (tag[0]) {
    case 'V': {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(x, &len);
        return s ? ffi_var_new(s, (size_t)len) : NULL;
    }
    case 'A':
        if (!y || !(a = earlier(built, k, x)) || !(b = earlier(built, k, y)))
            return NULL;
        return ffi_add_new(a, b);
    case 'O':
    case 'D': {
        long long v = PyLong_AsLongLong(x);
        return PyErr_Occurred() ? NULL : tag[0] == 'O' ? ffi_outer_new(v) : ffi_derived_new(v);
    }
    case 'H': {
        if (!PyTuple_Check(x) || PyTuple_GET_SIZE(x) != 1 || !(a = earlier(built, k, PyTuple_GET_ITEM(x, 0))))
            return PyErr_Occurred() ? NULL : (PyErr_SetString(PyExc_ValueError, "bad graph record"), NULL);
        if (a->kind != FFI_DERIVED)
            return PyErr_SetString(PyExc_ValueError, "a Holder record must name a Derived"), NULL;
        return ffi_holder_new(ffi_derived_base(a));
    }
    case 'L':
    case 'N': {
        PyObject *list = tag[0] == 'L' ? x : y;
        if (!list || !PyTuple_Check(list))
            return PyErr_SetString(PyExc_ValueError, "bad graph record"), NULL;
        Py_ssize_t n = PyTuple_GET_SIZE(list);
        kids = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *kids);
        if (!kids)
            return (ffi_obj *)PyErr_NoMemory();
        for (Py_ssize_t i = 0; i < n; i++)
            if (!(kids[i] = earlier(built, k, PyTuple_GET_ITEM(list, i))))
                goto out;
        if (tag[0] == 'L') {
            if ((b = earlier(built, k, y)))
                o = ffi_layout_new(kids, (size_t)n, b);
        } else {
            long long t = PyLong_AsLongLong(x);
            if (!PyErr_Occurred())
                o = ffi_node_new(t, kids, (size_t)n);
        }
    out:
        PyMem_Free(kids);
        return o;
    }
    default:
        PyErr_Format(PyExc_ValueError, "unknown graph record tag %s", tag);
        return NULL;
    }
}

PyObject *ffi_graph_load(PyObject *module, PyObject *args)
{
    ffi_binding *binding = *(ffi_binding **)PyModule_GetState(module);
    PyObject *records, *cls = Py_None;
    if (!PyArg_ParseTuple(args, "O|O:_graph_load", &records, &cls))
        return NULL;
    if (!PyTuple_Check(records) || PyTuple_GET_SIZE(records) == 0)
        return PyErr_Format(PyExc_ValueError, "graph payload must be a non-empty tuple");
    if (cls != Py_None && (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, binding->base)))
        return PyErr_Format(PyExc_TypeError, "graph payload class must be a class of %s", binding->name);
    PyTypeObject *root_cls = cls == Py_None ? NULL : (PyTypeObject *)cls;
    Py_ssize_t n = PyTuple_GET_SIZE(records), k = 0;
    ffi_obj **built = PyMem_Calloc((size_t)n, sizeof *built);
    if (!built)
        return PyErr_NoMemory();
    PyObject *result = NULL;
    ffi_handle root;
    for (; k < n; k++) {
        PyObject *rec = PyTuple_GET_ITEM(records, k);
        if (k == n - 1 && PyTuple_Check(rec) && PyTuple_GET_SIZE(rec) == 2 &&
            PyUnicode_Check(PyTuple_GET_ITEM(rec, 0)) &&
            PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(rec, 0), "I") == 0) {
            ffi_obj *outer = earlier(built, k, PyTuple_GET_ITEM(rec, 1));
            if (!outer)
                goto done;
            if (outer->kind != FFI_OUTER) {
                PyErr_SetString(PyExc_ValueError, "Inner record must name an Outer");
                goto done;
            }
            root = ffi_inner_of(outer);
            result = ffi_binding_wrap(binding, root);   /* Inner cannot be subclassed */
            goto done;
        }
        if (!(built[k] = build(rec, built, k)))
            goto done;
    }
    root = ffi_handle_of(built[n - 1]);
    if (root_cls && !PyType_IsSubtype(root_cls, binding->cls[root.kind])) {
        PyErr_Format(PyExc_TypeError, "graph payload class %s is not a %s", root_cls->tp_name,
                     ffi_kind_name(root.kind));
        goto done;
    }
    result = ffi_binding_wrap_as(binding, root, root_cls);
done:
    for (Py_ssize_t i = 0; i < n; i++)
        if (built[i])
            ffi_decref(built[i]);
    PyMem_Free(built);
    return result;
}
