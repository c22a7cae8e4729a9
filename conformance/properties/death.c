/* What happens around a wrapper's death, catalogue v2: R1 (re-entry during
 * death), R2 (churn race), G1 (garbage with a held native), V1 (views after
 * death). */
#include "../cf.h"

/* A Var wrapper dropped by the caller of Add(v, v): the Add holds the
 * native, and (for strategies whose wrappers die with their last Python
 * reference) nothing holds a wrapper. */
static PyObject *add_of_fresh_var(PyObject *ns, const char *name)
{
    PyObject *v = cf_new(ns, "Var", "(s)", name);
    PyObject *add = v ? cf_new(ns, "Add", "(OO)", v, v) : NULL;
    Py_XDECREF(v);
    return add;
}

/* cache_entries(), or -1 when the subject has none (no error left set). */
static long entries_or_none(PyObject *ns)
{
    PyObject *has = PyObject_GetAttrString(ns, "cache_entries");
    PyErr_Clear();
    if (!has)
        return -1;
    Py_DECREF(has);
    long n = ffi_py_ns_long(ns, "cache_entries");
    PyErr_Clear();
    return n;
}

/* ---- V1 ---------------------------------------------------------------- */

static cf_status v1_run(cf_ctx *ctx)
{
    PyObject *inner_cls = PyObject_GetAttrString(ctx->ns, "Inner");
    long live0 = inner_cls ? ffi_py_ns_long(ctx->ns, "native_live") : -1;   /* -1: no 'live' */
    PyErr_Clear();
    long entries0 = entries_or_none(ctx->ns);
    PyObject *o = inner_cls ? cf_new(ctx->ns, "Outer", "(i)", 7) : NULL;
    PyObject *i = cf_get(o, "inner");
    if (!i) {
        Py_XDECREF(o), Py_XDECREF(inner_cls);
        return cf_error(ctx, "Outer(7).inner");
    }
    if (!PyObject_IsInstance(i, inner_cls)) {
        cf_status st = cf_fail(ctx, "test premise broken: Outer(7).inner is a %s before any death (see I4)",
                               Py_TYPE(i)->tp_name);
        Py_DECREF(i), Py_DECREF(o), Py_DECREF(inner_cls);
        return st;
    }
    Py_DECREF(i);   /* the view's wrapper dies here unless the cache keeps it */
    PyObject *fill = cf_occupy_freed(ctx->ns);
    PyObject *again = fill ? cf_get(o, "inner") : NULL;
    cf_status st = CF_PASS;
    if (!again) {
        st = cf_error(ctx, "Outer(7).inner, read again");
    } else {
        int same = cf_same_handle(ctx->ns, again, o);
        PyObject *value = same == 1 ? cf_get(again, "value") : NULL;
        if (same < 0)
            st = cf_fail(ctx, "outer.inner after the view's death is a %s, not a wrapper of this "
                              "subject (a stale entry)", Py_TYPE(again)->tp_name);
        else if (again == o || !PyObject_IsInstance(again, inner_cls))
            st = cf_fail(ctx, "outer.inner after the view's death is %s, not an Inner (a stale entry)",
                         again == o ? "the Outer's own wrapper" : Py_TYPE(again)->tp_name);
        else if (!same)
            st = cf_fail(ctx, "outer.inner after the view's death is an Inner of another handle (a stale entry)");
        else if (!value || PyLong_AsLong(value) != 7)
            st = value ? cf_fail(ctx, "outer.inner.value after the view's death is not 7")
                       : cf_error(ctx, "outer.inner.value");
        Py_XDECREF(value);
        PyErr_Clear();
    }
    /* A stale wrapper is leaked, not dropped: it may be another object's memory. */
    if (st == CF_PASS)
        Py_XDECREF(again);
    Py_XDECREF(fill), Py_XDECREF(o), Py_DECREF(inner_cls);
    if (st != CF_PASS || entries0 < 0 || live0 < 0)
        return st;
    /* Everything dropped: once the Outer is freed (a cache that keeps
     * natives alive is L1's business), no entry may outlive it. */
    ffi_py_gc();
    long live = ffi_py_ns_long(ctx->ns, "native_live"), entries = entries_or_none(ctx->ns);
    PyErr_Clear();
    if (live == live0 && entries > entries0)
        return cf_fail(ctx, "the Outer and its Inner view are gone, and the cache still holds %ld "
                            "entr%s for them (a stale entry)", entries - entries0,
                       entries - entries0 == 1 ? "y" : "ies");
    return CF_PASS;
}

/* ---- G1 ---------------------------------------------------------------- */

/* Does state survive with no reference held (I6) for a Var held by an Add?
 * 1, 0, or -1 with an error. */
