/* Python wrappers for native handles: one C layout for every strategy.
 *
 * Wrappers hash and compare by handle (as tvm-ffi, SWIG and cffi do), so
 * `==` always works and only `is` / `id()` tell strategies apart. Each
 * wrapper holds one native reference on its handle's owner. */
#include <sched.h>
#include <stddef.h>

#include "impl.h"
#include "structmember.h"

int ffi_race_window;
_Thread_local ffi_pending_class ffi_pending;

PyObject *ffi_wrapper_new(ffi_cache *c, ffi_handle h)
{
    ffi_impl *impl = ffi_impl_of_cache(c);
    PyTypeObject *tp = impl->cls[h.kind];
    /* A constructor called on a Python subclass (or a graph load of one)
     * wants its wrapper of that subclass: taken here, before the race
     * window, and only for the handle it was set for. */
    if (ffi_pending.type && ffi_handle_eq(ffi_pending.handle, h)) {
        tp = ffi_pending.type;
        ffi_pending.type = NULL;
    }
    ffi_wrapper *w = (ffi_wrapper *)tp->tp_alloc(tp, 0);
    if (!w)
        return NULL;
    w->handle = h;
    w->impl = impl;
    ffi_incref(ffi_handle_owner(h));
    if (ffi_race_window) {
        /* Let another thread run between a cache miss and the insert. */
        Py_BEGIN_ALLOW_THREADS
        sched_yield();
        Py_END_ALLOW_THREADS
    }
    return (PyObject *)w;
}

static void wrapper_dealloc(PyObject *self)
{
    ffi_wrapper *w = (ffi_wrapper *)self;
    PyTypeObject *tp = Py_TYPE(self);
    ffi_impl *impl = w->impl;
    ffi_obj *owner = ffi_handle_owner(w->handle);

    PyObject_GC_UnTrack(self);
    /* Forget the wrapper before weakref callbacks run: a callback that
     * reads the same field again must not get this dying object back. */
    impl->cache.strategy->wrapper_dealloc(&impl->cache, self, w->handle);
    if (w->weaklist)
        PyObject_ClearWeakRefs(self);
    Py_CLEAR(w->dict);
    tp->tp_free(self);
    ffi_decref(owner);
    Py_DECREF(tp);
}

static int wrapper_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(((ffi_wrapper *)self)->dict);
    return 0;
}

static int wrapper_clear(PyObject *self)
{
    Py_CLEAR(((ffi_wrapper *)self)->dict);
    return 0;
}

static PyObject *wrapper_richcompare(PyObject *a, PyObject *b, int op);

/* Every wrapper class inherits the base's comparison (tp_dealloc is not a
 * reliable mark: heap subclasses may get CPython's own). */
static int is_wrapper(PyObject *o) { return Py_TYPE(o)->tp_richcompare == wrapper_richcompare; }

static Py_hash_t wrapper_hash(PyObject *self)
{
    Py_hash_t h = (Py_hash_t)(ffi_handle_hash(((ffi_wrapper *)self)->handle) >> 1);
    return h == -1 ? -2 : h;
}

