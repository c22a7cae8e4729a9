/* broken-atexit (control): frees its map from an atexit handler, as a
 * binding that tears its registry down "at exit" does. Wrappers still alive
 * when the interpreter finalizes then deallocate into a freed registry.
 * Fails L4. */
#include "strategies/handle_map.h"
#include "core/builtin.h"

static PyObject *teardown(PyObject *cache_capsule, PyObject *unused)
{
    (void)unused;
    ffi_map_strategy_fini(PyCapsule_GetPointer(cache_capsule, NULL));
    Py_RETURN_NONE;
}

static PyMethodDef teardown_def = {"teardown", teardown, METH_NOARGS, NULL};

static int atexit_init(ffi_cache *c)
{
    if (ffi_map_strategy_init(c) < 0)
        return -1;
    PyObject *capsule = PyCapsule_New(c, NULL, NULL);
    PyObject *fn = capsule ? PyCFunction_New(&teardown_def, capsule) : NULL;
    PyObject *atexit = fn ? PyImport_ImportModule("atexit") : NULL;
    PyObject *r = atexit ? PyObject_CallMethod(atexit, "register", "O", fn) : NULL;
    Py_XDECREF(r);
    Py_XDECREF(atexit);
    Py_XDECREF(fn);
    Py_XDECREF(capsule);
    return r ? 0 : -1;
}

static PyObject *atexit_wrap(ffi_cache *c, ffi_handle h)
{
    return ffi_map_lookup_or_wrap(c, h, h, 1);
}

static void atexit_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map_forget(c, w, h);   /* the bug: c->state may be gone */
}

static size_t atexit_bytes(ffi_cache *c) { return c->state ? ffi_map_strategy_bytes(c) : 0; }
static size_t atexit_entries(ffi_cache *c) { return c->state ? ffi_map_strategy_entries(c) : 0; }

const ffi_strategy ffi_control_atexit = {
    .abi_version = FFI_STRATEGY_ABI,
    .struct_size = sizeof(ffi_strategy),
    .name = "broken-atexit",
    .summary = "control: frees its registry at exit while wrappers live (crash at finalize)",
    .init = atexit_init,
    .fini = ffi_map_strategy_fini,
    .wrap = atexit_wrap,
    .wrapper_dealloc = atexit_wrapper_dealloc,
    .bytes_used = atexit_bytes,
    .entries_live = atexit_entries,
};

FFI_BUILTIN(ffi_control_atexit, FFI_BUILTIN_NODE, 1, 150);
