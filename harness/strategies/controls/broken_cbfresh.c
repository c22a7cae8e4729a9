/* broken-cbfresh (control): a correct handle map behind glue that marshals
 * a callback's argument on a path of its own: the native object a native
 * function hands to a Python callback gets a wrapper made without asking
 * the cache, so the callback sees a second wrapper of an object its caller
 * holds (its state and subclass are not there). The bug is in the glue,
 * not the cache: its registration gives it FFI_GLUE_CALLBACK_FRESH.
 * Fails CB1. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static PyObject *cbfresh_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, h, 1);
}

static void cbfresh_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_control_cbfresh = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-cbfresh",
    .summary = "control: a callback's argument is a new wrapper, not the one the cache holds",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = cbfresh_wrap,
    .wrapper_dealloc = cbfresh_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN_GLUE(ffi_control_cbfresh, FFI_BUILTIN_NODE, 1, 200, FFI_GLUE_CALLBACK_FRESH);   /* the bug is in the glue */
