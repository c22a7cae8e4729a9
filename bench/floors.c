/* The in-run floors every time is divided by: a CPython __slots__ member
 * read through the same C call path the wrappers' fields use
 * (PyObject_GetAttr on an interned name), and a raw C pointer chase over
 * the native objects. */
#include "bench.h"

#define BATCH 1000

static void floor_slots(gb_state *s, const bench_impl *b, long param)
{
    (void)b, (void)param;
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

static void floor_pointer(gb_state *s, const bench_impl *b, long param)
{
    (void)b, (void)param;
    ffi_obj *v = ffi_var_new("i", 1);
    ffi_obj *add = ffi_add_new(v, v);
    ffi_obj *axes[] = {v};
    ffi_obj *layout = ffi_layout_new(axes, 1, add);
    int64_t n;
    while ((n = gb_keep_running_batch(s, BATCH)) > 0)
        for (int64_t k = 0; k < n; k++) {
            ffi_obj *off = ((ffi_layout *)layout)->offset;
            __asm__ volatile("" : : "r"(off) : "memory");   /* keep the load */
        }
    ffi_decref(layout);
    ffi_decref(add);
    ffi_decref(v);
}

void bench_register_floors(void)
{
    static const bench_impl none = {"floor", NULL, NULL};
    bench_add("floor_slots", &none, 0, floor_slots, 0);
    bench_add("floor_pointer", &none, 0, floor_pointer, 0);
}
