/* Counting allocator; see alloc.h. */
#include "alloc.h"

#include <stdlib.h>

#define ALIGN 16
#define CLASSES 32            /* size classes of 16 bytes: up to 512 bytes */

typedef struct free_block { struct free_block *next; } free_block;

static ffi_alloc_mode mode = FFI_ALLOC_MALLOC;
static free_block *stacks[CLASSES];
static ffi_alloc_stats stats;

static size_t size_class(size_t size) { return (size + ALIGN - 1) / ALIGN - 1; }

void *ffi_alloc(size_t size)
{
    void *p = NULL;
    size_t c = size_class(size);
    if (mode == FFI_ALLOC_LIFO && c < CLASSES && stacks[c]) {
        free_block *b = stacks[c];
        stacks[c] = b->next;
        p = b;
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
    if (mode == FFI_ALLOC_LIFO && c < CLASSES) {
        free_block *b = p;
        b->next = stacks[c];
        stacks[c] = b;
        return;
    }
    free(p);
}

void ffi_alloc_set_mode(ffi_alloc_mode m)
{
    if (m != FFI_ALLOC_LIFO)
        ffi_alloc_trim();
    mode = m;
}

ffi_alloc_mode ffi_alloc_get_mode(void) { return mode; }

ffi_alloc_stats ffi_alloc_get_stats(void) { return stats; }

void ffi_alloc_trim(void)
{
    for (size_t c = 0; c < CLASSES; c++) {
        while (stacks[c]) {
            free_block *b = stacks[c];
            stacks[c] = b->next;
            free(b);
        }
    }
}
