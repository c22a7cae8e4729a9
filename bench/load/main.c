/* build/load: the suite's figures under load. Per subject, in its
 * own forked process: hold N Adds (each with its own Var, so 2N live native
 * handles and N held wrappers), then read add.a A times in passes over all
 * of them, dropping each wrapper at once: the churn a cache must survive.
 * Memory is read after building, after the first pass (every Var wrapped
 * once) and at the end; a cache in steady state does not grow between the
 * last two. Writes a table, results/load.md and results/load.json. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "driver/child.h"
#include "driver/cli.h"
#include "driver/expect.h"
#include "driver/pyops.h"
#include "driver/tap.h"
#include "driver/embed.h"

/* Memory is read before building, after building, after the first pass,
 * half-way through the remaining passes, at the end, and once everything
 * is dropped again. */
enum { MAX_ROWS = 128, SNAPSHOTS = 6 };
enum { BEFORE, BUILT, FIRST, HALF, END, DROPPED };

typedef struct options {
    long handles, accesses;
    const char *out, *expect_dir;
    double timeout;
} options;

/* What one process sends back. Memory figures are -1 where unknown. */
typedef struct figures {
    int ok;
    int unrunnable;   /* named exactly and not available here: exit 2 */
    char error[400];
    double build_s, first_ns, steady_ns;
    long long rss[SNAPSHOTS];      /* resident set, bytes */
    long long blocks[SNAPSHOTS];   /* CPython's live allocator blocks */
    long long heap[SNAPSHOTS];     /* malloc's bytes in use, mmap'd blocks included */
    long long cache[SNAPSHOTS];    /* what the strategy says its cache takes */
    long long entries[SNAPSHOTS];
    long long natives[SNAPSHOTS];  /* native_live(), where the subject counts them */
} figures;

static long long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    if (f)
        fclose(f);
    return resident < 0 ? -1 : (long long)resident * sysconf(_SC_PAGESIZE);
}

static long long ns_count(PyObject *ns, const char *fn)
{
    if (!PyObject_HasAttrString(ns, fn))
        return -1;
    long long v = ffi_py_ns_long(ns, fn);
    PyErr_Clear();
    return v;
}

static void snapshot(PyObject *ns, figures *f, int k)
{
    ffi_py_gc();
    f->rss[k] = rss_bytes();
    PyObject *blocks = ffi_py_call("sys", "getallocatedblocks", "()");
    f->blocks[k] = blocks ? PyLong_AsLongLong(blocks) : -1;
    Py_XDECREF(blocks);
    PyErr_Clear();
    struct mallinfo2 m = mallinfo2();
    f->heap[k] = (long long)(m.uordblks + m.hblkhd);   /* big tables are mmap'd: hblkhd */
    f->cache[k] = ns_count(ns, "cache_bytes");
    f->entries[k] = ns_count(ns, "cache_entries");
    f->natives[k] = ns_count(ns, "native_live");
}

static int fail(figures *f, const char *doing)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *s = value ? PyObject_Str(value) : NULL;
    snprintf(f->error, sizeof f->error, "%s: %s", doing, s ? PyUnicode_AsUTF8(s) : "failed");
    Py_XDECREF(s), Py_XDECREF(type), Py_XDECREF(value), Py_XDECREF(tb);
    PyErr_Clear();
    return -1;
}

/* One pass of add.a over every Add; returns seconds, or -1. */
static double one_pass(PyObject *adds, PyObject *name)
{
    double t0 = ffi_monotonic_seconds();
    Py_ssize_t n = PyList_GET_SIZE(adds);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *a = PyObject_GetAttr(PyList_GET_ITEM(adds, i), name);
        if (!a)
            return -1;
        Py_DECREF(a);
    }
    return ffi_monotonic_seconds() - t0;
}

