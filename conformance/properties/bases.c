/* A base subobject at an offset, catalogue v2: U1. One object seen at two
 * addresses (its own, and its second base's), the converse of I4's two
 * objects at one address. */
#include "../cf.h"

/* handle(b) - handle(a), for the reason; 0 when either has none. */
static long long distance(PyObject *ns, PyObject *a, PyObject *b)
{
    PyObject *ha = PyObject_CallMethod(ns, "handle", "O", a);
    PyObject *hb = ha ? PyObject_CallMethod(ns, "handle", "O", b) : NULL;
    long long d = hb ? PyLong_AsLongLong(hb) - PyLong_AsLongLong(ha) : 0;
    Py_XDECREF(ha), Py_XDECREF(hb);
    PyErr_Clear();
    return d;
}

static cf_status u1_run(cf_ctx *ctx)
{
    PyObject *d = cf_new(ctx->ns, "Derived", "(i)", 7);
    PyObject *h = d ? cf_new(ctx->ns, "Holder", "(O)", d) : NULL;
    if (!h) {
        Py_XDECREF(d);
        return cf_error(ctx, "h = Holder(Derived(7))");
    }
    Py_ssize_t rc = Py_REFCNT(d);
    PyObject *x = cf_get(h, "base"), *y = x ? cf_get(h, "base") : NULL;
    cf_status st = CF_PASS;
    if (!y) {
        st = cf_error(ctx, "h.base");
    } else if (x != d || y != d) {
        PyObject *bad = x != d ? x : y;
        const char *which = x != d ? "h.base" : "h.base, read again,";
        int same = cf_same_handle(ctx->ns, bad, d);
        if (same < 0)
            st = cf_error(ctx, "handle(h.base)");
        else if (same)
            st = cf_fail(ctx, "%s is not d = Derived(7), the object the Holder points into: one native, "
                              "two wrappers", which);
        else
            st = cf_fail(ctx, "%s is a %s at %+lld bytes from d = Derived(7): the pointer to d's second base "
                              "was wrapped as an object of its own, not mapped back to d (pybind11 #801)",
                         which, Py_TYPE(bad)->tp_name, distance(ctx->ns, d, bad));
    }
    /* A stale or wrong wrapper is leaked, not dropped: it may be another
     * object's memory. */
    if (st == CF_PASS) {
        Py_XDECREF(x), Py_XDECREF(y);
        if (Py_REFCNT(d) != rc)
            st = cf_fail(ctx, "reading h.base twice and dropping both moved d's refcount from %zd to %zd",
                         rc, Py_REFCNT(d));
    }
    Py_DECREF(h), Py_DECREF(d);
    return st;
}

const cf_property cf_U1 = {"U1", "base-at-an-offset",
    "d = Derived(7), whose second base sits at another address than d; h = Holder(d) keeps a pointer "
    "to that base (a base-typed field): h.base is d on two reads, and the reads leave d's refcount as "
    "it was",
    "a binding that looks up the base pointer it is handed, not the object it points into, makes a "
    "second wrapper for one object, or one at the wrong address (pybind11 #801 and #812, which "
    "registers every base's address; #959 for the same with virtual bases)",
    FFI_FEATURE_DERIVED, CF_PARAM_NONE, u1_run};
CF_REGISTER(cf_U1);
