/* build/bench --count-instructions FILE: every selected benchmark's body
 * run outside Google Benchmark, for fixed iteration counts, under
 * callgrind, with collection on only where a timed run's clock would run.
 *
 * Each benchmark runs three times: a warm-up of N iterations (CPython's
 * specialising interpreter, the caches' first fills), then N and 2N
 * iterations, each followed by a callgrind dump named "NAME#ITERATIONS".
 * harness/report/instructions.py reads the dumps: the cost per iteration is the
 * difference of the two counts over N, so what a run does once (its
 * set-up, the loop's entry and exit, the client requests) cancels.
 *
 * The process must start under callgrind with --collect-atstart=no and
 * --instr-atstart=no (harness/report/instructions.py does): instrumentation starts
 * here, once, so the interpreter's start and the subjects' imports run at
 * valgrind's uninstrumented speed, and collection is toggled around each
 * measured region only. FILE gets what ran, as JSON: names, iteration
 * counts, the dumps' names, the counters the bodies set (allocations per
 * access), errors, and what was not counted and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "bench.h"
#include "instructions.h"

/* Iterations per measured run, by workload: enough that a difference of
 * two runs is many iterations' cost, few enough that a subject takes
 * seconds under callgrind. */
typedef struct count_plan {
    const char *family;
    int64_t iterations;   /* N; 0: per size (scaling: a whole pass at least) */
    const char *not_counted;   /* why this workload is not counted, or NULL */
} count_plan;

static const count_plan plans[] = {
    {"floor_slots", 1000, NULL},
    {"floor_pointer", 1000, NULL},
    {"hot", 1000, NULL},
    {"churn", 1000, NULL},
    {"dispatch", 1000, NULL},
    {"converge", 1000, NULL},
    {"cold", 512, NULL},   /* two of its set-up batches of 256 */
    {"scaling", 0, NULL},
    {"floor_scaled", 0, NULL},
    {"memo", 1, NULL},     /* an iteration is a pass over the whole DAG */
    {"pickle", 1, NULL},
    {"fork_pool", 0, "its work is in worker processes, which callgrind does not follow, and the pool's "
                     "scheduling differs from run to run"},
    {"footprint", 0, "a byte count, exact in the wall-clock run already: no timed loop"},
};

/* Scaling sizes above this are not counted: building their handles under
 * callgrind takes minutes per subject, and without cache simulation an
 * instruction count does not see what a larger N costs (cache misses). */
#define COUNT_MAX_HANDLES 10000

static FILE *out;
static int entries;
static int collecting;   /* 1 while a measured run is between its region's ends */
static int run_started;  /* the region has opened in this run */