static PyObject *wrapper_richcompare(PyObject *a, PyObject *b, int op)
{
    if ((op != Py_EQ && op != Py_NE) || !is_wrapper(a) || !is_wrapper(b))
        Py_RETURN_NOTIMPLEMENTED;
    ffi_wrapper *x = (ffi_wrapper *)a, *y = (ffi_wrapper *)b;
    int eq = x->impl == y->impl && ffi_handle_eq(x->handle, y->handle);
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyObject *wrapper_repr(PyObject *self)
{
    ffi_wrapper *w = (ffi_wrapper *)self;
    if (w->handle.kind == FFI_VAR)
        return PyUnicode_FromFormat("<%s Var %s at %p>", w->impl->name,
                                    ((ffi_var *)w->handle.addr)->name, w->handle.addr);
    return PyUnicode_FromFormat("<%s %s at %p>", w->impl->name,
                                ffi_kind_name(w->handle.kind), w->handle.addr);
}

static PyObject *wrapper_chandle(PyObject *self, PyObject *unused)
{
    (void)unused;
    return PyLong_FromVoidPtr(((ffi_wrapper *)self)->handle.addr);
}

static PyObject *wrapper_reduce(PyObject *self, PyObject *unused)
{
    (void)unused;
    ffi_wrapper *w = (ffi_wrapper *)self;
    switch (w->impl->style) {
    case FFI_STYLE_GRAPH: return ffi_reduce_graph(w);
    case FFI_STYLE_NONE: return ffi_reduce_none(w);
    default: return ffi_reduce_node(w);
    }
}

static PyMethodDef wrapper_methods[] = {
    {"__chandle__", wrapper_chandle, METH_NOARGS, "The native handle's address."},
    {"__reduce__", wrapper_reduce, METH_NOARGS, "Pickle support (node or graph style)."},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef wrapper_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(ffi_wrapper, dict), READONLY, NULL},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(ffi_wrapper, weaklist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

PyType_Slot ffi_wrapper_base_slots[] = {
    {Py_tp_dealloc, wrapper_dealloc},
    {Py_tp_traverse, wrapper_traverse},
    {Py_tp_clear, wrapper_clear},
    {Py_tp_hash, wrapper_hash},
    {Py_tp_richcompare, wrapper_richcompare},
    {Py_tp_repr, wrapper_repr},
    {Py_tp_methods, wrapper_methods},
    {Py_tp_members, wrapper_members},
    {Py_tp_doc, "A wrapper of a native handle; compares and hashes by handle."},
    {0, NULL}
};

/* ---- per-kind constructors and fields ---------------------------------- */

static ffi_impl *impl_of(PyTypeObject *tp) { return ffi_impl_of_type(tp); }


#define SELF ((ffi_wrapper *)self)
#define IMPL (SELF->impl)

static PyObject *no_memory(void) { return PyErr_NoMemory(); }

static PyObject *var_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"name", NULL};
    const char *name;
    Py_ssize_t len;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s#:Var", names, &name, &len))
        return NULL;
    ffi_obj *o = ffi_var_new(name, (size_t)len);
    return o ? ffi_impl_wrap_new_as(impl_of(tp), o, tp) : no_memory();
}

static PyObject *var_name(PyObject *self, void *c)
{
    (void)c;
    ffi_var *v = SELF->handle.addr;
    return PyUnicode_FromStringAndSize(v->name, (Py_ssize_t)v->len);
}

static PyObject *add_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"a", "b", NULL};
    PyObject *a, *b;
    ffi_handle ha, hb;
    ffi_impl *impl = impl_of(tp);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:Add", names, &a, &b) ||
        ffi_impl_unwrap(impl, a, &ha) < 0 || ffi_impl_unwrap(impl, b, &hb) < 0)
        return NULL;
    ffi_obj *o = ffi_add_new(ha.addr, hb.addr);
    return o ? ffi_impl_wrap_new_as(impl, o, tp) : no_memory();
}

static PyObject *add_a(PyObject *self, void *c)
{
    (void)c;
    return ffi_impl_wrap(IMPL, ffi_handle_of(((ffi_add *)SELF->handle.addr)->a));
}

static PyObject *add_b(PyObject *self, void *c)
{
    (void)c;
    return ffi_impl_wrap(IMPL, ffi_handle_of(((ffi_add *)SELF->handle.addr)->b));
}

/* Unwraps a sequence of wrappers into a malloc'd array of borrowed objects. */
static ffi_obj **unwrap_all(ffi_impl *impl, PyObject *seq, const char *what, size_t *n)
{
    PyObject *fast = PySequence_Fast(seq, what);
    if (!fast)
        return NULL;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(fast);
    ffi_obj **out = PyMem_Malloc((size_t)(len ? len : 1) * sizeof(ffi_obj *));
    if (!out) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        ffi_handle h;
        if (ffi_impl_unwrap(impl, PySequence_Fast_GET_ITEM(fast, i), &h) < 0) {
            PyMem_Free(out);
            Py_DECREF(fast);
            return NULL;
        }
        out[i] = h.addr;
    }
    Py_DECREF(fast);
    *n = (size_t)len;
    return out;
}

/* A tuple of wrappers for an array of native children. */
static PyObject *wrap_all(ffi_impl *impl, ffi_obj *const *objs, size_t n)
{
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *w = ffi_impl_wrap(impl, ffi_handle_of(objs[i]));
        if (!w) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, w);
    }
    return t;
}

static PyObject *layout_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"axes", "offset", NULL};
    PyObject *axes, *offset;
    ffi_handle ho;
    size_t n;
    ffi_impl *impl = impl_of(tp);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:Layout", names, &axes, &offset) ||
        ffi_impl_unwrap(impl, offset, &ho) < 0)
        return NULL;
    ffi_obj **ax = unwrap_all(impl, axes, "Layout axes must be a sequence", &n);
    if (!ax)
        return NULL;
    ffi_obj *o = ffi_layout_new(ax, n, ho.addr);
    PyMem_Free(ax);
    return o ? ffi_impl_wrap_new_as(impl, o, tp) : no_memory();
}

