/* FROZEN: harness/template/my_strategy.c as it was at ABI v1 (commit
 * eeda69b): the previous template, built against the frozen v1 header to show
 * that a v1 plug-in still loads and passes what it passed. Do not edit
 * (only the include below names the frozen header). */
/* direct-mapped: a template for out-of-tree strategies, and a design of its
 * own: a fixed table of 4096 borrowed wrappers indexed by handle hash. A
 * collision evicts the older entry (its wrapper lives on, uncached), so
 * memory is bounded and identity holds only while the table is not under
 * pressure. Build: make -C harness/template (see README.md there). */
#include "strategy_abi1.h"

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

static const ffi_strategy direct_mapped = {
    .abi_version = TEMPLATE_ABI,
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
