/* build/conformance: every property of the catalogue against every
 * subject, as TAP 13, with per-subject expectations and an
 * optional JSON record for the published matrix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/child.h"
#include "driver/cli.h"
#include "driver/expect.h"
#include "driver/suggest.h"
#include "driver/tap.h"
#include "cf.h"
#include "isolate.h"

#ifndef CF_SOURCE_DIR
#define CF_SOURCE_DIR "conformance"
#endif

typedef struct options {
    ffi_strings props;
    int list;
    double timeout;
    const char *json, *expectations, *shard;
} options;

static int selected(const ffi_strings *sel, const cf_property *p)
{
    for (int k = 0; k < sel->n; k++)
        if (ffi_cli_takes(sel->v[k], p->id, p->name))
            return 1;
    return sel->n == 0;
}

typedef struct run_state {
    options *opt;
    FILE *json;
    int n, unexpected, first_record;
    int unrunnable;   /* subjects named exactly that could not run: exit 2 */
} run_state;

/* An expected failure the tool declares unsupported is a status of its
 * own: the matrix shows it apart and does not count it against the tool. */
static int is_unsupported(cf_status st, const ffi_expectation *expected)
{
    return st == CF_FAIL && expected && !strcmp(expected->failure_class, "unsupported");
}

static const char *status_name(cf_status st, const ffi_expectation *expected)
{
    return st == CF_PASS ? "pass" : is_unsupported(st, expected) ? "unsupported" : st == CF_FAIL ? "fail" : "skip";
}

static void report(run_state *rs, const char *subject, const cf_property *p, const char *param,
                   cf_status st, const char *reason, const ffi_expectation *expected)
{
    int may_fail = expected && expected->may_pass;   /* an ID? entry: either verdict, run to run */
    if (may_fail && st == CF_PASS)
        expected = NULL;   /* "may fail" and it did not: an ordinary pass */
    char label[256];
    snprintf(label, sizeof label, "%s %s [%s]%s%s", p->id, p->name, subject, *param ? " " : "", param);
    rs->n++;
    if (st == CF_SKIP) {
        ffi_tap_result(1, rs->n, "SKIP", reason, "%s", label);
    } else if (expected) {
        char why[700];
        if (*expected->failure_class)
            snprintf(why, sizeof why, "expected, %s (%s): %s", expected->failure_class,
                     *expected->citation ? expected->citation : "no citation", expected->reason);
        else
            snprintf(why, sizeof why, "expected: %s", expected->reason);
        ffi_tap_result(st == CF_PASS, rs->n, "TODO", why, "%s", label);
        if (st == CF_FAIL)
            ffi_tap_comment("#   ", reason);
        else {
            rs->unexpected++;
            fprintf(stderr, "conformance: UNEXPECTED PASS: %s (its expectations say: %s)\n", label,
                    expected->reason);
        }
    } else {
        ffi_tap_result(st == CF_PASS, rs->n, NULL, NULL, "%s", label);
        if (st == CF_FAIL) {
            ffi_tap_comment("#   ", reason);
            rs->unexpected++;
        }
    }
    if (rs->json) {
        fprintf(rs->json, "%s\n  {\"subject\": ", rs->first_record ? "" : ",");
        rs->first_record = 0;
        ffi_json_string(rs->json, subject);
        fprintf(rs->json, ", \"property\": \"%s\", \"param\": ", p->id);
        ffi_json_string(rs->json, param);
        fprintf(rs->json, ", \"status\": \"%s\", \"expected_fail\": %s", status_name(st, expected),
                expected ? "true" : "false");
        if (may_fail)
            fprintf(rs->json, ", \"may_fail\": true");
        if (expected && *expected->failure_class) {   /* what kind of failure, and who says so */
            fprintf(rs->json, ", \"class\": ");
            ffi_json_string(rs->json, expected->failure_class);
            fprintf(rs->json, ", \"citation\": ");
            ffi_json_string(rs->json, expected->citation);
        }
        fprintf(rs->json, ", \"reason\": ");
        ffi_json_string(rs->json, st == CF_PASS ? "" : reason);
        fputc('}', rs->json);
    }
}

/* CF_PROFILE=FILE: each test's wall time (its forked child included), as
 * "seconds subject property param" lines, appended, to see where a run's
 * time goes. */
