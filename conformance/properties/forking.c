/* Fork properties F1..F3. */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cf.h"

/* os.fork() through Python, so the interpreter's fork hooks run. */
static long py_fork(void)
{
    PyObject *pid = ffi_py_call("os", "fork", "()");
    long v = pid ? PyLong_AsLong(pid) : -1;
    Py_XDECREF(pid);
    return v;
}

/* Waits up to `seconds` for pid; returns its exit status, -2 on timeout
 * (after killing it), -3 if it died from a signal. The naps start short
 * and double up to 5 ms: a child that exits in a millisecond (F3 forks
 * twenty per subject) is not waited for 5 ms more. */
static int wait_bounded(pid_t pid, double seconds)
{
    struct timespec nap = {0, 100 * 1000};
    for (double waited = 0; waited < seconds;) {
        int status;
        pid_t r;
        Py_BEGIN_ALLOW_THREADS
        r = waitpid(pid, &status, WNOHANG);
        Py_END_ALLOW_THREADS
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -3;
        Py_BEGIN_ALLOW_THREADS
        nanosleep(&nap, NULL);
        Py_END_ALLOW_THREADS
        waited += (double)nap.tv_nsec * 1e-9;
        nap.tv_nsec = nap.tv_nsec * 2 < 5 * 1000 * 1000 ? nap.tv_nsec * 2 : 5 * 1000 * 1000;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -2;
}

static cf_status f1_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *before = cf_get(l.layout, "offset");
    if (!before)
        return cf_error(ctx, "layout.offset");
    fflush(NULL);
    long pid = py_fork();
    if (pid == 0) {
        PyObject *after = PyObject_GetAttrString(l.layout, "offset");
        _exit(after == before ? 0 : after ? 1 : 2);
    }
    Py_DECREF(before);
    cf_layout_clear(&l);
    if (pid < 0)
        return cf_error(ctx, "os.fork()");
    int rc = wait_bounded((pid_t)pid, 10);
    return rc == 0 ? CF_PASS
         : rc == 1 ? cf_fail(ctx, "in the fork child, layout.offset is not the wrapper made before the fork")
         : cf_fail(ctx, "the fork child failed (status %d)", rc);
}

/* A Pool of one worker that has loaded the subject, or NULL with an
 * exception. */
static PyObject *subject_pool(const char *context, const char *subject, PyObject **worker_fn)
{
    PyObject *mp = PyImport_ImportModule("multiprocessing");
    PyObject *mpctx = mp ? PyObject_CallMethod(mp, "get_context", "s", context) : NULL;
    PyObject *worker = mpctx ? PyImport_ImportModule("pool_worker") : NULL;
    PyObject *init = worker ? PyObject_GetAttrString(worker, "init") : NULL;
    *worker_fn = init ? PyObject_GetAttrString(worker, "same_var") : NULL;
    PyObject *args = *worker_fn ? Py_BuildValue("(i)", 1) : NULL;
    PyObject *kwargs = args ? Py_BuildValue("{sOs(s)}", "initializer", init, "initargs", subject) : NULL;
    PyObject *pool_cls = kwargs ? PyObject_GetAttrString(mpctx, "Pool") : NULL;
    PyObject *pool = pool_cls ? PyObject_Call(pool_cls, args, kwargs) : NULL;
    Py_XDECREF(pool_cls), Py_XDECREF(kwargs), Py_XDECREF(args), Py_XDECREF(init);
    Py_XDECREF(worker), Py_XDECREF(mpctx), Py_XDECREF(mp);
    return pool;
}

static void pool_close(PyObject *pool)
{
    PyObject *x = PyObject_CallMethod(pool, "terminate", NULL);
    Py_XDECREF(x);
    x = PyObject_CallMethod(pool, "join", NULL);
    Py_XDECREF(x);
    PyErr_Clear();
}

