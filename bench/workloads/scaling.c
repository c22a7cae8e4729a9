/* Hot access with N live handles (1e2..1e6): add.a over N Adds whose Var
 * wrappers all exist, in a random order, so map-based caches pay for
 * their size in cache misses. Beside it, per N, the scaled floor: a
 * __slots__ member read over N live objects, each slot holding an object
 * of its own, in the same random order (floor_scaled/N): what a plain
 * Python object graph of that size costs the memory system, so a
 * strategy's ratio to it is what the strategy adds at that size.
 *
 * Each run also times the same reads in C over the same objects (the
 * counter structural_ns): the field's own C getter called directly, or
 * the floor's slot loaded directly, without PyObject_GetAttr's lookup.
 * What is left is the chain of dependent loads the data layout makes
 * each read take (Add wrapper -> Add native -> Var native or the map's
 * slot -> Var wrapper, against Pair -> Leaf): the structural floor of a
 * strategy, which no code in the strategy can go below. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bench.h"
#include "structmember.h"   /* PyMemberDef, T_OBJECT_EX */

#define BATCH 1000

/* The order both workloads visit their N objects in: a Fisher-Yates
 * shuffle driven by a fixed LCG, so scaling/SUBJECT/N and floor_scaled/N
 * visit object k at the same step. NULL when out of memory. */
static uint32_t *visit_order(size_t n)
{
    uint32_t *order = malloc(n * sizeof *order);
    if (!order)
        return NULL;
    for (size_t k = 0; k < n; k++)
        order[k] = (uint32_t)k;
    uint64_t seed = 12345;
    for (size_t k = n - 1; k > 0; k--) {   /* Fisher-Yates with an LCG */
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t j = (size_t)(seed >> 33) % (k + 1);
        uint32_t t = order[k];
        order[k] = order[j], order[j] = t;
    }
    return order;
}

/* How the structural read gets obj.NAME in C: the descriptor's own C
 * function (a getset's getter, a member's offset), found once. */
typedef struct c_read {
    getter get;      /* a getset descriptor's getter, or NULL */
    void *closure;
    Py_ssize_t at;   /* else a member's offset (a __slots__ slot) */
} c_read;

/* 0, or -1 (with no exception) when NAME is neither kind of descriptor. */
static int c_read_of(PyObject *obj, PyObject *name, c_read *out)
{
    PyObject *d = _PyType_Lookup(Py_TYPE(obj), name);   /* borrowed */
    *out = (c_read){0};
    if (d && Py_IS_TYPE(d, &PyGetSetDescr_Type)) {
        out->get = ((PyGetSetDescrObject *)d)->d_getset->get;
        out->closure = ((PyGetSetDescrObject *)d)->d_getset->closure;
    } else if (d && Py_IS_TYPE(d, &PyMemberDescr_Type) && ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX) {
        out->at = ((PyMemberDescrObject *)d)->d_member->offset;
    }
    return out->get || out->at ? 0 : -1;
}

static inline PyObject *c_read_do(const c_read *r, PyObject *obj)
{
    if (r->get)
        return r->get(obj, r->closure);
    return Py_NewRef(*(PyObject **)((char *)obj + r->at));
}

static double thread_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* At most this many structural reads per run: at 1e6 handles every read
 * misses alike, so a sample of the same random order costs the same per
 * read as the whole pass. */
#define STRUCTURAL_READS 200000

/* The timed loop both share: obj.NAME over objs in `order`, round and
 * round; then the same reads in C, timed here (counter structural_ns). */
