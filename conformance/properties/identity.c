/* Identity properties I1..I7. */
#include "../cf.h"

/* Wrappers that take the memory a dropped wrapper left: without them a
 * strategy that lost the wrapper would often get the same address back by
 * allocator luck, and id() would look stable when it is not. */
static PyObject *occupy_freed_wrappers(PyObject *ns)
{
    PyObject *keep = PyList_New(0);
    for (int k = 0; keep && k < 16; k++) {
        PyObject *v = cf_new(ns, "Var", "(s)", "filler");
        if (!v || PyList_Append(keep, v) < 0)
            Py_CLEAR(keep);
        Py_XDECREF(v);
    }
    return keep;
}

static cf_status i1_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *a = cf_get(l.layout, "offset"), *b = cf_get(l.layout, "offset");
    cf_status st = !b ? cf_error(ctx, "layout.offset")
                 : a == b ? CF_PASS : cf_fail(ctx, "layout.offset is not layout.offset");
    Py_XDECREF(a);
    Py_XDECREF(b);
    cf_layout_clear(&l);
    return st;
}

static cf_status i2_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *axes = cf_get(l.layout, "axes"), *first = cf_item(axes, 0);
    PyObject *off = cf_get(l.layout, "offset"), *a = cf_get(off, "a");
    cf_status st = !a || !first ? cf_error(ctx, "reading the two paths")
                 : first == a ? CF_PASS
                 : cf_fail(ctx, "layout.axes[0] is not layout.offset.a (one handle, two wrappers)");
    Py_XDECREF(axes), Py_XDECREF(first), Py_XDECREF(off), Py_XDECREF(a);
    cf_layout_clear(&l);
    return st;
}

static cf_status i3_run(cf_ctx *ctx)
{
    PyObject *v = cf_new(ctx->ns, "Var", "(s)", "v"), *w = cf_new(ctx->ns, "Var", "(s)", "w");
    PyObject *add = w ? cf_new(ctx->ns, "Add", "(OO)", v, w) : NULL;
    PyObject *a = cf_get(add, "a");
    cf_status st = !a ? cf_error(ctx, "Add(v, w).a")
                 : a == v ? CF_PASS : cf_fail(ctx, "Add(a=v, b=w).a is not v");
    Py_XDECREF(v), Py_XDECREF(w), Py_XDECREF(add), Py_XDECREF(a);
    return st;
}

static cf_status i4_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *axes = cf_get(l.layout, "axes"), *x = cf_item(axes, 0), *y = cf_item(axes, 1);
    cf_status st = CF_PASS;
    if (!y)
        st = cf_error(ctx, "layout.axes");
    else if (x == y)
        st = cf_fail(ctx, "i and j came back as one wrapper");
    Py_XDECREF(axes), Py_XDECREF(x), Py_XDECREF(y);
    cf_layout_clear(&l);
    if (st != CF_PASS)
        return st;
    /* A struct and its first member: one address, two types. */
    PyObject *o = cf_new(ctx->ns, "Outer", "(i)", 7), *inner = cf_get(o, "inner");
    int same_addr = inner ? cf_same_handle(ctx->ns, o, inner) : -1;
    if (!inner || same_addr < 0)
        st = cf_error(ctx, "Outer(7).inner");
    else if (!same_addr)
        st = cf_fail(ctx, "test premise broken: Outer and Inner should share an address");
    else if ((PyObject *)inner == o)
        st = cf_fail(ctx, "Outer(7).inner is the Outer's own wrapper (cache keyed by address only)");
    else if (!PyObject_IsInstance(inner, PyObject_GetAttrString(ctx->ns, "Inner")))
        st = cf_fail(ctx, "Outer(7).inner is a %s, not an Inner", Py_TYPE(inner)->tp_name);
    PyErr_Clear();
    Py_XDECREF(o), Py_XDECREF(inner);
    return st;
}

