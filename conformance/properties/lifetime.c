/* Lifetime properties L1..L4. */
#include "model/dag.h"
#include "../cf.h"

/* Native objects and cache entries left after everything is dropped. */
static cf_status check_clean(cf_ctx *ctx, long base, const char *what)
{
    ffi_py_gc();
    long live = ffi_py_ns_long(ctx->ns, "native_live");
    if (live < 0)
        return cf_error(ctx, "native_live()");
    if (live != base)
        return cf_fail(ctx, "%s: %ld native objects still alive after gc.collect()", what, live - base);
    PyObject *has = PyObject_GetAttrString(ctx->ns, "cache_entries");
    PyErr_Clear();
    if (has) {
        Py_DECREF(has);
        long entries = ffi_py_ns_long(ctx->ns, "cache_entries");
        if (entries != 0)
            return cf_fail(ctx, "%s: the cache still holds %ld entries", what, entries);
    }
    return CF_PASS;
}

static cf_status l1_run(cf_ctx *ctx)
{
    long base = ffi_py_ns_long(ctx->ns, "native_live");
    cf_layout l = {0};
    if (base < 0 || cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *off = cf_get(l.layout, "offset"), *a = cf_get(off, "a");
    PyObject *dag = a ? ffi_dag_build(ctx->ns, 60, 3, 3, 5) : NULL;
    if (!dag)
        return cf_error(ctx, "building a DAG");
    long seen = ffi_dag_distinct_handles(ctx->ns, dag);
    Py_XDECREF(dag), Py_XDECREF(a), Py_XDECREF(off);
    cf_layout_clear(&l);
    if (seen != 60)
        return cf_fail(ctx, "the DAG should have 60 distinct nodes, saw %ld", seen);
    return check_clean(ctx, base, "layout and a 60-node DAG");
}

static cf_status l2_run(cf_ctx *ctx)
{
    long base = ffi_py_ns_long(ctx->ns, "native_live");
    /* A plain Python cycle: v.me = v. */
    PyObject *v = cf_new(ctx->ns, "Var", "(s)", "v");
    if (!v || PyObject_SetAttrString(v, "me", v) < 0)
        return cf_error(ctx, "v.me = v");
    Py_DECREF(v);
    cf_status st = check_clean(ctx, base, "cycle v.me = v");
    if (st != CF_PASS)
        return st;
    /* A cycle through native objects: v.parent = Add(v, v). */
    v = cf_new(ctx->ns, "Var", "(s)", "v");
    PyObject *add = v ? cf_new(ctx->ns, "Add", "(OO)", v, v) : NULL;
    if (!add || PyObject_SetAttrString(v, "parent", add) < 0)
        return cf_error(ctx, "v.parent = Add(v, v)");
    Py_DECREF(add);
    Py_DECREF(v);
    return check_clean(ctx, base, "cycle through a native parent (v.parent = Add(v, v))");
}

static cf_status l3_run(cf_ctx *ctx)
{
    PyObject *r = ffi_py_call("ffi_identity", "set_alloc_mode", "(s)", "lifo");
    if (!r)
        return cf_error(ctx, "set_alloc_mode('lifo')");
    Py_DECREF(r);
    /* A long name keeps the Var's size class apart from Outer's, so the
     * Outer below does not take the freed native address. */
    char old_name[48], new_name[48];
    memset(old_name, 'o', 40), old_name[40] = '\0';
    memset(new_name, 'n', 40), new_name[40] = '\0';
    PyObject *old = cf_new(ctx->ns, "Var", "(s)", old_name);
    PyObject *old_h = old ? PyObject_CallMethod(ctx->ns, "handle", "O", old) : NULL;
    if (!old_h)
        return cf_error(ctx, "Var(...)");
    Py_DECREF(old);   /* frees the wrapper and the native object */
    ffi_py_gc();
    /* Something else now takes the freed wrapper's memory. */
    PyObject *other = cf_new(ctx->ns, "Outer", "(i)", 1);
    PyObject *fresh = other ? cf_new(ctx->ns, "Var", "(s)", new_name) : NULL;
    PyObject *new_h = fresh ? PyObject_CallMethod(ctx->ns, "handle", "O", fresh) : NULL;
    if (!new_h) {
        Py_XDECREF(fresh), Py_XDECREF(other), Py_DECREF(old_h);
        return cf_error(ctx, "a new Var at the freed address");
    }
    /* The wrapper is judged before the addresses: a stale wrapper reports
     * its own (old) object's handle, not the new Var's. */
    cf_status st = CF_PASS;
    PyObject *name = PyObject_GetAttrString(fresh, "name");
    PyObject *var_cls = PyObject_GetAttrString(ctx->ns, "Var");
    PyErr_Clear();   /* a missing name is judged below, as a stale wrapper */
    if ((PyObject *)fresh == other || !name || PyUnicode_CompareWithASCIIString(name, new_name) != 0)
        st = cf_fail(ctx, "a new Var at a reused address came back as the stale wrapper (%s)",
                     Py_TYPE(fresh)->tp_name);
    else if (var_cls && !PyObject_IsInstance(fresh, var_cls))
        st = cf_fail(ctx, "a new Var at a reused address came back as a %s wrapper", Py_TYPE(fresh)->tp_name);
    else if (PyObject_RichCompareBool(old_h, new_h, Py_EQ) != 1)
        st = cf_skip(ctx, "the allocator did not reuse the freed address");
    Py_XDECREF(var_cls), Py_XDECREF(name);
    Py_XDECREF(new_h), Py_XDECREF(fresh), Py_XDECREF(other), Py_DECREF(old_h);
    return st;
}

/* Exits the interpreter with wrappers alive in a module global; a crash
 * there is caught by the runner's isolation. */
static cf_status l4_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *off = cf_get(l.layout, "offset");
    PyObject *keep = off ? Py_BuildValue("(OO)", l.layout, off) : NULL;
    PyObject *builtins = PyEval_GetBuiltins();
    if (!keep || PyDict_SetItemString(builtins, "_cf_live_wrappers", keep) < 0)
        return cf_error(ctx, "keeping wrappers alive");
    Py_DECREF(keep), Py_DECREF(off);
    cf_layout_clear(&l);
    int rc = Py_FinalizeEx();
    return rc == 0 ? CF_PASS : cf_fail(ctx, "Py_FinalizeEx() reported an error (%d)", rc);
}

