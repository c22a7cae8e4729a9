/* Adapters for real bindings (harness/adapters) under the benchmarks. An
 * adapter has no harness record (b->impl is NULL), so the workloads that
 * reach below the namespace get variants here that go through it only:
 * cold access, and bytes per live handle measured with tracemalloc for
 * Python's part and malloc's own counters for the native part (C++ objects,
 * pybind11's instance map, the C library behind ctypes and cffi). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* add.a where the Var's wrapper is gone: Var and Add built and the Var's
 * wrapper dropped with the timer paused, then the timed first accesses. */
void bench_adapter_cold(gb_state *s, const bench_impl *b, long param)
{
    (void)param;
    enum { K = 256 };
    PyObject *adds[K] = {0}, *got[K] = {0}, *name = bench_name("a");
    PyObject *var = PyObject_GetAttrString(b->ns, "Var"), *add = PyObject_GetAttrString(b->ns, "Add");
    int64_t n;
    while (var && add && (n = gb_keep_running_batch(s, K)) > 0) {
        gb_pause(s);
        int ok = 1;
        for (int64_t k = 0; k < n; k++) {
            PyObject *v = PyObject_CallFunction(var, "s", "c");
            adds[k] = v ? PyObject_CallFunctionObjArgs(add, v, v, NULL) : NULL;
            Py_XDECREF(v);
            ok &= adds[k] != NULL;
        }
        gb_resume(s);
        for (int64_t k = 0; ok && k < n; k++)
            got[k] = PyObject_GetAttr(adds[k], name);
        gb_pause(s);
        for (int64_t k = 0; k < n; k++) {
            Py_CLEAR(got[k]);
            Py_CLEAR(adds[k]);
        }
        gb_resume(s);
        if (!ok) {
            gb_error(s, "cannot build Add(Var, Var) through the adapter");
            break;
        }
    }
    if (!var || !add)
        gb_error(s, "the adapter has no Var or Add");
    Py_XDECREF(var), Py_XDECREF(add);
}

static long long traced(PyObject *tracemalloc)
{
    PyObject *t = PyObject_CallMethod(tracemalloc, "get_traced_memory", NULL);
    long long v = t ? PyLong_AsLongLong(PyTuple_GET_ITEM(t, 0)) : 0;
    Py_XDECREF(t);
    return v;
}

static int fill(PyObject *held, PyObject *var, PyObject *name, long n)
{
    for (long k = 0; k < n; k++) {
        PyObject *v = PyObject_CallOneArg(var, name);
        if (!v)
            return -1;
        PyObject *old = PyList_GET_ITEM(held, k);
        PyList_SET_ITEM(held, k, v);
        Py_XDECREF(old);
    }
    return 0;
}

static void empty(PyObject *held, long n)
{
    for (long k = 0; k < n; k++) {
        PyObject *old = PyList_GET_ITEM(held, k);
        Py_INCREF(Py_None);
        PyList_SET_ITEM(held, k, Py_None);
        Py_XDECREF(old);
    }
}

/* Two fills of N Vars: one under tracemalloc (Python's part), one without
 * it, whose malloc delta is the native part: tracemalloc keeps its traces
 * in malloc'd memory, and pymalloc's arenas are mmap'ed, not malloc'ed. */
void bench_adapter_footprint(gb_state *s, const bench_impl *b, long n)
{
    PyObject *tracemalloc = PyImport_ImportModule("tracemalloc");
    PyObject *var = PyObject_GetAttrString(b->ns, "Var");
    PyObject *held = PyList_New(n);   /* pre-sized: its slots are not counted */
    PyObject *name = PyUnicode_FromString("v");
    if (!tracemalloc || !var || !held || !name) {
        gb_error(s, "cannot set up the footprint workload");
        goto out;
    }
    int64_t batch;
    while ((batch = gb_keep_running_batch(s, 1)) > 0) {
        PyObject *r = PyObject_CallMethod(tracemalloc, "start", NULL);
        Py_XDECREF(r);
        long long py0 = traced(tracemalloc);
        int rc = fill(held, var, name, n);
        double py = (double)(traced(tracemalloc) - py0) / n;
        r = PyObject_CallMethod(tracemalloc, "stop", NULL);
        Py_XDECREF(r);
        empty(held, n);
        size_t m0 = mallinfo2().uordblks;
        rc |= rc ? 0 : fill(held, var, name, n);
        double native = ((double)mallinfo2().uordblks - (double)m0) / n;
        empty(held, n);
        if (rc) {
            gb_error(s, "Var(name) failed through the adapter");
            break;
        }
        gb_counter(s, "python_bytes", py, GB_COUNTER_PLAIN);
        gb_counter(s, "native_bytes", native, GB_COUNTER_PLAIN);
        gb_counter(s, "bytes_per_handle", py + native, GB_COUNTER_PLAIN);
    }
out:
    Py_XDECREF(name), Py_XDECREF(held), Py_XDECREF(var), Py_XDECREF(tracemalloc);
}

/* The adapters whose binding is available, as bench_impls (NULL-terminated
 * array, or NULL when there is no adapter registry). Unavailable ones are
 * reported on stderr with their reason. */
bench_impl **bench_adapters(void)
{
    PyObject *registry = PyImport_ImportModule("ffi_adapters");
    PyObject *names = registry ? PyObject_CallMethod(registry, "names", NULL) : NULL;
    if (!names) {
        fprintf(stderr, "bench: no adapters for real bindings (make adapters): ");
        PyErr_Print();
        Py_XDECREF(registry);
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(names), got = 0;
    bench_impl **out = calloc((size_t)count + 1, sizeof *out);
    for (Py_ssize_t k = 0; out && k < count; k++) {
        const char *name = PyUnicode_AsUTF8(PyList_GET_ITEM(names, k));
        PyObject *ns = PyObject_CallMethod(registry, "load", "s", name);
        PyObject *avail = ns ? PyObject_CallMethod(ns, "available", NULL) : NULL;
        if (!avail || !PyTuple_Check(avail) || PyTuple_GET_SIZE(avail) != 2) {
            fprintf(stderr, "bench: adapter %s is broken: ", name);
            PyErr_Print();
        } else if (PyObject_IsTrue(PyTuple_GET_ITEM(avail, 0)) != 1) {
            fprintf(stderr, "bench: skipping adapter %s: %s\n", name,
                    PyUnicode_AsUTF8(PyTuple_GET_ITEM(avail, 1)));
        } else if ((out[got] = malloc(sizeof **out))) {
            *out[got++] = (bench_impl){strdup(name), ns, NULL};
            ns = NULL;   /* kept */
        }
        PyErr_Clear();
        Py_XDECREF(avail), Py_XDECREF(ns);
    }
    Py_DECREF(names), Py_DECREF(registry);
    return out;
}
