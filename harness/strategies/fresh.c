/* fresh: a new wrapper per access, no cache at all.
 * What tvm-ffi (0.1.15, tying off), SWIG, ctypes, cffi, Cython's from_ptr and PyO3's
 * `get` do: `==` works by handle, `is` and id() do not. */
#include "../strategy.h"

static int fresh_init(ffi_cache *c) { c->state = NULL; return 0; }
static void fresh_fini(ffi_cache *c) { (void)c; }

static PyObject *fresh_wrap(ffi_cache *c, ffi_handle h) { return ffi_cache_new_wrapper(c, h); }

static void fresh_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    (void)c, (void)w, (void)h;
}

static size_t nothing(ffi_cache *c) { (void)c; return 0; }

const ffi_strategy ffi_strategy_fresh = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "fresh",
    .summary = "new wrapper per access (tvm-ffi 0.1.15, SWIG, ctypes, cffi, Cython)",
    .init = fresh_init,
    .fini = fresh_fini,
    .wrap = fresh_wrap,
    .wrapper_dealloc = fresh_wrapper_dealloc,
    .bytes_used = nothing,
    .entries_live = nothing,
};
