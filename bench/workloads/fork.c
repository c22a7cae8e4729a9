/* A fork-context multiprocessing Pool round trip of the reported payload
 * (layout.axes, layout.offset): create the pool, map, close, join. The
 * time is the whole process; `correct` says whether the worker saw one
 * Var (conformance F2 checks the same thing). */
#include "../bench.h"
#include "driver/pyops.h"

static void pool_round_trip(gb_state *s, const ffi_subject *sub, long param)
{
    (void)param;
    /* The pool forks from the heap as a program has it: not frozen (the
     * run's gc.freeze, bench/main.c, would spare the children copy-on-write
     * faults that few programs avoid). */
    Py_XDECREF(ffi_py_call("gc", "unfreeze", "()"));
    PyObject *layout = ffi_reported_layout(sub->ns);
    PyObject *axes = layout ? PyObject_GetAttrString(layout, "axes") : NULL;
    PyObject *off = axes ? PyObject_GetAttrString(layout, "offset") : NULL;
    PyObject *pair = off ? PyTuple_Pack(2, axes, off) : NULL;
    PyObject *pickle = PyImport_ImportModule("pickle");
    /* pool_worker takes the payload pickled (conformance F2 does the same). */
    PyObject *data = pair && pickle ? PyObject_CallMethod(pickle, "dumps", "(O)", pair) : NULL;
    PyObject *payload = data ? Py_BuildValue("[O]", data) : NULL;
    PyObject *mp = PyImport_ImportModule("multiprocessing");
    PyObject *ctx = mp ? PyObject_CallMethod(mp, "get_context", "s", "fork") : NULL;
    PyObject *worker = PyImport_ImportModule("pool_worker");
    PyObject *fn = worker ? PyObject_GetAttrString(worker, "same_var") : NULL;
    PyObject *init = worker ? PyObject_GetAttrString(worker, "init") : NULL;
    PyObject *args = Py_BuildValue("(i)", 1);
    PyObject *kwargs = init ? Py_BuildValue("{sOs(s)}", "initializer", init, "initargs", sub->name) : NULL;
    PyObject *pool_cls = ctx ? PyObject_GetAttrString(ctx, "Pool") : NULL;
    if (!payload || !pool_cls || !fn || !kwargs || !args) {
        PyErr_Print();
        gb_error(s, "cannot set up the pool workload");
        goto out;
    }
    int64_t batch, correct = 1;
    while ((batch = gb_keep_running_batch(s, 1)) > 0) {
        PyObject *pool = PyObject_Call(pool_cls, args, kwargs);
        PyObject *r = pool ? PyObject_CallMethod(pool, "map", "OO", fn, payload) : NULL;
        PyObject *c = r ? PyObject_CallMethod(pool, "close", NULL) : NULL;
        PyObject *j = c ? PyObject_CallMethod(pool, "join", NULL) : NULL;
        PyObject *first = j ? PySequence_GetItem(r, 0) : NULL;
        if (!first) {
            PyErr_Clear();
            correct = 0;   /* the payload does not even cross: not correct */
        } else {
            correct &= PyDict_GetItemString(first, "same_handle") == Py_True;
        }
        Py_XDECREF(first), Py_XDECREF(j), Py_XDECREF(c), Py_XDECREF(r), Py_XDECREF(pool);
    }
    gb_counter(s, "correct", (double)correct, GB_COUNTER_PLAIN);
out:
    Py_XDECREF(pool_cls), Py_XDECREF(kwargs), Py_XDECREF(args), Py_XDECREF(init);
    Py_XDECREF(fn), Py_XDECREF(worker), Py_XDECREF(ctx), Py_XDECREF(mp);
    Py_XDECREF(payload), Py_XDECREF(data), Py_XDECREF(pickle), Py_XDECREF(pair);
    Py_XDECREF(off), Py_XDECREF(axes), Py_XDECREF(layout);
}

static void add_fork(const ffi_subject *sub) { bench_add("fork_pool", sub, 0, pool_round_trip, 2); }

/* Workers unpickle what they get: every reduce style runs it. */
static const bench_workload fork_workload = {"fork_pool", add_fork, BENCH_EVERY_STYLE};
BENCH_WORKLOAD(fork_workload);
