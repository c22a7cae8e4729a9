/* build/conformance: every property of the catalogue against every
 * implementation, as TAP 13, with per-implementation expectations and an
 * optional JSON record for the published matrix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../harness/embed.h"
#include "cf.h"
#include "child.h"
#include "expect.h"
#include "isolate.h"
#include "subject.h"

#ifndef CF_SOURCE_DIR
#define CF_SOURCE_DIR "conformance"
#endif

static const char usage[] =
    "usage: conformance [--impl NAME]... [--property ID]... [--timeout S] [--json FILE]\n"
    "                   [--list] [--help]\n"
    "\n"
    "Runs the identity property catalogue (I1..T1) against implementations and\n"
    "prints TAP 13. Each test runs in its own process with a watchdog: a crash\n"
    "or a hang fails that test with the reason and the run goes on.\n"
    "\n"
    "  --impl NAME      only this implementation (repeatable; default: all)\n"
    "  --property ID    only this property, e.g. P3 (repeatable; default: all)\n"
    "  --timeout S      per-test watchdog in seconds (default 20)\n"
    "  --json FILE      also write every result to FILE (for the matrix)\n"
    "  --expectations DIR  expectation files (default " CF_SOURCE_DIR "/expectations)\n"
    "  --list           list the properties with what they check, and exit\n"
    "\n"
    "Expected failures (expectations/<impl>.txt) print as TAP TODO. The exit\n"
    "status is 1 if any result differs from expectations (an unexpected\n"
    "failure, or an expected failure that passed), 2 for bad usage.\n";

#define MAX_SEL 64

typedef struct options {
    const char *impls[MAX_SEL], *props[MAX_SEL];
    int nimpls, nprops, list;
    double timeout;
    const char *json, *expectations;
} options;

static int selected(const char *const *sel, int n, const char *name)
{
    if (n == 0)
        return 1;
    for (int k = 0; k < n; k++)
        if (strcmp(sel[k], name) == 0)
            return 1;
    return 0;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

typedef struct run_state {
    options *opt;
    FILE *json;
    int n, unexpected, first_record;
} run_state;

static const char *status_name(cf_status st)
{
    return st == CF_PASS ? "pass" : st == CF_FAIL ? "fail" : "skip";
}

static void report(run_state *rs, const char *impl, const cf_property *p, const char *param,
                   cf_status st, const char *reason, const char *expected, int may_pass)
{
    if (may_pass && st == CF_PASS)
        expected = NULL;   /* "may fail" and it did not: an ordinary pass */
    char label[256];
    snprintf(label, sizeof label, "%s %s [%s]%s%s", p->id, p->name, impl, *param ? " " : "", param);
    rs->n++;
    if (st == CF_SKIP) {
        printf("ok %d - %s # SKIP %s\n", rs->n, label, reason);
    } else if (expected) {
        printf("%sok %d - %s # TODO expected: %s\n", st == CF_PASS ? "" : "not ", rs->n, label, expected);
        if (st == CF_FAIL)
            printf("#   %s\n", reason);
        else {
            rs->unexpected++;
            fprintf(stderr, "conformance: UNEXPECTED PASS: %s (expectations/%s.txt says: %s)\n",
                    label, impl, expected);
        }
    } else {
        printf("%sok %d - %s\n", st == CF_PASS ? "" : "not ", rs->n, label);
        if (st == CF_FAIL) {
            printf("#   %s\n", reason);
            rs->unexpected++;
        }
    }
    fflush(stdout);
    if (rs->json) {
        fprintf(rs->json, "%s\n  {\"impl\": ", rs->first_record ? "" : ",");
        rs->first_record = 0;
        json_string(rs->json, impl);
        fprintf(rs->json, ", \"property\": \"%s\", \"param\": ", p->id);
        json_string(rs->json, param);
        fprintf(rs->json, ", \"status\": \"%s\", \"expected_fail\": %s, \"reason\": ", status_name(st),
                expected ? "true" : "false");
        json_string(rs->json, st == CF_PASS ? "" : reason);
        fputc('}', rs->json);
    }
}

/* ": why" when the subject says why it lacks a feature (ns.why_not, a dict
 * of feature -> reason), else "". */
static const char *why_not(PyObject *ns, const char *feature, char *buf, size_t n)
{
    PyObject *reasons = PyObject_GetAttrString(ns, "why_not");
    PyObject *why = reasons && PyDict_Check(reasons) ? PyDict_GetItemString(reasons, feature) : NULL;
    const char *text = why && PyUnicode_Check(why) ? PyUnicode_AsUTF8(why) : NULL;
    snprintf(buf, n, "%s%s", text ? ": " : "", text ? text : "");
    Py_XDECREF(reasons);
    PyErr_Clear();
    return buf;
}

