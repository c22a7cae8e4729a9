/* The registered benchmarks: bench_add (bench.h) for the workloads, the
 * workload records gathered by the linker, the filters, the profile. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instructions.h"
#include "registry.h"

registration *bench_registrations;

void bench_add(const char *family, const ffi_subject *sub, long param, bench_fn fn, int64_t iterations)
{
    registration *r = malloc(sizeof *r);
    if (!r)
        abort();
    *r = (registration){fn, sub, param, "", 0, 0, iterations, bench_registrations};
    bench_registrations = r;
    if (param && !sub->ns)   /* a floor with a size: floor_scaled/1000 */
        snprintf(r->name, sizeof r->name, "%s/%ld", family, param);
    else if (param)
        snprintf(r->name, sizeof r->name, "%s/%s/%ld", family, sub->name, param);
    else if (sub->ns)
        snprintf(r->name, sizeof r->name, "%s/%s", family, sub->name);
    else
        snprintf(r->name, sizeof r->name, "%s", family);
    gb_register(r->name, bench_run, r, iterations);
}

extern const bench_workload *const __start_bench_workloads[], *const __stop_bench_workloads[];

/* Why a subject's adapter leaves a workload out (its bench_why_not), or
 * NULL; the reason is printed when the run starts. */
static const char *left_out(const ffi_subject *sub, const char *workload)
{
    PyObject *why = sub->ns ? PyObject_GetAttrString(sub->ns, "bench_why_not") : NULL;
    PyObject *reason = why && PyDict_Check(why) ? PyDict_GetItemString(why, workload) : NULL;
    const char *text = reason && PyUnicode_Check(reason) ? PyUnicode_AsUTF8(reason) : NULL;
    Py_XDECREF(why);   /* the adapter's dict keeps the string alive */
    PyErr_Clear();
    return text;
}

void bench_add_workloads(const ffi_subject *sub, int other_style)
{
    for (const bench_workload *const *w = __start_bench_workloads; w < __stop_bench_workloads; w++) {
        if (((*w)->flags & BENCH_NEEDS_NATIVE && !sub->native) ||
            (other_style && !((*w)->flags & BENCH_EVERY_STYLE)))
            continue;
        const char *why = left_out(sub, (*w)->name);
        if (why)
            fprintf(stderr, "bench: %s leaves out %s: %s\n", sub->name, (*w)->name, why);
        else
            (*w)->add(sub);
    }
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
char *bench_filter_with_floors(const char *arg)
{
    const char *spec = arg + strlen("--benchmark_filter=");
    if (!*spec || *spec == '-' || !strcmp(spec, "all"))
        return NULL;
    char sizes[256] = "";   /* the sizes of the selected scaling benchmarks: 100|1000000 */
    size_t used = 0;
    regex_t re;
    int compiled = regcomp(&re, spec, REG_EXTENDED | REG_NOSUB) == 0;
    for (const registration *r = bench_registrations; compiled && r; r = r->next) {
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
int bench_selected(const char *spec)
{
    int n = 0;
    for (const registration *r = bench_registrations; r; r = r->next)
        n += filter_takes(spec, r);
    return n;
}

/* The selected benchmarks in the order they were registered. */
int bench_count_instructions(const char *path, const char *filter)
{
    registration *list[4096];
    int n = 0;
    for (registration *r = bench_registrations; r && n < 4096; r = r->next)
        if (filter_takes(filter, r))
            list[n++] = r;
    if (bench_instructions_begin(path) < 0)
        return 2;
    for (int k = n - 1; k >= 0; k--) {
        fprintf(stderr, "bench: counting %d/%d %s\n", n - k, n, list[k]->name);
        bench_instructions_count(list[k]->name, list[k]->param, bench_run_counted, list[k]);
    }
    return bench_instructions_end() < 0 ? 2 : 0;
}

/* BENCH_PROFILE=FILE: where the run's wall time went, per benchmark (every
 * call, the iteration-count search and set-up outside the timed region
 * included), as "seconds name" lines, most first, appended. */
static int by_wall(const void *a, const void *b)
{
    double x = (*(registration *const *)a)->wall_s, y = (*(registration *const *)b)->wall_s;
    return (x < y) - (x > y);
}

void bench_write_profile(const char *path, double total)
{
    registration *list[4096];
    int n = 0;
    for (registration *r = bench_registrations; r && n < 4096; r = r->next)
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

