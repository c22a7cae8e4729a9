/* Forks. A fork with held wrappers (F1): the child re-reads every held
 * field. A fork while another thread is inside the cache (F3): the thread
 * re-reads every held field and drops what it got (each read a cache miss
 * where the cache forgets dead wrappers), with the race window open so it
 * sits inside creation without the GIL; the main thread forks meanwhile
 * and the child re-reads the same fields within a bound. A lock held
 * across creation, or a "being created" mark, that no fork hook resets
 * hangs the child. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/child.h"
#include "model.h"

enum {
    FORK_SECONDS = 5,        /* a forked child that re-reads a few fields and exits */
    BUSY_FORK_SECONDS = 2,   /* the child reads a few fields: a hang, not a slow read, passes this */
    BUSY_FORKS = 8,          /* forks per step: the thread is inside creation at most of them */
};

/* The forked child's side: re-read every field of every held slot and
 * report the first divergence (uniqueness only if the subject claims F1). */
static void reread_child(void *arg, int fd)
{
    run *r = arg;
    alarm(FORK_SECONDS);   /* outlive a killed parent by no more than that */
    unsigned claims = r->claims & FZ_CLAIM_FORK ? FZ_CLAIM_UNIQUE : 0;
    int bad = 0;
    for (int s = 0; s < FZ_SLOTS && !bad; s++) {
        if (!r->slot[s])
            continue;
        int n = r->slot_native[s];
        for (int c = 0; c < 2 && !bad; c++) {
            fz_field f;
            int child = fz_field_native(r->plan, n, c, &f);
            if (child < 0)
                continue;
            char expr[32];
            snprintf(expr, sizeof expr, "s%d%s", s, fz_field_expr(f));
            PyObject *o = fz_read_field(r->slot[s], f);
            bad = o ? fz_sighting(r, o, child, expr, claims) : fz_python_error(r, expr);
            Py_XDECREF(o);
        }
    }
    ssize_t w = write(fd, r->why, bad ? strlen(r->why) + 1 : 0);
    (void)w;
    _exit(bad ? 1 : 0);
}

/* os.fork() with held wrappers: a crash or a hang in the child is a
 * divergence too. */
static int fork_and_reread(run *r, double seconds)
{
    ffi_child c;
    if (ffi_child_start(&c, reread_child, r) < 0)
        return fz_diverge(r, "fork", "fork: %s", strerror(errno));
    char msg[400] = "";
    int timed_out;
    ffi_child_read(&c, msg, sizeof msg - 1, seconds, &timed_out);
    int status = ffi_child_finish(&c, timed_out);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        char category[32];
        int at;
        return fz_diverge(r, "fork", "in the forked child: %s",
                       *msg ? fz_divergence_split(msg, category, sizeof category, &at) : "failed without a reason");
    }
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char why[160];
        ffi_child_describe(status, timed_out, seconds, why, sizeof why);
        return fz_diverge(r, "fork", "the forked child re-reading fields %s", why);
    }
    return 0;
}

static const fz_python_def py_reread = {
    "def reread(*held): [getattr(o, f, None) for o in held for f in (\"a\", \"b\", \"offset\", \"inner\")]\n"};

/* os.fork(); the child re-reads every field of the held slots b (not
 * Inner views: through their Outers) */
static int resolve_fork(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    return (st->b = fz_held_roots(rs)) != 0;
}

static void describe_fork(const fz_step *s, char *out, size_t n)
{
    char held[64];
    fz_slot_list(s->b, held, sizeof held);
    snprintf(out, n, "if os.fork() == 0: reread(%s); os._exit(0)", held);
}

static int run_fork(run *r, const fz_step *s)
{
    return fork_and_reread(r, FORK_SECONDS);
}

static const fz_op_def op_fork = {
    .name = "fork", .id = 11, .weight = 1,
    .resolve = resolve_fork, .describe = describe_fork, .run = run_fork,
    .python = (const fz_python_def *const[]){&py_reread, NULL},
};
FZ_OP(op_fork);

/* fork_busy(held): a thread re-reads every field of the held slots b (those
 * with fields) while the main thread forks; the children re-read them */
static int resolve_fork_busy(fz_resolver *rs, const fz_raw *raw, fz_step *st)
{
    return (st->b = fz_readable_slots(rs)) != 0;
}

