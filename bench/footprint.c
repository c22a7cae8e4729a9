/* Bytes per live handle: native object + cache entry + the wrapper kept
 * alive, measured as deltas over N Vars held in a pre-sized list.
 * tracemalloc gives Python's part (wrappers, weakrefs, dicts, and the C
 * map strategies' tables, which come from PyMem_Raw*), the native
 * allocator its part; cache_bytes is the strategy's own claim, shown
 * beside them (it is part of the Python figure, not added to it). */
#include "../harness/alloc.h"
#include "bench.h"

static long long traced(PyObject *tracemalloc)
{
    PyObject *t = PyObject_CallMethod(tracemalloc, "get_traced_memory", NULL);
    long long v = t ? PyLong_AsLongLong(PyTuple_GET_ITEM(t, 0)) : 0;
    Py_XDECREF(t);
    return v;
}

static void footprint(gb_state *s, const bench_impl *b, long n)
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
        int64_t native0 = ffi_alloc_get_stats().live_bytes;
        size_t cache0 = b->impl->cache.strategy->bytes_used(&b->impl->cache);
        for (long k = 0; k < n; k++) {
            PyObject *old = PyList_GET_ITEM(held, k);
            PyList_SET_ITEM(held, k, PyObject_CallOneArg(var, name));
            Py_XDECREF(old);
        }
        double py = (double)(traced(tracemalloc) - py0) / n;
        double native = (double)(ffi_alloc_get_stats().live_bytes - native0) / n;
        double cache = ((double)b->impl->cache.strategy->bytes_used(&b->impl->cache) - (double)cache0) / n;
        r = PyObject_CallMethod(tracemalloc, "stop", NULL);
        Py_XDECREF(r);
        gb_counter(s, "python_bytes", py, GB_COUNTER_PLAIN);
        gb_counter(s, "native_bytes", native, GB_COUNTER_PLAIN);
        gb_counter(s, "cache_bytes", cache, GB_COUNTER_PLAIN);
        gb_counter(s, "bytes_per_handle", py + native, GB_COUNTER_PLAIN);
        for (long k = 0; k < n; k++) {   /* empty it for the next round */
            PyObject *old = PyList_GET_ITEM(held, k);
            Py_INCREF(Py_None);
            PyList_SET_ITEM(held, k, Py_None);
            Py_XDECREF(old);
        }
    }
out:
    Py_XDECREF(name), Py_XDECREF(held), Py_XDECREF(var), Py_XDECREF(tracemalloc);
}

void bench_register_footprint(const bench_impl *b)
{
    bench_add("footprint", b, bench_cfg.quick ? 10000 : 30000, b->impl ? footprint : bench_adapter_footprint, 1);
}