static int measure(const options *o, PyObject *ns, figures *f)
{
    PyObject *var = PyObject_GetAttrString(ns, "Var"), *add = var ? PyObject_GetAttrString(ns, "Add") : NULL;
    PyObject *adds = add ? PyList_New(0) : NULL, *name = PyUnicode_InternFromString("a");
    if (!adds || !name)
        return fail(f, "setting up");
    snapshot(ns, f, BEFORE);
    double t0 = ffi_monotonic_seconds();
    for (long k = 0; k < o->handles; k++) {
        PyObject *v = PyObject_CallFunction(var, "s", "v");
        PyObject *a = v ? PyObject_CallFunctionObjArgs(add, v, v, NULL) : NULL;
        int bad = !a || PyList_Append(adds, a) < 0;
        Py_XDECREF(a), Py_XDECREF(v);
        if (bad)
            return fail(f, "building the Adds");
    }
    f->build_s = ffi_monotonic_seconds() - t0;
    snapshot(ns, f, BUILT);
    long passes = o->accesses / o->handles;
    double first = one_pass(adds, name), rest = 0;
    if (first < 0)
        return fail(f, "reading add.a");
    snapshot(ns, f, FIRST);
    for (long p = 1; p < passes; p++) {
        double t = one_pass(adds, name);
        if (t < 0)
            return fail(f, "reading add.a");
        rest += t;
        if (p == passes / 2)
            snapshot(ns, f, HALF);
    }
    if (passes < 2)
        snapshot(ns, f, HALF);
    snapshot(ns, f, END);
    Py_CLEAR(adds);
    snapshot(ns, f, DROPPED);
    f->first_ns = first * 1e9 / (double)o->handles;
    f->steady_ns = passes > 1 ? rest * 1e9 / (double)(o->handles * (passes - 1)) : f->first_ns;
    Py_DECREF(name), Py_DECREF(add), Py_DECREF(var);
    f->ok = 1;
    return 0;
}

typedef struct job { const options *o; ffi_subject *s; } job;

static void measure_child(void *arg, int fd)
{
    const job *j = arg;
    figures f = {0};
    if (ffi_subject_open(j->s) < 0)
        fail(&f, "loading");
    else if (ffi_subject_unrunnable("load", j->s))
        f.unrunnable = 1, snprintf(f.error, sizeof f.error, "not available: %s", j->s->unavailable);
    else if (*j->s->unavailable)
        snprintf(f.error, sizeof f.error, "skipped: %s", j->s->unavailable);
    else
        measure(j->o, j->s->ns, &f);
    _exit(write(fd, &f, sizeof f) == (ssize_t)sizeof f ? 0 : 3);
}

/* Runs one subject in a child with a watchdog; a crash or a hang is that
 * subject's error and the run goes on. */
static figures run_isolated(const options *o, ffi_subject *s)
{
    figures f = {0};
    job j = {o, s};
    ffi_child c;
    if (ffi_child_start(&c, measure_child, &j) < 0) {
        snprintf(f.error, sizeof f.error, "fork: %s", strerror(errno));
        return f;
    }
    int timed_out;
    size_t got = ffi_child_read(&c, &f, sizeof f, o->timeout, &timed_out);
    int status = ffi_child_finish(&c, timed_out);
    if (got < sizeof f) {
        f = (figures){0};
        ffi_child_describe(status, timed_out, o->timeout, f.error, sizeof f.error);
    }
    return f;
}

/* Steady state: over the second half of the passes, live CPython blocks
 * grow by less than 0.1% of the handles (at least 1000) and malloc'd bytes
 * by less than 1 MiB or 1%. Growth before that (a table resizing once) is
 * reported, not judged; so is RSS, since allocators keep freed pages.
 * Once everything is dropped, every native must be freed (native_live()),
 * unless the subject does not claim L1 (no leak); memory that stays
 * with all natives freed is a table's capacity: reported, not judged. Where
 * natives are not counted, memory that stays breaks the L1 claim. Returns 1
 * if the figures break a claim. */
static int within(long long blocks, long long heap, long long heap_base, long handles)
{
    long long block_margin = handles / 1000 > 1000 ? handles / 1000 : 1000;
    return blocks <= block_margin && (heap <= (1 << 20) || heap <= heap_base / 100);
}

