/* Thread property T1. With the GIL, the harness's race window releases it
 * inside wrapper creation and the switch interval is tiny, so first
 * accesses really interleave; on a free-threaded build they run in parallel. */
#include "../cf.h"

enum { THREADS = 4, HANDLES = 64, ROUNDS = 20 };

/* Thread body: wait at the barrier, then read .a of every Add. */
static PyObject *collect(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *barrier, *adds, *out;
    if (!PyArg_ParseTuple(args, "OOO", &barrier, &adds, &out))
        return NULL;
    PyObject *r = PyObject_CallMethod(barrier, "wait", NULL);
    if (!r)
        return NULL;
    Py_DECREF(r);
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(adds); k++) {
        PyObject *a = PyObject_GetAttrString(PyList_GET_ITEM(adds, k), "a");
        if (!a || PyList_Append(out, a) < 0) {
            Py_XDECREF(a);
            return NULL;
        }
        Py_DECREF(a);
    }
    Py_RETURN_NONE;
}

static PyMethodDef collect_def = {"collect", collect, METH_VARARGS, NULL};

static PyObject *start_thread(PyObject *target, PyObject *args)
{
    PyObject *threading = PyImport_ImportModule("threading");
    PyObject *cls = threading ? PyObject_GetAttrString(threading, "Thread") : NULL;
    PyObject *none = PyTuple_New(0), *kw = Py_BuildValue("{sOsO}", "target", target, "args", args);
    PyObject *t = cls && none && kw ? PyObject_Call(cls, none, kw) : NULL;
    PyObject *r = t ? PyObject_CallMethod(t, "start", NULL) : NULL;
    Py_XDECREF(r), Py_XDECREF(kw), Py_XDECREF(none), Py_XDECREF(cls), Py_XDECREF(threading);
    if (!r)
        Py_CLEAR(t);
    return t;
}

/* One race: THREADS threads read .a of the same HANDLES fresh Adds.
 * Returns how many handles ended up with more than one live wrapper,
 * or -1 with a Python error set. */
static long race_once(cf_ctx *ctx, PyObject *target)
{
    /* Adds whose Vars have no wrapper yet (theirs died with the constructor's). */
    PyObject *adds = PyList_New(0);
    for (int k = 0; adds && k < HANDLES; k++) {
        PyObject *v = cf_new(ctx->ns, "Var", "(s)", "v"), *add = v ? cf_new(ctx->ns, "Add", "(OO)", v, v) : NULL;
        if (!add || PyList_Append(adds, add) < 0)
            Py_CLEAR(adds);
        Py_XDECREF(add), Py_XDECREF(v);
    }
    PyObject *barrier = adds ? ffi_py_call("threading", "Barrier", "(i)", THREADS) : NULL;
    PyObject *outs[THREADS] = {0}, *threads[THREADS] = {0};
    int started = 0;
    for (; barrier && started < THREADS; started++) {
        outs[started] = PyList_New(0);
        PyObject *args = outs[started] ? Py_BuildValue("(OOO)", barrier, adds, outs[started]) : NULL;
        threads[started] = args ? start_thread(target, args) : NULL;
        Py_XDECREF(args);
        if (!threads[started])
            break;
    }
    if (barrier && started < THREADS) {
        /* Release the threads already waiting so join() cannot hang. */
        PyObject *r = PyObject_CallMethod(barrier, "abort", NULL);
        Py_XDECREF(r);
    }
    for (int t = 0; t < started; t++) {
        PyObject *r = PyObject_CallMethod(threads[t], "join", NULL);
        Py_XDECREF(r);
    }
    long split = -1;
    if (started == THREADS && !PyErr_Occurred()) {
        /* Every wrapper collected is alive now: one object per handle, or not. */
        split = 0;
        for (int k = 0; k < HANDLES; k++) {
            PyObject *first = PyList_GET_ITEM(outs[0], k);
            for (int t = 1; t < THREADS; t++)
                if (PyList_GET_SIZE(outs[t]) != HANDLES || PyList_GET_ITEM(outs[t], k) != first) {
                    split++;
                    break;
                }
        }
    } else if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_RuntimeError, "could not start the racing threads");
    }
    for (int t = 0; t < THREADS; t++)
        Py_XDECREF(outs[t]), Py_XDECREF(threads[t]);
    Py_XDECREF(barrier), Py_XDECREF(adds);
    return split;
}

static cf_status t1_run(cf_ctx *ctx)
{
    cf_open_race_window();
    PyObject *target = PyCFunction_New(&collect_def, NULL);
    if (!target)
        return cf_error(ctx, "making the thread body");
    /* Whether threads interleave in one round is up to the OS scheduler (a
     * loaded machine may run them one after another), so a correct strategy
     * must survive every round and a racy one need only lose one. */
    cf_status st = CF_PASS;
    for (int round = 1; round <= ROUNDS; round++) {
        long split = race_once(ctx, target);
        if (split < 0) {
            st = cf_error(ctx, "running the threads");
            break;
        }
        if (split) {
            st = cf_fail(ctx, "%ld of %d handles had two or more live wrappers after %d threads raced (round %d)",
                         split, HANDLES, THREADS, round);
            break;
        }
    }
    Py_DECREF(target);
    return st;
}

const cf_property cf_T1 = {"T1", "threads",
    "4 threads racing on first access to 64 handles never hold two live wrappers for one handle (20 rounds)",
    "check-then-insert caches race once wrapper creation can switch threads", FFI_FEATURE_THREADS,
    CF_PARAM_NONE, t1_run};
CF_REGISTER(cf_T1);
