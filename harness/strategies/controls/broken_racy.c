/* broken-racy (control): inserts without looking again after wrapper
 * creation. When creation releases the GIL (the race window), two threads
 * that both missed each insert their own wrapper for one handle. Fails T1. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static PyObject *racy_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, h, 0);
}

static void racy_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_racy = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-racy",
    .summary = "control: no re-check after creation (two threads insert two wrappers)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = racy_wrap,
    .wrapper_dealloc = racy_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_racy, FFI_BUILTIN_NODE, 1, 130);