static void run_one(run_state *rs, const char *impl, PyObject *ns, unsigned features,
                    const cf_expect *ex, const cf_property *p, int protocol, const char *context,
                    const char *unavailable)
{
    char param[32] = "";
    if (protocol)
        snprintf(param, sizeof param, "protocol=%d", protocol);
    else if (context)
        snprintf(param, sizeof param, "%s", context);
    cf_ctx ctx = {ns, impl, protocol, context, ""};
    unsigned missing = p->needs & ~features;
    cf_status st;
    if (unavailable) {
        st = cf_skip(&ctx, "%s", unavailable);
    } else if (missing) {
        unsigned bit = missing & -missing;
        char why[240];
        st = cf_skip(&ctx, "%s does not provide '%s'%s", impl, cf_need_name(bit),
                     why_not(ns, cf_need_name(bit), why, sizeof why));
    } else {
        st = cf_run_isolated(p, &ctx, rs->opt->timeout);
    }
    int may_pass = 0;
    const char *expected = st == CF_SKIP ? NULL : cf_expect_reason(ex, p->id, param, &may_pass);
    report(rs, impl, p, param, st, ctx.reason, expected, may_pass);
}

static void run_impl(run_state *rs, const char *impl)
{
    PyObject *ns = cf_subject_load(impl);
    if (!ns) {
        PyErr_Print();
        rs->unexpected++;
        return;
    }
    unsigned features = cf_subject_features(ns);
    char why[300];
    const char *unavailable = ffi_embed_unavailable(ns, why, sizeof why) ? why : NULL;
    cf_expect *ex = cf_expect_load(rs->opt->expectations, impl);
    static const char *const contexts[] = {"fork", "spawn", "forkserver"};
    for (const cf_property *const *pp = cf_properties; *pp; pp++) {
        const cf_property *p = *pp;
        if (!selected(rs->opt->props, rs->opt->nprops, p->id))
            continue;
        if (p->params == CF_PARAM_PROTOCOL)
            for (int proto = 2; proto <= 5; proto++)
                run_one(rs, impl, ns, features, ex, p, proto, NULL, unavailable);
        else if (p->params == CF_PARAM_CONTEXT)
            for (int c = 0; c < 3; c++)
                run_one(rs, impl, ns, features, ex, p, 0, contexts[c], unavailable);
        else
            run_one(rs, impl, ns, features, ex, p, 0, NULL, unavailable);
    }
    cf_expect_free(ex);
    Py_DECREF(ns);
}

/* What a subject's process hands back to the runner. */
typedef struct subject_tally { int n, unexpected, first_record; } subject_tally;

typedef struct subject_job { run_state *rs; const char *impl; } subject_job;

static void run_subject(void *arg, int fd)
{
    subject_job *j = arg;
    run_impl(j->rs, j->impl);
    fflush(NULL);
    subject_tally t = {j->rs->n, j->rs->unexpected, j->rs->first_record};
    _exit(write(fd, &t, sizeof t) == (ssize_t)sizeof t ? 0 : 3);
}

/* Each subject in a process of its own: two versions of one binding tool
 * cannot share an interpreter, and a subject whose import crashes fails
 * its own line, not the run. TAP numbering and the JSON file go on from
 * where the subject's process left them. */
static void run_impl_isolated(run_state *rs, const char *impl)
{
    subject_job j = {rs, impl};
    fflush(NULL);
    cf_child c;
    if (cf_child_start(&c, run_subject, &j) < 0) {
        perror("conformance: fork");
        rs->unexpected++;
        return;
    }
    subject_tally t;
    int timed_out;
    size_t got = cf_child_read(&c, &t, sizeof t, 24 * 3600, &timed_out);
    int status = cf_child_finish(&c, timed_out);
    if (got == sizeof t) {
        rs->n = t.n, rs->unexpected = t.unexpected, rs->first_record = t.first_record;
        return;
    }
    char why[200];
    cf_child_describe(status, timed_out, 0, why, sizeof why);
    printf("not ok %d - %s: the subject's process %s\n", ++rs->n, impl, why);
    fflush(stdout);
    rs->unexpected++;
}

static int parse(int argc, char **argv, options *o)
{
    o->timeout = 20;
    o->expectations = CF_SOURCE_DIR "/expectations";
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            exit(0);
        } else if (!strcmp(a, "--list")) {
            o->list = 1;
        } else if (!strcmp(a, "--impl") && v && o->nimpls < MAX_SEL) {
            o->impls[o->nimpls++] = argv[++k];
        } else if (!strcmp(a, "--property") && v && o->nprops < MAX_SEL) {
            o->props[o->nprops++] = argv[++k];
        } else if (!strcmp(a, "--timeout") && v && atof(v) > 0) {
            o->timeout = atof(argv[++k]);
        } else if (!strcmp(a, "--json") && v) {
            o->json = argv[++k];
        } else if (!strcmp(a, "--expectations") && v) {
            o->expectations = argv[++k];
        } else {
            fprintf(stderr, "conformance: unknown or incomplete option '%s'\n\n%s", a, usage);
            return -1;
        }
    }
    return 0;
}

/* Unknown property ids are errors that list the valid ones. */
static int check_properties(options *o)
{
    for (int k = 0; k < o->nprops; k++) {
        int known = 0;
        for (const cf_property *const *pp = cf_properties; *pp; pp++)
            known |= !strcmp((*pp)->id, o->props[k]);
        if (!known) {
            fprintf(stderr, "conformance: unknown property '%s'; valid:", o->props[k]);
            for (const cf_property *const *pp = cf_properties; *pp; pp++)
                fprintf(stderr, " %s", (*pp)->id);
            fprintf(stderr, "\n");
            return -1;
        }
    }
    return 0;
}

