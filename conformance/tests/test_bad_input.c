/* Bad input to the runners: unknown names, plug-ins with a wrong ABI or no
 * entry point, and strategies that return NULL without an exception,
 * raise, crash or deadlock. Each must end in a clear message, and a
 * misbehaving strategy in failed tests with the reason, in bounded time.
 * Also: the load run fails when a subject's figures break its
 * claims. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../harness/tests/tap.h"

/* Set by the Makefile: where the built runners and plug-ins are. */
#ifndef CF_BUILD_DIR
#error "CF_BUILD_DIR must name the build directory"
#endif

typedef struct result { int status; double seconds; char out[16384]; } result;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs a shell command line with stdout and stderr together. */
static result run(const char *fmt, ...)
{
    static result r;
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    double start = now();
    FILE *p = popen(cmd, "r");
    size_t got = 0;
    r.out[0] = '\0';
    if (p) {
        size_t n;
        while ((n = fread(r.out + got, 1, sizeof r.out - 1 - got, p)) > 0)
            got += n;
        r.out[got] = '\0';
        int st = pclose(p);
        r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    } else {
        r.status = -1;
    }
    r.seconds = now() - start;
    return r;
}

static void show(const result *r)
{
    tap_diag("exit status %d after %.1f s; output:", r->status, r->seconds);
    for (const char *line = r->out; *line;) {
        size_t n = strcspn(line, "\n");
        tap_diag("  %.*s", (int)n, line);
        line += n + (line[n] == '\n');
    }
}

static void expect(const result *r, int status, const char *needle, double max_seconds, const char *what)
{
    if (!tap_ok(r->status == status && strstr(r->out, needle) && r->seconds < max_seconds,
                "%s: exit %d, says \"%s\", within %.0f s", what, status, needle, max_seconds))
        show(r);
}

/* One command line (harness/driver/cli.c): every runner refuses an unknown
 * subject, option or property the same way, with the near misses. */
static void unknown_names(void)
{
    static const char *runners[] = {"conformance", "fuzz", "load", "ffi-identity", "bench"};
    for (int k = 0; k < 5; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CF_BUILD_DIR, runners[k]);
        if (access(path, X_OK) != 0) {   /* build/bench comes with make bench */
            tap_skip("%s is not built (make bench builds it)", runners[k]);
            continue;
        }
        result r = run("%s --subject hashmp 2>&1", path);
        expect(&r, 2, "unknown subject 'hashmp'; did you mean 'hashmap'", 30, runners[k]);
    }
    result r = run("%s/fuzz --seedd 3 2>&1", CF_BUILD_DIR);
    expect(&r, 2, "unknown option '--seedd'; did you mean '--seed'", 30, "fuzz with a misspelt option");
    r = run("%s/conformance --property stabel-id 2>&1", CF_BUILD_DIR);
    expect(&r, 2, "unknown property 'stabel-id'; did you mean 'stable-id'", 30, "conformance with a misspelt property");
    r = run("%s/load --subject zzzzzzzz 2>&1", CF_BUILD_DIR);
    expect(&r, 2, "load --list-subjects lists them", 30, "a name with no near miss points at the list");
    /* Properties by id in any case, by name, or by glob; subjects by glob. */
    r = run("%s/conformance --subject 'hash*+node' --property p3 --property stable-id 2>&1", CF_BUILD_DIR);
    if (!tap_ok(r.status == 0 && strstr(r.out, "I5 stable-id [hashmap+node]") &&
                strstr(r.out, "P3 nested-across-roots [hashmap+node] protocol=5") && strstr(r.out, "1..5"),
                "conformance selects by glob, lower-case id and name: 5 tests"))
        show(&r);
    /* A family with one member names it (swig); with several it is refused. */
    r = run("%s/ffi-identity --subject swig 2>&1", CF_BUILD_DIR);
    expect(&r, 0, "I2 converge", 30, "ffi-identity probing a real tool by its family (swig)");
    r = run("%s/ffi-identity --subject hashmap 2>&1", CF_BUILD_DIR);
    expect(&r, 2, "name one subject with --subject; hashmap takes 3", 30, "ffi-identity with a family of three");
    /* A full name that is also a family (tvm-ffi@0.1.13 and its +slots) is that subject. */
    r = run("%s/ffi-identity --subject tvm-ffi@0.1.13 2>&1", CF_BUILD_DIR);
    expect(&r, 0, "subject tvm-ffi@0.1.13\n", 60, "ffi-identity takes an exact name over its family");
}

