/* build/fuzz: the differential fuzzer's command line. For each subject:
 * random cases until the time budget is spent or one diverges from the
 * model of its claims; a divergence is shrunk and printed as Python. TAP
 * on stdout, progress and reproductions on stderr (a planted bug found as
 * expected: its reproduction as TAP comments, one line on stderr). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/embed.h"
#include "driver/child.h"
#include "driver/cli.h"
#include "driver/expect.h"
#include "driver/tap.h"
#include "../cf.h"
#include "fuzz.h"

_Static_assert(FZ_MAX_OPS == 256, "--length's help says 256");
enum { SHRINK_TRIALS = 400, SHRINK_SECONDS = 20 };
/* A planted bug must shrink to a reproduction a person reads at a glance. */
enum { SHORT_REPRO = 10 };

typedef struct options {
    double seconds;      /* per subject */
    long cases;          /* per subject; 0: until the time is spent */
    long seed;
    long length;
    double timeout;      /* per case */
    const char *claims_file, *expect_dir;
    int list;
    int ops;
} options;

static const char about[] =
    "Differential fuzzer: random sequences of operations (create, read a field,\n"
    "drop, gc.collect, set an attribute, weakref, pickle round trip, fork, a Python\n"
    "subclass instance, copy.copy, a field re-read by a weakref callback or a\n"
    "subclass's __del__ while its wrapper dies, a bulk of thousands of live\n"
    "handles, two threads churning one field in the race window, an interned Var,\n"
    "a sub-interpreter reading the interned Vars, a __del__ that resurrects its\n"
    "object, a self-cycle broken by gc.collect(), ns.consume of a held or shared\n"
    "native, a fork while a thread is inside the cache; --ops lists them) run on\n"
    "each subject and checked against a model of the identity guarantees it\n"
    "claims (see --list). A divergence is shrunk to a short sequence and printed\n"
    "as a Python reproduction. Each case runs in its own process with a watchdog,\n"
    "so a crash or a hang is a divergence too.";

static const char exit_status[] =
    "Controls marked 'planted' in the claims file must diverge: for them a\n"
    "divergence is the expected result and its absence a failure. Exit status\n"
    "1 if any subject did otherwise, 2 for bad usage.";

/* One subject under test. */
typedef struct fuzzed {
    const char *name;
    PyObject *ns;
    unsigned features;
    fz_subject_claims claims;
    int adapter;   /* a real binding's adapter (its reproduction imports ffi_adapters) */
    double timeout;
    char category[32];   /* of the divergence being shrunk */
    double shrink_deadline;
} fuzzed;

/* What a fuzzing child writes: the case it starts (batches), a divergence
 * as "category|step|message", or that it is done. */
typedef struct child_msg { int kind; long index; char reason[400]; } child_msg;
enum { MSG_START, MSG_DIVERGED, MSG_DONE };

/* A divergence: from the model's report, or from how the child died. */
typedef struct outcome { int failed; char category[32]; int step; char message[400]; } outcome;

static outcome ended(const child_msg *m, int reported, int status, int timed_out, double timeout)
{
    outcome out = {1, "", 0, ""};
    if (reported) {   /* MSG_DIVERGED */
        const char *msg = fz_divergence_split(m->reason, out.category, sizeof out.category, &out.step);
        snprintf(out.message, sizeof out.message, "%s", msg);
        return out;
    }
    out.step = fz_progress ? *fz_progress : 0;   /* where the child was when it died */
    snprintf(out.category, sizeof out.category, "%s", timed_out ? "hang" : WIFSIGNALED(status) ? "crash" : "error");
    ffi_child_describe(status, timed_out, timeout, out.message, sizeof out.message);
    return out;
}

static outcome fork_failed(void)
{
    outcome out = {1, "error", 0, ""};
    snprintf(out.message, sizeof out.message, "fork: %s", strerror(errno));
    return out;
}

typedef struct one_case { const fuzzed *t; const fz_plan *plan; } one_case;

static void case_child(void *arg, int fd)
{
    const one_case *job = arg;
    child_msg m = {MSG_DONE, 0, ""};
    if (fz_run_model(job->t->ns, job->plan, job->plan->n, job->t->features, job->t->claims.claims, m.reason,
                     sizeof m.reason))
        m.kind = MSG_DIVERGED;
    _exit(write(fd, &m, sizeof m) == sizeof m ? 0 : 3);
}