static void list_properties(void)
{
    for (const cf_property *const *pp = cf_properties; *pp; pp++) {
        const cf_property *p = *pp;
        printf("%-3s %-22s %s\n    why: %s\n", p->id, p->name, p->checks, p->why);
        if (p->params)
            printf("    runs for: %s\n", p->params == CF_PARAM_PROTOCOL ? "pickle protocols 2..5"
                                                                      : "fork, spawn, forkserver");
    }
}

static void json_header(FILE *f, PyObject *names)
{
    PyObject *sys = PyImport_ImportModule("sys");
    PyObject *version = sys ? PyObject_GetAttrString(sys, "version") : NULL;
    const char *commit = getenv("CF_COMMIT");
    fprintf(f, "{\"python\": ");
    json_string(f, version ? PyUnicode_AsUTF8(version) : "?");
    fprintf(f, ", \"commit\": ");
    json_string(f, commit ? commit : "unknown");
    /* Which machine: runs from several are merged into one matrix. */
    PyObject *platform = cf_call("platform", "platform", "()");
    char debian[64] = "";
    FILE *dv = fopen("/etc/debian_version", "r");
    if (dv && fgets(debian, sizeof debian, dv))
        debian[strcspn(debian, "\n")] = '\0';
    if (dv)
        fclose(dv);
    fprintf(f, ", \"machine\": {\"platform\": ");
    json_string(f, platform ? PyUnicode_AsUTF8(platform) : "?");
    fprintf(f, ", \"debian\": ");
    json_string(f, debian);
    fprintf(f, "}");
    Py_XDECREF(platform);
    PyErr_Clear();
    /* Every real tool's name, version and source, whether it ran or not. */
    PyObject *subjects = cf_call("ffi_adapters", "describe", "()");
    PyObject *text = subjects ? cf_call("json", "dumps", "(O)", subjects) : NULL;
    fprintf(f, ", \"subjects\": %s", text ? PyUnicode_AsUTF8(text) : "[]");
    Py_XDECREF(text), Py_XDECREF(subjects);
    PyErr_Clear();
    /* The deliberately broken controls, so the matrix can set them apart. */
    fprintf(f, ", \"controls\": [");
    int first = 1;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++) {
        const char *name = PyUnicode_AsUTF8(PyList_GET_ITEM(names, k));
        if (!cf_subject_is_control(name))
            continue;
        fprintf(f, "%s", first ? "" : ", ");
        json_string(f, name);
        first = 0;
    }
    fprintf(f, "]");
    fprintf(f, ", \"properties\": [");
    for (const cf_property *const *pp = cf_properties; *pp; pp++) {
        fprintf(f, "%s\n  {\"id\": \"%s\", \"name\": ", pp == cf_properties ? "" : ",", (*pp)->id);
        json_string(f, (*pp)->name);
        fprintf(f, ", \"checks\": ");
        json_string(f, (*pp)->checks);
        fprintf(f, ", \"why\": ");
        json_string(f, (*pp)->why);
        fputc('}', f);
    }
    fprintf(f, "],\n\"results\": [");
    Py_XDECREF(version);
    Py_XDECREF(sys);
    PyErr_Clear();
}

int main(int argc, char **argv)
{
    options opt = {0};
    if (parse(argc, argv, &opt) < 0)
        return 2;
    if (opt.list) {
        list_properties();
        return 0;
    }
    /* Spawned pool workers must find pool_worker.py. */
    const char *old = getenv("PYTHONPATH");
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", CF_SOURCE_DIR, old && *old ? ":" : "", old ? old : "");
    setenv("PYTHONPATH", path, 1);
    if (ffi_embed_start(argv[0]) < 0)
        return 2;
    PyObject *names = cf_subject_names_checked("conformance", opt.impls, opt.nimpls);
    if (!names || check_properties(&opt) < 0)
        return 2;
    run_state rs = {&opt, NULL, 0, 0, 1};
    if (opt.json) {
        rs.json = fopen(opt.json, "w");
        if (!rs.json) {
            fprintf(stderr, "conformance: cannot write %s\n", opt.json);
            return 2;
        }
        json_header(rs.json, names);
    }
    printf("TAP version 13\n");
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++) {
        const char *impl = PyUnicode_AsUTF8(PyList_GET_ITEM(names, k));
        if (cf_subject_wanted(impl, opt.impls, opt.nimpls))
            run_impl_isolated(&rs, impl);
    }
    printf("1..%d\n", rs.n);
    if (rs.json) {
        fprintf(rs.json, "\n]}\n");
        fclose(rs.json);
    }
    Py_DECREF(names);
    if (rs.unexpected)
        fprintf(stderr, "conformance: %d result(s) differ from expectations\n", rs.unexpected);
    /* No Py_FinalizeEx: controls are broken on purpose and may not survive it. */
    fflush(NULL);
    return rs.unexpected ? 1 : 0;
}