static void describe_fork_busy(const fz_step *s, char *out, size_t n)
{
    char held[64];
    fz_slot_list(s->b, held, sizeof held);
    snprintf(out, n, "fork_busy(%s)", held);
}

static const char busy_src[] =
    "import threading, time\n"
    "def busy(reads):\n"
    "    stop, running = threading.Event(), threading.Event()\n"
    "    def body():\n"
    "        running.set()\n"
    "        while not stop.is_set():\n"
    "            for read in reads:\n"
    "                read()\n"
    "            time.sleep(0)\n"
    "    t = threading.Thread(target=body, daemon=True)\n"
    "    t.start()\n"
    "    running.wait()\n"
    "    def done():\n"
    "        stop.set()\n"
    "        t.join()\n"
    "    return done\n";

static PyObject *busy_fn(void)
{
    static PyObject *fn;
    if (fn)
        return fn;
    PyObject *g = PyDict_New();
    if (g && PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins()) == 0) {
        PyObject *rr = PyRun_String(busy_src, Py_file_input, g, g);
        fn = rr ? Py_XNewRef(PyDict_GetItemString(g, "busy")) : NULL;
        Py_XDECREF(rr);
    }
    Py_XDECREF(g);
    return fn;
}

static int run_fork_busy(run *r, const fz_step *s)
{
    PyObject *fn = busy_fn();
    PyObject *reads = fn ? PyList_New(0) : NULL;
    for (int k = 0; reads && k < FZ_SLOTS; k++) {
        for (int c = 0; (s->b & (1 << k)) && c < 2; c++) {
            fz_field f;
            if (fz_field_native(r->plan, r->slot_native[k], c, &f) < 0)
                continue;
            PyObject *read = fz_field_reader(r->slot[k], f);
            if (!read || PyList_Append(reads, read) < 0)
                Py_CLEAR(reads);
            Py_XDECREF(read);
        }
    }
    if (!reads)
        return fz_python_error(r, "the busy thread's reads");
    fz_race_window(1);
    PyObject *done = PyObject_CallFunction(fn, "O", reads);
    Py_DECREF(reads);
    if (!done) {
        fz_race_window(0);
        return fz_python_error(r, "starting the busy thread");
    }
    int bad = 0;
    for (int k = 0; k < BUSY_FORKS && !bad; k++) {
        PyObject *slept = ffi_py_call("time", "sleep", "(d)", 0.001);   /* let it get inside the cache */
        Py_XDECREF(slept);
        bad = fork_and_reread(r, BUSY_FORK_SECONDS);
    }
    PyObject *joined = PyObject_CallNoArgs(done);
    fz_race_window(0);
    Py_DECREF(done);
    if (!joined && !bad)
        return fz_python_error(r, "stopping the busy thread");
    Py_XDECREF(joined);
    PyErr_Clear();
    return bad;
}

static const fz_python_def py_fork_busy = {
    "def fork_busy(*held):   # fork while a thread re-reads every field, race window open\n"
    "    import threading, time; ffi_identity.set_race_window(True); stop = threading.Event()\n"
    "    def body():\n"
    "        while not stop.is_set(): reread(*held); time.sleep(0)\n"
    "    t = threading.Thread(target=body, daemon=True); t.start()\n"
    "    for _ in range(8):   # a child that hangs is the divergence\n"
    "        time.sleep(0.001)\n"
    "        if (pid := os.fork()) == 0: signal.alarm(2); reread(*held); os._exit(0)\n"
    "        os.waitpid(pid, 0)\n"
    "    stop.set(); t.join(); ffi_identity.set_race_window(False)\n"};

/* Only where F3 is claimed: a subject known to hang in a fork child beside
 * a busy thread would fail every case. */
static const fz_op_def op_fork_busy = {
    .name = "fork-busy", .id = 24, .weight = 1, .needs = FFI_FEATURE_THREADS, .claims = FZ_CLAIM_FORK_THREADS,
    .resolve = resolve_fork_busy, .describe = describe_fork_busy, .run = run_fork_busy,
    .python = (const fz_python_def *const[]){&py_reread, &py_fork_busy, NULL},
};
FZ_OP(op_fork_busy);
