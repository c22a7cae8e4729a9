/* An open-addressing hash map from native handle (address, kind) to a
 * pointer, with linear probing and backward-shift deletion (no tombstones,
 * so lookups stay short under churn). Shared by the map-based strategies. */
#ifndef FFI_HANDLE_MAP_H
#define FFI_HANDLE_MAP_H

#include <stddef.h>

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "model/handle.h"

typedef struct ffi_map_entry {
    void *addr;          /* NULL: empty */
    uint32_t kind;
    void *value;
} ffi_map_entry;

typedef struct ffi_map {
    ffi_map_entry *slots;
    size_t cap;          /* a power of two */
    size_t len;
} ffi_map;

int ffi_map_init(ffi_map *m);                       /* 0, or -1 out of memory */
void ffi_map_fini(ffi_map *m);
void *ffi_map_get(const ffi_map *m, ffi_handle h);  /* NULL when absent */
int ffi_map_put(ffi_map *m, ffi_handle h, void *value);   /* insert or replace */
void *ffi_map_remove(ffi_map *m, ffi_handle h);     /* the old value, or NULL */
size_t ffi_map_bytes(const ffi_map *m);

/* Ready-made ffi_strategy hooks for strategies whose state is one ffi_map
 * (hashmap, leaky and most controls). */
struct ffi_cache;
int ffi_map_strategy_init(struct ffi_cache *c);
void ffi_map_strategy_fini(struct ffi_cache *c);
size_t ffi_map_strategy_bytes(struct ffi_cache *c);
size_t ffi_map_strategy_entries(struct ffi_cache *c);

/* The map-cache access, with its variations as parameters (the controls
 * break one at a time): the wrapper stored under `key`, else a new wrapper
 * for `h`, stored borrowed under `key`. With `recheck`, look again after
 * creation, which may have let another thread insert first. New reference,
 * or NULL with an exception. */
PyObject *ffi_map_lookup_or_wrap(struct ffi_cache *c, ffi_handle h, ffi_handle key, int recheck);
/* Its first half, for strategies that store differently (strongly, or not
 * at all past a cap): the stored wrapper, else a new one not yet stored
 * (*fresh set). New reference, or NULL with an exception. */
PyObject *ffi_map_find_or_new(struct ffi_cache *c, ffi_handle h, ffi_handle key, int recheck, int *fresh);
/* Drops the entry under key if it is w (a wrapper_dealloc hook's body). */
void ffi_map_forget(struct ffi_cache *c, PyObject *w, ffi_handle key);

#endif
