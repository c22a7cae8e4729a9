/* The wrapper-cache strategy interface: the one header a strategy needs.
 *
 * A strategy decides which Python wrapper a native handle maps to. The
 * harness owns everything else: the native objects (handle.h shows what a
 * strategy may touch of them), the wrapper objects (a fixed C layout with
 * the handle, __dict__ and weakrefs), the Python classes, pickling and fork.
 * A strategy is one C file filling in an ffi_strategy table; see
 * strategies/intrusive.c for a small complete one.
 *
 * Contract
 *  - Every call happens with the GIL held (or, on a free-threaded build, from
 *    any thread: guard your state with Py_GIL_DISABLED-only locks).
 *  - name and wrap are required; every other hook is optional, and NULL
 *    means the default given with it below.
 *  - wrap() returns a NEW reference to a wrapper for the handle, or NULL with
 *    a Python exception set. To make a wrapper call ffi_cache_new_wrapper():
 *    it takes a native reference for the wrapper, and it may release the GIL
 *    (the harness's race window for thread tests), so re-check your cache
 *    after it returns before inserting.
 *  - init() sets up c->state: 0, or -1 with an exception. NULL: state
 *    stays NULL.
 *  - fini() frees what init() made. It runs once, at the very end of
 *    Py_FinalizeEx (a Py_AtExit function): every wrapper that will die has
 *    died, and no hook is called after it. The interpreter is gone, so
 *    call no Python API (PyMem_Raw* and free() are fine): Python objects
 *    init() made belonged to the interpreter. A process that never calls
 *    Py_FinalizeEx (it leaves by os._exit, say) never calls fini. NULL:
 *    nothing to free.
 *  - wrapper_dealloc() runs once per wrapper, from the wrapper's tp_dealloc,
 *    before its weakrefs are cleared and its native reference is dropped.
 *    Forget the wrapper here if you hold it borrowed. It runs instead, once,
 *    while the wrapper is alive (Py_REFCNT(w) > 0) when the wrapper is
 *    disowned (its native goes to native code): forget it then, and drop
 *    any reference you hold to it; it stands for no handle after. NULL:
 *    nothing to forget (a strategy that keeps no borrowed wrapper).
 *  - native_free() runs when a native object is about to be freed. A view
 *    (FFI_INNER, FFI_BASE) handle is reported with its owner. NULL: not told.
 *  - fork_prepare/fork_parent/fork_child run around fork(), as
 *    pthread_atfork handlers do: take and release your locks there. NULL:
 *    nothing to do.
 *  - refcount_changed is called for native objects whose header has
 *    FFI_FLAG_OBSERVED set; such a strategy keeps its wrapper in the header
 *    slot, and the harness routes the call by that wrapper. NULL: not told
 *    (and the flag is pointless).
 *  - bytes_used and entries_live feed the no-leak checks and the memory
 *    figures: report your cache's own memory, not the wrappers'. NULL: 0
 *    (a strategy without a cache, or whose slot is in the native header).
 *
 * ABI
 * An out-of-tree strategy is a shared object exporting
 * `const ffi_strategy *ffi_strategy_entry(void)`. ffi_strategy and ffi_host
 * only grow, by appending, and FFI_STRATEGY_ABI numbers their layouts. The
 * harness loads a table of any version from 1 to its own and reads only
 * the fields that version has, so a plug-in keeps loading as the harness
 * grows (as SQLite loads a sqlite3_vfs by its iVersion). A newer version, a
 * struct_size too small for the version, or a missing name or wrap is
 * refused with an ImportError that names the file.
 *  - v1: abi_version, then name .. entries_live; no size. init, fini,
 *    wrapper_dealloc, bytes_used and entries_live were required, and fini
 *    was never called. ffi_host had no header: a v1 strategy gets a host
 *    table of v1's layout, kept for it.
 *  - v2: struct_size, in the four bytes v1 left as padding after
 *    abi_version (LP64: no v1 field moved). A NULL optional hook means its
 *    default and fini is called, for v1 tables too. ffi_host starts with its
 *    version and size; v2 and later strategies get the harness's own.
 * A v1 table is known by abi_version == 1 alone: its padding is never read
 * (a static table has zeros there, one filled in at run time may not).
 * From v2, set .struct_size = sizeof(ffi_strategy): a larger one (a newer
 * header) is fine, the harness reads what it knows; one smaller than the
 * version's fields is refused.
 *
 * Adding a field (v3): append it to ffi_strategy (never move, retype or
 * remove one), bump FFI_STRATEGY_ABI, add the version's end to abi.c, and
 * say here what v3 added. The harness's copy of an older table has the
 * field zeroed, so it must be optional (NULL = a default). A host service
 * is appended to ffi_host the same way; a strategy that declares an older
 * abi_version, to load in older harnesses too, tests FFI_HOST_HAS first. */