static int state_survives(PyObject *ns)
{
    PyObject *add = add_of_fresh_var(ns, "probe"), *v = cf_get(add, "a");
    int set = v ? PyObject_SetAttrString(v, "note", Py_True) : -1;
    Py_XDECREF(v);
    PyObject *fill = set == 0 ? cf_occupy_freed(ns) : NULL;
    PyObject *again = fill ? cf_get(add, "a") : NULL;
    int has = again ? PyObject_HasAttrString(again, "note") : -1;
    Py_XDECREF(again), Py_XDECREF(fill), Py_XDECREF(add);
    return has;
}

static cf_status g1_run(cf_ctx *ctx)
{
    int keeps_state = state_survives(ctx->ns);
    if (keeps_state < 0)
        return cf_error(ctx, "probing whether state survives (I6)");
    PyObject *add = add_of_fresh_var(ctx->ns, "g"), *v = cf_get(add, "a");
    PyObject *hv = v ? PyObject_CallMethod(ctx->ns, "handle", "O", v) : NULL;
    PyObject *kept = hv ? PyUnicode_FromString("kept") : NULL;
    if (!kept || PyObject_SetAttrString(v, "note", kept) < 0 || PyObject_SetAttrString(v, "me", v) < 0) {
        Py_XDECREF(kept), Py_XDECREF(hv), Py_XDECREF(v), Py_XDECREF(add);
        return cf_error(ctx, "v = Add(...).a; v.note = 'kept'; v.me = v");
    }
    Py_DECREF(kept);
    Py_DECREF(v);   /* now v is garbage in a cycle, unless something else holds it */
    ffi_py_gc();
    PyObject *fill = cf_occupy_freed(ctx->ns);
    PyObject *x = fill ? cf_get(add, "a") : NULL;
    PyObject *hx = x ? PyObject_CallMethod(ctx->ns, "handle", "O", x) : NULL;
    PyObject *name = hx ? cf_get(x, "name") : NULL;
    PyObject *var_cls = name ? PyObject_GetAttrString(ctx->ns, "Var") : NULL;
    cf_status st = CF_PASS;
    if (!var_cls)
        st = cf_error(ctx, "add.a after gc.collect() (the wrapper is not usable)");
    else if (!PyObject_IsInstance(x, var_cls) || PyObject_RichCompareBool(hx, hv, Py_EQ) != 1 ||
             PyUnicode_CompareWithASCIIString(name, "g") != 0)
        st = cf_fail(ctx, "after gc.collect(), add.a is a %s that is not the Var the Add holds",
                     Py_TYPE(x)->tp_name);
    else if (keeps_state) {
        PyObject *note = PyObject_GetAttrString(x, "note");
        PyObject *me = note ? PyObject_GetAttrString(x, "me") : NULL;
        PyErr_Clear();
        if (!note)
            st = cf_fail(ctx, "state survives without a reference (I6), but after the wrapper was "
                              "collected in a cycle while the Add held its native, add.a has lost v.note");
        else if (me != x)
            st = cf_fail(ctx, "after gc.collect(), add.a has v.note but its self-reference is %s",
                         me ? "another object" : "gone");
        Py_XDECREF(me), Py_XDECREF(note);
    }
    /* Break the cycle if it came back, so the process ends clean. */
    if (x && PyObject_HasAttrString(x, "me") && PyObject_DelAttrString(x, "me") < 0)
        PyErr_Clear();
    Py_XDECREF(var_cls), Py_XDECREF(name), Py_XDECREF(hx), Py_XDECREF(x), Py_XDECREF(fill);
    Py_DECREF(hv), Py_DECREF(add);
    return st;
}

/* ---- R1 ---------------------------------------------------------------- */

/* The weakref callback: self is [add, got, dying address]; reads add.a
 * while the wrapper at the dying address is being deallocated. */
static PyObject *reread(PyObject *self, PyObject *ref)
{
    (void)ref;
    PyObject *add = PyList_GET_ITEM(self, 0), *got = PyList_GET_ITEM(self, 1);
    void *dying = PyLong_AsVoidPtr(PyList_GET_ITEM(self, 2));
    PyObject *a = PyObject_GetAttrString(add, "a");
    if (!a)
        return NULL;
    if ((void *)a == dying) {
        /* The dying wrapper handed out again: record it, and leak the
         * reference (dropping it would deallocate it a second time). */
        PyObject *r = PyList_Append(got, Py_None) < 0 ? NULL : Py_NewRef(Py_None);
        return r;
    }
    int rc = PyList_Append(got, a);
    Py_DECREF(a);
    return rc < 0 ? NULL : Py_NewRef(Py_None);
}

static PyMethodDef reread_def = {"reread", reread, METH_O, NULL};

