/* Inside build/bench (not for workloads, which see bench.h): the list of
 * registered benchmarks (registry.c) and what happens around each run of
 * one (run.c: the per-run floors, the machine's load, progress, the
 * collector), so that main.c only reads the command line and starts them. */
#ifndef BENCH_REGISTRY_H
#define BENCH_REGISTRY_H

#include "bench.h"

typedef struct registration {
    bench_fn fn;
    const ffi_subject *sub;
    long param;
    char name[160];
    int64_t last_iterations;   /* of this benchmark's previous run */
    double wall_s;             /* wall time of every call, set-up included */
    int64_t fixed_iterations;  /* > 0: Google Benchmark names it NAME/iterations:N */
    struct registration *next;
} registration;


/* registry.c */
extern registration *bench_registrations;   /* newest first */
/* Adds every workload that applies to `sub` (only those that do not depend
 * on the reduce style when other_style). */
void bench_add_workloads(const ffi_subject *sub, int other_style);
/* --benchmark_filter=F completed with the floors every ratio needs; NULL:
 * keep the argument as it is. */
char *bench_filter_with_floors(const char *arg);
int bench_selected(const char *filter);   /* how many benchmarks a filter takes */
int bench_count_instructions(const char *path, const char *filter);
void bench_write_profile(const char *path, double total);

/* run.c */
double bench_now(void);   /* CLOCK_MONOTONIC seconds */
void bench_run(gb_state *s, void *registration);          /* Google Benchmark calls this */
void bench_run_counted(gb_state *s, void *registration);  /* the same body, under callgrind */
void bench_progress_start(int total_runs);
void bench_progress_end(int ran, int quiet);   /* the last line, the machine's load */
void bench_report_failure(const char *name, const char *message);

#endif
