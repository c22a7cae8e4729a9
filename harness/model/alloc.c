/* Counting allocator; see alloc.h. */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define ALIGN 16
#define CLASSES 32            /* size classes of 16 bytes: up to 512 bytes */

typedef struct free_block { struct free_block *next; } free_block;

static ffi_alloc_mode mode = FFI_ALLOC_UNSET;
static free_block *stacks[CLASSES];
static ffi_alloc_stats stats;

/* The pool: one mapping at a fixed address. Each copy of this file in a
 * process (the extension's, the C library's a tool binds) maps its own, at
 * the first of these addresses still free; the order in which they first
 * allocate is the program's, so each lands where it did the last time. */
#define POOL_BASE ((uintptr_t)1 << 44)
#define POOL_BYTES ((size_t)1 << 30)
static char *pool, *pool_next;

static int pool_open(void)
{
    for (uintptr_t k = 0; k < 16; k++) {
        void *at = (void *)(POOL_BASE + k * POOL_BYTES);
        void *p = mmap(at, POOL_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == at) {
            pool = pool_next = p;
            return 0;
        }
        if (p != MAP_FAILED)
            munmap(p, POOL_BYTES);   /* a kernel that took the address as a hint */
    }
    return -1;
}

static int in_pool(const void *p)
{
    return pool && (const char *)p >= pool && (const char *)p < pool + POOL_BYTES;
}

static void *pool_take(size_t n)
{
    if (!pool || (size_t)(pool + POOL_BYTES - pool_next) < n)
        return NULL;
    void *p = pool_next;
    pool_next += n;
    return p;
}

/* A counted process (FFI_COUNTING, docs/instructions.md) starts in pool
 * mode, any other in malloc mode. */
static void mode_start(void)
{
    const char *counting = getenv("FFI_COUNTING");
    mode = counting && *counting && pool_open() == 0 ? FFI_ALLOC_POOL : FFI_ALLOC_MALLOC;
}

static size_t size_class(size_t size) { return (size + ALIGN - 1) / ALIGN - 1; }

void *ffi_alloc(size_t size)
{
    void *p = NULL;
    size_t c = size_class(size);
    if (mode == FFI_ALLOC_UNSET)
        mode_start();
    if (mode != FFI_ALLOC_MALLOC && c < CLASSES && stacks[c]) {
        free_block *b = stacks[c];
        stacks[c] = b->next;
        p = b;
    } else if (mode == FFI_ALLOC_POOL && c < CLASSES && (p = pool_take((c + 1) * ALIGN))) {
        /* taken */
    } else {
        p = malloc((c + 1) * ALIGN);
        if (!p)
            return NULL;
    }
    stats.live_blocks++;
    stats.live_bytes += (int64_t)size;
    stats.total_allocs++;
    stats.total_bytes += (int64_t)size;
    return p;
}

void ffi_free(void *p, size_t size)
{
    if (!p)
        return;
    size_t c = size_class(size);
    stats.live_blocks--;
    stats.live_bytes -= (int64_t)size;
    if ((mode == FFI_ALLOC_LIFO || mode == FFI_ALLOC_POOL || in_pool(p)) && c < CLASSES) {
        free_block *b = p;
        b->next = stacks[c];
        stacks[c] = b;
        return;
    }
    free(p);
}

void ffi_alloc_set_mode(ffi_alloc_mode m)
{
    if (m == FFI_ALLOC_POOL && !pool && pool_open() < 0)
        m = FFI_ALLOC_LIFO;   /* no address left: reuse at once all the same */
    if (m == FFI_ALLOC_MALLOC)
        ffi_alloc_trim();
    mode = m;
}

ffi_alloc_mode ffi_alloc_get_mode(void)
{
    if (mode == FFI_ALLOC_UNSET)
        mode_start();
    return mode;
}

ffi_alloc_stats ffi_alloc_get_stats(void) { return stats; }

void ffi_alloc_trim(void)
{
    for (size_t c = 0; c < CLASSES; c++) {
        while (stacks[c]) {
            free_block *b = stacks[c];
            stacks[c] = b->next;
            if (!in_pool(b))   /* the pool's blocks stay in its mapping */
                free(b);
        }
    }
}
