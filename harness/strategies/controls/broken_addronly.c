/* broken-addronly (control): a map keyed by address alone, forgetting the
 * type. A struct and its first member share an address, so Outer.inner
 * comes back as the Outer's wrapper. Fails I4. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static ffi_handle address_only(ffi_handle h)
{
    h.kind = 0;
    return h;
}

static PyObject *addronly_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, address_only(h), 1);
}

static void addronly_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, address_only(h));
}

const ffi_strategy ffi_control_addronly = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-addronly",
    .summary = "control: map keyed by address only (a struct and its first member collide)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = addronly_wrap,
    .wrapper_dealloc = addronly_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};

FFI_BUILTIN(ffi_control_addronly, FFI_BUILTIN_NODE, 1, 110);