/* One case alone, in a fresh process with a watchdog. */
static outcome run_case(const fuzzed *t, const fz_plan *plan)
{
    one_case job = {t, plan};
    ffi_child c;
    if (fz_progress)
        *fz_progress = 0;
    if (ffi_child_start(&c, case_child, &job) < 0)
        return fork_failed();
    child_msg m;
    int timed_out;
    int reported = ffi_child_read(&c, &m, sizeof m, t->timeout, &timed_out) == sizeof m;
    int status = ffi_child_finish(&c, timed_out);
    if (reported && m.kind == MSG_DONE)
        return (outcome){0};
    return ended(&m, reported, status, timed_out, t->timeout);
}

static int still_fails(const fz_case *c, void *arg)
{
    fuzzed *t = arg;
    static fz_plan plan;
    if (ffi_monotonic_seconds() > t->shrink_deadline)
        return 0;   /* out of time: keep what is shrunk so far */
    fz_resolve(c, t->features, t->claims.claims, &plan);
    outcome o = run_case(t, &plan);
    return o.failed && strcmp(o.category, t->category) == 0;
}

/* Shrinks a failing case and writes what diverged and how to reproduce it
 * to out (the caller decides where it is shown). */
static outcome shrink_and_report(FILE *out, fuzzed *t, fz_case *c, outcome first, unsigned long long case_seed)
{
    static fz_plan plan;
    snprintf(t->category, sizeof t->category, "%s", first.category);
    t->shrink_deadline = ffi_monotonic_seconds() + SHRINK_SECONDS;
    int original = c->n;
    if (first.step > 0) {   /* nothing after the failing step matters */
        fz_resolve(c, t->features, t->claims.claims, &plan);
        fz_case cut = *c;
        cut.n = plan.steps[first.step - 1].raw_index + 1;
        if (still_fails(&cut, t))
            *c = cut;
    }
    int trials = fz_shrink(c, still_fails, t, SHRINK_TRIALS);
    fz_resolve(c, t->features, t->claims.claims, &plan);
    outcome last = run_case(t, &plan);
    if (!last.failed)   /* flaky: report the first sighting as it was */
        last = first;
    int upto = last.step > 0 ? last.step : plan.n;
    char claims[200];
    fz_claims_format(t->claims.claims, claims, sizeof claims);
    fprintf(out, "fuzz: %s diverges (%s) at step %d of %d; shrunk from %d operations in %d runs\n",
            t->name, last.category, upto, plan.n, original, trials);
    fprintf(out, "fuzz:   claims: %s\n", claims);
    fprintf(out, "fuzz:   reproduction (Python; the last line is where it diverges):\n");
    fz_print_python(out, &plan, upto, t->name, t->adapter, t->features, "fuzz:     ");
    if (last.step <= 0)
        fprintf(out, "fuzz:     # then, at the end of the case: drop every slot and gc.collect()\n");
    fprintf(out, "fuzz:     # ^ %s: %s\n", last.category, last.message);
    fprintf(out, "fuzz:   replay: build/fuzz --subject %s --seed %llu --cases 1\n", t->name, case_seed);
    last.step = upto;
    return last;
}

/* Batches: forking costs more than a case (copy-on-write faults on a
 * process that has CPython loaded), so one child runs many cases in a row
 * and says which one it starts before running it; a crash or a hang is
 * then blamed on that case, which the parent re-runs alone to confirm. */

typedef struct batch { const fuzzed *t; const options *o; long first, last; double deadline; } batch;

static void batch_child(void *arg, int fd)
{
    const batch *b = arg;
    static fz_case c;
    static fz_plan plan;
    long k = b->first;
    for (; k < b->last && (b->o->cases || ffi_monotonic_seconds() < b->deadline); k++) {
        child_msg m = {MSG_START, k, ""};
        if (write(fd, &m, sizeof m) != sizeof m)
            _exit(3);
        fz_generate(&c, (unsigned long long)b->o->seed + (unsigned long long)k, (int)b->o->length);
        fz_resolve(&c, b->t->features, b->t->claims.claims, &plan);
        if (fz_run_model(b->t->ns, &plan, plan.n, b->t->features, b->t->claims.claims, m.reason, sizeof m.reason)) {
            m.kind = MSG_DIVERGED;
            _exit(write(fd, &m, sizeof m) == sizeof m ? 0 : 3);
        }
    }
    child_msg done = {MSG_DONE, k, ""};
    _exit(write(fd, &done, sizeof done) == sizeof done ? 0 : 3);
}

/* Runs cases [first, last) until the deadline; *next is the first case not
 * run. Returns the outcome of the case that diverged (in *index). */