static cf_status r1_run(cf_ctx *ctx)
{
    PyObject *add = add_of_fresh_var(ctx->ns, "r"), *x = cf_get(add, "a");
    PyObject *hv = x ? PyObject_CallMethod(ctx->ns, "handle", "O", x) : NULL;
    PyObject *got = hv ? PyList_New(0) : NULL;
    PyObject *self = got ? Py_BuildValue("[OON]", add, got, PyLong_FromVoidPtr(x)) : NULL;
    PyObject *cb = self ? PyCFunction_New(&reread_def, self) : NULL;
    PyObject *ref = cb ? PyWeakref_NewRef(x, cb) : NULL;
    if (!ref) {
        Py_XDECREF(cb), Py_XDECREF(self), Py_XDECREF(got), Py_XDECREF(hv), Py_XDECREF(x), Py_XDECREF(add);
        return cf_error(ctx, "weakref.ref(add.a, callback)");
    }
    Py_DECREF(x);   /* the wrapper dies here if nothing else holds it; the callback runs inside */
    cf_status st = CF_PASS;
    if (PyErr_Occurred())
        st = cf_error(ctx, "the weakref callback");
    else if (PyList_GET_SIZE(got) > 0) {
        PyObject *y = PyList_GET_ITEM(got, 0);
        PyObject *var_cls = PyObject_GetAttrString(ctx->ns, "Var");
        PyObject *hy = y != Py_None ? PyObject_CallMethod(ctx->ns, "handle", "O", y) : NULL;
        PyErr_Clear();
        PyObject *z = cf_get(add, "a");
        if (y == Py_None)
            st = cf_fail(ctx, "a weakref callback that read add.a while its wrapper was dying got the "
                              "dying wrapper back (use after free once the callback returns)");
        else if (!hy || !var_cls || !PyObject_IsInstance(y, var_cls) || PyObject_RichCompareBool(hy, hv, Py_EQ) != 1)
            st = cf_fail(ctx, "a weakref callback that read add.a while its wrapper was dying got a %s "
                              "that is not a wrapper of that Var", Py_TYPE(y)->tp_name);
        else if (!z)
            st = cf_error(ctx, "add.a after the callback");
        else if (z != y)
            st = cf_fail(ctx, "after a weakref callback re-read add.a during the wrapper's death, add.a "
                              "is not the wrapper the callback got (two live wrappers for one handle)");
        PyErr_Clear();
        Py_XDECREF(z), Py_XDECREF(hy), Py_XDECREF(var_cls);
    }
    /* got empty: the wrapper outlived its last Python reference (the
     * native keeps it), so nothing re-entered: a pass. */
    Py_DECREF(ref), Py_DECREF(cb), Py_DECREF(self), Py_DECREF(got), Py_DECREF(hv), Py_DECREF(add);
    return st;
}

/* ---- R2 ---------------------------------------------------------------- */

enum { R2_THREADS = 4, R2_HOLDS = 4, R2_ITERS = 100 };

/* Thread body, in Python. With the GIL, threads switch inside wrapper
 * creation (the harness's race window) and where the body lets go of the
 * GIL: sleep(0) between the two reads forces a switch there too, so another
 * thread's create-and-insert can land between them. */
static const char churn_src[] =
    "from time import sleep\n"
    "def churn(barrier, holds, iters, out):\n"
    "    barrier.wait()\n"
    "    split = 0\n"
    "    for _ in range(iters):\n"
    "        for hold in holds:\n"
    "            x = hold.a\n"
    "            sleep(0)\n"
    "            y = hold.a\n"
    "            if x is not y:\n"
    "                split += 1\n"
    "            del x, y\n"
    "    out.append(split)\n";

static PyObject *churn_body(void)
{
    PyObject *globals = PyDict_New();
    PyObject *builtins = globals ? PyEval_GetBuiltins() : NULL;
    if (!builtins || PyDict_SetItemString(globals, "__builtins__", builtins) < 0) {
        Py_XDECREF(globals);
        return NULL;
    }
    PyObject *r = PyRun_String(churn_src, Py_file_input, globals, globals);
    PyObject *fn = r ? PyDict_GetItemString(globals, "churn") : NULL;
    Py_XINCREF(fn);
    Py_XDECREF(r);
    Py_DECREF(globals);
    return fn;
}

