/* A C API over Google Benchmark 1.7.1 (the shim in gbench_shim.cc is the
 * only C++ in the suite). Benchmarks are C functions registered by name
 * with user data; they loop in batches:
 *
 *     static void bench_hot(gb_state *s, void *user) {
 *         int64_t n;
 *         while ((n = gb_keep_running_batch(s, 1000)) > 0)
 *             for (int64_t k = 0; k < n; k++)
 *                 work(user);
 *     }
 *
 * gb_keep_running_batch returns how many iterations to run now (never more
 * than the library asked for, so per-iteration figures stay exact), or 0
 * when done. One call per batch keeps the shim's cost out of the timings. */
#ifndef GBENCH_H
#define GBENCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state;
typedef void (*gb_fn)(gb_state *s, void *user);

enum gb_counter_flags {
    GB_COUNTER_PLAIN = 0,
    GB_COUNTER_PER_ITERATION = 1,   /* value / iterations */
    GB_COUNTER_RATE = 2,            /* value / seconds */
};

/* Registers a benchmark; `iterations` > 0 fixes the iteration count
 * (for whole-process workloads), 0 lets the library decide. */
void gb_register(const char *name, gb_fn fn, void *user, int64_t iterations);
int64_t gb_keep_running_batch(gb_state *s, int64_t batch);
void gb_pause(gb_state *s);
void gb_resume(gb_state *s);
int64_t gb_iterations(const gb_state *s);
int64_t gb_max_iterations(const gb_state *s);   /* the count asked for in this run */
void gb_counter(gb_state *s, const char *name, double value, int flags);
void gb_label(gb_state *s, const char *label);
void gb_error(gb_state *s, const char *message);   /* marks the run failed */

/* A sampler runs between batches, with the timer stopped, each time the
 * benchmark thread has used `every_seconds` of CPU time since its last
 * sample (a floor measured within the run, not only around it). It
 * returns a positive figure, or <= 0 to be ignored; gb_samples gives the
 * sum and count of the figures taken in this run. */
typedef double (*gb_sampler)(void);
void gb_set_sampler(gb_sampler fn, double every_seconds);
int gb_samples(const gb_state *s, double *sum);
/* No sampler in this run: for work that evicts the caches and the TLB
 * between samples (reads over 1e5..1e6 objects), which would slow the
 * sampler's blocks (1.4-1.5x, measured) and bias the run's ratios. */
void gb_no_samples(gb_state *s);

/* No MemoryManager: Google Benchmark 1.7.1 writes garbage memory fields
 * (max_bytes_used, total_allocated_bytes, net_heap_growth) for repetitions
 * with one (a dangling pointer, upstream bug #1939). Memory figures are our
 * own counters (bench_count_allocs in bench.h), set by the benchmark. */

/* Without Google Benchmark's console rows: gb_main reports each failed
 * benchmark once, through `failed` (its name and the message it gave
 * gb_error), and nothing else on the console; --benchmark_out's file is
 * written as ever. Call before gb_main. */
typedef void (*gb_failure_fn)(const char *name, const char *message);
void gb_console_failures_only(gb_failure_fn failed);

/* A run without Google Benchmark, for counting rather than timing: the
 * body runs exactly `iterations` iterations (batches as it asks, never
 * more), with no timer and no sampler. `region(ctx, on)` is called where a
 * timed run's clock would start and stop: before the first batch, at
 * gb_pause and gb_resume, and when the body asks for a batch past the last.
 * gb_counter reaches `counter` with the value as given (per-iteration
 * counters are not divided); gb_error's message lands in `error`. */
typedef struct gb_fixed_run {
    int64_t iterations;
    void *ctx;
    void (*region)(void *ctx, int on);
    void (*counter)(void *ctx, const char *name, double value, int flags);
    char error[256];   /* "" unless the body called gb_error */
} gb_fixed_run;
void gb_run_fixed(gb_fn fn, void *user, gb_fixed_run *run);

/* Parses Google Benchmark's flags (argv is updated), lists or runs the
 * registered benchmarks. Returns the number of benchmarks run, -1 on bad
 * flags (after printing them). */
int gb_main(int *argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
