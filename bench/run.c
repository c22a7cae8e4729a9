/* Around each run of a benchmark: the floors sampled before, within and
 * after it, the load other processes put on the machine meanwhile, the
 * progress line, and a collector that sees only the run's own objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "driver/pyops.h"
#include "registry.h"

/* ---- Machine load, per run: how many CPUs' worth of work other processes
 * did while the benchmark ran (/proc/stat's busy time minus our own CPU
 * time and our reaped children's, over the wall time). Stored in every
 * entry as the counter other_cpus; harness/report/bench_results.py warns when it is high. */
static double now_s(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct load_mark { double wall, busy, own; int ok; } load_mark;

static load_mark load_now(void)
{
    load_mark m = {now_s(CLOCK_MONOTONIC), 0, 0, 0};
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[8] = {0};
    if (f) {
        /* cpu user nice system idle iowait irq softirq steal */
        m.ok = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
                      &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8;
        fclose(f);
    }
    long hz = sysconf(_SC_CLK_TCK);
    m.busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)(hz > 0 ? hz : 100);
    struct rusage c;
    getrusage(RUSAGE_CHILDREN, &c);
    m.own = now_s(CLOCK_PROCESS_CPUTIME_ID) + (double)c.ru_utime.tv_sec + (double)c.ru_stime.tv_sec +
            ((double)c.ru_utime.tv_usec + (double)c.ru_stime.tv_usec) * 1e-6;
    return m;
}

static double other_cpus(load_mark a, load_mark b)
{
    double wall = b.wall - a.wall, other = (b.busy - a.busy) - (b.own - a.own);
    return a.ok && b.ok && wall > 0 ? (other > 0 ? other / wall : 0) : -1;
}

/* ---- Progress: N/M repetitions with an estimate of the time left. With
 * random interleaving Google Benchmark reports a benchmark only once all
 * its repetitions are done, and it also calls a benchmark while it
 * searches for an iteration count (before the first repetition). A call
 * is a new repetition unless it directly follows a call of the same
 * benchmark with fewer iterations (that is the search), so M is the
 * selected benchmarks x repetitions; the time left assumes the remaining
 * repetitions take as long on average as the finished ones (the order is
 * random, so they are a fair sample). On a terminal one line is rewritten
 * in place; in a log, a line at each tenth of the run. Printed before the
 * repetition's timed part, one short write each. */
static int reps_started, reps_total, progress_tty, progress_pending;
static const registration *last_run;
static double started_at;
static load_mark run_start;

static void progress(const registration *r)
{
    int total = reps_started > reps_total ? reps_started : reps_total, done = reps_started - 1;
    char eta[48] = "";
    if (done > 0) {
        double left = (now_s(CLOCK_MONOTONIC) - started_at) / done * (total - done);
        snprintf(eta, sizeof eta, ", about %dm%02ds left", (int)left / 60, (int)left % 60);
    }
    if (progress_tty) {
        fprintf(stderr, "\r\033[Kbench: %d/%d %.60s%s", reps_started, total, r->name, eta);
        progress_pending = 1;
    } else if (reps_started == 1 || reps_started * 10 / total != (reps_started - 1) * 10 / total) {
        fprintf(stderr, "bench: %d/%d %s%s\n", reps_started, total, r->name, eta);
    }
}

/* Ends the progress line on a terminal, so that what follows (a failure,
 * a Python error, the end of the run) starts a line of its own. */
static void progress_break(void)
{
    if (progress_pending)
        fputc('\n', stderr);
    progress_pending = 0;
}


/* --quiet: Google Benchmark reports a failed benchmark here, once. */
void bench_report_failure(const char *name, const char *message)
{
    progress_break();
    fprintf(stderr, "bench: %s failed: %s\n", name, message);
}

