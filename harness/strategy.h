/* The wrapper-cache strategy interface: the one header a strategy needs.
 *
 * A strategy decides which Python wrapper a native handle maps to. The
 * harness owns everything else: the native objects (native.h), the wrapper
 * objects (a fixed C layout with the handle, __dict__ and weakrefs), the
 * Python classes, pickling and fork. A strategy is one C file filling in an
 * ffi_strategy table; see strategies/intrusive.c for a small complete one.
 *
 * Contract
 *  - Every call happens with the GIL held (or, on a free-threaded build, from
 *    any thread: guard your state with Py_GIL_DISABLED-only locks).
 *  - wrap() returns a NEW reference to a wrapper for the handle, or NULL with
 *    a Python exception set. To make a wrapper call ffi_cache_new_wrapper():
 *    it takes a native reference for the wrapper, and it may release the GIL
 *    (the harness's race window for thread tests), so re-check your cache
 *    after it returns before inserting.
 *  - wrapper_dealloc() runs once per wrapper, from the wrapper's tp_dealloc,
 *    after its weakrefs were cleared and before its native reference is
 *    dropped. Forget the wrapper here if you hold it borrowed. It runs
 *    instead, once, while the wrapper is alive (Py_REFCNT(w) > 0) when the
 *    wrapper is disowned (its native goes to native code): forget it then,
 *    and drop any reference you hold to it; it stands for no handle after.
 *  - native_free() (optional) runs when a native object is about to be freed.
 *    A view (FFI_INNER, FFI_BASE) handle is reported with its owner.
 *  - fork_prepare/fork_parent/fork_child (optional) run around fork(), as
 *    pthread_atfork handlers do: take and release your locks there.
 *  - refcount_changed (optional) is called for native objects whose header
 *    has FFI_FLAG_OBSERVED set; such a strategy keeps its wrapper in the
 *    header slot, and the harness routes the call by that wrapper.
 *  - bytes_used and entries_live feed the no-leak checks and the memory
 *    figures: report your cache's own memory, not the wrappers'.
 *
 * ABI: abi_version must equal FFI_STRATEGY_ABI. An out-of-tree strategy is a
 * shared object exporting `const ffi_strategy *ffi_strategy_entry(void)`. */
#ifndef FFI_STRATEGY_H
#define FFI_STRATEGY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "native.h"

#define FFI_STRATEGY_ABI 1

typedef struct ffi_cache ffi_cache;
typedef struct ffi_host ffi_host;

/* Services the harness offers a strategy (a table, so that strategies loaded
 * from a shared object need no link-time symbols from the harness). */
struct ffi_host {
    /* A new wrapper for h, new reference, or NULL with an exception. */
    PyObject *(*new_wrapper)(ffi_cache *c, ffi_handle h);
    /* The handle a wrapper made by this harness stands for. */
    ffi_handle (*wrapper_handle)(PyObject *wrapper);
    /* The harness's own class for a kind in this cache's implementation. A
     * wrapper may be of a Python subclass of it (a constructor called on
     * the subclass); a strategy that patches classes patches only these.
     * Appended after the fields above: same ABI. */
    PyTypeObject *(*wrapper_class)(ffi_cache *c, uint32_t kind);
};

/* One per implementation (strategy x reduce style); passed to every call. */
struct ffi_cache {
    const ffi_host *host;
    const struct ffi_strategy *strategy;
    const char *impl_name;   /* e.g. "hashmap+node" */
    void *state;             /* the strategy's own, set by init() */
};

typedef struct ffi_strategy {
    uint32_t abi_version;    /* FFI_STRATEGY_ABI */
    const char *name;        /* short, [a-z0-9-]: "hashmap" */
    const char *summary;     /* one line for --list */
    int (*init)(ffi_cache *c);                 /* 0, or -1 with an exception */
    void (*fini)(ffi_cache *c);
    PyObject *(*wrap)(ffi_cache *c, ffi_handle h);
    void (*wrapper_dealloc)(ffi_cache *c, PyObject *wrapper, ffi_handle h);
    void (*native_free)(ffi_cache *c, ffi_handle h);           /* optional */
    void (*fork_prepare)(ffi_cache *c);                         /* optional */
    void (*fork_parent)(ffi_cache *c);                          /* optional */
    void (*fork_child)(ffi_cache *c);                           /* optional */
    void (*refcount_changed)(ffi_cache *c, ffi_obj *o, int32_t rc); /* optional */
    size_t (*bytes_used)(ffi_cache *c);
    size_t (*entries_live)(ffi_cache *c);
} ffi_strategy;

static inline PyObject *ffi_cache_new_wrapper(ffi_cache *c, ffi_handle h)
{
    return c->host->new_wrapper(c, h);
}

/* A 64-bit hash of a handle, shared by the map-based strategies. */
static inline uint64_t ffi_handle_hash(ffi_handle h)
{
    uint64_t x = (uint64_t)(uintptr_t)h.addr ^ ((uint64_t)h.kind << 58);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

typedef const ffi_strategy *(*ffi_strategy_entry_fn)(void);

#endif