static PyObject *layout_axes(PyObject *self, void *c)
{
    (void)c;
    ffi_layout *l = SELF->handle.addr;
    return wrap_all(IMPL, l->axes, l->naxes);
}

static PyObject *layout_offset(PyObject *self, void *c)
{
    (void)c;
    return ffi_impl_wrap(IMPL, ffi_handle_of(((ffi_layout *)SELF->handle.addr)->offset));
}

static PyObject *node_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"tag", "children", NULL};
    long long tag;
    PyObject *children = NULL;
    size_t n = 0;
    ffi_impl *impl = impl_of(tp);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "L|O:Node", names, &tag, &children))
        return NULL;
    ffi_obj **kids = NULL;
    if (children) {
        kids = unwrap_all(impl, children, "Node children must be a sequence", &n);
        if (!kids)
            return NULL;
    }
    ffi_obj *o = ffi_node_new(tag, kids, n);
    PyMem_Free(kids);
    return o ? ffi_impl_wrap_new_as(impl, o, tp) : no_memory();
}

static PyObject *node_tag(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLongLong(((ffi_node *)SELF->handle.addr)->tag);
}

static PyObject *node_children(PyObject *self, void *c)
{
    (void)c;
    ffi_node *n = SELF->handle.addr;
    return wrap_all(IMPL, n->children, n->n);
}

static PyObject *outer_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"value", NULL};
    long long value;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "L:Outer", names, &value))
        return NULL;
    ffi_obj *o = ffi_outer_new(value);
    return o ? ffi_impl_wrap_new_as(impl_of(tp), o, tp) : no_memory();
}

static PyObject *outer_value(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLongLong(((ffi_outer *)SELF->handle.addr)->value);
}

static PyObject *outer_inner(PyObject *self, void *c)
{
    (void)c;
    return ffi_impl_wrap(IMPL, ffi_inner_of(SELF->handle.addr));
}

static PyGetSetDef var_fields[] = {{"name", var_name, NULL, NULL, NULL}, {NULL}};
static PyGetSetDef add_fields[] = {
    {"a", add_a, NULL, NULL, NULL}, {"b", add_b, NULL, NULL, NULL}, {NULL}};
static PyGetSetDef layout_fields[] = {
    {"axes", layout_axes, NULL, NULL, NULL}, {"offset", layout_offset, NULL, NULL, NULL}, {NULL}};
static PyGetSetDef node_fields[] = {
    {"tag", node_tag, NULL, NULL, NULL}, {"children", node_children, NULL, NULL, NULL}, {NULL}};
static PyGetSetDef outer_fields[] = {
    {"value", outer_value, NULL, NULL, NULL}, {"inner", outer_inner, NULL, NULL, NULL}, {NULL}};
/* Inner reads the leading member it shares with its Outer. */
static PyGetSetDef inner_fields[] = {{"value", outer_value, NULL, NULL, NULL}, {NULL}};

/* PyType_FromSpec checks for a traverse function before inheriting one. */
#define KIND_SLOTS(var, ctor, fields)                                          \
    static PyType_Slot var[] = {{Py_tp_new, ctor}, {Py_tp_getset, fields},      \
                                {Py_tp_traverse, wrapper_traverse}, {0, NULL}}
KIND_SLOTS(var_slots, var_new, var_fields);
KIND_SLOTS(add_slots, add_new, add_fields);
KIND_SLOTS(layout_slots, layout_new, layout_fields);
KIND_SLOTS(node_slots, node_new, node_fields);
KIND_SLOTS(outer_slots, outer_new, outer_fields);
static PyType_Slot inner_slots[] = {
    {Py_tp_getset, inner_fields}, {Py_tp_traverse, wrapper_traverse}, {0, NULL}};

PyType_Slot *ffi_wrapper_slots_for(ffi_kind kind)
{
    switch (kind) {
    case FFI_VAR: return var_slots;
    case FFI_ADD: return add_slots;
    case FFI_LAYOUT: return layout_slots;
    case FFI_NODE: return node_slots;
    case FFI_OUTER: return outer_slots;
    case FFI_INNER: return inner_slots;
    default: return NULL;
    }
}