static cf_status f2_run(cf_ctx *ctx)
{
    cf_layout l = {0};
    if (cf_layout_make(ctx->ns, &l) < 0)
        return cf_error(ctx, "building the layout");
    PyObject *axes = cf_get(l.layout, "axes"), *off = axes ? cf_get(l.layout, "offset") : NULL;
    PyObject *pair = off ? PyTuple_Pack(2, axes, off) : NULL;
    /* What Pool.map would pickle, pickled here so that the worker's
     * unpickling is part of the task and its failure a result. */
    PyObject *data = pair ? ffi_py_call("pickle", "dumps", "(O)", pair) : NULL;
    Py_XDECREF(pair), Py_XDECREF(off), Py_XDECREF(axes);
    cf_layout_clear(&l);
    if (!data)
        return cf_error(ctx, "pickling (layout.axes, layout.offset)");
    PyObject *fn = NULL, *pool = subject_pool(ctx->context, ctx->subject, &fn);
    PyObject *payload = pool ? Py_BuildValue("[O]", data) : NULL;
    PyObject *async = payload ? PyObject_CallMethod(pool, "map_async", "OO", fn, payload) : NULL;
    PyObject *results = async ? PyObject_CallMethod(async, "get", "i", 60) : NULL;
    cf_status st = CF_PASS;
    if (!results) {
        st = cf_error(ctx, "the pool worker");
    } else {
        PyObject *r = PySequence_GetItem(results, 0);
        PyObject *same = r ? PyDict_GetItemString(r, "same_handle") : NULL;
        if (same != Py_True)
            st = cf_fail(ctx, "the %s worker saw axes[0] and offset.a as two native objects",
                         ctx->context);
        Py_XDECREF(r);
    }
    if (pool)
        pool_close(pool);
    Py_XDECREF(results), Py_XDECREF(async), Py_XDECREF(payload), Py_XDECREF(pool), Py_XDECREF(fn);
    Py_DECREF(data);
    return st;
}

/* F3: a thread keeps creating wrappers (with the race window open, so it
 * sits inside the cache without the GIL) while the main thread forks: of
 * new objects, and of objects the main thread holds (re-reading their
 * fields and dropping what it got, so each read is a cache miss). The
 * child then reads both kinds: a lock held across creation blocks any miss,
 * a "being created" mark left by the thread blocks only a read of the
 * handle it was wrapping. */
enum { F3_FORKS = 20, F3_HOLDS = 4 };

static volatile int churn_stop;

/* self: (ns, holds), holds a list of Adds whose Vars have no wrapper. */
static PyObject *churn(PyObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *ns = PyTuple_GET_ITEM(self, 0), *holds = PyTuple_GET_ITEM(self, 1);
    while (!churn_stop) {
        PyObject *v = cf_new(ns, "Var", "(s)", "t"), *w = v ? cf_new(ns, "Var", "(s)", "u") : NULL;
        PyObject *add = w ? cf_new(ns, "Add", "(OO)", v, w) : NULL;
        Py_XDECREF(v), Py_XDECREF(w);
        PyObject *a = cf_get(add, "a");   /* the Var's wrapper is gone: a cache miss */
        Py_XDECREF(a), Py_XDECREF(add);
        for (Py_ssize_t k = 0; a && k < PyList_GET_SIZE(holds); k++) {
            PyObject *held = cf_get(PyList_GET_ITEM(holds, k), "a");   /* a miss on a held object */
            Py_XDECREF(held);
        }
        if (PyErr_Occurred())
            return NULL;
        /* A binding whose calls run no bytecode (pybind11) never reaches the
         * eval loop's switch point: hand the GIL over explicitly. */
        Py_BEGIN_ALLOW_THREADS
        Py_END_ALLOW_THREADS
    }
    Py_RETURN_NONE;
}

static PyMethodDef churn_def = {"churn", churn, METH_NOARGS, NULL};

/* The fork child: each held Add's .a (the handle it had before the fork),
 * then a miss on an object made after it. Exits 0, 1 on an error, 2 on a
 * wrong wrapper. */
static void f3_child(PyObject *ns, PyObject *holds, PyObject *handles)
{
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(holds); k++) {
        PyObject *a = cf_get(PyList_GET_ITEM(holds, k), "a");
        PyObject *h = a ? PyObject_CallMethod(ns, "handle", "O", a) : NULL;
        int same = h ? PyObject_RichCompareBool(h, PyList_GET_ITEM(handles, k), Py_EQ) : -1;
        if (same != 1)
            _exit(same == 0 ? 2 : 1);
    }
    PyObject *v = cf_new(ns, "Var", "(s)", "c"), *add = v ? cf_new(ns, "Add", "(OO)", v, v) : NULL;
    PyObject *a = cf_get(add, "a");
    _exit(a ? 0 : 1);
}

/* F3_HOLDS Adds of Vars whose wrappers died, and the Vars' handles. */
static int make_holds(PyObject *ns, PyObject **holds, PyObject **handles)
{
    *holds = PyList_New(0), *handles = PyList_New(0);
    for (int k = 0; *holds && *handles && k < F3_HOLDS; k++) {
        PyObject *v = cf_new(ns, "Var", "(s)", "held");
        PyObject *add = v ? cf_new(ns, "Add", "(OO)", v, v) : NULL;
        PyObject *h = add ? PyObject_CallMethod(ns, "handle", "O", v) : NULL;
        int ok = h && PyList_Append(*holds, add) == 0 && PyList_Append(*handles, h) == 0;
        Py_XDECREF(h), Py_XDECREF(add), Py_XDECREF(v);
        if (!ok)
            Py_CLEAR(*holds);
    }
    if (*holds && *handles)
        return 0;
    Py_CLEAR(*holds);
    Py_CLEAR(*handles);
    return -1;
}

