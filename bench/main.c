/* build/bench: the benchmarks, through Google Benchmark, in an embedded
 * CPython. Our options come first; everything else goes to Google
 * Benchmark (--benchmark_filter, --benchmark_repetitions, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../conformance/subject.h"
#include "../harness/embed.h"
#include "bench.h"

#ifndef BENCH_POOL_DIR
#define BENCH_POOL_DIR "conformance"
#endif

bench_config bench_cfg;

static const char usage[] =
    "usage: bench [--impl NAME]... [--quick] [--list-impls] [GOOGLE BENCHMARK FLAGS]\n"
    "\n"
    "Time and memory per handle access for each implementation, with in-run\n"
    "floors (a __slots__ member read, a raw C pointer chase). Benchmarks are\n"
    "named WORKLOAD/IMPLEMENTATION[/SIZE]:\n"
    "  hot, churn, cold, converge   per access (converge: 3 accesses)\n"
    "  scaling/IMPL/N               hot access with N live handles\n"
    "  memo/IMPL/N                  wrapper-keyed memo rewrite of an N-node DAG\n"
    "  pickle/IMPL/N                dumps+loads of an N-node DAG\n"
    "  fork_pool                    fork Pool round trip of (layout.axes, layout.offset)\n"
    "  footprint/IMPL/N             bytes per live handle\n"
    "Access workloads run once per strategy (node style); pickle and fork\n"
    "workloads for both styles.\n"
    "\n"
    "  --impl NAME     only this implementation (repeatable)\n"
    "  --quick         smaller sizes, for CI\n"
    "  --list-impls    the implementation names\n"
    "Useful Google Benchmark flags: --benchmark_filter=REGEX,\n"
    "--benchmark_repetitions=N, --benchmark_min_time=SECONDS (a plain number in\n"
    "1.7.1), --benchmark_enable_random_interleaving=true,\n"
    "--benchmark_out=FILE --benchmark_out_format=json, --benchmark_list_tests.\n";

typedef struct registration {
    bench_fn fn;
    const bench_impl *b;
    long param;
    char name[160];
} registration;

static int runs_started, benchmarks;

static void trampoline(gb_state *s, void *user)
{
    registration *r = user;
    /* Progress: with random interleaving Google Benchmark prints a result
     * only once all repetitions of it are done. The library also calls a
     * benchmark while it searches for an iteration count, so runs outnumber
     * benchmarks x (repetitions + 1 memory run). */
    ++runs_started;
    if (isatty(2))
        fprintf(stderr, "\rbench: run %d (%d benchmarks): %-56.56s", runs_started, benchmarks, r->name);
    else if (runs_started % 25 == 1)
        fprintf(stderr, "bench: run %d (%d benchmarks): %s\n", runs_started, benchmarks, r->name);
    r->fn(s, r->b, r->param);
    if (PyErr_Occurred()) {
        PyErr_Print();
        gb_error(s, "a Python error escaped the benchmark");
    }
}

void bench_add(const char *family, const bench_impl *b, long param, bench_fn fn, int64_t iterations)
{
    registration *r = malloc(sizeof *r);
    if (!r)
        abort();
    *r = (registration){fn, b, param, ""};
    if (param)
        snprintf(r->name, sizeof r->name, "%s/%s/%ld", family, b->name, param);
    else if (b->ns)
        snprintf(r->name, sizeof r->name, "%s/%s", family, b->name);
    else
        snprintf(r->name, sizeof r->name, "%s", family);
    benchmarks++;
    gb_register(r->name, trampoline, r, iterations);
}

int main(int argc, char **argv)
{
    const char *sel[64];
    char *rest[256];
    int nsel = 0, nrest = 0, list = 0;
    rest[nrest++] = argv[0];
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[k], "--impl") && k + 1 < argc && nsel < 64) {
            sel[nsel++] = argv[++k];
        } else if (!strcmp(argv[k], "--quick")) {
            bench_cfg.quick = 1;
        } else if (!strcmp(argv[k], "--list-impls")) {
            list = 1;
        } else if (!strncmp(argv[k], "--benchmark_", 12) && nrest < 255) {
            rest[nrest++] = argv[k];
        } else {
            fprintf(stderr, "bench: unknown option '%s' (see --help)\n", argv[k]);
            return 2;
        }
    }
    const char *old = getenv("PYTHONPATH");
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", BENCH_POOL_DIR, old && *old ? ":" : "", old ? old : "");
    setenv("PYTHONPATH", path, 1);   /* fork_pool's worker module */
    if (ffi_embed_start(argv[0]) < 0)
        return 2;
    /* Unknown names are an error that lists every subject, bindings included. */
    PyObject *subjects = cf_subject_names_checked("bench", sel, nsel);
    if (!subjects)
        return 2;
    Py_DECREF(subjects);
    PyObject *ffi = PyImport_ImportModule("ffi_identity");
    PyObject *names = ffi ? PyObject_CallMethod(ffi, "impls", NULL) : NULL;
    if (!names) {
        PyErr_Print();
        return 2;
    }
    bench_impl **adapters = bench_adapters(sel, nsel);   /* real bindings, where available */
    bench_register_floors();
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++) {
        const char *name = PyUnicode_AsUTF8(PyList_GET_ITEM(names, k));
        ffi_impl *impl = ffi_impl_find(name);
        PyObject *ns = PyObject_CallMethod(ffi, "load", "s", name);
        PyObject *control = ns ? PyObject_GetAttrString(ns, "control") : NULL;
        int skip = !control || PyObject_IsTrue(control) || impl->style == FFI_STYLE_NONE;
        Py_XDECREF(control);
        if (nsel ? !cf_subject_wanted(name, sel, nsel) : skip) {
            Py_XDECREF(ns);
            continue;
        }
        if (list) {
            printf("%s\n", name);
            continue;
        }
        bench_impl *b = malloc(sizeof *b);
        *b = (bench_impl){impl->name, ns, impl};
        if (impl->style == FFI_STYLE_NODE || nsel) {
            bench_register_access(b);
            bench_register_scaling(b);
            bench_register_footprint(b);
            bench_register_graphs(b);
        } else {
            bench_register_graphs(b);   /* the style matters for pickling only */
        }
        bench_register_fork(b);
    }
    for (bench_impl **a = adapters; a && *a; a++) {
        if (!cf_subject_wanted((*a)->name, sel, nsel))
            continue;
        if (list) {
            printf("%s\n", (*a)->name);
            continue;
        }
        bench_register_access(*a);   /* no scaling: it builds natives directly */
        bench_register_footprint(*a);
        bench_register_graphs(*a);
        bench_register_fork(*a);
    }
    if (list)
        return 0;
    bench_memory_install();
    int ran = gb_main(&nrest, rest);
    if (isatty(2))
        fprintf(stderr, "\n");
    fflush(NULL);
    /* No Py_FinalizeEx: fork workers and strategies under test are not ours. */
    return ran < 0 ? 2 : 0;
}
