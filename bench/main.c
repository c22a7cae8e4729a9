/* build/bench: the benchmarks, through Google Benchmark, in an embedded
 * CPython. Our options come first; everything else goes to Google
 * Benchmark (--benchmark_filter, --benchmark_repetitions, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../harness/driver/cli.h"
#include "../harness/driver/pyops.h"
#include "../harness/embed.h"
#include "bench.h"
#include "instructions.h"

#ifndef BENCH_POOL_DIR
#define BENCH_POOL_DIR "conformance"
#endif

bench_config bench_cfg;

static const char about[] =
    "Time and memory per handle access for each subject, with in-run floors (a\n"
    "__slots__ member read, a raw C pointer chase). Benchmarks are named\n"
    "WORKLOAD/SUBJECT[/SIZE]:\n"
    "  hot, churn, cold, converge   per access (converge: 3 accesses)\n"
    "  dispatch/SUBJECT             an int field (node.tag) through the same call path\n"
    "  scaling/SUBJECT/N            hot access with N live handles\n"
    "  floor_scaled/N               a __slots__ read over N live objects, same order\n"
    "  memo/SUBJECT/N               wrapper-keyed memo rewrite of an N-node DAG\n"
    "  pickle/SUBJECT/N             dumps+loads of an N-node DAG\n"
    "  fork_pool                    fork Pool round trip of (layout.axes, layout.offset)\n"
    "  footprint/SUBJECT/N          bytes per live handle\n"
    "By default: every built-in strategy (access workloads in node style, pickle\n"
    "and fork in both styles) and the real tools that share this process. The\n"
    "floors run whatever --benchmark_filter selects (a positive filter F becomes\n"
    "^floor_(slots|pointer)$|(F), with floor_scaled/N when F selects scaling).\n"
    "Every entry carries the counters other_cpus (the CPUs other processes kept\n"
    "busy during it) and floor_ns (a __slots__ read timed just before and after it).\n"
    "\n"
    "Google Benchmark's own flags pass through: --benchmark_filter=REGEX,\n"
    "--benchmark_repetitions=N, --benchmark_min_time=SECONDS (a plain number in\n"
    "1.7.1), --benchmark_enable_random_interleaving=true,\n"
    "--benchmark_out=FILE --benchmark_out_format=json, --benchmark_list_tests.";

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

/* CPU seconds of a run between two floor samples within it: the run's
 * wall time grows by about 3% (a sample is 2,000 reads, about 30 us,
 * untimed). Measured against one sample of 1,000 reads every 2 ms: ratio
 * CVs of hot, churn, dispatch and converge over 8 repetitions, median 3.5%
 * against 4.1%. */
#define FLOOR_EVERY 0.001

static registration *registrations;
static int benchmarks;

/* ---- Machine load, per run: how many CPUs' worth of work other processes
 * did while the benchmark ran (/proc/stat's busy time minus our own CPU
 * time and our reaped children's, over the wall time). Stored in every
 * entry as the counter other_cpus; report.py warns when it is high. */
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
static void report_failure(const char *name, const char *message)
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

static void trampoline(gb_state *s, void *user)
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
     * batches, at even steps of CPU time): report.py divides by their
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

/* BENCH_PROFILE=FILE: where the run's wall time went, per benchmark (every
 * call, the iteration-count search and set-up outside the timed region
 * included), as "seconds name" lines, most first, appended. */
static int by_wall(const void *a, const void *b)
{
    double x = (*(registration *const *)a)->wall_s, y = (*(registration *const *)b)->wall_s;
    return (x < y) - (x > y);
}

static void write_profile(const char *path, double total)
{
    registration *list[4096];
    int n = 0;
    for (registration *r = registrations; r && n < 4096; r = r->next)
        if (r->wall_s > 0)
            list[n++] = r;
    qsort(list, (size_t)n, sizeof *list, by_wall);
    FILE *f = fopen(path, "a");   /* one file for every process of a run */
    if (!f)
        return;
    fprintf(f, "%.3f (whole run)\n", total);
    for (int k = 0; k < n; k++)
        fprintf(f, "%.3f %s\n", list[k]->wall_s, list[k]->name);
    fclose(f);
}

void bench_add(const char *family, const ffi_subject *sub, long param, bench_fn fn, int64_t iterations)
{
    registration *r = malloc(sizeof *r);
    if (!r)
        abort();
    *r = (registration){fn, sub, param, "", 0, 0, iterations, registrations};
    registrations = r;
    if (param && !sub->ns)   /* a floor with a size: floor_scaled/1000 */
        snprintf(r->name, sizeof r->name, "%s/%ld", family, param);
    else if (param)
        snprintf(r->name, sizeof r->name, "%s/%s/%ld", family, sub->name, param);
    else if (sub->ns)
        snprintf(r->name, sizeof r->name, "%s/%s", family, sub->name);
    else
        snprintf(r->name, sizeof r->name, "%s", family);
    benchmarks++;
    gb_register(r->name, trampoline, r, iterations);
}

