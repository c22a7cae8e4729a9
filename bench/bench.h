/* Shared by the benchmark workloads: registration, configuration and
 * allocation counting. What runs is a subject (harness/driver/subject.h);
 * workloads that start below Python use its native door, which only the
 * built-in subjects have. */
#ifndef BENCH_H
#define BENCH_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "driver/subject.h"
#include "model/fixture.h"
#include "gbench.h"

typedef struct bench_config {
    int quick;          /* QUICK=1: smaller sizes, for CI */
    int counting;       /* --count-instructions: no clock may steer what runs */
} bench_config;
extern bench_config bench_cfg;

/* Registers "family/subject[/param]" running fn with a ffi_subject and a long. */
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
double bench_floor_quick(void);    /* the same from one short block (within a run) */
/* Workloads register themselves as data: a workload file ends with
 *     static const bench_workload w = {"names", add_fn, flags};
 *     BENCH_WORKLOAD(w);
 * and main() calls add_fn for each subject it applies to, so a new workload
 * is one new file. */
enum {
    BENCH_NEEDS_NATIVE = 1 << 0,   /* builds natives itself: subjects with a native door */
    BENCH_EVERY_STYLE = 1 << 1,    /* depends on the reduce style: every built-in style */
};
typedef struct bench_workload {
    const char *name;                        /* the benchmark families it adds */
    void (*add)(const ffi_subject *sub);     /* registers its benchmarks for one subject */
    unsigned flags;
} bench_workload;
#define BENCH_WORKLOAD(w) \
    static const bench_workload *const bench_registered_##w __attribute__((used, section("bench_workloads"))) = &(w)

/* Adapters for real bindings (bench/workloads/adapters.c) have no native door, so
 * cold access (and footprint, in footprint.c) go through the namespace. */
void bench_adapter_cold(gb_state *s, const ffi_subject *sub, long param);
int64_t bench_adapter_cold_iterations(const ffi_subject *sub);   /* measured at registration */

#endif
