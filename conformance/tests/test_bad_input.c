/* Bad input to the runners: unknown names, plug-ins with a wrong ABI or no
 * entry point, and strategies that return NULL without an exception,
 * raise, crash or deadlock. Each must end in a clear message, and a
 * misbehaving strategy in failed tests with the reason, in bounded time.
 * Also: the load run fails when an implementation's figures break its
 * claims. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

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

static void unknown_names(void)
{
    static const char *runners[] = {"conformance", "fuzz", "load", "ffi-identity"};
    for (int k = 0; k < 4; k++) {
        result r = run("%s/%s --impl no-such-impl 2>&1", CF_BUILD_DIR, runners[k]);
        expect(&r, 2, "unknown implementation 'no-such-impl'", 30, runners[k]);
        tap_ok(strstr(r.out, "hashmap+node") != NULL, "%s: the message lists the valid names", runners[k]);
    }
    /* Real tools are subjects of every runner, ffi-identity included, and
     * its unknown-name message lists them too. */
    result r = run("%s/ffi-identity --impl no-such-impl 2>&1", CF_BUILD_DIR);
    tap_ok(strstr(r.out, "real tools:") && strstr(r.out, "ctypes@"), "ffi-identity: the message lists the real tools");
    r = run("%s/ffi-identity --impl ctypes 2>&1", CF_BUILD_DIR);   /* the one ctypes@VERSION */
    expect(&r, 0, "I2 converge", 30, "ffi-identity probing a real tool (ctypes)");
}

static void broken_plugins(void)
{
    result r = run("IMPL_SO=%s/template/bad_abi.so %s/conformance --impl hashmap+node --property I1 2>&1",
                   CF_BUILD_DIR, CF_BUILD_DIR);
    expect(&r, 2, "was built for strategy ABI 99", 30, "a plug-in with a wrong ABI version");
    r = run("IMPL_SO=%s/template/no_entry.so %s/conformance --impl hashmap+node --property I1 2>&1",
            CF_BUILD_DIR, CF_BUILD_DIR);
    expect(&r, 2, "ffi_strategy_entry", 30, "a plug-in without its entry point");
}

/* Two properties, so a test after the misbehaving one must still run. */
static void misbehaving(const char *name, const char *reason)
{
    result r = run("IMPL_SO=%s/bad/%s.so %s/conformance --impl %s+node --property I1 --property L1 --timeout 2 2>&1",
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
    result r = run("IMPL_SO=%s/bad/%s.so %s/fuzz --impl %s+node --seconds 1 --timeout 1 2>&1", CF_BUILD_DIR, name,
                   CF_BUILD_DIR, name);
    char what[96], needle[64];
    snprintf(what, sizeof what, "fuzz on %s", name);
    snprintf(needle, sizeof needle, "diverges from its claims (%s)", category);
    expect(&r, 1, needle, 60, what);
}

/* Wrong claims: with no expectations file, leaky claims L1, and the load
 * run must fail on the natives it keeps. */
static void load_claims(void)
{
    result r = run("%s/load --impl leaky+node --handles 20000 --accesses 40000 --out %s "
                   "--expectations /nonexistent 2>&1", CF_BUILD_DIR, CF_BUILD_DIR);
    expect(&r, 1, "LEAKS 40000 natives", 60, "load on leaky+node claiming L1");
    r = run("%s/load --impl leaky+node --handles 20000 --accesses 40000 --out %s 2>&1", CF_BUILD_DIR, CF_BUILD_DIR);
    expect(&r, 0, "its expectations file lists L1: expected", 60, "load on leaky+node as it is");
}

/* The plan, printed first so that prove shows progress: 10 for the names,
 * 2 for the plug-ins, 2 per misbehaving strategy, 1 per fuzzed one, 2 for
 * the load run's claims. */
enum { PLAN = 10 + 2 + 4 * 2 + 3 + 2 };

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
