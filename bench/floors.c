/* The in-run floors every time is divided by: a CPython __slots__ member
 * read through the same C call path the wrappers' fields use
 * (PyObject_GetAttr on an interned name), and a raw C pointer load. */
#include <time.h>

#include "bench.h"

#define BATCH 1000

static void floor_slots(gb_state *s, const ffi_subject *sub, long param)
{
    (void)sub, (void)param;
    PyObject *globals = PyDict_New();
    PyObject *r = globals ? PyRun_String("class Slots:\n    __slots__ = ('offset',)\n"
                                         "obj = Slots()\nobj.offset = object()\n",
                                         Py_file_input, globals, globals) : NULL;
    PyObject *obj = r ? PyDict_GetItemString(globals, "obj") : NULL;
    if (!obj) {
        PyErr_Print();
        gb_error(s, "cannot build the __slots__ floor");
        Py_XDECREF(globals);
        return;
    }
    PyObject *name = bench_name("offset");
    int64_t n;
    while ((n = gb_keep_running_batch(s, BATCH)) > 0)
        for (int64_t k = 0; k < n; k++)
            Py_DECREF(PyObject_GetAttr(obj, name));
    Py_DECREF(r);
    Py_DECREF(globals);
}

static void floor_pointer(gb_state *s, const ffi_subject *sub, long param)
{
    (void)sub, (void)param;
    /* A layout's offset field as C code reads it: one pointer load from a
     * heap object. */
    struct layout { void *axes, *offset; } *layout = malloc(sizeof *layout);
    if (!layout) {
        gb_error(s, "out of memory");
        return;
    }
    layout->axes = layout, layout->offset = layout;
    int64_t n;
    while ((n = gb_keep_running_batch(s, BATCH)) > 0)
        for (int64_t k = 0; k < n; k++) {
            void *off = ((volatile struct layout *)layout)->offset;
            __asm__ volatile("" : : "r"(off) : "memory");   /* keep the load */
        }
    free(layout);
}

/* The __slots__ object and name both samplers read; 0 once built. */
static PyObject *floor_obj, *floor_name;

static int floor_object(void)
{
    static PyObject *globals;
    if (!floor_obj) {
        globals = PyDict_New();
        PyObject *r = globals ? PyRun_String("class Slots:\n    __slots__ = ('offset',)\n"
                                             "obj = Slots()\nobj.offset = object()\n",
                                             Py_file_input, globals, globals) : NULL;
        Py_XDECREF(r);
        floor_obj = r ? PyDict_GetItemString(globals, "obj") : NULL;
        floor_name = bench_name("offset");
        if (!floor_obj) {
            PyErr_Clear();
            return -1;
        }
    }
    return 0;
}

/* ns per __slots__ read over one block of `reads`, in the thread's CPU time. */
static double floor_block(int reads)
{
    struct timespec a, b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    for (int j = 0; j < reads; j++)
        Py_DECREF(PyObject_GetAttr(floor_obj, floor_name));
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / reads;
}

/* Within a run (the shim calls it between batches, timer stopped): one
 * short block, about 30 us, after a few untimed reads that bring back what
 * the benchmark's batch evicted (without them a block reads 10% slower than
 * floor_slots in steady state); the run's floor is the mean of these and
 * the samples around it (bench/main.c). */
double bench_floor_quick(void)
{
    if (floor_object() < 0)
        return -1;
    floor_block(250);
    return floor_block(2000);
}

/* The floor measured around every run (bench/main.c): the median of a few
 * short blocks of __slots__ reads, in the thread's CPU time as the
 * benchmarks' figures are, so a ratio divides by a floor taken under the
 * same machine load within milliseconds, not by another repetition's. */
double bench_floor_sample(void)
{
    enum { BLOCKS = 3, READS = 4000 };
    if (floor_object() < 0)
        return -1;
    double t[BLOCKS];
    for (int k = 0; k < BLOCKS; k++)
        t[k] = floor_block(READS);
    for (int i = 1; i < BLOCKS; i++)   /* the median of three */
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            double x = t[j];
            t[j] = t[j - 1], t[j - 1] = x;
        }
    return t[BLOCKS / 2];
}

void bench_register_floors(void)
{
    static const ffi_subject none = {.name = "floor"};
    bench_add("floor_slots", &none, 0, floor_slots, 0);
    bench_add("floor_pointer", &none, 0, floor_pointer, 0);
}
