/* Counting allocator for native objects.
 *
 * Every native object comes from here so the suite can count live objects
 * and bytes, and so address reuse can be made deterministic: in LIFO mode a
 * freed block is handed out again by the very next allocation of the same
 * size class, which turns ABA bugs (a stale cache entry meeting a new object
 * at the old address) from "sometimes" into "always". In pool mode, the
 * mode of a process whose instructions are counted, blocks come from a
 * mapping at a fixed address and are reused the same way: the natives'
 * addresses, which hashes of them follow, are then the same whatever the
 * process allocated before. */
#ifndef FFI_ALLOC_H
#define FFI_ALLOC_H

#include <stddef.h>
#include <stdint.h>

typedef enum ffi_alloc_mode {
    FFI_ALLOC_UNSET = -1,  /* until the first call: pool if $FFI_COUNTING, else malloc */
    FFI_ALLOC_MALLOC = 0,  /* plain malloc/free */
    FFI_ALLOC_LIFO = 1,    /* per-size-class free stacks, reused at once */
    FFI_ALLOC_POOL = 2     /* as LIFO, new blocks from a fixed-address mapping */
} ffi_alloc_mode;

typedef struct ffi_alloc_stats {
    int64_t live_blocks;   /* allocated and not yet freed */
    int64_t live_bytes;
    int64_t total_allocs;  /* ever, for "allocations per access" */
    int64_t total_bytes;
} ffi_alloc_stats;

void *ffi_alloc(size_t size);
void ffi_free(void *p, size_t size);
void ffi_alloc_set_mode(ffi_alloc_mode mode);
ffi_alloc_mode ffi_alloc_get_mode(void);
ffi_alloc_stats ffi_alloc_get_stats(void);
/* Returns blocks parked on the LIFO stacks to malloc (for leak checkers). */
void ffi_alloc_trim(void);

#endif