static outcome run_batch(const fuzzed *t, const options *o, long first, long last, double deadline, long *next,
                         long *index)
{
    batch b = {t, o, first, last, deadline};
    ffi_child c;
    if (fz_progress)
        *fz_progress = 0;
    if (ffi_child_start(&c, batch_child, &b) < 0) {
        *next = last;
        return fork_failed();
    }
    child_msg m = {0};
    long started = first - 1;
    int done = 0, timed_out = 0;
    /* The watchdog restarts with every message: it bounds one case. */
    while (!done && ffi_child_read(&c, &m, sizeof m, t->timeout, &timed_out) == sizeof m) {
        if (m.kind == MSG_START)
            started = m.index;
        else
            done = 1;
    }
    int status = ffi_child_finish(&c, timed_out);
    *next = done && m.kind == MSG_DONE ? m.index : started + 1;
    *index = started;
    if (done && m.kind == MSG_DONE)
        return (outcome){0};
    return ended(&m, done, status, timed_out, t->timeout);
}

typedef struct tally { int n, bad; } tally;

/* Writes text to f, each line prefixed. */
static void fuzz_subject(const options *o, fuzzed *t, tally *tap)
{
    char why[300];
    int n = ++tap->n;
    if (ffi_embed_unavailable(t->ns, why, sizeof why)) {
        ffi_tap_result(1, n, "SKIP", why, "fuzz %s", t->name);
        return;
    }
    if (t->claims.skip) {
        ffi_tap_result(1, n, "SKIP", t->claims.note, "fuzz %s", t->name);
        return;
    }
    static fz_case c;
    static fz_plan plan;
    double start = ffi_monotonic_seconds(), deadline = start + o->seconds;
    long k = 0, index = -1, limit = o->cases ? o->cases : 1L << 40;
    outcome found = {0};
    while (k < limit && (o->cases || ffi_monotonic_seconds() < deadline) && !found.failed)
        found = run_batch(t, o, k, limit, deadline, &k, &index);
    double took = ffi_monotonic_seconds() - start;
    int alone = 1;
    unsigned long long case_seed = o->seed + (unsigned long long)index;
    if (found.failed) {
        /* Confirm the case alone, in a fresh process: that is what gets shrunk. */
        fz_generate(&c, case_seed, (int)o->length);
        fz_resolve(&c, t->features, t->claims.claims, &plan);
        outcome again = run_case(t, &plan);
        if (again.failed)
            found = again;
        alone = again.failed;
    }
    if (found.failed && !alone) {
        /* It needed the state earlier cases left in the same process. */
        fprintf(stderr, "fuzz: %s diverges (%s) in case %ld, but not when that case runs alone: it depends on "
                        "what earlier cases left behind\nfuzz:   %s\nfuzz:   replay: build/fuzz --subject %s --seed %llu "
                        "--cases %ld\n", t->name, found.category, index, found.message, t->name, (unsigned long long)o->seed, index + 1);
        found.step = plan.n;
    }
    /* The reproduction is written aside: a planted bug found as it should
     * be is the expected result, so its reproduction becomes TAP comments
     * (prove shows them with -v; a plain run shows them all); anything
     * else is a real failure and goes to stderr as it is. */
    char *report = NULL;
    size_t report_size = 0;
    if (found.failed && alone) {
        FILE *out = open_memstream(&report, &report_size);
        found = shrink_and_report(out ? out : stderr, t, &c, found, case_seed);
        if (out)
            fclose(out);
    }
    /* A planted bug found only after earlier cases (a race that needs the
     * state they left) is found all the same: it has no short reproduction
     * to show, only the replay above. */
    int expected = found.failed && t->claims.planted && (found.step <= SHORT_REPRO || !alone);
    if (report) {
        if (expected) {
            printf("# expected: the planted bug, found and shrunk\n");
            ffi_tap_comment("# ", report);
        }
        else
            fputs(report, stderr);
        free(report);
    }
    if (found.failed && t->claims.planted && alone && found.step > SHORT_REPRO) {
        ffi_tap_result(0, n, NULL, NULL, "fuzz %s: found its planted bug (%s) but the reproduction has %d steps, "
                       "more than %d", t->name, found.category, found.step, SHORT_REPRO);
        tap->bad++;
    } else if (found.failed && t->claims.planted) {
        ffi_tap_result(1, n, NULL, NULL, "fuzz %s: found its planted bug (%s) after %ld cases in %.1f s, shrunk to "
                       "%d steps", t->name, found.category, index + 1, took, found.step);
    } else if (found.failed) {
        ffi_tap_result(0, n, NULL, NULL, "fuzz %s: diverges from its claims (%s) after %ld cases in %.1f s", t->name,
                       found.category, index + 1, took);
        ffi_tap_comment("#   ", found.message);
        tap->bad++;
    } else if (t->claims.planted) {
        ffi_tap_result(0, n, NULL, NULL, "fuzz %s: its planted bug was not found in %ld cases (%.1f s)", t->name, k,
                       took);
        tap->bad++;
    } else {
        char claims[200];
        fz_claims_format(t->claims.claims, claims, sizeof claims);
        ffi_tap_result(1, n, NULL, NULL, "fuzz %s: %ld cases of %ld operations in %.1f s agree with its claims (%s)",
                       t->name, k, o->length, took, claims);
    }
    if (expected)
        fprintf(stderr, "fuzz: %-22s %7ld cases %5.1f s  planted bug found (%s, %d steps), as expected\n", t->name,
                index + 1, took, found.category, found.step);
    else
        fprintf(stderr, "fuzz: %-22s %7ld cases %5.1f s  %s\n", t->name, found.failed ? index + 1 : k, took,
                found.failed ? (t->claims.planted ? "planted bug found, but NOT as expected (see above)" : "DIVERGES")
                             : t->claims.planted ? "planted bug NOT found" : "agrees");
    fflush(NULL);
}

