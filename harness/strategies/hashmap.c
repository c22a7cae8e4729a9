/* hashmap: a C map from handle (address, type) to a borrowed wrapper,
 * erased in the wrapper's dealloc. pybind11's registered_instances,
 * nanobind's inst_c2p and PyObjC keep one wrapper per live handle this way;
 * once the last Python reference goes, the next access makes a new one. */
#include <stdlib.h>

#include "../strategy.h"
#include "handle_map.h"

static int hashmap_init(ffi_cache *c)
{
    ffi_map *m = malloc(sizeof *m);
    if (!m || ffi_map_init(m) < 0) {
        free(m);
        PyErr_NoMemory();
        return -1;
    }
    c->state = m;
    return 0;
}

static void hashmap_fini(ffi_cache *c)
{
    ffi_map_fini(c->state);
    free(c->state);
}

static PyObject *hashmap_wrap(ffi_cache *c, ffi_handle h)
{
    ffi_map *m = c->state;
    PyObject *w = ffi_map_get(m, h);
    if (w)
        return Py_NewRef(w);
    w = ffi_cache_new_wrapper(c, h);
    if (!w)
        return NULL;
    /* Creation may have let another thread insert one first: keep theirs. */
    PyObject *raced = ffi_map_get(m, h);
    if (raced) {
        Py_DECREF(w);
        return Py_NewRef(raced);
    }
    if (ffi_map_put(m, h, w) < 0) {
        Py_DECREF(w);
        return PyErr_NoMemory();
    }
    return w;
}

static void hashmap_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    ffi_map *m = c->state;
    if (ffi_map_get(m, h) == w)
        ffi_map_remove(m, h);
}

static size_t hashmap_bytes(ffi_cache *c) { return sizeof(ffi_map) + ffi_map_bytes(c->state); }
static size_t hashmap_entries(ffi_cache *c) { return ((ffi_map *)c->state)->len; }

const ffi_strategy ffi_strategy_hashmap = {
    .abi_version = FFI_STRATEGY_ABI,
    .name = "hashmap",
    .summary = "C map handle->borrowed wrapper, erased on dealloc (pybind11, nanobind)",
    .init = hashmap_init,
    .fini = hashmap_fini,
    .wrap = hashmap_wrap,
    .wrapper_dealloc = hashmap_wrapper_dealloc,
    .bytes_used = hashmap_bytes,
    .entries_live = hashmap_entries,
};
