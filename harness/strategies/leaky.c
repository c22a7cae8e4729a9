/* leaky: a map holding STRONG references that never evicts. A negative
 * control: identity holds perfectly, and nothing is ever freed. */
#include "core/builtin.h"
#include "handle_map.h"

static PyObject *leaky_wrap(ffi_cache *c, ffi_handle h)
{
    int fresh;
    PyObject *w = ffi_map_find_or_new(c, h, h, 1, &fresh);
    if (!w || !fresh)
        return w;
    if (ffi_map_put(c->state, h, w) < 0) {   /* the map keeps creation's reference */
        Py_DECREF(w);
        return PyErr_NoMemory();
    }
    return Py_NewRef(w);
}

/* A mapped wrapper never dies (the map keeps it), so this runs for one
 * only when it is disowned: it gave its native away, and the map lets it go. */
static void leaky_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    if (ffi_map_get(c->state, h) == w) {
        ffi_map_remove(c->state, h);
        Py_DECREF(w);   /* the disowning caller still holds it */
    }
}

const ffi_strategy ffi_strategy_leaky = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "leaky",
    .summary = "negative control: strong map, never evicts (identity yes, memory no)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = leaky_wrap,
    .wrapper_dealloc = leaky_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_strategy_leaky, FFI_BUILTIN_BOTH, 0, 70);   /* a negative control, but a real design */
