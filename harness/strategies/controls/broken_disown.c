/* broken-disown (control): a handle map that forgets a wrapper only when it
 * dies. A wrapper that gave its native away (disowned: the native went to
 * native code, which freed it) stays mapped, and an object later made at the
 * freed address is handed the disowned wrapper, as pybind11 kept an instance
 * registered after its unique_ptr went to C++ (#1238). Fails O1. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static PyObject *disown_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, h, 1);
}

static void disown_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    if (Py_REFCNT(w) > 0)
        return;   /* the bug: a wrapper alive here is being disowned, and keeps its entry */
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_disown = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-disown",
    .summary = "control: a disowned wrapper keeps its entry (a new object at the freed address gets it)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = disown_wrap,
    .wrapper_dealloc = disown_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_disown, FFI_BUILTIN_NODE, 1, 190);
