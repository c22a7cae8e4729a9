/* Generated DAGs; see dag.h. */
#include "dag.h"

static uint64_t next_random(uint64_t *s)   /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static PyObject *new_node(PyObject *node_cls, long tag, PyObject *children)
{
    return PyObject_CallFunction(node_cls, "lO", tag, children);
}

PyObject *ffi_dag_build(PyObject *ns, long n, int fanout, int layers, uint64_t seed)
{
    if (n < 2 || fanout < 1 || layers < 1)
        return PyErr_Format(PyExc_ValueError,
                            "a DAG needs n >= 2, fanout >= 1, layers >= 1 (got %ld, %d, %d)", n,
                            fanout, layers);
    PyObject *node_cls = PyObject_GetAttrString(ns, "Node");
    if (!node_cls)
        return NULL;
    long body = n - 1;
    long width = (body + layers - 1) / layers;
    PyObject *below = PyList_New(0), *layer = NULL, *root = NULL, *empty = PyTuple_New(0);
    long tag = 0;
    if (!below || !empty)
        goto out;
    while (tag < body) {
        long count = body - tag < width ? body - tag : width;
        layer = PyList_New(0);
        if (!layer)
            goto out;
        Py_ssize_t nb = PyList_GET_SIZE(below);
        for (long k = 0; k < count; k++, tag++) {
            int kids = nb == 0 ? 0 : fanout;
            PyObject *children = PyTuple_New(kids);
            if (!children)
                goto out;
            for (int c = 0; c < kids; c++) {
                /* First child covers the layer below round-robin. */
                Py_ssize_t pick = c == 0 ? (Py_ssize_t)(k % nb) : (Py_ssize_t)(next_random(&seed) % (uint64_t)nb);
                PyObject *child = PyList_GET_ITEM(below, pick);
                Py_INCREF(child);
                PyTuple_SET_ITEM(children, c, child);
            }
            PyObject *node = new_node(node_cls, tag, children);
            Py_DECREF(children);
            if (!node || PyList_Append(layer, node) < 0) {
                Py_XDECREF(node);
                goto out;
            }
            Py_DECREF(node);
        }
        /* Nodes of the layer below that nobody picked: only possible when
         * the layer above is narrower, i.e. the last one; the root takes them. */
        if (count < nb) {
            for (Py_ssize_t k = count; k < nb; k++)
                if (PyList_Append(layer, PyList_GET_ITEM(below, k)) < 0)
                    goto out;
        }
        Py_SETREF(below, layer);
        layer = NULL;
    }
    PyObject *top = PyList_AsTuple(below);
    if (top) {
        root = new_node(node_cls, tag, top);
        Py_DECREF(top);
    }
out:
    Py_XDECREF(layer);
    Py_XDECREF(below);
    Py_XDECREF(empty);
    Py_DECREF(node_cls);
    return root;
}

long ffi_dag_distinct_handles(PyObject *ns, PyObject *root)
{
    PyObject *seen = PySet_New(NULL), *stack = PyList_New(0);
    long result = -1;
    if (!seen || !stack || PyList_Append(stack, root) < 0)
        goto out;
    while (PyList_GET_SIZE(stack)) {
        Py_ssize_t last = PyList_GET_SIZE(stack) - 1;
        PyObject *w = Py_NewRef(PyList_GET_ITEM(stack, last));
        if (PyList_SetSlice(stack, last, last + 1, NULL) < 0) {
            Py_DECREF(w);
            goto out;
        }
        PyObject *h = PyObject_CallMethod(ns, "handle", "O", w);
        int known = h ? PySet_Contains(seen, h) : -1;
        if (known == 0 && PySet_Add(seen, h) == 0) {
            /* Any sequence: bindings return their own (tvm-ffi's List). */
            PyObject *attr = PyObject_GetAttrString(w, "children");
            PyObject *kids = attr ? PySequence_Fast(attr, "Node.children is not a sequence") : NULL;
            Py_XDECREF(attr);
            for (Py_ssize_t k = 0; kids && k < PySequence_Fast_GET_SIZE(kids); k++)
                if (PyList_Append(stack, PySequence_Fast_GET_ITEM(kids, k)) < 0)
                    Py_CLEAR(kids);
            if (!kids)
                known = -1;
            Py_XDECREF(kids);
        }
        Py_XDECREF(h);
        Py_DECREF(w);
        if (known < 0)
            goto out;
    }
    result = (long)PySet_GET_SIZE(seen);
out:
    Py_XDECREF(seen);
    Py_XDECREF(stack);
    return result;
}
