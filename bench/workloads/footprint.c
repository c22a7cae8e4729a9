/* Bytes per live handle: native object + cache entry + the wrapper kept
 * alive, measured as deltas over N Vars held in a pre-sized list.
 * tracemalloc gives Python's part (wrappers, weakrefs, dicts, and the C
 * map strategies' tables, which come from PyMem_Raw*). The native part
 * comes from the harness allocator for built-ins, whose cache_bytes (the
 * strategy's own claim) is shown beside them: it is part of the Python
 * figure, not added to it. An adapter's native part (C++ objects,
 * pybind11's instance map, the C library behind ctypes and cffi) has no
 * such counter, so it is malloc's own, from a second fill. */
#include <malloc.h>

#include "../bench.h"

/* What both variants hold: N slots and the means to fill them. */
typedef struct {
    PyObject *tracemalloc, *var, *held, *name;
} workload;

static int workload_open(workload *w, const ffi_subject *sub, long n)
{
    w->tracemalloc = PyImport_ImportModule("tracemalloc");
    w->var = PyObject_GetAttrString(sub->ns, "Var");
    w->held = PyList_New(n);   /* pre-sized: its slots are not counted */
    w->name = PyUnicode_FromString("v");
    return w->tracemalloc && w->var && w->held && w->name ? 0 : -1;
}

static void workload_close(workload *w)
{
    Py_XDECREF(w->name), Py_XDECREF(w->held), Py_XDECREF(w->var), Py_XDECREF(w->tracemalloc);
}

static void tracing(workload *w, const char *start_or_stop)
{
    PyObject *r = PyObject_CallMethod(w->tracemalloc, start_or_stop, NULL);
    Py_XDECREF(r);
}

static long long traced(workload *w)
{
    PyObject *t = PyObject_CallMethod(w->tracemalloc, "get_traced_memory", NULL);
    long long v = t ? PyLong_AsLongLong(PyTuple_GET_ITEM(t, 0)) : 0;
    Py_XDECREF(t);
    return v;
}

/* Every slot gets a new Var(name); -1 if one call fails. */
static int fill(workload *w)
{
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(w->held); k++) {
        PyObject *v = PyObject_CallOneArg(w->var, w->name);
        if (!v)
            return -1;
        PyObject *old = PyList_GET_ITEM(w->held, k);
        PyList_SET_ITEM(w->held, k, v);
        Py_XDECREF(old);
    }
    return 0;
}

/* Every slot back to None, for the next round. */
static void empty(workload *w)
{
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(w->held); k++) {
        PyObject *old = PyList_GET_ITEM(w->held, k);
        Py_INCREF(Py_None);
        PyList_SET_ITEM(w->held, k, Py_None);
        Py_XDECREF(old);
    }
}

static void report(gb_state *s, double py, double native)
{
    gb_counter(s, "python_bytes", py, GB_COUNTER_PLAIN);
    gb_counter(s, "native_bytes", native, GB_COUNTER_PLAIN);
    gb_counter(s, "bytes_per_handle", py + native, GB_COUNTER_PLAIN);
}

/* A built-in: one fill, both parts and the strategy's claim. */
static void footprint(gb_state *s, const ffi_subject *sub, long n)
{
    workload w;
    if (workload_open(&w, sub, n) < 0)
        gb_error(s, "cannot set up the footprint workload");
    else
        while (gb_keep_running_batch(s, 1) > 0) {
            tracing(&w, "start");
            long long py0 = traced(&w);
            int64_t native0 = ffi_native_heap_now().live_bytes;
            size_t cache0 = sub->native->cache_bytes(sub);
            int rc = fill(&w);
            double py = (double)(traced(&w) - py0) / n;
            double native = (double)(ffi_native_heap_now().live_bytes - native0) / n;
            double cache = ((double)sub->native->cache_bytes(sub) - (double)cache0) / n;
            tracing(&w, "stop");
            empty(&w);
            if (rc < 0) {
                gb_error(s, "Var(name) failed");
                break;
            }
            report(s, py, native);
            gb_counter(s, "cache_bytes", cache, GB_COUNTER_PLAIN);
        }
    workload_close(&w);
}

/* An adapter: two fills, one under tracemalloc (Python's part), one
 * without it, whose malloc delta is the native part: tracemalloc keeps its
 * traces in malloc'd memory, and pymalloc's arenas are mmap'ed, not
 * malloc'ed. */
static void adapter_footprint(gb_state *s, const ffi_subject *sub, long n)
{
    workload w;
    if (workload_open(&w, sub, n) < 0)
        gb_error(s, "cannot set up the footprint workload");
    else
        while (gb_keep_running_batch(s, 1) > 0) {
            tracing(&w, "start");
            long long py0 = traced(&w);
            int rc = fill(&w);
            double py = (double)(traced(&w) - py0) / n;
            tracing(&w, "stop");
            empty(&w);
            size_t m0 = mallinfo2().uordblks;
            rc |= rc ? 0 : fill(&w);
            double native = ((double)mallinfo2().uordblks - (double)m0) / n;
            empty(&w);
            if (rc < 0) {
                gb_error(s, "Var(name) failed through the adapter");
                break;
            }
            report(s, py, native);
        }
    workload_close(&w);
}

/* 30,000 handles for a built-in; 10,000 for an adapter, which fills twice
 * through its own (often slow: PyGObject, PyTorch) constructors. The
 * figure is a per-handle mean of exact counts: measured side by side, the
 * adapters' bytes per handle at 10,000 are those at 30,000 within 2 bytes. */
static void add_footprint(const ffi_subject *sub)
{
    long n = bench_cfg.quick || !sub->native ? 10000 : 30000;
    bench_add("footprint", sub, n, sub->native ? footprint : adapter_footprint, 1);
}

static const bench_workload footprint_workload = {"footprint", add_footprint, 0};
BENCH_WORKLOAD(footprint_workload);
