/* Python wrappers for native handles: one C layout for every strategy.
 *
 * Wrappers hash and compare by handle (as tvm-ffi, SWIG and cffi do), so
 * `==` always works and only `is` / `id()` tell strategies apart. Each
 * wrapper holds one native reference on its handle's owner. */
#include <sched.h>
#include <stddef.h>

#include "binding.h"
#include "structmember.h"

int ffi_race_window;
_Thread_local ffi_pending_class ffi_pending;

PyObject *ffi_wrapper_new(ffi_cache *c, ffi_handle h)
{
    ffi_binding *binding = ffi_binding_of_cache(c);
    PyTypeObject *tp = binding->cls[h.kind];
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
    w->binding = binding;
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
    ffi_binding *binding = w->binding;
    /* A disowned wrapper stands for nothing: its strategy forgot it, and
     * its native reference went, when it was disowned (ffi_wrapper_disown). */
    ffi_obj *owner = w->handle.addr ? ffi_handle_owner(w->handle) : NULL;

    PyObject_GC_UnTrack(self);
    /* Forget the wrapper before weakref callbacks run: a callback that
     * reads the same field again must not get this dying object back. */
    if (owner)
        binding->cache.strategy->wrapper_dealloc(&binding->cache, self, w->handle);
    if (w->weaklist)
        PyObject_ClearWeakRefs(self);
    Py_CLEAR(w->dict);
    tp->tp_free(self);
    if (owner)
        ffi_decref(owner);
    Py_DECREF(tp);
}

int ffi_wrapper_disown(PyObject *self)
{
    ffi_wrapper *w = (ffi_wrapper *)self;
    if (!w->handle.addr) {
        PyErr_SetString(PyExc_ValueError, "this wrapper was disowned already");
        return -1;
    }
    if (ffi_handle_is_view(w->handle)) {
        PyErr_Format(PyExc_TypeError, "a %s is a view of another object: it owns nothing to give away",
                     ffi_kind_name(w->handle.kind));
        return -1;
    }
    ffi_obj *owner = ffi_handle_owner(w->handle);
    /* The strategy forgets it as it would a dead wrapper (strategy.h), and
     * the wrapper's native reference moves to native code, which drops it:
     * a unique_ptr sink. */
    w->binding->cache.strategy->wrapper_dealloc(&w->binding->cache, self, w->handle);
    w->handle = (ffi_handle){NULL, 0};
    ffi_decref(owner);
    return 0;
}

/* The native object behind a wrapper, or NULL with ValueError once it was
 * disowned (pybind11 says "disowned" too). */
static void *native(PyObject *self)
{
    void *addr = ((ffi_wrapper *)self)->handle.addr;
    if (!addr)
        PyErr_SetString(PyExc_ValueError, "disowned: this wrapper's native object was given to native code");
    return addr;
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
    int eq = x == y || (x->binding == y->binding && x->handle.addr && ffi_handle_eq(x->handle, y->handle));
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyObject *wrapper_repr(PyObject *self)
{
    ffi_wrapper *w = (ffi_wrapper *)self;
    if (!w->handle.addr)
        return PyUnicode_FromFormat("<%s %s, disowned>", w->binding->name, Py_TYPE(self)->tp_name);
    if (w->handle.kind == FFI_VAR)
        return PyUnicode_FromFormat("<%s Var %s at %p>", w->binding->name,
                                    ((ffi_var *)w->handle.addr)->name, w->handle.addr);
    return PyUnicode_FromFormat("<%s %s at %p>", w->binding->name,
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
    if (!native(self))
        return NULL;
    switch (w->binding->style) {
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

static ffi_binding *binding_of(PyTypeObject *tp) { return ffi_binding_of_type(tp); }


#define SELF ((ffi_wrapper *)self)
#define BINDING (SELF->binding)

static PyObject *no_memory(void) { return PyErr_NoMemory(); }

/* Var(name, intern=False). An interning constructor (O1) asks the intern
 * table for the name's live Var and wraps it through the strategy like any
 * handle, so a live wrapper comes back; nanobind's nb::new_ does this. */
static PyObject *var_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"name", "intern", NULL};
    const char *name;
    Py_ssize_t len;
    int intern = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s#|$p:Var", names, &name, &len, &intern))
        return NULL;
    ffi_obj *o = intern ? ffi_var_intern(name, (size_t)len) : ffi_var_new(name, (size_t)len);
    return o ? ffi_binding_wrap_new_as(binding_of(tp), o, tp) : no_memory();
}

static PyObject *var_name(PyObject *self, void *c)
{
    (void)c;
    ffi_var *v = native(self);
    return v ? PyUnicode_FromStringAndSize(v->name, (Py_ssize_t)v->len) : NULL;
}

static PyObject *add_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"a", "b", NULL};
    PyObject *a, *b;
    ffi_handle ha, hb;
    ffi_binding *binding = binding_of(tp);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:Add", names, &a, &b) ||
        ffi_binding_unwrap(binding, a, &ha) < 0 || ffi_binding_unwrap(binding, b, &hb) < 0)
        return NULL;
    ffi_obj *o = ffi_add_new(ha.addr, hb.addr);
    return o ? ffi_binding_wrap_new_as(binding, o, tp) : no_memory();
}

