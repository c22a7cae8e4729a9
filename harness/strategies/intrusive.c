/* intrusive: a borrowed back-pointer to the wrapper in the native header's
 * slot, cleared in the wrapper's dealloc. lxml's _private, nanobind's
 * intrusive_counter, Blink's main-world wrapper and PyGObject >= 3.55 qdata.
 * A lookup is one load; like hashmap, the wrapper dies with its last Python
 * reference and the next access makes a new one. */
#include "core/builtin.h"

typedef struct intrusive_state { size_t live; } intrusive_state;

static int intrusive_init(ffi_cache *c)
{
    c->state = PyMem_RawCalloc(1, sizeof(intrusive_state));
    return c->state ? 0 : (PyErr_NoMemory(), -1);
}

static void intrusive_fini(ffi_cache *c) { PyMem_RawFree(c->state); }

static PyObject *intrusive_wrap(ffi_cache *c, ffi_handle h)
{
    void **slot = ffi_handle_slot(h);
    if (*slot)
        return Py_NewRef((PyObject *)*slot);
    PyObject *w = ffi_cache_new_wrapper(c, h);
    if (!w)
        return NULL;
    if (*slot) {   /* another thread won the race during creation */
        Py_DECREF(w);
        return Py_NewRef((PyObject *)*slot);
    }
    *slot = w;
    ((intrusive_state *)c->state)->live++;
    return w;
}

static void intrusive_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    void **slot = ffi_handle_slot(h);
    if (*slot == w) {
        *slot = NULL;
        ((intrusive_state *)c->state)->live--;
    }
}

static size_t intrusive_entries(ffi_cache *c) { return ((intrusive_state *)c->state)->live; }

const ffi_strategy ffi_strategy_intrusive = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "intrusive",
    .summary = "back-pointer in the native header, cleared on dealloc (lxml, nanobind)",
    .init = intrusive_init,
    .fini = intrusive_fini,
    .wrap = intrusive_wrap,
    .wrapper_dealloc = intrusive_wrapper_dealloc,
    .entries_live = intrusive_entries,
    /* bytes_used NULL (0): the slot lives in the native header, which is
     * counted as native memory. */
};

FFI_BUILTIN(ffi_strategy_intrusive, FFI_BUILTIN_BOTH, 0, 40);