static void json_string(const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static void entry_start(const char *name)
{
    fprintf(out, "%s\n  {\"name\": ", entries++ ? "," : "");
    json_string(name);
}

static const count_plan *plan_of(const char *name)
{
    size_t len = strcspn(name, "/");
    for (size_t k = 0; k < sizeof plans / sizeof *plans; k++)
        if (strlen(plans[k].family) == len && !strncmp(plans[k].family, name, len))
            return &plans[k];
    return NULL;
}

/* Pins: two blocks of each of pymalloc's size classes (16-byte steps up to
 * 512 bytes), held through a run. A loop that allocates and frees a block
 * a turn costs more in pymalloc when the pool it draws from holds nothing
 * else (the pool is emptied and taken back every turn) or has that one
 * free block only (filled and unlinked every turn): 11 to 15 instructions a
 * turn, and which case a run starts in follows everything the process
 * allocated before, down to how many files the directories on sys.path
 * hold. With a pinned block in the pool the loop draws from, it is not
 * emptied; the second pin makes a pool with one free block left full
 * before the loop starts. */
enum { PIN_CLASSES = 32, PIN_STEP = 16, PINS_PER_CLASS = 2 };
static void *pins[PIN_CLASSES * PINS_PER_CLASS];

static void pin_pools(void)
{
    for (int k = 0; k < PIN_CLASSES * PINS_PER_CLASS; k++)
        pins[k] = PyObject_Malloc((size_t)(k / PINS_PER_CLASS + 1) * PIN_STEP);
}

static void unpin_pools(void)
{
    for (int k = 0; k < PIN_CLASSES * PINS_PER_CLASS; k++)
        PyObject_Free(pins[k]), pins[k] = NULL;
}

/* The client requests cost the same wherever they run: only what lies
 * between a region's two toggles is counted. */
static void region(void *ctx, int on)
{
    (void)ctx;   /* the shim calls it only when the state changes */
    /* Every run starts its loop with the collector's counts at zero: which
     * iterations a collection falls in depends on them, and otherwise on
     * every allocation the process made before (another benchmark's, an
     * unrelated change's), which moved counts by up to 11%. */
    if (on && !run_started++) {
        PyGC_Collect();
        pin_pools();
    }
    if (collecting)
        CALLGRIND_TOGGLE_COLLECT;
}

typedef struct counters { int n; char names[16][48]; double values[16]; } counters;

static void counter(void *ctx, const char *name, double value, int flags)
{
    counters *c = ctx;
    (void)flags;
    int k = 0;
    while (k < c->n && strcmp(c->names[k], name))
        k++;
    if (k == 16)
        return;
    if (k == c->n)
        snprintf(c->names[c->n++], sizeof c->names[0], "%s", name);
    c->values[k] = value;
}

int bench_instructions_begin(const char *path)
{
    if (!RUNNING_ON_VALGRIND) {
        fprintf(stderr, "bench: --count-instructions needs callgrind around it: "
                        "make bench MODE=instructions runs it so (harness/report/instructions.py run)\n");
        return -1;
    }
    out = fopen(path, "w");
    if (!out) {
        perror(path);
        return -1;
    }
    fprintf(out, "{\"max_handles\": %d, \"benchmarks\": [", COUNT_MAX_HANDLES);
    CALLGRIND_START_INSTRUMENTATION;
    return 0;
}

void bench_instructions_count(const char *name, long param, gb_fn body, void *user)
{
    const count_plan *plan = plan_of(name);
    entry_start(name);
    if (!plan || plan->not_counted || (plan->iterations == 0 && param > COUNT_MAX_HANDLES)) {
        fprintf(out, ", \"not_counted\": ");
        json_string(!plan ? "no iteration count is set for this workload (bench/instructions.c)"
                    : plan->not_counted ? plan->not_counted
                    : "larger than the counted sizes: building its handles under callgrind takes minutes, "
                      "and an instruction count does not see the cache misses a larger size adds");
        fputc('}', out);
        fflush(out);
        return;
    }
    int64_t n = plan->iterations ? plan->iterations : param > 1000 ? param : 1000;
    counters seen = {0};
    gb_fixed_run run = {.iterations = n, .ctx = &seen, .region = region, .counter = counter};
    run_started = 0;
    gb_run_fixed(body, user, &run);   /* the warm-up, not counted */
    unpin_pools();
    char label[256];
    fprintf(out, ", \"iterations\": [%lld, %lld], \"dumps\": [", (long long)n, (long long)(2 * n));
    for (int64_t times = 1; times <= 2 && !run.error[0]; times++) {
        run.iterations = n * times;
        collecting = 1, run_started = 0;
        gb_run_fixed(body, user, &run);
        collecting = 0;
        unpin_pools();
        snprintf(label, sizeof label, "%s#%lld", name, (long long)(n * times));
        CALLGRIND_DUMP_STATS_AT(label);
        if (times > 1)
            fputs(", ", out);
        json_string(label);
    }
    fputs("], \"counters\": {", out);
    for (int k = 0; k < seen.n; k++) {
        fprintf(out, "%s", k ? ", " : "");
        json_string(seen.names[k]);
        fprintf(out, ": %.17g", seen.values[k]);
    }
    fputc('}', out);
    if (run.error[0]) {
        fputs(", \"error\": ", out);
        json_string(run.error);
    }
    fputc('}', out);
    fflush(out);
}

int bench_instructions_end(void)
{
    CALLGRIND_STOP_INSTRUMENTATION;
    fputs("\n]}\n", out);
    return fclose(out) ? -1 : 0;
}