/* The name Google Benchmark matches a filter against. */
static const char *gb_name(const registration *r, char *buf, size_t size)
{
    if (r->fixed_iterations <= 0)
        return r->name;
    snprintf(buf, size, "%s/iterations:%lld", r->name, (long long)r->fixed_iterations);
    return buf;
}

/* The floors run whatever the filter: every ratio needs them. A positive
 * filter F becomes ^floor_(slots|pointer)$|(F), with the scaled floor
 * (floor_scaled/N, up to a million objects to build) at the sizes of the
 * scaling benchmarks F selects; a negative one (-REGEX, which Google Benchmark takes
 * as "all but") is kept as given. NULL: keep the argument as it is. */
static char *filter_with_floors(const char *arg)
{
    const char *spec = arg + strlen("--benchmark_filter=");
    if (!*spec || *spec == '-' || !strcmp(spec, "all"))
        return NULL;
    char sizes[256] = "";   /* the sizes of the selected scaling benchmarks: 100|1000000 */
    size_t used = 0;
    regex_t re;
    int compiled = regcomp(&re, spec, REG_EXTENDED | REG_NOSUB) == 0;
    for (const registration *r = registrations; compiled && r; r = r->next) {
        char size[32], full[200];
        if (strncmp(r->name, "scaling/", 8) || regexec(&re, gb_name(r, full, sizeof full), 0, NULL, 0))
            continue;
        snprintf(size, sizeof size, "|%ld|", r->param);
        char padded[260];
        snprintf(padded, sizeof padded, "|%s|", sizes);
        if (!strstr(padded, size) && used + strlen(size) < sizeof sizes)
            used += (size_t)snprintf(sizes + used, sizeof sizes - used, "%s%ld", used ? "|" : "", r->param);
    }
    if (compiled)
        regfree(&re);
    size_t n = strlen(arg) + sizeof sizes + 64;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "--benchmark_filter=^floor_(slots|pointer)$|%s%s%s(%s)", *sizes ? "^floor_scaled/(" : "",
                 sizes, *sizes ? ")/|" : "", spec);   /* Google Benchmark appends /iterations:N */
    return out;
}

/* Whether a filter (Google Benchmark's syntax: REGEX, or -REGEX for all
 * but) selects a benchmark; NULL selects all. */
static int filter_takes(const char *spec, const registration *r)
{
    int negative = spec && *spec == '-';
    if (negative)
        spec++;
    if (!spec || !*spec || !strcmp(spec, "all"))
        return !negative;
    regex_t re;
    if (regcomp(&re, spec, REG_EXTENDED | REG_NOSUB))
        return 1;
    char full[200];
    int hit = regexec(&re, gb_name(r, full, sizeof full), 0, NULL, 0) == 0;
    regfree(&re);
    return hit != negative;
}

/* How many registered benchmarks a filter selects (for the progress total;
 * Google Benchmark's own regex is POSIX extended, as here). */
static int selected(const char *spec)
{
    int n = 0;
    for (const registration *r = registrations; r; r = r->next)
        n += filter_takes(spec, r);
    return n;
}

/* --count-instructions: each body as Google Benchmark's run would call it
 * (the same collector state as trampoline gives), at fixed counts. */
static void counted_body(gb_state *s, void *user)
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