static void copy_probe(void *ns, int fd)
{
    PyObject *probe = cf_new(ns, "Var", "(s)", "probe");
    PyObject *copied = probe ? ffi_py_call("copy", "copy", "(O)", probe) : NULL;
    char ok = copied != NULL;
    _exit(write(fd, &ok, 1) == 1 ? 0 : 3);
}

/* Bounded by the case watchdog: a strategy that hangs in wrap() hangs here
 * too, and a fixed 10 s made every such run 10 s longer than --timeout. */
static int copy_works(PyObject *ns, double timeout)
{
    ffi_child c;
    char ok = 0;
    int timed_out;
    if (ffi_child_start(&c, copy_probe, ns) < 0)
        return 0;
    if (ffi_child_read(&c, &ok, 1, timeout, &timed_out) != 1)
        ok = 0;
    ffi_child_finish(&c, timed_out);
    return ok;
}

/* One subject: load it, then list its claims or fuzz it. */
typedef struct subject_job { const options *o; ffi_subject *s; tally *tap; int status; } subject_job;

static void one_subject(subject_job *j)
{
    const options *o = j->o;
    fuzzed t = {.name = j->s->name, .timeout = o->timeout};
    if (fz_claims_for(o->claims_file, o->expect_dir, t.name, &t.claims) < 0) {
        j->status = 2;
        return;
    }
    if (ffi_subject_open(j->s) < 0) {
        PyErr_Print();
        j->status = 2;
        return;
    }
    if (ffi_subject_unrunnable("fuzz", j->s)) {
        j->status = 2;
        return;
    }
    t.adapter = !j->s->builtin;
    t.ns = j->s->ns;
    t.features = j->s->features;
    if (!(t.claims.claims & FZ_CLAIM_PICKLABLE))
        t.features &= ~(unsigned)FFI_FEATURE_PICKLE;   /* it never promised pickling: no pickle steps */
    /* Copy steps where copy.copy works at all (not PyGObject: "GObject
     * descendants' instances are non-copyable") and pickling is claimed
     * (copy reduces as pickle does); probed in a child, so the cases'
     * process starts with no wrapper made. */
    if ((t.features & FFI_FEATURE_PICKLE) && copy_works(t.ns, o->timeout))
        t.features |= FZ_FEAT_COPY;
    if (t.claims.claims & FZ_CLAIM_COPY)
        t.features |= FZ_FEAT_COPY_SHARES;         /* copies share their children (P7) */
    PyObject *names = PyObject_GetAttrString(t.ns, "features");
    if (names && ffi_embed_has_name(names, "disown"))
        t.features |= FZ_FEAT_DISOWN;
    Py_XDECREF(names);
    PyErr_Clear();
    if (t.adapter)
        t.features |= FZ_FEAT_ADAPTER;
    if (o->list) {
        char claims[200];
        fz_claims_format(t.claims.claims, claims, sizeof claims);
        printf("%-22s %s%s\n    from %s%s%s\n", t.name, t.claims.skip ? "not fuzzed: " : "",
               t.claims.skip ? t.claims.note : claims, t.claims.source,
               t.claims.planted ? "\n    planted bug: " : "", t.claims.planted ? t.claims.note : "");
    } else {
        fuzz_subject(o, &t, j->tap);
    }
    ffi_subject_close(j->s);
}

