/* Shared by the benchmark workloads: what one implementation under
 * benchmark is, registration, and allocation counting. */
#ifndef BENCH_H
#define BENCH_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "../harness/fixture.h"
#include "../harness/impl.h"
#include "gbench.h"

typedef struct bench_impl {
    const char *name;   /* "hashmap+node" */
    PyObject *ns;       /* its namespace module */
    ffi_impl *impl;     /* the harness's record, for native-level set-up */
} bench_impl;

typedef struct bench_config {
    int quick;          /* QUICK=1: smaller sizes, for CI */
} bench_config;
extern bench_config bench_cfg;

/* Registers "family/impl[/param]" running fn with a bench_impl and a long. */
typedef void (*bench_fn)(gb_state *s, const bench_impl *b, long param);
void bench_add(const char *family, const bench_impl *b, long param, bench_fn fn, int64_t iterations);

/* Counting hooks over CPython's allocators plus the native allocator. */
typedef struct alloc_count { int64_t allocs, bytes; } alloc_count;
void bench_alloc_counting(int on);
alloc_count bench_alloc_now(void);   /* totals so far (Python + native) */

/* Runs `body` n times with counting on; records allocs and bytes per run
 * as counters allocs_per_access / bytes_per_access. */
void bench_count_allocs(gb_state *s, void (*body)(void *), void *arg, int n);

/* An interned attribute name (never freed). */
PyObject *bench_name(const char *s);

/* Families, each in its own file. */
void bench_register_floors(void);
double bench_floor_sample(void);   /* ns per __slots__ read, now; -1 if it fails */
void bench_register_access(const bench_impl *b);
void bench_register_scaling(const bench_impl *b);
void bench_register_floor_scaled(void);   /* floor_scaled/N, the sizes scaling runs */
void bench_register_graphs(const bench_impl *b);   /* memo, pickle */
void bench_register_fork(const bench_impl *b);
void bench_register_footprint(const bench_impl *b);

/* Adapters for real bindings (bench/adapters.c): b->impl is NULL for them,
 * so cold access (and footprint, in footprint.c) go through the namespace. */
/* The selected adapters (with no selection: those a default run takes)
 * whose binding is available, NULL-terminated (NULL without a registry);
 * the unavailable ones are reported on stderr with their reason. */
bench_impl **bench_adapters(const char *const *sel, int nsel);
void bench_adapter_cold(gb_state *s, const bench_impl *b, long param);
int64_t bench_adapter_cold_iterations(const bench_impl *b);   /* measured at registration */

#endif
