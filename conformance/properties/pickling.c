/* Pickle and copy properties P1..P6 (P1..P5 run for protocols 2..5). */
#include "model/dag.h"
#include "../cf.h"

/* Is `a` the same object as `b`, and one handle? Describes a failure. */
static cf_status expect_same(cf_ctx *ctx, PyObject *a, PyObject *b, const char *what)
{
    if (a == b)
        return CF_PASS;
    int same = cf_same_handle(ctx->ns, a, b);
    if (same < 0)
        return cf_error(ctx, "handle()");
    const char *how = same ? "one native object, two wrappers" : "split into two native objects";
    if (!ctx->protocol)
        return cf_fail(ctx, "after deepcopy, %s: %s", what, how);
    return cf_fail(ctx, "after loads, %s: %s (protocol %d)", what, how, ctx->protocol);
}

static cf_status p1_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *w = cf_get(l.layout, "offset");
    PyObject *pair = w ? PyTuple_Pack(2, w, w) : NULL;
    PyObject *t = pair ? cf_pickle_roundtrip(pair, ctx->protocol) : NULL;
    cf_status st = !t ? cf_error(ctx, "pickle round trip of (w, w)")
                 : expect_same(ctx, PyTuple_GET_ITEM(t, 0), PyTuple_GET_ITEM(t, 1), "t[0] is t[1]");
    Py_XDECREF(t), Py_XDECREF(pair), Py_XDECREF(w);
    cf_layout_clear(&l);
    return st;
}

static cf_status p2_run(cf_ctx *ctx)
{
    PyObject *v = cf_new(ctx->ns, "Var", "(s)", "v"), *x = cf_new(ctx->ns, "Var", "(s)", "x");
    PyObject *o = x ? cf_new(ctx->ns, "Add", "(OO)", v, x) : NULL;
    PyObject *p = o ? cf_new(ctx->ns, "Add", "(OO)", v, v) : NULL;
    PyObject *oa = cf_get(p ? o : NULL, "a"), *pa = cf_get(oa ? p : NULL, "a");
    PyObject *pair = pa ? PyTuple_Pack(2, oa, pa) : NULL;
    PyObject *t = pair ? cf_pickle_roundtrip(pair, ctx->protocol) : NULL;
    cf_status st = !t ? cf_error(ctx, "pickle round trip of (o.a, p.a)")
                 : expect_same(ctx, PyTuple_GET_ITEM(t, 0), PyTuple_GET_ITEM(t, 1),
                               "(o.a, p.a) for one Var");
    Py_XDECREF(t), Py_XDECREF(pair), Py_XDECREF(pa), Py_XDECREF(oa);
    Py_XDECREF(p), Py_XDECREF(o), Py_XDECREF(x), Py_XDECREF(v);
    return st;
}

/* (layout.axes, layout.offset) through `copy` (pickle or deepcopy). */
static cf_status axes_offset(cf_ctx *ctx, PyObject *(*copy)(PyObject *, int), const char *how)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *axes = cf_get(l.layout, "axes"), *off = cf_get(l.layout, "offset");
    PyObject *pair = off ? PyTuple_Pack(2, axes, off) : NULL;
    PyObject *t = pair ? copy(pair, ctx->protocol) : NULL;
    PyObject *first = cf_item(t ? PyTuple_GET_ITEM(t, 0) : NULL, 0);
    PyObject *a = first ? cf_get(PyTuple_GET_ITEM(t, 1), "a") : NULL;
    cf_status st = !a ? cf_error(ctx, how) : expect_same(ctx, first, a, "axes[0] is offset.a");
    Py_XDECREF(a), Py_XDECREF(first), Py_XDECREF(t), Py_XDECREF(pair);
    Py_XDECREF(off), Py_XDECREF(axes);
    cf_layout_clear(&l);
    return st;
}

static cf_status p3_run(cf_ctx *ctx)
{
    return axes_offset(ctx, cf_pickle_roundtrip, "pickle round trip of (layout.axes, layout.offset)");
}

