/* Copy, state and container properties of catalogue v2: P7 (shallow copy),
 * P8 (state and self-reference through pickle and deepcopy), K1
 * (containers). */
#include <string.h>

#include "../cf.h"

/* `got` should be `want`; describes how it is not. */
static cf_status expect_is(cf_ctx *ctx, PyObject *got, PyObject *want, const char *what)
{
    if (got == want)
        return CF_PASS;
    int same = cf_same_handle(ctx->ns, got, want);
    if (same < 0)
        return cf_error(ctx, "handle()");
    return cf_fail(ctx, "%s: %s", what,
                   same ? "one native object, two wrappers" : "the copy holds another native object");
}

static cf_status p7_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *c = ffi_py_call("copy", "copy", "(O)", l.layout);
    PyObject *c_off = cf_get(c, "offset"), *off = c_off ? cf_get(l.layout, "offset") : NULL;
    PyObject *c_axes = cf_get(off ? c : NULL, "axes"), *axes = c_axes ? cf_get(l.layout, "axes") : NULL;
    PyObject *c_first = cf_item(axes ? c_axes : NULL, 0), *first = c_first ? cf_item(axes, 0) : NULL;
    cf_status st;
    if (!first)
        st = cf_error(ctx, "copy.copy(layout) and reading both");
    else if ((st = expect_is(ctx, c_off, off, "copy.copy(layout).offset is not layout.offset")) == CF_PASS)
        st = expect_is(ctx, c_first, first, "copy.copy(layout).axes[0] is not layout.axes[0]");
    Py_XDECREF(first), Py_XDECREF(c_first), Py_XDECREF(axes), Py_XDECREF(c_axes);
    Py_XDECREF(off), Py_XDECREF(c_off), Py_XDECREF(c);
    cf_layout_clear(&l);
    return st;
}

/* x came back from v (note = "kept", me = v) through `how`. */
static cf_status state_kept(cf_ctx *ctx, PyObject *x, const char *how)
{
    char where[48] = "";
    if (ctx->protocol && strstr(how, "pickle"))
        snprintf(where, sizeof where, " (protocol %d)", ctx->protocol);
    PyObject *note = PyObject_GetAttrString(x, "note");
    if (!note) {
        PyErr_Clear();
        return cf_fail(ctx, "after %s%s, v.note is gone (the instance state was not carried)", how, where);
    }
    int eq = PyUnicode_Check(note) && PyUnicode_CompareWithASCIIString(note, "kept") == 0;
    Py_DECREF(note);
    if (!eq)
        return cf_fail(ctx, "after %s%s, v.note changed", how, where);
    PyObject *me = PyObject_GetAttrString(x, "me");
    if (!me) {
        PyErr_Clear();
        return cf_fail(ctx, "after %s%s, v.me is gone although v.note came back", how, where);
    }
    cf_status st = CF_PASS;
    if (me != x) {
        int same = cf_same_handle(ctx->ns, me, x);
        st = same < 0 ? cf_error(ctx, "handle(x.me)")
                      : cf_fail(ctx, "after %s%s, x.me is not x: %s", how, where,
                                same ? "one native object, two wrappers" : "the self-reference became a second native object");
    }
    Py_DECREF(me);
    return st;
}

static cf_status p8_run(cf_ctx *ctx)
{
    PyObject *v = cf_new(ctx->ns, "Var", "(s)", "v"), *kept = PyUnicode_FromString("kept");
    int set = v && kept ? PyObject_SetAttrString(v, "note", kept) : -1;
    Py_XDECREF(kept);
    if (set < 0 || PyObject_SetAttrString(v, "me", v) < 0) {
        Py_XDECREF(v);
        return cf_error(ctx, "v.note = 'kept'; v.me = v");
    }
    PyObject *x = cf_pickle_roundtrip(v, ctx->protocol);
    cf_status st = x ? state_kept(ctx, x, "a pickle round trip") : cf_error(ctx, "pickle round trip of v");
    Py_XDECREF(x);
    if (st == CF_PASS) {
        x = ffi_py_call("copy", "deepcopy", "(O)", v);
        st = x ? state_kept(ctx, x, "copy.deepcopy") : cf_error(ctx, "copy.deepcopy(v)");
        Py_XDECREF(x);
    }
    /* v.me = v is a cycle: break it, or a subject whose wrappers the GC
     * cannot collect keeps it to the end of the test's process. */
    if (PyObject_DelAttrString(v, "me") < 0)
        PyErr_Clear();
    Py_DECREF(v);
    return st;
}

static cf_status k1_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *a = cf_get(l.layout, "axes"), *b = a ? cf_get(l.layout, "axes") : NULL;
    cf_status st;
    if (!b)
        st = cf_error(ctx, "layout.axes");
    else if (PyTuple_CheckExact(a) || PyList_CheckExact(a))
        st = cf_skip(ctx, "layout.axes is a %s: the binding converts the native array to a Python "
                          "value on each read, it exposes no container object", Py_TYPE(a)->tp_name);
    else
        st = a == b ? CF_PASS
             : cf_fail(ctx, "layout.axes is not layout.axes: a new %s per read of one native array",
                       Py_TYPE(a)->tp_name);
    Py_XDECREF(b), Py_XDECREF(a);
    cf_layout_clear(&l);
    return st;
}

const cf_property cf_P7 = {"P7", "shallow-copy",
    "copy.copy(layout).offset is layout.offset and copy.copy(layout).axes[0] is layout.axes[0]",
    "a shallow copy shares its children (tvm-ffi test_dataclass_copy, lxml test_shallowcopy); "
    "a copy that rebuilds them, or reads them through fresh wrappers, splits one object in two",
    FFI_FEATURE_PICKLE, CF_PARAM_NONE, p7_run};
CF_REGISTER(cf_P7);
const cf_property cf_P8 = {"P8", "state-and-self-reference",
    "v.note = 'kept'; v.me = v: after loads(dumps(v)) and after copy.deepcopy(v), x.note is there "
    "and x.me is x",
    "instance state and self-reference must survive the round trip (pybind11 "
    "test_roundtrip_with_dict, CPython pickletester test_recursive_inst)",
    FFI_FEATURE_PICKLE | FFI_FEATURE_DICT, CF_PARAM_PROTOCOL, p8_run};
CF_REGISTER(cf_P8);
const cf_property cf_K1 = {"K1", "containers",
    "layout.axes is layout.axes where the binding exposes the native array as a container object "
    "(skipped where it converts it to a tuple or list)",
    "a container wrapper is an object like any other: a new one per read breaks `is` and id()-keyed "
    "memos on containers (tvm-ffi Array/List)", 0, CF_PARAM_NONE, k1_run};
CF_REGISTER(cf_K1);