typedef struct subject_report { tally tap; int status; } subject_report;

static void subject_child(void *arg, int fd)
{
    subject_job *j = arg;
    one_subject(j);
    fflush(NULL);
    subject_report r = {*j->tap, j->status};
    _exit(write(fd, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 3);
}

/* Each subject in a process of its own, as in the conformance runner: two
 * versions of one tool cannot share an interpreter. */
static int fuzz_in_own_process(const options *o, ffi_subject *s, tally *tap)
{
    subject_job j = {o, s, tap, 0};
    fflush(NULL);
    ffi_child c;
    if (ffi_child_start(&c, subject_child, &j) < 0) {
        perror("fuzz: fork");
        return 2;
    }
    subject_report r;
    int timed_out;
    size_t got = ffi_child_read(&c, &r, sizeof r, 24 * 3600, &timed_out);
    int status = ffi_child_finish(&c, timed_out);
    if (got == sizeof r) {
        *tap = r.tap;
        return r.status;
    }
    char why[200];
    ffi_child_describe(status, timed_out, 0, why, sizeof why);
    ffi_tap_result(0, ++tap->n, NULL, NULL, "fuzz %s: the subject's process %s", s->name, why);
    tap->bad++;
    return 0;
}

int main(int argc, char **argv)
{
    options o = {.seconds = 2, .seed = 1, .length = 40, .timeout = 10,
                 .claims_file = CF_SOURCE_DIR "/fuzz/claims.txt", .expect_dir = ffi_expectations_dir()};
    const ffi_option own[] = {
        {"--seconds", "S", "time per subject (default 2)", FFI_OPT_SECONDS, &o.seconds},
        {"--cases", "N", "at most N cases per subject (default: until time is up)", FFI_OPT_COUNT, &o.cases},
        {"--seed", "N", "case k uses seed N+k (default 1): runs are reproducible", FFI_OPT_COUNT, &o.seed},
        {"--length", "L", "operations per case (default 40, at most 256)", FFI_OPT_COUNT, &o.length},
        {"--timeout", "S", "watchdog per case (default 10)", FFI_OPT_SECONDS, &o.timeout},
        {"--claims", "FILE", "overrides of derived claims (default the tree's conformance/fuzz/claims.txt)",
         FFI_OPT_STRING, &o.claims_file},
        {"--expectations", "DIR", "where claims are derived from (default $FFI_EXPECTATIONS, else the "
                                  "tree's conformance/expectations)", FFI_OPT_STRING, &o.expect_dir},
        {"--list", NULL, "print each subject's claims and where they come from, and exit", FFI_OPT_FLAG, &o.list},
        {"--ops", NULL, "print the operations (stable id, weight, what they need), and exit", FFI_OPT_FLAG, &o.ops},
        {NULL, NULL, NULL, 0, NULL},
    };
    ffi_cli cli = {.prog = "fuzz", .args = "[--seconds S] [--cases N] [--seed N] [--length L] [--list] [--ops]",
                   .about = about, .exit_status = exit_status, .options = own};
    int rc = ffi_cli_parse(&cli, argc, argv);
    if (rc)
        return rc;
    if (o.ops) {
        fz_ops_list(stdout);
        return 0;
    }
    if (o.length < 1 || o.length > FZ_MAX_OPS) {
        fprintf(stderr, "fuzz: --length %ld is out of range (1..%d)\n", o.length, FZ_MAX_OPS);
        return 2;
    }
    if (ffi_expectations_check(cli.prog, o.expect_dir) < 0)
        return 2;
    if ((rc = ffi_cli_start(&cli, argv[0])))
        return rc == 1 ? 0 : rc;
    void *page = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    fz_progress = page == MAP_FAILED ? NULL : page;
    if (!o.list)
        ffi_tap_version();
    tally tap = {0};
    for (int k = 0; k < cli.nselected; k++)
        if (fuzz_in_own_process(&o, &cli.selected[k], &tap) != 0)
            return 2;
    if (!o.list)
        ffi_tap_plan(tap.n);
    ffi_cli_free(&cli);
    fflush(NULL);
    /* No Py_FinalizeEx: controls are broken on purpose and may not survive it. */
    return tap.bad ? 1 : 0;
}
