/* broken-nodowncast (control): a correct handle map behind glue that reads a
 * base-typed field without the downcast. The pointer a Holder keeps to a
 * Derived's second base is wrapped as an object of its own (a Base view at
 * that base's address), so the Derived gets a second wrapper: pybind11 did
 * this for a base class at an offset until #812 (#801). The bug is in the
 * glue, not the cache: its registration gives it FFI_GLUE_NO_DOWNCAST.
 * Fails U1. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static PyObject *nodowncast_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, h, 1);
}

static void nodowncast_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_nodowncast = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-nodowncast",
    .summary = "control: a base pointer is wrapped on its own, not as the object it is part of",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = nodowncast_wrap,
    .wrapper_dealloc = nodowncast_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN_GLUE(ffi_control_nodowncast, FFI_BUILTIN_NODE, 1, 180, FFI_GLUE_NO_DOWNCAST);   /* the bug is in the glue */