#ifndef FFI_STRATEGY_H
#define FFI_STRATEGY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>
#include <stdint.h>

#include "model/handle.h"

#define FFI_STRATEGY_ABI 2

typedef struct ffi_cache ffi_cache;
typedef struct ffi_host ffi_host;

/* Services the harness offers a strategy (a table, so that strategies loaded
 * from a shared object need no link-time symbols from the harness). */
struct ffi_host {
    uint32_t version;   /* the harness's FFI_STRATEGY_ABI (2 or more here) */
    uint32_t size;      /* sizeof the harness's ffi_host: see FFI_HOST_HAS */
    /* A new wrapper for h, new reference, or NULL with an exception. */
    PyObject *(*new_wrapper)(ffi_cache *c, ffi_handle h);
    /* The handle a wrapper made by this harness stands for: for hooks that
     * get only the object (a tp_free, a weakref callback); the wrapper's
     * layout is the harness's own. */
    ffi_handle (*wrapper_handle)(PyObject *wrapper);
    /* The harness's own class for a kind in this cache's subject. A
     * wrapper may be of a Python subclass of it (a constructor called on
     * the subclass); a strategy that patches classes patches only these. */
    PyTypeObject *(*wrapper_class)(ffi_cache *c, uint32_t kind);
};

/* Whether the host table has `member` (one appended after the strategy's
 * own version). */
#define FFI_HOST_HAS(host, member) \
    (offsetof(ffi_host, member) + sizeof(((ffi_host *)0)->member) <= (host)->size)

/* One per subject (strategy x reduce style); passed to every call. */
struct ffi_cache {
    const ffi_host *host;
    const struct ffi_strategy *strategy;   /* the harness's copy: see ffi_strategy */
    const char *subject_name;   /* e.g. "hashmap+node" */
    void *state;             /* the strategy's own, set by init() */
};

/* A strategy's table. The harness reads it once, when it creates the
 * subjects, into a copy of the current layout in which the fields
 * the table's version lacks are zero and NULL hooks are their defaults;
 * c->strategy is that copy. */
typedef struct ffi_strategy {
    uint32_t abi_version;    /* FFI_STRATEGY_ABI (any of 1 .. it loads) */
    uint32_t struct_size;    /* v2: sizeof(ffi_strategy); v1: padding */
    const char *name;        /* required; short, [a-z0-9-]: "hashmap" */
    const char *summary;     /* one line for --list; NULL: "" */
    int (*init)(ffi_cache *c);                 /* 0, or -1 with an exception */
    void (*fini)(ffi_cache *c);
    PyObject *(*wrap)(ffi_cache *c, ffi_handle h);                  /* required */
    void (*wrapper_dealloc)(ffi_cache *c, PyObject *wrapper, ffi_handle h);
    void (*native_free)(ffi_cache *c, ffi_handle h);
    void (*fork_prepare)(ffi_cache *c);
    void (*fork_parent)(ffi_cache *c);
    void (*fork_child)(ffi_cache *c);
    void (*refcount_changed)(ffi_cache *c, ffi_obj *o, int32_t rc);
    size_t (*bytes_used)(ffi_cache *c);
    size_t (*entries_live)(ffi_cache *c);
    /* v3 fields go here */
} ffi_strategy;

/* struct_size fills v1's padding only where a pointer is 8-byte aligned;
 * elsewhere it would move every v1 field. */
_Static_assert(offsetof(ffi_strategy, name) == 8,
               "strategy ABI v2 needs an LP64 target: struct_size sits in v1's padding");

static inline PyObject *ffi_cache_new_wrapper(ffi_cache *c, ffi_handle h)
{
    return c->host->new_wrapper(c, h);
}

typedef const ffi_strategy *(*ffi_strategy_entry_fn)(void);

#endif
