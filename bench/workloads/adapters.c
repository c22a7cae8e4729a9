/* Adapters for real bindings (harness/subjects) under the benchmarks. An
 * adapter has no native door (sub->native is NULL), so the workloads that
 * reach below the namespace get variants that go through it only: cold
 * access here, bytes per live handle in footprint.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/subject.h"
#include "driver/embed.h"
#include "../bench.h"

/* add.a where the Var's wrapper is gone: Var and Add built and the Var's
 * wrapper dropped with the timer paused, then the timed first accesses. */
void bench_adapter_cold(gb_state *s, const ffi_subject *sub, long param)
{
    (void)param;
    enum { K = 256 };
    PyObject *adds[K] = {0}, *got[K] = {0}, *name = bench_name("a");
    PyObject *var = PyObject_GetAttrString(sub->ns, "Var"), *add = PyObject_GetAttrString(sub->ns, "Add");
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

/* The iteration count for an adapter's cold access: enough for the timed
 * first accesses to take COLD_TIMED_S (a little over --benchmark_min_time,
 * as the library's own search would aim), but no more than the set-up
 * (an Add and a Var through the adapter, made and freed with the timer
 * paused: up to 25 us an access for PyTorch) can do in COLD_SETUP_S per
 * repetition; between QUICK=1's 25,600 and the built-ins' 256,000. On a
 * shared 2-core machine the spread over repetitions did not follow the
 * count (PyGObject, ctypes, cffi at 40% of it varied less than before),
 * while PyTorch's and tvm-ffi's set-up took a tenth of `make bench`.
 * Measured once, on 256 accesses. */
#define COLD_TIMED_S 0.15
#define COLD_SETUP_S 1.0
static double thread_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int64_t bench_adapter_cold_iterations(const ffi_subject *sub)
{
    enum { K = 256 };
    PyObject *adds[K] = {0}, *name = bench_name("a");
    PyObject *var = PyObject_GetAttrString(sub->ns, "Var"), *add = PyObject_GetAttrString(sub->ns, "Add");
    int made = 0;
    double t0 = thread_ns();
    for (; var && add && made < K; made++) {
        PyObject *v = PyObject_CallFunction(var, "s", "c");
        adds[made] = v ? PyObject_CallFunctionObjArgs(add, v, v, NULL) : NULL;
        Py_XDECREF(v);
        if (!adds[made])
            break;
    }
    double t1 = thread_ns();
    for (int k = 0; k < made; k++)
        Py_XDECREF(PyObject_GetAttr(adds[k], name));
    double t2 = thread_ns();
    for (int k = 0; k < made; k++)
        Py_XDECREF(adds[k]);
    double t3 = thread_ns();
    Py_XDECREF(var), Py_XDECREF(add);
    PyErr_Clear();
    if (made < K || t2 <= t1)
        return 256000;
    double timed = (t2 - t1) / K, setup = (t1 - t0 + t3 - t2) / K;
    double n = COLD_TIMED_S * 1e9 / timed;
    if (setup > 0 && COLD_SETUP_S * 1e9 / setup < n)
        n = COLD_SETUP_S * 1e9 / setup;
    int64_t count = ((int64_t)n + K - 1) / K * K;   /* whole batches */
    return count < 25600 ? 25600 : count > 256000 ? 256000 : count;
}