const cf_property cf_L1 = {"L1", "no-leak",
    "after dropping every reference and gc.collect(), all native objects are freed and the cache is empty",
    "a cache that keeps natives alive is a memory leak with good manners",
    FFI_FEATURE_LIVE | FFI_FEATURE_NODE, CF_PARAM_NONE, l1_run};
CF_REGISTER(cf_L1);
const cf_property cf_L2 = {"L2", "cycles",
    "wrappers in reference cycles are collected, including a cycle through a native parent",
    "a native->wrapper edge the GC cannot see makes cycles immortal",
    FFI_FEATURE_LIVE | FFI_FEATURE_DICT, CF_PARAM_NONE, l2_run};
CF_REGISTER(cf_L2);
const cf_property cf_L3 = {"L3", "address-reuse",
    "with the LIFO allocator, a new object at a freed address never gets the old wrapper",
    "stale entries turn address reuse into use-after-free (the ABA problem)",
    FFI_FEATURE_ALLOC | FFI_FEATURE_OUTER, CF_PARAM_NONE, l3_run};
CF_REGISTER(cf_L3);
const cf_property cf_L4 = {"L4", "finalize",
    "interpreter exit with live wrappers neither crashes nor reports an error",
    "registries torn down before their wrappers crash at exit", 0, CF_PARAM_NONE, l4_run};
CF_REGISTER(cf_L4);
