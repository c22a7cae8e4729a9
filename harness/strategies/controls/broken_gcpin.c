/* broken-gcpin (control): keeps each wrapper alive by a reference cycle
 * with itself (a hidden __dict__ entry, `_gcpin`), instead of a reference
 * the cycle collector cannot see. Identity, id() and state then hold across
 * dropped references, until gc.collect() finds the cycle and frees the
 * wrapper although its native object is still held elsewhere: the next
 * access makes a new wrapper and the state is gone. The failure PyTorch
 * #75932 describes (the collector cleared a tensor's Python object while
 * C++ still held the tensor). Fails G1. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static PyObject *gcpin_wrap(ffi_cache *c, ffi_handle h)
{
    PyObject *w = ffi_map_get(c->state, h);
    if (w)
        return Py_NewRef(w);
    w = ffi_map_lookup_or_wrap(c, h, h, 1);
    /* The bug: the pin is an edge the collector sees, so the pin and the
     * wrapper make garbage the moment nothing outside holds the wrapper. */
    if (w && PyObject_SetAttrString(w, "_gcpin", w) < 0)
        Py_CLEAR(w);
    return w;
}

static void gcpin_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_gcpin = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-gcpin",
    .summary = "control: wrapper pinned by a cycle with itself (gc.collect() frees it while its native lives)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = gcpin_wrap,
    .wrapper_dealloc = gcpin_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_gcpin, FFI_BUILTIN_NODE, 1, 160);