static void broken_plugins(void)
{
    result r = run("STRATEGY_SO=%s/template/bad_abi.so %s/conformance --subject hashmap+node --property I1 2>&1",
                   CF_BUILD_DIR, CF_BUILD_DIR);
    expect(&r, 2, "was built for strategy ABI 99", 30, "a plug-in with a wrong ABI version");
    r = run("STRATEGY_SO=%s/template/no_entry.so %s/conformance --subject hashmap+node --property I1 2>&1",
            CF_BUILD_DIR, CF_BUILD_DIR);
    expect(&r, 2, "ffi_strategy_entry", 30, "a plug-in without its entry point");
}

/* Two properties, so a test after the misbehaving one must still run. */
static void misbehaving(const char *name, const char *reason)
{
    result r = run("STRATEGY_SO=%s/bad/%s.so %s/conformance --subject %s+node --property I1 --property L1 --timeout 2 2>&1",
                   CF_BUILD_DIR, name, CF_BUILD_DIR, name);
    char what[96];
    snprintf(what, sizeof what, "conformance on %s", name);
    expect(&r, 1, reason, 30, what);
    if (!tap_ok(strstr(r.out, "not ok 1 - I1") && strstr(r.out, "not ok 2 - L1") && strstr(r.out, "1..2"),
                "%s: both tests ran and failed, and the run finished", what))
        show(&r);
}

static void fuzzed(const char *name, const char *category)
{
    result r = run("STRATEGY_SO=%s/bad/%s.so %s/fuzz --subject %s+node --seconds 1 --timeout 1 2>&1", CF_BUILD_DIR, name,
                   CF_BUILD_DIR, name);
    char what[96], needle[64];
    snprintf(what, sizeof what, "fuzz on %s", name);
    snprintf(needle, sizeof needle, "diverges from its claims (%s)", category);
    expect(&r, 1, needle, 60, what);
}

/* Wrong claims: with no expectations file (a directory without one),
 * leaky claims L1, and the load
 * run must fail on the natives it keeps. */
static void load_claims(void)
{
    result r = run("%s/load --subject leaky+node --handles 20000 --accesses 40000 --out %s "
                   "--expectations %s/obj 2>&1", CF_BUILD_DIR, CF_BUILD_DIR, CF_BUILD_DIR);
    expect(&r, 1, "LEAKS 40000 natives", 60, "load on leaky+node claiming L1");
    r = run("%s/load --subject leaky+node --handles 20000 --accesses 40000 --out %s 2>&1", CF_BUILD_DIR, CF_BUILD_DIR);
    expect(&r, 0, "its expectations file lists L1: expected", 60, "load on leaky+node as it is");
}

/* The plan, printed first so that prove shows progress: 12 for the names,
 * 2 for the plug-ins, 2 per misbehaving strategy, 1 per fuzzed one, 2 for
 * the load run's claims. */
enum { PLAN = 12 + 2 + 4 * 2 + 3 + 2 };

int main(void)
{
    tap_plan(PLAN);
    unknown_names();
    broken_plugins();
    misbehaving("bad-null", "SystemError: strategy 'bad-null' (bad-null+node) failed in wrap() without setting an exception");
    misbehaving("bad-raise", "RuntimeError: bad-raise: refusing to wrap");
    misbehaving("bad-crash", "crashed: signal 11");
    misbehaving("bad-deadlock", "timed out after 2 s");
    fuzzed("bad-null", "error");
    fuzzed("bad-crash", "crash");
    fuzzed("bad-deadlock", "hang");
    load_claims();
    return tap_done();
}
