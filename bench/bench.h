/* Shared by the benchmark workloads: registration, configuration and
 * allocation counting. What runs is a subject (harness/driver/subject.h);
 * workloads that start below Python use its native door, which only the
 * built-in subjects have. */
#ifndef BENCH_H
#define BENCH_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "../harness/driver/subject.h"
#include "../harness/fixture.h"
#include "gbench.h"

typedef struct bench_config {
    int quick;          /* QUICK=1: smaller sizes, for CI */
} bench_config;
extern bench_config bench_cfg;

/* Registers "family/impl[/param]" running fn with a ffi_subject and a long. */
typedef void (*bench_fn)(gb_state *s, const ffi_subject *sub, long param);
void bench_add(const char *family, const ffi_subject *sub, long param, bench_fn fn, int64_t iterations);

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
void bench_register_access(const ffi_subject *sub);
void bench_register_scaling(const ffi_subject *sub);
void bench_register_floor_scaled(void);   /* floor_scaled/N, the sizes scaling runs */
void bench_register_graphs(const ffi_subject *sub);   /* memo, pickle */
void bench_register_fork(const ffi_subject *sub);
void bench_register_footprint(const ffi_subject *sub);

/* Adapters for real bindings (bench/adapters.c) have no native door, so
 * cold access (and footprint, in footprint.c) go through the namespace. */
void bench_adapter_cold(gb_state *s, const ffi_subject *sub, long param);
int64_t bench_adapter_cold_iterations(const ffi_subject *sub);   /* measured at registration */

#endif
