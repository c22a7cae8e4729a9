/* Adapters for real bindings (harness/adapters) under the benchmarks. An
 * adapter has no harness record (b->impl is NULL), so the workloads that
 * reach below the namespace get variants that go through it only: cold
 * access here, bytes per live handle in footprint.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../conformance/subject.h"
#include "../harness/embed.h"
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

/* Whether a default run (no --impl) takes this adapter: a second version
 * of a tool that imports its own package needs a process of its own
 * (`make bench` runs those one after another and merges the results). */
static int in_default_process(const char *name)
{
    PyObject *g = cf_call("ffi_adapters", "process_group", "(s)", name);
    long group = g ? PyLong_AsLong(g) : 0;
    Py_XDECREF(g);
    PyErr_Clear();
    return group == 0;
}

bench_impl **bench_adapters(const char *const *sel, int nsel)
{
    PyObject *names = ffi_embed_adapter_names();
    if (!names) {
        fprintf(stderr, "bench: no adapters for real bindings (make adapters): ");
        PyErr_Print();
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(names), got = 0;
    bench_impl **out = calloc((size_t)count + 1, sizeof *out);
    for (Py_ssize_t k = 0; out && k < count; k++) {
        const char *name = PyUnicode_AsUTF8(PyList_GET_ITEM(names, k));
        if (nsel ? !cf_subject_wanted(name, sel, nsel) : !in_default_process(name))
            continue;
        PyObject *ns = cf_subject_load(name);
        char why[300];
        if (!ns) {
            fprintf(stderr, "bench: adapter %s is broken: ", name);
            PyErr_Print();
        } else if (ffi_embed_unavailable(ns, why, sizeof why)) {
            fprintf(stderr, "bench: skipping adapter %s: %s\n", name, why);
        } else if ((out[got] = malloc(sizeof **out))) {
            *out[got++] = (bench_impl){strdup(name), ns, NULL};
            ns = NULL;   /* kept */
        }
        PyErr_Clear();
        Py_XDECREF(ns);
    }
    Py_DECREF(names);
    return out;
}