static int verdict(const options *o, const figures *f, int claims_no_leak, char *buf, size_t n)
{
    long long db = f->blocks[END] - f->blocks[HALF], dh = f->heap[END] - f->heap[HALF];
    if (!within(db, dh, f->heap[HALF], o->handles)) {
        snprintf(buf, n, "GROWS: %+lld blocks, %+lld heap bytes in the second half", db, dh);
        return 1;
    }
    /* What stays after the drop, less what the strategy itself reports for
     * its table then (a dict keeps its capacity: claimed, not leaked). */
    long long kept_table = f->cache[DROPPED] >= 0 ? f->cache[DROPPED] - f->cache[BEFORE] : 0;
    long long kb = f->blocks[DROPPED] - f->blocks[BEFORE], kh = f->heap[DROPPED] - f->heap[BEFORE] - kept_table;
    long long left = f->natives[DROPPED] >= 0 ? f->natives[DROPPED] - f->natives[BEFORE] : -1;
    int memory_back = within(kb, kh, f->heap[BEFORE], o->handles);
    if (left > 0 || (left < 0 && !memory_back)) {
        char what[64] = "memory";
        if (left > 0)
            snprintf(what, sizeof what, "%lld natives", left);
        snprintf(buf, n, "%s %s (%.2f blocks, %.0f heap bytes per pair) after everything is dropped%s",
                 claims_no_leak ? "LEAKS" : "steady; keeps", what, (double)kb / (double)o->handles,
                 (double)kh / (double)o->handles, claims_no_leak ? "" : " (its expectations file lists L1: expected)");
        return claims_no_leak;
    }
    long long early = f->heap[HALF] - f->heap[FIRST];
    size_t used = (size_t)snprintf(buf, n, "steady");
    if (early > (1 << 20) && used < n)
        used += (size_t)snprintf(buf + used, n - used, " after growing %.1f MiB early", (double)early / 1048576.0);
    if (kept_table > (1 << 20) && used < n)
        used += (size_t)snprintf(buf + used, n - used, "; its table keeps %.1f MiB when emptied (cache_bytes() says so)",
                                 (double)kept_table / 1048576.0);
    if (!memory_back && used < n)
        snprintf(buf + used, n - used, "; every native freed, but %.0f heap bytes per pair stay (table capacity)",
                 (double)kh / (double)o->handles);
    return 0;
}

static double per_handle(long long bytes, long handles) { return (double)bytes / (double)handles; }