/* The selected benchmarks in the order they were registered. */
static int count_instructions(const char *path, const char *filter)
{
    registration *list[4096];
    int n = 0;
    for (registration *r = registrations; r && n < 4096; r = r->next)
        if (filter_takes(filter, r))
            list[n++] = r;
    if (bench_instructions_begin(path) < 0)
        return 2;
    for (int k = n - 1; k >= 0; k--) {
        fprintf(stderr, "bench: counting %d/%d %s\n", n - k, n, list[k]->name);
        bench_instructions_count(list[k]->name, list[k]->param, counted_body, list[k]);
    }
    return bench_instructions_end() < 0 ? 2 : 0;
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

extern const bench_workload *const __start_bench_workloads[], *const __stop_bench_workloads[];

static int is_benchmark_flag(const char *arg) { return !strncmp(arg, "--benchmark_", 12); }

/* What a run takes by default: the strategies (not the controls, not the
 * reduce style that cannot pickle), and the real tools that can share this
 * process. A selection takes exactly what it names. */
static int in_default_run(const ffi_subject *sub)
{
    if (!sub->builtin)
        return sub->process_group == 0;   /* known before loading it: loading would refuse */
    return !sub->control && strcmp(sub->variant, "none") != 0;   /* known once loaded */
}

int main(int argc, char **argv)
{
    int quiet = 0;
    const char *count_path = NULL;
    const ffi_option own[] = {
        {"--count-instructions", "FILE", "no timing: count each benchmark's instructions at fixed iteration "
                                         "counts, under callgrind (make bench MODE=instructions; "
                                         "bench/instructions.c), into FILE", FFI_OPT_STRING, &count_path},
        {"--quick", NULL, "smaller sizes, for CI", FFI_OPT_FLAG, &bench_cfg.quick},
        {"--quiet", NULL, "the console shows progress and failures, not Google Benchmark's rows or the "
                          "machine's load (--benchmark_out's file is the same)", FFI_OPT_FLAG, &quiet},
        {NULL, NULL, NULL, 0, NULL},
    };
    ffi_cli cli = {.prog = "bench", .args = "[--quick] [--quiet] [--count-instructions FILE] [--benchmark_...]", .about = about,
                   .exit_status = "Exit status: 0, or 2 for bad usage or a failed run.",
                   .options = own, .passes_through = is_benchmark_flag,
                   .worker_path = BENCH_POOL_DIR};   /* fork_pool's worker module */
    int rc = ffi_cli_parse(&cli, argc, argv);
    if (rc)
        return rc;
    char *rest[FFI_CLI_MAX + 1];
    int nrest = 0, repetitions = 1, filter_at = -1;
    const char *filter = NULL;
    rest[nrest++] = argv[0];
    for (int k = 0; k < cli.passed.n; k++) {
        if (!strncmp(cli.passed.v[k], "--benchmark_filter=", 19))
            filter_at = nrest;   /* completed with the floors once all are registered */
        else if (!strncmp(cli.passed.v[k], "--benchmark_repetitions=", 24))
            repetitions = atoi(cli.passed.v[k] + 24);
        rest[nrest++] = (char *)cli.passed.v[k];
    }
    if ((rc = ffi_cli_start(&cli, argv[0])))
        return rc == 1 ? 0 : rc;
    bench_cfg.counting = count_path != NULL;
    bench_register_floors();
    /* Counting samples no floor: how often it samples depends on the
     * clock, and its reads between batches would move the heap, and with
     * it the counts, with the machine's speed. */
    if (!count_path)
        gb_set_sampler(bench_floor_quick, FLOOR_EVERY);
    for (int k = 0; k < cli.nselected; k++) {
        ffi_subject *sub = &cli.selected[k];
        /* A second version of a tool is left out before it is loaded (make
         * bench gives it a process of its own); controls once loaded. */
        if (!cli.subjects.n && !sub->builtin && !in_default_run(sub))
            continue;
        if (ffi_subject_open(sub) < 0) {
            fprintf(stderr, "bench: %s cannot be loaded: ", sub->name);
            PyErr_Print();
            if (sub->named)
                return 2;
            continue;
        }
        if (ffi_subject_unrunnable("bench", sub))
            return 2;
        if (*sub->unavailable) {
            fprintf(stderr, "bench: skipping %s: %s\n", sub->name, sub->unavailable);
            continue;
        }
        if (!cli.subjects.n && sub->builtin && !in_default_run(sub))
            continue;
        /* By default one reduce style (node) of each strategy runs what
         * does not depend on the style. */
        int other_style = sub->builtin && strcmp(sub->variant, "node") && !cli.subjects.n;
        for (const bench_workload *const *w = __start_bench_workloads; w < __stop_bench_workloads; w++)
            if (!((*w)->flags & BENCH_NEEDS_NATIVE && !sub->native) &&
                !(other_style && !((*w)->flags & BENCH_EVERY_STYLE)))
                (*w)->add(sub);
    }
    if (filter_at >= 0) {
        char *with = filter_with_floors(rest[filter_at]);
        if (with)
            rest[filter_at] = with;
        filter = rest[filter_at] + 19;
    }
    if (count_path)
        return count_instructions(count_path, filter);
    reps_total = selected(filter) * (repetitions > 0 ? repetitions : 1);
    progress_tty = isatty(2);
    started_at = now_s(CLOCK_MONOTONIC);
    load_mark start = load_now();
    if (quiet)
        gb_console_failures_only(report_failure);
    int ran = gb_main(&nrest, rest);
    if (progress_pending)   /* the line in place becomes the run's last */
        fprintf(stderr, "\r\033[K"), progress_pending = 0;
    if (ran > 0) {
        int took = (int)(now_s(CLOCK_MONOTONIC) - started_at);
        fprintf(stderr, "bench: %d repetitions of %d benchmarks in %dm%02ds\n", reps_started, ran, took / 60, took % 60);
    }
    if (ran > 0 && !quiet)   /* quiet: make bench says it once, from the merged results */
        load_summary(start);
    if (getenv("BENCH_PROFILE") && *getenv("BENCH_PROFILE"))
        write_profile(getenv("BENCH_PROFILE"), now_s(CLOCK_MONOTONIC) - started_at);
    fflush(NULL);
    /* No Py_FinalizeEx: fork workers and strategies under test are not ours. */
    return ran < 0 ? 2 : 0;
}