static cf_status p4_run(cf_ctx *ctx)
{
    /* Small and shallow: pickling without sharing unfolds the DAG. */
    enum { N = 120 };
    PyObject *dag = ffi_dag_build(ctx->ns, N, 3, 3, 11);
    PyObject *back = dag ? cf_pickle_roundtrip(dag, ctx->protocol) : NULL;
    long nodes = back ? ffi_dag_distinct_handles(ctx->ns, back) : -1;
    Py_XDECREF(back), Py_XDECREF(dag);
    if (nodes < 0)
        return cf_error(ctx, "pickle round trip of a DAG");
    return nodes == N ? CF_PASS
           : cf_fail(ctx, "a %d-node DAG came back with %ld native nodes (protocol %d)", N, nodes,
                     ctx->protocol);
}

static cf_status p5_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *back = cf_pickle_roundtrip(l.layout, ctx->protocol);
    cf_layout_clear(&l);
    PyObject *o1 = cf_get(back, "offset"), *o2 = cf_get(back, "offset");
    PyObject *axes = cf_get(back, "axes"), *first = cf_item(axes, 0), *a = cf_get(o1, "a");
    cf_status st;
    if (!a || !first || !o2)
        st = cf_error(ctx, "reading the unpickled layout");
    else if (o1 != o2)
        st = cf_fail(ctx, "on the receiving side, layout.offset is not layout.offset");
    else if (first != a)
        st = cf_fail(ctx, "on the receiving side, layout.axes[0] is not layout.offset.a");
    else
        st = CF_PASS;
    Py_XDECREF(a), Py_XDECREF(first), Py_XDECREF(axes), Py_XDECREF(o2), Py_XDECREF(o1);
    Py_XDECREF(back);
    return st;
}

static PyObject *deepcopy(PyObject *obj, int unused)
{
    (void)unused;
    return ffi_py_call("copy", "deepcopy", "(O)", obj);
}

static cf_status p6_run(cf_ctx *ctx)
{
    return axes_offset(ctx, deepcopy, "copy.deepcopy((layout.axes, layout.offset))");
}

const cf_property cf_P1 = {"P1", "same-wrapper-twice", "loads(dumps((w, w))) keeps t[0] is t[1]",
    "pickle's memo is the only dedupe there is; it must at least work for one object",
    FFI_FEATURE_PICKLE, CF_PARAM_PROTOCOL, p1_run};
CF_REGISTER(cf_P1);
const cf_property cf_P2 = {"P2", "two-paths-top-level",
    "loads(dumps((o.a, p.a))) gives one object when o.a and p.a are one handle",
    "two field reads of one native object must pickle as one", FFI_FEATURE_PICKLE,
    CF_PARAM_PROTOCOL, p2_run};
CF_REGISTER(cf_P2);
const cf_property cf_P3 = {"P3", "nested-across-roots",
    "loads(dumps((layout.axes, layout.offset))) keeps axes[0] is offset.a",
    "the reported bug: one Var becomes two in a multiprocessing worker", FFI_FEATURE_PICKLE,
    CF_PARAM_PROTOCOL, p3_run};
CF_REGISTER(cf_P3);
const cf_property cf_P4 = {"P4", "dag",
    "a 120-node DAG with heavy sharing comes back with exactly 120 native nodes",
    "without sharing, pickled DAGs unfold into trees: exponential size", FFI_FEATURE_PICKLE | FFI_FEATURE_NODE,
    CF_PARAM_PROTOCOL, p4_run};
CF_REGISTER(cf_P4);
const cf_property cf_P5 = {"P5", "receiver",
    "in the unpickled layout, I1 (repeat) and I2 (converge) hold",
    "the receiving process must get the same guarantees as the sender", FFI_FEATURE_PICKLE,
    CF_PARAM_PROTOCOL, p5_run};
CF_REGISTER(cf_P5);
const cf_property cf_P6 = {"P6", "deepcopy",
    "copy.deepcopy((layout.axes, layout.offset)) keeps axes[0] is offset.a",
    "deepcopy's memo is keyed by id() like pickle's", FFI_FEATURE_PICKLE, CF_PARAM_NONE, p6_run};
CF_REGISTER(cf_P6);
