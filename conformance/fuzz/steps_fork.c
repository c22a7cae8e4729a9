/* A fork while another thread is inside the cache (F3): the thread
 * re-reads every held field and drops what it got (each read a cache miss
 * where the cache forgets dead wrappers), with the race window open so it
 * sits inside creation without the GIL; the main thread forks meanwhile
 * and the child re-reads the same fields within a bound. A lock held
 * across creation, or a "being created" mark, that no fork hook resets
 * hangs the child. */
#include "model.h"

enum {
    BUSY_FORK_SECONDS = 2,   /* the child reads a few fields: a hang, not a slow read, passes this */
    BUSY_FORKS = 8,          /* forks per step: the thread is inside creation at most of them */
};

static const char busy_src[] =
    "import threading, time\n"
    "def busy(reads):\n"
    "    stop, running = threading.Event(), threading.Event()\n"
    "    def body():\n"
    "        running.set()\n"
    "        while not stop.is_set():\n"
    "            for read in reads:\n"
    "                read()\n"
    "            time.sleep(0)\n"
    "    t = threading.Thread(target=body, daemon=True)\n"
    "    t.start()\n"
    "    running.wait()\n"
    "    def done():\n"
    "        stop.set()\n"
    "        t.join()\n"
    "    return done\n";

static PyObject *busy_fn(void)
{
    static PyObject *fn;
    if (fn)
        return fn;
    PyObject *g = PyDict_New();
    if (g && PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins()) == 0) {
        PyObject *rr = PyRun_String(busy_src, Py_file_input, g, g);
        fn = rr ? Py_XNewRef(PyDict_GetItemString(g, "busy")) : NULL;
        Py_XDECREF(rr);
    }
    Py_XDECREF(g);
    return fn;
}

int fz_step_fork_busy(run *r, const fz_step *s)
{
    PyObject *fn = busy_fn();
    PyObject *reads = fn ? PyList_New(0) : NULL;
    for (int k = 0; reads && k < FZ_SLOTS; k++) {
        for (int c = 0; (s->b & (1 << k)) && c < 2; c++) {
            fz_field f;
            if (fz_field_native(r->plan, r->slot_native[k], c, &f) < 0)
                continue;
            PyObject *read = fz_field_reader(r->slot[k], f);
            if (!read || PyList_Append(reads, read) < 0)
                Py_CLEAR(reads);
            Py_XDECREF(read);
        }
    }
    if (!reads)
        return fz_python_error(r, "the busy thread's reads");
    fz_race_window(1);
    PyObject *done = PyObject_CallFunction(fn, "O", reads);
    Py_DECREF(reads);
    if (!done) {
        fz_race_window(0);
        return fz_python_error(r, "starting the busy thread");
    }
    int bad = 0;
    for (int k = 0; k < BUSY_FORKS && !bad; k++) {
        PyObject *slept = ffi_py_call("time", "sleep", "(d)", 0.001);   /* let it get inside the cache */
        Py_XDECREF(slept);
        bad = fz_fork_and_reread(r, BUSY_FORK_SECONDS);
    }
    PyObject *joined = PyObject_CallNoArgs(done);
    fz_race_window(0);
    Py_DECREF(done);
    if (!joined && !bad)
        return fz_python_error(r, "stopping the busy thread");
    Py_XDECREF(joined);
    PyErr_Clear();
    return bad;
}
