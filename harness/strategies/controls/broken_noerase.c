/* broken-noerase (control): never erases an entry when its wrapper dies.
 * When a new native object lands at a freed address (LIFO allocator), the
 * lookup hands out the dead wrapper: a use-after-free. Fails L3 (usually
 * by crashing, which the conformance runner contains). */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static PyObject *noerase_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, h, 1);
}

const ffi_strategy ffi_control_noerase = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-noerase",
    .summary = "control: map that never erases on dealloc (stale wrapper at a reused address)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = noerase_wrap,
    /* No wrapper_dealloc: the bug, the entry stays. */
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_noerase, FFI_BUILTIN_NODE, 1, 120);