static cf_status i5_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *first = cf_get(l.layout, "offset");
    long long id1 = (long long)(uintptr_t)first;
    Py_XDECREF(first);   /* no Python reference held from here */
    PyObject *keep = occupy_freed_wrappers(ctx->ns);
    PyObject *second = keep ? cf_get(l.layout, "offset") : NULL;
    cf_status st = !second ? cf_error(ctx, "layout.offset")
                 : (long long)(uintptr_t)second == id1 ? CF_PASS
                 : cf_fail(ctx, "id(layout.offset) changed between two accesses (%#llx then %#llx)",
                           id1, (long long)(uintptr_t)second);
    Py_XDECREF(second), Py_XDECREF(keep);
    cf_layout_clear(&l);
    return st;
}

static cf_status i6_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *off = cf_get(l.layout, "offset");
    int set = off ? PyObject_SetAttrString(off, "note", Py_True) : -1;
    Py_XDECREF(off);
    PyObject *keep = set == 0 ? occupy_freed_wrappers(ctx->ns) : NULL;
    PyObject *again = keep ? cf_get(l.layout, "offset") : NULL;
    int has = again ? PyObject_HasAttrString(again, "note") : -1;
    cf_status st = has < 0 ? cf_error(ctx, "setting and reading an attribute")
                 : has ? CF_PASS
                 : cf_fail(ctx, "an attribute set on layout.offset is gone on the next access");
    Py_XDECREF(again), Py_XDECREF(keep);
    cf_layout_clear(&l);
    return st;
}

static cf_status i7_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *off = cf_get(l.layout, "offset");
    PyObject *ref = off ? PyWeakref_NewRef(off, NULL) : NULL;
    Py_XDECREF(off);
    PyObject *keep = ref ? occupy_freed_wrappers(ctx->ns) : NULL;
    PyObject *again = keep ? cf_get(l.layout, "offset") : NULL;
    cf_status st;
    if (!again)
        st = cf_error(ctx, "weakref.ref(layout.offset)");
    else if (PyWeakref_GetObject(ref) == Py_None)
        st = cf_fail(ctx, "weakref.ref(layout.offset) is dead although layout is alive");
    else
        st = PyWeakref_GetObject(ref) == again ? CF_PASS
             : cf_fail(ctx, "the weakref's referent is not what layout.offset returns now");
    Py_XDECREF(again), Py_XDECREF(keep), Py_XDECREF(ref);
    cf_layout_clear(&l);
    return st;
}

const cf_property cf_I1 = {"I1", "repeat", "layout.offset is layout.offset",
    "the cheapest identity test; `is` shortcuts everywhere rely on it", 0, CF_PARAM_NONE, i1_run};
const cf_property cf_I2 = {"I2", "converge", "layout.axes[0] is layout.offset.a",
    "two paths to one handle must meet, or aliasing is invisible", 0, CF_PARAM_NONE, i2_run};
const cf_property cf_I3 = {"I3", "roundtrip", "Add(a=v, b=w).a is v",
    "an object passed in and read back stays the caller's object", 0, CF_PARAM_NONE, i3_run};
const cf_property cf_I4 = {"I4", "distinct",
    "different handles give different wrappers, also an Outer and its Inner at one address",
    "a cache keyed by address alone merges a struct with its first member", CF_NEED_OUTER,
    CF_PARAM_NONE, i4_run};
const cf_property cf_I5 = {"I5", "stable-id",
    "id(layout.offset) is the same on two accesses with no reference held in between",
    "id() as a label (memos, logs, debuggers) needs it", 0, CF_PARAM_NONE, i5_run};
const cf_property cf_I6 = {"I6", "state",
    "an attribute set on layout.offset is there on a later access with no reference held",
    "Python-side annotations on native objects get lost otherwise", CF_NEED_DICT,
    CF_PARAM_NONE, i6_run};
const cf_property cf_I7 = {"I7", "weakref",
    "weakref.ref(layout.offset) stays alive with layout and points at what later accesses return",
    "weak caches keyed by wrappers (WeakKeyDictionary) silently empty otherwise",
    CF_NEED_WEAKREF, CF_PARAM_NONE, i7_run};