static void profile(const char *subject, const cf_property *p, const char *param, double seconds)
{
    const char *path = getenv("CF_PROFILE");
    FILE *f = path && *path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    fprintf(f, "%.3f %s %s%s%s\n", seconds, subject, p->id, *param ? " " : "", param);
    fclose(f);
}

static void run_one(run_state *rs, const ffi_subject *s, const ffi_expect *ex, const cf_property *p,
                    int protocol, const char *context)
{
    const char *name = s->name;
    char param[32] = "";
    if (protocol)
        snprintf(param, sizeof param, "protocol=%d", protocol);
    else if (context)
        snprintf(param, sizeof param, "%s", context);
    cf_ctx ctx = {s->ns, name, protocol, context, "", s->builtin};
    unsigned missing = p->needs & ~s->features;
    cf_status st;
    if (*s->unavailable) {
        st = cf_skip(&ctx, "%s", s->unavailable);
    } else if (missing) {
        unsigned bit = missing & -missing;
        char buf[240];
        const char *why = ffi_subject_why_not(s, ffi_feature_name(bit), buf, sizeof buf);
        st = cf_skip(&ctx, "%s does not provide '%s'%s%s", name, ffi_feature_name(bit), why ? ": " : "",
                     why ? why : "");
    } else {
        double t0 = ffi_monotonic_seconds();
        st = cf_run_isolated(p, &ctx, rs->opt->timeout);
        profile(name, p, param, ffi_monotonic_seconds() - t0);
    }
    const ffi_expectation *expected = st == CF_SKIP ? NULL : ffi_expect_find(ex, p->id, param);
    report(rs, name, p, param, st, ctx.reason, expected);
}

/* The catalogue against one subject, in this process. A subject named
 * exactly that cannot be loaded, or is not available here, fails the run
 * (exit 2) with its reason instead of skipping every property. */
static void run_catalogue(run_state *rs, ffi_subject *s)
{
    if (ffi_subject_open(s) < 0) {
        PyErr_Print();
        ffi_tap_result(0, ++rs->n, NULL, NULL, "%s: its namespace could not be loaded", s->name);
        rs->unexpected++;
        rs->unrunnable += s->named;
        return;
    }
    if (ffi_subject_unrunnable("conformance", s)) {
        ffi_tap_result(0, ++rs->n, NULL, NULL, "%s: not available here: %s", s->name, s->unavailable);
        rs->unrunnable++;
        ffi_subject_close(s);
        return;
    }
    ffi_expect *ex = ffi_expect_load(rs->opt->expectations, s->name);
    char source[1200];
    if (ffi_expect_source(ex, source, sizeof source))
        printf("# expectations for %s: %s\n", s->name, source);
    static const char *const contexts[] = {"fork", "spawn", "forkserver"};
    for (const cf_property *const *pp = cf_catalogue(); *pp; pp++) {
        const cf_property *p = *pp;
        if (!selected(&rs->opt->props, p))
            continue;
        if (p->params == CF_PARAM_PROTOCOL)
            for (int proto = 2; proto <= 5; proto++)
                run_one(rs, s, ex, p, proto, NULL);
        else if (p->params == CF_PARAM_CONTEXT)
            for (int c = 0; c < 3; c++)
                run_one(rs, s, ex, p, 0, contexts[c]);
        else
            run_one(rs, s, ex, p, 0, NULL);
    }
    ffi_expect_free(ex);
    ffi_subject_close(s);
}

/* What a subject's process hands back to the runner. */
typedef struct subject_tally { int n, unexpected, first_record, unrunnable; } subject_tally;

typedef struct subject_job { run_state *rs; ffi_subject *s; } subject_job;

static void run_subject(void *arg, int fd)
{
    subject_job *j = arg;
    run_catalogue(j->rs, j->s);
    fflush(NULL);
    subject_tally t = {j->rs->n, j->rs->unexpected, j->rs->first_record, j->rs->unrunnable};
    _exit(write(fd, &t, sizeof t) == (ssize_t)sizeof t ? 0 : 3);
}

/* Each subject in a process of its own: two versions of one binding tool
 * cannot share an interpreter, and a subject whose import crashes fails
 * its own line, not the run. TAP numbering and the JSON file go on from
 * where the subject's process left them. */