static cf_status r2_run(cf_ctx *ctx)
{
    cf_open_race_window();
    PyObject *holds = PyList_New(0);
    for (int k = 0; holds && k < R2_HOLDS; k++) {
        PyObject *add = add_of_fresh_var(ctx->ns, "churn");
        if (!add || PyList_Append(holds, add) < 0)
            Py_CLEAR(holds);
        Py_XDECREF(add);
    }
    PyObject *barrier = holds ? ffi_py_call("threading", "Barrier", "(i)", R2_THREADS) : NULL;
    PyObject *body = barrier ? churn_body() : NULL;
    PyObject *out = body ? PyList_New(0) : NULL;
    PyObject *threading = out ? PyImport_ImportModule("threading") : NULL;
    PyObject *thread_cls = threading ? PyObject_GetAttrString(threading, "Thread") : NULL;
    Py_XDECREF(threading);
    PyObject *threads[R2_THREADS] = {0};
    int started = 0;
    for (; thread_cls && started < R2_THREADS; started++) {
        PyObject *none = PyTuple_New(0);
        PyObject *kw = Py_BuildValue("{sOs(OOiO)}", "target", body, "args", barrier, holds, R2_ITERS, out);
        threads[started] = none && kw ? PyObject_Call(thread_cls, none, kw) : NULL;
        PyObject *r = threads[started] ? PyObject_CallMethod(threads[started], "start", NULL) : NULL;
        Py_XDECREF(r), Py_XDECREF(kw), Py_XDECREF(none);
        if (!r) {
            Py_CLEAR(threads[started]);
            break;
        }
    }
    if (barrier && started < R2_THREADS) {
        PyObject *r = PyObject_CallMethod(barrier, "abort", NULL);   /* release the waiting ones */
        Py_XDECREF(r);
    }
    for (int t = 0; t < started; t++) {
        PyObject *r = PyObject_CallMethod(threads[t], "join", NULL);
        Py_XDECREF(r);
        Py_DECREF(threads[t]);
    }
    cf_status st = CF_PASS;
    if (started < R2_THREADS || !out || PyList_GET_SIZE(out) != R2_THREADS) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "a churn thread failed or did not start");
        st = cf_error(ctx, "running the churn threads");
    } else {
        long split = 0;
        for (int t = 0; t < R2_THREADS; t++)
            split += PyLong_AsLong(PyList_GET_ITEM(out, t));
        if (split)
            st = cf_fail(ctx, "%ld of %d reads x = hold.a; y = hold.a gave x is not y while %d threads "
                              "churned wrappers of %d handles", split, R2_THREADS * R2_ITERS * R2_HOLDS,
                         R2_THREADS, R2_HOLDS);
    }
    Py_XDECREF(thread_cls), Py_XDECREF(out), Py_XDECREF(body), Py_XDECREF(barrier), Py_XDECREF(holds);
    return st;
}

const cf_property cf_V1 = {"V1", "views-after-death",
    "once an Inner view's wrapper died while its Outer lives, outer.inner is again an Inner of the "
    "Outer's address, and the cache holds no entry for the dead view",
    "a view's cache slot or entry lives in (or is keyed by the address of) its owner, which outlives "
    "the view's wrapper: left behind, it hands out freed memory (no peer test cited for it: the death "
    "half of I4's Outer/Inner case)",
    FFI_FEATURE_OUTER, CF_PARAM_NONE, v1_run};
CF_REGISTER(cf_V1);
const cf_property cf_G1 = {"G1", "garbage-with-held-native",
    "a Var wrapper in a cycle (v.me = v) is collected by gc.collect() while an Add holds its native; "
    "add.a then gives a working Var wrapper of that native, with v.note and v.me where I6 holds",
    "the collector may clear a wrapper whose native is still reachable (PyTorch #75932, #136358: "
    "a tensor's __dict__ cleared by gc while C++ kept the tensor)",
    FFI_FEATURE_DICT, CF_PARAM_NONE, g1_run};
CF_REGISTER(cf_G1);
const cf_property cf_R1 = {"R1", "reentry-during-death",
    "a weakref callback that reads add.a while add.a's wrapper is dying gets a live wrapper of that "
    "Var, and afterwards add.a is that wrapper (one wrapper per handle)",
    "a cache whose eviction runs after (or as) a weakref callback deletes the entry the callback "
    "just made (CPython's WeakValueDictionary fix, bpo-28427's _remove_dead_weakref; nanobind #864)",
    FFI_FEATURE_WEAKREF, CF_PARAM_NONE, r1_run};
CF_REGISTER(cf_R1);
const cf_property cf_R2 = {"R2", "churn-race",
    "4 threads each repeat x = hold.a; sleep(0); y = hold.a; x is y; del x, y (100 rounds over 4 "
    "handles, switches forced inside creation and between the reads) and never see two wrappers",
    "wrappers dying and being re-created while other threads read open a race inside creation and "
    "dealloc (nanobind test_thread test06, tvm-ffi concurrent churn test)",
    FFI_FEATURE_THREADS, CF_PARAM_NONE, r2_run};
CF_REGISTER(cf_R2);