static cf_status f3_run(cf_ctx *ctx)
{
    PyObject *on = ffi_py_call("ffi_identity", "set_race_window", "(O)", Py_True);
    Py_XDECREF(on);
    PyErr_Clear();   /* adapters have no race window; the thread still runs */
    PyObject *holds, *handles;
    if (make_holds(ctx->ns, &holds, &handles) < 0)
        return cf_error(ctx, "holding Add(v, v) of four Vars");
    PyObject *self = Py_BuildValue("(OO)", ctx->ns, holds);
    PyObject *target = self ? PyCFunction_New(&churn_def, self) : NULL;
    Py_XDECREF(self);
    PyObject *threading = target ? PyImport_ImportModule("threading") : NULL;
    PyObject *cls = threading ? PyObject_GetAttrString(threading, "Thread") : NULL;
    PyObject *no_args = PyTuple_New(0);
    PyObject *kwargs = Py_BuildValue("{sOsO}", "target", target, "daemon", Py_True);
    PyObject *thread = cls && no_args && kwargs ? PyObject_Call(cls, no_args, kwargs) : NULL;
    Py_XDECREF(kwargs), Py_XDECREF(no_args), Py_XDECREF(cls);
    PyObject *r = thread ? PyObject_CallMethod(thread, "start", NULL) : NULL;
    if (!r) {
        Py_XDECREF(thread), Py_XDECREF(threading), Py_XDECREF(target), Py_DECREF(holds), Py_DECREF(handles);
        return cf_error(ctx, "starting a thread");
    }
    Py_DECREF(r);
    cf_status st = CF_PASS;
    for (int k = 0; k < F3_FORKS && st == CF_PASS; k++) {
        /* Long enough for the thread to be inside the cache (broken-forklock
         * deadlocks on the first fork with 1 ms as with 5 ms, measured). */
        PyObject *slept = ffi_py_call("time", "sleep", "(d)", 0.001);
        Py_XDECREF(slept);
        fflush(NULL);
        long pid = py_fork();
        if (pid == 0)
            f3_child(ctx->ns, holds, handles);
        if (pid < 0) {
            st = cf_error(ctx, "os.fork()");
            break;
        }
        int rc = wait_bounded((pid_t)pid, 3);
        if (rc == -2)
            st = cf_fail(ctx, "fork %d: the child hung re-reading add.a of Adds the parent held, or on its "
                              "first cache miss (killed after 3 s): a lock or a 'being created' mark that "
                              "another thread held at fork time was never released", k + 1);
        else if (rc == 2)
            st = cf_fail(ctx, "fork %d: in the child, add.a of an Add the parent held is a wrapper of "
                              "another handle", k + 1);
        else if (rc != 0)
            st = cf_fail(ctx, "fork %d: the child failed (status %d)", k + 1, rc);
    }
    churn_stop = 1;
    r = PyObject_CallMethod(thread, "join", NULL);
    Py_XDECREF(r);
    Py_DECREF(thread), Py_DECREF(threading), Py_DECREF(target), Py_DECREF(holds), Py_DECREF(handles);
    return st;
}

const cf_property cf_F1 = {"F1", "child",
    "after os.fork(), a lookup in the child returns the wrapper made before the fork",
    "fork-based workers must see the parent's objects as they were", FFI_FEATURE_FORK,
    CF_PARAM_NONE, f1_run};
CF_REGISTER(cf_F1);
const cf_property cf_F2 = {"F2", "pool",
    "multiprocessing Pool.map of (layout.axes, layout.offset): the worker sees one Var",
    "the reported scenario, in fork, spawn and forkserver contexts", FFI_FEATURE_FORK | FFI_FEATURE_PICKLE,
    CF_PARAM_CONTEXT, f2_run};
CF_REGISTER(cf_F2);
const cf_property cf_F3 = {"F3", "lock",
    "20 forks while another thread is inside the cache (wrapping new objects and re-reading add.a "
    "of 4 Adds the main thread holds): each child reads those add.a (the same handles) and makes a "
    "new one within 3 s",
    "locks or 'being created' marks without fork hooks hang fork-based workers at random", FFI_FEATURE_FORK | FFI_FEATURE_THREADS,
    CF_PARAM_NONE, f3_run};
CF_REGISTER(cf_F3);