static void run_in_own_process(run_state *rs, ffi_subject *s)
{
    subject_job j = {rs, s};
    fflush(NULL);
    ffi_child c;
    if (ffi_child_start(&c, run_subject, &j) < 0) {
        perror("conformance: fork");
        rs->unexpected++;
        return;
    }
    subject_tally t;
    int timed_out;
    size_t got = ffi_child_read(&c, &t, sizeof t, 24 * 3600, &timed_out);
    int status = ffi_child_finish(&c, timed_out);
    if (got == sizeof t) {
        rs->n = t.n, rs->unexpected = t.unexpected, rs->first_record = t.first_record;
        rs->unrunnable = t.unrunnable;
        return;
    }
    char why[200];
    ffi_child_describe(status, timed_out, 0, why, sizeof why);
    ffi_tap_result(0, ++rs->n, NULL, NULL, "%s: the subject's process %s", s->name, why);
    rs->unexpected++;
    rs->unrunnable += s->named;
}

/* A property pattern that takes nothing is an error with the near misses. */
static int check_properties(const options *o)
{
    const char *names[128];
    int n = 0;
    for (const cf_property *const *pp = cf_catalogue(); *pp && n < 126; pp++)
        names[n++] = (*pp)->id, names[n++] = (*pp)->name;
    for (int k = 0; k < o->props.n; k++) {
        int known = 0;
        for (const cf_property *const *pp = cf_catalogue(); *pp && !known; pp++)
            known = ffi_cli_takes(o->props.v[k], (*pp)->id, (*pp)->name);
        if (!known) {
            ffi_suggest("conformance", "property", o->props.v[k], names, n, "--list");
            return -1;
        }
    }
    return 0;
}

static void list_properties(void)
{
    for (const cf_property *const *pp = cf_catalogue(); *pp; pp++) {
        const cf_property *p = *pp;
        printf("%-3s %-22s %s\n    why: %s\n", p->id, p->name, p->checks, p->why);
        if (p->params)
            printf("    runs for: %s\n", p->params == CF_PARAM_PROTOCOL ? "pickle protocols 2..5"
                                                                      : "fork, spawn, forkserver");
    }
}

static void json_header(FILE *f, const ffi_cli *cli)
{
    PyObject *sys = PyImport_ImportModule("sys");
    PyObject *version = sys ? PyObject_GetAttrString(sys, "version") : NULL;
    const char *commit = getenv("CF_COMMIT");
    fprintf(f, "{\"python\": ");
    ffi_json_string(f, version ? PyUnicode_AsUTF8(version) : "?");
    fprintf(f, ", \"commit\": ");
    ffi_json_string(f, commit ? commit : "unknown");
    /* Which machine: runs from several are merged into one matrix. */
    PyObject *platform = ffi_py_call("platform", "platform", "()");
    char debian[64] = "";
    FILE *dv = fopen("/etc/debian_version", "r");
    if (dv && fgets(debian, sizeof debian, dv))
        debian[strcspn(debian, "\n")] = '\0';
    if (dv)
        fclose(dv);
    fprintf(f, ", \"machine\": {\"platform\": ");
    ffi_json_string(f, platform ? PyUnicode_AsUTF8(platform) : "?");
    fprintf(f, ", \"debian\": ");
    ffi_json_string(f, debian);
    fprintf(f, "}");
    Py_XDECREF(platform);
    PyErr_Clear();
    /* Every real tool's name, version and source, whether it ran or not. */
    PyObject *subjects = ffi_py_call("ffi_adapters", "describe", "()");
    PyObject *text = subjects ? ffi_py_call("json", "dumps", "(O)", subjects) : NULL;
    fprintf(f, ", \"subjects\": %s", text ? PyUnicode_AsUTF8(text) : "[]");
    Py_XDECREF(text), Py_XDECREF(subjects);
    PyErr_Clear();
    /* The deliberately broken controls, so the matrix can set them apart. */
    fprintf(f, ", \"controls\": [");
    int first = 1;
    for (int k = 0; k < cli->nselected; k++) {
        if (!ffi_subject_is_control(&cli->selected[k]))
            continue;
        fprintf(f, "%s", first ? "" : ", ");
        ffi_json_string(f, cli->selected[k].name);
        first = 0;
    }
    fprintf(f, "]");
    fprintf(f, ", \"properties\": [");
    for (const cf_property *const *pp = cf_catalogue(); *pp; pp++) {
        fprintf(f, "%s\n  {\"id\": \"%s\", \"name\": ", pp == cf_catalogue() ? "" : ",", (*pp)->id);
        ffi_json_string(f, (*pp)->name);
        fprintf(f, ", \"checks\": ");
        ffi_json_string(f, (*pp)->checks);
        fprintf(f, ", \"why\": ");
        ffi_json_string(f, (*pp)->why);
        fputc('}', f);
    }
    fprintf(f, "],\n\"results\": [");
    Py_XDECREF(version);
    Py_XDECREF(sys);
    PyErr_Clear();
}

