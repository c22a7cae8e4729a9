/* Identity properties I1..I7. */
#include "../cf.h"

/* ---- reference counts (the second half of I1..I3) ----------------------
 * Identity tests must also catch reference-count errors: a cache that hands
 * out a borrowed reference on a hit passes every `is` check and then frees
 * the wrapper under its second owner. Counts are read with Py_REFCNT, the
 * number sys.getrefcount reports minus its own argument. */
typedef PyObject *(*cf_read)(PyObject *holder);

static PyObject *read_offset(PyObject *layout) { return cf_get(layout, "offset"); }
static PyObject *read_a(PyObject *add) { return cf_get(add, "a"); }
static PyObject *read_offset_a(PyObject *layout)
{
    PyObject *off = cf_get(layout, "offset"), *a = cf_get(off, "a");
    Py_XDECREF(off);
    return a;
}
static PyObject *read_axes0(PyObject *layout)
{
    PyObject *axes = cf_get(layout, "axes"), *first = cf_item(axes, 0);
    Py_XDECREF(axes);
    return first;
}

/* y, read after x, is x: it must carry its own reference (x's count, taken
 * just after x was read, plus one). On failure x is leaked on purpose: a
 * decref would free the wrapper its second owner still uses. */
static int borrowed(PyObject *x, Py_ssize_t x_count, PyObject *y)
{
    return x == y && Py_REFCNT(y) < x_count + 1;
}

/* x = rx(holder); y = ry(holder); del x: y must still be usable (same type,
 * same handle), then del y. Then, with `keep` (a wrapper of the same handle
 * the test holds), reading x and y again and dropping them leaves keep's and
 * the holder's counts where they started. `ex` and `ey` name the reads. */
static cf_status counts_balance(cf_ctx *ctx, PyObject *holder, PyObject *keep, cf_read rx,
                                cf_read ry, const char *ex, const char *ey)
{
    /* Nothing held: the second read must not depend on the first. */
    PyObject *x = rx(holder);
    PyObject *hx = x ? PyObject_CallMethod(ctx->ns, "handle", "O", x) : NULL;
    Py_ssize_t x_count = x ? Py_REFCNT(x) : 0;
    PyObject *y = hx ? ry(holder) : NULL;
    if (!y) {
        Py_XDECREF(x), Py_XDECREF(hx);
        return cf_error(ctx, ex);
    }
    if (borrowed(x, x_count, y)) {
        Py_DECREF(hx);
        return cf_fail(ctx, "x = %s; y = %s: y is x but its reference count is %zd, as with one "
                            "owner (a borrowed reference on a hit); del x would free y", ex, ey,
                       Py_REFCNT(y));
    }
    PyTypeObject *tx = (PyTypeObject *)Py_NewRef(Py_TYPE(x));
    Py_DECREF(x);
    PyObject *hy = PyObject_CallMethod(ctx->ns, "handle", "O", y);
    PyObject *repr = hy ? PyObject_Repr(y) : NULL;
    int same = repr ? PyObject_RichCompareBool(hx, hy, Py_EQ) : -1;
    cf_status st = CF_PASS;
    if (same < 0)
        st = cf_error(ctx, "using y after del x");
    else if (Py_TYPE(y) != tx || !same)
        st = cf_fail(ctx, "x = %s; y = %s; del x: y changed under its owner (now a %s of another handle)",
                     ex, ey, Py_TYPE(y)->tp_name);
    Py_XDECREF(repr), Py_XDECREF(hy), Py_DECREF(hx), Py_DECREF(tx);
    Py_DECREF(y);
    if (st != CF_PASS)
        return st;

    /* With keep held: every count back where it started. */
    Py_ssize_t keep0 = Py_REFCNT(keep), holder0 = Py_REFCNT(holder);
    x = rx(holder);
    if (!x)
        return cf_error(ctx, ex);
    if (borrowed(keep, keep0, x))
        return cf_fail(ctx, "with a wrapper held, %s returned it borrowed (reference count %zd, "
                            "unchanged by the read)", ex, Py_REFCNT(x));
    x_count = Py_REFCNT(x);
    y = ry(holder);
    if (!y) {
        Py_DECREF(x);
        return cf_error(ctx, ey);
    }
    if (borrowed(x, x_count, y))
        return cf_fail(ctx, "with a wrapper held, the second %s returned it borrowed (reference "
                            "count %zd)", ey, Py_REFCNT(y));
    Py_DECREF(x);
    Py_DECREF(y);
    if (Py_REFCNT(keep) != keep0)
        return cf_fail(ctx, "x = %s; y = %s; del x, y: the wrapper's reference count went from %zd "
                            "to %zd (sys.getrefcount)", ex, ey, keep0, Py_REFCNT(keep));
    if (Py_REFCNT(holder) != holder0)
        return cf_fail(ctx, "x = %s; y = %s; del x, y: the holder's reference count went from %zd "
                            "to %zd (sys.getrefcount)", ex, ey, holder0, Py_REFCNT(holder));
    return CF_PASS;
}

