/* broken-viewkey (control): a handle map that stores a view (Inner) under
 * its own key, (address, Inner), but erases a dead wrapper under its
 * owner's, (address, Outer), as code that reduces a view to the object it
 * lives in would. The erase finds the Outer's entry, which is not the dead
 * wrapper, and leaves the view's entry behind: while the Outer lives,
 * outer.inner hands out the dead view's memory. Fails V1. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static PyObject *viewkey_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, h, 1);
}

static void viewkey_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    if (h.kind == FFI_INNER)
        h.kind = FFI_OUTER;   /* the bug: a view is erased under its owner's key */
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_viewkey = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-viewkey",
    .summary = "control: a dead view's entry is erased under its owner's key (the view's stays)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = viewkey_wrap,
    .wrapper_dealloc = viewkey_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_viewkey, FFI_BUILTIN_NODE, 1, 170);