int main(int argc, char **argv)
{
    options opt = {.timeout = 20, .expectations = ffi_expectations_dir()};
    const ffi_option own[] = {
        {"--property", "PATTERN", "only these properties: an id (P3), a name (stable-id) or a glob "
                                  "('P*'); repeatable, default all", FFI_OPT_STRINGS, &opt.props},
        {"--timeout", "S", "per-test watchdog in seconds (default 20)", FFI_OPT_SECONDS, &opt.timeout},
        {"--json", "FILE", "also write every result to FILE (for the matrix)", FFI_OPT_STRING, &opt.json},
        {"--shard", "K/N", "only the K-th of every N selected subjects (1 <= K <= N): N runs with K = 1..N "
                           "cover the selection once, side by side", FFI_OPT_STRING, &opt.shard},
        {"--expectations", "DIR", "expectation files (default $FFI_EXPECTATIONS, else the tree's "
                                  "conformance/expectations)", FFI_OPT_STRING, &opt.expectations},
        {"--list", NULL, "list the properties with what they check and why, and exit", FFI_OPT_FLAG, &opt.list},
        {NULL, NULL, NULL, 0, NULL},
    };
    ffi_cli cli = {
        .prog = "conformance",
        .args = "[--property PATTERN]... [--timeout S] [--json FILE] [--list]",
        .about = "Runs the identity property catalogue against subjects and prints TAP 13.\n"
                 "Each subject runs in a process of its own and each test in a child with a\n"
                 "watchdog: a crash or a hang fails that test with the reason and the run\n"
                 "goes on. Expected failures (expectations/<subject>.txt) print as TAP TODO.",
        .exit_status = "Exit status: 1 if any result differs from expectations (an unexpected\n"
                       "failure, or an expected failure that passed); 2 for bad usage, a subject\n"
                       "that cannot be installed, or one named exactly that cannot run here.",
        .options = own,
        .worker_path = CF_SOURCE_DIR,   /* spawned pool workers import pool_worker.py */
    };
    int rc = ffi_cli_parse(&cli, argc, argv);
    if (rc)
        return rc;
    int shard = 1, shards = 1;
    char rest;
    if (opt.shard && (sscanf(opt.shard, "%d/%d%c", &shard, &shards, &rest) != 2 || shards < 1 || shard < 1 ||
                      shard > shards)) {
        fprintf(stderr, "conformance: --shard wants K/N with 1 <= K <= N (2/3: the second of three), not '%s'\n",
                opt.shard);
        return 2;
    }
    int bad_property = check_properties(&opt) < 0;
    if (opt.list && !bad_property) {
        list_properties();
        return 0;
    }
    if (ffi_expectations_check("conformance", opt.expectations) < 0)
        return 2;
    if ((rc = ffi_cli_start(&cli, argv[0])))   /* a bad subject is reported too */
        return rc == 1 && !bad_property ? 0 : 2;
    if (bad_property)
        return 2;
    run_state rs = {&opt, NULL, 0, 0, 1, 0};
    if (opt.json) {
        rs.json = fopen(opt.json, "w");
        if (!rs.json) {
            fprintf(stderr, "conformance: cannot write %s\n", opt.json);
            return 2;
        }
        json_header(rs.json, &cli);
    }
    ffi_tap_version();
    for (int k = 0; k < cli.nselected; k++)
        if (k % shards == shard - 1)
            run_in_own_process(&rs, &cli.selected[k]);
    ffi_tap_plan(rs.n);
    if (rs.json) {
        fprintf(rs.json, "\n]}\n");
        fclose(rs.json);
    }
    ffi_cli_free(&cli);
    if (rs.unrunnable)
        fprintf(stderr, "conformance: %d subject(s) named could not run (--skip-unavailable skips them)\n",
                rs.unrunnable);
    else if (rs.unexpected)
        fprintf(stderr, "conformance: %d result(s) differ from expectations\n", rs.unexpected);
    /* No Py_FinalizeEx: controls are broken on purpose and may not survive it. */
    fflush(NULL);
    return rs.unrunnable ? 2 : rs.unexpected ? 1 : 0;
}