static void read_all(gb_state *s, PyObject **objs, const uint32_t *order, size_t n, PyObject *name)
{
    size_t at = 0;
    int64_t batch;
    /* Above 1e4 objects the floor is measured around these runs only:
     * between batches that evict caches and TLB it reads 1.4-1.5x slower,
     * more so after the strategies' batches than after the scaled floor's,
     * which would bias their ratio to each other. Up to 1e4 (a few MB) the
     * in-run samples read as fast as floor_slots, and the runs need them:
     * without, their floor ratios varied by 10-24% over five repetitions,
     * with, by 1-3% (floor_scaled/100, intrusive and toggle at 1e4). */
    if (n > 10000)
        gb_no_samples(s);
    while ((batch = gb_keep_running_batch(s, BATCH)) > 0)
        for (int64_t k = 0; k < batch; k++) {
            Py_DECREF(PyObject_GetAttr(objs[order[at]], name));
            if (++at == n)
                at = 0;
        }
    gb_counter(s, "live_handles", (double)n, GB_COUNTER_PLAIN);
    c_read r;
    if (c_read_of(objs[0], name, &r) < 0)
        return;   /* not a C-level field: no structural figure */
    int64_t reads = gb_iterations(s) < STRUCTURAL_READS ? gb_iterations(s) : STRUCTURAL_READS;
    at = 0;
    uintptr_t after = 0;   /* 0, computed from the previous read's result */
    double t0 = thread_ns();
    for (int64_t k = 0; k < reads; k++) {
        /* Each read starts when the one before has finished, as reads
         * through Python do (hundreds of instructions apart, their misses
         * never overlap): a tight C loop would otherwise run several reads'
         * misses at once and measure the memory's throughput, not the
         * chain's latency. The load of the object's address from the array
         * may go ahead (in the Python loop too it is independent of the
         * read before); the loads through the object wait. */
        PyObject *v = c_read_do(&r, (PyObject *)((uintptr_t)objs[order[at]] + after));
        if (!v)
            return;   /* the getter raised: leave the exception to the caller */
        uintptr_t dep = (uintptr_t)v;
        __asm__("" : "+r"(dep));   /* opaque: dep - v is computed, not folded to 0 */
        after = dep - (uintptr_t)v;
        Py_DECREF(v);
        if (++at == n)
            at = 0;
    }
    if (reads > 0)
        gb_counter(s, "structural_ns", (thread_ns() - t0) / (double)reads, GB_COUNTER_PLAIN);
}

/* The cycle collector is off while the N objects are made and freed:
 * with it on, each full collection the growth triggers scans everything
 * made so far, which at a million handles costs seconds per run. Before
 * the timed loop one full collection leaves the generations as a long
 * run would (everything old, the young generations empty), so no
 * collection the set-up deferred falls into the timed loop; then the
 * collector is back on, as in every other benchmark. */
static int setup_begin(void) { return PyGC_Disable(); }

static void setup_end(int was_on)
{
    PyGC_Collect();
    if (was_on)
        PyGC_Enable();
}

static void teardown_end(int was_on)
{
    if (was_on)
        PyGC_Enable();
}

static void scaling(gb_state *s, const ffi_subject *sub, long count)
{
    size_t n = (size_t)count;
    PyObject **adds = malloc(n * sizeof *adds), **vars = malloc(n * sizeof *vars);
    uint32_t *order = visit_order(n);
    PyObject *name = bench_name("a");
    if (!adds || !vars || !order) {
        gb_error(s, "out of memory");
        free(adds), free(vars), free(order);
        return;
    }
    int gc = setup_begin();
    for (size_t k = 0; k < n; k++) {
        adds[k] = sub->native->new_add(sub, "s");
        vars[k] = PyObject_GetAttr(adds[k], name);   /* every handle live and cached */
    }
    setup_end(gc);
    read_all(s, adds, order, n, name);
    gc = setup_begin();
    for (size_t k = 0; k < n; k++) {
        Py_DECREF(vars[k]);
        Py_DECREF(adds[k]);
    }
    teardown_end(gc);
    free(adds), free(vars), free(order);
}

/* N __slots__ objects (two slots, as an Add has two fields), each `a`
 * holding an object of its own (a one-slot object, as a Var wrapper is
 * one object), made in turn as the scaling set-up makes them. */
