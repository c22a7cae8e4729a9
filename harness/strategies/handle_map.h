/* An open-addressing hash map from native handle (address, kind) to a
 * pointer, with linear probing and backward-shift deletion (no tombstones,
 * so lookups stay short under churn). Shared by the map-based strategies. */
#ifndef FFI_HANDLE_MAP_H
#define FFI_HANDLE_MAP_H

#include <stddef.h>

#include "../native.h"

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

#endif