/* ---- Each run sees a collector that knows only what the run made. Every
 * object the process holds before a run (the other benchmarks' set-ups,
 * what leaky+node has leaked: over a million wrappers after its cold run)
 * is moved out of the collector's generations (gc.freeze) and back after
 * it (gc.unfreeze). Without this a full collection that falls in a run
 * scans them all: measured, cold/cython@3.3.1 took 6.5x its floor in
 * three repetitions of five and 27-39x in the other two, cold/weakdict+node
 * 11.5x and 34-44x. The run's own objects are collected as before, so a
 * strategy still pays for the collections its garbage causes. */
static void heap_freeze(void) { Py_XDECREF(ffi_py_call("gc", "freeze", "()")); }
static void heap_unfreeze(void) { Py_XDECREF(ffi_py_call("gc", "unfreeze", "()")); }

void bench_run(gb_state *s, void *user)
{
    registration *r = user;
    int64_t asked = gb_max_iterations(s);
    if (last_run != r || asked <= r->last_iterations) {
        ++reps_started;
        progress(r);
    }
    last_run = r, r->last_iterations = asked;
    double t0 = now_s(CLOCK_MONOTONIC);
    heap_freeze();
    double floor_before = bench_floor_sample();
    load_mark before = load_now();
    r->fn(s, r->sub, r->param);
    if (PyErr_Occurred()) {
        progress_break();
        PyErr_Print();
        gb_error(s, "a Python error escaped the benchmark");
    }
    double other = other_cpus(before, load_now());
    if (other >= 0)
        gb_counter(s, "other_cpus", other, GB_COUNTER_PLAIN);
    /* The floor around and within this run (the shim's samples between
     * batches, at even steps of CPU time): harness/report/bench_results.py divides by their
     * mean, so a run that the machine slowed for part of its time is
     * divided by a floor slowed for the same part. */
    double floor_after = bench_floor_sample(), within = 0;
    int samples = gb_samples(s, &within);
    if (floor_before > 0 && floor_after > 0) {
        gb_counter(s, "floor_ns", (floor_before + floor_after + within) / (2 + samples), GB_COUNTER_PLAIN);
        gb_counter(s, "floor_samples", 2 + samples, GB_COUNTER_PLAIN);
    }
    heap_unfreeze();
    r->wall_s += now_s(CLOCK_MONOTONIC) - t0;
}

/* --count-instructions: each body as Google Benchmark's run would call it
 * (the same collector state as trampoline gives), at fixed counts. */
void bench_run_counted(gb_state *s, void *user)
{
    registration *r = user;
    heap_freeze();
    r->fn(s, r->sub, r->param);
    if (PyErr_Occurred()) {
        PyErr_Print();
        gb_error(s, "a Python error escaped the benchmark");
    }
    heap_unfreeze();
}

static void load_summary(load_mark start)
{
    double other = other_cpus(start, load_now());
    double la[3];
    if (other < 0)
        return;
    fprintf(stderr, "bench: other processes kept %.2f CPUs busy on average during the run (of %ld)", other,
            sysconf(_SC_NPROCESSORS_ONLN));
    if (getloadavg(la, 3) == 3)
        fprintf(stderr, "; load average now %.2f", la[0]);
    fprintf(stderr, "%s\n", other >= 0.5 ? ": the machine was loaded, expect noisy figures" : "");
}

double bench_now(void) { return now_s(CLOCK_MONOTONIC); }

void bench_progress_start(int total_runs)
{
    reps_total = total_runs;
    progress_tty = isatty(2);
    started_at = now_s(CLOCK_MONOTONIC);
    run_start = load_now();
}

void bench_progress_end(int ran, int quiet)
{
    if (progress_pending)   /* the line in place becomes the run's last */
        fprintf(stderr, "\r\033[K"), progress_pending = 0;
    if (ran > 0) {
        int took = (int)(now_s(CLOCK_MONOTONIC) - started_at);
        fprintf(stderr, "bench: %d repetitions of %d benchmarks in %dm%02ds\n", reps_started, ran, took / 60, took % 60);
    }
    if (ran > 0 && !quiet)   /* quiet: make bench says it once, from the merged results */
        load_summary(run_start);
}