static void floor_scaled(gb_state *s, const ffi_subject *sub, long count)
{
    (void)sub;
    size_t n = (size_t)count;
    PyObject *globals = PyDict_New();
    PyObject *r = globals ? PyRun_String("class Pair:\n    __slots__ = ('a', 'b')\n"
                                         "class Leaf:\n    __slots__ = ('name',)\n",
                                         Py_file_input, globals, globals) : NULL;
    PyObject *pair = r ? PyDict_GetItemString(globals, "Pair") : NULL;
    PyObject *leaf = r ? PyDict_GetItemString(globals, "Leaf") : NULL;
    PyObject **objs = calloc(n, sizeof *objs);
    uint32_t *order = visit_order(n);
    PyObject *name = bench_name("a"), *other = bench_name("b");
    int ok = pair && leaf && objs && order, gc = setup_begin();
    for (size_t k = 0; ok && k < n; k++) {
        PyObject *v = PyObject_CallNoArgs(leaf);
        objs[k] = v ? PyObject_CallNoArgs(pair) : NULL;
        ok = objs[k] && PyObject_SetAttr(objs[k], name, v) == 0 && PyObject_SetAttr(objs[k], other, v) == 0;
        Py_XDECREF(v);
    }
    setup_end(gc);
    if (ok)
        read_all(s, objs, order, n, name);
    else {
        PyErr_Print();
        gb_error(s, "cannot build the scaled __slots__ floor");
    }
    gc = setup_begin();
    for (size_t k = 0; objs && k < n; k++)
        Py_XDECREF(objs[k]);
    teardown_end(gc);
    free(objs), free(order);
    Py_XDECREF(r);
    Py_XDECREF(globals);
}

static const long full_sizes[] = {100, 1000, 10000, 100000, 1000000, 0};
static const long quick_sizes[] = {100, 10000, 0};

/* A fixed count: letting the library search for one would repeat the
 * set-up of up to a million handles for every trial. Two million reads up
 * to 1e4 handles (at least 200 passes); one million at 1e5 (ten passes
 * over 1e5, whose handles fit the last-level cache and are warm from the
 * set-up, so more passes only repeat the same); 200,000 at 1e6, a fifth of
 * one pass: there every read misses in every pass alike (the objects were
 * made long before and are 300 MB), so a longer run costs the same per
 * read and only adds time (5 s a repetition for weakdict). */
static int64_t scaling_iterations(long n)
{
    if (bench_cfg.quick)
        return 200000;
    return n >= 1000000 ? 200000 : n >= 100000 ? 1000000 : 2000000;
}

/* The scaled floor, once, with the first scaling benchmark: its ratios need it. */
static void add_floor_scaled(void)
{
    static const ffi_subject none = {.name = "floor"};
    static int added;
    if (added++)
        return;
    for (const long *n = bench_cfg.quick ? quick_sizes : full_sizes; *n; n++)
        bench_add("floor_scaled", &none, *n, floor_scaled, scaling_iterations(*n));
}

static void add_scaling(const ffi_subject *sub)
{
    /* leaky's map keeps every wrapper it ever made in this process: its
     * "N live handles" would be N plus everything earlier runs left (run
     * order decides, CVs of 30-60%), and it leaks about 300 MB per run at
     * 1e6. Its cost is in hot, churn and footprint. */
    if (!strcmp(sub->family, "leaky"))
        return;
    add_floor_scaled();
    for (const long *n = bench_cfg.quick ? quick_sizes : full_sizes; *n; n++)
        bench_add("scaling", sub, *n, scaling, scaling_iterations(*n));
}

/* It builds the natives directly: built-ins only. */
static const bench_workload scaling_workload = {"scaling", add_scaling, BENCH_NEEDS_NATIVE};
BENCH_WORKLOAD(scaling_workload);
