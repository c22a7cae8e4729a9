/* direct-mapped: a template for out-of-tree strategies (strategy ABI v2),
 * and a design of its own: a fixed table of 4096 borrowed wrappers indexed
 * by handle hash. A collision evicts the older entry (its wrapper lives on,
 * uncached), so memory is bounded and identity holds only while the table
 * is not under pressure. Build: make -C harness/strategies/template (see README.md
 * there). */
#include "strategy.h"

/* Test hooks for the loader's error paths: a wrong ABI, no entry point. */
#ifndef TEMPLATE_ABI
#define TEMPLATE_ABI FFI_STRATEGY_ABI
#endif

#define SLOTS 4096   /* a power of two */

typedef struct table {
    ffi_handle key[SLOTS];
    PyObject *wrapper[SLOTS];   /* borrowed; NULL: empty */
    size_t live;
} table;

static int dm_init(ffi_cache *c)
{
    c->state = PyMem_RawCalloc(1, sizeof(table));
    return c->state ? 0 : (PyErr_NoMemory(), -1);
}

/* Runs after the interpreter is finalized: raw memory only. */
static void dm_fini(ffi_cache *c) { PyMem_RawFree(c->state); }

static size_t slot_of(ffi_handle h) { return ffi_handle_hash(h) & (SLOTS - 1); }

static PyObject *dm_wrap(ffi_cache *c, ffi_handle h)
{
    table *t = c->state;
    size_t i = slot_of(h);
    if (t->wrapper[i] && ffi_handle_eq(t->key[i], h))
        return Py_NewRef(t->wrapper[i]);
    PyObject *w = ffi_cache_new_wrapper(c, h);   /* may let another thread in */
    if (!w)
        return NULL;
    if (t->wrapper[i] && ffi_handle_eq(t->key[i], h)) {
        Py_DECREF(w);
        return Py_NewRef(t->wrapper[i]);
    }
    if (!t->wrapper[i])
        t->live++;
    t->key[i] = h;   /* evicts whatever was there */
    t->wrapper[i] = w;
    return w;
}

static void dm_wrapper_dealloc(ffi_cache *c, PyObject *w, ffi_handle h)
{
    table *t = c->state;
    size_t i = slot_of(h);
    if (t->wrapper[i] == w) {
        t->wrapper[i] = NULL;
        t->live--;
    }
}

static size_t dm_bytes(ffi_cache *c) { (void)c; return sizeof(table); }
static size_t dm_entries(ffi_cache *c) { return ((table *)c->state)->live; }

/* Only name and wrap are required. The hooks left out are NULL, which
 * means their default: native_free, the fork hooks and refcount_changed
 * (no lock to take, nothing kept in the native header). A strategy with no
 * state could leave out init and fini too, and one with no cache
 * wrapper_dealloc, bytes_used and entries_live (0). */
static const ffi_strategy direct_mapped = {
    .abi_version = TEMPLATE_ABI,
    .struct_size = sizeof(ffi_strategy),   /* how much table this build has */
    .name = "direct-mapped",
    .summary = "template: fixed table of 4096 borrowed wrappers, collisions evict",
    .init = dm_init,
    .fini = dm_fini,
    .wrap = dm_wrap,
    .wrapper_dealloc = dm_wrapper_dealloc,
    .bytes_used = dm_bytes,
    .entries_live = dm_entries,
};

#ifndef TEMPLATE_NO_ENTRY
const ffi_strategy *ffi_strategy_entry(void) { return &direct_mapped; }
#endif