static cf_status i1_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    /* The counts first: the identity check's own decrefs would crash on a
     * borrowed reference. */
    PyObject *keep = read_offset(l.layout);
    cf_status st = keep ? counts_balance(ctx, l.layout, keep, read_offset, read_offset, "layout.offset",
                                        "layout.offset")
                        : cf_error(ctx, "layout.offset");
    Py_XDECREF(keep);
    if (st != CF_PASS) {
        cf_layout_clear(&l);
        return st;
    }
    PyObject *a = cf_get(l.layout, "offset"), *b = cf_get(l.layout, "offset");
    st = !b ? cf_error(ctx, "layout.offset")
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
    PyObject *keep = read_axes0(l.layout);
    cf_status st = keep ? counts_balance(ctx, l.layout, keep, read_offset_a, read_axes0,
                                         "layout.offset.a", "layout.axes[0]")
                        : cf_error(ctx, "layout.axes[0]");
    Py_XDECREF(keep);
    if (st != CF_PASS) {
        cf_layout_clear(&l);
        return st;
    }
    PyObject *axes = cf_get(l.layout, "axes"), *first = cf_item(axes, 0);
    PyObject *off = cf_get(l.layout, "offset"), *a = cf_get(off, "a");
    st = !a || !first ? cf_error(ctx, "reading the two paths")
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
    cf_status st = add ? counts_balance(ctx, add, v, read_a, read_a, "Add(v, w).a", "Add(v, w).a")
                       : cf_error(ctx, "Add(v, w)");
    if (st != CF_PASS) {
        Py_XDECREF(v), Py_XDECREF(w), Py_XDECREF(add);
        return st;
    }
    PyObject *a = cf_get(add, "a");
    st = !a ? cf_error(ctx, "Add(v, w).a")
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
    PyObject *keep = cf_occupy_freed(ctx->ns);
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
    PyObject *keep = set == 0 ? cf_occupy_freed(ctx->ns) : NULL;
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
    PyObject *keep = ref ? cf_occupy_freed(ctx->ns) : NULL;
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

const cf_property cf_I1 = {"I1", "repeat",
    "layout.offset is layout.offset; x = layout.offset; y = layout.offset; del x leaves y usable, and "
    "del y leaves the reference counts of the wrapper and the layout where they started",
    "the cheapest identity test; `is` shortcuts everywhere rely on it, and a cache that returns a "
    "borrowed reference on a hit passes `is` and then frees the wrapper under its second owner", 0, CF_PARAM_NONE, i1_run};
CF_REGISTER(cf_I1);
const cf_property cf_I2 = {"I2", "converge",
    "layout.axes[0] is layout.offset.a; reading both paths and dropping the results leaves every "
    "reference count where it started",
    "two paths to one handle must meet, or aliasing is invisible; each read must own its reference", 0, CF_PARAM_NONE, i2_run};
CF_REGISTER(cf_I2);
const cf_property cf_I3 = {"I3", "roundtrip",
    "Add(a=v, b=w).a is v; reading .a twice and dropping both leaves v's and the Add's reference "
    "counts where they started",
    "an object passed in and read back stays the caller's object, and reading it takes nothing "
    "from the caller's reference (identity tests must catch reference-count errors too)", 0, CF_PARAM_NONE, i3_run};
CF_REGISTER(cf_I3);
const cf_property cf_I4 = {"I4", "distinct",
    "different handles give different wrappers, also an Outer and its Inner at one address",
    "a cache keyed by address alone merges a struct with its first member", FFI_FEATURE_OUTER,
    CF_PARAM_NONE, i4_run};
CF_REGISTER(cf_I4);
const cf_property cf_I5 = {"I5", "stable-id",
    "id(layout.offset) is the same on two accesses with no reference held in between",
    "id() as a label (memos, logs, debuggers) needs it", 0, CF_PARAM_NONE, i5_run};
CF_REGISTER(cf_I5);
const cf_property cf_I6 = {"I6", "state",
    "an attribute set on layout.offset is there on a later access with no reference held",
    "Python-side annotations on native objects get lost otherwise", FFI_FEATURE_DICT,
    CF_PARAM_NONE, i6_run};
CF_REGISTER(cf_I6);
const cf_property cf_I7 = {"I7", "weakref",
    "weakref.ref(layout.offset) stays alive with layout and points at what later accesses return",
    "weak caches keyed by wrappers (WeakKeyDictionary) silently empty otherwise",
    FFI_FEATURE_WEAKREF, CF_PARAM_NONE, i7_run};
CF_REGISTER(cf_I7);