static PyObject *add_a(PyObject *self, void *c)
{
    (void)c;
    ffi_add *a = native(self);
    return a ? ffi_binding_wrap(BINDING, ffi_handle_of(a->a)) : NULL;
}

static PyObject *add_b(PyObject *self, void *c)
{
    (void)c;
    ffi_add *a = native(self);
    return a ? ffi_binding_wrap(BINDING, ffi_handle_of(a->b)) : NULL;
}

/* Unwraps a sequence of wrappers into a malloc'd array of borrowed objects. */
static ffi_obj **unwrap_all(ffi_binding *binding, PyObject *seq, const char *what, size_t *n)
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
        if (ffi_binding_unwrap(binding, PySequence_Fast_GET_ITEM(fast, i), &h) < 0) {
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
static PyObject *wrap_all(ffi_binding *binding, ffi_obj *const *objs, size_t n)
{
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *w = ffi_binding_wrap(binding, ffi_handle_of(objs[i]));
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
    ffi_binding *binding = binding_of(tp);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:Layout", names, &axes, &offset) ||
        ffi_binding_unwrap(binding, offset, &ho) < 0)
        return NULL;
    ffi_obj **ax = unwrap_all(binding, axes, "Layout axes must be a sequence", &n);
    if (!ax)
        return NULL;
    ffi_obj *o = ffi_layout_new(ax, n, ho.addr);
    PyMem_Free(ax);
    return o ? ffi_binding_wrap_new_as(binding, o, tp) : no_memory();
}

static PyObject *layout_axes(PyObject *self, void *c)
{
    (void)c;
    ffi_layout *l = native(self);
    return l ? wrap_all(BINDING, l->axes, l->naxes) : NULL;
}

static PyObject *layout_offset(PyObject *self, void *c)
{
    (void)c;
    ffi_layout *l = native(self);
    return l ? ffi_binding_wrap(BINDING, ffi_handle_of(l->offset)) : NULL;
}

static PyObject *node_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"tag", "children", NULL};
    long long tag;
    PyObject *children = NULL;
    size_t n = 0;
    ffi_binding *binding = binding_of(tp);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "L|O:Node", names, &tag, &children))
        return NULL;
    ffi_obj **kids = NULL;
    if (children) {
        kids = unwrap_all(binding, children, "Node children must be a sequence", &n);
        if (!kids)
            return NULL;
    }
    ffi_obj *o = ffi_node_new(tag, kids, n);
    PyMem_Free(kids);
    return o ? ffi_binding_wrap_new_as(binding, o, tp) : no_memory();
}

static PyObject *node_tag(PyObject *self, void *c)
{
    (void)c;
    ffi_node *n = native(self);
    return n ? PyLong_FromLongLong(n->tag) : NULL;
}

static PyObject *node_children(PyObject *self, void *c)
{
    (void)c;
    ffi_node *n = native(self);
    return n ? wrap_all(BINDING, n->children, n->n) : NULL;
}

static PyObject *outer_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"value", NULL};
    long long value;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "L:Outer", names, &value))
        return NULL;
    ffi_obj *o = ffi_outer_new(value);
    return o ? ffi_binding_wrap_new_as(binding_of(tp), o, tp) : no_memory();
}

static PyObject *outer_value(PyObject *self, void *c)
{
    (void)c;
    ffi_outer *o = native(self);
    return o ? PyLong_FromLongLong(o->value) : NULL;
}

static PyObject *outer_inner(PyObject *self, void *c)
{
    (void)c;
    ffi_obj *o = native(self);
    return o ? ffi_binding_wrap(BINDING, ffi_inner_of(o)) : NULL;
}