static void mib(char *buf, size_t n, long long bytes)
{
    if (bytes < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f", (double)bytes / 1048576.0);
}

typedef struct row {
    const char *name;
    figures f;
    int claims_no_leak;   /* its expectations file does not list L1 */
    int broke;            /* the figures break a claim */
    char verdict[200];
} row;

static int write_markdown(const options *o, const row *rows, int n, const char *path)
{
    FILE *md = fopen(path, "w");
    if (!md) {
        fprintf(stderr, "load: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *commit = getenv("LOAD_COMMIT");
    char date[32];
    time_t t = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    fprintf(md, "# Load\n\nPython %.*s, commit %s, %s. Generated by `make load`; do not edit by hand.\n\n",
            (int)strcspn(Py_GetVersion(), " "), Py_GetVersion(), commit && *commit ? commit : "unknown", date);
    fprintf(md,
            "Each subject in its own process: %ld Adds built and held (each with its own Var: %ld live\n"
            "native handles, %ld held wrappers), then %ld reads of `add.a` in %ld passes over all of them,\n"
            "each wrapper dropped at once. Memory is read (after `gc.collect()`) before building, after\n"
            "building, after the first pass (every Var wrapped once), half-way through the other passes\n"
            "at the end, and after dropping everything. *Blocks* are CPython's live allocator blocks (`sys.getallocatedblocks()`),\n"
            "*heap* is malloc's bytes in use, mmap'd blocks included (native objects, tables, the C++ and\n"
            "C objects of the bindings), *cache* is what the strategy reports for its own table\n"
            "(`cache_bytes()`, built-in subjects only). Per Add+Var: over the empty interpreter,\n"
            "divided by %ld. *Steady* means no growth over the second half of the passes (blocks under\n"
            "0.1%% of the handles, heap under 1 MiB or 1%%), and every native freed once everything is\n"
            "dropped (`native_live()`; where it is not counted, memory back within the same margins),\n"
            "unless the subject does not claim L1 (no leak) in its expectations file. Growth\n"
            "before the second half, and memory a table keeps once emptied, are shown, not judged.\n"
            "RSS is shown, not judged: allocators keep freed pages. Times are one run on a shared 2-core\n"
            "machine: expect 10-50%% noise between runs.\n\n",
            o->handles, 2 * o->handles, o->handles, (long)(o->accesses / o->handles * o->handles),
            o->accesses / o->handles, o->handles);
    fprintf(md, "| subject | ns/read, first pass | ns/read, later | blocks per Add+Var | heap bytes per Add+Var "
                "| heap bytes per Add+Var added after the first pass | cache MiB | RSS MiB built / first pass / end | verdict |\n");
    fprintf(md, "|---|---|---|---|---|---|---|---|---|\n");
    for (int k = 0; k < n; k++) {
        const figures *f = &rows[k].f;
        if (!f->ok) {
            fprintf(md, "| `%s` | | | | | | | | %s |\n", rows[k].name, f->error);
            continue;
        }
        char c[32], r0[32], r1[32], r2[32];
        mib(c, sizeof c, f->cache[END]);
        mib(r0, sizeof r0, f->rss[BUILT]), mib(r1, sizeof r1, f->rss[FIRST]), mib(r2, sizeof r2, f->rss[END]);
        fprintf(md, "| `%s` | %.0f | %.0f | %.2f | %.0f | %.0f | %s | %s / %s / %s | %s |\n", rows[k].name,
                f->first_ns, f->steady_ns, per_handle(f->blocks[END] - f->blocks[BEFORE], o->handles),
                per_handle(f->heap[END] - f->heap[BEFORE], o->handles),
                per_handle(f->heap[END] - f->heap[FIRST], o->handles), c, r0, r1, r2, rows[k].verdict);
    }
    fprintf(md, "\n*Blocks* and *heap bytes per Add+Var* are what the held Adds, their Vars and whatever the\n"
                "strategy keeps for them cost at the end, over the empty interpreter: the Add wrapper (held)\n"
                "is one block everywhere; a second block is a Var wrapper kept while its native lives\n"
                "(`toggle`) or for ever (`leaky`). Native objects come from malloc (heap), wrappers from\n"
                "CPython's allocator (blocks); a strategy's table is in heap bytes and in its *cache* figure.\n"
                "*Heap bytes added after the first pass* is growth while the same handles are read again:\n"
                "0 for a cache in steady state.\n");
    fclose(md);
    return 0;
}

static int write_json(const options *o, const row *rows, int n, const char *path)
{
    FILE *js = fopen(path, "w");
    if (!js) {
        fprintf(stderr, "load: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *commit = getenv("LOAD_COMMIT");
    fprintf(js, "{\"python\": \"%.*s\", \"commit\": ", (int)strcspn(Py_GetVersion(), " "), Py_GetVersion());
    ffi_json_string(js, commit ? commit : "unknown");
    fprintf(js, ", \"handles\": %ld, \"accesses\": %ld, \"results\": [", o->handles, o->accesses);
    for (int k = 0; k < n; k++) {
        const figures *f = &rows[k].f;
        fprintf(js, "%s\n  {\"subject\": ", k ? "," : "");
        ffi_json_string(js, rows[k].name);
        fprintf(js, ", \"ok\": %s", f->ok ? "true" : "false");
        if (!f->ok) {
            fprintf(js, ", \"error\": ");
            ffi_json_string(js, f->error);
            fprintf(js, "}");
            continue;
        }
        fprintf(js, ", \"build_s\": %.3f, \"first_ns\": %.1f, \"steady_ns\": %.1f", f->build_s, f->first_ns,
                f->steady_ns);
        const long long *series[] = {f->rss, f->blocks, f->heap, f->cache, f->entries};
        fprintf(js, ", \"claims_no_leak\": %s, \"broke_a_claim\": %s, \"verdict\": ",
                rows[k].claims_no_leak ? "true" : "false", rows[k].broke ? "true" : "false");
        ffi_json_string(js, rows[k].verdict);
        /* Each series: before building, built, first pass, half-way, end, dropped. */
        const char *names[] = {"rss", "blocks", "heap", "cache_bytes", "cache_entries"};
        for (int s = 0; s < 5; s++)
            fprintf(js, ", \"%s\": [%lld, %lld, %lld, %lld, %lld, %lld]", names[s], series[s][BEFORE],
                    series[s][BUILT], series[s][FIRST], series[s][HALF], series[s][END], series[s][DROPPED]);
        fprintf(js, "}");
    }
    fprintf(js, "\n]}\n");
    fclose(js);
    return 0;
}

int main(int argc, char **argv)
{
    options o = {.handles = 1000000, .accesses = 10000000, .out = "results", .timeout = 600,
                 .expect_dir = ffi_expectations_dir()};
    const ffi_option own[] = {
        {"--handles", "N", "Adds held (default 1000000)", FFI_OPT_COUNT, &o.handles},
        {"--accesses", "N", "reads of add.a in all (default 10000000; a multiple of N)", FFI_OPT_COUNT, &o.accesses},
        {"--out", "DIR", "where load.md and load.json go (default results)", FFI_OPT_STRING, &o.out},
        {"--timeout", "S", "per subject (default 600)", FFI_OPT_SECONDS, &o.timeout},
        {"--expectations", "DIR", "whose files say who claims L1 (default $FFI_EXPECTATIONS, else the "
                                  "tree's conformance/expectations)", FFI_OPT_STRING, &o.expect_dir},
        {NULL, NULL, NULL, 0, NULL},
    };
    ffi_cli cli = {
        .prog = "load",
        .args = "[--handles N] [--accesses N] [--out DIR] [--timeout S]",
        .about = "The suite's figures under load: per subject, in its own process, N Adds\n"
                 "held (2N live native handles) and A reads of add.a in passes over all of them.\n"
                 "Reports time per read and memory after building, after the first pass and at\n"
                 "the end, and whether memory grew after the first pass. Writes DIR/load.md and\n"
                 "DIR/load.json. Default: every subject but the broken controls (the adapters\n"
                 "that are not available here say why).",
        .exit_status = "Exit status 1 if memory grows over the second half of the passes, or natives\n"
                       "outlive the drop in a subject that claims L1; 2 for bad usage, or a subject\n"
                       "named exactly that cannot be installed or run here.",
        .options = own,
    };
    int rc = ffi_cli_parse(&cli, argc, argv);
    if (rc)
        return rc;
    if (o.handles < 1 || o.accesses < o.handles) {
        fprintf(stderr, "load: --handles must be >= 1 and --accesses >= --handles\n");
        return 2;
    }
    if (ffi_expectations_check(cli.prog, o.expect_dir) < 0)
        return 2;
    if ((rc = ffi_cli_start(&cli, argv[0])))
        return rc == 1 ? 0 : rc;
    static row rows[MAX_ROWS];
    int n = 0, broke = 0, unrunnable = 0;
    printf("%-18s %10s %10s %12s %14s  %s\n", "subject", "ns first", "ns later", "blocks/pair", "heap B/pair",
           "verdict");
    for (int k = 0; k < cli.nselected && n < MAX_ROWS; k++) {
        ffi_subject *s = &cli.selected[k];
        const char *name = s->name;
        /* By default every subject but the broken controls. */
        if (!cli.subjects.n && ffi_subject_is_control(s))
            continue;
        fprintf(stderr, "load: %s: %ld handles, %ld reads...\n", name, o.handles, o.accesses);
        double t0 = ffi_monotonic_seconds();
        row *r = &rows[n];
        *r = (row){name, run_isolated(&o, s)};
        ffi_expect *e = ffi_expect_load(o.expect_dir, name);
        r->claims_no_leak = !ffi_expect_mentions(e, "L1");
        ffi_expect_free(e);
        const figures *f = &r->f;
        if (f->ok) {
            r->broke = verdict(&o, f, r->claims_no_leak, r->verdict, sizeof r->verdict);
            broke += r->broke;
            printf("%-18s %10.0f %10.0f %12.2f %14.0f  %s\n", name, f->first_ns, f->steady_ns,
                   per_handle(f->blocks[END] - f->blocks[BEFORE], o.handles),
                   per_handle(f->heap[END] - f->heap[BEFORE], o.handles), r->verdict);
        } else {
            printf("%-18s %s\n", name, f->error);
            unrunnable += f->unrunnable;
        }
        fprintf(stderr, "load: %s done in %.1f s\n", name, ffi_monotonic_seconds() - t0);
        fflush(NULL);
        n++;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/load.md", o.out);
    int written = write_markdown(&o, rows, n, path);
    snprintf(path, sizeof path, "%s/load.json", o.out);
    written |= write_json(&o, rows, n, path);
    ffi_cli_free(&cli);   /* the rows' names were the selection's */
    if (written < 0)
        return 2;   /* the figures went to stdout above; the files could not be written */
    fprintf(stderr, "load: wrote %s/load.md and %s/load.json\n", o.out, o.out);
    return unrunnable ? 2 : broke ? 1 : 0;
}
