/* build/bench: the benchmarks, through Google Benchmark, in an embedded
 * CPython. Our options come first; everything else goes to Google
 * Benchmark (--benchmark_filter, --benchmark_repetitions, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/cli.h"
#include "driver/pyops.h"
#include "driver/embed.h"
#include "bench.h"
#include "registry.h"

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

/* CPU seconds of a run between two floor samples within it: the run's
 * wall time grows by about 3% (a sample is 2,000 reads, about 30 us,
 * untimed). Measured against one sample of 1,000 reads every 2 ms: ratio
 * CVs of hot, churn, dispatch and converge over 8 repetitions, median 3.5%
 * against 4.1%. */
#define FLOOR_EVERY 0.001

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
        bench_add_workloads(sub, other_style);
    }
    if (filter_at >= 0) {
        char *with = bench_filter_with_floors(rest[filter_at]);
        if (with)
            rest[filter_at] = with;
        filter = rest[filter_at] + 19;
    }
    if (count_path)
        return bench_count_instructions(count_path, filter);
    double started_at = bench_now();
    bench_progress_start(bench_selected(filter) * (repetitions > 0 ? repetitions : 1));
    if (quiet)
        gb_console_failures_only(bench_report_failure);
    int ran = gb_main(&nrest, rest);
    bench_progress_end(ran, quiet);
    if (getenv("BENCH_PROFILE") && *getenv("BENCH_PROFILE"))
        bench_write_profile(getenv("BENCH_PROFILE"), bench_now() - started_at);
    fflush(NULL);
    /* No Py_FinalizeEx: fork workers and strategies under test are not ours. */
    return ran < 0 ? 2 : 0;
}