static PyObject *derived_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"value", NULL};
    long long value;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "L:Derived", names, &value))
        return NULL;
    ffi_obj *o = ffi_derived_new(value);
    return o ? ffi_binding_wrap_new_as(binding_of(tp), o, tp) : no_memory();
}

static PyObject *derived_value(PyObject *self, void *c)
{
    (void)c;
    ffi_derived *d = native(self);
    return d ? PyLong_FromLongLong(d->value) : NULL;
}

/* The second base's own field: a Derived reads it through its base, a
 * Base view directly. */
static PyObject *base_tag(PyObject *self, void *c)
{
    (void)c;
    void *addr = native(self);
    if (!addr)
        return NULL;
    ffi_base *b = SELF->handle.kind == FFI_BASE ? addr : ffi_derived_base(addr);
    return PyLong_FromLongLong(b->tag);
}

/* Holder(base): base is a Derived; the Holder keeps the address of its
 * second base, as a C++ Base * field would. */
static PyObject *holder_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    static char *names[] = {"base", NULL};
    PyObject *base;
    ffi_handle h;
    ffi_binding *binding = binding_of(tp);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:Holder", names, &base) || ffi_binding_unwrap(binding, base, &h) < 0)
        return NULL;
    if (h.kind != FFI_DERIVED && h.kind != FFI_BASE)
        return PyErr_Format(PyExc_TypeError, "Holder takes a Derived, not a %s", ffi_kind_name(h.kind));
    ffi_obj *o = ffi_holder_new(h.kind == FFI_BASE ? h.addr : ffi_derived_base(h.addr));
    return o ? ffi_binding_wrap_new_as(binding, o, tp) : no_memory();
}

/* The base-typed field: a base pointer stands for the whole object, found
 * from the base's offset-to-top (a downcast, as C++ dynamic_cast<void *>
 * and pybind11's polymorphic type hook do), so it gets that object's
 * wrapper (U1). A control may leave the downcast out (FFI_GLUE_NO_DOWNCAST). */
static PyObject *holder_base(PyObject *self, void *c)
{
    (void)c;
    ffi_holder *h = native(self);
    if (!h)
        return NULL;
    if (BINDING->glue & FFI_GLUE_NO_DOWNCAST)
        return ffi_binding_wrap(BINDING, ffi_base_view(h->base));
    return ffi_binding_wrap(BINDING, ffi_handle_of(ffi_base_object(h->base)));
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
static PyGetSetDef derived_fields[] = {
    {"value", derived_value, NULL, NULL, NULL}, {"tag", base_tag, NULL, NULL, NULL}, {NULL}};
static PyGetSetDef holder_fields[] = {{"base", holder_base, NULL, NULL, NULL}, {NULL}};
static PyGetSetDef base_fields[] = {{"tag", base_tag, NULL, NULL, NULL}, {NULL}};

/* PyType_FromSpec checks for a traverse function before inheriting one. */
#define KIND_SLOTS(var, ctor, fields)                                          \
    static PyType_Slot var[] = {{Py_tp_new, ctor}, {Py_tp_getset, fields},      \
                                {Py_tp_traverse, wrapper_traverse}, {0, NULL}}
KIND_SLOTS(var_slots, var_new, var_fields);
KIND_SLOTS(add_slots, add_new, add_fields);
KIND_SLOTS(layout_slots, layout_new, layout_fields);
KIND_SLOTS(node_slots, node_new, node_fields);
KIND_SLOTS(outer_slots, outer_new, outer_fields);
KIND_SLOTS(derived_slots, derived_new, derived_fields);
KIND_SLOTS(holder_slots, holder_new, holder_fields);
static PyType_Slot inner_slots[] = {
    {Py_tp_getset, inner_fields}, {Py_tp_traverse, wrapper_traverse}, {0, NULL}};
static PyType_Slot base_slots[] = {
    {Py_tp_getset, base_fields}, {Py_tp_traverse, wrapper_traverse}, {0, NULL}};

PyType_Slot *ffi_wrapper_slots_for(ffi_kind kind)
{
    switch (kind) {
    case FFI_VAR: return var_slots;
    case FFI_ADD: return add_slots;
    case FFI_LAYOUT: return layout_slots;
    case FFI_NODE: return node_slots;
    case FFI_OUTER: return outer_slots;
    case FFI_INNER: return inner_slots;
    case FFI_DERIVED: return derived_slots;
    case FFI_HOLDER: return holder_slots;
    case FFI_BASE: return base_slots;
    default: return NULL;
    }
}

