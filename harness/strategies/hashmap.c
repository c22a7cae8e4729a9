/* hashmap: a C map from handle (address, type) to a borrowed wrapper,
 * erased in the wrapper's dealloc. pybind11's registered_instances,
 * nanobind's inst_c2p and PyObjC keep one wrapper per live handle this way;
 * once the last Python reference goes, the next access makes a new one. */
#include "../strategy.h"
#include "handle_map.h"

static PyObject *hashmap_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, h, 1);
}

static void hashmap_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);
}

const ffi_strategy ffi_strategy_hashmap = {
    .abi_version = FFI_STRATEGY_ABI,
    .name = "hashmap",
    .summary = "C map handle->borrowed wrapper, erased on dealloc (pybind11, nanobind)",
    .init = ffi_map_strategy_init,
    .fini = ffi_map_strategy_fini,
    .wrap = hashmap_wrap,
    .wrapper_dealloc = hashmap_wrapper_dealloc,
    .bytes_used = ffi_map_strategy_bytes,
    .entries_live = ffi_map_strategy_entries,
};
