/* broken-capped (control): a handle map of fixed capacity that, once full,
 * stops caching and silently hands out uncached wrappers, as a cache
 * sized for "enough" objects does. Below the cap it is a correct map; with more
 * live handles than the cap, a read of a handle past it is a new wrapper
 * each time. No other property holds that many objects at once. Fails I8. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

enum { CAPACITY = 600 };

static PyObject *capped_wrap(ffi_cache *c, ffi_handle h)
{
    int fresh;
    PyObject *w = ffi_map_find_or_new(c, h, h, 1, &fresh);
    if (!w || !fresh)
        return w;
    if (((ffi_map *)c->state)->len >= CAPACITY)
        return w;   /* the bug: full, so not cached, and nobody is told */
    if (ffi_map_put(c->state, h, w) < 0) {
        Py_DECREF(w);
        return PyErr_NoMemory();
    }
    return w;
}

static void capped_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_capped = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-capped",
    .summary = "control: a map that stops caching when full (past 600 live handles, new wrappers)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = capped_wrap,
    .wrapper_dealloc = capped_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_capped, FFI_BUILTIN_NODE, 1, 205);
