/* fresh: a new wrapper per access, no cache at all.
 * What tvm-ffi (0.1.15, tying off), SWIG, ctypes, cffi, Cython's from_ptr and PyO3's
 * `get` do: `==` works by handle, `is` and id() do not. */
#include "core/builtin.h"

static PyObject *fresh_wrap(ffi_cache *c, ffi_handle h) { return ffi_cache_new_wrapper(c, h); }

/* No state, nothing to forget, an empty cache: every other hook is NULL. */
const ffi_strategy ffi_strategy_fresh = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "fresh",
    .summary = "new wrapper per access (tvm-ffi 0.1.15, SWIG, ctypes, cffi, Cython)",
    .wrap = fresh_wrap,
};

FFI_BUILTIN(ffi_strategy_fresh, FFI_BUILTIN_BOTH, 0, 10);
